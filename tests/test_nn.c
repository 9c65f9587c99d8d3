// test_nn.c — NN kernels: BLAS-backed kernels against their naive references,
// float against double instantiations, fast exp/sigmoid/tanh against libm,
// heads, Adam. Run: ctest -R test_nn (CMOCKA_TEST_FILTER=<case> for one case).
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nn/nn.h"

static void fill(float* x, size_t n, uint64_t seed, float scale) {
    MrlRng rng = {seed * 2654435761u + 1, 2 * seed + 1};
    for (size_t i = 0; i < n; i++) {
        x[i] = scale * (float)(2.0 * mrl_rng_uniform(&rng) - 1.0);
    }
}

// max |a - b| / (1 + |b|)
static double max_err(const float* a, const float* b, size_t n) {
    double m = 0.0;
    for (size_t i = 0; i < n; i++) {
        double e = fabs((double)a[i] - (double)b[i]) / (1.0 + fabs((double)b[i]));
        m = e > m ? e : m;
    }
    return m;
}

static float* fa(size_t n) {
    float* p = calloc(n ? n : 1, sizeof(float));
    assert_non_null(p);
    return p;
}

static void test_linear_matches_naive(void** state) {
    (void)state;
    size_t N = 7, C = 13, OC = 5;
    float *x = fa(N * C), *w = fa(OC * C), *b = fa(OC), *y1 = fa(N * OC), *y2 = fa(N * OC);
    float *d = fa(N * OC), *dx1 = fa(N * C), *dx2 = fa(N * C), *dw1 = fa(OC * C), *dw2 = fa(OC * C);
    float *db1 = fa(OC), *db2 = fa(OC);
    fill(x, N * C, 1, 1.0f);
    fill(w, OC * C, 2, 0.5f);
    fill(b, OC, 3, 0.5f);
    fill(d, N * OC, 4, 1.0f);
    mrl_nn_linear_forward(y1, x, w, b, N, C, OC);
    mrl_nn_linear_forward_naive(y2, x, w, b, N, C, OC);
    assert_true(max_err(y1, y2, N * OC) < 1e-5);
    // backward accumulates: start both from the same non-zero gradients
    fill(dw1, OC * C, 5, 1.0f);
    memcpy(dw2, dw1, OC * C * sizeof(float));
    mrl_nn_linear_backward(dx1, dw1, db1, d, x, w, N, C, OC);
    mrl_nn_linear_backward_naive(dx2, dw2, db2, d, x, w, N, C, OC);
    assert_true(max_err(dx1, dx2, N * C) < 1e-5);
    assert_true(max_err(dw1, dw2, OC * C) < 1e-5);
    assert_true(max_err(db1, db2, OC) < 1e-5);
    // and a second call doubles the contribution (accumulation, not overwrite)
    float* dx3 = fa(N * C);
    mrl_nn_linear_backward(dx3, dw1, db1, d, x, w, N, C, OC);
    mrl_nn_linear_backward(dx3, dw1, db1, d, x, w, N, C, OC);
    for (size_t i = 0; i < N * C; i++) {
        assert_true(fabsf(dx3[i] - 2.0f * dx1[i]) < 1e-4f);
    }
    free(x), free(w), free(b), free(y1), free(y2), free(d), free(dx1), free(dx2), free(dw1);
    free(dw2), free(db1), free(db2), free(dx3);
}

// one case of the packed product on every instruction set the CPU has: the bits of its
// definition (mrl_nn_gemm_packed_naive: fused multiply-adds in k order, then added to C),
// added into C, nothing written past column N; buffers of exactly the size the case needs,
// so that a read past them fails under AddressSanitizer
static void packed_case(size_t M, size_t N, size_t K, int tb, uint64_t seed) {
    size_t lda = K + 1, ldc = N + 3, ldb = tb ? K : N;
    float *A = fa(M * lda), *b = fa(K * N), *bp = fa(mrl_nn_pack_floats(K, N));
    float *C0 = fa(M * ldc), *C1 = fa(M * ldc), *C2 = fa(M * ldc);
    fill(A, M * lda, seed, 1.0f);
    fill(b, K * N, seed + 1, 1.0f);
    fill(C0, M * ldc, seed + 2, 2.0f);
    mrl_nn_pack(bp, b, ldb, tb, K, N);
    memcpy(C2, C0, M * ldc * sizeof(float));
    mrl_nn_gemm_packed_naive(C2, ldc, A, lda, b, ldb, tb, M, N, K);
    for (int isa = MRL_NN_ISA_SCALAR; isa <= mrl_nn_isa_best(); isa++) {
        memcpy(C1, C0, M * ldc * sizeof(float));
        mrl_nn_gemm_packed_isa(isa, C1, ldc, A, lda, bp, M, N, K);
        assert_memory_equal(C1, C2, M * ldc * sizeof(float));
        // the last row alone: the same bits as inside the block
        if (M > 1) {
            memcpy(C1, C0, M * ldc * sizeof(float));
            size_t r = M - 1;
            mrl_nn_gemm_packed_isa(isa, C1 + r * ldc, ldc, A + r * lda, lda, bp, 1, N, K);
            assert_memory_equal(C1 + r * ldc, C2 + r * ldc, ldc * sizeof(float));
        }
    }
    memcpy(C1, C0, M * ldc * sizeof(float));
    mrl_nn_gemm_packed(C1, ldc, A, lda, bp, M, N, K);
    assert_memory_equal(C1, C2, M * ldc * sizeof(float));
    free(A), free(b), free(bp), free(C0), free(C1), free(C2);
}

// every row count from 1 to 17 (whole tiles and each remainder of the 1-, 6- and 12-row
// kernels), panel edges, both transposes, no rows or columns or k; then shapes that take
// several blocks of rows and several groups of panels (K = 600: 24 or 27 rows per block,
// one panel per group)
static void test_gemm_packed_matches_naive(void** state) {
    (void)state;
    const size_t Ns[] = {1, 5, 31, 32, 33, 70}, Ks[] = {1, 9, 64};
    for (size_t M = 1; M <= 17; M++) {
        for (size_t ni = 0; ni < sizeof Ns / sizeof *Ns; ni++) {
            for (size_t ki = 0; ki < sizeof Ks / sizeof *Ks; ki++) {
                packed_case(M, Ns[ni], Ks[ki], (int)((M + ni) % 2), 51 + M + ni + ki);
            }
        }
    }
    packed_case(0, 33, 9, 0, 60);
    packed_case(5, 0, 9, 1, 61);
    packed_case(5, 33, 0, 0, 62);
    packed_case(30, 70, 600, 1, 63);
    packed_case(61, 97, 600, 0, 64);
    packed_case(150, 64, 300, 1, 65);
    // and it is a product: against the double sum, not merely against itself
    size_t M = 9, N = 33, K = 64;
    float *A = fa(M * K), *b = fa(K * N), *bp = fa(mrl_nn_pack_floats(K, N)), *C = fa(M * N);
    fill(A, M * K, 66, 1.0f);
    fill(b, K * N, 67, 1.0f);
    mrl_nn_pack(bp, b, N, 0, K, N);
    mrl_nn_gemm_packed(C, N, A, K, bp, M, N, K);
    for (size_t i = 0; i < M; i++) {
        for (size_t j = 0; j < N; j++) {
            double s = 0.0;
            for (size_t k = 0; k < K; k++) {
                s += (double)A[i * K + k] * b[k * N + j];
            }
            assert_true(fabs(C[i * N + j] - s) < 1e-4 * (1.0 + fabs(s)));
        }
    }
    free(A), free(b), free(bp), free(C);
}

// GRU backward scratch (nn/nn.h)
static size_t gru_bws(size_t T, size_t B, size_t H) {
    return T * B * 3 * H + 2 * B * H + mrl_nn_pack_floats(3 * H, H);
}

static void gru_matches_naive(size_t T, size_t B, size_t H) {
    size_t G = 3 * H;
    float *xp = fa(T * B * G), *w = fa(G * H), *bh = fa(G);
    float *h1 = fa((T + 1) * B * H), *h2 = fa((T + 1) * B * H);
    float *a1 = fa(T * B * 4 * H), *a2 = fa(T * B * 4 * H), *ws = fa(gru_bws(T, B, H));
    fill(xp, T * B * G, 11, 1.5f);
    fill(w, G * H, 12, 0.4f);
    fill(bh, G, 13, 0.3f);
    fill(h1, B * H, 14, 0.8f);
    memcpy(h2, h1, B * H * sizeof(float));
    mrl_nn_gru_forward(h1, a1, ws, xp, w, bh, 0, NULL, T, B, H);
    mrl_nn_gru_forward_naive(h2, a2, xp, w, bh, T, B, H);
    assert_true(max_err(h1, h2, (T + 1) * B * H) < 2e-6);
    assert_true(max_err(a1, a2, T * B * 4 * H) < 2e-6);
    float *dout = fa(T * B * H), *dx1 = fa(T * B * G), *dx2 = fa(T * B * G);
    float *dw1 = fa(G * H), *dw2 = fa(G * H), *db1 = fa(G), *db2 = fa(G);
    float *dh1 = fa(B * H), *dh2 = fa(B * H);
    fill(dout, T * B * H, 15, 1.0f);
    mrl_nn_gru_backward(dx1, dw1, db1, dh1, ws, dout, h1, a1, w, NULL, T, B, H);
    mrl_nn_gru_backward_naive(dx2, dw2, db2, dh2, dout, h1, a1, w, T, B, H);
    assert_true(max_err(dx1, dx2, T * B * G) < 1e-5);
    assert_true(max_err(dw1, dw2, G * H) < 1e-5);
    assert_true(max_err(db1, db2, G) < 1e-5);
    assert_true(max_err(dh1, dh2, B * H) < 1e-5);
    free(xp), free(w), free(bh), free(h1), free(h2), free(a1), free(a2), free(ws), free(dout);
    free(dx1), free(dx2), free(dw1), free(dw2), free(db1), free(db2), free(dh1), free(dh2);
}

static void test_gru_matches_naive(void** state) {
    (void)state;
    gru_matches_naive(5, 3, 8);
    // more units than a packed panel (32) and not a multiple of it; rows past one tile
    gru_matches_naive(3, 11, 40);
}

// Packed sequences (nt) in float: sequence b of B = 9 runs for T - b % T steps (T = 5,
// sorted longest first), against the same sequences padded to T steps with no gradient past
// their ends. Every row's recurrent products run in calls of other row counts, which the
// packed product makes bit-exact: the states, gates, input gradients and dh0 agree bit for
// bit; the weight gradients (OpenBLAS sums over other row sets) to rounding. GRU and LSTM.
static void packed_matches_padded_f32(int lstm) {
    enum { T = 5, B = 9, H = 40 };
    size_t G = (lstm ? 4 : 3) * H, TB = T * B, len[B];
    uint32_t nt[T] = {0};
    for (size_t b = 0; b < B; b++) {
        len[b] = T - (b * T) / B; // 5 5 4 4 3 3 2 2 1: non-increasing
        for (size_t t = 0; t < len[b]; t++) {
            nt[t]++;
        }
    }
    size_t rows = mrl_nn_batch_rows(nt, T, B), wsn = TB * 4 * H + 4 * B * H + TB * H;
    wsn += mrl_nn_pack_floats(4 * H, H);
    float *xp = fa(TB * G), *w = fa(G * H), *bh = fa(G), *dout = fa(TB * H);
    float *h1 = fa((T + 1) * B * H), *c1 = fa((T + 1) * B * H), *a1 = fa(TB * 4 * H),
          *t1 = fa(TB * H), *dx1 = fa(TB * G), *dw1 = fa(G * H), *db1 = fa(G), *dh1 = fa(B * H),
          *dc1 = fa(B * H), *ws1 = fa(wsn);
    float *h2 = fa((T + 1) * B * H), *c2 = fa((T + 1) * B * H), *a2 = fa(TB * 4 * H),
          *t2 = fa(TB * H), *dx2 = fa(TB * G), *dw2 = fa(G * H), *db2 = fa(G), *dh2 = fa(B * H),
          *dc2 = fa(B * H), *ws2 = fa(wsn), *xq = fa(TB * G), *dq = fa(TB * H);
    fill(xp, TB * G, 71, 1.5f);
    fill(w, G * H, 72, 0.3f);
    fill(bh, G, 73, 0.3f);
    fill(h1, B * H, 74, 0.5f);
    fill(c1, B * H, 75, 0.5f);
    fill(dout, TB * H, 76, 1.0f);
    memcpy(h2, h1, B * H * sizeof(float));
    memcpy(c2, c1, B * H * sizeof(float));
    for (size_t t = 0, off = 0; t < T; off += nt[t], t++) { // padded: no gradient past the end
        for (size_t b = 0; b < B; b++) {
            if (t >= len[b]) {
                memset(dout + (t * B + b) * H, 0, H * sizeof(float));
            } else { // packed row off + b holds padded row t * B + b
                memcpy(xq + (off + b) * G, xp + (t * B + b) * G, G * sizeof(float));
                memcpy(dq + (off + b) * H, dout + (t * B + b) * H, H * sizeof(float));
            }
        }
    }
    if (lstm) {
        mrl_nn_lstm_forward(h1, c1, a1, t1, ws1, xp, w, 0, NULL, T, B, H);
        mrl_nn_lstm_forward(h2, c2, a2, t2, ws2, xq, w, 0, nt, T, B, H);
        mrl_nn_lstm_backward(dx1, dw1, dh1, dc1, ws1, dout, h1, c1, a1, t1, w, NULL, T, B, H);
        mrl_nn_lstm_backward(dx2, dw2, dh2, dc2, ws2, dq, h2, c2, a2, t2, w, nt, T, B, H);
    } else {
        mrl_nn_gru_forward(h1, a1, ws1, xp, w, bh, 0, NULL, T, B, H);
        mrl_nn_gru_forward(h2, a2, ws2, xq, w, bh, 0, nt, T, B, H);
        mrl_nn_gru_backward(dx1, dw1, db1, dh1, ws1, dout, h1, a1, w, NULL, T, B, H);
        mrl_nn_gru_backward(dx2, dw2, db2, dh2, ws2, dq, h2, a2, w, nt, T, B, H);
    }
    size_t A = lstm ? G : 4 * H; // the act row width
    for (size_t t = 0, off = 0; t < T; off += nt[t], t++) {
        for (size_t b = 0; b < nt[t]; b++) {
            size_t r1 = t * B + b, r2 = off + b;
            assert_memory_equal(h1 + (B + r1) * H, h2 + (B + r2) * H, H * sizeof(float));
            assert_memory_equal(a1 + r1 * A, a2 + r2 * A, A * sizeof(float));
            assert_memory_equal(dx1 + r1 * G, dx2 + r2 * G, G * sizeof(float));
        }
    }
    assert_memory_equal(dh1, dh2, B * H * sizeof(float));
    if (lstm) {
        assert_memory_equal(dc1, dc2, B * H * sizeof(float));
    }
    assert_true(max_err(dw2, dw1, G * H) < 1e-5);
    assert_true(max_err(db2, db1, G) < 1e-5);
    assert_true(rows < TB);
    float* bufs[] = {xp, w,  bh, dout, h1,  c1,  a1,  t1,  dx1, dw1, db1, dh1, dc1, ws1,
                     h2, c2, a2, t2,   dx2, dw2, db2, dh2, dc2, ws2, xq,  dq};
    for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++) {
        free(bufs[i]);
    }
}

static void test_packed_sequences_match_padded(void** state) {
    (void)state;
    packed_matches_padded_f32(0);
    packed_matches_padded_f32(1);
}

static void test_lstm_matches_naive(void** state) {
    (void)state;
    size_t T = 4, B = 3, H = 6, G = 4 * H;
    float *xp = fa(T * B * G), *w = fa(G * H);
    float *h1 = fa((T + 1) * B * H), *h2 = fa((T + 1) * B * H);
    float *c1 = fa((T + 1) * B * H), *c2 = fa((T + 1) * B * H);
    float *a1 = fa(T * B * G), *a2 = fa(T * B * G), *t1 = fa(T * B * H), *t2 = fa(T * B * H);
    float* ws = fa(B * G + mrl_nn_pack_floats(H, G));
    fill(xp, T * B * G, 21, 1.5f);
    fill(w, G * H, 22, 0.4f);
    fill(h1, B * H, 23, 0.5f);
    fill(c1, B * H, 24, 0.5f);
    memcpy(h2, h1, B * H * sizeof(float));
    memcpy(c2, c1, B * H * sizeof(float));
    mrl_nn_lstm_forward(h1, c1, a1, t1, ws, xp, w, 0, NULL, T, B, H);
    mrl_nn_lstm_forward_naive(h2, c2, a2, t2, xp, w, T, B, H);
    assert_true(max_err(h1, h2, (T + 1) * B * H) < 2e-6);
    assert_true(max_err(c1, c2, (T + 1) * B * H) < 2e-6);
    assert_true(max_err(a1, a2, T * B * G) < 2e-6);
    free(xp), free(w), free(h1), free(h2), free(c1), free(c2), free(a1), free(a2), free(t1);
    free(t2), free(ws);
}

// The float LSTM backward (the packed recurrent product, fast math) against the double
// instantiation (dgemm, libm), with more units than one packed panel and rows past a tile.
static void test_lstm_backward_float_matches_double(void** state) {
    (void)state;
    size_t T = 4, B = 9, H = 40, G = 4 * H, TB = T * B;
    size_t wsn = B * G + mrl_nn_pack_floats(H, G), bwsn = 4 * B * H + mrl_nn_pack_floats(G, H);
    size_t nf[] = {TB * G, G * H, (T + 1) * B * H, (T + 1) * B * H, TB * G, TB * H, wsn,
                   TB * H, TB * G, G * H, B * H, B * H, bwsn};
    enum { XP, W, HA, CA, ACT, TC, WS, DOUT, DX, DW, DH0, DC0, BWS, NBUF };
    float* f[NBUF];
    double* d[NBUF];
    for (int i = 0; i < NBUF; i++) {
        f[i] = fa(nf[i]);
        d[i] = calloc(nf[i], sizeof(double));
        assert_non_null(d[i]);
    }
    fill(f[XP], nf[XP], 61, 1.5f);
    fill(f[W], nf[W], 62, 0.3f);
    fill(f[HA], B * H, 63, 0.5f);
    fill(f[CA], B * H, 64, 0.5f);
    fill(f[DOUT], nf[DOUT], 65, 1.0f);
    for (int i = XP; i <= DOUT; i++) {
        for (size_t j = 0; j < nf[i]; j++) {
            d[i][j] = f[i][j];
        }
    }
    mrl_nn_lstm_forward(f[HA], f[CA], f[ACT], f[TC], f[WS], f[XP], f[W], 0, NULL, T, B, H);
    mrl_nn_lstm_forward_f64(d[HA], d[CA], d[ACT], d[TC], d[WS], d[XP], d[W], 0, NULL, T, B, H);
    mrl_nn_lstm_backward(f[DX], f[DW], f[DH0], f[DC0], f[BWS], f[DOUT], f[HA], f[CA], f[ACT],
                         f[TC], f[W], NULL, T, B, H);
    mrl_nn_lstm_backward_f64(d[DX], d[DW], d[DH0], d[DC0], d[BWS], d[DOUT], d[HA], d[CA], d[ACT],
                             d[TC], d[W], NULL, T, B, H);
    const int out[] = {HA, DX, DW, DH0, DC0};
    for (size_t o = 0; o < sizeof out / sizeof *out; o++) {
        double m = 0.0, e = 0.0;
        for (size_t j = 0; j < nf[out[o]]; j++) {
            m = fmax(m, fabs(d[out[o]][j]));
            e = fmax(e, fabs(f[out[o]][j] - d[out[o]][j]));
        }
        assert_true(m > 1e-2);      // a real signal, not zeros on both sides
        assert_true(e < 2e-5 * (1.0 + m));
    }
    for (int i = 0; i < NBUF; i++) {
        free(f[i]), free(d[i]);
    }
}

static void test_conv2d_matches_naive(void** state) {
    (void)state;
    size_t N = 3, IH = 9, IW = 7, C = 2, OC = 4, K = 3, S = 2;
    size_t OH = (IH - K) / S + 1, OW = (IW - K) / S + 1, KKC = K * K * C;
    float *x = fa(N * IH * IW * C), *w = fa(OC * KKC), *b = fa(OC);
    float *y1 = fa(N * OH * OW * OC), *y2 = fa(N * OH * OW * OC);
    float *col = fa(2 * OH * OW * KKC), *dcol = fa(2 * OH * OW * KKC);
    fill(x, N * IH * IW * C, 31, 1.0f);
    fill(w, OC * KKC, 32, 0.5f);
    fill(b, OC, 33, 0.5f);
    mrl_nn_conv2d_forward(y1, col, x, w, b, N, IH, IW, C, OC, K, S, 2);
    mrl_nn_conv2d_forward_naive(y2, x, w, b, N, IH, IW, C, OC, K, S);
    assert_true(max_err(y1, y2, N * OH * OW * OC) < 1e-5);
    float *d = fa(N * OH * OW * OC), *dx1 = fa(N * IH * IW * C), *dx2 = fa(N * IH * IW * C);
    float *dw1 = fa(OC * KKC), *dw2 = fa(OC * KKC), *db1 = fa(OC), *db2 = fa(OC);
    fill(d, N * OH * OW * OC, 34, 1.0f);
    mrl_nn_conv2d_backward(dx1, dw1, db1, col, dcol, d, x, w, N, IH, IW, C, OC, K, S, 2);
    mrl_nn_conv2d_backward_naive(dx2, dw2, db2, d, x, w, N, IH, IW, C, OC, K, S);
    assert_true(max_err(dx1, dx2, N * IH * IW * C) < 1e-5);
    assert_true(max_err(dw1, dw2, OC * KKC) < 1e-5);
    assert_true(max_err(db1, db2, OC) < 1e-5);
    free(x), free(w), free(b), free(y1), free(y2), free(col), free(dcol), free(d), free(dx1);
    free(dx2), free(dw1), free(dw2), free(db1), free(db2);
}

static void test_fast_math_matches_libm(void** state) {
    (void)state;
    size_t n = 20001;
    float *x = fa(n), *y = fa(n);
    for (size_t i = 0; i < n; i++) {
        x[i] = -20.0f + 40.0f * (float)i / (float)(n - 1);
    }
    mrl_nn_vexp(y, x, n);
    for (size_t i = 0; i < n; i++) {
        double ref = exp((double)x[i]);
        assert_true(fabs(y[i] - ref) / ref < 3e-7);
    }
    mrl_nn_vsigmoid(y, x, n);
    for (size_t i = 0; i < n; i++) {
        double ref = 1.0 / (1.0 + exp(-(double)x[i]));
        assert_true(fabs(y[i] - ref) < 2e-7);
    }
    mrl_nn_vtanh(y, x, n);
    for (size_t i = 0; i < n; i++) {
        double ref = tanh((double)x[i]);
        assert_true(fabs(y[i] - ref) < 3e-7);
        assert_true(fabs(y[i] - ref) <= 2e-6 * fabs(ref) + 1e-30 || fabs(ref) > 0.04);
    }
    // extremes saturate without inf/nan
    float big[4] = {-1000.0f, 1000.0f, -88.5f, 89.0f}, out[4];
    mrl_nn_vsigmoid(out, big, 4);
    assert_true(out[0] >= 0.0f && out[0] < 1e-30f && out[1] == 1.0f);
    mrl_nn_vtanh(out, big, 4);
    assert_true(out[0] == -1.0f && out[1] == 1.0f);
    mrl_nn_vexp(out, big, 4);
    assert_true(isfinite(out[1]) && out[0] >= 0.0f);
    free(x), free(y);
}

static void test_float_matches_double(void** state) {
    (void)state;
    // the float (fast math) and double (libm) instantiations of the GRU agree
    size_t T = 6, B = 2, H = 5, G = 3 * H;
    float *xp = fa(T * B * G), *w = fa(G * H), *bh = fa(G), *h = fa((T + 1) * B * H);
    float *a = fa(T * B * 4 * H), *ws = fa(B * G + mrl_nn_pack_floats(H, G));
    double *xpd = calloc(T * B * G, 8), *wd = calloc(G * H, 8), *bhd = calloc(G, 8);
    double *hd = calloc((T + 1) * B * H, 8), *ad = calloc(T * B * 4 * H, 8),
           *wsd = calloc(B * G, 8);
    fill(xp, T * B * G, 41, 2.0f);
    fill(w, G * H, 42, 0.5f);
    fill(bh, G, 43, 0.5f);
    for (size_t i = 0; i < T * B * G; i++)
        xpd[i] = xp[i];
    for (size_t i = 0; i < G * H; i++)
        wd[i] = w[i];
    for (size_t i = 0; i < G; i++)
        bhd[i] = bh[i];
    mrl_nn_gru_forward(h, a, ws, xp, w, bh, 0, NULL, T, B, H);
    mrl_nn_gru_forward_f64(hd, ad, wsd, xpd, wd, bhd, 0, NULL, T, B, H);
    for (size_t i = 0; i < (T + 1) * B * H; i++) {
        assert_true(fabs(h[i] - hd[i]) < 2e-6);
    }
    free(xp), free(w), free(bh), free(h), free(a), free(ws), free(xpd), free(wd), free(bhd);
    free(hd), free(ad), free(wsd);
}

static void test_categorical_head(void** state) {
    (void)state;
    float logits[6] = {1.0f, 2.0f, 3.0f, 0.0f, 0.0f, 0.0f}, lp[6], ent[2], out[2];
    float act[2] = {2.0f, 1.0f};
    mrl_nn_categorical_forward(lp, logits, 2, 3);
    double z = exp(1.0) + exp(2.0) + exp(3.0);
    assert_true(fabs(lp[2] - (3.0 - log(z))) < 1e-6);
    assert_true(fabs(lp[4] - log(1.0 / 3.0)) < 1e-6);
    mrl_nn_categorical_logprob(out, lp, act, 2, 3);
    assert_true(out[0] == lp[2] && out[1] == lp[4]);
    mrl_nn_categorical_entropy(ent, lp, 2, 3);
    assert_true(fabs(ent[1] - log(3.0)) < 1e-6);
    // sampling follows the probabilities (uniform row: each action about 1/3)
    MrlRng rng = {12345, 67};
    int counts[3] = {0};
    for (int i = 0; i < 30000; i++) {
        counts[mrl_nn_categorical_sample(lp + 3, 3, &rng)]++;
    }
    for (int a = 0; a < 3; a++) {
        assert_true(counts[a] > 9500 && counts[a] < 10500);
    }
    // a row with all mass on one action always samples it
    float sure[3] = {0.0f, -1e9f, -1e9f};
    for (int i = 0; i < 100; i++) {
        assert_int_equal(mrl_nn_categorical_sample(sure, 3, &rng), 0);
    }
}

static void test_adam_first_step(void** state) {
    (void)state;
    // with bias correction the first Adam step moves every parameter by ~lr * sign(g)
    float p[3] = {1.0f, 1.0f, 1.0f}, m[3] = {0}, v[3] = {0}, g[3] = {0.5f, -2.0f, 1e-3f};
    mrl_nn_adam_update(p, m, v, g, 0.01f, 0.9f, 0.999f, 1e-8f, 1, 3);
    assert_true(fabsf(p[0] - 0.99f) < 1e-5f);
    assert_true(fabsf(p[1] - 1.01f) < 1e-5f);
    assert_true(fabsf(p[2] - 0.99f) < 1e-4f);
    assert_true(fabs(mrl_nn_global_norm(g, 3) - sqrt(0.25 + 4.0 + 1e-6)) < 1e-6);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_linear_matches_naive),
        cmocka_unit_test(test_gemm_packed_matches_naive),
        cmocka_unit_test(test_gru_matches_naive),
        cmocka_unit_test(test_lstm_backward_float_matches_double),
        cmocka_unit_test(test_packed_sequences_match_padded),
        cmocka_unit_test(test_lstm_matches_naive),
        cmocka_unit_test(test_conv2d_matches_naive),
        cmocka_unit_test(test_fast_math_matches_libm),
        cmocka_unit_test(test_float_matches_double),
        cmocka_unit_test(test_categorical_head),
        cmocka_unit_test(test_adam_first_step),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
