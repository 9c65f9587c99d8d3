// test_baselines.c — the classical baselines of agents/baselines on tiny cases with
// known answers: Gittins indices against hand values, published values and a per-state
// bisection, the finite-horizon index's optimality for the one-armed retirement problem
// and its closeness to the Bayes-optimal policy on a 2-armed bandit; UCB1's choice on a
// hand-made history; Beta/Gamma/Dirichlet draws; TS/greedy posterior counts; value
// iteration on a hand-solved 2-state MDP and against the tabular_mdp oracle; MDP
// statistics rebuilt across an episode boundary; no allocation in act; expected
// returns of the bandit agents against long runs.
//   ctest -R baselines    or    CMOCKA_TEST_FILTER=test_gittins* ./build/tests/test_baselines
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "baselines/baselines.h"
#include "metarl/conform.h"
#include "metarl/trials.h"
#include "support/plugin_instance.h"

// ---- helpers ----

// the run config of a minimal YAML with `extra` overrides (e.g. "agent.ucb_c=1")
static MrlConfig* load_run(const char* const* ov, int n_ov) {
    char err[MRL_MSG_MAX];
    MrlConfig* cfg =
        mrl_config_parse("t.yaml", "env: {plugin: bandit}\ntrial: {episodes: 10}\n", ov, n_ov, err);
    if (!cfg) {
        fprintf(stderr, "%s\n", err);
    }
    assert_non_null(cfg);
    return cfg;
}

#define MAX_SLOTS 4

// drives an agent by hand: one batch whose rows the test fills
typedef struct Driver {
    MrlEnvInfo info;
    float obs[MAX_SLOTS];
    float final_obs[MAX_SLOTS];
    float prev_action[MAX_SLOTS];
    float prev_reward[MAX_SLOTS];
    int32_t flags[MAX_SLOTS];
    int32_t episode[MAX_SLOTS];
    float action[MAX_SLOTS];
    MrlRng rng[MAX_SLOTS];
    MrlStepBatch batch;
} Driver;

static void driver_init(Driver* d, int32_t n_slots, int obs_discrete, int32_t S, int32_t A,
                        int64_t H, double rmin, double rmax) {
    memset(d, 0, sizeof *d);
    d->info.obs.kind = obs_discrete ? MRL_SPACE_DISCRETE : MRL_SPACE_BOX;
    d->info.obs.n = S;
    if (!obs_discrete) {
        d->info.obs.ndim = 1;
        d->info.obs.shape[0] = S;
    }
    d->info.action.kind = MRL_SPACE_DISCRETE;
    d->info.action.n = A;
    d->info.max_episode_steps = H;
    d->info.reward_min = rmin;
    d->info.reward_max = rmax;
    d->batch.n_slots = n_slots;
    d->batch.obs_floats = 1;
    d->batch.act_floats = 1;
    d->batch.info = &d->info;
    d->batch.obs = d->obs;
    d->batch.final_obs = d->final_obs;
    d->batch.prev_action = d->prev_action;
    d->batch.prev_reward = d->prev_reward;
    d->batch.flags = d->flags;
    d->batch.episode = d->episode;
    for (int32_t s = 0; s < MAX_SLOTS; s++) {
        mrl_rng_seed(&d->rng[s], 1234, (uint64_t)s);
    }
}

static void bandit_driver(Driver* d, int32_t n_slots, int32_t k) {
    driver_init(d, n_slots, 0, 1, k, 1, 0.0, 1.0);
}

// one act of slot 0: `flags` plus ACTIVE, the given previous pull and observation
static int32_t step1(MrlAgent* a, Driver* d, int32_t flags, float obs, float pa, float pr) {
    char err[MRL_MSG_MAX];
    d->flags[0] = MRL_SLOT_ACTIVE | flags;
    d->obs[0] = obs;
    d->prev_action[0] = pa;
    d->prev_reward[0] = pr;
    assert_int_equal(a->act(a, d->action, &d->batch, d->rng, err), MRL_OK);
    return (int32_t)d->action[0];
}

#define TRIAL (MRL_SLOT_TRIAL_START | MRL_SLOT_EPISODE_START)
#define EPISODE MRL_SLOT_EPISODE_START

// a bandit history on slot 0: trial start, then one pull per (arm, reward) pair
static int32_t feed_pulls(MrlAgent* a, Driver* d, const int* arms, const float* rewards, int n) {
    int32_t act = step1(a, d, TRIAL, 0, 0, 0);
    for (int i = 0; i < n; i++) {
        act = step1(a, d, EPISODE, 0, (float)arms[i], rewards[i]);
    }
    return act;
}

static MrlAgent* make(const char* kind, MrlConfig* cfg) {
    char err[MRL_MSG_MAX];
    MrlAgent* a = mrl_agent_new(kind, &cfg->run, err);
    if (!a) {
        fprintf(stderr, "%s\n", err);
    }
    assert_non_null(a);
    return a;
}

// ---- Gittins indices ----

static void test_gittins_hand_values(void** state) {
    (void)state;
    char err[MRL_MSG_MAX];
    MrlGittinsTable g;
    assert_int_equal(mrl_gittins_init(&g, 12, 0.0, 0, 0, err), MRL_OK);
    // one pull left: the posterior mean
    for (int s = 0; s < 5; s++) {
        for (int f = 0; f < 5; f++) {
            double mean = (s + 1.0) / (s + f + 2.0);
            assert_true(fabs(mrl_gittins_index(&g, s, f, 1) - mean) < 1e-6);
            assert_true(fabs(mrl_gittins_index_bisect(s, f, 1, 0.0, 0, 1e-12) - mean) < 1e-9);
        }
    }
    // two pulls left from Beta(1,1): the best stopping time pulls again only after a
    // success: E[reward] = 1/2 + 1/2 * 2/3 = 5/6 over E[tau] = 3/2 pulls -> 5/9
    assert_true(fabs(mrl_gittins_index(&g, 0, 0, 2) - 5.0 / 9.0) < 1e-6);
    assert_true(fabs(mrl_gittins_index_bisect(0, 0, 2, 0.0, 0, 1e-12) - 5.0 / 9.0) < 1e-9);
    // more pulls left: a larger index (more time to use what is learnt), and an index
    // above the posterior mean
    for (int m = 2; m <= 12; m++) {
        assert_true(mrl_gittins_index(&g, 0, 0, m) > mrl_gittins_index(&g, 0, 0, m - 1));
        assert_true(mrl_gittins_index(&g, 2, 3, m - 5 > 0 ? m - 5 : 1) >= 3.0 / 7.0 - 1e-6);
    }
    // outside the table: the posterior mean
    assert_true(fabs(mrl_gittins_index(&g, 10, 5, 3) - 11.0 / 17.0) < 1e-12);
    mrl_gittins_release(&g);
    assert_null(g.index);
    // bad sizes are refused with a message
    assert_int_equal(mrl_gittins_init(&g, 5000, 0.0, 0, 0, err), MRL_EINVAL);
    assert_non_null(strstr(err, "gittins_discount"));
    assert_int_equal(mrl_gittins_init(&g, 10, 1.0, 0, 0, err), MRL_EINVAL);
}

// Discounted Bernoulli indices for a Beta(1, 1) prior, as tabulated by Gittins (1979)
// and Gittins, Glazebrook and Weber (2011): 0.7029 at discount 0.9, 0.8699 at 0.99.
static void test_gittins_published(void** state) {
    (void)state;
    char err[MRL_MSG_MAX];
    assert_true(fabs(mrl_gittins_index_bisect(0, 0, 0, 0.9, 400, 1e-12) - 0.7029) < 1e-4);
    assert_true(fabs(mrl_gittins_index_bisect(0, 0, 0, 0.99, 3000, 1e-12) - 0.8699) < 1e-4);
    MrlGittinsTable g;
    assert_int_equal(mrl_gittins_init(&g, 20, 0.9, 0, 0, err), MRL_OK);
    assert_true(fabs(mrl_gittins_index(&g, 0, 0, 0) - 0.7029) < 1e-3);
    // the table against the bisection reference, truncated at the same depth
    int32_t depth = g.n + 153; // the default depth for 0.9 (0.9^153 < 1e-7)
    double worst = 0.0;
    for (int s = 0; s <= 20; s++) {
        for (int f = 0; s + f <= 20; f++) {
            double ref = mrl_gittins_index_bisect(s, f, 0, 0.9, depth - s - f, 1e-12);
            double e = fabs(mrl_gittins_index(&g, s, f, 0) - ref);
            worst = e > worst ? e : worst;
        }
    }
    assert_true(worst < 2e-3);
    mrl_gittins_release(&g);
    assert_int_equal(mrl_gittins_init(&g, 10, 0.99, 0, 0, err), MRL_OK);
    assert_true(fabs(mrl_gittins_index(&g, 0, 0, 0) - 0.8699) < 2e-3);
    mrl_gittins_release(&g);
}

static void test_gittins_table_vs_bisection(void** state) {
    (void)state;
    char err[MRL_MSG_MAX];
    MrlGittinsTable g;
    const int32_t n = 40;
    assert_int_equal(mrl_gittins_init(&g, n, 0.0, 0, 0, err), MRL_OK);
    double worst = 0.0, sum = 0.0;
    int count = 0;
    for (int32_t m = 1; m <= n; m += 3) {
        for (int32_t s = 0; s <= n - m; s += 2) {
            for (int32_t f = 0; s + f <= n - m; f += 2) {
                double ref = mrl_gittins_index_bisect(s, f, m, 0.0, 0, 1e-12);
                double x = mrl_gittins_index(&g, s, f, m);
                // every estimate is a tangent root of a convex function: never above
                assert_true(x <= ref + 1e-6);
                worst = fabs(x - ref) > worst ? fabs(x - ref) : worst;
                sum += fabs(x - ref);
                count++;
            }
        }
    }
    assert_true(worst < 5e-3);
    assert_true(sum / count < 2e-4);
    mrl_gittins_release(&g);
}

// One unknown Beta(1, 1) arm against a known rate lam for m pulls: retiring to the
// known arm is permanent, and pulling the unknown arm exactly while its index exceeds
// lam is optimal (the index's defining property).
static double retire_opt(int s, int f, int m, double lam, int use_index, const MrlGittinsTable* g) {
    if (m == 0) {
        return 0.0;
    }
    double p = (s + 1.0) / (s + f + 2.0);
    double cont = p * (1.0 + retire_opt(s + 1, f, m - 1, lam, use_index, g)) +
                  (1.0 - p) * retire_opt(s, f + 1, m - 1, lam, use_index, g);
    double ret = m * lam;
    if (use_index) {
        return mrl_gittins_index(g, s, f, m) > lam ? cont : ret;
    }
    return cont > ret ? cont : ret;
}

static void test_gittins_retirement_optimal(void** state) {
    (void)state;
    char err[MRL_MSG_MAX];
    MrlGittinsTable g;
    assert_int_equal(mrl_gittins_init(&g, 12, 0.0, 0, 0, err), MRL_OK);
    const double lams[] = {0.3, 0.5, 0.55, 0.6, 0.7, 0.8};
    for (size_t i = 0; i < sizeof lams / sizeof lams[0]; i++) {
        double opt = retire_opt(0, 0, 12, lams[i], 0, &g);
        double idx = retire_opt(0, 0, 12, lams[i], 1, &g);
        assert_true(idx <= opt + 1e-9);
        assert_true(opt - idx < 1e-4 * opt);
    }
    mrl_gittins_release(&g);
}

// exact expected total reward on two Beta(1, 1) arms over n pulls: the Bayes-optimal
// policy (use_index 0) or the Gittins index policy with random tie-breaking
static double two_arm_value(int s1, int f1, int s2, int f2, int n, int use_index,
                            const MrlGittinsTable* g) {
    int m = n - (s1 + f1 + s2 + f2);
    if (m == 0) {
        return 0.0;
    }
    double p1 = (s1 + 1.0) / (s1 + f1 + 2.0), p2 = (s2 + 1.0) / (s2 + f2 + 2.0);
    double q1 = p1 * (1.0 + two_arm_value(s1 + 1, f1, s2, f2, n, use_index, g)) +
                (1.0 - p1) * two_arm_value(s1, f1 + 1, s2, f2, n, use_index, g);
    double q2 = p2 * (1.0 + two_arm_value(s1, f1, s2 + 1, f2, n, use_index, g)) +
                (1.0 - p2) * two_arm_value(s1, f1, s2, f2 + 1, n, use_index, g);
    if (!use_index) {
        return q1 > q2 ? q1 : q2;
    }
    double i1 = mrl_gittins_index(g, s1, f1, m), i2 = mrl_gittins_index(g, s2, f2, m);
    return i1 > i2 ? q1 : (i2 > i1 ? q2 : 0.5 * (q1 + q2));
}

static void test_gittins_near_bayes_optimal(void** state) {
    (void)state;
    char err[MRL_MSG_MAX];
    const int n = 8;
    MrlGittinsTable g;
    assert_int_equal(mrl_gittins_init(&g, n, 0.0, 0, 0, err), MRL_OK);
    double opt = two_arm_value(0, 0, 0, 0, n, 0, &g);
    double git = two_arm_value(0, 0, 0, 0, n, 1, &g);
    assert_true(git <= opt + 1e-9);
    assert_true(git >= 0.999 * opt);
    assert_true(opt > 0.5 * n + 0.5); // learning pays: random earns n / 2
    mrl_gittins_release(&g);
}

// ---- random draws ----

static void test_samplers_moments(void** state) {
    (void)state;
    MrlRng rng;
    mrl_rng_seed(&rng, 7, 3);
    const double shapes[] = {0.4, 1.0, 3.7};
    const int n = 40000;
    for (size_t i = 0; i < 3; i++) {
        double k = shapes[i], sum = 0.0, sumsq = 0.0;
        for (int j = 0; j < n; j++) {
            double x = mrl_baseline_gamma(&rng, k);
            assert_true(x >= 0.0);
            sum += x;
            sumsq += x * x;
        }
        double mean = sum / n, var = sumsq / n - mean * mean;
        assert_true(fabs(mean - k) < 4.0 * sqrt(k / n)); // Gamma(k, 1): mean k, var k
        assert_true(fabs(var - k) < 0.1 * k);
    }
    double sum = 0.0;
    for (int j = 0; j < n; j++) {
        double x = mrl_baseline_beta(&rng, 3.0, 1.0);
        assert_true(x >= 0.0 && x <= 1.0);
        sum += x;
    }
    assert_true(fabs(sum / n - 0.75) < 0.005); // Beta(3, 1): mean 3/4, sd 0.19
    const double alpha[3] = {1.0, 2.0, 5.0};
    double acc[3] = {0};
    for (int j = 0; j < n / 4; j++) {
        double p[3];
        mrl_baseline_dirichlet(p, &rng, alpha, 3);
        assert_true(fabs(p[0] + p[1] + p[2] - 1.0) < 1e-12);
        for (int i = 0; i < 3; i++) {
            acc[i] += p[i];
        }
    }
    for (int i = 0; i < 3; i++) {
        assert_true(fabs(acc[i] / (n / 4) - alpha[i] / 8.0) < 0.01);
    }
    // argmax: unique maximum, and uniform over ties
    const double x[4] = {0.1, 0.7, 0.7, 0.2};
    int hits[4] = {0};
    for (int j = 0; j < 4000; j++) {
        hits[mrl_baseline_argmax(x, 4, &rng)]++;
    }
    assert_int_equal(hits[0] + hits[3], 0);
    assert_true(hits[1] > 1800 && hits[2] > 1800);
    const double y[3] = {0.0, 3.0, -1.0};
    assert_int_equal(mrl_baseline_argmax(y, 3, &rng), 1);
}

// ---- bandit agents ----

// arm 0: 2 successes in 3 pulls, arm 1: 1 success in 1 pull, arm 2: never pulled
static const int hist_arms[] = {0, 0, 1, 0};
static const float hist_rew[] = {1, 0, 1, 1};

static void test_ucb1_hand_history(void** state) {
    (void)state;
    // T = (5, 3, 2), mu = (3/5, 2/3, 1/2), t = 10:
    //   c = 1:   0.600 + 0.960, 0.667 + 1.239, 0.500 + 1.517 -> arm 2
    //   c = 0.1: 0.600 + 0.096, 0.667 + 0.124, 0.500 + 0.152 -> arm 1
    const char* c1[] = {"agent.ucb_c=1"};
    const char* c01[] = {"agent.ucb_c=0.1"};
    MrlConfig* cfgs[2] = {load_run(c1, 1), load_run(c01, 1)};
    const int32_t expect[2] = {2, 1};
    for (int i = 0; i < 2; i++) {
        char err[MRL_MSG_MAX];
        Driver d;
        bandit_driver(&d, 1, 3);
        MrlAgent* a = make("ucb1", cfgs[i]);
        assert_int_equal(a->begin(a, 1, &d.info, err), MRL_OK);
        for (int rep = 0; rep < 5; rep++) { // deterministic: no ties
            assert_int_equal(feed_pulls(a, &d, hist_arms, hist_rew, 4), expect[i]);
        }
        a->free(a);
        mrl_config_free(cfgs[i]);
    }
}

static void test_bandit_posterior_counts(void** state) {
    (void)state;
    char err[MRL_MSG_MAX];
    MrlConfig* cfg = load_run(NULL, 0);
    const char* kinds[] = {"ts", "ots", "greedy", "epsilon_greedy", "gittins", "ucb1"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        Driver d;
        bandit_driver(&d, 2, 3);
        MrlAgent* a = make(kinds[i], cfg);
        assert_int_equal(a->begin(a, 2, &d.info, err), MRL_OK);
        feed_pulls(a, &d, hist_arms, hist_rew, 4);
        double s, f;
        assert_int_equal(mrl_baseline_bandit_counts(a, 0, 0, &s, &f), MRL_OK);
        assert_true(s == 2.0 && f == 1.0);
        assert_int_equal(mrl_baseline_bandit_counts(a, 0, 1, &s, &f), MRL_OK);
        assert_true(s == 1.0 && f == 0.0);
        assert_int_equal(mrl_baseline_bandit_counts(a, 0, 2, &s, &f), MRL_OK);
        assert_true(s == 0.0 && f == 0.0);
        assert_int_equal(mrl_baseline_bandit_counts(a, 0, 3, &s, &f), MRL_EINVAL);
        // a new trial forgets
        step1(a, &d, TRIAL, 0, 2, 1);
        assert_int_equal(mrl_baseline_bandit_counts(a, 0, 0, &s, &f), MRL_OK);
        assert_true(s == 0.0 && f == 0.0);
        a->free(a);
    }
    mrl_config_free(cfg);
}

static void test_bandit_choices(void** state) {
    (void)state;
    char err[MRL_MSG_MAX];
    MrlConfig* cfg = load_run(NULL, 0);
    // arm 1 paid 20 times out of 20, arms 0 and 2 never in 20: every rule but
    // epsilon_greedy's random moves picks arm 1
    int arms[60];
    float rew[60];
    for (int i = 0; i < 60; i++) {
        arms[i] = i % 3;
        rew[i] = arms[i] == 1 ? 1.0f : 0.0f;
    }
    const char* kinds[] = {"ts", "ots", "greedy", "gittins", "ucb1"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        Driver d;
        bandit_driver(&d, 1, 3);
        MrlAgent* a = make(kinds[i], cfg);
        assert_int_equal(a->begin(a, 1, &d.info, err), MRL_OK);
        for (int rep = 0; rep < 20; rep++) {
            assert_int_equal(feed_pulls(a, &d, arms, rew, 60), 1);
        }
        a->free(a);
    }
    // at a trial start greedy's means tie: uniform over the arms
    Driver d;
    bandit_driver(&d, 1, 4);
    MrlAgent* a = make("greedy", cfg);
    assert_int_equal(a->begin(a, 1, &d.info, err), MRL_OK);
    int hits[4] = {0};
    for (int rep = 0; rep < 4000; rep++) {
        hits[step1(a, &d, TRIAL, 0, 0, 0)]++;
    }
    for (int i = 0; i < 4; i++) {
        assert_true(hits[i] > 850 && hits[i] < 1150);
    }
    a->free(a);
    // epsilon_greedy with epsilon 1 is uniformly random whatever it saw
    const char* eps1[] = {"agent.epsilon=1"};
    MrlConfig* cfg1 = load_run(eps1, 1);
    a = make("epsilon_greedy", cfg1);
    bandit_driver(&d, 1, 3);
    assert_int_equal(a->begin(a, 1, &d.info, err), MRL_OK);
    int h3[3] = {0};
    feed_pulls(a, &d, arms, rew, 60);
    for (int rep = 0; rep < 3000; rep++) {
        h3[step1(a, &d, EPISODE, 0, 1, 1)]++;
    }
    for (int i = 0; i < 3; i++) {
        assert_true(h3[i] > 850 && h3[i] < 1150);
    }
    a->free(a);
    mrl_config_free(cfg1);
    mrl_config_free(cfg);
}

static void test_bandit_agents_refuse_bad_spaces(void** state) {
    (void)state;
    char err[MRL_MSG_MAX];
    MrlConfig* cfg = load_run(NULL, 0);
    Driver d;
    driver_init(&d, 1, 0, 1, 3, 1, -INFINITY, INFINITY); // Gaussian rewards
    MrlAgent* a = make("ts", cfg);
    assert_int_equal(a->begin(a, 1, &d.info, err), MRL_EINVAL);
    assert_non_null(strstr(err, "Bernoulli"));
    a->free(a);
    driver_init(&d, 1, 0, 1, 3, 10, 0, 1); // box observation: not an MDP
    a = make("psrl", cfg);
    assert_int_equal(a->begin(a, 1, &d.info, err), MRL_EINVAL);
    assert_non_null(strstr(err, "discrete observation"));
    a->free(a);
    assert_null(mrl_agent_new("ucrl2", NULL, err));
    assert_non_null(strstr(err, "run config"));
    mrl_config_free(cfg);
}

// Simulates `trials` k-armed Bernoulli trials of n pulls (arm means ~ U[0, 1]) and
// returns the mean total reward.
static double simulate_bandit(MrlAgent* a, int k, int n, int trials) {
    char err[MRL_MSG_MAX];
    Driver d;
    bandit_driver(&d, 1, k);
    assert_int_equal(a->begin(a, 1, &d.info, err), MRL_OK);
    MrlRng env;
    mrl_rng_seed(&env, 99, 5);
    double p[16], total = 0.0;
    for (int t = 0; t < trials; t++) {
        for (int i = 0; i < k; i++) {
            p[i] = mrl_rng_uniform(&env);
        }
        mrl_rng_seed(&d.rng[0], 4242, (uint64_t)t);
        int arm = step1(a, &d, TRIAL, 0, 0, 0);
        for (int j = 0; j < n; j++) {
            float r = mrl_rng_uniform(&env) < p[arm] ? 1.0f : 0.0f;
            total += r;
            if (j + 1 < n) {
                arm = step1(a, &d, EPISODE, 0, (float)arm, r);
            }
        }
    }
    return total / trials;
}

// expected returns at k = 5, n = 10, measured once over 20000 held-out bandits with
// `metarl eval` (standard error 0.015): the simulation (3000 trials, se ~ 0.04) must
// land near them
static void test_bandit_expected_returns(void** state) {
    (void)state;
    const char* ov[] = {"agent.ucb_c=0.2"};
    MrlConfig* cfg = load_run(ov, 1);
    const char* kinds[] = {"gittins", "ts", "greedy", "ucb1"};
    const double expect[] = {6.69, 5.85, 6.66, 6.65};
    for (size_t i = 0; i < 4; i++) {
        MrlAgent* a = make(kinds[i], cfg);
        double r = simulate_bandit(a, 5, 10, 3000);
        if (fabs(r - expect[i]) >= 0.15) {
            fprintf(stderr, "%s: %.3f, expected %.2f\n", kinds[i], r, expect[i]);
        }
        assert_true(fabs(r - expect[i]) < 0.15);
        a->free(a);
    }
    mrl_config_free(cfg);
}

// ---- MDP agents ----

static void test_value_iteration_two_states(void** state) {
    (void)state;
    // S = 2, A = 2, H = 2. State 0: action 0 pays 1 and stays, action 1 pays 0 and
    // moves to state 1. State 1: action 0 pays 3 and stays, action 1 pays 2 and moves
    // to 0 half of the time.
    const double r[4] = {1, 0, 3, 2};
    const double p[8] = {1, 0, 0, 1, 0, 1, 0.5, 0.5};
    double q[8], v[6];
    mrl_baseline_value_iteration(q, v, r, NULL, p, 2, 2, 2);
    // last step: q = r; v = (1, 3)
    assert_true(q[4] == 1 && q[5] == 0 && q[6] == 3 && q[7] == 2);
    // first step: q(0,0) = 1 + 1 = 2, q(0,1) = 0 + 3 = 3, q(1,0) = 3 + 3 = 6,
    // q(1,1) = 2 + (1 + 3) / 2 = 4
    assert_true(q[0] == 2 && q[1] == 3 && q[2] == 6 && q[3] == 4);
    assert_true(v[0] == 3 && v[1] == 6 && v[4] == 0 && v[5] == 0);
    // a bonus adds to every step's reward
    const double bonus[4] = {0.5, 0.5, 0.5, 0.5};
    mrl_baseline_value_iteration(q, v, r, bonus, p, 2, 2, 2);
    assert_true(q[1] == 4.0 && v[0] == 4.0 && v[1] == 7.0);
}

static void test_value_iteration_matches_oracle(void** state) {
    (void)state;
    TestEnv e;
    const double prm[3] = {6, 3, 5};
    assert_int_equal(test_env_open(&e, "tabular_mdp", prm, 3), MRL_OK);
    for (uint64_t seed = 1; seed <= 5; seed++) {
        assert_int_equal(test_env_sample(&e, seed), MRL_OK);
        MrlRng rng;
        mrl_rng_seed(&rng, seed, 2);
        assert_int_equal(test_env_reset(&e, &rng), MRL_OK);
        MrlOracleInfo info;
        memset(&info, 0, sizeof info);
        info.struct_size = sizeof info;
        float act;
        assert_int_equal(e.api->oracle(e.state, &info, &act, e.err), MRL_OK);
        const double* mean = e.task;        // (S, A)
        const double* trans = mean + 6 * 3; // (S, A, S)
        double q[5 * 6 * 3], v[6 * 6];
        mrl_baseline_value_iteration(q, v, mean, NULL, trans, 6, 3, 5);
        assert_true(fabs(v[0] - info.value) < 1e-9);
        int best = 0;
        for (int a = 1; a < 3; a++) {
            best = q[a] > q[best] ? a : best;
        }
        assert_int_equal(best, (int)act);
    }
    test_env_close(&e);
}

static void test_mdp_counts_across_episodes(void** state) {
    (void)state;
    char err[MRL_MSG_MAX];
    MrlConfig* cfg = load_run(NULL, 0);
    const char* kinds[] = {"psrl", "opsrl", "ucrl2", "beb", "greedy", "epsilon_greedy"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        Driver d;
        driver_init(&d, 1, 1, 3, 2, 2, -INFINITY, INFINITY); // S = 3, A = 2, H = 2
        MrlAgent* a = make(kinds[i], cfg);
        assert_int_equal(a->begin(a, 1, &d.info, err), MRL_OK);
        step1(a, &d, TRIAL, 0, 0, 0);       // episode 1: s0 = 0
        step1(a, &d, 0, 2, 1, 0.5f);        // (0, 1) -> 2, reward 0.5
        d.final_obs[0] = 1;                 // episode 1 ended in 1:
        step1(a, &d, EPISODE, 0, 0, -1.0f); // episode 2 starts in 0; (2, 0) paid -1, went to 1
        step1(a, &d, 0, 1, 1, 2.0f);        // (0, 1) -> 1, reward 2
        double n, sum, next[3];
        assert_int_equal(mrl_baseline_mdp_counts(a, 0, 0, 1, &n, &sum, next), MRL_OK);
        assert_true(n == 2.0 && sum == 2.5);
        assert_true(next[0] == 0 && next[1] == 1 && next[2] == 1);
        assert_int_equal(mrl_baseline_mdp_counts(a, 0, 2, 0, &n, &sum, next), MRL_OK);
        assert_true(n == 1.0 && sum == -1.0);
        assert_true(next[0] == 0 && next[1] == 1 && next[2] == 0);
        assert_int_equal(mrl_baseline_mdp_counts(a, 0, 0, 0, &n, &sum, next), MRL_OK);
        assert_true(n == 0.0);
        assert_int_equal(mrl_baseline_mdp_counts(a, 0, 3, 0, &n, &sum, next), MRL_EINVAL);
        double s, f;
        assert_int_equal(mrl_baseline_bandit_counts(a, 0, 0, &s, &f), MRL_EINVAL);
        // a new trial forgets
        step1(a, &d, TRIAL, 0, 1, 5.0f);
        assert_int_equal(mrl_baseline_mdp_counts(a, 0, 0, 1, &n, &sum, next), MRL_OK);
        assert_true(n == 0.0 && sum == 0.0 && next[1] == 0.0);
        a->free(a);
    }
    mrl_config_free(cfg);
}

// Through the host on a real tabular MDP: every step of a trial but its very last is
// recorded, the last transition of each episode too (to the state the episode ended on,
// the batch's final_obs), and every recorded next state is one the env produced. Before
// final_obs the agents lost one transition per episode boundary.
static void test_mdp_records_every_transition(void** state) {
    (void)state;
    char err[MRL_MSG_MAX];
    TestEnv e;
    const double prm[3] = {6, 3, 5}; // S = 6, A = 3, H = 5
    assert_int_equal(test_env_open(&e, "tabular_mdp", prm, 3), MRL_OK);
    assert_int_equal(test_env_sample(&e, 7), MRL_OK);
    MrlConfig* cfg = load_run(NULL, 0);
    const char* kinds[] = {"psrl", "beb", "greedy"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        MrlTrialSlots ts;
        assert_int_equal(mrl_trials_init(&ts, e.api, &e.info, e.params, 1, 1, err), MRL_OK);
        MrlAgent* a = make(kinds[i], cfg);
        assert_int_equal(a->begin(a, 1, &e.info, err), MRL_OK);
        assert_int_equal(mrl_trials_start(&ts, 0, e.task, 1, 3, 11, 1, (int64_t)i, err), MRL_OK);
        double seen[6] = {0}; // next states the env produced, the trial's last step excluded
        double rewards = 0.0; // their rewards' sum
        int steps = 0;
        while (mrl_trials_active(&ts) > 0) {
            assert_int_equal(a->act(a, ts.action, &ts.batch, ts.agent_rng, err), MRL_OK);
            assert_int_equal(mrl_trials_step(&ts, err), MRL_OK);
            steps++;
            if (!ts.trial_done[0]) {
                seen[(int)(ts.ended[0] ? ts.next_obs[0] : ts.obs[0])] += 1.0;
                rewards += (double)ts.step_reward[0];
            }
        }
        assert_int_equal(steps, 15);
        double n_all = 0.0, sum_all = 0.0, to[6] = {0};
        for (int32_t s = 0; s < 6; s++) {
            for (int32_t u = 0; u < 3; u++) {
                double n, sum, next[6];
                assert_int_equal(mrl_baseline_mdp_counts(a, 0, s, u, &n, &sum, next), MRL_OK);
                double nn = 0.0;
                for (int k = 0; k < 6; k++) {
                    to[k] += next[k];
                    nn += next[k];
                }
                assert_true(nn == n); // a transition for every reward
                n_all += n;
                sum_all += sum;
            }
        }
        assert_true(n_all == 14.0);
        assert_true(fabs(sum_all - rewards) < 1e-9);
        for (int k = 0; k < 6; k++) {
            assert_true(to[k] == seen[k]);
        }
        a->free(a);
        mrl_trials_release(&ts);
    }
    mrl_config_free(cfg);
    test_env_close(&e);
}

// greedy's plan is value iteration on the posterior mean: after (0, 1) paid 10 twice
// and moved to 1 twice, q at the last step is the posterior mean reward
static void test_greedy_posterior_mean_plan(void** state) {
    (void)state;
    char err[MRL_MSG_MAX];
    MrlConfig* cfg = load_run(NULL, 0);
    Driver d;
    driver_init(&d, 1, 1, 2, 2, 2, -INFINITY, INFINITY); // S = 2, A = 2, H = 2
    MrlAgent* a = make("greedy", cfg);
    assert_int_equal(a->begin(a, 1, &d.info, err), MRL_OK);
    step1(a, &d, TRIAL, 0, 0, 0);
    step1(a, &d, 0, 1, 1, 10.0f);
    step1(a, &d, EPISODE, 0, 0, 1.0f); // (1, 0) paid 1
    step1(a, &d, 0, 1, 1, 10.0f);
    step1(a, &d, EPISODE, 0, 0, 1.0f);          // plans here: episode 3
    const double* q = mrl_baseline_mdp_q(a, 0); // (H, S, A)
    assert_non_null(q);
    double r01 = (1.0 + 20.0) / 3.0, r10 = (1.0 + 2.0) / 3.0; // prior N(1, 1)
    assert_true(fabs(q[2 * 2 + 0 * 2 + 1] - r01) < 1e-12);    // h = 1, s = 0, a = 1
    assert_true(fabs(q[2 * 2 + 1 * 2 + 0] - r10) < 1e-12);
    assert_true(fabs(q[2 * 2 + 0 * 2 + 0] - 1.0) < 1e-12); // unvisited: the prior mean
    // h = 0: (0, 1) moves to 1 with posterior mean probability 3/4
    double v1 = r10 > 1.0 ? r10 : 1.0, v0 = r01;
    assert_true(fabs(q[1] - (r01 + 0.25 * v0 + 0.75 * v1)) < 1e-12);
    a->free(a);
    mrl_config_free(cfg);
    // TabulaRL's nearly empirical model: mu0 = 0 with precision 1e-4, alpha0 = 1e-4
    const char* weak[] = {"agent.mdp_prior_mean=0", "agent.mdp_prior_precision=1e-4",
                          "agent.mdp_prior_alpha=1e-4"};
    cfg = load_run(weak, 3);
    a = make("greedy", cfg);
    assert_int_equal(a->begin(a, 1, &d.info, err), MRL_OK);
    step1(a, &d, TRIAL, 0, 0, 0);
    step1(a, &d, 0, 1, 1, 10.0f);
    step1(a, &d, EPISODE, 0, 0, 1.0f);
    q = mrl_baseline_mdp_q(a, 0);
    assert_true(fabs(q[2 * 2 + 0 * 2 + 1] - 10.0 / (1.0 + 1e-4)) < 1e-12);
    assert_true(fabs(q[2 * 2 + 0 * 2 + 0]) < 1e-12); // unvisited: 0
    // (0, 1) moved to 1 once: probability (1e-4 + 1) / (2e-4 + 1) of going there again
    double p1 = (1e-4 + 1.0) / (2e-4 + 1.0), v1w = 1.0 / (1.0 + 1e-4);
    double v0w = 10.0 / (1.0 + 1e-4);
    assert_true(fabs(q[1] - (v0w + (1.0 - p1) * v0w + p1 * v1w)) < 1e-9);
    a->free(a);
    mrl_config_free(cfg);
}

// ---- no allocation in act ----

static void test_act_makes_no_allocation(void** state) {
    (void)state;
    if (!mrl_conform_alloc_available()) {
        skip();
    }
    char err[MRL_MSG_MAX];
    MrlConfig* cfg = load_run(NULL, 0);
    const char* bandits[] = {"gittins", "ts", "ots", "ucb1", "epsilon_greedy", "greedy"};
    const char* mdps[] = {"psrl", "opsrl", "ucrl2", "beb", "epsilon_greedy", "greedy"};
    for (int kind = 0; kind < 2; kind++) {
        for (size_t i = 0; i < 6; i++) {
            Driver d;
            if (kind == 0) {
                bandit_driver(&d, MAX_SLOTS, 5);
            } else {
                driver_init(&d, MAX_SLOTS, 1, 4, 3, 3, -INFINITY, INFINITY);
            }
            MrlAgent* a = make(kind == 0 ? bandits[i] : mdps[i], cfg);
            assert_int_equal(a->begin(a, MAX_SLOTS, &d.info, err), MRL_OK);
            uint64_t c0 = mrl_conform_alloc_calls();
            for (int t = 0; t < 40; t++) {
                for (int s = 0; s < MAX_SLOTS; s++) {
                    int h = kind == 0 ? 0 : t % 3;
                    d.flags[s] = MRL_SLOT_ACTIVE | (t == 0 ? MRL_SLOT_TRIAL_START : 0) |
                                 (h == 0 ? MRL_SLOT_EPISODE_START : 0);
                    d.obs[s] = kind == 0 ? 0.0f : (float)((t + s) % 4);
                    d.prev_action[s] = t == 0 ? 0.0f : d.action[s];
                    d.prev_reward[s] = (float)((t * 7 + s) % 2);
                }
                assert_int_equal(a->act(a, d.action, &d.batch, d.rng, err), MRL_OK);
            }
            assert_int_equal(mrl_conform_alloc_calls(), c0);
            a->free(a);
        }
    }
    mrl_config_free(cfg);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gittins_hand_values),
        cmocka_unit_test(test_gittins_published),
        cmocka_unit_test(test_gittins_table_vs_bisection),
        cmocka_unit_test(test_gittins_retirement_optimal),
        cmocka_unit_test(test_gittins_near_bayes_optimal),
        cmocka_unit_test(test_samplers_moments),
        cmocka_unit_test(test_ucb1_hand_history),
        cmocka_unit_test(test_bandit_posterior_counts),
        cmocka_unit_test(test_bandit_choices),
        cmocka_unit_test(test_bandit_agents_refuse_bad_spaces),
        cmocka_unit_test(test_bandit_expected_returns),
        cmocka_unit_test(test_value_iteration_two_states),
        cmocka_unit_test(test_value_iteration_matches_oracle),
        cmocka_unit_test(test_mdp_counts_across_episodes),
        cmocka_unit_test(test_mdp_records_every_transition),
        cmocka_unit_test(test_greedy_posterior_mean_plan),
        cmocka_unit_test(test_act_makes_no_allocation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
