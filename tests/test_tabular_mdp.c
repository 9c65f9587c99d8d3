// test_tabular_mdp.c — behaviour of plugins/tabular_mdp: sizes, the task distribution
// (Normal(1,1) means, Dirichlet(1) rows), sampled transitions and reward noise, horizon
// truncation, value iteration against a hand-solved 2-state MDP and against Monte Carlo
// returns of the oracle policy, the random-policy figure (10 per episode), determinism.
//   ctest -R tabular_mdp    or    CMOCKA_TEST_FILTER=test_mdp_value* ./build/tests/test_tabular_mdp
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include "support/plugin_instance.h"

static void open_mdp(TestEnv* e, int S, int A, int H) {
    const double p[3] = {S, A, H};
    assert_int_equal(test_env_open(e, "tabular_mdp", p, 3), MRL_OK);
}

// task layout (see tabular_mdp.c): mean (S, A), then trans (S, A, S)
static double* mean_of(TestEnv* e) {
    return e->task;
}

static double* trans_of(TestEnv* e) {
    int S = e->info.obs.n, A = e->info.action.n;
    return (double*)e->task + (size_t)S * (size_t)A;
}

static void test_mdp_describe(void** state) {
    (void)state;
    TestEnv e;
    assert_int_equal(test_env_open(&e, "tabular_mdp", NULL, 0), MRL_OK); // RL² defaults
    assert_int_equal(e.info.obs.kind, MRL_SPACE_DISCRETE);
    assert_int_equal(e.info.obs.n, 10);
    assert_int_equal(e.info.action.kind, MRL_SPACE_DISCRETE);
    assert_int_equal(e.info.action.n, 5);
    assert_int_equal(e.info.max_episode_steps, 10);
    assert_int_equal(e.info.task_bytes, 8 * 10 * 5 * 11);
    assert_true(isinf(e.info.reward_min) && isinf(e.info.reward_max));
    for (int i = 0; i < 3; i++) {
        assert_int_equal(e.api->params[i].flags, MRL_PARAM_SHAPE);
    }
    test_env_close(&e);
    open_mdp(&e, 3, 2, 7);
    assert_int_equal(e.info.obs.n, 3);
    assert_int_equal(e.info.action.n, 2);
    assert_int_equal(e.info.max_episode_steps, 7);
    assert_int_equal(e.info.task_bytes, 8 * 3 * 2 * 4);
    MrlEnvInfo info;
    char err[MRL_ERR_MAX] = "";
    const double bad[3] = {0, 2, 7};
    assert_int_equal(e.api->describe(&info, bad, err), MRL_EINVAL);
    assert_non_null(strstr(err, "states"));
    test_env_close(&e);
}

static void test_mdp_task_distribution(void** state) {
    (void)state;
    TestEnv e;
    open_mdp(&e, 10, 5, 10);
    const int n_tasks = 500;
    double s1 = 0, s2 = 0, p1 = 0, p2 = 0;
    long n = 0, np = 0;
    for (int i = 0; i < n_tasks; i++) {
        assert_int_equal(test_env_sample(&e, 300 + (uint64_t)i), MRL_OK);
        const double* m = mean_of(&e);
        const double* P = trans_of(&e);
        for (int k = 0; k < 50; k++) {
            s1 += m[k];
            s2 += m[k] * m[k];
            n++;
            double row = 0.0;
            for (int j = 0; j < 10; j++) {
                double p = P[k * 10 + j];
                assert_true(p >= 0.0 && p <= 1.0);
                row += p;
                p1 += p;
                p2 += p * p;
                np++;
            }
            assert_true(fabs(row - 1.0) < 1e-12);
        }
    }
    double mean = s1 / n, var = s2 / n - mean * mean;
    // 25000 Normal(1, 1) draws: sd of the mean 0.0063, of the variance 0.009
    assert_true(fabs(mean - 1.0) < 0.03);
    assert_true(fabs(var - 1.0) < 0.05);
    // flat Dirichlet over 10: each entry has mean 0.1 and variance 9 / 1100
    double pm = p1 / np, pv = p2 / np - pm * pm;
    assert_true(fabs(pm - 0.1) < 1e-9);
    assert_true(fabs(pv - 9.0 / 1100.0) < 0.0004);
    test_env_close(&e);
}

// next states follow the row of P; rewards are Normal(mean, 1)
static void test_mdp_sampled_transitions_and_rewards(void** state) {
    (void)state;
    TestEnv e;
    open_mdp(&e, 3, 1, 1);
    const double mean[3] = {2.0, 0.0, 0.0};
    const double P[9] = {0.2, 0.3, 0.5, 1, 0, 0, 1, 0, 0};
    memcpy(mean_of(&e), mean, sizeof mean);
    memcpy(trans_of(&e), P, sizeof P);
    const int n = 40000;
    int count[3] = {0, 0, 0};
    double r1 = 0, r2 = 0;
    MrlRng rng;
    mrl_rng_seed(&rng, 11, 1);
    for (int i = 0; i < n; i++) {
        assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
        assert_true(e.obs[0] == 0.0f);
        assert_int_equal(test_env_step(&e, 0.0f, &rng), MRL_OK);
        int s = (int)e.obs[0];
        assert_true(s >= 0 && s < 3 && e.obs[0] == (float)s);
        count[s]++;
        r1 += e.reward;
        r2 += (double)e.reward * e.reward;
    }
    for (int j = 0; j < 3; j++) {
        double sd = sqrt(P[j] * (1 - P[j]) / n);
        assert_true(fabs((double)count[j] / n - P[j]) < 5 * sd);
    }
    double rm = r1 / n, rv = r2 / n - rm * rm;
    assert_true(fabs(rm - 2.0) < 0.03); // sd 0.005
    assert_true(fabs(rv - 1.0) < 0.05); // sd 0.007
    test_env_close(&e);
}

static void test_mdp_horizon_truncation(void** state) {
    (void)state;
    TestEnv e;
    open_mdp(&e, 4, 3, 7);
    assert_int_equal(test_env_sample(&e, 1), MRL_OK);
    MrlRng rng;
    mrl_rng_seed(&rng, 2, 2);
    assert_int_equal(test_env_step(&e, 0.0f, &rng), MRL_ESTATE); // before reset
    for (int ep = 0; ep < 3; ep++) {
        assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
        assert_true(e.obs[0] == 0.0f); // every episode starts in state 0
        for (int t = 1; t <= 7; t++) {
            assert_int_equal(test_env_step(&e, (float)(t % 3), &rng), MRL_OK);
            assert_int_equal(e.term, MRL_TERM_NONE);
            assert_int_equal(e.trunc, t == 7 ? 1 : 0);
        }
        assert_int_equal(test_env_step(&e, 0.0f, &rng), MRL_ESTATE); // after the end
    }
    const float bad[4] = {-1.0f, 3.0f, 0.5f, NAN};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
        assert_int_equal(test_env_step(&e, bad[i], &rng), MRL_EINVAL);
    }
    test_env_close(&e);
}

// S = 2, A = 2, H = 2, solved by hand:
//   R = [[1, 0.5], [0, 3]]; P(.|0,0) = (.5, .5), P(.|0,1) = (0, 1),
//   P(.|1,0) = (1, 0), P(.|1,1) = (.25, .75).
//   t = 1: V(0) = max(1, 0.5) = 1 (a 0); V(1) = max(0, 3) = 3 (a 1).
//   t = 0: Q(0,0) = 1 + .5*1 + .5*3 = 3, Q(0,1) = 0.5 + 3 = 3.5 -> V(0) = 3.5 (a 1);
//          Q(1,0) = 0 + 1 = 1, Q(1,1) = 3 + .25 + 2.25 = 5.5 -> V(1) = 5.5 (a 1).
static void set_hand_mdp(TestEnv* e) {
    const double R[4] = {1.0, 0.5, 0.0, 3.0};
    const double P[8] = {0.5, 0.5, 0.0, 1.0, 1.0, 0.0, 0.25, 0.75};
    memcpy(mean_of(e), R, sizeof R);
    memcpy(trans_of(e), P, sizeof P);
}

static void test_mdp_value_iteration_by_hand(void** state) {
    (void)state;
    TestEnv e;
    open_mdp(&e, 2, 2, 2);
    set_hand_mdp(&e);
    MrlRng rng;
    mrl_rng_seed(&rng, 3, 3);
    MrlOracleInfo info;
    assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
    assert_int_equal(test_env_oracle(&e, &info), MRL_OK);
    assert_int_equal(info.valid, MRL_ORACLE_VALUE | MRL_ORACLE_ACTION);
    assert_true(fabs(info.value - 3.5) < 1e-12);
    assert_true(e.act[0] == 1.0f);
    assert_int_equal(test_env_step(&e, 1.0f, &rng), MRL_OK); // (0, 1) -> state 1 surely
    assert_true(e.obs[0] == 1.0f);
    assert_int_equal(e.trunc, 0);
    assert_int_equal(test_env_oracle(&e, &info), MRL_OK);
    assert_true(fabs(info.value - 3.0) < 1e-12); // t = 1, state 1
    assert_true(e.act[0] == 1.0f);
    assert_int_equal(test_env_step(&e, 0.0f, &rng), MRL_OK);
    assert_int_equal(e.trunc, 1);
    assert_int_equal(test_env_oracle(&e, &info), MRL_OK);
    assert_int_equal(info.valid, MRL_ORACLE_VALUE);
    assert_true(info.value == 0.0);

    // reach t = 1 in state 0 through (0, 0) and check V(0) = 1 with action 0 there
    int seen = 0;
    for (int i = 0; i < 64 && !seen; i++) {
        assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
        assert_int_equal(test_env_step(&e, 0.0f, &rng), MRL_OK);
        if (e.obs[0] == 0.0f) {
            assert_int_equal(test_env_oracle(&e, &info), MRL_OK);
            assert_true(fabs(info.value - 1.0) < 1e-12);
            assert_true(e.act[0] == 0.0f);
            seen = 1;
        }
    }
    assert_true(seen);

    // following the oracle from the start earns 3.5 on average
    const int n = 40000;
    double total = 0.0;
    for (int i = 0; i < n; i++) {
        assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
        for (int t = 0; t < 2; t++) {
            assert_int_equal(test_env_oracle(&e, &info), MRL_OK);
            assert_int_equal(test_env_step(&e, e.act[0], &rng), MRL_OK);
            total += e.reward;
        }
    }
    assert_true(fabs(total / n - 3.5) < 0.04); // sd about 0.008
    test_env_close(&e);
}

// on sampled RL² tasks the oracle's value at reset is the mean return of its policy,
// and beats the random policy, which earns 10 per episode (100 per 10-episode trial)
static void test_mdp_oracle_and_random_returns(void** state) {
    (void)state;
    TestEnv e;
    open_mdp(&e, 10, 5, 10);
    const int n_tasks = 1000, n_eps = 10;
    MrlRng arng;
    mrl_rng_seed(&arng, 17, 4);
    double random_total = 0.0, oracle_total = 0.0, value_total = 0.0, random_sq = 0.0;
    MrlOracleInfo info;
    for (int i = 0; i < n_tasks; i++) {
        double before = random_total;
        assert_int_equal(test_env_sample(&e, 9000 + (uint64_t)i), MRL_OK);
        MrlRng rng;
        mrl_rng_seed(&rng, 123 + (uint64_t)i, 9);
        for (int ep = 0; ep < n_eps; ep++) {
            assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
            for (int t = 0; t < 10; t++) {
                assert_int_equal(test_env_step(&e, (float)mrl_rng_below(&arng, 5), &rng), MRL_OK);
                random_total += e.reward;
            }
            assert_int_equal(e.trunc, 1);
            assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
            assert_int_equal(test_env_oracle(&e, &info), MRL_OK);
            value_total += info.value;
            for (int t = 0; t < 10; t++) {
                assert_int_equal(test_env_oracle(&e, &info), MRL_OK);
                assert_int_equal(test_env_step(&e, e.act[0], &rng), MRL_OK);
                oracle_total += e.reward;
            }
        }
        random_sq += (random_total - before) * (random_total - before);
    }
    double random_trial = random_total / n_tasks;
    double oracle_trial = oracle_total / n_tasks, value_trial = value_total / n_tasks;
    double random_sd = sqrt(random_sq / n_tasks - random_trial * random_trial);
    print_message("10-episode trial: random %.2f (sd %.1f over tasks), oracle %.2f (value "
                  "iteration says %.2f)\n",
                  random_trial, random_sd, oracle_trial, value_trial);
    // per-task sd of a random trial is about 20, so about 0.65 for the mean of 1000;
    // the oracle's realised return differs from its value by noise of sd about 0.45
    assert_true(fabs(random_trial - 100.0) < 4.0);
    assert_true(fabs(oracle_trial - value_trial) < 2.0);
    assert_true(oracle_trial > random_trial + 50.0);
    test_env_close(&e);
}

static void test_mdp_deterministic(void** state) {
    (void)state;
    TestEnv e;
    open_mdp(&e, 10, 5, 10);
    assert_int_equal(test_env_sample(&e, 77), MRL_OK);
    size_t tb = (size_t)e.info.task_bytes;
    unsigned char* first = malloc(tb);
    assert_non_null(first);
    memcpy(first, e.task, tb);
    uint64_t fp = e.api->task_fingerprint(e.task, e.params);
    assert_int_equal(test_env_sample(&e, 77), MRL_OK);
    assert_memory_equal(first, e.task, tb);
    assert_true(e.api->task_fingerprint(e.task, e.params) == fp);
    assert_int_equal(test_env_sample(&e, 78), MRL_OK);
    assert_true(e.api->task_fingerprint(e.task, e.params) != fp);
    memcpy(e.task, first, tb);
    float trace[2][60];
    for (int run = 0; run < 2; run++) {
        MrlRng rng, arng;
        mrl_rng_seed(&rng, 8, 8);
        mrl_rng_seed(&arng, 9, 9);
        int k = 0;
        for (int ep = 0; ep < 3; ep++) {
            assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
            for (int t = 0; t < 10; t++) {
                assert_int_equal(test_env_step(&e, (float)mrl_rng_below(&arng, 5), &rng), MRL_OK);
                trace[run][k++] = e.reward;
                trace[run][k++] = e.obs[0];
            }
        }
    }
    assert_memory_equal(trace[0], trace[1], sizeof trace[0]);
    free(first);
    test_env_close(&e);
}

// the oracle tables follow the task when one instance switches tasks between episodes
static void test_mdp_oracle_follows_task_switch(void** state) {
    (void)state;
    TestEnv e;
    open_mdp(&e, 2, 2, 2);
    set_hand_mdp(&e);
    MrlRng rng;
    mrl_rng_seed(&rng, 1, 1);
    MrlOracleInfo info;
    assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
    assert_int_equal(test_env_oracle(&e, &info), MRL_OK);
    assert_true(fabs(info.value - 3.5) < 1e-12);
    mean_of(&e)[1] = -10.0; // same buffer, new task: Q(0,1) = -7, so a 0 with Q = 3
    assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
    assert_int_equal(test_env_oracle(&e, &info), MRL_OK);
    assert_true(fabs(info.value - 3.0) < 1e-12);
    assert_true(e.act[0] == 0.0f);
    test_env_close(&e);
}

static void test_mdp_render_text(void** state) {
    (void)state;
    TestEnv e;
    open_mdp(&e, 2, 2, 2);
    set_hand_mdp(&e);
    MrlRng rng;
    mrl_rng_seed(&rng, 1, 1);
    char buf[256];
    assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
    assert_int_equal(e.api->render_text(e.state, buf, sizeof buf, e.err), MRL_OK);
    assert_non_null(strstr(buf, "state 0, step 0/2"));
    assert_non_null(strstr(buf, "mean reward of state 0: 1.000 0.500"));
    assert_int_equal(test_env_step(&e, 1.0f, &rng), MRL_OK);
    assert_int_equal(e.api->render_text(e.state, buf, sizeof buf, e.err), MRL_OK);
    assert_non_null(strstr(buf, "state 1, step 1/2, last action 1"));
    test_env_close(&e);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mdp_describe),
        cmocka_unit_test(test_mdp_task_distribution),
        cmocka_unit_test(test_mdp_sampled_transitions_and_rewards),
        cmocka_unit_test(test_mdp_horizon_truncation),
        cmocka_unit_test(test_mdp_value_iteration_by_hand),
        cmocka_unit_test(test_mdp_oracle_and_random_returns),
        cmocka_unit_test(test_mdp_deterministic),
        cmocka_unit_test(test_mdp_oracle_follows_task_switch),
        cmocka_unit_test(test_mdp_render_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
