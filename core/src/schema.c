// schema.c — the core config schema: one table with a row per key (dotted
// path, kind, default, range or choices, where the value is stored, one line
// of help). config.c validates, fills defaults and emits from it;
// mrl_config_schema_markdown prints it for docs/config.md (`metarl check
// --schema`). Add a key: add a field to MrlRunConfig (metarl/config.h) and a
// row here, parents before children. tests/test_config.c checks that every
// default is valid and that docs/config.md agrees with this table.
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "config_internal.h"

#define RUN(f) offsetof(MrlRunConfig, f), sizeof(((MrlRunConfig*)0)->f)
#define SET(f) offsetof(MrlSetSpec, f), sizeof(((MrlSetSpec*)0)->f)
#define NOF 0, 0
#define I32MAX 2147483647.0

static const char* const cell_choices[] = {"gru", "lstm", NULL};
static const char* const algo_choices[] = {"ppo", NULL};
static const char* const schedule_choices[] = {"constant", "linear", NULL};

// path, kind, flags, default, lo, hi, choices, storage, help
const MrlSchemaRow mrl_schema_rows[] = {
    {"name", MRL_SK_STRING, MRL_SF_NAME_CHARS | MRL_SF_DEF_STEM, NULL, 0, 0, NULL, RUN(name),
     "run name; results go to out/name"},
    {"seed", MRL_SK_INT, 0, "0", 0, INFINITY, NULL, RUN(seed),
     "run seed: network initialisation, training streams"},
    {"threads", MRL_SK_INT, 0, "1", 1, 256, NULL, RUN(threads),
     "worker threads stepping environment slots; in training they also run the update's "
     "train.update_split parts, or with agent.separate_value the policy and value trunks, at "
     "once (same bits)"},
    {"out", MRL_SK_STRING, MRL_SF_NONEMPTY, "results", 0, 0, NULL, RUN(out_root),
     "results root directory"},

    {"env", MRL_SK_MAP, 0, NULL, 0, 0, NULL, NOF, "the environment family"},
    {"env.plugin", MRL_SK_STRING, MRL_SF_REQUIRED | MRL_SF_NONEMPTY, NULL, 0, 0, NULL, RUN(plugin),
     "plugin name (looked up on the plugin path) or a path to a .so"},
    {"env.params", MRL_SK_PARAMS, 0, NULL, 0, 0, NULL, NOF,
     "plugin parameters: constants or distributions (see below); omitted ones take the "
     "plugin's defaults"},

    {"tasks", MRL_SK_MAP, 0, NULL, 0, 0, NULL, NOF, "task sets: training and held-out"},
    {"tasks.train", MRL_SK_MAP, 0, NULL, 0, 0, NULL, NOF,
     "the training set, drawn from env.params (and its own params on top)"},
    {"tasks.train.count", MRL_SK_INT, MRL_SF_SET, "0", 0, INFINITY, NULL, SET(count),
     "number of training tasks; 0 = an endless stream of fresh tasks"},
    {"tasks.train.seed", MRL_SK_INT, MRL_SF_SET, "0", 0, INFINITY, NULL, SET(seed),
     "task-sampling seed of the training set"},
    {"tasks.train.params", MRL_SK_PARAMS, 0, NULL, 0, 0, NULL, NOF,
     "plugin parameters overriding env.params for training only (a wider or other "
     "training distribution; the spaces must stay those of the held-out sets)"},
    {"tasks.test", MRL_SK_MAP, 0, NULL, 0, 0, NULL, NOF,
     "the held-out set named \"test\", drawn from env.params and its own params (always "
     "present)"},
    {"tasks.test.count", MRL_SK_INT, MRL_SF_SET, "1000", 1, INFINITY, NULL, SET(count),
     "number of held-out tasks"},
    {"tasks.test.seed", MRL_SK_INT, MRL_SF_SET, "1", 0, INFINITY, NULL, SET(seed),
     "task-sampling seed of the test set"},
    {"tasks.test.episodes", MRL_SK_INT, MRL_SF_SET | MRL_SF_DEF_FROM, "trial.episodes", 1, 1000000,
     NULL, SET(episodes), "episodes per trial when evaluating this set"},
    {"tasks.test.trials_per_task", MRL_SK_INT, MRL_SF_SET | MRL_SF_DEF_FROM, "eval.trials_per_task",
     1, 100000, NULL, SET(trials_per_task), "evaluation trials per task of this set"},
    {"tasks.test.params", MRL_SK_PARAMS, 0, NULL, 0, 0, NULL, NOF,
     "plugin parameters overriding env.params for this set"},
    {"tasks.test_sets", MRL_SK_SETS, 0, NULL, 0, 0, NULL, NOF,
     "extra held-out sets by name ([a-z0-9_]+, not train/test), evaluated after \"test\" in "
     "file order"},
    {"tasks.test_sets.*", MRL_SK_MAP, 0, NULL, 0, 0, NULL, NOF, "one extra held-out set"},
    {"tasks.test_sets.*.count", MRL_SK_INT, MRL_SF_SET, "1000", 1, INFINITY, NULL, SET(count),
     "number of tasks"},
    {"tasks.test_sets.*.seed", MRL_SK_INT, MRL_SF_SET | MRL_SF_REQUIRED, NULL, 0, INFINITY, NULL,
     SET(seed), "task-sampling seed (required: give each set its own)"},
    {"tasks.test_sets.*.episodes", MRL_SK_INT, MRL_SF_SET | MRL_SF_DEF_FROM, "trial.episodes", 1,
     1000000, NULL, SET(episodes), "episodes per trial when evaluating this set"},
    {"tasks.test_sets.*.trials_per_task", MRL_SK_INT, MRL_SF_SET | MRL_SF_DEF_FROM,
     "eval.trials_per_task", 1, 100000, NULL, SET(trials_per_task),
     "evaluation trials per task of this set"},
    {"tasks.test_sets.*.params", MRL_SK_PARAMS, 0, NULL, 0, 0, NULL, NOF,
     "plugin parameters overriding env.params for this set"},

    {"trial", MRL_SK_MAP, 0, NULL, 0, 0, NULL, NOF, "one trial: several episodes of one task"},
    {"trial.episodes", MRL_SK_INT, 0, "1", 1, 1000000, NULL, RUN(episodes),
     "episodes per trial (the agent's memory persists across them)"},

    {"eval", MRL_SK_MAP, 0, NULL, 0, 0, NULL, NOF, "meta-test on the held-out sets"},
    {"eval.slots", MRL_SK_INT, 0, "64", 1, 65536, NULL, RUN(eval_slots), "trials run in parallel"},
    {"eval.trials_per_task", MRL_SK_INT, 0, "1", 1, 100000, NULL, RUN(eval_trials),
     "trials per held-out task (default of every set)"},

    {"agent", MRL_SK_MAP, 0, NULL, 0, 0, NULL, NOF, "the policy"},
    {"agent.kind", MRL_SK_STRING, MRL_SF_IDENT, "random", 0, 0, NULL, RUN(agent_kind),
     "agent name (checked against the built-in agents by the command)"},
    {"agent.cell", MRL_SK_CHOICE, 0, "gru", 0, 0, cell_choices, RUN(cell), "recurrent cell"},
    {"agent.hidden", MRL_SK_INT, 0, "256", 1, 4096, NULL, RUN(hidden), "recurrent units"},
    {"agent.embed", MRL_SK_INT, 0, "0", 0, 4096, NULL, RUN(embed),
     "encoder layer width before the cell; 0 = no encoder layer"},
    {"agent.layer_norm", MRL_SK_BOOL, 0, "false", 0, 0, NULL, RUN(layer_norm),
     "rl2: layer normalisation of the cell's output on its way to the heads (the recurrence "
     "carries the state as it is)"},
    {"agent.time_input", MRL_SK_BOOL, 0, "false", 0, 0, NULL, RUN(time_input),
     "rl2: two more inputs per step, episode index / episodes and step / horizon"},
    {"agent.input_mlp", MRL_SK_INT, 0, "0", 0, 4096, NULL, RUN(input_mlp),
     "rl2: width of a ReLU layer over the whole step input before the cell; 0 = none"},
    {"agent.head_mlp", MRL_SK_INT, 0, "0", 0, 4096, NULL, RUN(head_mlp),
     "rl2: width of a ReLU layer between the cell's output and the policy and value heads; 0 = "
     "none"},
    {"agent.head_skip", MRL_SK_BOOL, 0, "false", 0, 0, NULL, RUN(head_skip),
     "rl2: the head layer reads the step input (observation, previous action and reward, ...) "
     "beside the cell's output; needs agent.head_mlp"},
    {"agent.separate_value", MRL_SK_BOOL, 0, "false", 0, 0, NULL, RUN(separate_value),
     "rl2: the value head has a network of its own (input layer, cell, layer norm and head "
     "layer, as configured) over the same step input; the observation encoder is shared"},
    {"agent.critic_oracle", MRL_SK_BOOL, 0, "false", 0, 0, NULL, RUN(critic_oracle),
     "rl2: the value network also reads privileged information about the true task, the "
     "plugin's oracle value of the current state and of the episode's first state (each divided "
     "by the horizon); the policy never does, and acting needs no oracle. Training only; needs "
     "agent.separate_value and a plugin with the oracle capability"},
    {"agent.prev_obs", MRL_SK_BOOL, 0, "false", 0, 0, NULL, RUN(prev_obs),
     "rl2: the observation the previous action was taken in, as another input (discrete or "
     "un-encoded vector observations)"},
    {"agent.temperature", MRL_SK_REAL, 0, "1", 0.001, 1000, NULL, RUN(temperature),
     "rl2 evaluation: sample actions from the policy's probabilities to the power 1/T, "
     "renormalised (a Gaussian policy's deviation times sqrt(T)); 1 = the policy as trained, "
     "towards 0 = rl2_greedy (which ignores it); metarl train refuses any other value than 1"},
    {"agent.epsilon", MRL_SK_REAL, 0, "0.02", 0, 1, NULL, RUN(epsilon),
     "epsilon_greedy: probability of a uniformly random action (bandit and MDP)"},
    {"agent.ucb_c", MRL_SK_REAL, 0, "0.2", 0, 100, NULL, RUN(ucb_c),
     "ucb1: c in mean + c sqrt(2 ln t / T_i)"},
    {"agent.ots_samples", MRL_SK_INT, 0, "3", 1, 10000, NULL, RUN(ots_samples),
     "ots: posterior samples per arm and step; the score is their maximum, at least the mean"},
    {"agent.opsrl_samples", MRL_SK_INT, 0, "5", 1, 10000, NULL, RUN(opsrl_samples),
     "opsrl: MDPs sampled per episode; acts on the largest Q of each (step, state, action)"},
    {"agent.gittins_discount", MRL_SK_REAL, MRL_SF_HI_OPEN, "0", 0, 1, NULL, RUN(gittins_discount),
     "gittins: 0 = finite-horizon index over the trial's remaining pulls; else the "
     "discounted (infinite-horizon) index with this discount"},
    {"agent.beb_beta", MRL_SK_REAL, 0, "1", 0, 1e6, NULL, RUN(beb_beta),
     "beb: reward bonus beta / (1 + n(s, a)) on the posterior-mean model"},
    {"agent.ucrl_delta", MRL_SK_REAL, MRL_SF_LO_OPEN | MRL_SF_HI_OPEN, "0.05", 0, 1, NULL,
     RUN(ucrl_delta), "ucrl2: confidence parameter delta of the reward and transition bounds"},
    {"agent.ucrl_scale", MRL_SK_REAL, 0, "0.05", 0, 100, NULL, RUN(ucrl_scale),
     "ucrl2: multiplier of both confidence widths (1 = the UCRL2 bounds; the default is the "
     "value tuned for the RL² MDPs)"},
    {"agent.mdp_prior_mean", MRL_SK_REAL, 0, "1", -1e6, 1e6, NULL, RUN(mdp_prior_mean),
     "psrl, opsrl, beb, greedy, epsilon_greedy (MDPs): prior mean of each mean reward "
     "(the RL² task distribution's is 1)"},
    {"agent.mdp_prior_precision", MRL_SK_REAL, MRL_SF_LO_OPEN, "1", 0, 1e6, NULL,
     RUN(mdp_prior_precision),
     "MDP agents: precision of that prior, in units of observations of unit-variance rewards"},
    {"agent.mdp_prior_alpha", MRL_SK_REAL, MRL_SF_LO_OPEN, "1", 0, 1e6, NULL, RUN(mdp_prior_alpha),
     "MDP agents: Dirichlet prior weight of each next state (1 = the flat Dirichlet(1))"},

    {"train", MRL_SK_MAP, 0, NULL, 0, 0, NULL, NOF, "the meta-trainer"},
    {"train.algo", MRL_SK_CHOICE, 0, "ppo", 0, 0, algo_choices, RUN(algo), "algorithm"},
    {"train.steps", MRL_SK_INT, 0, "1000000", 1, INFINITY, NULL, RUN(total_steps),
     "agent steps to train for"},
    {"train.batch_trials", MRL_SK_INT, 0, "64", 1, 1000000, NULL, RUN(batch_trials),
     "trials per iteration"},
    {"train.minibatches", MRL_SK_INT, 0, "4", 1, 4096, NULL, RUN(minibatches),
     "minibatches per epoch"},
    {"train.epochs", MRL_SK_INT, 0, "4", 1, 1000, NULL, RUN(epochs), "epochs per iteration"},
    {"train.update_split", MRL_SK_INT, 0, "1", 1, 8, NULL, RUN(update_split),
     "parts each minibatch is cut into for the update, run on the `threads` workers at once and "
     "their gradients summed in part order: the bits depend on it, not on the thread count"},
    {"train.gamma", MRL_SK_REAL, 0, "0.99", 0, 1, NULL, RUN(gamma), "discount"},
    {"train.lambda", MRL_SK_REAL, 0, "0.95", 0, 1, NULL, RUN(lambda), "GAE lambda"},
    {"train.clip", MRL_SK_REAL, MRL_SF_LO_OPEN, "0.2", 0, 10, NULL, RUN(clip), "PPO ratio clip"},
    {"train.vf_coef", MRL_SK_REAL, 0, "0.5", 0, 100, NULL, RUN(vf_coef), "value loss coefficient"},
    {"train.ent_coef", MRL_SK_REAL, 0, "0.01", 0, 100, NULL, RUN(ent_coef),
     "entropy bonus coefficient"},
    {"train.ent_schedule", MRL_SK_CHOICE, 0, "constant", 0, 0, schedule_choices, RUN(ent_schedule),
     "entropy-bonus schedule: constant, or linear decay to 0 over train.steps"},
    {"train.novelty_bonus", MRL_SK_REAL, 0, "0", 0, 100, NULL, RUN(novelty_bonus),
     "training-only reward for each step that reaches an observation not seen before in the "
     "trial (exact match); 0 = off; reported returns stay the env's"},
    {"train.lr", MRL_SK_REAL, MRL_SF_LO_OPEN, "3e-4", 0, 1, NULL, RUN(lr), "Adam learning rate"},
    {"train.lr_schedule", MRL_SK_CHOICE, 0, "constant", 0, 0, schedule_choices, RUN(lr_schedule),
     "learning-rate schedule: constant, or linear decay over train.steps"},
    {"train.adam_beta1", MRL_SK_REAL, MRL_SF_HI_OPEN, "0.9", 0, 1, NULL, RUN(adam_beta1),
     "Adam beta1"},
    {"train.adam_beta2", MRL_SK_REAL, MRL_SF_HI_OPEN, "0.999", 0, 1, NULL, RUN(adam_beta2),
     "Adam beta2"},
    {"train.adam_eps", MRL_SK_REAL, MRL_SF_LO_OPEN, "1e-5", 0, 1, NULL, RUN(adam_eps),
     "Adam epsilon"},
    {"train.max_grad_norm", MRL_SK_REAL, 0, "0.5", 0, 1e9, NULL, RUN(max_grad_norm),
     "global gradient-norm clip; 0 = off"},
    {"train.target_kl", MRL_SK_REAL, 0, "0", 0, 1e9, NULL, RUN(target_kl),
     "stop an iteration's epochs early above this KL; 0 = off"},
    {"train.norm_adv", MRL_SK_BOOL, 0, "true", 0, 0, NULL, RUN(norm_adv),
     "normalise advantages over each iteration's rollout"},
    {"train.bptt", MRL_SK_INT, 0, "0", 0, I32MAX, NULL, RUN(bptt),
     "truncated BPTT window in steps; 0 = the whole trial"},
    {"train.checkpoint_every", MRL_SK_INT, 0, "10", 1, I32MAX, NULL, RUN(checkpoint_every),
     "iterations between checkpoints"},
};

const int mrl_schema_n_rows = (int)(sizeof mrl_schema_rows / sizeof mrl_schema_rows[0]);

const MrlSchemaRow* mrl_schema_find(const char* path) {
    for (int i = 0; i < mrl_schema_n_rows; i++) {
        if (strcmp(mrl_schema_rows[i].path, path) == 0) {
            return &mrl_schema_rows[i];
        }
    }
    return NULL;
}

static void bound_text(char* out, size_t out_size, double x) {
    if (isinf(x)) {
        snprintf(out, out_size, "%s", x > 0 ? "inf" : "-inf");
    } else {
        mrl_cfg_format_real(out, out_size, x);
    }
}

void mrl_schema_range_text(const MrlSchemaRow* row, char* out, size_t out_size) {
    if (row->kind != MRL_SK_INT && row->kind != MRL_SK_REAL) {
        snprintf(out, out_size, "%s", "");
        return;
    }
    char lo[40], hi[40];
    bound_text(lo, sizeof lo, row->lo);
    bound_text(hi, sizeof hi, row->hi);
    int lo_open = (row->flags & MRL_SF_LO_OPEN) != 0;
    int hi_open = (row->flags & MRL_SF_HI_OPEN) != 0 || isinf(row->hi);
    snprintf(out, out_size, "%c%s, %s%c", lo_open ? '(' : '[', lo, hi, hi_open ? ')' : ']');
}

// ---- Markdown ----

static const char* kind_name(int kind) {
    switch (kind) {
    case MRL_SK_INT:
        return "int";
    case MRL_SK_REAL:
        return "real";
    case MRL_SK_BOOL:
        return "bool";
    case MRL_SK_STRING:
        return "string";
    case MRL_SK_CHOICE:
        return "choice";
    case MRL_SK_MAP:
        return "map";
    case MRL_SK_PARAMS:
        return "params";
    case MRL_SK_SETS:
        return "map of sets";
    default:
        return "?";
    }
}

// Appends `s` with '*' written as <name> and '|' escaped for a table cell.
static void md_cell(MrlBuf* buf, const char* s) {
    for (const char* p = s; *p; p++) {
        if (*p == '*') {
            mrl_buf_printf(buf, "<name>");
        } else if (*p == '|') {
            mrl_buf_printf(buf, "\\|");
        } else {
            mrl_buf_append(buf, p, 1);
        }
    }
}

void mrl_config_schema_markdown(MrlBuf* buf) {
    mrl_buf_printf(buf, "| key | type | default | range / values | description |\n");
    mrl_buf_printf(buf, "|---|---|---|---|---|\n");
    for (int i = 0; i < mrl_schema_n_rows; i++) {
        const MrlSchemaRow* r = &mrl_schema_rows[i];
        mrl_buf_printf(buf, "| `");
        md_cell(buf, r->path);
        mrl_buf_printf(buf, "` | %s | ", kind_name(r->kind));
        if (r->flags & MRL_SF_REQUIRED) {
            mrl_buf_printf(buf, "**required**");
        } else if (r->flags & MRL_SF_DEF_STEM) {
            mrl_buf_printf(buf, "config file stem");
        } else if (r->flags & MRL_SF_DEF_FROM) {
            mrl_buf_printf(buf, "`%s`", r->def);
        } else if (r->def) {
            mrl_buf_printf(buf, "`%s`", r->def);
        } else if (r->kind == MRL_SK_MAP || r->kind == MRL_SK_PARAMS || r->kind == MRL_SK_SETS) {
            mrl_buf_printf(buf, "%s", "");
        }
        mrl_buf_printf(buf, " | ");
        if (r->kind == MRL_SK_INT || r->kind == MRL_SK_REAL) {
            char range[100];
            mrl_schema_range_text(r, range, sizeof range);
            mrl_buf_printf(buf, "%s", range);
        } else if (r->kind == MRL_SK_CHOICE) {
            for (int c = 0; r->choices[c]; c++) {
                mrl_buf_printf(buf, "%s`%s`", c ? ", " : "", r->choices[c]);
            }
        } else if (r->kind == MRL_SK_BOOL) {
            mrl_buf_printf(buf, "`true`, `false`");
        } else if (r->flags & MRL_SF_NAME_CHARS) {
            mrl_buf_printf(buf, "`[A-Za-z0-9_.-]+`");
        } else if (r->flags & MRL_SF_IDENT) {
            mrl_buf_printf(buf, "`[a-z0-9_]+`");
        } else if (r->flags & MRL_SF_NONEMPTY) {
            mrl_buf_printf(buf, "non-empty");
        }
        mrl_buf_printf(buf, " | ");
        md_cell(buf, r->help);
        mrl_buf_printf(buf, " |\n");
    }
}
