// test_gradcheck.c — finite-difference gradient checks (double precision) of
// every layer's backward pass in nn/nn.h, and a test of the checker itself: a
// deliberately broken backward must fail. The whole-network check over a
// multi-episode sequence is in tests/test_rl2.c.
// Run: ctest -R test_gradcheck.
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nn/nn.h"
#include "support/gradcheck.h"

#define TOL 1e-6

static double dot(const double* a, const double* b, size_t n) {
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        s += a[i] * b[i];
    }
    return s;
}

static double* da(size_t n) {
    double* p = calloc(n ? n : 1, sizeof(double));
    assert_non_null(p);
    return p;
}

// ---- linear + tanh + relu ----

typedef struct {
    size_t N, C, OC;
    double *y, *z, *c, *dy;
} LinCtx; // theta = [x (N, C), w (OC, C), b (OC)]; loss = c . relu(tanh(linear(x)))

static double lin_loss(void* p, const double* th) {
    LinCtx* k = p;
    const double *x = th, *w = x + k->N * k->C, *b = w + k->OC * k->C;
    mrl_nn_linear_forward_f64(k->y, x, w, b, k->N, k->C, k->OC);
    mrl_nn_tanh_forward_f64(k->z, k->y, k->N * k->OC);
    mrl_nn_relu_forward_f64(k->z, k->z, k->N * k->OC);
    return dot(k->c, k->z, k->N * k->OC);
}

static void lin_grad(void* p, const double* th, double* g) {
    LinCtx* k = p;
    size_t n = k->N * k->OC;
    const double *x = th, *w = x + k->N * k->C;
    lin_loss(p, th);
    double* dz = da(n);
    // relu after tanh: out = relu(t); tanh_backward needs t = tanh(y) itself
    double* t = da(n);
    mrl_nn_tanh_forward_f64(t, k->y, n);
    mrl_nn_relu_backward_f64(dz, k->c, k->z, n);
    memset(k->dy, 0, n * sizeof(double));
    mrl_nn_tanh_backward_f64(k->dy, dz, t, n);
    mrl_nn_linear_backward_f64(g, g + k->N * k->C, g + k->N * k->C + k->OC * k->C, k->dy, x, w,
                               k->N, k->C, k->OC);
    free(dz);
    free(t);
}

static void test_linear_tanh_relu_gradcheck(void** state) {
    (void)state;
    LinCtx k = {.N = 4, .C = 5, .OC = 3};
    size_t n = k.N * k.OC;
    k.y = da(n), k.z = da(n), k.c = da(n), k.dy = da(n);
    gc_weights(k.c, n, 1);
    double e = gc_check(lin_loss, lin_grad, &k, k.N * k.C + k.OC * k.C + k.OC, 1, 1.0, 1000);
    assert_true(e < TOL);
    free(k.y), free(k.z), free(k.c), free(k.dy);
}

// ---- GRU ----

typedef struct {
    size_t T, B, H;
    int broken; // 1: backward ignores the recurrent weights (a deliberate bug)
    double *h, *act, *ws, *c, *wsb, *dx, *zero;
} GruCtx; // theta = [xproj (T,B,3H), w_hh (3H,H), b_hh (3H), h0 (B,H)]; loss = c . h_1..T

static double gru_loss(void* p, const double* th) {
    GruCtx* k = p;
    size_t T = k->T, B = k->B, H = k->H, G = 3 * H;
    const double *xp = th, *w = xp + T * B * G, *b = w + G * H, *h0 = b + G;
    memcpy(k->h, h0, B * H * sizeof(double));
    mrl_nn_gru_forward_f64(k->h, k->act, k->ws, xp, w, b, 0, NULL, T, B, H);
    return dot(k->c, k->h + B * H, T * B * H);
}

static void gru_grad(void* p, const double* th, double* g) {
    GruCtx* k = p;
    size_t T = k->T, B = k->B, H = k->H, G = 3 * H;
    const double* w = th + T * B * G;
    gru_loss(p, th);
    double* gw = g + T * B * G;
    mrl_nn_gru_backward_f64(g, gw, gw + G * H, gw + G * H + G, k->wsb, k->c, k->h, k->act,
                            k->broken ? k->zero : w, NULL, T, B, H);
}

static GruCtx gru_ctx(size_t T, size_t B, size_t H) {
    GruCtx k = {.T = T, .B = B, .H = H};
    k.h = da((T + 1) * B * H), k.act = da(T * B * 4 * H),
    k.ws = da(B * 3 * H + mrl_nn_pack_floats(H, 3 * H));
    k.c = da(T * B * H), k.wsb = da(T * B * 3 * H + 2 * B * H + mrl_nn_pack_floats(3 * H, H));
    k.zero = da(3 * H * H);
    gc_weights(k.c, T * B * H, 2);
    return k;
}

static void gru_free(GruCtx* k) {
    free(k->h), free(k->act), free(k->ws), free(k->c), free(k->wsb), free(k->zero);
}

static size_t gru_n(const GruCtx* k) {
    size_t G = 3 * k->H;
    return k->T * k->B * G + G * k->H + G + k->B * k->H;
}

static void test_gru_gradcheck(void** state) {
    (void)state;
    GruCtx k = gru_ctx(5, 2, 4);
    assert_true(gc_check(gru_loss, gru_grad, &k, gru_n(&k), 3, 1.0, 2000) < TOL);
    gru_free(&k);
}

static void test_gradcheck_catches_broken_backward(void** state) {
    (void)state;
    // the checker itself: a backward that drops the h . W_hh path through time must fail
    GruCtx k = gru_ctx(5, 2, 4);
    k.broken = 1;
    double e = gc_check(gru_loss, gru_grad, &k, gru_n(&k), 3, 1.0, 2000);
    assert_true(e > 1e-2);
    gru_free(&k);
}

// ---- LSTM ----

typedef struct {
    size_t T, B, H;
    double *h, *cc, *act, *tc, *ws, *c, *wsb;
} LstmCtx; // theta = [xproj (T,B,4H), w_hh (4H,H), h0, c0 (B,H)]; loss = c . h_1..T

static double lstm_loss(void* p, const double* th) {
    LstmCtx* k = p;
    size_t T = k->T, B = k->B, H = k->H, G = 4 * H;
    const double *xp = th, *w = xp + T * B * G, *h0 = w + G * H, *c0 = h0 + B * H;
    memcpy(k->h, h0, B * H * sizeof(double));
    memcpy(k->cc, c0, B * H * sizeof(double));
    mrl_nn_lstm_forward_f64(k->h, k->cc, k->act, k->tc, k->ws, xp, w, 0, NULL, T, B, H);
    return dot(k->c, k->h + B * H, T * B * H);
}

static void lstm_grad(void* p, const double* th, double* g) {
    LstmCtx* k = p;
    size_t T = k->T, B = k->B, H = k->H, G = 4 * H;
    const double* w = th + T * B * G;
    lstm_loss(p, th);
    double* gw = g + T * B * G;
    mrl_nn_lstm_backward_f64(g, gw, gw + G * H, gw + G * H + B * H, k->wsb, k->c, k->h, k->cc,
                             k->act, k->tc, w, NULL, T, B, H);
}

static void test_lstm_gradcheck(void** state) {
    (void)state;
    size_t T = 5, B = 2, H = 3;
    LstmCtx k = {.T = T, .B = B, .H = H};
    k.h = da((T + 1) * B * H), k.cc = da((T + 1) * B * H), k.act = da(T * B * 4 * H);
    k.tc = da(T * B * H), k.ws = da(B * 4 * H + mrl_nn_pack_floats(H, 4 * H)), k.c = da(T * B * H);
    k.wsb = da(4 * B * H + mrl_nn_pack_floats(4 * H, H));
    gc_weights(k.c, T * B * H, 4);
    size_t n = T * B * 4 * H + 4 * H * H + 2 * B * H;
    assert_true(gc_check(lstm_loss, lstm_grad, &k, n, 5, 1.0, 2000) < TOL);
    free(k.h), free(k.cc), free(k.act), free(k.tc), free(k.ws), free(k.c), free(k.wsb);
}

// ---- conv2d ----

typedef struct {
    size_t N, IH, IW, C, OC, K, S, OH, OW;
    double *y, *col, *dcol, *c;
} ConvCtx; // theta = [x (N,IH,IW,C), w (OC,K,K,C), b (OC)]

static double conv_loss(void* p, const double* th) {
    ConvCtx* k = p;
    const double *x = th, *w = x + k->N * k->IH * k->IW * k->C, *b = w + k->OC * k->K * k->K * k->C;
    mrl_nn_conv2d_forward_f64(k->y, k->col, x, w, b, k->N, k->IH, k->IW, k->C, k->OC, k->K, k->S,
                              1);
    return dot(k->c, k->y, k->N * k->OH * k->OW * k->OC);
}

static void conv_grad(void* p, const double* th, double* g) {
    ConvCtx* k = p;
    size_t nx = k->N * k->IH * k->IW * k->C, nw = k->OC * k->K * k->K * k->C;
    mrl_nn_conv2d_backward_f64(g, g + nx, g + nx + nw, k->col, k->dcol, k->c, th, th + nx, k->N,
                               k->IH, k->IW, k->C, k->OC, k->K, k->S, 1);
}

static void test_conv2d_gradcheck(void** state) {
    (void)state;
    ConvCtx k = {.N = 2, .IH = 6, .IW = 5, .C = 2, .OC = 3, .K = 3, .S = 2};
    k.OH = (k.IH - k.K) / k.S + 1, k.OW = (k.IW - k.K) / k.S + 1;
    size_t ny = k.N * k.OH * k.OW * k.OC, ncol = k.OH * k.OW * k.K * k.K * k.C;
    k.y = da(ny), k.col = da(ncol), k.dcol = da(ncol), k.c = da(ny);
    gc_weights(k.c, ny, 6);
    size_t n = k.N * k.IH * k.IW * k.C + k.OC * k.K * k.K * k.C + k.OC;
    assert_true(gc_check(conv_loss, conv_grad, &k, n, 7, 1.0, 1000) < TOL);
    free(k.y), free(k.col), free(k.dcol), free(k.c);
}

// ---- layer norm ----

typedef struct {
    size_t N, C;
    double *y, *mean, *rstd, *c;
} LnCtx; // theta = [x (N,C), g (C), b (C)]

static double ln_loss(void* p, const double* th) {
    LnCtx* k = p;
    const double *x = th, *g = x + k->N * k->C, *b = g + k->C;
    mrl_nn_layernorm_forward_f64(k->y, k->mean, k->rstd, x, g, b, k->N, k->C);
    return dot(k->c, k->y, k->N * k->C);
}

static void ln_grad(void* p, const double* th, double* gr) {
    LnCtx* k = p;
    ln_loss(p, th);
    size_t nx = k->N * k->C;
    mrl_nn_layernorm_backward_f64(gr, gr + nx, gr + nx + k->C, k->c, th, th + nx, k->mean, k->rstd,
                                  k->N, k->C);
}

static void test_layernorm_gradcheck(void** state) {
    (void)state;
    LnCtx k = {.N = 3, .C = 6};
    k.y = da(18), k.mean = da(3), k.rstd = da(3), k.c = da(18);
    gc_weights(k.c, 18, 8);
    assert_true(gc_check(ln_loss, ln_grad, &k, 18 + 12, 9, 1.0, 1000) < TOL);
    free(k.y), free(k.mean), free(k.rstd), free(k.c);
}

// ---- policy heads ----

typedef struct {
    size_t N, A;
    float act[8 * 4];
    double *lp, *lpa, *ent, *c1, *c2;
} HeadCtx; // categorical: theta = logits (N, A); loss = c1 . logprob(act) + c2 . entropy

static double cat_loss(void* p, const double* th) {
    HeadCtx* k = p;
    mrl_nn_categorical_forward_f64(k->lp, th, k->N, k->A);
    mrl_nn_categorical_logprob_f64(k->lpa, k->lp, k->act, k->N, k->A);
    mrl_nn_categorical_entropy_f64(k->ent, k->lp, k->N, k->A);
    return dot(k->c1, k->lpa, k->N) + dot(k->c2, k->ent, k->N);
}

static void cat_grad(void* p, const double* th, double* g) {
    HeadCtx* k = p;
    cat_loss(p, th);
    mrl_nn_categorical_backward_f64(g, k->c1, k->c2, k->lp, k->act, k->N, k->A);
}

// Gaussian: theta = [mu (N, A), log_std (A)]
static double gauss_loss(void* p, const double* th) {
    HeadCtx* k = p;
    const double* ls = th + k->N * k->A;
    mrl_nn_gaussian_logprob_f64(k->lpa, th, ls, k->act, k->N, k->A);
    double e = mrl_nn_gaussian_entropy_f64(ls, k->A);
    double s = 0.0;
    for (size_t i = 0; i < k->N; i++) {
        s += k->c2[i];
    }
    return dot(k->c1, k->lpa, k->N) + e * s;
}

static void gauss_grad(void* p, const double* th, double* g) {
    HeadCtx* k = p;
    mrl_nn_gaussian_backward_f64(g, g + k->N * k->A, k->c1, k->c2, th, th + k->N * k->A, k->act,
                                 k->N, k->A);
}

static void test_heads_gradcheck(void** state) {
    (void)state;
    HeadCtx k = {.N = 5, .A = 4};
    k.lp = da(20), k.lpa = da(5), k.ent = da(5), k.c1 = da(5), k.c2 = da(5);
    gc_weights(k.c1, 5, 10);
    gc_weights(k.c2, 5, 11);
    for (size_t i = 0; i < 5; i++) {
        k.act[i] = (float)(i % 4);
    }
    assert_true(gc_check(cat_loss, cat_grad, &k, 20, 12, 2.0, 1000) < TOL);
    for (size_t i = 0; i < 20; i++) {
        k.act[i] = 0.3f * (float)((int)(i % 7) - 3);
    }
    assert_true(gc_check(gauss_loss, gauss_grad, &k, 24, 13, 1.0, 1000) < TOL);
    free(k.lp), free(k.lpa), free(k.ent), free(k.c1), free(k.c2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_linear_tanh_relu_gradcheck),
        cmocka_unit_test(test_gru_gradcheck),
        cmocka_unit_test(test_gradcheck_catches_broken_backward),
        cmocka_unit_test(test_lstm_gradcheck),
        cmocka_unit_test(test_conv2d_gradcheck),
        cmocka_unit_test(test_layernorm_gradcheck),
        cmocka_unit_test(test_heads_gradcheck),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
