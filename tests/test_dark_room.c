// test_dark_room.c — behaviour of plugins/dark_room: spaces and parameter checks, the goal
// distribution (never the centre, uniform over the other cells), held-out goals of
// configs/dark_room.yaml disjoint from training, moves and walls, rewards and end flags in
// both modes, random starts, the random policy against an exact dynamic programme, the
// oracle against the returns its own actions earn, bad actions, rendering.
//   ctest -R dark_room    or    CMOCKA_TEST_FILTER=test_dark_room_oracle*
//   ./build/tests/test_dark_room
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "metarl/conform.h"
#include "metarl/run.h"
#include "support/plugin_instance.h"

// parameter order of the plugin's table
enum { P_SIZE, P_HORIZON, P_RANDOM_START, P_TERMINATE, P_OBS, N_PARAMS };
enum { UP, DOWN, LEFT, RIGHT, STAY };

// the plugin's task layout (dark_room.c), written by hand in tests
typedef struct Task {
    int32_t goal_row, goal_col, size, horizon, random_start, terminate;
} Task;

static void open_env(TestEnv* e, int size, int horizon, int random_start, int terminate) {
    const double p[4] = {size, horizon, random_start, terminate};
    assert_int_equal(test_env_open(e, "dark_room", p, 4), MRL_OK);
}

// sets the task by hand: goal (r, c) with the instance's parameters
static Task* set_goal(TestEnv* e, int r, int c) {
    Task* t = e->task;
    t->goal_row = r;
    t->goal_col = c;
    t->size = (int32_t)e->params[P_SIZE];
    t->horizon = (int32_t)e->params[P_HORIZON];
    t->random_start = e->params[P_RANDOM_START] != 0.0;
    t->terminate = e->params[P_TERMINATE] != 0.0;
    return t;
}

static void test_dark_room_describe(void** state) {
    (void)state;
    TestEnv e;
    open_env(&e, 9, 20, 0, 0);
    assert_int_equal(e.info.obs.kind, MRL_SPACE_DISCRETE);
    assert_int_equal(e.info.obs.n, 81);
    assert_int_equal(e.info.action.kind, MRL_SPACE_DISCRETE);
    assert_int_equal(e.info.action.n, 5);
    assert_int_equal(e.info.task_bytes, sizeof(Task));
    assert_int_equal(e.info.max_episode_steps, 20);
    assert_true(e.info.reward_min == 0.0 && e.info.reward_max == 1.0);
    // size and horizon change what describe reports, the two flags do not
    assert_int_equal(e.api->params[P_SIZE].flags, MRL_PARAM_SHAPE);
    assert_int_equal(e.api->params[P_HORIZON].flags, MRL_PARAM_SHAPE);
    assert_int_equal(e.api->params[P_RANDOM_START].flags, 0);
    assert_int_equal(e.api->params[P_TERMINATE].flags, 0);
    assert_true(e.api->params[P_SIZE].def == 9 && e.api->params[P_HORIZON].def == 20);
    MrlEnvInfo info;
    assert_int_equal(e.api->n_params, N_PARAMS); // describe reads every parameter
    double p[N_PARAMS] = {13, 50, 0, 0, 0};
    assert_int_equal(e.api->describe(&info, p, e.err), MRL_OK);
    assert_int_equal(info.obs.n, 169);
    assert_int_equal(info.max_episode_steps, 50);
    p[P_SIZE] = 2;
    assert_int_equal(e.api->describe(&info, p, e.err), MRL_EINVAL);
    assert_non_null(strstr(e.err, "size"));
    p[P_SIZE] = 9.5;
    assert_int_equal(e.api->describe(&info, p, e.err), MRL_EINVAL);
    p[P_SIZE] = 9;
    p[P_HORIZON] = 0;
    assert_int_equal(e.api->describe(&info, p, e.err), MRL_EINVAL);
    assert_non_null(strstr(e.err, "horizon"));
    test_env_close(&e);
}

// the goal is uniform over the 80 cells other than the centre; the task copies the params
static void test_dark_room_goal_distribution(void** state) {
    (void)state;
    TestEnv e;
    open_env(&e, 9, 33, 1, 0);
    const int n_tasks = 16000;
    int count[81] = {0};
    for (int i = 0; i < n_tasks; i++) {
        assert_int_equal(test_env_sample(&e, 1000 + (uint64_t)i), MRL_OK);
        const Task* t = e.task;
        assert_true(t->goal_row >= 0 && t->goal_row < 9 && t->goal_col >= 0 && t->goal_col < 9);
        assert_int_equal(t->size, 9);
        assert_int_equal(t->horizon, 33);
        assert_int_equal(t->random_start, 1);
        assert_int_equal(t->terminate, 0);
        count[t->goal_row * 9 + t->goal_col]++;
    }
    assert_int_equal(count[40], 0); // never the centre
    // 200 expected per cell, sd 14: every cell within 5 sd; chi-square over 79 dof
    double chi2 = 0.0;
    for (int c = 0; c < 81; c++) {
        if (c == 40) {
            continue;
        }
        assert_true(fabs(count[c] - 200.0) < 5 * 14.1);
        chi2 += (count[c] - 200.0) * (count[c] - 200.0) / 200.0;
    }
    assert_true(chi2 < 130.0); // P(chi2_79 > 130) < 1e-4
    // an even side: the centre is (G/2, G/2) = (2, 2) of 4 x 4
    test_env_close(&e);
    open_env(&e, 4, 20, 0, 0);
    int seen[16] = {0};
    for (int i = 0; i < 2000; i++) {
        assert_int_equal(test_env_sample(&e, (uint64_t)i), MRL_OK);
        const Task* t = e.task;
        seen[t->goal_row * 4 + t->goal_col]++;
    }
    for (int c = 0; c < 16; c++) {
        assert_true(c == 10 ? seen[c] == 0 : seen[c] > 0);
    }
    test_env_close(&e);
}

// configs/dark_room.yaml: the held-out goals never appear in training, and training covers
// every other goal, also when the training set has other start, horizon or end parameters
// than the test set (the config itself trains on random starts)
static void check_config_heldout_goals(const char* const* overrides, int n_overrides) {
    MrlRun run;
    char path[2048], err[MRL_MSG_MAX];
    snprintf(path, sizeof path, "%s/configs/dark_room.yaml", MRL_SOURCE_DIR);
    int rc = mrl_run_open(&run, path, overrides, n_overrides, err);
    if (rc != MRL_OK) {
        fail_msg("%s", err);
    }
    assert_int_equal(run.cfg->run.episodes, 4);
    const MrlTaskSet* test = &run.tests[0];
    assert_int_equal(test->count, 20);
    int held[81] = {0}, trained[81] = {0};
    Task t;
    double params[MRL_MAX_PARAMS];
    uint64_t fp;
    for (int64_t i = 0; i < test->count; i++) {
        assert_int_equal(mrl_taskset_get(test, i, &t, params, &fp, err), MRL_OK);
        held[t.goal_row * 9 + t.goal_col] = 1;
    }
    int n_held = 0;
    for (int c = 0; c < 81; c++) {
        n_held += held[c];
    }
    assert_int_equal(n_held, 20);         // the figure quoted in the config and docs
    assert_int_equal(run.train.count, 0); // an endless stream over the other goals
    for (int64_t i = 0; i < 3000; i++) {
        assert_int_equal(mrl_taskset_get(&run.train, i, &t, params, &fp, err), MRL_OK);
        int c = t.goal_row * 9 + t.goal_col;
        assert_false(held[c]);
        trained[c] = 1;
    }
    for (int c = 0; c < 81; c++) {
        assert_int_equal(trained[c] + held[c], c == 40 ? 0 : 1);
    }
    mrl_run_close(&run);
}

static void test_dark_room_config_heldout_goals(void** state) {
    (void)state;
    check_config_heldout_goals(NULL, 0);
    const char* ov[] = {"tasks.train.params={random_start: true, horizon: 50, "
                        "terminate_at_goal: {choice: [true, false]}}"};
    check_config_heldout_goals(ov, 1);
}

// a task's fingerprint is its goal cell and grid size, nothing else
static void test_dark_room_fingerprint_is_the_goal(void** state) {
    (void)state;
    TestEnv e;
    open_env(&e, 9, 100, 0, 0);
    const MrlEnvApi* api = e.api;
    assert_non_null(api->task_fingerprint);
    Task a = {2, 3, 9, 100, 0, 0}, b = {2, 3, 9, 20, 1, 1};
    assert_true(api->task_fingerprint(&a, e.params) == api->task_fingerprint(&b, e.params));
    uint64_t seen[81];
    for (int c = 0; c < 81; c++) {
        Task t = {c / 9, c % 9, 9, 100, 0, 0};
        seen[c] = api->task_fingerprint(&t, e.params);
        for (int d = 0; d < c; d++) {
            assert_true(seen[d] != seen[c]);
        }
    }
    Task other = {2, 3, 7, 100, 0, 0}; // the same cell on another grid is another task
    assert_true(api->task_fingerprint(&a, e.params) != api->task_fingerprint(&other, e.params));
    test_env_close(&e);
}

// moves, walls, observations, the reward on every step on the goal, truncation at the horizon
static void test_dark_room_rewards_and_truncation(void** state) {
    (void)state;
    TestEnv e;
    open_env(&e, 9, 20, 0, 0);
    set_goal(&e, 4, 6);
    MrlRng rng;
    mrl_rng_seed(&rng, 1, 1);
    assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
    assert_true(e.obs[0] == 40.0f); // the centre
    // (action, expected cell, expected reward)
    const int plan[20][3] = {
        {RIGHT, 41, 0}, {RIGHT, 42, 1}, {STAY, 42, 1}, {LEFT, 41, 0}, {RIGHT, 42, 1},
        {UP, 33, 0},    {UP, 24, 0},    {UP, 15, 0},   {UP, 6, 0},    {UP, 6, 0}, // wall
        {RIGHT, 7, 0},  {RIGHT, 8, 0},  {RIGHT, 8, 0}, {DOWN, 17, 0}, {DOWN, 26, 0},
        {DOWN, 35, 0},  {LEFT, 34, 0},  {DOWN, 43, 0}, {LEFT, 42, 1}, {STAY, 42, 1},
    };
    double ret = 0.0;
    for (int i = 0; i < 20; i++) {
        assert_int_equal(test_env_step(&e, (float)plan[i][0], &rng), MRL_OK);
        assert_true(e.obs[0] == (float)plan[i][1]);
        assert_true(e.reward == (float)plan[i][2]);
        assert_int_equal(e.term, MRL_TERM_NONE); // the goal never ends the episode
        assert_int_equal(e.trunc, i == 19);
        ret += e.reward;
    }
    assert_true(ret == 5.0);
    assert_int_equal(test_env_step(&e, STAY, &rng), MRL_ESTATE); // the episode is over
    // the bottom-left corner holds against down and left
    assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(test_env_step(&e, (float)(i % 2 ? LEFT : DOWN), &rng), MRL_OK);
    }
    assert_true(e.obs[0] == 64.0f); // (7, 1)
    for (int i = 0; i < 8; i++) {
        assert_int_equal(test_env_step(&e, (float)(i % 2 ? LEFT : DOWN), &rng), MRL_OK);
    }
    assert_true(e.obs[0] == 72.0f); // (8, 0)
    test_env_close(&e);
}

// `obs: xy`: the same moves and rewards, observed as (row, col) scaled to [-1, 1]
static void test_dark_room_xy_observation(void** state) {
    (void)state;
    TestEnv e;
    const double p[5] = {9, 12, 0, 0, 1};
    assert_int_equal(test_env_open(&e, "dark_room", p, 5), MRL_OK);
    assert_int_equal(e.api->params[P_OBS].flags, MRL_PARAM_SHAPE);
    assert_int_equal(e.info.obs.kind, MRL_SPACE_BOX);
    assert_int_equal(e.info.obs.n, 2);
    assert_true(e.info.obs.low == -1.0f && e.info.obs.high == 1.0f);
    assert_int_equal(e.info.task_bytes, sizeof(Task)); // the task does not change
    set_goal(&e, 4, 6);
    MrlRng rng;
    mrl_rng_seed(&rng, 1, 1);
    assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
    assert_true(e.obs[0] == 0.0f && e.obs[1] == 0.0f); // the centre
    // (action, row, col, reward); a step of one cell is 0.25 on a 9 x 9 grid
    const int plan[12][4] = {
        {RIGHT, 4, 5, 0}, {RIGHT, 4, 6, 1}, {STAY, 4, 6, 1}, {UP, 3, 6, 0},
        {UP, 2, 6, 0},    {UP, 1, 6, 0},    {UP, 0, 6, 0},   {UP, 0, 6, 0}, // wall
        {RIGHT, 0, 7, 0}, {RIGHT, 0, 8, 0}, {RIGHT, 0, 8, 0}, {LEFT, 0, 7, 0},
    };
    for (int i = 0; i < 12; i++) {
        assert_int_equal(test_env_step(&e, (float)plan[i][0], &rng), MRL_OK);
        assert_true(e.obs[0] == (float)plan[i][1] * 0.25f - 1.0f);
        assert_true(e.obs[1] == (float)plan[i][2] * 0.25f - 1.0f);
        assert_true(e.reward == (float)plan[i][3]);
        assert_int_equal(e.trunc, i == 11);
    }
    assert_true(e.obs[0] == -1.0f && e.obs[1] == 0.75f);
    // and the conformance checker passes the plugin in this mode (ctest checks the defaults)
    MrlConformReport rep;
    int rc = mrl_conform_check(e.api, "dark_room", p, &rep);
    if (rc != MRL_OK) {
        mrl_conform_print(stderr, &rep, 0);
    }
    assert_int_equal(rc, MRL_OK);
    assert_int_equal(rep.n_failed, 0);
    test_env_close(&e);
}

static void test_dark_room_terminate_at_goal(void** state) {
    (void)state;
    TestEnv e;
    open_env(&e, 9, 20, 0, 1);
    set_goal(&e, 2, 4);
    MrlRng rng;
    mrl_rng_seed(&rng, 1, 1);
    assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
    assert_int_equal(test_env_step(&e, UP, &rng), MRL_OK);
    assert_true(e.reward == 0.0f);
    assert_int_equal(e.term, MRL_TERM_NONE);
    assert_int_equal(test_env_step(&e, UP, &rng), MRL_OK);
    assert_true(e.reward == 1.0f);
    assert_int_equal(e.term, MRL_TERM_SUCCESS);
    assert_int_equal(e.trunc, 0);
    assert_int_equal(test_env_step(&e, STAY, &rng), MRL_ESTATE);
    // reaching the goal on the last step: termination, not truncation
    test_env_close(&e);
    open_env(&e, 9, 2, 0, 1);
    set_goal(&e, 2, 4);
    assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
    assert_int_equal(test_env_step(&e, UP, &rng), MRL_OK);
    assert_int_equal(e.trunc, 0);
    assert_int_equal(test_env_step(&e, UP, &rng), MRL_OK);
    assert_int_equal(e.term, MRL_TERM_SUCCESS);
    assert_int_equal(e.trunc, 0);
    // missing it: truncation at the horizon
    assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
    assert_int_equal(test_env_step(&e, DOWN, &rng), MRL_OK);
    assert_int_equal(test_env_step(&e, DOWN, &rng), MRL_OK);
    assert_int_equal(e.term, MRL_TERM_NONE);
    assert_int_equal(e.trunc, 1);
    test_env_close(&e);
}

// random starts: uniform over all cells, drawn from the episode stream; fixed: the centre
static void test_dark_room_random_start(void** state) {
    (void)state;
    TestEnv e;
    open_env(&e, 9, 20, 1, 0);
    set_goal(&e, 0, 0);
    int count[81] = {0};
    const int n = 16200;
    MrlRng rng;
    mrl_rng_seed(&rng, 3, 3);
    for (int i = 0; i < n; i++) {
        assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
        float o = e.obs[0];
        assert_true(o >= 0.0f && o < 81.0f && o == floorf(o));
        count[(int)o]++;
    }
    for (int c = 0; c < 81; c++) {
        assert_true(fabs(count[c] - 200.0) < 5 * 14.1); // 200 expected, sd 14
    }
    // the same stream gives the same start
    MrlRng a, b;
    mrl_rng_seed(&a, 77, 1);
    mrl_rng_seed(&b, 77, 1);
    assert_int_equal(test_env_reset(&e, &a), MRL_OK);
    float first = e.obs[0];
    assert_int_equal(test_env_reset(&e, &b), MRL_OK);
    assert_true(e.obs[0] == first);
    // starting on the goal: staying pays every step
    Task* t = e.task;
    t->goal_row = (int32_t)first / 9;
    t->goal_col = (int32_t)first % 9;
    mrl_rng_seed(&a, 77, 1);
    assert_int_equal(test_env_reset(&e, &a), MRL_OK);
    double ret = 0.0;
    for (int i = 0; i < 20; i++) {
        assert_int_equal(test_env_step(&e, STAY, &a), MRL_OK);
        ret += e.reward;
    }
    assert_true(ret == 20.0);
    test_env_close(&e);
    open_env(&e, 9, 20, 0, 0);
    set_goal(&e, 0, 0);
    for (int i = 0; i < 100; i++) {
        assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
        assert_true(e.obs[0] == 40.0f);
    }
    test_env_close(&e);
}

// the uniform random policy: simulated return against an exact dynamic programme over
// the distribution of the agent's cell (walls keep the agent in place)
static void test_dark_room_random_policy_exact(void** state) {
    (void)state;
    const int g = 9, horizon = 20, goal = 2 * 9 + 7;
    double p[81] = {0}, q[81];
    p[40] = 1.0;
    double expected = 0.0;
    for (int t = 0; t < horizon; t++) {
        memset(q, 0, sizeof q);
        for (int c = 0; c < 81; c++) {
            int r = c / g, col = c % g;
            const int to[5] = {r > 0 ? c - g : c, r < g - 1 ? c + g : c, col > 0 ? c - 1 : c,
                               col < g - 1 ? c + 1 : c, c};
            for (int a = 0; a < 5; a++) {
                q[to[a]] += p[c] / 5.0;
            }
        }
        memcpy(p, q, sizeof p);
        expected += p[goal];
    }
    TestEnv e;
    open_env(&e, 9, 20, 0, 0);
    set_goal(&e, 2, 7);
    MrlRng rng, arng;
    mrl_rng_seed(&rng, 5, 5);
    mrl_rng_seed(&arng, 6, 6);
    const int n = 40000;
    double sum = 0.0, sum2 = 0.0;
    for (int i = 0; i < n; i++) {
        assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
        double ret = 0.0;
        do {
            assert_int_equal(test_env_step(&e, (float)mrl_rng_below(&arng, 5), &rng), MRL_OK);
            ret += e.reward;
        } while (!e.trunc);
        sum += ret;
        sum2 += ret * ret;
    }
    double mean = sum / n, se = sqrt((sum2 / n - mean * mean) / n);
    print_message("random policy, goal (2, 7): %.4f (exact %.4f, se %.4f)\n", mean, expected, se);
    assert_true(expected > 0.05);
    assert_true(fabs(mean - expected) < 5.0 * se);
    test_env_close(&e);
}

// follows the oracle to the end of an episode; checks that every value/steps it reported
// is what the rest of the episode then earned
static void follow_oracle(TestEnv* e, MrlRng* rng) {
    assert_int_equal(test_env_reset(e, rng), MRL_OK);
    double values[64], steps[64], rewards[64];
    int n = 0;
    MrlOracleInfo info;
    for (;;) {
        assert_int_equal(test_env_oracle(e, &info), MRL_OK);
        assert_int_equal(info.valid, MRL_ORACLE_VALUE | MRL_ORACLE_STEPS | MRL_ORACLE_ACTION);
        values[n] = info.value;
        steps[n] = info.steps;
        assert_int_equal(test_env_step(e, e->act[0], rng), MRL_OK);
        rewards[n++] = e->reward;
        if (e->term || e->trunc) {
            break;
        }
    }
    for (int i = 0; i < n; i++) {
        double rest = 0.0, first = INFINITY;
        for (int j = i; j < n; j++) {
            rest += rewards[j];
            if (rewards[j] > 0.0 && isinf(first)) {
                first = j - i + 1;
            }
        }
        assert_true(values[i] == rest);
        assert_true(steps[i] == first);
    }
    assert_int_equal(test_env_oracle(e, &info), MRL_OK); // after the end: nothing left
    assert_int_equal(info.valid, MRL_ORACLE_VALUE | MRL_ORACLE_STEPS);
    assert_true(info.value == 0.0 && info.steps == 0.0);
}

static void test_dark_room_oracle_exact(void** state) {
    (void)state;
    for (int mode = 0; mode < 4; mode++) {
        int random_start = mode & 1, terminate = mode >> 1;
        TestEnv e;
        open_env(&e, 9, 20, random_start, terminate);
        MrlRng rng;
        mrl_rng_seed(&rng, 11, (uint64_t)mode);
        for (int cell = 0; cell < 81; cell++) {
            if (cell == 40) {
                continue;
            }
            set_goal(&e, cell / 9, cell % 9);
            follow_oracle(&e, &rng);
        }
        test_env_close(&e);
    }
    // the figures themselves: goal (0, 0) from the centre is 8 steps away
    TestEnv e;
    open_env(&e, 9, 20, 0, 0);
    set_goal(&e, 0, 0);
    MrlRng rng;
    mrl_rng_seed(&rng, 1, 1);
    assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
    MrlOracleInfo info;
    assert_int_equal(test_env_oracle(&e, &info), MRL_OK);
    assert_true(info.value == 13.0 && info.steps == 8.0); // rewards on steps 8..20
    assert_true(e.act[0] == (float)UP);
    test_env_close(&e);
    // out of reach within the horizon: value 0, steps INFINITY, still heads for the goal
    open_env(&e, 9, 5, 0, 0);
    set_goal(&e, 8, 8);
    assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
    assert_int_equal(test_env_oracle(&e, &info), MRL_OK);
    assert_true(info.value == 0.0 && isinf(info.steps));
    assert_true(e.act[0] == (float)DOWN);
    follow_oracle(&e, &rng);
    test_env_close(&e);
}

static void test_dark_room_rejects_bad_calls(void** state) {
    (void)state;
    TestEnv e;
    open_env(&e, 9, 20, 0, 0);
    set_goal(&e, 0, 0);
    MrlRng rng;
    mrl_rng_seed(&rng, 1, 1);
    MrlOracleInfo info;
    assert_int_equal(test_env_step(&e, STAY, &rng), MRL_ESTATE); // before reset
    assert_int_equal(test_env_oracle(&e, &info), MRL_ESTATE);
    const float bad[5] = {-1.0f, 5.0f, 2.5f, NAN, INFINITY};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
        e.err[0] = '\0';
        assert_int_equal(test_env_step(&e, bad[i], &rng), MRL_EINVAL);
        assert_non_null(strstr(e.err, "stay"));
    }
    test_env_close(&e);
}

static void test_dark_room_render(void** state) {
    (void)state;
    TestEnv e;
    open_env(&e, 5, 20, 0, 0);
    set_goal(&e, 0, 3);
    MrlRng rng;
    mrl_rng_seed(&rng, 1, 1);
    char buf[512];
    assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
    assert_int_equal(test_env_step(&e, UP, &rng), MRL_OK);
    assert_int_equal(e.api->render_text(e.state, buf, sizeof buf, e.err), MRL_OK);
    assert_string_equal(buf, "dark_room 5x5 t=1/20 return=0\n"
                             "#######\n"
                             "#...G.#\n"
                             "#..A..#\n"
                             "#.....#\n"
                             "#.....#\n"
                             "#.....#\n"
                             "#######\n");
    assert_int_equal(test_env_step(&e, UP, &rng), MRL_OK);
    assert_int_equal(test_env_step(&e, RIGHT, &rng), MRL_OK);
    assert_int_equal(e.api->render_text(e.state, buf, sizeof buf, e.err), MRL_OK);
    assert_non_null(strstr(buf, "return=1\n"));
    assert_non_null(strstr(buf, "#...*.#\n"));
    // a small buffer is truncated, never overrun
    memset(buf, 'x', sizeof buf);
    assert_int_equal(e.api->render_text(e.state, buf, 40, e.err), MRL_OK);
    assert_int_equal(strlen(buf), 39);
    assert_true(buf[40] == 'x');

    // RGB: 8 x 8 pixels per cell, both views; the agent red, the goal green
    int32_t w = 0, h = 0;
    for (int32_t view = MRL_VIEW_FIRST_PERSON; view <= MRL_VIEW_TOP_DOWN; view++) {
        assert_int_equal(e.api->render_size(&w, &h, e.params, view, e.err), MRL_OK);
        assert_int_equal(w, 40);
        assert_int_equal(h, 40);
    }
    assert_int_equal(e.api->render_size(&w, &h, e.params, 7, e.err), MRL_EINVAL);
    uint8_t rgb[40 * 40 * 3];
    assert_int_equal(test_env_step(&e, DOWN, &rng), MRL_OK); // agent (1, 3), goal (0, 3)
    assert_int_equal(e.api->render_rgb(e.state, rgb, MRL_VIEW_TOP_DOWN, e.err), MRL_OK);
    const uint8_t* agent = rgb + ((size_t)(1 * 8 + 4) * 40 + (3 * 8 + 4)) * 3;
    const uint8_t* goal = rgb + ((size_t)(0 * 8 + 4) * 40 + (3 * 8 + 4)) * 3;
    const uint8_t* floor_px = rgb + ((size_t)(4 * 8 + 4) * 40 + (0 * 8 + 4)) * 3;
    assert_true(agent[0] > 200 && agent[1] < 100);
    assert_true(goal[1] > 150 && goal[0] < 100);
    assert_true(floor_px[0] < 40 && floor_px[1] < 40 && floor_px[2] < 40);
    uint8_t rgb2[40 * 40 * 3];
    assert_int_equal(e.api->render_rgb(e.state, rgb2, MRL_VIEW_FIRST_PERSON, e.err), MRL_OK);
    assert_memory_equal(rgb, rgb2, sizeof rgb);
    test_env_close(&e);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dark_room_describe),
        cmocka_unit_test(test_dark_room_goal_distribution),
        cmocka_unit_test(test_dark_room_config_heldout_goals),
        cmocka_unit_test(test_dark_room_fingerprint_is_the_goal),
        cmocka_unit_test(test_dark_room_rewards_and_truncation),
        cmocka_unit_test(test_dark_room_xy_observation),
        cmocka_unit_test(test_dark_room_terminate_at_goal),
        cmocka_unit_test(test_dark_room_random_start),
        cmocka_unit_test(test_dark_room_random_policy_exact),
        cmocka_unit_test(test_dark_room_oracle_exact),
        cmocka_unit_test(test_dark_room_rejects_bad_calls),
        cmocka_unit_test(test_dark_room_render),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
