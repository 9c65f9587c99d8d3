// test_bandit.c — behaviour of plugins/bandit: spaces and sizes, the arm-mean
// distribution, empirical payout rates, end flags, the oracle, the random-policy
// figure of RL² Table 1 (5.0 per 10-pull trial), determinism, rendering.
//   ctest -R bandit    or    CMOCKA_TEST_FILTER=test_bandit_payout* ./build/tests/test_bandit
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include "support/plugin_instance.h"

static void open_k(TestEnv* e, int k) {
    const double p[1] = {k};
    assert_int_equal(test_env_open(e, "bandit", p, 1), MRL_OK);
}

static void test_bandit_describe(void** state) {
    (void)state;
    TestEnv e;
    open_k(&e, 7);
    assert_int_equal(e.info.action.kind, MRL_SPACE_DISCRETE);
    assert_int_equal(e.info.action.n, 7);
    assert_int_equal(e.info.obs.kind, MRL_SPACE_BOX);
    assert_int_equal(e.info.obs.n, 1);
    assert_int_equal(e.info.task_bytes, 7 * sizeof(double));
    assert_int_equal(e.info.max_episode_steps, 1);
    assert_true(e.info.reward_min == 0.0 && e.info.reward_max == 1.0);
    // the parameter is declared SHAPE with the range of the RL² grid and beyond
    assert_string_equal(e.api->params[0].name, "arms");
    assert_int_equal(e.api->params[0].flags, MRL_PARAM_SHAPE);
    assert_true(e.api->params[0].def == 5);
    MrlEnvInfo info;
    char err[MRL_ERR_MAX] = "";
    const double one[1] = {1}, many[1] = {1001}, frac[1] = {2.5};
    assert_int_equal(e.api->describe(&info, one, err), MRL_EINVAL);
    assert_non_null(strstr(err, "arms"));
    assert_int_equal(e.api->describe(&info, many, err), MRL_EINVAL);
    assert_int_equal(e.api->describe(&info, frac, err), MRL_EINVAL);
    test_env_close(&e);
}

// p_i ~ U[0, 1): mean 1/2, a quarter below 1/4
static void test_bandit_means_uniform(void** state) {
    (void)state;
    TestEnv e;
    open_k(&e, 10);
    const int n_tasks = 2000;
    double sum = 0.0;
    int below = 0, n = 0;
    for (int i = 0; i < n_tasks; i++) {
        assert_int_equal(test_env_sample(&e, 100 + (uint64_t)i), MRL_OK);
        const double* m = e.task;
        for (int k = 0; k < 10; k++) {
            assert_true(m[k] >= 0.0 && m[k] < 1.0);
            sum += m[k];
            below += m[k] < 0.25;
            n++;
        }
    }
    // 20000 draws: sd of the mean 0.0020, of the fraction 0.0031
    assert_true(fabs(sum / n - 0.5) < 0.01);
    assert_true(fabs((double)below / n - 0.25) < 0.015);
    test_env_close(&e);
}

// hand-set means; each arm pays at its own rate; flags follow the payout
static void test_bandit_payout_matches_mean(void** state) {
    (void)state;
    TestEnv e;
    open_k(&e, 5);
    const double means[5] = {0.1, 0.9, 0.5, 0.0, 1.0};
    memcpy(e.task, means, sizeof means);
    const int pulls = 20000;
    for (int arm = 0; arm < 5; arm++) {
        MrlRng rng;
        mrl_rng_seed(&rng, 7, (uint64_t)arm);
        int paid = 0;
        for (int i = 0; i < pulls; i++) {
            assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
            assert_true(e.obs[0] == 0.0f);
            assert_int_equal(test_env_step(&e, (float)arm, &rng), MRL_OK);
            assert_true(e.reward == 0.0f || e.reward == 1.0f);
            assert_int_equal(e.term, e.reward == 1.0f ? MRL_TERM_SUCCESS : MRL_TERM_FAILURE);
            assert_int_equal(e.trunc, 0);
            assert_true(e.obs[0] == 0.0f);
            paid += e.reward == 1.0f;
        }
        double rate = (double)paid / pulls;
        double sd = sqrt(means[arm] * (1.0 - means[arm]) / pulls);
        if (sd == 0.0) {
            assert_true(rate == means[arm]); // p = 0 never pays, p = 1 always pays
        } else {
            assert_true(fabs(rate - means[arm]) < 5.0 * sd);
        }
    }
    test_env_close(&e);
}

// RL² Table 1, Random row: 5.0 per trial of n = 10 pulls (any k)
static void test_bandit_random_policy_trial_return(void** state) {
    (void)state;
    TestEnv e;
    open_k(&e, 5);
    const int n_tasks = 4000, n_pulls = 10;
    MrlRng arng;
    mrl_rng_seed(&arng, 3, 3);
    double total = 0.0;
    for (int i = 0; i < n_tasks; i++) {
        assert_int_equal(test_env_sample(&e, 5000 + (uint64_t)i), MRL_OK);
        MrlRng rng;
        mrl_rng_seed(&rng, 9000 + (uint64_t)i, 2);
        for (int p = 0; p < n_pulls; p++) {
            assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
            assert_int_equal(test_env_step(&e, (float)mrl_rng_below(&arng, 5), &rng), MRL_OK);
            total += e.reward;
        }
    }
    double mean = total / n_tasks; // per-trial sd about 1.6, so sd of the mean 0.025
    print_message("random policy, k=5 n=10: %.3f per trial\n", mean);
    assert_true(fabs(mean - 5.0) < 0.15);
    test_env_close(&e);
}

static void test_bandit_oracle(void** state) {
    (void)state;
    TestEnv e;
    open_k(&e, 5);
    const double means[5] = {0.2, 0.7, 0.95, 0.1, 0.6};
    memcpy(e.task, means, sizeof means);
    MrlRng rng;
    mrl_rng_seed(&rng, 1, 1);
    assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
    MrlOracleInfo info;
    assert_int_equal(test_env_oracle(&e, &info), MRL_OK);
    assert_int_equal(info.valid, MRL_ORACLE_VALUE | MRL_ORACLE_STEPS | MRL_ORACLE_ACTION);
    assert_true(info.value == 0.95);
    assert_true(info.steps == 1.0);
    assert_true(e.act[0] == 2.0f);
    assert_int_equal(test_env_step(&e, 0.0f, &rng), MRL_OK);
    assert_int_equal(test_env_oracle(&e, &info), MRL_OK);
    assert_int_equal(info.valid, MRL_ORACLE_VALUE); // the pull is over: nothing left
    assert_true(info.value == 0.0);

    // the oracle policy earns E[max of 5 uniforms] = 5/6 per pull over random tasks
    const int n_tasks = 4000;
    double total = 0.0;
    for (int i = 0; i < n_tasks; i++) {
        assert_int_equal(test_env_sample(&e, 70000 + (uint64_t)i), MRL_OK);
        assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
        assert_int_equal(test_env_oracle(&e, &info), MRL_OK);
        assert_int_equal(test_env_step(&e, e.act[0], &rng), MRL_OK);
        total += e.reward;
    }
    assert_true(fabs(total / n_tasks - 5.0 / 6.0) < 0.03); // sd about 0.006
    test_env_close(&e);
}

static void test_bandit_rejects_bad_calls(void** state) {
    (void)state;
    TestEnv e;
    open_k(&e, 5);
    assert_int_equal(test_env_sample(&e, 1), MRL_OK);
    MrlRng rng;
    mrl_rng_seed(&rng, 1, 1);
    assert_int_equal(test_env_step(&e, 0.0f, &rng), MRL_ESTATE); // before reset
    const float bad[4] = {-1.0f, 5.0f, 2.5f, NAN};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
        e.err[0] = '\0';
        assert_int_equal(test_env_step(&e, bad[i], &rng), MRL_EINVAL);
        assert_non_null(strstr(e.err, "arm index"));
    }
    assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
    assert_int_equal(test_env_step(&e, 4.0f, &rng), MRL_OK);
    assert_int_equal(test_env_step(&e, 4.0f, &rng), MRL_ESTATE); // after the pull
    test_env_close(&e);
}

static void test_bandit_deterministic(void** state) {
    (void)state;
    TestEnv e;
    open_k(&e, 10);
    double first[10];
    assert_int_equal(test_env_sample(&e, 42), MRL_OK);
    memcpy(first, e.task, sizeof first);
    uint64_t fp = e.api->task_fingerprint(e.task, e.params);
    assert_int_equal(test_env_sample(&e, 42), MRL_OK);
    assert_memory_equal(first, e.task, sizeof first);
    assert_true(e.api->task_fingerprint(e.task, e.params) == fp);
    assert_int_equal(test_env_sample(&e, 43), MRL_OK);
    assert_memory_not_equal(first, e.task, sizeof first);
    assert_true(e.api->task_fingerprint(e.task, e.params) != fp);
    float rewards[2][50];
    for (int run = 0; run < 2; run++) {
        MrlRng rng;
        mrl_rng_seed(&rng, 5, 5);
        for (int i = 0; i < 50; i++) {
            assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
            assert_int_equal(test_env_step(&e, (float)(i % 10), &rng), MRL_OK);
            rewards[run][i] = e.reward;
        }
    }
    assert_memory_equal(rewards[0], rewards[1], sizeof rewards[0]);
    test_env_close(&e);
}

static void test_bandit_render_text(void** state) {
    (void)state;
    TestEnv e;
    open_k(&e, 3);
    const double means[3] = {0.25, 0.75, 0.5};
    memcpy(e.task, means, sizeof means);
    MrlRng rng;
    mrl_rng_seed(&rng, 1, 1);
    char buf[256];
    assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
    assert_int_equal(e.api->render_text(e.state, buf, sizeof buf, e.err), MRL_OK);
    assert_non_null(strstr(buf, "3 arms, best arm 1 (p=0.750)"));
    assert_non_null(strstr(buf, "means: 0.250 0.750 0.500"));
    assert_non_null(strstr(buf, "last pull: none yet"));
    assert_int_equal(test_env_step(&e, 2.0f, &rng), MRL_OK);
    assert_int_equal(e.api->render_text(e.state, buf, sizeof buf, e.err), MRL_OK);
    char want[64];
    snprintf(want, sizeof want, "last pull: arm 2 paid %d", (int)e.reward);
    assert_non_null(strstr(buf, want));
    // a small buffer is truncated, never overrun
    memset(buf, 'x', sizeof buf);
    assert_int_equal(e.api->render_text(e.state, buf, 10, e.err), MRL_OK);
    assert_int_equal(strlen(buf), 9);
    assert_true(buf[10] == 'x');
    test_env_close(&e);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bandit_describe),
        cmocka_unit_test(test_bandit_means_uniform),
        cmocka_unit_test(test_bandit_payout_matches_mean),
        cmocka_unit_test(test_bandit_random_policy_trial_return),
        cmocka_unit_test(test_bandit_oracle),
        cmocka_unit_test(test_bandit_rejects_bad_calls),
        cmocka_unit_test(test_bandit_deterministic),
        cmocka_unit_test(test_bandit_render_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
