// test_rl2.c — the RL² network: parameter layout, whole-network gradient
// checks in double over a short multi-episode sequence (hidden state carried
// across episode boundaries) for GRU/LSTM, one-hot/vector/image observations,
// discrete/box actions and layer norm; float vs double agreement.
// Run: ctest -R test_rl2.
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metarl/agent.h"
#include "metarl/pool.h"
#include "rl2/rl2_agent.h"
#include "rl2/rl2_net.h"
#include "rl2/rl2_policy.h"
#include "support/gradcheck.h"

// BOX observations: a vector of n floats
static void vector_obs(MrlEnvInfo* info, int32_t n) {
    info->obs.kind = MRL_SPACE_BOX;
    info->obs.n = n;
    info->obs.ndim = 1;
    info->obs.shape[0] = n;
}

static MrlEnvInfo info_discrete(int32_t n_obs, int32_t n_act) {
    MrlEnvInfo info;
    memset(&info, 0, sizeof info);
    info.obs.kind = MRL_SPACE_DISCRETE;
    info.obs.n = n_obs;
    info.action.kind = MRL_SPACE_DISCRETE;
    info.action.n = n_act;
    info.max_episode_steps = 10;
    return info;
}

static MrlRunConfig run_cfg(const char* cell, int32_t hidden, int32_t embed, int32_t ln) {
    MrlRunConfig run;
    memset(&run, 0, sizeof run);
    strcpy(run.cell, cell);
    run.hidden = hidden;
    run.embed = embed;
    run.layer_norm = ln;
    return run;
}

typedef struct {
    MrlRl2Net net;
    MrlRl2Ws64 ws;
    size_t T, B;
    size_t rows; // T * B, or the packed row count when ws.nt is set
    double *c1, *c2, *c3;
} NetCtx;

static double net_loss(void* p, const double* th) {
    NetCtx* k = p;
    mrl_rl2_forward_f64(&k->net, &k->ws, th, k->T, k->B);
    double s = 0.0;
    for (size_t i = 0; i < k->rows; i++) {
        s += k->c1[i] * k->ws.logp_a[i] + k->c2[i] * k->ws.ent[i] + k->c3[i] * k->ws.v[i];
    }
    return s;
}

static void net_grad(void* p, const double* th, double* g) {
    NetCtx* k = p;
    mrl_rl2_forward_f64(&k->net, &k->ws, th, k->T, k->B);
    size_t TB = k->rows;
    memcpy(k->ws.dlogp_a, k->c1, TB * sizeof(double));
    memcpy(k->ws.dent, k->c2, TB * sizeof(double));
    memcpy(k->ws.dv, k->c3, TB * sizeof(double));
    mrl_rl2_backward_f64(&k->net, &k->ws, th, g, k->T, k->B);
}

// fills the inputs of a T x B sequence: two episodes per sequence (starts at t = 0 and t = 3),
// random observations and actions valid for the spaces, a non-zero carried hidden state
static void fill_inputs(NetCtx* k, const MrlEnvInfo* info, uint64_t seed) {
    MrlRng rng = {seed, 7};
    const MrlRl2Dims* d = &k->net.d;
    size_t T = k->T, B = k->B;
    for (size_t t = 0; t < T; t++) {
        for (size_t b = 0; b < B; b++) {
            size_t i = t * B + b;
            for (size_t j = 0; j < d->O; j++) {
                k->ws.obs[i * d->O + j] = info->obs.kind == MRL_SPACE_DISCRETE
                                              ? (float)mrl_rng_below(&rng, (uint32_t)d->n_obs)
                                              : (float)(2.0 * mrl_rng_uniform(&rng) - 1.0);
            }
            for (size_t j = 0; j < d->Araw; j++) {
                float a = d->act_discrete ? (float)mrl_rng_below(&rng, (uint32_t)d->A)
                                          : (float)(mrl_rng_uniform(&rng) - 0.5);
                k->ws.act[i * d->Araw + j] = a;
                k->ws.prev_act[i * d->Araw + j] = t == 0 ? 0.0f : a * 0.5f;
            }
            if (d->act_discrete && t > 0) {
                k->ws.prev_act[i] = k->ws.act[(t - 1) * B + b];
            }
            k->ws.prev_rew[i] = t == 0 ? 0.0f : (float)mrl_rng_uniform(&rng);
            for (size_t j = 0; d->prev_in && j < d->O; j++) { // the row one step earlier
                k->ws.prev_obs[i * d->O + j] = t == 0 ? 0.0f : k->ws.obs[(i - B) * d->O + j];
            }
            for (size_t j = 0; j < d->V; j++) { // privileged features (critic_oracle)
                k->ws.priv[i * d->V + j] = (float)(2.0 * mrl_rng_uniform(&rng) - 1.0);
            }
            if (d->time_in) { // episode 0 for t < 3, then episode 1 of 2; horizon 10
                k->ws.clock[2 * i] = t < 3 ? 0.0f : 0.5f;
                k->ws.clock[2 * i + 1] = (float)(t < 3 ? t : t - 3) / 10.0f;
            }
            k->ws.flags[i] = MRL_SLOT_ACTIVE | (t == 0 ? MRL_SLOT_TRIAL_START : 0) |
                             ((t == 0 || t == 3) ? MRL_SLOT_EPISODE_START : 0);
        }
    }
    for (size_t i = 0; i < B * d->S; i++) {
        k->ws.h0[i] = 0.3 * (2.0 * mrl_rng_uniform(&rng) - 1.0);
        k->ws.c0[i] = 0.3 * (2.0 * mrl_rng_uniform(&rng) - 1.0);
    }
}

// nt: NULL for a full 6 x 2 batch, or 6 packed row counts (nt[0] = 2)
static double check_net_rows(const MrlEnvInfo* info, const MrlRunConfig* run, uint64_t seed,
                             const uint32_t* nt) {
    NetCtx k;
    memset(&k, 0, sizeof k);
    char err[MRL_MSG_MAX];
    assert_int_equal(mrl_rl2_net_init(&k.net, info, run, err), MRL_OK);
    k.T = 6;
    k.B = 2;
    assert_int_equal(mrl_rl2_ws_init_f64(&k.ws, &k.net, k.T, k.B, err), MRL_OK);
    k.rows = k.T * k.B;
    if (nt) {
        k.ws.nt = nt;
        k.rows = 0;
        for (size_t t = 0; t < k.T; t++) {
            k.rows += nt[t];
        }
    }
    size_t TB = k.rows;
    k.c1 = calloc(TB, 8), k.c2 = calloc(TB, 8), k.c3 = calloc(TB, 8);
    gc_weights(k.c1, TB, seed + 1);
    gc_weights(k.c2, TB, seed + 2);
    gc_weights(k.c3, TB, seed + 3);
    fill_inputs(&k, info, seed);
    double e = gc_check(net_loss, net_grad, &k, k.net.n_params, seed, 0.5, 1500);
    free(k.c1), free(k.c2), free(k.c3);
    mrl_rl2_ws_release_f64(&k.ws);
    return e;
}

static double check_net(const MrlEnvInfo* info, const MrlRunConfig* run, uint64_t seed) {
    return check_net_rows(info, run, seed, NULL);
}

static void test_rl2_layout_from_one_table(void** state) {
    (void)state;
    MrlEnvInfo info = info_discrete(4, 3);
    MrlRunConfig run = run_cfg("gru", 8, 0, 0);
    MrlRl2Net net;
    char err[MRL_MSG_MAX];
    assert_int_equal(mrl_rl2_net_init(&net, &info, &run, err), MRL_OK);
    // the largest sizes the schema lets through (agent.hidden, agent.embed in
    // core/src/schema.c; test_config refuses one more) are ones the network accepts
    MrlRunConfig big = run_cfg("gru", 4096, 4096, 0);
    assert_int_equal(mrl_rl2_net_init(&net, &info, &big, err), MRL_OK);
    big.hidden = 4097;
    assert_int_equal(mrl_rl2_net_init(&net, &info, &big, err), MRL_EINVAL);
    assert_int_equal(mrl_rl2_net_init(&net, &info, &run, err), MRL_OK);
    // I = 4 one-hot obs + 3 one-hot action + reward + flag; G = 24
    assert_int_equal(net.d.I, 9);
    size_t expect = 24 * 9 + 24 + 24 * 8 + 24 + 3 * 8 + 3 + 8 + 1;
    assert_int_equal(net.n_params, expect);
    assert_int_equal(net.off.w_ih, 0);
    assert_int_equal(net.off.v_b, expect - 1);
    // the trial clock adds two inputs: two more columns of w_ih, nothing else
    run.time_input = 1;
    assert_int_equal(mrl_rl2_net_init(&net, &info, &run, err), MRL_OK);
    assert_int_equal(net.d.I, 11);
    assert_int_equal(net.n_params, expect + 24 * 2);
    // an input layer of 6 units: in_w (6, 11) and in_b first, then w_ih reads 6 columns
    run.input_mlp = 6;
    assert_int_equal(mrl_rl2_net_init(&net, &info, &run, err), MRL_OK);
    assert_int_equal(net.d.Ic, 6);
    assert_int_equal(net.off.in_w, 0);
    assert_int_equal(net.off.w_ih, 6 * 11 + 6);
    assert_int_equal(net.n_params, expect + 24 * 2 + 6 * 11 + 6 - 24 * (11 - 6));
    // the previous observation: 4 more one-hot columns
    run.input_mlp = 0;
    run.prev_obs = 1;
    assert_int_equal(mrl_rl2_net_init(&net, &info, &run, err), MRL_OK);
    assert_int_equal(net.d.I, 15);
    assert_int_equal(net.n_params, expect + 24 * 6);
    // a head layer of 5 units: hd_w (5, 8) and hd_b between the cell and the heads, which
    // then read 5 columns instead of 8
    run.prev_obs = 0;
    run.head_mlp = 5;
    assert_int_equal(mrl_rl2_net_init(&net, &info, &run, err), MRL_OK);
    assert_int_equal(net.d.Hh, 5);
    assert_int_equal(net.off.hd_w, net.off.b_hh + net.size.b_hh);
    assert_int_equal(net.off.pi_w, net.off.hd_w + 5 * 8 + 5);
    assert_int_equal(net.size.pi_w, 3 * 5);
    assert_int_equal(net.size.v_w, 5);
    assert_int_equal(net.n_params, expect + 24 * 2 + 5 * 8 + 5 - (3 + 1) * (8 - 5));
    // the head layer also reading the step input: hd_w (5, 8 + 11); the heads unchanged
    run.head_skip = 1;
    assert_int_equal(mrl_rl2_net_init(&net, &info, &run, err), MRL_OK);
    assert_int_equal(net.d.Kin, 8 + 11);
    assert_int_equal(net.size.hd_w, 5 * (8 + 11));
    assert_int_equal(net.off.pi_w, net.off.hd_w + 5 * (8 + 11) + 5);
    assert_int_equal(net.n_params, expect + 24 * 2 + 5 * (8 + 11) + 5 - (3 + 1) * (8 - 5));
    // a value trunk of its own: a copy of the trunk's tensors after the value head, the
    // shared layout before it unchanged; twice the recurrent state
    size_t shared = net.n_params, pi_w = net.off.pi_w;
    size_t trunk = net.off.pi_w - net.off.w_ih;
    run.separate_value = 1;
    assert_int_equal(mrl_rl2_net_init(&net, &info, &run, err), MRL_OK);
    assert_int_equal(net.off.pi_w, pi_w);
    assert_int_equal(net.off.val_in_w, shared);
    assert_int_equal(net.size.val_w_ih, net.size.w_ih);
    assert_int_equal(net.size.val_b_hh, net.size.b_hh);
    assert_int_equal(net.size.val_hd_w, 5 * (8 + 11));
    assert_int_equal(net.n_params, shared + trunk);
    assert_int_equal(net.d.S, 16);
    run.separate_value = 0;
    run.head_mlp = 0; // nothing to read it
    assert_int_equal(mrl_rl2_net_init(&net, &info, &run, err), MRL_EINVAL);
    assert_non_null(strstr(err, "agent.head_skip"));
    run.head_skip = 0;
    run.head_mlp = 4097;
    assert_int_equal(mrl_rl2_net_init(&net, &info, &run, err), MRL_EINVAL);
    assert_non_null(strstr(err, "agent.head_mlp"));
    run.head_mlp = 0;
    run.input_mlp = -1;
    assert_int_equal(mrl_rl2_net_init(&net, &info, &run, err), MRL_EINVAL);
    assert_non_null(strstr(err, "agent.input_mlp"));
    run = run_cfg("rnn", 8, 0, 0);
    assert_int_equal(mrl_rl2_net_init(&net, &info, &run, err), MRL_EINVAL);
    assert_non_null(strstr(err, "agent.cell"));
}

static void test_rl2_gradcheck_gru_onehot(void** state) {
    (void)state;
    MrlEnvInfo info = info_discrete(3, 4);
    MrlRunConfig run = run_cfg("gru", 5, 0, 0);
    assert_true(check_net(&info, &run, 11) < 1e-6);
}

static void test_rl2_gradcheck_gru_time_input(void** state) {
    (void)state;
    MrlEnvInfo info = info_discrete(3, 4);
    MrlRunConfig run = run_cfg("gru", 5, 0, 0);
    run.time_input = 1;
    assert_true(check_net(&info, &run, 13) < 1e-6);
}

// The optional parts of the network (the clock, the previous observation, the input layer,
// the head layer and its reading of the step input, the value trunk), each gradient-checked in
// combination: on
// one-hot observations with a GRU, and on raw or encoded vectors with an LSTM and layer norm
// (whose gradient then flows back through the head layer and the input layer into the
// encoder).
typedef struct {
    const char* cell;
    int32_t vector, embed, layer_norm, time_input, prev_obs, input_mlp, head_mlp, head_skip;
    int32_t separate_value, critic_oracle;
} OptionCase;

static void test_rl2_gradcheck_options(void** state) {
    (void)state;
    static const OptionCase cases[] = {
        {"gru", 0, 0, 0, 1, 0, 7, 0, 0, 0, 0},
        {"lstm", 1, 5, 1, 0, 0, 6, 0, 0, 0, 0},
        {"gru", 0, 0, 0, 1, 1, 6, 0, 0, 0, 0},
        {"lstm", 1, 0, 1, 0, 1, 0, 0, 0, 0, 0},
        {"gru", 0, 0, 0, 1, 1, 6, 5, 0, 0, 0},
        {"lstm", 1, 5, 1, 0, 0, 0, 4, 0, 0, 0},
        {"gru", 0, 0, 0, 0, 0, 0, 3, 0, 0, 0},
        {"gru", 0, 0, 0, 1, 1, 6, 5, 1, 0, 0},
        {"lstm", 1, 5, 1, 0, 0, 6, 4, 1, 0, 0},
        // the value head on a trunk of its own: bare; with every option (the step input's
        // share of both head layers flows back into the encoder)
        {"gru", 0, 0, 0, 0, 0, 0, 0, 0, 1, 0},
        {"gru", 0, 0, 0, 1, 1, 6, 5, 1, 1, 0},
        {"lstm", 1, 5, 1, 0, 0, 6, 4, 1, 1, 0},
        // and reading privileged features: bare (they enter the cell), through the input
        // layer, and with no input layer but the head layer reading them (the encoder's
        // gradient then passes the value trunk's wider input)
        {"gru", 0, 0, 0, 0, 0, 0, 0, 0, 1, 1},
        {"gru", 0, 0, 0, 1, 1, 6, 5, 1, 1, 1},
        {"lstm", 1, 5, 1, 0, 0, 0, 4, 1, 1, 1},
        {"lstm", 1, 5, 1, 0, 0, 6, 4, 0, 1, 1}, // and the encoder's gradient through the
                                                // value trunk's wider input layer
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const OptionCase* o = &cases[c];
        MrlEnvInfo info = info_discrete(3, 4);
        if (o->vector) {
            vector_obs(&info, 3);
        }
        MrlRunConfig run = run_cfg(o->cell, o->vector ? 4 : 5, o->embed, o->layer_norm);
        run.time_input = o->time_input;
        run.prev_obs = o->prev_obs;
        run.input_mlp = o->input_mlp;
        run.head_mlp = o->head_mlp;
        run.head_skip = o->head_skip;
        run.separate_value = o->separate_value;
        run.critic_oracle = o->critic_oracle;
        double e = check_net(&info, &run, 15 + c);
        if (!(e < 1e-6)) {
            fail_msg("case %zu: relative gradient error %g", c, e);
        }
    }
    // an encoded vector has no previous features to reuse: refused by name
    MrlEnvInfo info = info_discrete(3, 4);
    vector_obs(&info, 3);
    MrlRunConfig run = run_cfg("lstm", 4, 5, 1);
    run.prev_obs = 1;
    MrlRl2Net net;
    char err[MRL_MSG_MAX];
    assert_int_equal(mrl_rl2_net_init(&net, &info, &run, err), MRL_EINVAL);
    assert_non_null(strstr(err, "agent.prev_obs"));
    // privileged features need a value trunk of their own: the policy must never read them
    run.prev_obs = 0;
    run.critic_oracle = 1;
    assert_int_equal(mrl_rl2_net_init(&net, &info, &run, err), MRL_EINVAL);
    assert_non_null(strstr(err, "agent.critic_oracle"));
}

// a network on a filled 6 x 2 sequence (fill_inputs(input_seed)) and parameters uniform in
// [-0.5, 0.5) from param_seed; returns the parameters (the caller frees them and k->ws)
static double* random_net(NetCtx* k, const MrlEnvInfo* info, const MrlRunConfig* run,
                          uint64_t param_seed, uint64_t input_seed) {
    memset(k, 0, sizeof *k);
    char err[MRL_MSG_MAX];
    assert_int_equal(mrl_rl2_net_init(&k->net, info, run, err), MRL_OK);
    k->T = 6;
    k->B = 2;
    k->rows = 12;
    assert_int_equal(mrl_rl2_ws_init_f64(&k->ws, &k->net, k->T, k->B, err), MRL_OK);
    double* th = calloc(k->net.n_params, sizeof(double));
    MrlRng rng = {param_seed, 3};
    for (size_t i = 0; i < k->net.n_params; i++) {
        th[i] = 0.5 * (2.0 * mrl_rng_uniform(&rng) - 1.0);
    }
    fill_inputs(k, info, input_seed);
    return th;
}

// Which inputs reach the cell: a GRU with the clock and the previous observation on 3
// discrete observations, random parameters; `edit` changes one input of the filled 6 x 2
// sequence; returns a bit mask of the rows (t * 2 + b) whose value changed.
typedef enum { EDIT_CLOCK_STEP1, EDIT_PREV_OBS_STEP1, EDIT_PREV_OBS_TRIAL_START } InputEdit;

static unsigned changed_rows(InputEdit edit) {
    MrlEnvInfo info = info_discrete(3, 4);
    MrlRunConfig run = run_cfg("gru", 5, 0, 0);
    run.time_input = 1;
    run.prev_obs = 1;
    NetCtx k;
    double* th = random_net(&k, &info, &run, 5, 17);
    mrl_rl2_forward_f64(&k.net, &k.ws, th, k.T, k.B);
    double v0[12];
    memcpy(v0, k.ws.v, sizeof v0);
    if (edit == EDIT_CLOCK_STEP1) {
        k.ws.clock[2 * 2 + 1] = 0.9f; // step 1, slot 0: a later point of the episode
    } else { // step 1 or the trial start (step 0), slot 0: another previous observation
        size_t row = edit == EDIT_PREV_OBS_STEP1 ? 2 : 0;
        k.ws.prev_obs[row] = k.ws.prev_obs[row] == 1.0f ? 2.0f : 1.0f;
    }
    mrl_rl2_forward_f64(&k.net, &k.ws, th, k.T, k.B);
    unsigned mask = 0;
    for (size_t i = 0; i < 12; i++) {
        mask |= (k.ws.v[i] != v0[i]) ? 1u << i : 0u;
    }
    free(th);
    mrl_rl2_ws_release_f64(&k.ws);
    return mask;
}

// the clock and the previous observation reach the cell (a gradient check alone would pass
// if an input were never read): changing either at step 1 of slot 0 changes slot 0's values
// from step 1 on and nothing else; a previous observation at a trial start is not read
static void test_rl2_inputs_are_read(void** state) {
    (void)state;
    const unsigned slot0_from_step1 = 0x554; // rows 2, 4, 6, 8, 10
    assert_int_equal(changed_rows(EDIT_CLOCK_STEP1), slot0_from_step1);
    assert_int_equal(changed_rows(EDIT_PREV_OBS_STEP1), slot0_from_step1);
    assert_int_equal(changed_rows(EDIT_PREV_OBS_TRIAL_START), 0);
}

static void test_rl2_gradcheck_lstm_vector_box_layernorm(void** state) {
    (void)state;
    MrlEnvInfo info;
    memset(&info, 0, sizeof info);
    vector_obs(&info, 3);
    info.action.kind = MRL_SPACE_BOX;
    info.action.n = 2;
    info.action.ndim = 1;
    info.action.shape[0] = 2;
    info.action.low = -1.0f;
    info.action.high = 1.0f;
    MrlRunConfig run = run_cfg("lstm", 4, 5, 1);
    assert_true(check_net(&info, &run, 21) < 1e-6);
}

static void test_rl2_gradcheck_gru_image(void** state) {
    (void)state;
    MrlEnvInfo info = info_discrete(1, 3);
    info.obs.kind = MRL_SPACE_BOX;
    info.obs.n = 7 * 8 * 2;
    info.obs.ndim = 3;
    info.obs.shape[0] = 7;
    info.obs.shape[1] = 8;
    info.obs.shape[2] = 2;
    MrlRunConfig run = run_cfg("gru", 4, 6, 0);
    assert_true(check_net(&info, &run, 31) < 1e-6);
}

// moves parameters [lo, hi) by 0.25 and back; lp and v hold the outputs before. With
// policy_kept the policy's log-probabilities must stay bit-identical and the value move;
// otherwise the other way round
static void shift_params(NetCtx* k, double* th, size_t lo, size_t hi, const double* lp,
                         const double* v, int policy_kept) {
    for (size_t i = lo; i < hi; i++) {
        th[i] += 0.25;
    }
    mrl_rl2_forward_f64(&k->net, &k->ws, th, k->T, k->B);
    int lp_moved = 0, v_moved = 0;
    for (size_t i = 0; i < 12; i++) {
        lp_moved |= k->ws.logp_a[i] != lp[i];
        v_moved |= k->ws.v[i] != v[i];
    }
    assert_true(policy_kept ? !lp_moved && v_moved : lp_moved && !v_moved);
    for (size_t i = lo; i < hi; i++) {
        th[i] -= 0.25;
    }
}

// With a value trunk the two heads share no parameter after the step input: moving every
// value-trunk tensor leaves the policy's outputs bit-identical and moves the value; moving
// the policy trunk leaves the value bit-identical (both cells, every option on).
static void test_rl2_value_trunk_is_separate(void** state) {
    (void)state;
    for (int lstm = 0; lstm <= 1; lstm++) {
        MrlEnvInfo info = info_discrete(3, 4);
        MrlRunConfig run = run_cfg(lstm ? "lstm" : "gru", 5, 0, 1);
        run.time_input = 1;
        run.input_mlp = 6;
        run.head_mlp = 4;
        run.head_skip = 1;
        run.separate_value = 1;
        NetCtx k;
        double* th = random_net(&k, &info, &run, 9, 21);
        size_t P = k.net.n_params;
        double *lp = calloc(12, sizeof(double)), *v = calloc(12, sizeof(double));
        mrl_rl2_forward_f64(&k.net, &k.ws, th, k.T, k.B);
        memcpy(lp, k.ws.logp_a, 12 * sizeof(double));
        memcpy(v, k.ws.v, 12 * sizeof(double));
        // acting only: the same log-probabilities, v not written
        k.ws.no_value = 1;
        for (size_t i = 0; i < 12; i++) {
            k.ws.v[i] = -7.0;
        }
        mrl_rl2_forward_f64(&k.net, &k.ws, th, k.T, k.B);
        assert_memory_equal(lp, k.ws.logp_a, 12 * sizeof(double));
        for (size_t i = 0; i < 12; i++) {
            assert_true(k.ws.v[i] == -7.0);
        }
        k.ws.no_value = 0;
        // the value trunk (val_in_w to the end), then the policy trunk (input to head layer)
        shift_params(&k, th, k.net.off.val_in_w, P, lp, v, 1);
        shift_params(&k, th, k.net.off.in_w, k.net.off.pi_w, lp, v, 0);
        free(th), free(lp), free(v);
        mrl_rl2_ws_release_f64(&k.ws);
    }
}

// Privileged features (agent.critic_oracle) reach the value and nothing else: changing one
// row's features changes that row's value and, through the value cell, the values after it
// in its sequence, leaves every log-probability bit-identical, and leaves the other
// sequence's values alone. With them off (the same parameters but for the value trunk's
// input columns) the layout is the plain value trunk's plus V columns per input row.
static void test_rl2_privileged_features_reach_value_only(void** state) {
    (void)state;
    for (int lstm = 0; lstm <= 1; lstm++) {
        MrlEnvInfo info = info_discrete(3, 4);
        MrlRunConfig run = run_cfg(lstm ? "lstm" : "gru", 5, 0, 1);
        run.input_mlp = lstm ? 0 : 6;
        run.head_mlp = 4;
        run.head_skip = 1;
        run.separate_value = 1;
        run.critic_oracle = 1;
        NetCtx k;
        double* th = random_net(&k, &info, &run, 9, 23);
        double lp[12], v[12];
        mrl_rl2_forward_f64(&k.net, &k.ws, th, k.T, k.B);
        memcpy(lp, k.ws.logp_a, sizeof lp);
        memcpy(v, k.ws.v, sizeof v);
        k.ws.priv[2 * MRL_RL2_PRIV + 1] += 0.5f; // row 2: step 1 of sequence 0
        mrl_rl2_forward_f64(&k.net, &k.ws, th, k.T, k.B);
        assert_memory_equal(lp, k.ws.logp_a, sizeof lp);
        unsigned moved = 0;
        for (size_t i = 0; i < 12; i++) {
            moved |= k.ws.v[i] != v[i] ? 1u << i : 0u;
        }
        assert_int_equal(moved, 0x554); // rows 2, 4, 6, 8, 10
        MrlRunConfig plain = run;
        plain.critic_oracle = 0;
        MrlRl2Net pn;
        char err[MRL_MSG_MAX];
        assert_int_equal(mrl_rl2_net_init(&pn, &info, &plain, err), MRL_OK);
        size_t grown = lstm ? pn.size.val_w_ih / pn.d.I : pn.size.val_in_w / pn.d.I;
        assert_int_equal(k.net.n_params - pn.n_params,
                         grown * MRL_RL2_PRIV + 4 * MRL_RL2_PRIV); // cell or input layer; head
        free(th);
        mrl_rl2_ws_release_f64(&k.ws);
    }
}

// copies the first TB rows of k's filled inputs (and its start state) into a float workspace
static void inputs_to_float(MrlRl2Ws* ws, const NetCtx* k, size_t TB) {
    const MrlRl2Dims* d = &k->net.d;
    memcpy(ws->obs, k->ws.obs, TB * d->O * sizeof(float));
    memcpy(ws->act, k->ws.act, TB * d->Araw * sizeof(float));
    memcpy(ws->prev_act, k->ws.prev_act, TB * d->Araw * sizeof(float));
    memcpy(ws->prev_rew, k->ws.prev_rew, TB * sizeof(float));
    memcpy(ws->flags, k->ws.flags, TB * sizeof(int32_t));
    if (d->time_in) {
        memcpy(ws->clock, k->ws.clock, 2 * TB * sizeof(float));
    }
    if (d->prev_in) {
        memcpy(ws->prev_obs, k->ws.prev_obs, TB * d->O * sizeof(float));
    }
    if (d->crit_in) {
        memcpy(ws->priv, k->ws.priv, TB * d->V * sizeof(float));
    }
    for (size_t i = 0; i < k->B * d->S; i++) {
        ws->h0[i] = (float)k->ws.h0[i];
        ws->c0[i] = (float)k->ws.c0[i];
    }
}

static void test_rl2_float_matches_double(void** state) {
    (void)state;
    for (int cell = 0; cell < 2; cell++) {
        MrlEnvInfo info = info_discrete(3, 4);
        MrlRunConfig run = run_cfg(cell ? "lstm" : "gru", 16, 0, 1);
        NetCtx k;
        memset(&k, 0, sizeof k);
        char err[MRL_MSG_MAX];
        assert_int_equal(mrl_rl2_net_init(&k.net, &info, &run, err), MRL_OK);
        k.T = 6, k.B = 2;
        assert_int_equal(mrl_rl2_ws_init_f64(&k.ws, &k.net, k.T, k.B, err), MRL_OK);
        fill_inputs(&k, &info, 5);
        MrlRl2Ws ws;
        assert_int_equal(mrl_rl2_ws_init(&ws, &k.net, k.T, k.B, err), MRL_OK);
        size_t TB = 12;
        inputs_to_float(&ws, &k, TB);
        float* p = calloc(k.net.n_params, sizeof(float));
        double* pd = calloc(k.net.n_params, sizeof(double));
        mrl_rl2_net_init_params(&k.net, p, 3);
        for (size_t i = 0; i < k.net.n_params; i++) {
            p[i] *= 20.0f; // make the policy far from uniform
            pd[i] = p[i];
        }
        mrl_rl2_forward(&k.net, &ws, p, k.T, k.B);
        mrl_rl2_forward_f64(&k.net, &k.ws, pd, k.T, k.B);
        for (size_t i = 0; i < TB; i++) {
            assert_true(fabs(ws.logp_a[i] - k.ws.logp_a[i]) < 1e-4 * (1.0 + fabs(k.ws.logp_a[i])));
            assert_true(fabs(ws.v[i] - k.ws.v[i]) < 1e-4 * (1.0 + fabs(k.ws.v[i])));
        }
        // the backward passes too: the same cotangents give the same gradient to float rounding
        for (size_t i = 0; i < TB; i++) {
            k.ws.dlogp_a[i] = 0.3 - 0.07 * (double)i;
            k.ws.dent[i] = 0.01 * (double)(i % 3);
            k.ws.dv[i] = 0.5 * ((double)(i % 4) - 1.5);
            ws.dlogp_a[i] = (float)k.ws.dlogp_a[i];
            ws.dent[i] = (float)k.ws.dent[i];
            ws.dv[i] = (float)k.ws.dv[i];
        }
        float* g = calloc(k.net.n_params, sizeof(float));
        double* gd = calloc(k.net.n_params, sizeof(double));
        mrl_rl2_backward(&k.net, &ws, p, g, k.T, k.B);
        mrl_rl2_backward_f64(&k.net, &k.ws, pd, gd, k.T, k.B);
        double gmax = 0.0, dmax = 0.0;
        for (size_t i = 0; i < k.net.n_params; i++) {
            gmax = fmax(gmax, fabs(gd[i]));
            dmax = fmax(dmax, fabs((double)g[i] - gd[i]));
        }
        assert_true(gmax > 1e-3);
        assert_true(dmax < 1e-4 * gmax);
        free(g), free(gd);
        free(p), free(pd);
        mrl_rl2_ws_release(&ws);
        mrl_rl2_ws_release_f64(&k.ws);
    }
}

// Packed sequences (ws.nt): the second sequence ends after 3 of 6 steps. The gradient check
// runs on the packed rows themselves, for both cells.
static void test_rl2_gradcheck_packed(void** state) {
    (void)state;
    static const uint32_t nt[6] = {2, 2, 2, 1, 1, 1};
    MrlEnvInfo info = info_discrete(5, 3);
    MrlRunConfig gru = run_cfg("gru", 6, 0, 0);
    assert_true(check_net_rows(&info, &gru, 41, nt) < 1e-6);
    MrlRunConfig lstm = run_cfg("lstm", 5, 0, 1);
    assert_true(check_net_rows(&info, &lstm, 42, nt) < 1e-6);
}

// The packed batch computes what the full batch computes on the rows before each sequence's
// end, and its gradient equals the full batch's with the loss masked after the ends.
static void packed_matches_padded(const char* cell) {
    enum { T = 7, B = 4 };
    static const uint32_t len[B] = {7, 5, 5, 2}; // sorted longest first
    uint32_t nt[T];
    for (size_t t = 0; t < T; t++) {
        nt[t] = 0;
        for (size_t b = 0; b < B; b++) {
            nt[t] += t < len[b];
        }
    }
    MrlEnvInfo info = info_discrete(4, 3);
    MrlRunConfig run = run_cfg(cell, 8, 0, 0);
    NetCtx k;
    memset(&k, 0, sizeof k);
    char err[MRL_MSG_MAX];
    assert_int_equal(mrl_rl2_net_init(&k.net, &info, &run, err), MRL_OK);
    k.T = T, k.B = B;
    assert_int_equal(mrl_rl2_ws_init_f64(&k.ws, &k.net, T, B, err), MRL_OK);
    fill_inputs(&k, &info, 77);
    MrlRl2Ws64 pk;
    assert_int_equal(mrl_rl2_ws_init_f64(&pk, &k.net, T, B, err), MRL_OK);
    pk.nt = nt;
    const MrlRl2Dims* d = &k.net.d;
    size_t P = k.net.n_params;
    double* th = calloc(P, sizeof(double));
    double* g_full = calloc(P, sizeof(double));
    double* g_pack = calloc(P, sizeof(double));
    float* tmp = calloc(P, sizeof(float));
    mrl_rl2_net_init_params(&k.net, tmp, 5);
    for (size_t i = 0; i < P; i++) {
        th[i] = 4.0 * tmp[i];
    }
    // packed inputs: row (t, b) of the full batch for b < nt[t]
    size_t row = 0;
    for (size_t t = 0; t < T; t++) {
        for (size_t b = 0; b < nt[t]; b++, row++) {
            size_t i = t * B + b;
            memcpy(pk.obs + row * d->O, k.ws.obs + i * d->O, d->O * sizeof(float));
            memcpy(pk.act + row * d->Araw, k.ws.act + i * d->Araw, d->Araw * sizeof(float));
            memcpy(pk.prev_act + row * d->Araw, k.ws.prev_act + i * d->Araw,
                   d->Araw * sizeof(float));
            pk.prev_rew[row] = k.ws.prev_rew[i];
            pk.flags[row] = k.ws.flags[i];
        }
    }
    memcpy(pk.h0, k.ws.h0, B * d->S * sizeof(double));
    memcpy(pk.c0, k.ws.c0, B * d->S * sizeof(double));
    mrl_rl2_forward_f64(&k.net, &k.ws, th, T, B);
    mrl_rl2_forward_f64(&k.net, &pk, th, T, B);
    row = 0;
    for (size_t t = 0; t < T; t++) {
        for (size_t b = 0; b < B; b++) {
            size_t i = t * B + b;
            int valid = b < nt[t];
            double w1 = 0.1 + 0.01 * (double)i, w2 = 0.05, w3 = -0.2 + 0.02 * (double)b;
            k.ws.dlogp_a[i] = valid ? w1 : 0.0;
            k.ws.dent[i] = valid ? w2 : 0.0;
            k.ws.dv[i] = valid ? w3 : 0.0;
            if (!valid) {
                continue;
            }
            assert_true(fabs(pk.logp_a[row] - k.ws.logp_a[i]) < 1e-12);
            assert_true(fabs(pk.v[row] - k.ws.v[i]) < 1e-12);
            assert_true(fabs(pk.ent[row] - k.ws.ent[i]) < 1e-12);
            pk.dlogp_a[row] = w1, pk.dent[row] = w2, pk.dv[row] = w3;
            row++;
        }
    }
    // scratch holds whatever an earlier call left there: its contents must not matter
    for (size_t i = 0; i < T * B * 4 * d->H + 4 * B * d->H; i++) {
        pk.rnn_bws[i] = 1e3;
    }
    mrl_rl2_backward_f64(&k.net, &k.ws, th, g_full, T, B);
    mrl_rl2_backward_f64(&k.net, &pk, th, g_pack, T, B);
    double gmax = 0.0;
    for (size_t i = 0; i < P; i++) {
        assert_true(fabs(g_full[i] - g_pack[i]) < 1e-12 * (1.0 + fabs(g_full[i])));
        gmax = fabs(g_full[i]) > gmax ? fabs(g_full[i]) : gmax;
    }
    assert_true(gmax > 1e-3); // the comparison is not between zeros
    free(th), free(g_full), free(g_pack), free(tmp);
    mrl_rl2_ws_release_f64(&pk);
    mrl_rl2_ws_release_f64(&k.ws);
}

static void test_rl2_packed_matches_padded(void** state) {
    (void)state;
    packed_matches_padded("gru");
    packed_matches_padded("lstm");
}

// With a value trunk of its own, forward and backward run the two trunks on two threads
// when the workspace has a pool: outputs and gradients equal those of one thread bit for
// bit (float, the training path), on full and packed batches, for the GRU on one-hot
// observations and the LSTM on encoded vectors (whose two dx shares meet in the encoder).
// Sizes large enough (T 24, B 16, 64 units) that the two threads' work overlaps in time, so
// scratch the trunks wrongly shared would show as differing bits.
static void two_trunks_at_once(const MrlEnvInfo* info, const MrlRunConfig* run, int packed) {
    enum { T = 24, B = 16 };
    uint32_t nt[T];
    for (size_t t = 0; t < T; t++) { // sequence b runs for T - b steps
        nt[t] = (uint32_t)(T - t < B ? T - t : B);
    }
    NetCtx k;
    memset(&k, 0, sizeof k);
    char err[MRL_MSG_MAX];
    assert_int_equal(mrl_rl2_net_init(&k.net, info, run, err), MRL_OK);
    k.T = T, k.B = B;
    assert_int_equal(mrl_rl2_ws_init_f64(&k.ws, &k.net, T, B, err), MRL_OK);
    fill_inputs(&k, info, 31);
    const MrlRl2Dims* d = &k.net.d;
    size_t P = k.net.n_params, TB = 0;
    for (size_t t = 0; t < T; t++) {
        TB += packed ? nt[t] : B;
    }
    MrlRl2Ws ws[2];
    float* g[2];
    float* p = calloc(P, sizeof(float));
    mrl_rl2_net_init_params(&k.net, p, 8);
    for (size_t i = 0; i < P; i++) {
        p[i] *= 3.0f; // far from the initial scale, so every part of the gradient is sizeable
    }
    MrlPool* pool = mrl_pool_new(2);
    assert_non_null(pool);
    for (int w = 0; w < 2; w++) {
        assert_int_equal(mrl_rl2_ws_init(&ws[w], &k.net, k.T, k.B, err), MRL_OK);
        ws[w].pool = w ? pool : NULL;
        ws[w].nt = packed ? nt : NULL;
        inputs_to_float(&ws[w], &k, TB);
        mrl_rl2_forward(&k.net, &ws[w], p, k.T, k.B);
        for (size_t i = 0; i < TB; i++) {
            ws[w].dlogp_a[i] = 0.1f + 0.01f * (float)(i % 17);
            ws[w].dent[i] = -0.05f;
            ws[w].dv[i] = 0.3f - 0.02f * (float)(i % 13);
        }
        g[w] = calloc(P, sizeof(float));
        mrl_rl2_backward(&k.net, &ws[w], p, g[w], k.T, k.B);
    }
    assert_memory_equal(ws[0].logp_a, ws[1].logp_a, TB * sizeof(float));
    assert_memory_equal(ws[0].ent, ws[1].ent, TB * sizeof(float));
    assert_memory_equal(ws[0].v, ws[1].v, TB * sizeof(float));
    assert_memory_equal(g[0], g[1], P * sizeof(float));
    // the comparison is not between zeros: both trunks (and the encoder) have gradients
    double pol = 0.0, val = 0.0, enc = 0.0;
    for (size_t i = k.net.off.w_ih; i < k.net.off.pi_w; i++) {
        pol += fabs(g[0][i]);
    }
    for (size_t i = k.net.off.val_w_ih; i < P; i++) {
        val += fabs(g[0][i]);
    }
    for (size_t i = k.net.off.enc_w; i < k.net.off.enc_w + k.net.size.enc_w; i++) {
        enc += fabs(g[0][i]);
    }
    assert_true(pol > 1e-3 && val > 1e-3);
    assert_true(d->enc_params ? enc > 1e-3 : enc == 0.0);
    for (int w = 0; w < 2; w++) {
        free(g[w]);
        mrl_rl2_ws_release(&ws[w]);
    }
    mrl_pool_free(pool);
    free(p);
    mrl_rl2_ws_release_f64(&k.ws);
}

static void test_rl2_two_trunks_at_once(void** state) {
    (void)state;
    MrlEnvInfo info = info_discrete(6, 4);
    MrlRunConfig run = run_cfg("gru", 64, 0, 1);
    run.time_input = 1;
    run.prev_obs = 1;
    run.input_mlp = 48;
    run.head_mlp = 40;
    run.head_skip = 1;
    run.separate_value = 1;
    MrlEnvInfo vec = info_discrete(6, 4);
    vector_obs(&vec, 5);
    MrlRunConfig lstm = run_cfg("lstm", 64, 12, 1);
    lstm.input_mlp = 48;
    lstm.head_mlp = 40;
    lstm.head_skip = 1;
    lstm.separate_value = 1;
    for (int packed = 0; packed <= 1; packed++) {
        two_trunks_at_once(&info, &run, packed);
        two_trunks_at_once(&vec, &lstm, packed);
    }
}

// Acting at a temperature: N slots at a trial start with the same inputs share one policy p;
// sampled at T = 1 the actions follow p, at T = 0.5 p^2 renormalised, at T = 2 sqrt(p)
// renormalised (each count within 5 standard deviations); the agent reads agent.temperature,
// and a tiny one acts as rl2_greedy does
static void test_rl2_temperature(void** state) {
    (void)state;
    enum { N = 20000, A = 4 };
    MrlEnvInfo info = info_discrete(3, A);
    MrlRunConfig run = run_cfg("gru", 8, 0, 0);
    MrlRl2Net net;
    char err[MRL_MSG_MAX];
    assert_int_equal(mrl_rl2_net_init(&net, &info, &run, err), MRL_OK);
    float* p = calloc(net.n_params, sizeof(float));
    mrl_rl2_net_init_params(&net, p, 5);
    for (size_t i = net.off.pi_w; i < net.off.pi_w + net.size.pi_w; i++) {
        p[i] *= 30.0f; // a policy far from uniform, not near-deterministic either
    }
    float* zeros = calloc(N, sizeof(float));
    float* act = calloc(N, sizeof(float));
    int32_t* flags = calloc(N, sizeof(int32_t));
    int32_t* ints = calloc(N, sizeof(int32_t));
    int64_t* steps = calloc(N, sizeof(int64_t));
    MrlRng* rngs = calloc(N, sizeof(MrlRng));
    for (size_t s = 0; s < N; s++) {
        flags[s] = MRL_SLOT_ACTIVE | MRL_SLOT_TRIAL_START | MRL_SLOT_EPISODE_START;
        mrl_rng_seed(&rngs[s], 17, s);
    }
    MrlStepBatch b = {.n_slots = N,
                      .obs_floats = 1,
                      .act_floats = 1,
                      .info = &info,
                      .obs = zeros,
                      .final_obs = zeros,
                      .prev_action = zeros,
                      .prev_reward = zeros,
                      .flags = flags,
                      .episode = ints,
                      .episodes = ints,
                      .ep_step = steps};
    MrlRl2Policy pol;
    assert_int_equal(mrl_rl2_policy_init(&pol, &net, p, N, err), MRL_OK);
    assert_true(pol.temperature == 1.0f);
    const float ts[3] = {1.0f, 0.5f, 2.0f};
    double prob[A];
    for (int k = 0; k < 3; k++) {
        pol.temperature = ts[k];
        mrl_rl2_policy_step(&pol, act, &b, rngs);
        if (k == 0) {
            for (int j = 0; j < A; j++) {
                prob[j] = exp((double)pol.ws.logp[j]);
            }
        }
        double want[A], z = 0.0, lo = 1.0, hi = 0.0;
        for (int j = 0; j < A; j++) {
            want[j] = pow(prob[j], 1.0 / ts[k]);
            z += want[j];
            lo = fmin(lo, prob[j]);
            hi = fmax(hi, prob[j]);
        }
        assert_true(lo > 0.02 && hi < 0.9);
        int count[A] = {0};
        for (size_t s = 0; s < N; s++) {
            assert_true(pol.ws.logp[s * A + 1] == pol.ws.logp[1]); // one policy for all
            count[(int)act[s]]++;
        }
        for (int j = 0; j < A; j++) {
            double q = want[j] / z, sd = sqrt(N * q * (1.0 - q));
            assert_true(fabs(count[j] - N * q) < 5.0 * sd);
        }
    }
    mrl_rl2_policy_release(&pol);
    // through the agent: a tiny temperature picks the most likely action everywhere
    MrlAgent* greedy = mrl_rl2_agent_new(&run, p, net.n_params, 1, err);
    run.temperature = 1e-4;
    MrlAgent* cold = mrl_rl2_agent_new(&run, p, net.n_params, 0, err);
    assert_non_null(greedy);
    assert_non_null(cold);
    assert_int_equal(greedy->begin(greedy, N, &info, err), MRL_OK);
    assert_int_equal(cold->begin(cold, N, &info, err), MRL_OK);
    float* act_g = calloc(N, sizeof(float));
    assert_int_equal(greedy->act(greedy, act_g, &b, rngs, err), MRL_OK);
    assert_int_equal(cold->act(cold, act, &b, rngs, err), MRL_OK);
    assert_memory_equal(act, act_g, N * sizeof(float));
    greedy->free(greedy);
    cold->free(cold);
    free(act_g), free(p), free(zeros), free(act), free(flags), free(ints), free(steps), free(rngs);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rl2_layout_from_one_table),
        cmocka_unit_test(test_rl2_gradcheck_gru_onehot),
        cmocka_unit_test(test_rl2_gradcheck_gru_time_input),
        cmocka_unit_test(test_rl2_inputs_are_read),
        cmocka_unit_test(test_rl2_gradcheck_options),
        cmocka_unit_test(test_rl2_gradcheck_lstm_vector_box_layernorm),
        cmocka_unit_test(test_rl2_gradcheck_gru_image),
        cmocka_unit_test(test_rl2_value_trunk_is_separate),
        cmocka_unit_test(test_rl2_privileged_features_reach_value_only),
        cmocka_unit_test(test_rl2_float_matches_double),
        cmocka_unit_test(test_rl2_temperature),
        cmocka_unit_test(test_rl2_gradcheck_packed),
        cmocka_unit_test(test_rl2_packed_matches_padded),
        cmocka_unit_test(test_rl2_two_trunks_at_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
