// test_trials.c — the trial runner: episode bookkeeping inside trials, the
// agent's inputs (previous action/reward, flags), the host-enforced horizon,
// and identical results for 1 and 2 threads.
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metarl/agent.h"
#include "metarl/trials.h"
#include "metarl/util.h"
#include "support/mock_env.h"

typedef struct Record {
    int64_t trial;
    int32_t episode;
    int64_t length;
    double ret;
    int32_t success, truncated;
} Record;

// runs `n_trials` trials of `episodes` episodes over n_slots slots with a
// random agent; returns the number of records written (sorted by trial, episode)
static int run(Record* out, int n_trials, int episodes, int n_slots, int threads, double endless) {
    char err[MRL_MSG_MAX];
    double params[2] = {7, endless};
    MrlEnvInfo info;
    assert_int_equal(mock_describe(&info, params, err), MRL_OK);
    MrlTrialSlots ts;
    assert_int_equal(mrl_trials_init(&ts, &mock_api, &info, params, n_slots, threads, err), MRL_OK);
    int next = 0, n_rec = 0;
    MrlAgent* agent = mrl_agent_new("random", NULL, err);
    assert_non_null(agent);
    for (int s = 0; s < n_slots && next < n_trials; s++, next++) {
        MockTask task = {.length = 1 + next % 4, .kind = next};
        assert_int_equal(mrl_trials_start(&ts, s, &task, (uint64_t)next, episodes, 42, 1, next, err), MRL_OK);
    }
    while (mrl_trials_active(&ts) > 0) {
        assert_int_equal(agent->act(agent, ts.action, &ts.batch, ts.agent_rng, err), MRL_OK);
        assert_int_equal(mrl_trials_step(&ts, err), MRL_OK);
        for (int s = 0; s < n_slots; s++) {
            if (ts.ended[s]) {
                const MrlEpisodeResult* r = &ts.last[s];
                out[n_rec++] = (Record){r->trial_id, r->episode, r->length, r->ret, r->success, r->truncated};
            }
            if (ts.trial_done[s] && next < n_trials) {
                MockTask task = {.length = 1 + next % 4, .kind = next};
                assert_int_equal(mrl_trials_start(&ts, s, &task, (uint64_t)next, episodes, 42, 1, next, err), MRL_OK);
                next++;
            }
        }
    }
    agent->free(agent);
    mrl_trials_release(&ts);
    // sort by (trial, episode) so slot assignment order does not matter
    for (int i = 1; i < n_rec; i++) {
        Record r = out[i];
        int j = i - 1;
        while (j >= 0 && (out[j].trial > r.trial || (out[j].trial == r.trial && out[j].episode > r.episode))) {
            out[j + 1] = out[j];
            j--;
        }
        out[j + 1] = r;
    }
    return n_rec;
}

static void test_trials_episode_lengths_and_counts(void** state) {
    (void)state;
    Record rec[200];
    int n = run(rec, 20, 3, 4, 1, 0);
    assert_int_equal(n, 60);
    for (int i = 0; i < n; i++) {
        assert_int_equal(rec[i].trial, i / 3);
        assert_int_equal(rec[i].episode, i % 3);
        assert_int_equal(rec[i].length, 1 + rec[i].trial % 4);
        assert_int_equal(rec[i].success, 1);
        assert_int_equal(rec[i].truncated, 0);
        // reward per step is action (0..2) + noise in [0,1)
        assert_true(rec[i].ret >= 0.0 && rec[i].ret < 3.0 * (double)rec[i].length);
    }
}

static void test_trials_threads_do_not_change_results(void** state) {
    (void)state;
    Record a[400], b[400], c[400];
    int na = run(a, 50, 2, 8, 1, 0);
    int nb = run(b, 50, 2, 8, 2, 0);
    int nc = run(c, 50, 2, 3, 2, 0); // other slot count too
    assert_int_equal(na, nb);
    assert_int_equal(na, nc);
    for (int i = 0; i < na; i++) {
        assert_int_equal(a[i].trial, b[i].trial);
        assert_int_equal(a[i].episode, b[i].episode);
        assert_int_equal(a[i].length, b[i].length);
        assert_true(a[i].ret == b[i].ret);
        assert_int_equal(a[i].trial, c[i].trial);
        assert_int_equal(a[i].length, c[i].length);
        if (a[i].ret != c[i].ret) {
            fail_msg("record %d: return %.17g vs %.17g", i, a[i].ret, c[i].ret);
        }
    }
}

static void test_trials_host_enforces_horizon(void** state) {
    (void)state;
    Record rec[40];
    int n = run(rec, 5, 2, 2, 1, 1);
    assert_int_equal(n, 10);
    for (int i = 0; i < n; i++) {
        assert_int_equal(rec[i].length, 12);
        assert_int_equal(rec[i].truncated, 1);
        assert_int_equal(rec[i].success, 0);
    }
}

// the agent sees: trial start flags once, episode start after each reset,
// previous reward carried across the episode boundary, zero at trial start, and
// the trial clock (episode / episodes, step / horizon; the mock's horizon is 12)
static void test_trials_agent_inputs(void** state) {
    (void)state;
    char err[MRL_MSG_MAX];
    double params[2] = {7, 0};
    MrlEnvInfo info;
    mock_describe(&info, params, err);
    MrlTrialSlots ts;
    assert_int_equal(mrl_trials_init(&ts, &mock_api, &info, params, 1, 1, err), MRL_OK);
    MockTask task = {.length = 2, .kind = 3};
    assert_int_equal(mrl_trials_start(&ts, 0, &task, 9, 2, 1, 1, 0, err), MRL_OK);
    assert_int_equal(ts.flags[0], MRL_SLOT_ACTIVE | MRL_SLOT_TRIAL_START | MRL_SLOT_EPISODE_START);
    assert_true(ts.prev_reward[0] == 0.0f && ts.prev_action[0] == 0.0f);
    assert_true(ts.batch.episodes == ts.episodes && ts.batch.ep_step == ts.ep_len);
    float clock[2];
    mrl_step_clock(&ts.batch, 0, clock);
    assert_true(clock[0] == 0.0f && clock[1] == 0.0f);
    float expect_clock[3][2] = {{0.0f, 1.0f / 12}, {0.5f, 0.0f}, {0.5f, 1.0f / 12}};
    int32_t expect_flags[4] = {MRL_SLOT_ACTIVE, MRL_SLOT_ACTIVE | MRL_SLOT_EPISODE_START, MRL_SLOT_ACTIVE, 0};
    int32_t expect_episode[4] = {0, 1, 1, 1};
    for (int t = 0; t < 4; t++) {
        ts.action[0] = (float)(t % 3);
        assert_int_equal(mrl_trials_step(&ts, err), MRL_OK);
        assert_int_equal(ts.flags[0], expect_flags[t]);
        assert_int_equal(ts.episode[0], expect_episode[t]);
        assert_true(ts.prev_action[0] == (float)(t % 3));
        assert_true(ts.prev_reward[0] == ts.step_reward[0]);
        assert_int_equal(ts.ended[0], t == 1 || t == 3);
        if (t < 3) { // after the trial's last step the clock is no longer read
            mrl_step_clock(&ts.batch, 0, clock);
            assert_true(clock[0] == expect_clock[t][0] && clock[1] == expect_clock[t][1]);
        }
        if (t == 1) {
            assert_true(ts.obs[0] == 0.0f);      // new episode's first observation
            assert_true(ts.next_obs[0] == 2.0f); // the ended episode's last one
            assert_true(ts.batch.final_obs[0] == 2.0f);
        }
    }
    assert_int_equal(ts.trial_done[0], 1);
    assert_int_equal(mrl_trials_active(&ts), 0);
    mrl_trials_release(&ts);
}

static void test_trials_step_error_names_slot(void** state) {
    (void)state;
    char err[MRL_MSG_MAX];
    double params[2] = {7, 0};
    MrlEnvInfo info;
    mock_describe(&info, params, err);
    MrlTrialSlots ts;
    assert_int_equal(mrl_trials_init(&ts, &mock_api, &info, params, 2, 1, err), MRL_OK);
    MockTask task = {.length = 3, .kind = 1};
    assert_int_equal(mrl_trials_start(&ts, 1, &task, 9, 1, 1, 1, 5, err), MRL_OK);
    ts.action[1] = 7.0f;
    assert_int_equal(mrl_trials_step(&ts, err), MRL_EINVAL);
    assert_string_equal(err, "mock: error: slot 1 (trial 5): bad action");
    mrl_trials_release(&ts);
}

// a plugin's step that pays NaN on its second step
static int32_t nan_step(void* state, float* obs, float* reward, int32_t* terminated,
                        int32_t* truncated, const float* action, MrlRng* rng, char* err) {
    int32_t rc = mock_step(state, obs, reward, terminated, truncated, action, rng, err);
    if (((MockState*)state)->t == 2) {
        *reward = NAN;
    }
    return rc;
}

// a non-finite reward stops the run with one line naming the plugin, slot and step,
// instead of flowing into returns, advantages and statistics
static void test_trials_nan_reward_is_an_error(void** state) {
    (void)state;
    char err[MRL_MSG_MAX];
    double params[2] = {7, 0};
    MrlEnvInfo info;
    mock_describe(&info, params, err);
    MrlEnvApi api = mock_api;
    api.step = nan_step;
    MrlTrialSlots ts;
    assert_int_equal(mrl_trials_init(&ts, &api, &info, params, 1, 1, err), MRL_OK);
    MockTask task = {.length = 5, .kind = 1};
    assert_int_equal(mrl_trials_start(&ts, 0, &task, 9, 1, 1, 1, 3, err), MRL_OK);
    ts.action[0] = 1.0f;
    assert_int_equal(mrl_trials_step(&ts, err), MRL_OK);
    assert_int_equal(mrl_trials_step(&ts, err), MRL_EPLUGIN);
    assert_string_equal(err, "mock: error: slot 0 (trial 3): step returned reward nan "
                             "(episode 1, step 2): a reward must be finite");
    mrl_trials_release(&ts);
}

// the random action: each of n discrete values about 1/n of the time; box floats inside
// [low, high] with the uniform mean, also when a bound is infinite (one-sided boxes once
// drew from [-1, low] or [high, 1], outside the box)
static void test_random_action_spaces(void** state) {
    (void)state;
    enum { DRAWS = 40000 };
    MrlRng rng;
    mrl_rng_seed(&rng, 99, 1);
    MrlSpace d = {.kind = MRL_SPACE_DISCRETE, .n = 4};
    int count[4] = {0};
    for (int i = 0; i < DRAWS; i++) {
        float a = -1.0f;
        mrl_agent_random_action(&a, &d, &rng);
        assert_true(a == floorf(a) && a >= 0.0f && a < 4.0f);
        count[(int)a]++;
    }
    for (int k = 0; k < 4; k++) { // sd sqrt(40000 * 1/4 * 3/4) = 87
        assert_true(abs(count[k] - DRAWS / 4) < 450);
    }
    const float inf = INFINITY;
    const float lows[4] = {-2.0f, 5.0f, -inf, -inf};
    const float highs[4] = {3.0f, inf, -5.0f, inf};
    const double mids[4] = {0.5, 6.0, -6.0, 0.0}; // the uniform range's middle
    for (int c = 0; c < 4; c++) {
        MrlSpace b = {.kind = MRL_SPACE_BOX,
                      .n = 3,
                      .ndim = 1,
                      .shape = {3},
                      .low = lows[c],
                      .high = highs[c]};
        double lo = isfinite(lows[c]) ? lows[c] : (isfinite(highs[c]) ? highs[c] - 2.0 : -1.0);
        double hi = isfinite(highs[c]) ? highs[c] : lo + 2.0;
        double sum[3] = {0.0, 0.0, 0.0};
        for (int i = 0; i < DRAWS; i++) {
            float a[3];
            mrl_agent_random_action(a, &b, &rng);
            for (int j = 0; j < 3; j++) {
                assert_true(a[j] >= lo && a[j] <= hi);
                sum[j] += a[j];
            }
        }
        for (int j = 0; j < 3; j++) { // sd of the mean (hi - lo) / sqrt(12 * 40000) < 0.008
            assert_true(fabs(sum[j] / DRAWS - mids[c]) < 0.05);
        }
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_action_spaces),
        cmocka_unit_test(test_trials_episode_lengths_and_counts),
        cmocka_unit_test(test_trials_threads_do_not_change_results),
        cmocka_unit_test(test_trials_host_enforces_horizon),
        cmocka_unit_test(test_trials_agent_inputs),
        cmocka_unit_test(test_trials_step_error_names_slot),
        cmocka_unit_test(test_trials_nan_reward_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
