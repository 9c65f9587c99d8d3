// test_ppo.c — the PPO trainer: GAE on hand-computed examples (episode ends
// inside a trial are not terminals; the trial end is; truncation bootstraps),
// byte-identical checkpoints for the same config + seed (+ any thread count),
// resume == uninterrupted, corrupt/truncated/mismatched checkpoints refused
// with one line, and learning on a two-armed bandit, evaluated through the
// rl2 agent. Run: ctest -R test_ppo.
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "metarl/eval.h"
#include "metarl/util.h"
#include "ppo/ppo.h"
#include "rl2/rl2_agent.h"
#include "support/run_defaults.h"
#include "support/bandit_env.h"
#include "support/mock_env.h"
#include "support/spec.h"

// OpenBLAS's thread calls (cblas.h's complex.h would take the name I)
void openblas_set_num_threads(int n);
int openblas_get_num_threads(void);

// ---- GAE by hand ----

static void test_gae_hand_computed(void** state) {
    (void)state;
    // one trial of three steps (e.g. three one-step episodes); gamma 0.9, lambda 0.8
    float rew[3] = {1.0f, 0.0f, 2.0f}, val[3] = {0.5f, 0.4f, 0.3f}, adv[3], ret[3];
    // terminal trial end: d2 = 2 - 0.3 = 1.7; d1 = 0 + 0.9*0.3 - 0.4 = -0.13;
    // d0 = 1 + 0.9*0.4 - 0.5 = 0.86; A2 = 1.7, A1 = -0.13 + 0.72*1.7 = 1.094,
    // A0 = 0.86 + 0.72*1.094 = 1.64768
    mrl_ppo_gae(adv, ret, rew, val, 3, MRL_PPO_END_TERMINAL, 123.0f, 0.9, 0.8);
    assert_true(fabsf(adv[2] - 1.7f) < 1e-6f);
    assert_true(fabsf(adv[1] - 1.094f) < 1e-6f);
    assert_true(fabsf(adv[0] - 1.64768f) < 1e-6f);
    assert_true(fabsf(ret[0] - (1.64768f + 0.5f)) < 1e-6f);
    // truncated trial end bootstraps from v_boot = 1: d2 = 2 + 0.9 - 0.3 = 2.6,
    // A1 = -0.13 + 0.72*2.6 = 1.742, A0 = 0.86 + 0.72*1.742 = 2.11424
    mrl_ppo_gae(adv, ret, rew, val, 3, MRL_PPO_END_TRUNCATED, 1.0f, 0.9, 0.8);
    assert_true(fabsf(adv[2] - 2.6f) < 1e-6f);
    assert_true(fabsf(adv[1] - 1.742f) < 1e-6f);
    assert_true(fabsf(adv[0] - 2.11424f) < 1e-5f);
    // gamma = lambda = 1: the return of the first step is the whole trial's reward, i.e.
    // the episode boundaries inside the trial do not cut the return
    mrl_ppo_gae(adv, ret, rew, val, 3, MRL_PPO_END_TERMINAL, 0.0f, 1.0, 1.0);
    assert_true(fabsf(ret[0] - 3.0f) < 1e-6f);
    assert_true(fabsf(ret[1] - 2.0f) < 1e-6f);
}

// ---- a small trainer on the test bandit ----

typedef struct {
    const MrlEnvApi* api;
    MrlSetSpec spec;
    MrlTaskSet set;
    MrlRunConfig run;
} Setup;

// the trainer on `api` (the test bandit or a variant of it)
static void setup_env(Setup* s, const MrlEnvApi* api, int32_t threads, int32_t pulls) {
    char err[MRL_MSG_MAX];
    double k = 2;
    s->api = api;
    s->spec = test_spec("train", MRL_SET_TRAIN, 500, 5, &k, 1);
    assert_int_equal(mrl_taskset_init(&s->set, &s->spec, api, NULL, 0, err), MRL_OK);
    MrlRunConfig* r = &s->run;
    test_run_defaults(r, "t.yaml"); // the schema's defaults; below, what differs
    r->seed = 7;
    r->threads = threads;
    r->episodes = pulls;
    strcpy(r->agent_kind, "rl2");
    r->hidden = 16;
    r->total_steps = 1000000;
    r->batch_trials = 64;
    r->minibatches = 4;
    r->epochs = 3;
    r->lambda = 0.3;
    r->lr = 3e-3;
    r->checkpoint_every = 1;
}

static void setup_bandit(Setup* s, int32_t threads, int32_t pulls) {
    setup_env(s, &tb_api, threads, pulls);
}

static MrlPpo* new_ppo(Setup* s) {
    char err[MRL_MSG_MAX];
    MrlPpoOptions opt = {.quiet = 1};
    MrlPpo* p = mrl_ppo_new(&s->run, s->api, &s->set, 0x1234, &opt, err);
    if (!p) {
        fprintf(stderr, "%s\n", err);
    }
    assert_non_null(p);
    return p;
}

// the bandit's run settings over the mock environment's tasks (its observation changes every
// step; kinds 0..4: episodes of 1..5 steps inside a trial) run through `api`
static void setup_mock(Setup* s, const MrlEnvApi* api, int32_t episodes) {
    char err[MRL_MSG_MAX];
    setup_bandit(s, 1, episodes);
    mrl_taskset_release(&s->set);
    double mp[2] = {5, 0};
    s->spec = test_spec("train", MRL_SET_TRAIN, 500, 5, mp, 2);
    assert_int_equal(mrl_taskset_init(&s->set, &s->spec, api, NULL, 0, err), MRL_OK);
}

// the training forward recomputes the rollout's log-probabilities and values
static void assert_replays(MrlPpo* p, const char* what) {
    char err[MRL_MSG_MAX];
    double dl = 0, dv = 0;
    assert_int_equal(mrl_ppo_replay_check(p, &dl, &dv, err), MRL_OK);
    if (dl > 1e-4 || dv > 1e-4) {
        fprintf(stderr, "%s: max dlogp %g dv %g\n", what, dl, dv);
    }
    assert_true(dl < 1e-4);
    assert_true(dv < 1e-4);
}

static void iterate(MrlPpo* p, int n) {
    char err[MRL_MSG_MAX];
    for (int i = 0; i < n; i++) {
        MrlPpoStats st;
        assert_int_equal(mrl_ppo_iterate(p, &st, err), MRL_OK);
        assert_true(isfinite(st.policy_loss) && isfinite(st.value_loss));
    }
}

static void bytes_of(MrlPpo* p, uint8_t** b, size_t* n) {
    char err[MRL_MSG_MAX];
    assert_int_equal(mrl_ppo_serialize(p, b, n, err), MRL_OK);
}

// the two trainers' checkpoints hold the same bytes
static void assert_same_bytes(MrlPpo* x, MrlPpo* y) {
    uint8_t *bx, *by;
    size_t nx, ny;
    bytes_of(x, &bx, &nx);
    bytes_of(y, &by, &ny);
    assert_int_equal(nx, ny);
    assert_memory_equal(bx, by, nx);
    free(bx), free(by);
}

// With a value network of its own, a second thread runs its trunk beside the policy's in
// the update (and the first thread alone otherwise): the same bytes either way.
static void test_ppo_value_trunk_on_second_thread(void** state) {
    (void)state;
    Setup s1, s2;
    setup_bandit(&s1, 1, 40); // 40 pulls, 64 units: enough work per pass for the threads to
    setup_bandit(&s2, 2, 40); // overlap, so scratch the trunks wrongly shared would show
    s1.run.separate_value = s2.run.separate_value = 1;
    s1.run.hidden = s2.run.hidden = 64;
    MrlPpo *a = new_ppo(&s1), *b = new_ppo(&s2);
    assert_int_equal(mrl_ppo_update_threads(a), 1);
    assert_int_equal(mrl_ppo_update_threads(b), 2); // the second thread is really used
    iterate(a, 2);
    iterate(b, 2);
    assert_same_bytes(a, b);
    mrl_ppo_free(a), mrl_ppo_free(b);
    mrl_taskset_release(&s1.set), mrl_taskset_release(&s2.set);
}

// train.update_split: each minibatch is cut into parts whose forward and backward passes run
// on the trial pool's threads, their gradients summed in part order. The same bytes with 1
// and 2 threads (the trainer reporting 2 update threads), on trials of unequal lengths
// (packed parts), 64 units so that the two threads' passes overlap in time, with a shared
// trunk and with a value network of its own.
static void test_ppo_update_split_threads(void** state) {
    (void)state;
    for (int sep = 0; sep < 2; sep++) {
        Setup s1, s2;
        setup_mock(&s1, &mock_api, 6);
        setup_mock(&s2, &mock_api, 6);
        s1.run.separate_value = s2.run.separate_value = sep;
        s1.run.hidden = s2.run.hidden = 64;
        s1.run.update_split = s2.run.update_split = 3;
        s2.run.threads = 2;
        MrlPpo *a = new_ppo(&s1), *b = new_ppo(&s2);
        assert_int_equal(mrl_ppo_update_threads(a), 1);
        assert_int_equal(mrl_ppo_update_threads(b), 2);
        iterate(a, 2);
        iterate(b, 2);
        assert_same_bytes(a, b);
        assert_replays(b, "update_split 3"); // the replay check steps by parts
        mrl_ppo_free(a), mrl_ppo_free(b);
        mrl_taskset_release(&s1.set), mrl_taskset_release(&s2.set);
    }
}

// ... and the split computes the unsplit update, to rounding. One epoch of one minibatch
// from the same initial parameters, with Adam's epsilon 100 and no clipping, so that the
// step, lr * g / (|g| + 100), is the gradient scaled: each parameter's step is compared,
// not only the gradient norm. GRU on whole trials; LSTM with a value network of its own
// and BPTT windows of 4 steps (h0 from stored states); and a split of 8 over 5 units,
// which leaves parts empty.
static void test_ppo_update_split_matches_unsplit(void** state) {
    (void)state;
    static const struct {
        const char* cell;
        int32_t sep, bptt, trials, split;
    } cases[] = {{"gru", 0, 0, 64, 2}, {"lstm", 1, 4, 64, 3}, {"gru", 0, 0, 5, 8}};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        char err[MRL_MSG_MAX];
        MrlPpoStats st[2];
        float* d[2];
        size_t P = 0;
        for (int k = 0; k < 2; k++) {
            Setup s;
            setup_mock(&s, &mock_api, 6);
            strcpy(s.run.cell, cases[c].cell);
            s.run.separate_value = cases[c].sep;
            s.run.bptt = cases[c].bptt;
            s.run.batch_trials = cases[c].trials;
            s.run.epochs = 1;
            s.run.minibatches = 1;
            s.run.adam_eps = 100.0;
            s.run.max_grad_norm = 0.0;
            s.run.update_split = k == 0 ? 1 : cases[c].split;
            MrlPpo* p = new_ppo(&s);
            P = mrl_ppo_net(p)->n_params;
            d[k] = malloc(P * sizeof(float));
            assert_non_null(d[k]);
            memcpy(d[k], mrl_ppo_params(p), P * sizeof(float));
            assert_int_equal(mrl_ppo_iterate(p, &st[k], err), MRL_OK);
            const float* th = mrl_ppo_params(p);
            for (size_t i = 0; i < P; i++) {
                d[k][i] = th[i] - d[k][i]; // the step
            }
            mrl_ppo_free(p);
            mrl_taskset_release(&s.set);
        }
        double big = 0.0, diff = 0.0;
        for (size_t i = 0; i < P; i++) {
            big = fmax(big, fabs(d[0][i]));
            diff = fmax(diff, fabs((double)d[1][i] - d[0][i]));
        }
        assert_true(big > 1e-8);
        assert_true(diff < 1e-4 * big);
        assert_true(fabs(st[1].grad_norm - st[0].grad_norm) < 1e-5 * st[0].grad_norm);
        assert_true(fabs(st[1].policy_loss - st[0].policy_loss) < 1e-6);
        assert_true(fabs(st[1].value_loss - st[0].value_loss) < 1e-6);
        free(d[0]), free(d[1]);
    }
}

static void test_ppo_same_seed_same_bytes(void** state) {
    (void)state;
    Setup s1, s2, s3;
    setup_bandit(&s1, 1, 5);
    setup_bandit(&s2, 1, 5);
    setup_bandit(&s3, 2, 5);
    MrlPpo *a = new_ppo(&s1), *b = new_ppo(&s2), *c = new_ppo(&s3);
    iterate(a, 2);
    iterate(b, 2);
    iterate(c, 2);
    uint8_t *ba, *bb, *bc;
    size_t na, nb, nc;
    bytes_of(a, &ba, &na);
    bytes_of(b, &bb, &nb);
    bytes_of(c, &bc, &nc);
    assert_int_equal(na, nb);
    assert_memory_equal(ba, bb, na);
    // the thread count changes nothing either (streams belong to trials, not threads)
    assert_int_equal(na, nc);
    assert_memory_equal(ba, bc, na);
    // and the two iterations changed the parameters: a trainer of the same seed that has
    // not trained still holds its initial ones (so the equal bytes above are not merely
    // untouched initialisations)
    Setup s4;
    setup_bandit(&s4, 1, 5);
    MrlPpo* d = new_ppo(&s4);
    const MrlRl2Net* net = mrl_ppo_net(a);
    size_t moved = 0;
    for (size_t i = 0; i < net->n_params; i++) {
        moved += mrl_ppo_params(a)[i] != mrl_ppo_params(d)[i];
    }
    assert_true(moved > net->n_params / 2);
    free(ba), free(bb), free(bc);
    mrl_ppo_free(a), mrl_ppo_free(b), mrl_ppo_free(c), mrl_ppo_free(d);
    mrl_taskset_release(&s1.set), mrl_taskset_release(&s2.set), mrl_taskset_release(&s3.set);
    mrl_taskset_release(&s4.set);
}

static void tmp_path(char* out, size_t n, const char* name) {
    snprintf(out, n, "%s/test_ppo_%d_%s", MRL_BINARY_DIR, (int)getpid(), name);
}

static void test_ppo_resume_equals_uninterrupted(void** state) {
    (void)state;
    char err[MRL_MSG_MAX], path[MRL_PATH_MAX];
    tmp_path(path, sizeof path, "resume.ckpt");
    Setup s1, s2;
    setup_bandit(&s1, 1, 4);
    setup_bandit(&s2, 1, 4);
    s1.run.bptt = 3; // also exercise truncated-BPTT windows from stored hidden states
    s2.run.bptt = 3;
    MrlPpo* full = new_ppo(&s1);
    iterate(full, 4);
    MrlPpo* first = new_ppo(&s2);
    iterate(first, 2);
    assert_int_equal(mrl_ppo_save(first, path, err), MRL_OK);
    mrl_ppo_free(first);
    MrlPpo* resumed = new_ppo(&s2);
    assert_int_equal(mrl_ppo_load(resumed, path, err), MRL_OK);
    assert_int_equal(mrl_ppo_iteration(resumed), 2);
    iterate(resumed, 2);
    assert_same_bytes(full, resumed);
    assert_int_equal(mrl_ppo_iteration(resumed), 4);
    unlink(path);
    mrl_ppo_free(full), mrl_ppo_free(resumed);
    mrl_taskset_release(&s1.set), mrl_taskset_release(&s2.set);
}

// loading `bytes` must fail with one line containing `what`, leaving the trainer unchanged
static void expect_refused(MrlPpo* p, const char* path, const uint8_t* bytes, size_t n,
                           const char* what) {
    char err[MRL_MSG_MAX] = "";
    assert_int_equal(mrl_file_write_atomic(path, bytes, n, err), MRL_OK);
    uint8_t *before, *after;
    size_t nb, na;
    bytes_of(p, &before, &nb);
    int rc = mrl_ppo_load(p, path, err);
    assert_true(rc != MRL_OK);
    if (!strstr(err, what)) {
        fprintf(stderr, "expected '%s' in: %s\n", what, err);
    }
    assert_non_null(strstr(err, what));
    assert_null(strchr(err, '\n'));
    assert_non_null(strstr(err, path));
    bytes_of(p, &after, &na);
    assert_int_equal(na, nb);
    assert_memory_equal(before, after, na);
    free(before), free(after);
}

static void test_ppo_bad_checkpoints_refused(void** state) {
    (void)state;
    char err[MRL_MSG_MAX], path[MRL_PATH_MAX], bad[MRL_PATH_MAX];
    tmp_path(path, sizeof path, "good.ckpt");
    tmp_path(bad, sizeof bad, "bad.ckpt");
    Setup s;
    setup_bandit(&s, 1, 3);
    MrlPpo* p = new_ppo(&s);
    iterate(p, 1);
    assert_int_equal(mrl_ppo_save(p, path, err), MRL_OK);
    uint8_t* good;
    size_t n;
    bytes_of(p, &good, &n);
    MrlPpo* q = new_ppo(&s); // a fresh trainer to load into
    uint8_t* b = malloc(n);
    // truncated anywhere: in the header and in the payload
    expect_refused(q, bad, good, 50, "truncated");
    expect_refused(q, bad, good, n - 1, "truncated");
    expect_refused(q, bad, good, 0, "bad magic");
    // a flipped bit anywhere is caught (magic, version, CRC, size, payload)
    size_t offs[] = {0, 9, 13, 17, 30, 45, 80, 104, n / 2, n - 1};
    const char* whats[] = {"bad magic", "version", "CRC", "truncated", "CRC",
                           "CRC",       "CRC",     "CRC", "CRC",       "CRC"};
    for (size_t i = 0; i < sizeof offs / sizeof offs[0]; i++) {
        memcpy(b, good, n);
        b[offs[i]] ^= 0x10;
        expect_refused(q, bad, b, n, whats[i]);
    }
    // a different config
    Setup s2;
    setup_bandit(&s2, 1, 3);
    MrlPpoOptions opt = {.quiet = 1};
    MrlPpo* other = mrl_ppo_new(&s2.run, &tb_api, &s2.set, 0x9999, &opt, err);
    assert_non_null(other);
    assert_int_equal(mrl_ppo_load(other, path, err), MRL_EINVAL);
    assert_non_null(strstr(err, "different config"));
    // a missing file
    unlink(bad);
    assert_true(mrl_ppo_load(q, bad, err) != MRL_OK);
    assert_non_null(strstr(err, bad));
    // the good file still loads
    assert_int_equal(mrl_ppo_load(q, path, err), MRL_OK);
    uint8_t* c;
    size_t nc;
    bytes_of(q, &c, &nc);
    assert_memory_equal(c, good, n);
    free(good), free(b), free(c);
    unlink(path);
    mrl_ppo_free(p), mrl_ppo_free(q), mrl_ppo_free(other);
    mrl_taskset_release(&s.set), mrl_taskset_release(&s2.set);
}

// the mock environment with one box action in [0, 2] (a Gaussian policy head) in place of
// its three discrete ones; its step reads the clipped action as it reads a discrete one
static int32_t mock_box_describe(MrlEnvInfo* info, const double* params, char* err) {
    int32_t rc = mock_describe(info, params, err);
    info->action.kind = MRL_SPACE_BOX;
    info->action.n = 1;
    info->action.ndim = 1;
    info->action.shape[0] = 1;
    info->action.low = 0.0f;
    info->action.high = 2.0f;
    return rc;
}

enum { REPLAY_BANDIT, REPLAY_MOCK, REPLAY_MOCK_CLOCK_LN, REPLAY_MOCK_BOX };

// the step-by-step rollout and the sequence forward of training compute the same policy,
// for GRU and LSTM, whole sequences and BPTT windows of `bptt` steps, after two iterations
// (trained parameters, not only the initial ones). REPLAY_MOCK: the mock environment (its
// observation changes every step; episodes end inside a trial) with the previous
// observation as input, an input layer and a head layer (the MDP network's parts; with
// the LSTM the head layer also reads the step input; with BPTT windows the value head has
// a trunk of its own); REPLAY_MOCK_CLOCK_LN adds the trial clock and layer norm (the rest
// of the MDP network), REPLAY_MOCK_BOX a box action (Gaussian head) instead of discrete
// ones; REPLAY_BANDIT: the bandit with long trials.
static void check_replay(int mode, int bptt) {
    char err[MRL_MSG_MAX];
    const char* cells[2] = {"gru", "lstm"};
    MrlEnvApi box_api = mock_api;
    box_api.describe = mock_box_describe;
    for (int c = 0; c < 2; c++) {
        for (int b = 0; b < 2; b++) {
            Setup s;
            const MrlEnvApi* api = mode == REPLAY_BANDIT     ? &tb_api
                                   : mode == REPLAY_MOCK_BOX ? &box_api
                                                             : &mock_api;
            if (mode != REPLAY_BANDIT) {
                setup_mock(&s, api, 6);
                s.run.prev_obs = 1;
                s.run.input_mlp = 8;
                s.run.head_mlp = 8;
                s.run.head_skip = c == 1;
                s.run.separate_value = b == 1; // its state, too, stored at window starts
                s.run.time_input = mode == REPLAY_MOCK_CLOCK_LN;
                s.run.layer_norm = mode == REPLAY_MOCK_CLOCK_LN;
            } else {
                setup_bandit(&s, 1, 60);
            }
            strcpy(s.run.cell, cells[c]);
            s.run.bptt = b ? bptt : 0;
            s.run.hidden = 24;
            MrlPpoOptions opt = {.quiet = 1};
            MrlPpo* p = mrl_ppo_new(&s.run, api, &s.set, 0x1234, &opt, err);
            assert_non_null(p);
            iterate(p, 2);
            assert_replays(p, cells[c]);
            mrl_ppo_free(p);
            mrl_taskset_release(&s.set);
        }
    }
}

static void test_ppo_rollout_matches_training_forward(void** state) {
    (void)state;
    check_replay(REPLAY_BANDIT, 7);
}

// agent.prev_obs: the rollout's last-seen observation and the training gather's row one
// step earlier agree, across episode boundaries and BPTT windows
static void test_ppo_rollout_matches_training_forward_prev_obs(void** state) {
    (void)state;
    check_replay(REPLAY_MOCK, 5);
}

// agent.time_input and agent.layer_norm (the MDP tables' network): the clock the rollout's
// policy read is the one the training forward reads, and layer norm replays exactly
static void test_ppo_rollout_matches_training_forward_clock_ln(void** state) {
    (void)state;
    check_replay(REPLAY_MOCK_CLOCK_LN, 5);
}

// a box action: the Gaussian head's log-probabilities of the raw samples replay, and the
// previous action fed back is the clipped one in both
static void test_ppo_rollout_matches_training_forward_box(void** state) {
    (void)state;
    check_replay(REPLAY_MOCK_BOX, 5);
}

// ---- agent.critic_oracle ----

// oracles for the two in-process environments (neither table has one): the mock's value
// depends on the task and the step (2.5 per step left, the best action's mean reward, plus
// a task mark), the bandit's is its best arm's probability
static int32_t mock_oracle(const void* state, MrlOracleInfo* info, float* action, char* err) {
    (void)err;
    const MockState* s = state;
    int32_t left = s->task->length - s->t;
    info->valid = MRL_ORACLE_VALUE | MRL_ORACLE_ACTION;
    info->value = 2.5 * (left > 0 ? left : 0) + 0.01 * s->task->kind;
    action[0] = 2.0f;
    return MRL_OK;
}

static int32_t tb_oracle(const void* state, MrlOracleInfo* info, float* action, char* err) {
    (void)err;
    const TbState* s = state;
    int32_t best = 0;
    for (int32_t i = 1; i < s->k; i++) {
        best = s->task->p[i] > s->task->p[best] ? i : best;
    }
    info->valid = MRL_ORACLE_VALUE;
    info->value = s->task->p[best];
    (void)action;
    return MRL_OK;
}

static int32_t failing_oracle(const void* state, MrlOracleInfo* info, float* action, char* err) {
    (void)state, (void)info, (void)action;
    strcpy(err, "no value today");
    return MRL_EPLUGIN;
}

// The value network's privileged features reach the update as the rollout saw them: the
// values the rollout computed (with the oracle's features of each step) are those the
// training forward recomputes from the stored rows, through episode ends inside trials and
// BPTT windows. A gather that dropped or shifted the features would move dv.
static void test_ppo_critic_oracle_replay(void** state) {
    (void)state;
    char err[MRL_MSG_MAX];
    MrlEnvApi api = mock_api;
    api.oracle = mock_oracle;
    for (int b = 0; b < 2; b++) {
        Setup s;
        setup_mock(&s, &api, 6);
        s.run.input_mlp = 8;
        s.run.head_mlp = 8;
        s.run.head_skip = b;
        s.run.separate_value = 1;
        s.run.critic_oracle = 1;
        s.run.bptt = b ? 5 : 0;
        s.run.hidden = 24;
        MrlPpoOptions opt = {.quiet = 1};
        MrlPpo* p = mrl_ppo_new(&s.run, &api, &s.set, 0x1234, &opt, err);
        assert_non_null(p);
        iterate(p, 2);
        assert_replays(p, b ? "critic_oracle, bptt 5" : "critic_oracle");
        mrl_ppo_free(p);
        mrl_taskset_release(&s.set);
    }
}

// Each row's features are the oracle's of that row's input, over the horizon (12): the
// mock's value of the current step, then that of the episode's first step, recomputed from
// the observation the row holds (step in the episode, task kind; episode length 1 + kind % 5).
// Off by one row, or the episode start not remembered, and the values differ.
static void test_ppo_critic_oracle_features_are_the_oracles(void** state) {
    (void)state;
    char err[MRL_MSG_MAX];
    MrlEnvApi api = mock_api;
    api.oracle = mock_oracle;
    Setup s;
    setup_mock(&s, &api, 4);
    s.run.separate_value = 1;
    s.run.critic_oracle = 1;
    MrlPpoOptions opt = {.quiet = 1};
    MrlPpo* p = mrl_ppo_new(&s.run, &api, &s.set, 0x1234, &opt, err);
    assert_non_null(p);
    iterate(p, 1);
    MrlPpoRolloutView v;
    mrl_ppo_rollout_view(p, &v);
    assert_int_equal(v.priv_n, 2);
    size_t rows = 0, mid = 0;
    for (size_t tr = 0; tr < v.n; tr++) {
        for (size_t k = 0; k < (size_t)v.len[tr]; k++) {
            size_t r = k * v.n + tr;
            int32_t step = (int32_t)v.obs[2 * r], kind = (int32_t)v.obs[2 * r + 1];
            int32_t len = 1 + kind % 5;
            float now = (float)((2.5 * (len - step) + 0.01 * kind) * (1.0 / 12.0));
            float first = (float)((2.5 * len + 0.01 * kind) * (1.0 / 12.0));
            assert_true(v.priv[2 * r] == now);
            assert_true(v.priv[2 * r + 1] == first);
            rows++;
            mid += step > 0;
        }
    }
    assert_true(rows > 0 && mid > 0); // rows inside episodes, where the two differ, too
    mrl_ppo_free(p);
    mrl_taskset_release(&s.set);
}

// The features are those of the oracle: the same run with every feature doubled (the
// oracle's values doubled) takes other values, so the value trunk does read them; the
// policy's first rollout, before any update, pulls the same arms (it never reads them).
static int32_t tb_oracle_doubled(const void* state, MrlOracleInfo* info, float* action, char* err) {
    int32_t rc = tb_oracle(state, info, action, err);
    info->value *= 2.0;
    return rc;
}

static void test_ppo_critic_oracle_reaches_value_only(void** state) {
    (void)state;
    MrlEnvApi a1 = tb_api, a2 = tb_api;
    a1.oracle = tb_oracle;
    a2.oracle = tb_oracle_doubled;
    const MrlEnvApi* apis[2] = {&a1, &a2};
    MrlPpoRolloutView v[2];
    MrlPpo* p[2];
    Setup s[2];
    char err[MRL_MSG_MAX];
    for (int i = 0; i < 2; i++) {
        setup_bandit(&s[i], 1, 10);
        s[i].run.separate_value = 1;
        s[i].run.critic_oracle = 1;
        MrlPpoOptions opt = {.quiet = 1};
        p[i] = mrl_ppo_new(&s[i].run, apis[i], &s[i].set, 0x1234, &opt, err);
        assert_non_null(p[i]);
        iterate(p[i], 1);
        mrl_ppo_rollout_view(p[i], &v[i]);
    }
    size_t n = v[0].n * v[0].t_max;
    assert_memory_equal(v[0].rew, v[1].rew, n * sizeof(float));     // the same pulls
    assert_memory_not_equal(v[0].val, v[1].val, n * sizeof(float)); // other values
    for (int i = 0; i < 2; i++) {
        mrl_ppo_free(p[i]);
        mrl_taskset_release(&s[i].set);
    }
}

// Refused with one line: without a value network of its own (the policy would read the
// oracle), with a plugin that has no oracle; and a failing oracle stops the rollout naming
// the plugin.
static void test_ppo_critic_oracle_refused(void** state) {
    (void)state;
    char err[MRL_MSG_MAX];
    MrlPpoOptions opt = {.quiet = 1};
    Setup s;
    setup_bandit(&s, 1, 10);
    s.run.critic_oracle = 1;
    MrlEnvApi api = tb_api;
    api.oracle = tb_oracle;
    assert_null(mrl_ppo_new(&s.run, &api, &s.set, 0x1234, &opt, err));
    assert_non_null(strstr(err, "agent.separate_value"));
    s.run.separate_value = 1;
    assert_null(mrl_ppo_new(&s.run, &tb_api, &s.set, 0x1234, &opt, err));
    assert_non_null(strstr(err, "no oracle"));
    assert_non_null(strstr(err, "testbandit"));
    api.oracle = failing_oracle;
    MrlPpo* p = mrl_ppo_new(&s.run, &api, &s.set, 0x1234, &opt, err);
    assert_non_null(p);
    MrlPpoStats st;
    assert_int_equal(mrl_ppo_iterate(p, &st, err), MRL_EPLUGIN);
    assert_non_null(strstr(err, "no value today"));
    assert_null(strchr(err, '\n'));
    mrl_ppo_free(p);
    mrl_taskset_release(&s.set);
}

// mean trial return of `agent` on 200 held-out bandits, 10 pulls each
static double eval_agent(MrlAgent* agent) {
    char err[MRL_MSG_MAX];
    double k = 2;
    MrlSetSpec spec = test_spec("test", MRL_SET_TEST, 200, 77, &k, 1);
    MrlTaskSet set;
    assert_int_equal(mrl_taskset_init(&set, &spec, &tb_api, NULL, 0, err), MRL_OK);
    MrlEvalSet out;
    int rc = mrl_eval_set(&out, &set, agent, 10, 1, 50, 1, 3, err);
    if (rc != MRL_OK) {
        fprintf(stderr, "%s\n", err);
    }
    assert_int_equal(rc, MRL_OK);
    MrlStat tr, im;
    mrl_eval_trial_stats(&tr, &im, &out);
    mrl_eval_set_free(&out);
    mrl_taskset_release(&set);
    return tr.mean;
}

static void test_ppo_learns_two_armed_bandit(void** state) {
    (void)state;
    char err[MRL_MSG_MAX];
    Setup s;
    setup_bandit(&s, 1, 10);
    s.run.hidden = 32;
    s.run.batch_trials = 128;
    MrlPpo* p = new_ppo(&s);
    MrlPpoStats st = {0}, first = {0};
    for (int i = 0; i < 40; i++) {
        assert_int_equal(mrl_ppo_iterate(p, &st, err), MRL_OK);
        if (i == 0) {
            first = st;
        }
    }
    // random play earns 5 of 10 pulls on average; E[max(p1, p2)] * 10 = 6.67
    printf("first iteration %.3f, last %.3f\n", first.mean_return, st.mean_return);
    assert_true(st.mean_return > first.mean_return + 0.4);
    MrlAgent* agent =
        mrl_rl2_agent_new(&s.run, mrl_ppo_params(p), mrl_ppo_net(p)->n_params, 0, err);
    assert_non_null(agent);
    // evaluation takes OpenBLAS back to one thread (its own threads spun on busy cores)
    openblas_set_num_threads(2);
    double trained = eval_agent(agent);
    assert_int_equal(openblas_get_num_threads(), 1);
    agent->free(agent);
    MrlAgent* rnd = mrl_agent_new("random", &s.run, err);
    double random = eval_agent(rnd);
    rnd->free(rnd);
    printf("held-out: trained %.3f, random %.3f\n", trained, random);
    assert_true(trained > random + 0.4);
    mrl_ppo_free(p);
    mrl_taskset_release(&s.set);
}

// ---- schedules ----

static void test_ppo_schedule_values(void** state) {
    (void)state;
    assert_true(mrl_ppo_schedule(0.05, "constant", 0.7) == 0.05);
    assert_true(mrl_ppo_schedule(0.05, "linear", 0.0) == 0.05);
    assert_true(fabs(mrl_ppo_schedule(0.05, "linear", 0.25) - 0.0375) < 1e-15);
    assert_true(mrl_ppo_schedule(0.05, "linear", 1.0) == 0.0);
    assert_true(mrl_ppo_schedule(0.05, "linear", 1.5) == 0.0); // past the end: 0, never negative
}

// train.ent_schedule: linear decays the entropy bonus with the steps done, reported in the
// stats, and it reaches the gradient (the parameters differ from a constant bonus).
static void test_ppo_entropy_schedule_reaches_the_update(void** state) {
    (void)state;
    char err[MRL_MSG_MAX];
    Setup a, b;
    setup_bandit(&a, 1, 5);
    setup_bandit(&b, 1, 5);
    a.run.ent_coef = b.run.ent_coef = 0.5;
    a.run.total_steps = b.run.total_steps = 4 * 64 * 5; // 4 iterations of 64 trials x 5 pulls
    strcpy(b.run.ent_schedule, "linear");
    MrlPpo *pa = new_ppo(&a), *pb = new_ppo(&b);
    MrlPpoStats sa, sb;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(mrl_ppo_iterate(pa, &sa, err), MRL_OK);
        assert_int_equal(mrl_ppo_iterate(pb, &sb, err), MRL_OK);
        assert_true(sa.ent_coef == 0.5);
        // the update after i iterations of rollouts: frac = (i + 1) / 4 of the steps done
        assert_true(fabs(sb.ent_coef - 0.5 * (1.0 - (i + 1) / 4.0)) < 1e-12);
    }
    size_t P = mrl_ppo_net(pa)->n_params;
    assert_true(memcmp(mrl_ppo_params(pa), mrl_ppo_params(pb), P * sizeof(float)) != 0);
    mrl_ppo_free(pa), mrl_ppo_free(pb);
    mrl_taskset_release(&a.set), mrl_taskset_release(&b.set);
}

// ---- novelty bonus ----

// One trial of two episodes, observations as small vectors. Episode 1 starts at a and its
// three steps reach b, a and c, the last one ending it; episode 2 starts at d (the reset) and
// its steps reach b, d and e. The bonus goes to the steps reaching b, c (the episode's last
// observation, which no step ever takes as its input) and e; not to the returns to a, b
// and d, and not to reaching d after the reset gave it.
static void test_ppo_novelty_hand_example(void** state) {
    (void)state;
    enum { L = 6, O = 2 };
    const float a[O] = {1, 2}, b[O] = {3, 4}, c[O] = {-0.0f, 4}, d[O] = {0.0f, 4}, e[O] = {5, 6};
    const float* starts[L] = {a, NULL, NULL, d, NULL, NULL};
    const float* reached[L] = {b, a, c, b, d, e};
    uint64_t start[L], reach[L];
    for (size_t k = 0; k < L; k++) {
        start[k] = starts[k] ? mrl_ppo_obs_hash(starts[k], O) : 0;
        reach[k] = mrl_ppo_obs_hash(reached[k], O);
    }
    assert_true(mrl_ppo_obs_hash(c, O) != mrl_ppo_obs_hash(d, O)); // -0 and 0: other bytes
    float rew[L] = {1, 0, 0, 0, 0, 0};
    uint64_t seen[32];
    memset(seen, 0xab, sizeof seen); // left over from an earlier trial
    mrl_ppo_novelty(rew, start, reach, L, 0.25f, seen, 32);
    const float want[L] = {1.25f, 0, 0.25f, 0, 0, 0.25f};
    for (size_t k = 0; k < L; k++) {
        assert_true(rew[k] == want[k]);
    }
    // a table barely larger than the hashes inserted still finds each one (probing wraps)
    float rew2[L] = {0};
    uint64_t small[8];
    mrl_ppo_novelty(rew2, start, reach, L, 1.0f, small, 8);
    const float want2[L] = {1, 0, 1, 0, 0, 1};
    for (size_t k = 0; k < L; k++) {
        assert_true(rew2[k] == want2[k]);
    }
}

// a task whose observation never changes (the bandit) never earns the bonus: training with
// it is bit-identical to training without
static void test_ppo_novelty_constant_observation(void** state) {
    (void)state;
    Setup a, b;
    setup_bandit(&a, 1, 5);
    setup_bandit(&b, 1, 5);
    b.run.novelty_bonus = 0.5;
    MrlPpo *pa = new_ppo(&a), *pb = new_ppo(&b);
    iterate(pa, 2);
    iterate(pb, 2);
    size_t P = mrl_ppo_net(pa)->n_params;
    assert_true(memcmp(mrl_ppo_params(pa), mrl_ppo_params(pb), P * sizeof(float)) == 0);
    mrl_ppo_free(pa), mrl_ppo_free(pb);
    mrl_taskset_release(&a.set), mrl_taskset_release(&b.set);
}

// The test bandit whose pull ends its episode on observation 1 (2 discrete observations)
// while every reset gives 0: the observation no step ever takes as its input.
static int32_t tb_last_describe(MrlEnvInfo* info, const double* params, char* err) {
    int32_t rc = tb_describe(info, params, err);
    info->obs.n = 2;
    return rc;
}

static int32_t tb_last_step(void* state, float* obs, float* reward, int32_t* terminated,
                            int32_t* truncated, const float* action, MrlRng* rng, char* err) {
    int32_t rc = tb_step(state, obs, reward, terminated, truncated, action, rng, err);
    obs[0] = 1.0f;
    return rc;
}

// There the first pull of each trial reaches a new observation, the episode's last, and
// earns the bonus: training with it differs from training without. (Before the bonus
// looked at episode ends it read only the steps' inputs, always 0 here, and never fired.)
static void test_ppo_novelty_episode_last_observation(void** state) {
    (void)state;
    MrlEnvApi api = tb_api;
    api.describe = tb_last_describe;
    api.step = tb_last_step;
    Setup a, b;
    setup_env(&a, &api, 1, 5);
    setup_env(&b, &api, 1, 5);
    b.run.novelty_bonus = 0.5;
    MrlPpo *pa = new_ppo(&a), *pb = new_ppo(&b);
    iterate(pa, 1);
    iterate(pb, 1);
    size_t P = mrl_ppo_net(pa)->n_params;
    assert_true(memcmp(mrl_ppo_params(pa), mrl_ppo_params(pb), P * sizeof(float)) != 0);
    mrl_ppo_free(pa), mrl_ppo_free(pb);
    mrl_taskset_release(&a.set), mrl_taskset_release(&b.set);
}

// GAE over a trial in double, the reference: straight through episode ends, 0 after a
// terminal trial end, the bootstrap value after a truncated one
static void gae_reference(double* adv, const float* rew, const float* val, size_t n, size_t s,
                          size_t L, int end, double boot, double scale, double g, double lam) {
    double next_v = end == MRL_PPO_END_TRUNCATED ? boot : 0.0, carry = 0.0;
    for (size_t k = L; k-- > 0;) {
        double d = scale * rew[k * n + s] + g * next_v - val[k * n + s];
        carry = d + g * lam * carry;
        adv[k] = carry;
        next_v = val[k * n + s];
    }
}

// The trainer's rollout horizon (MrlPpoOptions.max_trial_steps) cuts 10-pull trials after
// 6 pulls: each trial is truncated, and its bootstrap value must be the value the policy
// gives the step that followed: the seventh step of the same trials rolled out with a
// horizon of 7 (the same seed: the first steps are the same). Every advantage, through the
// episode ends inside the trial (each pull is an episode), matches the double reference.
static void test_ppo_rollout_horizon_bootstraps(void** state) {
    (void)state;
    char err[MRL_MSG_MAX];
    Setup s;
    setup_bandit(&s, 1, 10);
    MrlPpo* cut[2];
    for (int i = 0; i < 2; i++) {
        MrlPpoOptions opt = {.quiet = 1, .max_trial_steps = 6 + i};
        cut[i] = mrl_ppo_new(&s.run, &tb_api, &s.set, 0x1234, &opt, err);
        assert_non_null(cut[i]);
        double dl, dv;
        assert_int_equal(mrl_ppo_replay_check(cut[i], &dl, &dv, err), MRL_OK);
        assert_true(dl < 1e-4 && dv < 1e-4); // the training forward agrees on cut trials
    }
    MrlPpoRolloutView a, b;
    mrl_ppo_rollout_view(cut[0], &a);
    mrl_ppo_rollout_view(cut[1], &b);
    assert_int_equal(a.n, b.n);
    assert_int_equal(a.t_max, 6);
    double adv[10];
    for (size_t j = 0; j < a.n; j++) {
        assert_int_equal(a.len[j], 6);
        assert_int_equal(a.end[j], MRL_PPO_END_TRUNCATED);
        for (size_t t = 0; t < 6; t++) {
            assert_true(a.rew[t * a.n + j] == b.rew[t * b.n + j]);
            assert_true(a.val[t * a.n + j] == b.val[t * b.n + j]);
        }
        assert_true(fabsf(a.boot[j] - b.val[6 * b.n + j]) < 1e-6f);
        gae_reference(adv, a.rew, a.val, a.n, j, 6, a.end[j], a.boot[j], a.value_scale, s.run.gamma,
                      s.run.lambda);
        for (size_t t = 0; t < 6; t++) {
            assert_true(fabs(a.adv[t * a.n + j] - adv[t]) < 1e-5);
            assert_true(fabs(a.ret[t * a.n + j] - (adv[t] + a.val[t * a.n + j])) < 1e-5);
        }
    }
    // whole trials: terminal ends, no bootstrap, the same reference
    MrlPpo* whole = new_ppo(&s);
    double dl, dv;
    assert_int_equal(mrl_ppo_replay_check(whole, &dl, &dv, err), MRL_OK);
    MrlPpoRolloutView w;
    mrl_ppo_rollout_view(whole, &w);
    for (size_t j = 0; j < w.n; j++) {
        assert_int_equal(w.len[j], 10);
        assert_int_equal(w.end[j], MRL_PPO_END_TERMINAL);
        gae_reference(adv, w.rew, w.val, w.n, j, 10, w.end[j], 1e9, w.value_scale, s.run.gamma,
                      s.run.lambda);
        for (size_t t = 0; t < 10; t++) {
            assert_true(fabs(w.adv[t * w.n + j] - adv[t]) < 1e-5);
        }
    }
    mrl_ppo_free(cut[0]), mrl_ppo_free(cut[1]), mrl_ppo_free(whole);
    mrl_taskset_release(&s.set);
}

// A value head whose bias has overflowed (inf) gives infinite value targets and a
// non-finite gradient: the trainer stops with one line instead of writing NaN into every
// parameter (global-norm clipping cannot rescue it: max / inf = 0, and inf * 0 is NaN).
// (A log-ratio past 88, exp overflowing, reaches the same place.)
static void test_ppo_divergence_stops(void** state) {
    (void)state;
    Setup s;
    setup_bandit(&s, 1, 10);
    MrlPpo* p = new_ppo(&s);
    iterate(p, 1);
    float* w = (float*)mrl_ppo_params(p);
    w[mrl_ppo_net(p)->off.v_b] = INFINITY;
    char err[MRL_MSG_MAX] = "";
    MrlPpoStats st;
    uint8_t* before = malloc(mrl_ppo_net(p)->n_params * sizeof(float));
    memcpy(before, w, mrl_ppo_net(p)->n_params * sizeof(float));
    assert_int_equal(mrl_ppo_iterate(p, &st, err), MRL_PPO_EDIVERGED);
    assert_non_null(strstr(err, "error: iteration 2, epoch 1: the gradient is not finite"));
    assert_null(strchr(err, '\n'));
    // no Adam step was taken: every parameter is as it was (the others finite)
    assert_memory_equal(before, w, mrl_ppo_net(p)->n_params * sizeof(float));
    for (size_t i = 0; i < mrl_ppo_net(p)->n_params; i++) {
        assert_true(i == mrl_ppo_net(p)->off.v_b || isfinite(w[i]));
    }
    free(before);
    mrl_ppo_free(p);
    mrl_taskset_release(&s.set);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ppo_novelty_hand_example),
        cmocka_unit_test(test_ppo_novelty_constant_observation),
        cmocka_unit_test(test_ppo_novelty_episode_last_observation),
        cmocka_unit_test(test_gae_hand_computed),
        cmocka_unit_test(test_ppo_same_seed_same_bytes),
        cmocka_unit_test(test_ppo_value_trunk_on_second_thread),
        cmocka_unit_test(test_ppo_update_split_threads),
        cmocka_unit_test(test_ppo_update_split_matches_unsplit),
        cmocka_unit_test(test_ppo_resume_equals_uninterrupted),
        cmocka_unit_test(test_ppo_bad_checkpoints_refused),
        cmocka_unit_test(test_ppo_rollout_matches_training_forward),
        cmocka_unit_test(test_ppo_rollout_matches_training_forward_prev_obs),
        cmocka_unit_test(test_ppo_rollout_matches_training_forward_clock_ln),
        cmocka_unit_test(test_ppo_rollout_matches_training_forward_box),
        cmocka_unit_test(test_ppo_critic_oracle_replay),
        cmocka_unit_test(test_ppo_critic_oracle_features_are_the_oracles),
        cmocka_unit_test(test_ppo_critic_oracle_reaches_value_only),
        cmocka_unit_test(test_ppo_critic_oracle_refused),
        cmocka_unit_test(test_ppo_learns_two_armed_bandit),
        cmocka_unit_test(test_ppo_schedule_values),
        cmocka_unit_test(test_ppo_entropy_schedule_reaches_the_update),
        cmocka_unit_test(test_ppo_divergence_stops),
        cmocka_unit_test(test_ppo_rollout_horizon_bootstraps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
