// test_config.c — the config loader: YAML tree with marks, core schema,
// overrides, plugin parameter binding, emit/hash, malformed input.
// Every input is checked twice, from a string and from a temp file, through
// the helpers parse_both/expect_error; golden messages carry file:line:col.
// Run: ctest --test-dir build -R test_config, or one case with
//   CMOCKA_TEST_FILTER=test_override_* ./build/tests/test_config
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../core/src/config_internal.h"
#include "metarl/config.h"
#include "metarl/config_find.h"
#include "metarl/util.h"
#include "support/scratch.h"

// ---- helpers ----

static int group_setup(void** state) {
    (void)state;
    return scratch_setup("test_config");
}

static int group_teardown(void** state) {
    (void)state;
    return scratch_teardown();
}

// Parses `text` as "x.yaml" from memory and from a temp file, checks both
// agree (same verdict, same message with the path swapped) and returns the
// in-memory result. `err` receives the in-memory message.
static MrlConfig* parse_both(const char* text, const char* const* ov, int n_ov, char* err) {
    err[0] = '\0';
    MrlConfig* a = mrl_config_parse("x.yaml", text, ov, n_ov, err);
    char ferr[MRL_MSG_MAX] = "";
    const char* path = scratch_write("x.yaml", text, strlen(text));
    MrlConfig* b = mrl_config_load(path, ov, n_ov, ferr);
    assert_int_equal(a != NULL, b != NULL);
    if (a) {
        // same values (the file version only differs in the path)
        MrlBuf ea = {0}, eb = {0};
        mrl_config_emit(a, &ea);
        mrl_config_emit(b, &eb);
        assert_string_equal(ea.data, eb.data);
        mrl_buf_free(&ea);
        mrl_buf_free(&eb);
    } else {
        char expect[MRL_MSG_MAX + 600];
        if (strncmp(err, "x.yaml", 6) == 0) {
            snprintf(expect, sizeof expect, "%s%s", path, err + 6);
        } else {
            snprintf(expect, sizeof expect, "%s", err);
        }
        assert_string_equal(ferr, expect);
    }
    mrl_config_free(b);
    return a;
}

static MrlConfig* parse_ok(const char* text, const char* const* ov, int n_ov) {
    char err[MRL_MSG_MAX];
    MrlConfig* cfg = parse_both(text, ov, n_ov, err);
    if (!cfg) {
        fail_msg("unexpected error: %s", err);
    }
    return cfg;
}

// Expects `text` (+ overrides) to fail with exactly `want`.
static void expect_error_ov(const char* text, const char* const* ov, int n_ov, const char* want) {
    char err[MRL_MSG_MAX];
    MrlConfig* cfg = parse_both(text, ov, n_ov, err);
    if (cfg) {
        mrl_config_free(cfg);
        fail_msg("expected error: %s", want);
    }
    assert_string_equal(err, want);
}

static void expect_error(const char* text, const char* want) {
    expect_error_ov(text, NULL, 0, want);
}

// Checks that a failure is one line "...: error: ..." (for inputs without goldens).
static void assert_one_line_error(const char* err) {
    assert_non_null(strstr(err, "error: "));
    assert_null(strchr(err, '\n'));
    assert_true(strlen(err) > 10);
}

// ---- a fake plugin table (no dlopen) ----

static const char* const obs_choices[] = {"strip", "pixels", "local", NULL};

static const MrlParamDef fake_params[] = {
    {"rooms", MRL_PARAM_INT, MRL_PARAM_SHAPE, 3, 2, 8, NULL, "rooms per side"},
    {"horizon", MRL_PARAM_INT, 0, 250, 1, 100000, NULL, "steps per episode"},
    {"goal_reward", MRL_PARAM_REAL, 0, 1.0, 0, 10, NULL, "reward at the goal"},
    {"slip", MRL_PARAM_REAL, 0, 0.0, 0, 1, NULL, "slip probability"},
    {"obs", MRL_PARAM_CHOICE, MRL_PARAM_SHAPE, 0, 0, 0, obs_choices, "observation kind"},
    {"noisy", MRL_PARAM_BOOL, 0, 0, 0, 1, NULL, "noisy walls"},
};

static MrlEnvApi fake_api(void) {
    MrlEnvApi api;
    memset(&api, 0, sizeof api);
    api.abi_major = MRL_ABI_MAJOR;
    api.abi_minor = MRL_ABI_MINOR;
    api.struct_size = sizeof api;
    api.name = "fakemaze";
    api.version = "1.0";
    api.summary = "a parameter table for tests";
    api.n_params = (int32_t)(sizeof fake_params / sizeof fake_params[0]);
    api.params = fake_params;
    return api;
}

// Parses `text` and binds the fake plugin; expects the bind to fail with `want`.
static void expect_bind_error(const char* text, const char* want) {
    MrlConfig* cfg = parse_ok(text, NULL, 0);
    MrlEnvApi api = fake_api();
    char err[MRL_MSG_MAX] = "";
    assert_int_equal(mrl_config_bind_plugin(cfg, &api, err), MRL_EINVAL);
    assert_string_equal(err, want);
    assert_int_equal(cfg->bound, 0);
    mrl_config_free(cfg);
}

static MrlConfig* bind_ok(const char* text, const char* const* ov, int n_ov) {
    MrlConfig* cfg = parse_ok(text, ov, n_ov);
    MrlEnvApi api = fake_api();
    char err[MRL_MSG_MAX] = "";
    int rc = mrl_config_bind_plugin(cfg, &api, err);
    if (rc != MRL_OK) {
        fail_msg("bind failed: %s", err);
    }
    assert_int_equal(cfg->bound, 1);
    return cfg;
}

// ---- defaults and values ----

static void test_parse_defaults(void** state) {
    (void)state;
    MrlConfig* cfg = parse_ok("env: {plugin: maze}\n", NULL, 0);
    const MrlRunConfig* r = &cfg->run;
    assert_string_equal(r->name, "x");
    assert_string_equal(r->plugin, "maze");
    assert_int_equal(r->seed, 0);
    assert_int_equal(r->threads, 1);
    assert_string_equal(r->out_root, "results");
    assert_string_equal(r->train.name, "train");
    assert_int_equal(r->train.kind, MRL_SET_TRAIN);
    assert_int_equal(r->train.count, 0);
    assert_int_equal(r->train.seed, 0);
    assert_null(r->train.node);
    assert_int_equal(r->n_tests, 1);
    assert_string_equal(r->tests[0].name, "test");
    assert_int_equal(r->tests[0].kind, MRL_SET_TEST);
    assert_int_equal(r->tests[0].count, 1000);
    assert_int_equal(r->tests[0].seed, 1);
    assert_int_equal(r->tests[0].episodes, 1);
    assert_int_equal(r->tests[0].trials_per_task, 1);
    assert_int_equal(r->episodes, 1);
    assert_int_equal(r->eval_slots, 64);
    assert_int_equal(r->eval_trials, 1);
    assert_string_equal(r->agent_kind, "random");
    assert_string_equal(r->cell, "gru");
    assert_int_equal(r->hidden, 256);
    assert_int_equal(r->embed, 0);
    assert_int_equal(r->layer_norm, 0);
    assert_string_equal(r->algo, "ppo");
    assert_int_equal(r->total_steps, 1000000);
    assert_int_equal(r->batch_trials, 64);
    assert_int_equal(r->minibatches, 4);
    assert_int_equal(r->epochs, 4);
    assert_true(r->gamma == 0.99);
    assert_true(r->lambda == 0.95);
    assert_true(r->clip == 0.2);
    assert_true(r->vf_coef == 0.5);
    assert_true(r->ent_coef == 0.01);
    assert_true(r->lr == 3e-4);
    assert_string_equal(r->lr_schedule, "constant");
    assert_true(r->adam_beta1 == 0.9);
    assert_true(r->adam_beta2 == 0.999);
    assert_true(r->adam_eps == 1e-5);
    assert_true(r->max_grad_norm == 0.5);
    assert_true(r->target_kl == 0.0);
    assert_int_equal(r->norm_adv, 1);
    assert_int_equal(r->bptt, 0);
    assert_int_equal(r->checkpoint_every, 10);
    assert_int_equal(cfg->bound, 0);
    mrl_config_free(cfg);
}

static void test_parse_values_written(void** state) {
    (void)state;
    MrlConfig* cfg = parse_ok("name: maze_small-v2.1\n"
                              "seed: 7\n"
                              "threads: 2\n"
                              "out: /tmp/somewhere else\n"
                              "env: {plugin: ./plugins/maze.so, params: {rooms: 3}}\n"
                              "tasks:\n"
                              "  train: {count: 1000, seed: 5}\n"
                              "  test: {count: 200, seed: 6, episodes: 3, trials_per_task: 2}\n"
                              "trial: {episodes: 2}\n"
                              "eval: {slots: 128, trials_per_task: 4}\n"
                              "agent: {kind: rl2, cell: lstm, hidden: 64, embed: 32, "
                              "layer_norm: true}\n"
                              "train:\n"
                              "  steps: 20_000_000\n"
                              "  gamma: 1\n"
                              "  lr: 1e-3\n"
                              "  lr_schedule: linear\n"
                              "  norm_adv: false\n"
                              "  bptt: 1e2\n"
                              "  target_kl: 0.02\n",
                              NULL, 0);
    const MrlRunConfig* r = &cfg->run;
    assert_string_equal(r->name, "maze_small-v2.1");
    assert_int_equal(r->seed, 7);
    assert_int_equal(r->threads, 2);
    assert_string_equal(r->out_root, "/tmp/somewhere else");
    assert_string_equal(r->plugin, "./plugins/maze.so");
    assert_int_equal(r->train.count, 1000);
    assert_int_equal(r->train.seed, 5);
    assert_non_null(r->train.node);
    assert_int_equal(r->tests[0].count, 200);
    assert_int_equal(r->tests[0].seed, 6);
    assert_int_equal(r->tests[0].episodes, 3);
    assert_int_equal(r->tests[0].trials_per_task, 2);
    assert_int_equal(r->episodes, 2);
    assert_int_equal(r->eval_slots, 128);
    assert_int_equal(r->eval_trials, 4);
    assert_string_equal(r->agent_kind, "rl2");
    assert_string_equal(r->cell, "lstm");
    assert_int_equal(r->hidden, 64);
    assert_int_equal(r->embed, 32);
    assert_int_equal(r->layer_norm, 1);
    assert_int_equal(r->total_steps, 20000000);
    assert_true(r->gamma == 1.0);
    assert_true(r->lr == 1e-3);
    assert_string_equal(r->lr_schedule, "linear");
    assert_int_equal(r->norm_adv, 0);
    assert_int_equal(r->bptt, 100);
    assert_true(r->target_kl == 0.02);
    mrl_config_free(cfg);
}

static void test_parse_name_from_stem(void** state) {
    (void)state;
    char err[MRL_MSG_MAX];
    const char* path = scratch_write("maze_small.yaml", "env: {plugin: maze}\n", 20);
    MrlConfig* cfg = mrl_config_load(path, NULL, 0, err);
    assert_non_null(cfg);
    assert_string_equal(cfg->run.name, "maze_small");
    assert_string_equal(cfg->path, path);
    mrl_config_free(cfg);
    // characters outside [A-Za-z0-9_.-] become '_'
    cfg = mrl_config_parse("configs/my run.v2.yaml", "env: {plugin: maze}\n", NULL, 0, err);
    assert_non_null(cfg);
    assert_string_equal(cfg->run.name, "my_run.v2");
    mrl_config_free(cfg);
}

static void test_parse_numbers(void** state) {
    (void)state;
    // underscores, exact-integer reals, hex, signs
    MrlConfig* cfg = parse_ok("env: {plugin: m}\nseed: 0x1_0\ntrain: {steps: 1_000, "
                              "batch_trials: 2.0e1, gamma: +0.5, lambda: .25}\n",
                              NULL, 0);
    assert_int_equal(cfg->run.seed, 16);
    assert_int_equal(cfg->run.total_steps, 1000);
    assert_int_equal(cfg->run.batch_trials, 20);
    assert_true(cfg->run.gamma == 0.5);
    assert_true(cfg->run.lambda == 0.25);
    mrl_config_free(cfg);
    expect_error("env: {plugin: m}\ntrain: {steps: 1__000}\n",
                 "x.yaml:2:16: error: 'train.steps' must be an integer, got '1__000'");
    expect_error("env: {plugin: m}\ntrain: {steps: _1}\n",
                 "x.yaml:2:16: error: 'train.steps' must be an integer, got '_1'");
    expect_error("env: {plugin: m}\ntrain: {gamma: .inf}\n",
                 "x.yaml:2:16: error: 'train.gamma' must be a number, got '.inf'");
    expect_error("env: {plugin: m}\ntrain: {gamma: nan}\n",
                 "x.yaml:2:16: error: 'train.gamma' must be a number, got 'nan'");
    expect_error("env: {plugin: m}\nthreads: 1.5\n",
                 "x.yaml:2:10: error: 'threads' must be an integer, got '1.5'");
    expect_error("env: {plugin: m}\nseed: 99999999999999999999\n",
                 "x.yaml:2:7: error: 'seed' = 99999999999999999999 is out of range [0, inf)");
    expect_error("env: {plugin: m}\nseed: 1e30\n",
                 "x.yaml:2:7: error: 'seed' = 1e30 is out of range [0, inf)");
}

static void test_parse_bools(void** state) {
    (void)state;
    MrlConfig* cfg = parse_ok("env: {plugin: m}\nagent: {layer_norm: true}\n"
                              "train: {norm_adv: false}\n",
                              NULL, 0);
    assert_int_equal(cfg->run.layer_norm, 1);
    assert_int_equal(cfg->run.norm_adv, 0);
    mrl_config_free(cfg);
    expect_error("env: {plugin: m}\nagent: {layer_norm: yes}\n",
                 "x.yaml:2:21: error: 'agent.layer_norm' must be true or false, got 'yes'");
    expect_error("env: {plugin: m}\nagent: {layer_norm: \"true\"}\n",
                 "x.yaml:2:21: error: 'agent.layer_norm' must be true or false, got '\"true\"' "
                 "(a quoted value is a string)");
}

static void test_parse_strings(void** state) {
    (void)state;
    expect_error("env: {plugin: m}\nname: my run\n",
                 "x.yaml:2:7: error: 'name' = 'my run' must match [A-Za-z0-9_.-]+");
    expect_error("env: {plugin: m}\nagent: {kind: RL2}\n",
                 "x.yaml:2:15: error: 'agent.kind' = 'RL2' must match [a-z0-9_]+");
    expect_error("env: {plugin: \"\"}\n", "x.yaml:1:15: error: 'env.plugin' must not be empty");
    expect_error("env: {plugin: m}\nout:\n", "x.yaml:2:5: error: 'out' must be a string, got "
                                             "nothing");
    char text[300];
    snprintf(text, sizeof text, "env: {plugin: m}\nname: %070d\n", 0);
    expect_error(text, "x.yaml:2:7: error: 'name' is too long (at most 63 bytes)");
    // a quoted string is fine for string keys; plain digits too
    MrlConfig* cfg = parse_ok("env: {plugin: \"maze\"}\nname: 2024\n", NULL, 0);
    assert_string_equal(cfg->run.plugin, "maze");
    assert_string_equal(cfg->run.name, "2024");
    mrl_config_free(cfg);
}

// ---- golden error messages ----

static void test_error_syntax(void** state) {
    (void)state;
    expect_error("env:\n  plugin: maze\n bad: [\n",
                 "x.yaml:3:2: error: did not find expected key (while parsing a block mapping "
                 "at line 1 col 1)");
    expect_error("env: {plugin: maze\n",
                 "x.yaml:2:1: error: did not find expected ',' or '}' (while parsing a flow "
                 "mapping at line 1 col 6)");
    expect_error("env: {plugin: maze}\nname: \"abc\n",
                 "x.yaml:3:1: error: found unexpected end of stream (while scanning a quoted "
                 "scalar at line 2 col 7)");
}

static void test_error_unknown_key_hint(void** state) {
    (void)state;
    expect_error("env:\n  plugin: maze\nagent:\n  hiden: 3\n",
                 "x.yaml:4:3: error: unknown key 'hiden' in 'agent' (did you mean 'hidden'?)");
    expect_error("env: {plugin: maze}\nsed: 3\n",
                 "x.yaml:2:1: error: unknown key 'sed' (did you mean 'seed'?)");
    expect_error("env: {plugin: maze}\ntrain: {gama: 0.9}\n",
                 "x.yaml:2:9: error: unknown key 'gama' in 'train' (did you mean 'gamma'?)");
    expect_error("env: {plugin: maze}\ntasks: {test: {cuont: 3}}\n",
                 "x.yaml:2:16: error: unknown key 'cuont' in 'tasks.test' (did you mean "
                 "'count'?)");
    expect_error("env: {plugin: maze}\ntasks: {test_sets: {big: {seed: 1, parms: {}}}}\n",
                 "x.yaml:2:36: error: unknown key 'parms' in 'tasks.test_sets.big' (did you mean "
                 "'params'?)");
    expect_error("env: {plugin: maze}\nagent: {zzzzzz: 1}\n",
                 "x.yaml:2:9: error: unknown key 'zzzzzz' in 'agent' (expected one of: kind, "
                 "cell, hidden, embed, layer_norm, time_input, input_mlp, head_mlp, head_skip, "
                 "separate_value, critic_oracle, prev_obs, temperature, "
                 "epsilon, ucb_c, ots_samples, opsrl_samples, gittins_discount, beb_beta, "
                 "ucrl_delta, ucrl_scale, mdp_prior_mean, "
                 "mdp_prior_precision, mdp_prior_alpha)");
    expect_error("env: {plugin: maze}\nagent.hidden: 3\n",
                 "x.yaml:2:1: error: unknown key 'agent.hidden' (dotted keys are for "
                 "command-line overrides; nest maps in a file)");
    // train has no per-set episodes (only held-out sets do)
    expect_error("env: {plugin: maze}\ntasks: {train: {episodes: 2}}\n",
                 "x.yaml:2:17: error: unknown key 'episodes' in 'tasks.train' (expected one of: "
                 "count, seed, params)");
}

static void test_error_wrong_type(void** state) {
    (void)state;
    expect_error("env: {plugin: m}\nagent:\n  hidden: abc\n",
                 "x.yaml:3:11: error: 'agent.hidden' must be an integer, got 'abc'");
    expect_error("env: {plugin: m}\nagent:\n  hidden: \"3\"\n",
                 "x.yaml:3:11: error: 'agent.hidden' must be an integer, got '\"3\"' (a quoted "
                 "value is a string)");
    expect_error("env: {plugin: m}\nagent:\n  hidden: [3]\n",
                 "x.yaml:3:11: error: 'agent.hidden' must be an integer, got a list");
    expect_error("env: {plugin: m}\nagent: 3\n",
                 "x.yaml:2:8: error: 'agent' must be a map, got '3'");
    expect_error("env: {plugin: m}\nenv2: 1\n",
                 "x.yaml:2:1: error: unknown key 'env2' (did you mean 'env'?)");
    expect_error("env: {plugin: m, params: [1, 2]}\n",
                 "x.yaml:1:26: error: 'env.params' must be a map of plugin parameters, got a "
                 "list");
    expect_error("env: {plugin: m}\ntrain: {gamma: high}\n",
                 "x.yaml:2:16: error: 'train.gamma' must be a number, got 'high'");
}

static void test_error_out_of_range(void** state) {
    (void)state;
    expect_error("env: {plugin: m}\ntrain:\n  gamma: 1.5\n",
                 "x.yaml:3:10: error: 'train.gamma' = 1.5 is out of range [0, 1]");
    expect_error("env: {plugin: m}\ntrain: {clip: 0}\n",
                 "x.yaml:2:15: error: 'train.clip' = 0 is out of range (0, 10]");
    expect_error("env: {plugin: m}\ntrain: {adam_beta2: 1}\n",
                 "x.yaml:2:21: error: 'train.adam_beta2' = 1 is out of range [0, 1)");
    expect_error("env: {plugin: m}\nthreads: 257\n",
                 "x.yaml:2:10: error: 'threads' = 257 is out of range [1, 256]");
    expect_error("env: {plugin: m}\nseed: -1\n",
                 "x.yaml:2:7: error: 'seed' = -1 is out of range [0, inf)");
    expect_error("env: {plugin: m}\ntasks: {test: {count: 0}}\n",
                 "x.yaml:2:23: error: 'tasks.test.count' = 0 is out of range [1, inf)");
    // the RL² network's own limits (agents/rl2/rl2_net.c; test_rl2 checks 4096 is taken)
    expect_error("env: {plugin: m}\nagent: {hidden: 4097}\n",
                 "x.yaml:2:17: error: 'agent.hidden' = 4097 is out of range [1, 4096]");
    expect_error("env: {plugin: m}\nagent: {embed: 4097}\n",
                 "x.yaml:2:16: error: 'agent.embed' = 4097 is out of range [0, 4096]");
    expect_error("env: {plugin: m}\ntrain: {bptt: 3000000000}\n",
                 "x.yaml:2:15: error: 'train.bptt' = 3000000000 is out of range [0, 2147483647]");
}

static void test_error_bad_choice(void** state) {
    (void)state;
    expect_error("env: {plugin: m}\nagent: {cell: rnn}\n",
                 "x.yaml:2:15: error: 'agent.cell' = 'rnn' is not one of gru, lstm");
    expect_error("env: {plugin: m}\nagent: {cell: lstn}\n",
                 "x.yaml:2:15: error: 'agent.cell' = 'lstn' is not one of gru, lstm (did you "
                 "mean 'lstm'?)");
    expect_error("env: {plugin: m}\ntrain: {lr_schedule: {a: 1}}\n",
                 "x.yaml:2:22: error: 'train.lr_schedule' must be one of constant, linear, got "
                 "a map");
}

static void test_error_duplicate_key(void** state) {
    (void)state;
    expect_error("env: {plugin: m}\nseed: 1\nseed: 2\n",
                 "x.yaml:3:1: error: duplicate key 'seed' (first at line 2 col 1)");
    expect_error("env: {plugin: m, plugin: n}\n",
                 "x.yaml:1:18: error: duplicate key 'plugin' (first at line 1 col 7)");
}

static void test_error_missing_required(void** state) {
    (void)state;
    expect_error("", "x.yaml:1:1: error: missing required key 'env.plugin'");
    expect_error("# only a comment\n", "x.yaml:1:1: error: missing required key 'env.plugin'");
    expect_error("seed: 1\n", "x.yaml:1:1: error: missing required key 'env.plugin'");
    expect_error("seed: 1\nenv:\n  params: {}\n",
                 "x.yaml:3:3: error: missing required key 'plugin' in 'env'");
    expect_error("env: {plugin: m}\ntasks:\n  test_sets:\n    large: {count: 5}\n",
                 "x.yaml:4:12: error: missing required key 'seed' in 'tasks.test_sets.large'");
    expect_error("env: {plugin: m}\ntasks:\n  test_sets:\n    large:\n",
                 "x.yaml:4:11: error: missing required key 'seed' in 'tasks.test_sets.large'");
}

static void test_error_yaml_features_rejected(void** state) {
    (void)state;
    expect_error("env: &e {plugin: m}\n",
                 "x.yaml:1:6: error: anchors are not supported ('&e'); repeat the value instead");
    expect_error("env: {plugin: m}\nx: *e\n",
                 "x.yaml:2:4: error: aliases are not supported ('*e'); repeat the value instead");
    expect_error("env: {plugin: m}\nseed: !custom 3\n",
                 "x.yaml:2:7: error: tag '!custom' is not supported");
    expect_error("env: {plugin: m}\nseed: !!str 3\n",
                 "x.yaml:2:7: error: 'seed' must be an integer, got '\"3\"' (a quoted value is a "
                 "string)");
    expect_error("env: {plugin: m}\n? [a]\n: 3\n",
                 "x.yaml:2:3: error: a map key must be a plain scalar, not a sequence");
    expect_error("env: {plugin: m}\n---\nseed: 1\n",
                 "x.yaml:2:1: error: only one YAML document is allowed (found a second '---')");
    MrlConfig* cfg = parse_ok("%YAML 1.1\n---\nseed: !!int 3\nenv: {plugin: m}\n", NULL, 0);
    assert_int_equal(cfg->run.seed, 3);
    mrl_config_free(cfg);
}

static void test_error_missing_file(void** state) {
    (void)state;
    char err[MRL_MSG_MAX];
    MrlConfig* cfg = mrl_config_load("no/such/dir/x.yaml", NULL, 0, err);
    assert_null(cfg);
    assert_string_equal(err, "no/such/dir/x.yaml: error: cannot open: No such file or directory");
}

// ---- malformed input never crashes or leaks ----

static void test_malformed_inputs(void** state) {
    (void)state;
    expect_error("3\n", "x.yaml:1:1: error: the top level must be a map of keys, got '3'");
    expect_error("- a\n- b\n", "x.yaml:1:1: error: the top level must be a map of keys, got a "
                               "list");
    expect_error("\"just text\"\n", "x.yaml:1:1: error: the top level must be a map of keys, got "
                                    "'\"just text\"' (a quoted value is a string)");
    expect_error("env: {plugin: m}\nname: a\xff\n",
                 "x.yaml:2:8: error: invalid leading UTF-8 octet (byte 0xff)");
    expect_error("env: {plugin: m}\nname: \"a\\0b\"\n",
                 "x.yaml:2:7: error: a NUL character in a scalar");
    expect_error("env: {plugin: m}\nname: \"a\\x01b\"\n",
                 "x.yaml:2:7: error: 'name' = 'a\\x01b' must match [A-Za-z0-9_.-]+");
    // raw NUL and control bytes (not through parse_both: strings stop at NUL)
    char err[MRL_MSG_MAX];
    const char raw[] = "env: {plugin: m}\nseed: 1\0\n";
    const char* path = scratch_write("nul.yaml", raw, sizeof raw - 1);
    MrlConfig* cfg = mrl_config_load(path, NULL, 0, err);
    assert_null(cfg);
    assert_one_line_error(err);
    assert_non_null(strstr(err, "nul.yaml:2:8: error: control characters are not allowed"));
    // deep nesting: flow and block
    char deep[2000];
    memset(deep, '[', 1000);
    deep[1000] = '\0';
    expect_error(deep, "x.yaml:1:65: error: nesting deeper than 64 levels");
    MrlBuf b = {0};
    mrl_buf_printf(&b, "a:\n");
    for (int i = 0; i < 100; i++) {
        mrl_buf_printf(&b, "%*sb%d:\n", 2 * i + 2, "", i);
    }
    expect_error(b.data, "x.yaml:65:129: error: nesting deeper than 64 levels");
    mrl_buf_free(&b);
    // too many nodes
    mrl_buf_printf(&b, "env: {plugin: m}\nx: [");
    for (int i = 0; i < MRL_CFG_MAX_NODES + 10; i++) {
        mrl_buf_printf(&b, "%s1", i ? "," : "");
    }
    mrl_buf_printf(&b, "]\n");
    cfg = mrl_config_parse("x.yaml", b.data, NULL, 0, err);
    assert_null(cfg);
    assert_non_null(strstr(err, "error: too many nodes (more than 20000)"));
    mrl_buf_free(&b);
    // long keys and values stay one line and bounded
    mrl_buf_printf(&b, "env: {plugin: m}\n");
    for (int i = 0; i < 3000; i++) {
        mrl_buf_printf(&b, "k");
    }
    mrl_buf_printf(&b, ": 1\n");
    cfg = mrl_config_parse("x.yaml", b.data, NULL, 0, err);
    assert_null(cfg);
    assert_one_line_error(err);
    assert_string_equal(err, "x.yaml:2:3001: error: could not find expected ':' (while scanning "
                             "a simple key at line 2 col 1)");
    mrl_buf_free(&b);
    mrl_buf_printf(&b, "env: {plugin: m}\n");
    for (int i = 0; i < 900; i++) {
        mrl_buf_printf(&b, "k");
    }
    mrl_buf_printf(&b, ": 1\n");
    cfg = mrl_config_parse("x.yaml", b.data, NULL, 0, err);
    assert_null(cfg);
    assert_one_line_error(err);
    assert_non_null(strstr(err, "x.yaml:2:1: error: unknown key 'kkkkkkkkkk"));
    assert_non_null(strstr(err, "k...' (expected one of: name, seed,"));
    assert_true(strlen(err) < 300);
    mrl_buf_free(&b);
    // NULL text and junk
    cfg = mrl_config_parse("x.yaml", NULL, NULL, 0, err);
    assert_null(cfg);
    assert_string_equal(err, "x.yaml:1:1: error: missing required key 'env.plugin'");
    const char* junk[] = {"{",
                          "}",
                          "]",
                          ":",
                          "::::",
                          "- - - -",
                          "? ? ?",
                          "@",
                          "`x`",
                          "a: |\n b",
                          "{a: b}: c",
                          "[{]}",
                          "\t",
                          "a:\tb",
                          "'",
                          "!!",
                          "&",
                          "*",
                          "a: b: c",
                          "env: {plugin: m}\nenv: {plugin: m}",
                          "\xef\xbb\xbf"
                          "env: {plugin: m}"};
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        err[0] = '\0';
        cfg = parse_both(junk[i], NULL, 0, err);
        if (cfg) {
            mrl_config_free(cfg); // the BOM case is valid
        } else {
            assert_one_line_error(err);
            assert_true(strncmp(err, "x.yaml:", 7) == 0);
        }
    }
}

// Mutates a valid config byte by byte (deterministic PCG32) and checks every
// result is either a config or one error line.
static void test_malformed_fuzz(void** state) {
    (void)state;
    const char* base = "name: fz\nseed: 3\nenv:\n  plugin: maze\n  params: {rooms: {int: [3, 5]}, "
                       "obs: strip}\ntasks:\n  train: {count: 10, seed: 0}\n  test_sets:\n    "
                       "large: {params: {rooms: 5}, seed: 2, count: 7}\ntrial: {episodes: 2}\n"
                       "agent: {kind: rl2, cell: gru, hidden: 64}\ntrain: {gamma: 0.99, "
                       "steps: 1_000}\n";
    size_t n = strlen(base);
    MrlRng rng;
    mrl_rng_seed(&rng, 12345, 1);
    char buf[1024];
    const char alphabet[] = "{}[]:,-?&*!|>'\"#%@` \t\n\r\x01\xff\xc3\xa9"
                            "azAZ09._";
    MrlEnvApi api = fake_api();
    int ok = 0;
    for (int it = 0; it < 3000; it++) {
        memcpy(buf, base, n + 1);
        int edits = 1 + (int)mrl_rng_below(&rng, 4);
        size_t len = n;
        for (int e = 0; e < edits; e++) {
            size_t pos = mrl_rng_below(&rng, (uint32_t)len);
            uint32_t op = mrl_rng_below(&rng, 3);
            char ch = alphabet[mrl_rng_below(&rng, sizeof alphabet - 1)];
            if (op == 0) {
                buf[pos] = ch;
            } else if (op == 1 && len + 2 < sizeof buf) {
                memmove(buf + pos + 1, buf + pos, len - pos + 1);
                buf[pos] = ch;
                len++;
            } else if (len > 1) {
                memmove(buf + pos, buf + pos + 1, len - pos);
                len--;
            }
        }
        char err[MRL_MSG_MAX] = "";
        MrlConfig* cfg = mrl_config_parse("f.yaml", buf, NULL, 0, err);
        if (cfg) {
            ok++;
            err[0] = '\0';
            if (mrl_config_bind_plugin(cfg, &api, err) != MRL_OK) {
                assert_one_line_error(err);
            }
            MrlBuf out = {0};
            mrl_config_emit(cfg, &out);
            mrl_buf_free(&out);
            mrl_config_free(cfg);
        } else {
            assert_one_line_error(err);
            assert_true(strncmp(err, "f.yaml", 6) == 0);
        }
    }
    assert_true(ok > 0); // some mutations stay valid (e.g. inside comments or names)
}

// Every allocation of the config module fails in turn; each failure must
// return NULL with a one-line error and free everything (ASan checks leaks).
static void test_malformed_alloc_failures(void** state) {
    (void)state;
    const char* text = "env: {plugin: maze, params: {rooms: 3}}\ntasks:\n  test_sets:\n    "
                       "large: {seed: 2}\nagent: {hidden: 64}\n";
    const char* ov[] = {"agent.cell=lstm", "tasks.test_sets.huge={seed: 9, params: {rooms: 7}}",
                        "env.params.slip={uniform: [0, 0.5]}"};
    int failures = 0;
    for (long budget = 0; budget < 10000; budget++) {
        char err[MRL_MSG_MAX] = "";
        MrlConfig* cfg = mrl_config_parse_budget("x.yaml", text, ov, 3, budget, err);
        if (cfg) {
            assert_int_equal(cfg->run.n_tests, 3);
            mrl_config_free(cfg);
            break;
        }
        failures++;
        assert_one_line_error(err);
        assert_non_null(strstr(err, "out of memory"));
    }
    assert_true(failures > 20);
}

// ---- overrides ----

static void test_override_replaces_and_creates(void** state) {
    (void)state;
    const char* ov[] = {"seed=5",
                        "agent.hidden=128",
                        "env.params.rooms={int: [3,5]}",
                        "tasks.test_sets.large.count=10",
                        "tasks.test_sets.large.seed=2",
                        "train.gamma=0.9",
                        " trial.episodes = 3"};
    MrlConfig* cfg = parse_ok("seed: 1\nenv: {plugin: maze, params: {rooms: 3, obs: strip}}\n"
                              "agent: {hidden: 64}\ntasks: {test_sets: {small: {seed: 4}}}\n",
                              ov, 7);
    const MrlRunConfig* r = &cfg->run;
    assert_int_equal(r->seed, 5);
    assert_int_equal(r->hidden, 128);
    assert_true(r->gamma == 0.9);
    assert_int_equal(r->episodes, 3);
    assert_int_equal(r->n_tests, 3);
    assert_string_equal(r->tests[1].name, "small");
    assert_string_equal(r->tests[2].name, "large");
    assert_int_equal(r->tests[2].count, 10);
    assert_int_equal(r->tests[2].seed, 2);
    assert_int_equal(r->tests[2].episodes, 3); // trial.episodes after its override
    // node sources and positions
    const MrlNode* seed = mrl_config_find(cfg, "seed");
    assert_int_equal(seed->source, 1);
    assert_ptr_equal(cfg->root->child, seed); // replaced in place, order kept
    const MrlNode* rooms = mrl_config_find(cfg, "env.params.rooms");
    assert_int_equal(rooms->source, 3);
    assert_int_equal(rooms->kind, MRL_NODE_MAP);
    assert_ptr_equal(mrl_config_find(cfg, "env.params")->child, rooms);
    assert_int_equal(mrl_config_find(cfg, "env.params.obs")->source, 0);
    assert_int_equal(mrl_config_find(cfg, "tasks.test_sets.large")->source, 4);
    assert_int_equal(mrl_config_find(cfg, "tasks.test_sets.large.seed")->source, 5);
    assert_int_equal(mrl_config_find(cfg, "tasks.test_sets.small")->source, 0);
    assert_int_equal(mrl_config_find(cfg, "trial.episodes")->source, 7);
    char where[300];
    mrl_config_where(cfg, mrl_config_find(cfg, "agent.hidden"), where, sizeof where);
    assert_string_equal(where, "override 'agent.hidden=128'");
    mrl_config_where(cfg, mrl_config_find(cfg, "env.params.obs"), where, sizeof where);
    assert_string_equal(where, "x.yaml:2:45");
    assert_int_equal(cfg->n_overrides, 7);
    assert_string_equal(cfg->overrides[1], "agent.hidden=128");
    mrl_config_free(cfg);
    // an override into an empty file, and a whole map by flow YAML
    const char* ov2[] = {"env={plugin: maze, params: {rooms: 4}}", "tasks.test.count=1e3",
                         "name=", "name=run1"};
    cfg = parse_ok("", ov2, 4);
    assert_string_equal(cfg->run.plugin, "maze");
    assert_int_equal(cfg->run.tests[0].count, 1000);
    assert_string_equal(cfg->run.name, "run1");
    mrl_config_free(cfg);
    // a null section is replaced by a map
    const char* ov3[] = {"agent.hidden=8"};
    cfg = parse_ok("env: {plugin: maze}\nagent:\n", ov3, 1);
    assert_int_equal(cfg->run.hidden, 8);
    mrl_config_free(cfg);
}

static void test_override_errors(void** state) {
    (void)state;
    const char* text = "env: {plugin: maze}\nseed: 1\n";
    const char* o1[] = {"agent.hiden=3"};
    expect_error_ov(text, o1, 1,
                    "override 'agent.hiden=3': error: unknown key 'hiden' in 'agent' (did you "
                    "mean 'hidden'?)");
    const char* o2[] = {"agent.hidden"};
    expect_error_ov(text, o2, 1, "override 'agent.hidden': error: expected dotted.key=value");
    const char* o3[] = {"=3"};
    expect_error_ov(text, o3, 1, "override '=3': error: empty key before '='");
    const char* o4[] = {"agent..hidden=3"};
    expect_error_ov(text, o4, 1,
                    "override 'agent..hidden=3': error: empty part in key (write a.b.c)");
    const char* o5[] = {"agent.hidden=[1,"};
    expect_error_ov(text, o5, 1,
                    "override 'agent.hidden=[1,': error: did not find expected node content "
                    "(while parsing a flow node)");
    const char* o6[] = {"seed.x=3"};
    expect_error_ov(text, o6, 1,
                    "override 'seed.x=3': error: 'seed' holds '1', not a map, so it has no keys");
    const char* o7[] = {"agent.hidden=\"64\""};
    expect_error_ov(text, o7, 1,
                    "override 'agent.hidden=\"64\"': error: 'agent.hidden' must be an integer, "
                    "got '\"64\"' (a quoted value is a string)");
    const char* o8[] = {"seed=2", "train.gamma=2"};
    expect_error_ov(text, o8, 2,
                    "override 'train.gamma=2': error: 'train.gamma' = 2 is out of range [0, 1]");
    const char* o9[] = {"tasks.test_sets.big.count=5"};
    expect_error_ov(text, o9, 1,
                    "override 'tasks.test_sets.big.count=5': error: missing required key 'seed' "
                    "in 'tasks.test_sets.big'");
    const char* o10[] = {"agent.cell=x\ny"};
    expect_error_ov(text, o10, 1,
                    "override 'agent.cell=x\\x0ay': error: 'agent.cell' = 'x y' is not one of "
                    "gru, lstm");
    const char* o11[] = {"a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q=1"};
    expect_error_ov(text, o11, 1,
                    "override 'a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q=1': error: key has more than 16 "
                    "parts");
    const char* o12[] = {"seed=1\n---\n2"};
    expect_error_ov(text, o12, 1,
                    "override 'seed=1\\x0a---\\x0a2': error: only one YAML document is allowed "
                    "(found a second '---')");
    const char* o13[] = {NULL};
    expect_error_ov(text, o13, 1, "override '': error: expected dotted.key=value");
    // a file error is reported before any override is looked at
    expect_error_ov("env: {plugin: maze}\nsed: 1\n", o1, 1,
                    "x.yaml:2:1: error: unknown key 'sed' (did you mean 'seed'?)");
}

// ---- test sets ----

static void test_sets_order_and_inheritance(void** state) {
    (void)state;
    MrlConfig* cfg = parse_ok("env: {plugin: m}\n"
                              "trial: {episodes: 2}\n"
                              "eval: {trials_per_task: 3}\n"
                              "tasks:\n"
                              "  test_sets:\n"
                              "    zeta: {seed: 10}\n"
                              "    alpha: {seed: 11, count: 50, episodes: 5, trials_per_task: 1}\n"
                              "  test: {seed: 9}\n",
                              NULL, 0);
    const MrlRunConfig* r = &cfg->run;
    assert_int_equal(r->n_tests, 3);
    assert_string_equal(r->tests[0].name, "test");
    assert_int_equal(r->tests[0].seed, 9);
    assert_int_equal(r->tests[0].episodes, 2);
    assert_int_equal(r->tests[0].trials_per_task, 3);
    assert_string_equal(r->tests[1].name, "zeta");
    assert_int_equal(r->tests[1].kind, MRL_SET_TEST);
    assert_int_equal(r->tests[1].count, 1000);
    assert_int_equal(r->tests[1].seed, 10);
    assert_int_equal(r->tests[1].episodes, 2);
    assert_int_equal(r->tests[1].trials_per_task, 3);
    assert_string_equal(r->tests[2].name, "alpha");
    assert_int_equal(r->tests[2].count, 50);
    assert_int_equal(r->tests[2].episodes, 5);
    assert_int_equal(r->tests[2].trials_per_task, 1);
    assert_ptr_equal(r->tests[2].node, mrl_config_find(cfg, "tasks.test_sets.alpha"));
    assert_ptr_equal(r->tests[0].node, mrl_config_find(cfg, "tasks.test"));
    mrl_config_free(cfg);
}

static void test_sets_bad_names(void** state) {
    (void)state;
    expect_error("env: {plugin: m}\ntasks: {test_sets: {Large: {seed: 1}}}\n",
                 "x.yaml:2:21: error: test set name 'Large' must match [a-z0-9_]+");
    expect_error("env: {plugin: m}\ntasks: {test_sets: {test: {seed: 1}}}\n",
                 "x.yaml:2:21: error: test set name 'test' is reserved (tasks.train and "
                 "tasks.test are the built-in sets)");
    expect_error("env: {plugin: m}\ntasks: {test_sets: {train: {seed: 1}}}\n",
                 "x.yaml:2:21: error: test set name 'train' is reserved (tasks.train and "
                 "tasks.test are the built-in sets)");
    expect_error("env: {plugin: m}\ntasks: {test_sets: {big: 3}}\n",
                 "x.yaml:2:26: error: 'tasks.test_sets.big' must be a map, got '3'");
    MrlBuf b = {0};
    mrl_buf_printf(&b, "env: {plugin: m}\ntasks:\n  test_sets:\n");
    for (int i = 0; i < MRL_MAX_TEST_SETS; i++) {
        mrl_buf_printf(&b, "    s%d: {seed: %d}\n", i, i);
    }
    expect_error(b.data, "x.yaml:19:5: error: too many test sets (at most 15 besides 'test')");
    mrl_buf_free(&b);
}

// ---- plugin binding ----

static void test_bind_defaults_and_constants(void** state) {
    (void)state;
    MrlConfig* cfg = bind_ok("env: {plugin: fakemaze, params: {horizon: 1_000, slip: 0.25, "
                             "obs: pixels, noisy: true, goal_reward: 2}}\n",
                             NULL, 0);
    const MrlSetSpec* tr = &cfg->run.train;
    assert_int_equal(tr->n_params, 6);
    // rooms omitted: the table default, no node
    assert_int_equal(tr->params[0].dist, MRL_DIST_CONST);
    assert_true(tr->params[0].a == 3);
    assert_null(tr->params[0].node);
    assert_true(tr->params[1].a == 1000);
    assert_ptr_equal(tr->params[1].node, mrl_config_find(cfg, "env.params.horizon"));
    assert_true(tr->params[2].a == 2.0);
    assert_true(tr->params[3].a == 0.25);
    assert_true(tr->params[4].a == 1.0); // pixels: index 1
    assert_true(tr->params[5].a == 1.0);
    // the test set gets the same values
    assert_int_equal(cfg->run.tests[0].n_params, 6);
    assert_true(cfg->run.tests[0].params[4].a == 1.0);
    assert_true(cfg->run.tests[0].params[1].a == 1000);
    mrl_config_free(cfg);
}

static void test_bind_distributions(void** state) {
    (void)state;
    MrlConfig* cfg = bind_ok("env:\n"
                             "  plugin: fakemaze\n"
                             "  params:\n"
                             "    horizon: {int: [100, 1e3]}\n"
                             "    slip: {uniform: [0.1, 0.5]}\n"
                             "    goal_reward: {normal: [1, 0.5]}\n"
                             "    noisy: {choice: [true, false, true]}\n",
                             NULL, 0);
    const MrlParamDist* p = cfg->run.train.params;
    assert_int_equal(p[1].dist, MRL_DIST_INT);
    assert_true(p[1].a == 100 && p[1].b == 1000);
    assert_int_equal(p[3].dist, MRL_DIST_UNIFORM);
    assert_true(p[3].a == 0.1 && p[3].b == 0.5);
    assert_int_equal(p[2].dist, MRL_DIST_NORMAL);
    assert_true(p[2].a == 1 && p[2].b == 0.5);
    assert_int_equal(p[5].dist, MRL_DIST_CHOICE);
    assert_int_equal(p[5].n_values, 3);
    assert_true(p[5].values[0] == 1 && p[5].values[1] == 0 && p[5].values[2] == 1);
    assert_ptr_equal(p[3].node, mrl_config_find(cfg, "env.params.slip"));
    mrl_config_free(cfg);
    // choice on an int; a normal with sigma 0
    cfg = bind_ok("env: {plugin: fakemaze, params: {horizon: {choice: [10, 20]}, "
                  "slip: {normal: [0, 0]}}}\n",
                  NULL, 0);
    p = cfg->run.train.params;
    assert_int_equal(p[1].dist, MRL_DIST_CHOICE);
    assert_int_equal(p[1].n_values, 2);
    assert_true(p[1].values[0] == 10 && p[1].values[1] == 20);
    assert_int_equal(p[3].dist, MRL_DIST_NORMAL);
    assert_true(p[3].a == 0 && p[3].b == 0);
    mrl_config_free(cfg);
}

static void test_bind_test_set_params(void** state) {
    (void)state;
    MrlConfig* cfg = bind_ok("env: {plugin: fakemaze, params: {rooms: 3, horizon: 250, "
                             "slip: {uniform: [0, 0.2]}}}\n"
                             "tasks:\n"
                             "  test_sets:\n"
                             "    large: {seed: 2, params: {rooms: 5, horizon: 1000}}\n"
                             "    plain: {seed: 3}\n",
                             NULL, 0);
    const MrlRunConfig* r = &cfg->run;
    assert_int_equal(r->n_tests, 3);
    assert_true(r->train.params[0].a == 3);
    assert_true(r->tests[0].params[0].a == 3);
    const MrlSetSpec* large = &r->tests[1];
    assert_true(large->params[0].a == 5);
    assert_true(large->params[1].a == 1000);
    assert_int_equal(large->params[3].dist, MRL_DIST_UNIFORM); // inherited from env.params
    assert_true(large->params[3].b == 0.2);
    assert_ptr_equal(large->params[3].node, mrl_config_find(cfg, "env.params.slip"));
    assert_ptr_equal(large->params[0].node,
                     mrl_config_find(cfg, "tasks.test_sets.large.params.rooms"));
    assert_true(r->tests[2].params[0].a == 3);
    assert_true(r->tests[2].params[1].a == 250);
    mrl_config_free(cfg);
    // overrides reach set params too
    const char* ov[] = {"tasks.test_sets.large.params.rooms=7"};
    cfg = bind_ok("env: {plugin: fakemaze}\ntasks: {test_sets: {large: {seed: 2}}}\n", ov, 1);
    assert_true(cfg->run.tests[1].params[0].a == 7);
    assert_true(cfg->run.train.params[0].a == 3);
    mrl_config_free(cfg);
}

// tasks.train.params and tasks.test.params put their values on top of env.params for
// their own set only (training on another distribution than the held-out one)
static void test_bind_train_and_test_params(void** state) {
    (void)state;
    const char* text = "env: {plugin: fakemaze, params: {rooms: 3, horizon: 250}}\n"
                       "tasks:\n"
                       "  train: {params: {horizon: {choice: [100, 500]}, slip: 0.1}}\n"
                       "  test: {count: 5, params: {slip: 0.3}}\n"
                       "  test_sets: {plain: {seed: 3}}\n";
    MrlConfig* cfg = bind_ok(text, NULL, 0);
    const MrlRunConfig* r = &cfg->run;
    assert_int_equal(r->train.params[1].dist, MRL_DIST_CHOICE);
    assert_int_equal(r->train.params[1].n_values, 2);
    assert_true(r->train.params[3].a == 0.1);
    assert_true(r->train.params[0].a == 3); // inherited
    assert_ptr_equal(r->train.params[1].node,
                     mrl_config_find(cfg, "tasks.train.params.horizon"));
    assert_true(r->tests[0].params[1].a == 250); // test: env.params, not train's
    assert_true(r->tests[0].params[3].a == 0.3);
    assert_true(r->tests[1].params[3].a == 0); // fakemaze's default slip
    assert_true(r->tests[1].params[1].a == 250);
    // both appear in the effective config, and change the config hash
    MrlBuf b = {0};
    mrl_config_emit(cfg, &b);
    assert_non_null(strstr(b.data, "  train:\n"));
    assert_non_null(strstr(b.data, "slip: 0.3"));
    assert_non_null(strstr(b.data, "slip: 0.1"));
    mrl_buf_free(&b);
    uint64_t h = mrl_config_hash(cfg);
    mrl_config_free(cfg);
    const char* ov[] = {"tasks.train.params.slip=0.2"};
    cfg = bind_ok(text, ov, 1);
    assert_true(cfg->run.train.params[3].a == 0.2);
    assert_true(mrl_config_hash(cfg) != h);
    mrl_config_free(cfg);
    expect_bind_error("env: {plugin: fakemaze}\ntasks:\n  train:\n    params: {romms: 3}\n",
                      "x.yaml:4:14: error: unknown parameter 'romms' of plugin 'fakemaze' in "
                      "'tasks.train.params' (did you mean 'rooms'?)");
    expect_bind_error("env: {plugin: fakemaze}\ntasks:\n  test:\n    params: {slip: 2}\n",
                      "x.yaml:4:20: error: 'tasks.test.params.slip' = 2 is out of range [0, 1]");
}

static void test_bind_errors(void** state) {
    (void)state;
    expect_bind_error("env:\n  plugin: fakemaze\n  params:\n    romms: 3\n",
                      "x.yaml:4:5: error: unknown parameter 'romms' of plugin 'fakemaze' in "
                      "'env.params' (did you mean 'rooms'?)");
    expect_bind_error("env:\n  plugin: fakemaze\n  params:\n    zzzz: 3\n",
                      "x.yaml:4:5: error: unknown parameter 'zzzz' of plugin 'fakemaze' in "
                      "'env.params' (parameters: rooms, horizon, goal_reward, slip, obs, noisy)");
    expect_bind_error("env:\n  plugin: fakemaze\n  params:\n    rooms: {int: [3, 5]}\n",
                      "x.yaml:4:12: error: parameter 'rooms' of plugin 'fakemaze' changes the "
                      "observation/action spaces, so it must be a constant in each task set (got "
                      "a 'int' distribution at 'env.params.rooms')");
    expect_bind_error("env:\n  plugin: fakemaze\n  params:\n    obs: {choice: [strip, local]}\n",
                      "x.yaml:4:10: error: parameter 'obs' of plugin 'fakemaze' changes the "
                      "observation/action spaces, so it must be a constant in each task set (got "
                      "a 'choice' distribution at 'env.params.obs')");
    expect_bind_error("env: {plugin: fakemaze, params: {rooms: 9}}\n",
                      "x.yaml:1:41: error: 'env.params.rooms' = 9 is out of range [2, 8]");
    expect_bind_error("env: {plugin: fakemaze, params: {rooms: three}}\n",
                      "x.yaml:1:41: error: 'env.params.rooms' must be an integer, got 'three'");
    expect_bind_error("env: {plugin: fakemaze, params: {slip: {uniform: [0, 1.5]}}}\n",
                      "x.yaml:1:54: error: 'env.params.slip' = 1.5 is out of range [0, 1]");
    expect_bind_error("env: {plugin: fakemaze, params: {slip: {uniform: [0.5, 0.1]}}}\n",
                      "x.yaml:1:50: error: 'env.params.slip': {uniform: [0.5, 0.1]} needs a <= b");
    expect_bind_error("env: {plugin: fakemaze, params: {slip: {uniform: [0.5]}}}\n",
                      "x.yaml:1:50: error: {uniform: ...} for 'env.params.slip' needs a list [a, "
                      "b], got 1 values");
    expect_bind_error("env: {plugin: fakemaze, params: {slip: {uniform: 0.5}}}\n",
                      "x.yaml:1:50: error: {uniform: ...} for 'env.params.slip' needs a list [a, "
                      "b], got '0.5'");
    expect_bind_error("env: {plugin: fakemaze, params: {horizon: {uniform: [1, 5]}}}\n",
                      "x.yaml:1:44: error: 'env.params.horizon' is an integer parameter, so "
                      "{uniform: ...} does not apply (use {int: [a, b]} or {choice: [...]})");
    expect_bind_error("env: {plugin: fakemaze, params: {slip: {int: [0, 1]}}}\n",
                      "x.yaml:1:41: error: 'env.params.slip' is a real parameter, so {int: ...} "
                      "does not apply (use {uniform: [a, b]}, {normal: [mu, sigma]} or {choice: "
                      "[...]})");
    expect_bind_error("env: {plugin: fakemaze, params: {slip: {normal: [0.1, -1]}}}\n",
                      "x.yaml:1:55: error: 'env.params.slip': {normal: [mu, sigma]} needs sigma "
                      ">= 0, got -1");
    expect_bind_error("env: {plugin: fakemaze, params: {slip: {normal: [-3, 0.1]}}}\n",
                      "x.yaml:1:50: error: 'env.params.slip' = -3 is out of range [0, 1]");
    expect_bind_error("env: {plugin: fakemaze, params: {slip: {normal: [0.5, x]}}}\n",
                      "x.yaml:1:55: error: 'env.params.slip' must be a number (the standard "
                      "deviation), got 'x'");
    expect_bind_error("env: {plugin: fakemaze, params: {horizon: {int: [5, 5, 5]}}}\n",
                      "x.yaml:1:49: error: {int: ...} for 'env.params.horizon' needs a list [a, "
                      "b], got 3 values");
    expect_bind_error("env: {plugin: fakemaze, params: {slip: {unifrom: [0, 1]}}}\n",
                      "x.yaml:1:41: error: unknown distribution 'unifrom' for 'env.params.slip' "
                      "(did you mean 'uniform'?)");
    expect_bind_error("env: {plugin: fakemaze, params: {slip: {uniform: [0, 1], int: [0, 1]}}}\n",
                      "x.yaml:1:40: error: 'env.params.slip' must be a constant or a distribution "
                      "with one key ({uniform: [a, b]}, {int: [a, b]}, {normal: [mu, sigma]} or "
                      "{choice: [v, ...]}), got a map with 2 keys");
    expect_bind_error("env: {plugin: fakemaze, params: {slip: [0, 1]}}\n",
                      "x.yaml:1:40: error: 'env.params.slip' must be a constant or a distribution "
                      "with one key ({uniform: [a, b]}, {int: [a, b]}, {normal: [mu, sigma]} or "
                      "{choice: [v, ...]}), got a list");
    expect_bind_error("env: {plugin: fakemaze, params: {obs: pixel}}\n",
                      "x.yaml:1:39: error: 'env.params.obs' = 'pixel' is not one of strip, "
                      "pixels, local (did you mean 'pixels'?)");
    expect_bind_error("env: {plugin: fakemaze, params: {noisy: {choice: [true, 1]}}}\n",
                      "x.yaml:1:57: error: 'env.params.noisy' must be true or false, got '1'");
    expect_bind_error("env: {plugin: fakemaze, params: {noisy: {choice: []}}}\n",
                      "x.yaml:1:50: error: {choice: ...} for 'env.params.noisy' needs a list of 1 "
                      "to 32 values, got 0 values");
    expect_bind_error("env: {plugin: fakemaze, params: {slip: \"0.5\"}}\n",
                      "x.yaml:1:40: error: 'env.params.slip' must be a number, got '\"0.5\"' (a "
                      "quoted value is a string)");
    expect_bind_error("env: {plugin: fakemaze}\ntasks:\n  test_sets:\n    large:\n      seed: 2\n"
                      "      params: {rooms: 5, hoizon: 10}\n",
                      "x.yaml:6:26: error: unknown parameter 'hoizon' of plugin 'fakemaze' in "
                      "'tasks.test_sets.large.params' (did you mean 'horizon'?)");
    expect_bind_error("env: {plugin: fakemaze}\ntasks: {test_sets: {large: {seed: 2, params: "
                      "{rooms: {int: [4, 6]}}}}}\n",
                      "x.yaml:2:54: error: parameter 'rooms' of plugin 'fakemaze' changes the "
                      "observation/action spaces, so it must be a constant in each task set (got "
                      "a 'int' distribution at 'tasks.test_sets.large.params.rooms')");
    // an override that breaks a parameter is reported at the override
    const char* ov[] = {"env.params.rooms=12"};
    MrlConfig* cfg = parse_ok("env: {plugin: fakemaze}\n", ov, 1);
    MrlEnvApi api = fake_api();
    char err[MRL_MSG_MAX];
    assert_int_equal(mrl_config_bind_plugin(cfg, &api, err), MRL_EINVAL);
    assert_string_equal(err, "override 'env.params.rooms=12': error: 'env.params.rooms' = 12 is "
                             "out of range [2, 8]");
    // a table with too many parameters is refused
    api.n_params = MRL_MAX_PARAMS + 1;
    assert_int_equal(mrl_config_bind_plugin(cfg, &api, err), MRL_EINVAL);
    assert_non_null(strstr(err, "declares 65 parameters"));
    mrl_config_free(cfg);
}

static void test_bind_no_params_plugin(void** state) {
    (void)state;
    MrlConfig* cfg = parse_ok("env: {plugin: bare, params: {x: 1}}\n", NULL, 0);
    MrlEnvApi api = fake_api();
    api.n_params = 0;
    api.params = NULL;
    api.name = "bare";
    char err[MRL_MSG_MAX];
    assert_int_equal(mrl_config_bind_plugin(cfg, &api, err), MRL_EINVAL);
    assert_string_equal(err, "x.yaml:1:30: error: unknown parameter 'x' of plugin 'bare' in "
                             "'env.params' (parameters: none)");
    mrl_config_free(cfg);
    cfg = parse_ok("env: {plugin: bare}\n", NULL, 0);
    assert_int_equal(mrl_config_bind_plugin(cfg, &api, err), MRL_OK);
    assert_int_equal(cfg->run.train.n_params, 0);
    mrl_config_free(cfg);
}

// ---- emit, round trip, hash ----

// Copies the run config with node pointers cleared, for byte comparison.
static void run_plain(MrlRunConfig* out, const MrlRunConfig* in) {
    memcpy(out, in, sizeof *out);
    out->train.node = NULL;
    for (int i = 0; i < MRL_MAX_PARAMS; i++) {
        out->train.params[i].node = NULL;
    }
    for (int s = 0; s < MRL_MAX_TEST_SETS; s++) {
        out->tests[s].node = NULL;
        for (int i = 0; i < MRL_MAX_PARAMS; i++) {
            out->tests[s].params[i].node = NULL;
        }
    }
}

static const char* rich_config =
    "name: rich\n"
    "seed: 42\n"
    "threads: 2\n"
    "out: \"out dir/with: colon\"\n"
    "env:\n"
    "  plugin: fakemaze\n"
    "  params:\n"
    "    rooms: 4\n"
    "    slip: {uniform: [0.05, 0.3]}\n"
    "    goal_reward: {normal: [1.5, 0.25]}\n"
    "    horizon: {choice: [100, 200, 3e2]}\n"
    "    obs: \"local\"\n"
    "tasks:\n"
    "  train: {count: 1000, seed: 0}\n"
    "  test: {count: 100, seed: 1}\n"
    "  test_sets:\n"
    "    large: {params: {rooms: 6, horizon: 1000}, count: 50, seed: 2}\n"
    "    long: {seed: 3, episodes: 4}\n"
    "trial: {episodes: 2}\n"
    "agent: {kind: rl2, cell: lstm, hidden: 64, layer_norm: true}\n"
    "train: {steps: 20_000_000, lambda: 0.3, lr: 7e-4, adam_eps: 1e-8, lr_schedule: linear}\n";

static void test_emit_round_trip(void** state) {
    (void)state;
    const char* ov[] = {"eval.slots=32", "tasks.test_sets.extra={seed: 7, params: {noisy: true}}"};
    MrlConfig* a = bind_ok(rich_config, ov, 2);
    MrlBuf ea = {0};
    mrl_config_emit(a, &ea);
    assert_false(ea.failed);
    // the emitted text is a valid config with equal values and the same text again
    MrlConfig* b = bind_ok(ea.data, NULL, 0);
    MrlBuf eb = {0};
    mrl_config_emit(b, &eb);
    assert_string_equal(ea.data, eb.data);
    MrlRunConfig* ra = malloc(sizeof *ra);
    MrlRunConfig* rb = malloc(sizeof *rb);
    assert_non_null(ra);
    assert_non_null(rb);
    run_plain(ra, &a->run);
    run_plain(rb, &b->run);
    assert_int_equal(ra->n_tests, 4);
    assert_memory_equal(ra, rb, sizeof *ra);
    assert_int_equal(mrl_config_hash(a), mrl_config_hash(b));
    // spot checks of the text
    assert_non_null(strstr(ea.data, "\nout: \"out dir/with: colon\"\n"));
    assert_non_null(strstr(ea.data, "\n    slip: {uniform: [0.05, 0.3]}\n"));
    assert_non_null(strstr(ea.data, "\n    obs: \"local\"\n"));
    assert_non_null(strstr(ea.data, "\n  lr: 0.0007\n"));
    assert_non_null(strstr(ea.data, "\n  adam_eps: 1e-08\n"));
    assert_non_null(strstr(ea.data, "\n  steps: 20000000\n"));
    assert_non_null(strstr(ea.data, "\n  slots: 32\n"));
    assert_non_null(strstr(ea.data, "\n    extra:\n      count: 1000\n      seed: 7\n"
                                    "      episodes: 2\n      trials_per_task: 1\n"
                                    "      params:\n        noisy: true\n"));
    free(ra);
    free(rb);
    mrl_buf_free(&ea);
    mrl_buf_free(&eb);
    mrl_config_free(a);
    mrl_config_free(b);
}

static void test_emit_defaults_only(void** state) {
    (void)state;
    MrlConfig* cfg = parse_ok("env: {plugin: maze}\n", NULL, 0);
    MrlBuf b = {0};
    mrl_config_emit(cfg, &b);
    // every schema value row appears once (test_sets.* rows only with a set)
    for (int i = 0; i < mrl_schema_n_rows; i++) {
        const MrlSchemaRow* row = &mrl_schema_rows[i];
        if (strchr(row->path, '*') || row->kind == MRL_SK_PARAMS || row->kind == MRL_SK_SETS) {
            continue;
        }
        const char* dot = strrchr(row->path, '.');
        char want[128];
        snprintf(want, sizeof want, "%s:", dot ? dot + 1 : row->path);
        assert_non_null(strstr(b.data, want));
    }
    assert_null(strstr(b.data, "test_sets"));
    assert_null(strstr(b.data, "params"));
    mrl_buf_free(&b);
    mrl_config_free(cfg);
}

#define PINNED_HASH 0x08efe1cb66f9707aULL

static void test_hash_stability(void** state) {
    (void)state;
    MrlConfig* a = parse_ok("env: {plugin: maze}\nseed: 1\nthreads: 2\n", NULL, 0);
    MrlConfig* b = parse_ok("threads: 2\nseed: 1\nenv:\n  plugin: maze\n", NULL, 0);
    MrlConfig* c =
        parse_ok("env: {plugin: maze}\nseed: 1\nthreads: 2\nagent: {hidden: 256}\n", NULL, 0);
    const char* ov[] = {"seed=2"};
    MrlConfig* d = parse_ok("env: {plugin: maze}\nseed: 1\nthreads: 2\n", ov, 1);
    uint64_t ha = mrl_config_hash(a);
    assert_int_equal(ha, mrl_config_hash(a));     // repeatable
    assert_int_equal(ha, mrl_config_hash(b));     // key order and style do not matter
    assert_int_equal(ha, mrl_config_hash(c));     // a default written out is the same config
    assert_int_not_equal(ha, mrl_config_hash(d)); // a changed value is not
    assert_int_not_equal(ha, 0);
    // binding does not change the hash (env.params are emitted as written)
    MrlEnvApi api = fake_api();
    char err[MRL_MSG_MAX];
    assert_int_equal(mrl_config_bind_plugin(a, &api, err), MRL_OK);
    assert_int_equal(ha, mrl_config_hash(a));
    // keys at their default are left out of the hash, so that a key added to the schema
    // later (with a default that keeps the old behaviour) does not orphan old checkpoints:
    // the hash is that of the emitted config without those lines
    MrlConfig* e = parse_ok("name: pinned\nenv: {plugin: maze, params: {rooms: 3}}\n", NULL, 0);
    MrlBuf buf = {0};
    mrl_config_emit(e, &buf);
    assert_int_not_equal(mrl_config_hash(e), mrl_hash_bytes(buf.data, buf.len, 0x6d726c636667ULL));
    mrl_buf_free(&buf);
    // ... and it is pinned: it must not drift between builds
    assert_true(mrl_config_hash(e) == PINNED_HASH);
    const char* ov_ent[] = {"train.ent_schedule=linear"};
    MrlConfig* f = parse_ok("env: {plugin: maze}\nseed: 1\nthreads: 2\n", ov_ent, 1);
    MrlConfig* g = parse_ok("env: {plugin: maze}\nseed: 1\nthreads: 2\n"
                            "train: {ent_schedule: constant, lr_schedule: constant}\n",
                            NULL, 0);
    assert_int_not_equal(ha, mrl_config_hash(f));
    assert_int_equal(ha, mrl_config_hash(g));
    mrl_config_free(f);
    mrl_config_free(g);
    mrl_config_free(a);
    mrl_config_free(b);
    mrl_config_free(c);
    mrl_config_free(d);
    mrl_config_free(e);
}

// ---- small units ----

static void test_did_you_mean_threshold(void** state) {
    (void)state;
    const char* c[] = {"hidden", "embed", "cell", "kind", "layer_norm"};
    assert_string_equal(mrl_did_you_mean("hiden", c, 5), "hidden");
    assert_string_equal(mrl_did_you_mean("hidedn", c, 5), "hidden");
    assert_string_equal(mrl_did_you_mean("hdiden", c, 5), "hidden"); // a swap counts once
    assert_string_equal(mrl_did_you_mean("layer_nrom", c, 5), "layer_norm");
    assert_string_equal(mrl_did_you_mean("layernorm", c, 5), "layer_norm");
    assert_string_equal(mrl_did_you_mean("cel", c, 5), "cell");
    assert_null(mrl_did_you_mean("zzzzzz", c, 5));
    assert_null(mrl_did_you_mean("hd", c, 5));
    assert_null(mrl_did_you_mean("", c, 5));
    assert_null(mrl_did_you_mean("hiden", c, 0));
    assert_null(mrl_did_you_mean("hiden", NULL, 5));
    const char* d[] = {"abc", "abd"};
    assert_string_equal(mrl_did_you_mean("abx", d, 2), "abc"); // ties: the first candidate
    const char* e[] = {"learning_rate"};
    assert_string_equal(mrl_did_you_mean("lerning_rat", e, 1), "learning_rate"); // 2 <= 11/3
    assert_null(mrl_did_you_mean("lr_rate", e, 1));
}

static void test_where_and_find(void** state) {
    (void)state;
    MrlConfig* cfg = parse_ok("env:\n  plugin: maze\nagent:\n  kind: rl2\n", NULL, 0);
    char where[200];
    const MrlNode* kind = mrl_config_find(cfg, "agent.kind");
    assert_non_null(kind);
    assert_string_equal(kind->value, "rl2");
    assert_int_equal(kind->line, 4);
    assert_int_equal(kind->col, 9);
    assert_int_equal(kind->key_line, 4);
    assert_int_equal(kind->key_col, 3);
    mrl_config_where(cfg, kind, where, sizeof where);
    assert_string_equal(where, "x.yaml:4:9");
    mrl_config_where(cfg, NULL, where, sizeof where);
    assert_string_equal(where, "x.yaml");
    assert_null(mrl_config_find(cfg, "agent.hidden"));
    assert_null(mrl_config_find(cfg, "agent.kind.x"));
    assert_null(mrl_config_find(cfg, "nope"));
    assert_null(mrl_config_find(NULL, "agent"));
    assert_ptr_equal(mrl_config_find(cfg, ""), cfg->root);
    assert_int_equal(mrl_config_find(cfg, "agent")->kind, MRL_NODE_MAP);
    mrl_config_free(cfg);
    mrl_config_free(NULL);
}

static void test_schema_table(void** state) {
    (void)state;
    // rows are unique, parents come before children, kinds have what they need
    for (int i = 0; i < mrl_schema_n_rows; i++) {
        const MrlSchemaRow* r = &mrl_schema_rows[i];
        assert_ptr_equal(mrl_schema_find(r->path), r);
        const char* dot = strrchr(r->path, '.');
        if (dot) {
            char parent[128];
            snprintf(parent, sizeof parent, "%.*s", (int)(dot - r->path), r->path);
            const MrlSchemaRow* p = mrl_schema_find(parent);
            assert_non_null(p);
            assert_true(p < r);
        }
        if (r->kind == MRL_SK_CHOICE) {
            assert_non_null(r->choices);
        }
        if (r->flags & MRL_SF_DEF_FROM) {
            assert_non_null(mrl_schema_find(r->def));
        }
        assert_true(r->help && r->help[0]);
    }
    // the generated Markdown has one line per row plus the header
    MrlBuf b = {0};
    mrl_config_schema_markdown(&b);
    int lines = 0;
    for (size_t i = 0; i < b.len; i++) {
        lines += b.data[i] == '\n';
    }
    assert_int_equal(lines, mrl_schema_n_rows + 2);
    assert_non_null(strstr(b.data, "| `train.gamma` | real | `0.99` | [0, 1] | discount |\n"));
    assert_non_null(strstr(b.data, "| `tasks.test_sets.<name>.seed` | int | **required** |"));
    mrl_buf_free(&b);
}

// docs/config.md embeds the generated table between markers; it must match.
static void test_schema_docs_agree(void** state) {
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/docs/config.md", MRL_SOURCE_DIR);
    char* doc = NULL;
    size_t n = 0;
    char err[MRL_MSG_MAX];
    assert_int_equal(mrl_file_read(path, &doc, &n, err), MRL_OK);
    const char* begin_mark = "<!-- schema:begin -->\n";
    const char* end_mark = "<!-- schema:end -->";
    char* begin = strstr(doc, begin_mark);
    char* end = strstr(doc, end_mark);
    assert_non_null(begin);
    assert_non_null(end);
    begin += strlen(begin_mark);
    assert_true(end >= begin);
    *end = '\0';
    MrlBuf b = {0};
    mrl_config_schema_markdown(&b);
    if (strcmp(begin, b.data) != 0) {
        fail_msg("docs/config.md is out of date: regenerate the table with `metarl check "
                 "--schema`");
    }
    mrl_buf_free(&b);
    free(doc);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_defaults),
        cmocka_unit_test(test_parse_values_written),
        cmocka_unit_test(test_parse_name_from_stem),
        cmocka_unit_test(test_parse_numbers),
        cmocka_unit_test(test_parse_bools),
        cmocka_unit_test(test_parse_strings),
        cmocka_unit_test(test_error_syntax),
        cmocka_unit_test(test_error_unknown_key_hint),
        cmocka_unit_test(test_error_wrong_type),
        cmocka_unit_test(test_error_out_of_range),
        cmocka_unit_test(test_error_bad_choice),
        cmocka_unit_test(test_error_duplicate_key),
        cmocka_unit_test(test_error_missing_required),
        cmocka_unit_test(test_error_yaml_features_rejected),
        cmocka_unit_test(test_error_missing_file),
        cmocka_unit_test(test_malformed_inputs),
        cmocka_unit_test(test_malformed_fuzz),
        cmocka_unit_test(test_malformed_alloc_failures),
        cmocka_unit_test(test_override_replaces_and_creates),
        cmocka_unit_test(test_override_errors),
        cmocka_unit_test(test_sets_order_and_inheritance),
        cmocka_unit_test(test_sets_bad_names),
        cmocka_unit_test(test_bind_defaults_and_constants),
        cmocka_unit_test(test_bind_distributions),
        cmocka_unit_test(test_bind_test_set_params),
        cmocka_unit_test(test_bind_train_and_test_params),
        cmocka_unit_test(test_bind_errors),
        cmocka_unit_test(test_bind_no_params_plugin),
        cmocka_unit_test(test_emit_round_trip),
        cmocka_unit_test(test_emit_defaults_only),
        cmocka_unit_test(test_hash_stability),
        cmocka_unit_test(test_did_you_mean_threshold),
        cmocka_unit_test(test_where_and_find),
        cmocka_unit_test(test_schema_table),
        cmocka_unit_test(test_schema_docs_agree),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
