// nn_naive.c — naive float references for the BLAS-backed kernels of nn/nn.h,
// written straight from the maths with plain loops and libm (slow on purpose:
// when numbers drift, these are the side to trust). Compared with the fast
// kernels in tests/test_nn.c.
#include <math.h>
#include <string.h>

#include "nn/nn.h"

static float sigmoidf(float x) {
    return 1.0f / (1.0f + expf(-x));
}

void mrl_nn_linear_forward_naive(float* out, const float* inp, const float* w, const float* b,
                                 size_t N, size_t C, size_t OC) {
    for (size_t i = 0; i < N; i++) {
        for (size_t o = 0; o < OC; o++) {
            float s = b ? b[o] : 0.0f;
            for (size_t c = 0; c < C; c++) {
                s += inp[i * C + c] * w[o * C + c];
            }
            out[i * OC + o] = s;
        }
    }
}

void mrl_nn_linear_backward_naive(float* dinp, float* dw, float* db, const float* dout,
                                  const float* inp, const float* w, size_t N, size_t C, size_t OC) {
    for (size_t i = 0; i < N; i++) {
        for (size_t o = 0; o < OC; o++) {
            float d = dout[i * OC + o];
            for (size_t c = 0; c < C; c++) {
                if (dinp) {
                    dinp[i * C + c] += d * w[o * C + c];
                }
                dw[o * C + c] += d * inp[i * C + c];
            }
            if (db) {
                db[o] += d;
            }
        }
    }
}

// w (G, H) times h (H) for rows [row0, row0 + n)
static float dot_row(const float* w, size_t row, const float* h, size_t H) {
    float s = 0.0f;
    for (size_t k = 0; k < H; k++) {
        s += w[row * H + k] * h[k];
    }
    return s;
}

void mrl_nn_gru_forward_naive(float* h_all, float* act, const float* xproj, const float* w_hh,
                              const float* b_hh, size_t T, size_t B, size_t H) {
    for (size_t t = 0; t < T; t++) {
        for (size_t b = 0; b < B; b++) {
            const float* hp = h_all + (t * B + b) * H;
            float* hn = h_all + ((t + 1) * B + b) * H;
            const float* x = xproj + (t * B + b) * 3 * H;
            float* a = act + (t * B + b) * 4 * H;
            for (size_t j = 0; j < H; j++) {
                float r = sigmoidf(x[j] + dot_row(w_hh, j, hp, H) + b_hh[j]);
                float z = sigmoidf(x[H + j] + dot_row(w_hh, H + j, hp, H) + b_hh[H + j]);
                float hh = dot_row(w_hh, 2 * H + j, hp, H) + b_hh[2 * H + j];
                float n = tanhf(x[2 * H + j] + r * hh);
                a[j] = r;
                a[H + j] = z;
                a[2 * H + j] = n;
                a[3 * H + j] = hh;
                hn[j] = (1.0f - z) * n + z * hp[j];
            }
        }
    }
}

void mrl_nn_gru_backward_naive(float* dxproj, float* dw_hh, float* db_hh, float* dh0,
                               const float* dh_out, const float* h_all, const float* act,
                               const float* w_hh, size_t T, size_t B, size_t H) {
    // dh carried per row; at most 1024 hidden units per row here
    enum { MAXH = 1024 };
    for (size_t b = 0; b < B; b++) {
        float dh[MAXH] = {0}, dhp[MAXH];
        for (size_t tt = T; tt-- > 0;) {
            const float* a = act + (tt * B + b) * 4 * H;
            const float* hp = h_all + (tt * B + b) * H;
            float* dx = dxproj + (tt * B + b) * 3 * H;
            for (size_t j = 0; j < H; j++) {
                dhp[j] = 0.0f;
            }
            for (size_t j = 0; j < H; j++) {
                float r = a[j], z = a[H + j], n = a[2 * H + j], hh = a[3 * H + j];
                float d = dh[j] + dh_out[(tt * B + b) * H + j];
                float dn = d * (1.0f - z) * (1.0f - n * n);
                float dz = d * (hp[j] - n) * z * (1.0f - z);
                float dr = dn * hh * r * (1.0f - r);
                dx[j] = dr;
                dx[H + j] = dz;
                dx[2 * H + j] = dn;
                dhp[j] += d * z;
                float dgh[3] = {dr, dz, dn * r};
                for (size_t g = 0; g < 3; g++) {
                    size_t row = g * H + j;
                    db_hh[row] += dgh[g];
                    for (size_t k = 0; k < H; k++) {
                        dw_hh[row * H + k] += dgh[g] * hp[k];
                        dhp[k] += dgh[g] * w_hh[row * H + k];
                    }
                }
            }
            memcpy(dh, dhp, H * sizeof(float));
        }
        if (dh0) {
            for (size_t j = 0; j < H; j++) {
                dh0[b * H + j] += dh[j];
            }
        }
    }
}

void mrl_nn_lstm_forward_naive(float* h_all, float* c_all, float* act, float* tc,
                               const float* xproj, const float* w_hh, size_t T, size_t B,
                               size_t H) {
    for (size_t t = 0; t < T; t++) {
        for (size_t b = 0; b < B; b++) {
            const float* hp = h_all + (t * B + b) * H;
            const float* cp = c_all + (t * B + b) * H;
            const float* x = xproj + (t * B + b) * 4 * H;
            float* a = act + (t * B + b) * 4 * H;
            for (size_t j = 0; j < H; j++) {
                float i = sigmoidf(x[j] + dot_row(w_hh, j, hp, H));
                float f = sigmoidf(x[H + j] + dot_row(w_hh, H + j, hp, H));
                float g = tanhf(x[2 * H + j] + dot_row(w_hh, 2 * H + j, hp, H));
                float o = sigmoidf(x[3 * H + j] + dot_row(w_hh, 3 * H + j, hp, H));
                float c = f * cp[j] + i * g;
                a[j] = i;
                a[H + j] = f;
                a[2 * H + j] = g;
                a[3 * H + j] = o;
                c_all[((t + 1) * B + b) * H + j] = c;
                tc[(t * B + b) * H + j] = tanhf(c);
                h_all[((t + 1) * B + b) * H + j] = o * tanhf(c);
            }
        }
    }
}

void mrl_nn_conv2d_forward_naive(float* out, const float* inp, const float* w, const float* b,
                                 size_t N, size_t IH, size_t IW, size_t C, size_t OC, size_t K,
                                 size_t S) {
    size_t OH = (IH - K) / S + 1, OW = (IW - K) / S + 1;
    for (size_t n = 0; n < N; n++) {
        for (size_t oy = 0; oy < OH; oy++) {
            for (size_t ox = 0; ox < OW; ox++) {
                for (size_t o = 0; o < OC; o++) {
                    float s = b ? b[o] : 0.0f;
                    for (size_t ky = 0; ky < K; ky++) {
                        for (size_t kx = 0; kx < K; kx++) {
                            for (size_t c = 0; c < C; c++) {
                                size_t iy = oy * S + ky, ix = ox * S + kx;
                                s += inp[((n * IH + iy) * IW + ix) * C + c] *
                                     w[((o * K + ky) * K + kx) * C + c];
                            }
                        }
                    }
                    out[((n * OH + oy) * OW + ox) * OC + o] = s;
                }
            }
        }
    }
}

void mrl_nn_conv2d_backward_naive(float* dinp, float* dw, float* db, const float* dout,
                                  const float* inp, const float* w, size_t N, size_t IH, size_t IW,
                                  size_t C, size_t OC, size_t K, size_t S) {
    size_t OH = (IH - K) / S + 1, OW = (IW - K) / S + 1;
    for (size_t n = 0; n < N; n++) {
        for (size_t oy = 0; oy < OH; oy++) {
            for (size_t ox = 0; ox < OW; ox++) {
                for (size_t o = 0; o < OC; o++) {
                    float d = dout[((n * OH + oy) * OW + ox) * OC + o];
                    db[o] += d;
                    for (size_t ky = 0; ky < K; ky++) {
                        for (size_t kx = 0; kx < K; kx++) {
                            for (size_t c = 0; c < C; c++) {
                                size_t iy = oy * S + ky, ix = ox * S + kx;
                                size_t ii = ((n * IH + iy) * IW + ix) * C + c;
                                size_t wi = ((o * K + ky) * K + kx) * C + c;
                                dw[wi] += d * inp[ii];
                                if (dinp) {
                                    dinp[ii] += d * w[wi];
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

void mrl_nn_gemm_packed_naive(float* C, size_t ldc, const float* A, size_t lda, const float* b,
                              size_t ldb, int tb, size_t M, size_t N, size_t K) {
    for (size_t i = 0; i < M; i++) {
        for (size_t j = 0; j < N; j++) {
            float s = 0.0f;
            for (size_t k = 0; k < K; k++) {
                s = fmaf(A[i * lda + k], tb ? b[j * ldb + k] : b[k * ldb + j], s);
            }
            C[i * ldc + j] += s;
        }
    }
}
