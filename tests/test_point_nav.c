// test_point_nav.c — behaviour of plugins/point_nav: spaces and reward bounds per mode, the
// goal distributions (half circle, disc), held-out goals of configs/point_nav.yaml disjoint
// from training, the continuous action (refusal outside [-1, 1]^2, norm clipping, the
// arena), dense and sparse rewards, termination and truncation, the oracle against the
// returns its own actions earn, rendering.
//   ctest -R point_nav    or    CMOCKA_TEST_FILTER=test_point_nav_oracle*
//   ./build/tests/test_point_nav
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "metarl/run.h"
#include "support/plugin_instance.h"

#define PI 3.14159265358979323846

// parameter order of the plugin's table
enum { P_HORIZON, P_MAX_STEP, P_GOAL_REGION, P_GOAL_RADIUS, P_REWARD, P_TERMINATE };
enum { HALF_CIRCLE, DISC };
enum { DENSE, SPARSE };

// the plugin's task layout (point_nav.c), written by hand in tests
typedef struct Task {
    double goal_x, goal_y, max_step, goal_radius;
    int32_t horizon, reward, terminate, region;
} Task;

static void open_env(TestEnv* e, int horizon, double max_step, int region, int reward,
                     int terminate) {
    const double p[6] = {horizon, max_step, region, 0.2, reward, terminate};
    assert_int_equal(test_env_open(e, "point_nav", p, 6), MRL_OK);
}

static Task* set_goal(TestEnv* e, double x, double y) {
    Task* t = e->task;
    t->goal_x = x;
    t->goal_y = y;
    t->max_step = e->params[P_MAX_STEP];
    t->goal_radius = e->params[P_GOAL_RADIUS];
    t->horizon = (int32_t)e->params[P_HORIZON];
    t->reward = (int32_t)e->params[P_REWARD];
    t->terminate = e->params[P_TERMINATE] != 0.0;
    t->region = (int32_t)e->params[P_GOAL_REGION];
    return t;
}

static int step2(TestEnv* e, float a0, float a1, MrlRng* rng) {
    e->act[0] = a0;
    e->act[1] = a1;
    return e->api->step(e->state, e->obs, &e->reward, &e->term, &e->trunc, e->act, rng, e->err);
}

static void test_point_nav_describe(void** state) {
    (void)state;
    TestEnv e;
    open_env(&e, 100, 0.1, HALF_CIRCLE, DENSE, 0);
    assert_int_equal(e.info.obs.kind, MRL_SPACE_BOX);
    assert_int_equal(e.info.obs.n, 2);
    assert_true(e.info.obs.low == -2.0f && e.info.obs.high == 2.0f);
    assert_int_equal(e.info.action.kind, MRL_SPACE_BOX);
    assert_int_equal(e.info.action.n, 2);
    assert_int_equal(e.info.action.ndim, 1);
    assert_true(e.info.action.low == -1.0f && e.info.action.high == 1.0f);
    assert_int_equal(e.info.task_bytes, sizeof(Task));
    assert_int_equal(e.info.max_episode_steps, 100);
    assert_true(e.info.reward_min == -4.0 && e.info.reward_max == 0.0);
    // the reward mode sets the declared bounds, so it is a shape parameter
    assert_int_equal(e.api->params[P_REWARD].flags, MRL_PARAM_SHAPE);
    assert_int_equal(e.api->params[P_HORIZON].flags, MRL_PARAM_SHAPE);
    assert_int_equal(e.api->params[P_MAX_STEP].flags, 0);
    assert_int_equal(e.api->params[P_GOAL_REGION].flags, 0);
    assert_string_equal(e.api->params[P_GOAL_REGION].choices[1], "disc");
    assert_string_equal(e.api->params[P_REWARD].choices[1], "sparse");
    assert_true(e.api->params[P_GOAL_RADIUS].def == 0.2 && e.api->params[P_MAX_STEP].def == 0.1);
    MrlEnvInfo info;
    double p[6] = {50, 0.1, 0, 0.2, SPARSE, 0};
    assert_int_equal(e.api->describe(&info, p, e.err), MRL_OK);
    assert_true(info.reward_min == 0.0 && info.reward_max == 1.0);
    assert_int_equal(info.max_episode_steps, 50);
    p[P_HORIZON] = 0;
    assert_int_equal(e.api->describe(&info, p, e.err), MRL_EINVAL);
    assert_non_null(strstr(e.err, "horizon"));
    test_env_close(&e);
}

static void test_point_nav_goal_half_circle(void** state) {
    (void)state;
    TestEnv e;
    open_env(&e, 77, 0.05, HALF_CIRCLE, SPARSE, 1);
    const int n = 8000;
    int quarter[4] = {0};
    for (int i = 0; i < n; i++) {
        assert_int_equal(test_env_sample(&e, 300 + (uint64_t)i), MRL_OK);
        const Task* t = e.task;
        assert_true(fabs(hypot(t->goal_x, t->goal_y) - 1.0) < 1e-12);
        assert_true(t->goal_y >= 0.0);
        double a = atan2(t->goal_y, t->goal_x); // in [0, pi]
        quarter[(int)fmin(3.0, floor(a / (PI / 4)))]++;
        assert_true(t->max_step == 0.05 && t->goal_radius == 0.2);
        assert_int_equal(t->horizon, 77);
        assert_int_equal(t->reward, SPARSE);
        assert_int_equal(t->terminate, 1);
        assert_int_equal(t->region, HALF_CIRCLE);
    }
    for (int q = 0; q < 4; q++) { // the angle is uniform: 2000 each, sd 39
        assert_true(fabs(quarter[q] - 2000.0) < 5 * 38.8);
    }
    test_env_close(&e);
}

static void test_point_nav_goal_disc(void** state) {
    (void)state;
    TestEnv e;
    open_env(&e, 100, 0.1, DISC, DENSE, 0);
    const int n = 8000;
    int inner = 0, quadrant[4] = {0};
    double sx = 0.0, sy = 0.0;
    for (int i = 0; i < n; i++) {
        assert_int_equal(test_env_sample(&e, 900 + (uint64_t)i), MRL_OK);
        const Task* t = e.task;
        double r = hypot(t->goal_x, t->goal_y);
        assert_true(r <= 1.0);
        inner += r < 0.5;
        quadrant[(t->goal_x >= 0) + 2 * (t->goal_y >= 0)]++;
        sx += t->goal_x;
        sy += t->goal_y;
        assert_int_equal(t->region, DISC);
    }
    // uniform over the disc: a quarter of the area within r < 1/2 (sd 39), equal quadrants
    assert_true(fabs(inner - 2000.0) < 5 * 38.8);
    for (int q = 0; q < 4; q++) {
        assert_true(fabs(quadrant[q] - 2000.0) < 5 * 38.8);
    }
    assert_true(fabs(sx / n) < 0.025 && fabs(sy / n) < 0.025); // sd of the mean 0.0056
    test_env_close(&e);
}

// configs/point_nav.yaml: the 100 held-out goals are not among the 200 training goals
static void test_point_nav_config_heldout_goals(void** state) {
    (void)state;
    MrlRun run;
    char path[2048], err[MRL_MSG_MAX];
    snprintf(path, sizeof path, "%s/configs/point_nav.yaml", MRL_SOURCE_DIR);
    int rc = mrl_run_open(&run, path, NULL, 0, err);
    if (rc != MRL_OK) {
        fail_msg("%s", err);
    }
    assert_int_equal(run.cfg->run.episodes, 4);
    assert_int_equal(run.tests[0].count, 100);
    assert_int_equal(run.train.count, 200);
    assert_int_equal(mrl_taskset_check_disjoint(&run.train, &run.tests[0], err), MRL_OK);
    Task a, b;
    double params[MRL_MAX_PARAMS];
    uint64_t fp;
    for (int64_t i = 0; i < run.tests[0].count; i++) {
        assert_int_equal(mrl_taskset_get(&run.tests[0], i, &a, params, &fp, err), MRL_OK);
        assert_int_equal(a.reward, SPARSE);
        assert_int_equal(a.horizon, 100);
        for (int64_t j = 0; j < run.train.count; j++) {
            assert_int_equal(mrl_taskset_get(&run.train, j, &b, params, &fp, err), MRL_OK);
            assert_true(hypot(a.goal_x - b.goal_x, a.goal_y - b.goal_y) > 1e-9);
        }
    }
    mrl_run_close(&run);
}

// the action: refused outside [-1, 1]^2, scaled to norm 1 above it, moves max_step per unit
static void test_point_nav_action_clipping(void** state) {
    (void)state;
    TestEnv e;
    open_env(&e, 100, 0.1, HALF_CIRCLE, DENSE, 0);
    set_goal(&e, 0.0, 1.0);
    MrlRng rng;
    mrl_rng_seed(&rng, 1, 1);
    assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
    assert_true(e.obs[0] == 0.0f && e.obs[1] == 0.0f);
    // norm <= 1: moved as given
    assert_int_equal(step2(&e, 0.5f, 0.0f, &rng), MRL_OK);
    assert_true(fabsf(e.obs[0] - 0.05f) < 1e-7f && e.obs[1] == 0.0f);
    assert_int_equal(step2(&e, -0.5f, 0.25f, &rng), MRL_OK);
    assert_true(fabsf(e.obs[0]) < 1e-7f && fabsf(e.obs[1] - 0.025f) < 1e-7f);
    // (1, 1) has norm sqrt 2: scaled to a step of exactly max_step along the diagonal
    assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
    assert_int_equal(step2(&e, 1.0f, 1.0f, &rng), MRL_OK);
    assert_true(fabsf(e.obs[0] - 0.0707107f) < 1e-6f && fabsf(e.obs[1] - 0.0707107f) < 1e-6f);
    assert_true(fabs(hypot(e.obs[0], e.obs[1]) - 0.1) < 1e-7);
    // (-0.9, 0.8): norm 1.204
    assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
    assert_int_equal(step2(&e, -0.9f, 0.8f, &rng), MRL_OK);
    double n = hypot(-0.9, 0.8);
    assert_true(fabs(e.obs[0] - (-0.09 / n)) < 1e-7 && fabs(e.obs[1] - 0.08 / n) < 1e-7);
    // the arena: clamped at 2
    assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
    for (int i = 0; i < 30; i++) {
        assert_int_equal(step2(&e, 1.0f, -1.0f, &rng), MRL_OK);
    }
    assert_true(e.obs[0] == 2.0f && e.obs[1] == -2.0f);
    // outside [-1, 1] or not a number: refused, nothing moves
    const float bad[6][2] = {{1.0001f, 0.0f}, {0.0f, -1.5f}, {NAN, 0.0f},
                             {0.0f, NAN},     {INFINITY, 0}, {-2.0f, -2.0f}};
    for (int i = 0; i < 6; i++) {
        assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
        e.err[0] = '\0';
        assert_int_equal(step2(&e, bad[i][0], bad[i][1], &rng), MRL_EINVAL);
        assert_non_null(strstr(e.err, "outside [-1, 1]"));
    }
    test_env_close(&e);
}

static void test_point_nav_dense_reward(void** state) {
    (void)state;
    TestEnv e;
    open_env(&e, 100, 0.1, HALF_CIRCLE, DENSE, 0);
    set_goal(&e, 0.6, 0.8);
    MrlRng rng, arng;
    mrl_rng_seed(&rng, 1, 1);
    mrl_rng_seed(&arng, 2, 2);
    assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
    for (int i = 0; i < 100; i++) {
        float a0 = (float)(2.0 * mrl_rng_uniform(&arng) - 1.0);
        float a1 = (float)(2.0 * mrl_rng_uniform(&arng) - 1.0);
        assert_int_equal(step2(&e, a0, a1, &rng), MRL_OK);
        double d = hypot(e.obs[0] - 0.6, e.obs[1] - 0.8); // from the float observation
        assert_true(fabs(e.reward + d) < 1e-6);
        assert_true(e.reward <= 0.0f && e.reward >= -4.0f);
        assert_int_equal(e.term, MRL_TERM_NONE);
        assert_int_equal(e.trunc, i == 99);
    }
    assert_int_equal(step2(&e, 0.0f, 0.0f, &rng), MRL_ESTATE);
    test_env_close(&e);
}

// sparse: 1 for every step ending within 0.2 of the goal; 1 - 0.2 = 8 steps of 0.1 counts
static void test_point_nav_sparse_reward_and_flags(void** state) {
    (void)state;
    TestEnv e;
    open_env(&e, 100, 0.1, HALF_CIRCLE, SPARSE, 0);
    set_goal(&e, 1.0, 0.0);
    MrlRng rng;
    mrl_rng_seed(&rng, 1, 1);
    assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
    double ret = 0.0;
    for (int i = 1; i <= 100; i++) {
        // right for 10 steps (onto the goal), back left for 5, then stay
        float a0 = i <= 10 ? 1.0f : i <= 15 ? -1.0f : 0.0f;
        assert_int_equal(step2(&e, a0, 0.0f, &rng), MRL_OK);
        int inside = i >= 8 && i <= 12; // x = 0.8 .. 1.0 .. 0.8, then 0.7, 0.6, 0.5
        assert_true(e.reward == (inside ? 1.0f : 0.0f));
        assert_int_equal(e.term, MRL_TERM_NONE);
        assert_int_equal(e.trunc, i == 100);
        ret += e.reward;
    }
    assert_true(ret == 5.0);
    test_env_close(&e);

    // terminate_at_goal: the first step inside ends the episode as a success
    open_env(&e, 100, 0.1, HALF_CIRCLE, SPARSE, 1);
    set_goal(&e, 0.0, 1.0);
    assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
    for (int i = 1; i <= 8; i++) {
        assert_int_equal(step2(&e, 0.0f, 1.0f, &rng), MRL_OK);
        assert_int_equal(e.term, i == 8 ? MRL_TERM_SUCCESS : MRL_TERM_NONE);
        assert_true(e.reward == (i == 8 ? 1.0f : 0.0f));
        assert_int_equal(e.trunc, 0);
    }
    assert_int_equal(step2(&e, 0.0f, 1.0f, &rng), MRL_ESTATE);
    test_env_close(&e);
    // ... also on the horizon step, where it wins over truncation
    open_env(&e, 8, 0.1, HALF_CIRCLE, DENSE, 1);
    set_goal(&e, 0.0, 1.0);
    assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
    for (int i = 1; i <= 8; i++) {
        assert_int_equal(step2(&e, 0.0f, 1.0f, &rng), MRL_OK);
    }
    assert_int_equal(e.term, MRL_TERM_SUCCESS);
    assert_int_equal(e.trunc, 0);
    assert_true(fabsf(e.reward + 0.2f) < 1e-6f); // dense: minus the distance
    assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
    for (int i = 1; i <= 8; i++) {
        assert_int_equal(step2(&e, 0.0f, -1.0f, &rng), MRL_OK);
    }
    assert_int_equal(e.term, MRL_TERM_NONE);
    assert_int_equal(e.trunc, 1);
    test_env_close(&e);
}

// follows the oracle to the end of the episode; checks that every value/steps it reported
// is exactly what the rest of the episode then earned. Returns the episode's return.
static double follow_oracle(TestEnv* e, MrlRng* rng) {
    assert_int_equal(test_env_reset(e, rng), MRL_OK);
    enum { MAX = 512 };
    static double values[MAX], steps[MAX];
    static float rewards[MAX];
    static int in_goal[MAX];
    const Task* t = e->task;
    int n = 0;
    MrlOracleInfo info;
    for (;;) {
        assert_true(n < MAX);
        assert_int_equal(test_env_oracle(e, &info), MRL_OK);
        assert_int_equal(info.valid, MRL_ORACLE_VALUE | MRL_ORACLE_STEPS | MRL_ORACLE_ACTION);
        assert_true(fabsf(e->act[0]) <= 1.0f && fabsf(e->act[1]) <= 1.0f);
        values[n] = info.value;
        steps[n] = info.steps;
        assert_int_equal(step2(e, e->act[0], e->act[1], rng), MRL_OK);
        // inside the goal radius, measured independently from the float observation
        in_goal[n] = hypot(e->obs[0] - t->goal_x, e->obs[1] - t->goal_y) <= t->goal_radius + 1e-6;
        rewards[n++] = e->reward;
        if (e->term || e->trunc) {
            break;
        }
    }
    for (int i = 0; i < n; i++) {
        double rest = 0.0, first = INFINITY;
        for (int j = i; j < n; j++) {
            rest += (double)rewards[j];
            if (in_goal[j] && isinf(first)) {
                first = j - i + 1;
            }
        }
        assert_true(values[i] == rest);
        assert_true(steps[i] == first);
    }
    assert_int_equal(test_env_oracle(e, &info), MRL_OK);
    assert_int_equal(info.valid, MRL_ORACLE_VALUE | MRL_ORACLE_STEPS);
    assert_true(info.value == 0.0 && info.steps == 0.0);
    double ret = 0.0;
    for (int i = 0; i < n; i++) {
        ret += rewards[i];
    }
    return ret;
}

static void test_point_nav_oracle_exact(void** state) {
    (void)state;
    const double max_steps[3] = {0.1, 0.037, 0.5};
    for (int mode = 0; mode < 8; mode++) {
        int region = mode & 1, reward = (mode >> 1) & 1, terminate = mode >> 2;
        for (int m = 0; m < 3; m++) {
            TestEnv e;
            open_env(&e, 100, max_steps[m], region, reward, terminate);
            MrlRng rng;
            mrl_rng_seed(&rng, 3, (uint64_t)mode);
            for (int i = 0; i < 40; i++) {
                assert_int_equal(test_env_sample(&e, 50 + (uint64_t)i), MRL_OK);
                follow_oracle(&e, &rng);
            }
            test_env_close(&e);
        }
    }
    // the headline figure: sparse, half circle, defaults: inside after 8 steps, 93 of 100
    TestEnv e;
    open_env(&e, 100, 0.1, HALF_CIRCLE, SPARSE, 0);
    MrlRng rng;
    mrl_rng_seed(&rng, 1, 1);
    for (int i = 0; i < 200; i++) {
        assert_int_equal(test_env_sample(&e, 7000 + (uint64_t)i), MRL_OK);
        assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
        MrlOracleInfo info;
        assert_int_equal(test_env_oracle(&e, &info), MRL_OK);
        assert_true(info.value == 93.0 && info.steps == 8.0);
        // the first action points at the goal with (float-rounded) norm just above 1
        const Task* t = e.task;
        assert_true(fabs(e.act[0] - t->goal_x) < 1e-5 && fabs(e.act[1] - t->goal_y) < 1e-5);
        assert_true(follow_oracle(&e, &rng) == 93.0);
    }
    test_env_close(&e);
    // out of reach within the horizon: steps INFINITY, value 0 (sparse)
    open_env(&e, 5, 0.1, HALF_CIRCLE, SPARSE, 0);
    set_goal(&e, -1.0, 0.0);
    assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
    MrlOracleInfo info;
    assert_int_equal(test_env_oracle(&e, &info), MRL_OK);
    assert_true(info.value == 0.0 && isinf(info.steps));
    assert_true(e.act[0] == -1.0f && e.act[1] == 0.0f);
    assert_true(follow_oracle(&e, &rng) == 0.0);
    test_env_close(&e);
    // dense: the straight line beats any other path, e.g. a detour
    open_env(&e, 100, 0.1, HALF_CIRCLE, DENSE, 0);
    set_goal(&e, 0.0, 1.0);
    double best = follow_oracle(&e, &rng);
    assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
    double detour = 0.0;
    for (int i = 0; i < 100; i++) {
        assert_int_equal(step2(&e, 0.3f, 0.95f, &rng), MRL_OK);
        detour += e.reward;
    }
    assert_true(best > detour);
    test_env_close(&e);
}

static void test_point_nav_render(void** state) {
    (void)state;
    TestEnv e;
    open_env(&e, 100, 0.1, HALF_CIRCLE, SPARSE, 0);
    set_goal(&e, 0.0, 1.0);
    MrlRng rng;
    mrl_rng_seed(&rng, 1, 1);
    assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
    static char buf[4096];
    assert_int_equal(e.api->render_text(e.state, buf, sizeof buf, e.err), MRL_OK);
    assert_non_null(strstr(buf, "point_nav t=0/100 pos=(0.000, 0.000) goal=(0.000, 1.000) "
                                "dist=1.000 return=0.000\n"));
    // 21 rows of 41 characters: the goal at row 5 (y = 1), the agent at row 10 (y = 0),
    // column 20 (x = 0); the goal radius (0.2) covers rows 4 and 6 around it
    const char* grid = strchr(buf, '\n') + 1;
    assert_int_equal(strlen(grid), 21 * 42);
    assert_true(grid[5 * 42 + 20] == 'G');
    assert_true(grid[10 * 42 + 20] == 'A');
    assert_true(grid[4 * 42 + 20] == 'o' && grid[5 * 42 + 18] == 'o');
    assert_true(grid[0] == '.' && grid[41] == '\n');
    for (int i = 0; i < 4; i++) {
        assert_int_equal(step2(&e, 0.0f, -1.0f, &rng), MRL_OK);
    }
    assert_int_equal(e.api->render_text(e.state, buf, sizeof buf, e.err), MRL_OK);
    grid = strchr(buf, '\n') + 1;
    assert_true(grid[12 * 42 + 20] == 'A'); // y = -0.4: row 12
    assert_true(grid[10 * 42 + 20] == '+'); // the origin
    memset(buf, 'x', 64);
    assert_int_equal(e.api->render_text(e.state, buf, 30, e.err), MRL_OK);
    assert_int_equal(strlen(buf), 29);
    assert_true(buf[30] == 'x');

    int32_t w = 0, h = 0;
    assert_int_equal(e.api->render_size(&w, &h, e.params, MRL_VIEW_TOP_DOWN, e.err), MRL_OK);
    assert_int_equal(w, 128);
    assert_int_equal(h, 128);
    static uint8_t rgb[128 * 128 * 3], rgb2[128 * 128 * 3];
    assert_int_equal(e.api->render_rgb(e.state, rgb, MRL_VIEW_TOP_DOWN, e.err), MRL_OK);
    // pixel (px, py) shows x = -2 + (px + 0.5) / 32, y = 2 - (py + 0.5) / 32
    const uint8_t* agent = rgb + ((size_t)76 * 128 + 64) * 3;    // (0, -0.4)
    const uint8_t* goal = rgb + ((size_t)32 * 128 + 64) * 3;     // (0, 1)
    const uint8_t* floor_px = rgb + ((size_t)120 * 128 + 8) * 3; // (-1.7, -1.7)
    assert_true(agent[0] > 200 && agent[1] < 100);
    assert_true(goal[1] > 150 && goal[0] < 100);
    assert_true(floor_px[0] < 40 && floor_px[1] < 40);
    assert_int_equal(e.api->render_rgb(e.state, rgb2, MRL_VIEW_FIRST_PERSON, e.err), MRL_OK);
    assert_memory_equal(rgb, rgb2, sizeof rgb);
    assert_int_equal(e.api->render_size(&w, &h, e.params, 9, e.err), MRL_EINVAL);
    test_env_close(&e);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_point_nav_describe),
        cmocka_unit_test(test_point_nav_goal_half_circle),
        cmocka_unit_test(test_point_nav_goal_disc),
        cmocka_unit_test(test_point_nav_config_heldout_goals),
        cmocka_unit_test(test_point_nav_action_clipping),
        cmocka_unit_test(test_point_nav_dense_reward),
        cmocka_unit_test(test_point_nav_sparse_reward_and_flags),
        cmocka_unit_test(test_point_nav_oracle_exact),
        cmocka_unit_test(test_point_nav_render),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
