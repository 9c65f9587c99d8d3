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
#include "rl2/rl2_net.h"
#include "support/gradcheck.h"

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
    double *c1, *c2, *c3;
} NetCtx;

static double net_loss(void* p, const double* th) {
    NetCtx* k = p;
    mrl_rl2_forward_f64(&k->net, &k->ws, th, k->T, k->B);
    double s = 0.0;
    for (size_t i = 0; i < k->T * k->B; i++) {
        s += k->c1[i] * k->ws.logp_a[i] + k->c2[i] * k->ws.ent[i] + k->c3[i] * k->ws.v[i];
    }
    return s;
}

static void net_grad(void* p, const double* th, double* g) {
    NetCtx* k = p;
    mrl_rl2_forward_f64(&k->net, &k->ws, th, k->T, k->B);
    size_t TB = k->T * k->B;
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
            k->ws.flags[i] = MRL_SLOT_ACTIVE | (t == 0 ? MRL_SLOT_TRIAL_START : 0) |
                             ((t == 0 || t == 3) ? MRL_SLOT_EPISODE_START : 0);
        }
    }
    for (size_t i = 0; i < B * d->H; i++) {
        k->ws.h0[i] = 0.3 * (2.0 * mrl_rng_uniform(&rng) - 1.0);
        k->ws.c0[i] = 0.3 * (2.0 * mrl_rng_uniform(&rng) - 1.0);
    }
}

static double check_net(const MrlEnvInfo* info, const MrlRunConfig* run, uint64_t seed) {
    NetCtx k;
    memset(&k, 0, sizeof k);
    char err[MRL_MSG_MAX];
    assert_int_equal(mrl_rl2_net_init(&k.net, info, run, err), MRL_OK);
    k.T = 6;
    k.B = 2;
    assert_int_equal(mrl_rl2_ws_init_f64(&k.ws, &k.net, k.T, k.B, err), MRL_OK);
    size_t TB = k.T * k.B;
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

static void test_rl2_layout_from_one_table(void** state) {
    (void)state;
    MrlEnvInfo info = info_discrete(4, 3);
    MrlRunConfig run = run_cfg("gru", 8, 0, 0);
    MrlRl2Net net;
    char err[MRL_MSG_MAX];
    assert_int_equal(mrl_rl2_net_init(&net, &info, &run, err), MRL_OK);
    // I = 4 one-hot obs + 3 one-hot action + reward + flag; G = 24
    assert_int_equal(net.d.I, 9);
    size_t expect = 24 * 9 + 24 + 24 * 8 + 24 + 3 * 8 + 3 + 8 + 1;
    assert_int_equal(net.n_params, expect);
    assert_int_equal(net.off.w_ih, 0);
    assert_int_equal(net.off.v_b, expect - 1);
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

static void test_rl2_gradcheck_lstm_vector_box_layernorm(void** state) {
    (void)state;
    MrlEnvInfo info;
    memset(&info, 0, sizeof info);
    info.obs.kind = MRL_SPACE_BOX;
    info.obs.n = 3;
    info.obs.ndim = 1;
    info.obs.shape[0] = 3;
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

static void test_rl2_float_matches_double(void** state) {
    (void)state;
    MrlEnvInfo info = info_discrete(3, 4);
    MrlRunConfig run = run_cfg("gru", 16, 0, 1);
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
    memcpy(ws.obs, k.ws.obs, TB * sizeof(float));
    memcpy(ws.act, k.ws.act, TB * sizeof(float));
    memcpy(ws.prev_act, k.ws.prev_act, TB * sizeof(float));
    memcpy(ws.prev_rew, k.ws.prev_rew, TB * sizeof(float));
    memcpy(ws.flags, k.ws.flags, TB * sizeof(int32_t));
    for (size_t i = 0; i < 2 * 16; i++) {
        ws.h0[i] = (float)k.ws.h0[i];
    }
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
    free(p), free(pd);
    mrl_rl2_ws_release(&ws);
    mrl_rl2_ws_release_f64(&k.ws);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rl2_layout_from_one_table),
        cmocka_unit_test(test_rl2_gradcheck_gru_onehot),
        cmocka_unit_test(test_rl2_gradcheck_lstm_vector_box_layernorm),
        cmocka_unit_test(test_rl2_gradcheck_gru_image),
        cmocka_unit_test(test_rl2_float_matches_double),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
