// test_explorer.c — the maze baselines through the real evaluator
// (mrl_eval_set): the explorer agent (agents/explorer.c) always finds the
// goal in episode 1 of a small maze and, in episodes 2 and 3, takes exactly
// the oracle's fewest steps from the start; the oracle agent
// (agents/oracle.c) takes exactly that many in every episode.
//   ctest --test-dir build -R test_explorer
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../plugins/maze/maze.h"
#include "metarl/eval.h"
#include "metarl/host.h"
#include "support/spec.h"

static MrlPlugin plugin;

static int setup(void** state) {
    (void)state;
    char err[MRL_MSG_MAX];
    if (mrl_plugin_open(&plugin, MRL_BINARY_DIR "/plugins/maze.so", NULL, err) != MRL_OK) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    return 0;
}

static int teardown(void** state) {
    (void)state;
    mrl_plugin_close(&plugin);
    return 0;
}

// A held-out set of `count` maze tasks with the given parameters (the rest
// default; the oracle tables on).
static MrlSetSpec maze_spec(int64_t count, uint64_t seed, int rooms, int horizon, int grid_mode) {
    double p[MAZE_N_PARAMS];
    mrl_plugin_defaults(&plugin.api, p);
    p[MAZE_P_ROOMS] = rooms;
    p[MAZE_P_HORIZON] = horizon;
    p[MAZE_P_MODE] = grid_mode ? MAZE_MODE_GRID : MAZE_MODE_CONTINUOUS;
    p[MAZE_P_ORACLE] = 1;
    return test_spec("test", MRL_SET_TEST, count, seed, p, MAZE_N_PARAMS);
}

// Fewest steps from each task's start pose to the goal, from the plugin's oracle.
static int64_t* oracle_start_steps(const MrlTaskSet* set) {
    const MrlEnvApi* api = set->api;
    char err[MRL_MSG_MAX];
    void* st = calloc(1, set->info.state_bytes);
    void* task = calloc(1, set->info.task_bytes);
    float* obs = calloc((size_t)set->info.obs.n, sizeof(float));
    double params[MAZE_N_PARAMS];
    uint64_t fp;
    int64_t* steps = calloc((size_t)set->count, sizeof *steps);
    assert_int_equal(api->init(st, set->base_params, err), MRL_OK);
    for (int64_t i = 0; i < set->count; i++) {
        assert_int_equal(mrl_taskset_get(set, i, task, params, &fp, err), MRL_OK);
        MrlRng rng = {1, 1};
        assert_int_equal(api->reset(st, obs, task, &rng, err), MRL_OK);
        MrlOracleInfo info = {sizeof info, 0, 0.0, 0.0};
        float a;
        assert_int_equal(api->oracle(st, &info, &a, err), MRL_OK);
        assert_true(isfinite(info.steps));
        steps[i] = (int64_t)info.steps;
    }
    free(st);
    free(task);
    free(obs);
    return steps;
}

static MrlEvalSet run_agent(const char* kind, const MrlTaskSet* set, int episodes) {
    char err[MRL_MSG_MAX];
    MrlAgent* agent = mrl_agent_new(kind, NULL, err);
    assert_non_null(agent);
    MrlEvalSet out;
    int rc = mrl_eval_set(&out, set, agent, episodes, 1, 16, 1, 7, err);
    if (rc != MRL_OK) {
        fail_msg("%s", err);
    }
    agent->free(agent);
    return out;
}

// Runs the explorer on `count` tasks and checks it against the oracle.
static void check_explorer(int64_t count, uint64_t seed, int rooms, int horizon, int grid_mode) {
    char err[MRL_MSG_MAX];
    MrlSetSpec spec = maze_spec(count, seed, rooms, horizon, grid_mode);
    MrlTaskSet set;
    assert_int_equal(mrl_taskset_init(&set, &spec, &plugin.api, NULL, 0, err), MRL_OK);
    int64_t* best = oracle_start_steps(&set);
    enum { K = 3 };
    MrlEvalSet ev = run_agent("explorer", &set, K);
    assert_int_equal(ev.n_trials, count);
    int64_t sum1 = 0, sum2 = 0;
    for (int64_t t = 0; t < count; t++) {
        const MrlEpisodeResult* r = &ev.rows[t * K];
        // episode 1: systematic search finds the goal within the horizon
        if (!r[0].success) {
            fail_msg("task %lld: explorer episode 1 failed (length %lld)", (long long)t,
                     (long long)r[0].length);
        }
        assert_true(r[0].length >= best[t]);
        // episodes 2 and 3: exactly the shortest path
        for (int k = 1; k < K; k++) {
            if (!r[k].success || r[k].length != best[t]) {
                fail_msg("task %lld episode %d: explorer %lld steps (success %d), oracle %lld",
                         (long long)t, k + 1, (long long)r[k].length, r[k].success,
                         (long long)best[t]);
            }
        }
        sum1 += r[0].length;
        sum2 += r[1].length;
    }
    print_message("rooms %d%s: %lld tasks, explorer episode 1 %.1f steps, episode 2 %.1f "
                  "(= oracle)\n",
                  rooms, grid_mode ? " grid" : "", (long long)count, (double)sum1 / count,
                  (double)sum2 / count);
    mrl_eval_set_free(&ev);
    free(best);
    mrl_taskset_release(&set);
}

static void test_explorer_small_mazes_meet_oracle(void** state) {
    (void)state;
    check_explorer(200, 11, 3, 250, 0);
}

static void test_explorer_large_mazes_meet_oracle(void** state) {
    (void)state;
    check_explorer(40, 12, 5, 1000, 0);
}

static void test_explorer_grid_mode_meets_oracle(void** state) {
    (void)state;
    check_explorer(100, 13, 5, 1000, 1);
}

static void test_oracle_agent_takes_shortest_path(void** state) {
    (void)state;
    char err[MRL_MSG_MAX];
    MrlSetSpec spec = maze_spec(60, 21, 3, 250, 0);
    MrlTaskSet set;
    assert_int_equal(mrl_taskset_init(&set, &spec, &plugin.api, NULL, 0, err), MRL_OK);
    int64_t* best = oracle_start_steps(&set);
    MrlEvalSet ev = run_agent("oracle", &set, 2);
    for (int64_t t = 0; t < set.count; t++) {
        for (int k = 0; k < 2; k++) {
            assert_true(ev.rows[t * 2 + k].success);
            assert_int_equal(ev.rows[t * 2 + k].length, best[t]);
        }
    }
    mrl_eval_set_free(&ev);
    free(best);
    mrl_taskset_release(&set);
}

static void test_oracle_agent_needs_oracle_tables(void** state) {
    (void)state;
    char err[MRL_MSG_MAX];
    MrlSetSpec spec = maze_spec(4, 1, 3, 250, 0);
    spec.params[MAZE_P_ORACLE].a = 0;
    MrlTaskSet set;
    assert_int_equal(mrl_taskset_init(&set, &spec, &plugin.api, NULL, 0, err), MRL_OK);
    MrlAgent* agent = mrl_agent_new("oracle", NULL, err);
    MrlEvalSet out;
    assert_int_not_equal(mrl_eval_set(&out, &set, agent, 1, 1, 2, 1, 7, err), MRL_OK);
    assert_non_null(strstr(err, "oracle: true"));
    agent->free(agent);
    mrl_taskset_release(&set);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_explorer_small_mazes_meet_oracle),
        cmocka_unit_test(test_explorer_large_mazes_meet_oracle),
        cmocka_unit_test(test_explorer_grid_mode_meets_oracle),
        cmocka_unit_test(test_oracle_agent_takes_shortest_path),
        cmocka_unit_test(test_oracle_agent_needs_oracle_tables),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
