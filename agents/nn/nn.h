// nn/nn.h — the small neural-network kernels of the RL² agent: linear, relu,
// tanh, GRU and LSTM sequences, conv2d (NHWC, im2col + GEMM), layer norm,
// categorical and Gaussian policy heads, Adam and global-norm clipping.
//
// Every kernel exists twice, compiled from one template (nn_kernels.inc):
//   mrl_nn_<name>      float32, OpenBLAS sgemm, fast vectorisable exp/tanh (the hot path);
//                      the GRU/LSTM time loops' product by W_hh is nn_rgemm.c's, on
//                      weights packed once per call
//   mrl_nn_<name>_f64  double, OpenBLAS dgemm, libm (finite-difference gradient checks)
// and the BLAS-backed ones keep a naive float reference, mrl_nn_<name>_naive,
// written straight from the maths (tests/test_nn.c compares them).
//
// Conventions (house style rules 3, 4, 21):
// - arguments: outputs, then inputs, then sizes; shapes in comments; row-major;
//   sequences are time-major: (T, B, X) so one time step is a contiguous (B, X) block.
// - `*_backward` ADDS into parameter gradients (dw, db, ...) and into `dinp`
//   unless documented as "written"; callers zero gradients once per update.
// - no allocation: every scratch buffer (`ws*`) is passed in, sized as documented.
// Tests: tests/test_nn.c (naive vs BLAS, fast math vs libm), tests/test_gradcheck.c.
#ifndef METARL_NN_H
#define METARL_NN_H

#include <stddef.h>
#include <stdint.h>

#include "metarl/plugin.h"

// Rows of a batch of B sequences over T steps: T * B, or with per-step row counts nt
// (packed sequences of unequal lengths, see gru_forward) nt[0] + ... + nt[T-1].
static inline size_t mrl_nn_batch_rows(const uint32_t* nt, size_t T, size_t B) {
    if (!nt) {
        return T * B;
    }
    size_t s = 0;
    for (size_t t = 0; t < T; t++) {
        s += nt[t];
    }
    return s;
}

// Declares the kernel set for real type R with name macro NN.
#define MRL_NN_DECLARE(R, NN)                                                                      \
    /* out (N, OC) = inp (N, C) . w^T (OC, C) + b (OC); b may be NULL. */                          \
    void NN(linear_forward)(R * out, const R* inp, const R* w, const R* b, size_t N, size_t C,     \
                            size_t OC);                                                            \
    /* dinp (N, C) += dout . w (dinp may be NULL); dw (OC, C) += dout^T . inp; db (OC) += sum. */  \
    void NN(linear_backward)(R * dinp, R * dw, R * db, const R* dout, const R* inp, const R* w,    \
                             size_t N, size_t C, size_t OC);                                       \
    /* out (n) = max(inp, 0); in place allowed. */                                                 \
    void NN(relu_forward)(R * out, const R* inp, size_t n);                                        \
    /* dinp (n) += dout * (out > 0). */                                                            \
    void NN(relu_backward)(R * dinp, const R* dout, const R* out, size_t n);                       \
    /* out (n) = tanh(inp); in place allowed. */                                                   \
    void NN(tanh_forward)(R * out, const R* inp, size_t n);                                        \
    /* dinp (n) += dout * (1 - out^2). */                                                          \
    void NN(tanh_backward)(R * dinp, const R* dout, const R* out, size_t n);                       \
    /* out (n) = 1 / (1 + exp(-inp)); in place allowed. */                                         \
    void NN(sigmoid_forward)(R * out, const R* inp, size_t n);                                     \
    /* GRU over T steps (PyTorch gate order r, z, n):                                              \
       r = s(xr + Whr h + bhr), z = s(xz + Whz h + bhz), n = tanh(xn + r * (Whn h + bhn)),         \
       h' = (1 - z) * n + z * h.  xproj (rows, 3H) holds x . W_ih^T + b_ih (one GEMM by the        \
       caller); h_all (B + rows, H) has h0 in its first B rows on entry and the outputs after;     \
       act (rows, 4H) receives [r, z, n, Whn h + bhn] for backward; ws scratch of \
       B * 3H + mrl_nn_pack_floats(H, 3H): w_hh is packed at ws + B * 3H once for the T steps, \
       or with w_packed nonzero found there, packed by an earlier call with the same w_hh and B \
       (acting step by step between parameter updates). \
       nt NULL: rows = T * B, row (t, b) at t * B + b. nt (T counts, nt[0] = B, non-increasing):   \
       packed sequences sorted longest first, step t holds its first nt[t] rows, row (t, b) at     \
       nt[0] + ... + nt[t-1] + b; nothing past a sequence's end is stored or computed. */          \
    void NN(gru_forward)(R * h_all, R * act, R * ws, const R* xproj, const R* w_hh, const R* b_hh, \
                         int w_packed, const uint32_t* nt, size_t T, size_t B, size_t H); \
    /* Backward of gru_forward. dh_out (rows, H): dL/dh_1..h_T from above. Writes dxproj           \
       (rows, 3H) = dL/dxproj; adds dw_hh (3H, H), db_hh (3H), dh0 (B, H) (NULL: skip).            \
       ws: (T*B*3H + 2*B*H + mrl_nn_pack_floats(3H, H)) scratch, plus rows*H with nt. */           \
    void NN(gru_backward)(R * dxproj, R * dw_hh, R * db_hh, R * dh0, R * ws, const R* dh_out,      \
                          const R* h_all, const R* act, const R* w_hh, const uint32_t* nt,         \
                          size_t T, size_t B, size_t H);                                           \
    /* LSTM over T steps (gate order i, f, g, o; bias only in xproj):                              \
       c' = f * c + i * g, h' = o * tanh(c').  xproj (rows, 4H); h_all, c_all (B + rows, H) with   \
       h0, c0 in the first B rows; act (rows, 4H) receives post-activation gates; tc (rows, H)     \
       tanh(c'); ws (B * 4H + mrl_nn_pack_floats(H, 4H)) scratch, w_packed, rows and nt as for \
       the GRU. */ \
    void NN(lstm_forward)(R * h_all, R * c_all, R * act, R * tc, R * ws, const R* xproj, \
                          const R* w_hh, int w_packed, const uint32_t* nt, size_t T, size_t B, \
                          size_t H); \
    /* Backward of lstm_forward. Writes dxproj (rows, 4H); adds dw_hh (4H, H), dh0, dc0 (B, H)     \
       (NULL: skip). ws: (4*B*H + mrl_nn_pack_floats(4H, H)) scratch, plus rows*H with nt. */      \
    void NN(lstm_backward)(R * dxproj, R * dw_hh, R * dh0, R * dc0, R * ws, const R* dh_out,       \
                           const R* h_all, const R* c_all, const R* act, const R* tc,              \
                           const R* w_hh, const uint32_t* nt, size_t T, size_t B, size_t H);       \
    /* Valid (no padding) 2-D convolution, NHWC: inp (N, IH, IW, C), w (OC, K, K, C), b (OC),      \
       out (N, OH, OW, OC) with OH = (IH - K) / S + 1. col: (chunk * OH * OW * K * K * C)          \
       scratch; images are processed `chunk` at a time. */                                         \
    void NN(conv2d_forward)(R * out, R * col, const R* inp, const R* w, const R* b, size_t N,      \
                            size_t IH, size_t IW, size_t C, size_t OC, size_t K, size_t S,         \
                            size_t chunk);                                                         \
    /* Backward of conv2d_forward: dw, db add; dinp (NULL: skip) adds. col, dcol scratch as col.   \
     */                                                                                            \
    void NN(conv2d_backward)(R * dinp, R * dw, R * db, R * col, R * dcol, const R* dout,           \
                             const R* inp, const R* w, size_t N, size_t IH, size_t IW, size_t C,   \
                             size_t OC, size_t K, size_t S, size_t chunk);                         \
    /* Layer norm over rows: out (N, C) = (inp - mean) * rstd * g + b; stores mean, rstd (N). */   \
    void NN(layernorm_forward)(R * out, R * mean, R * rstd, const R* inp, const R* g, const R* b,  \
                               size_t N, size_t C);                                                \
    /* Backward of layernorm_forward: dinp, dg, db add. */                                         \
    void NN(layernorm_backward)(R * dinp, R * dg, R * db, const R* dout, const R* inp, const R* g, \
                                const R* mean, const R* rstd, size_t N, size_t C);                 \
    /* Categorical head: logp (N, A) = log_softmax(logits); in place allowed. */                   \
    void NN(categorical_forward)(R * logp, const R* logits, size_t N, size_t A);                   \
    /* Log-probability of action index act[i] (float index) under row i: out (N). */               \
    void NN(categorical_logprob)(R * out, const R* logp, const float* act, size_t N, size_t A);    \
    /* Entropy of each row: out (N). */                                                            \
    void NN(categorical_entropy)(R * out, const R* logp, size_t N, size_t A);                      \
    /* dlogits (N, A) += dL/dlogits given dlp (N) = dL/dlogprob(act) and dent (N) = dL/dentropy.   \
     */                                                                                            \
    void NN(categorical_backward)(R * dlogits, const R* dlp, const R* dent, const R* logp,         \
                                  const float* act, size_t N, size_t A);                           \
    /* Diagonal Gaussian head, state-independent log_std (A): log-probability out (N) of act       \
       (N, A) under mean mu (N, A). */                                                             \
    void NN(gaussian_logprob)(R * out, const R* mu, const R* log_std, const float* act, size_t N,  \
                              size_t A);                                                           \
    /* Entropy of the Gaussian (same for every row). */                                            \
    R NN(gaussian_entropy)(const R* log_std, size_t A);                                            \
    /* dmu (N, A) += dL/dmu and dlog_std (A) += dL/dlog_std given dlp (N), dent (N). */            \
    void NN(gaussian_backward)(R * dmu, R * dlog_std, const R* dlp, const R* dent, const R* mu,    \
                               const R* log_std, const float* act, size_t N, size_t A);

#define MRL_NN_F32(name) mrl_nn_##name
#define MRL_NN_F64(name) mrl_nn_##name##_f64
MRL_NN_DECLARE(float, MRL_NN_F32)
MRL_NN_DECLARE(double, MRL_NN_F64)

// ---- naive float references (straight from the maths, no BLAS) ----

void mrl_nn_linear_forward_naive(float* out, const float* inp, const float* w, const float* b,
                                 size_t N, size_t C, size_t OC);
void mrl_nn_linear_backward_naive(float* dinp, float* dw, float* db, const float* dout,
                                  const float* inp, const float* w, size_t N, size_t C, size_t OC);
// Same contract as mrl_nn_gru_forward, one matrix-vector product per row and step.
void mrl_nn_gru_forward_naive(float* h_all, float* act, const float* xproj, const float* w_hh,
                              const float* b_hh, size_t T, size_t B, size_t H);
// Same contract as mrl_nn_gru_backward (no scratch needed).
void mrl_nn_gru_backward_naive(float* dxproj, float* dw_hh, float* db_hh, float* dh0,
                               const float* dh_out, const float* h_all, const float* act,
                               const float* w_hh, size_t T, size_t B, size_t H);
void mrl_nn_lstm_forward_naive(float* h_all, float* c_all, float* act, float* tc,
                               const float* xproj, const float* w_hh, size_t T, size_t B, size_t H);
void mrl_nn_conv2d_forward_naive(float* out, const float* inp, const float* w, const float* b,
                                 size_t N, size_t IH, size_t IW, size_t C, size_t OC, size_t K,
                                 size_t S);
void mrl_nn_conv2d_backward_naive(float* dinp, float* dw, float* db, const float* dout,
                                  const float* inp, const float* w, size_t N, size_t IH, size_t IW,
                                  size_t C, size_t OC, size_t K, size_t S);

// ---- the recurrent product with pre-packed weights (nn_rgemm.c) ----

// Columns per panel of a packed matrix.
#define MRL_NN_PACK_NR 32
// Floats of a packed (K, N) matrix: N rounded up to whole panels.
static inline size_t mrl_nn_pack_floats(size_t K, size_t N) {
    return K * ((N + MRL_NN_PACK_NR - 1) / MRL_NN_PACK_NR * MRL_NN_PACK_NR);
}
// bp (mrl_nn_pack_floats(K, N)) = op(b) (K, N) in panels of MRL_NN_PACK_NR columns.
// tb 0: b is (K, N), tb 1: b is (N, K) and op transposes it; ldb its row stride.
void mrl_nn_pack(float* bp, const float* b, size_t ldb, int tb, size_t K, size_t N);
// C (M, N) += A (M, K) . op(b) with bp = mrl_nn_pack(b). Every C[i][j] becomes C[i][j] + s,
// s summed by fused multiply-adds in k order from 0: a row's bits depend neither on M nor
// on the row's place, nor on the instruction set.
void mrl_nn_gemm_packed(float* C, size_t ldc, const float* A, size_t lda, const float* bp, size_t M,
                        size_t N, size_t K);
// Instruction sets of the packed product; mrl_nn_gemm_packed runs the best one the CPU
// has (mrl_nn_isa_best), mrl_nn_gemm_packed_isa a given one (at most the best: tests).
enum { MRL_NN_ISA_SCALAR, MRL_NN_ISA_AVX2, MRL_NN_ISA_AVX512 };
int mrl_nn_isa_best(void);
// "scalar", "avx2" or "avx512": the name of an instruction set above (for messages).
const char* mrl_nn_isa_name(int isa);
void mrl_nn_gemm_packed_isa(int isa, float* C, size_t ldc, const float* A, size_t lda,
                            const float* bp, size_t M, size_t N, size_t K);
// The same sums as plain loops over the unpacked b (the reference; equal bits).
void mrl_nn_gemm_packed_naive(float* C, size_t ldc, const float* A, size_t lda, const float* b,
                              size_t ldb, int tb, size_t M, size_t N, size_t K);

// ---- fast vectorisable float math (nn_fast.c) ----

// exp(x) for x in [-87, 88] (clamped outside) with relative error < 2e-7.
float mrl_nn_fast_expf(float x);
// out (n) = exp(inp), sigmoid(inp), tanh(inp) over arrays; loops the compiler vectorises.
void mrl_nn_vexp(float* out, const float* inp, size_t n);
void mrl_nn_vsigmoid(float* out, const float* inp, size_t n);
void mrl_nn_vtanh(float* out, const float* inp, size_t n);

// ---- optimiser (float parameter buffers) ----

// Returns sqrt(sum g^2) over n gradients, summed in double in index order.
double mrl_nn_global_norm(const float* g, size_t n);
// Scales g (n) by s.
void mrl_nn_scale(float* g, float s, size_t n);
// One Adam step with bias correction for step t >= 1 (m, v: same layout as p).
void mrl_nn_adam_update(float* p, float* m, float* v, const float* g, float lr, float beta1,
                        float beta2, float eps, int64_t t, size_t n);

// ---- BLAS set-up (nn_blas.c) ----

// The OpenBLAS kernel set in use (e.g. "SkylakeX", "Haswell", "Prescott").
const char* mrl_nn_blas_core(void);
// One OpenBLAS thread for the process. Every user of the network calls it before its
// first GEMM: parallelism comes from our own workers, sums stay in a fixed order, and
// OpenBLAS's own threads, spinning on cores that trainings hold, made a 64-slot
// evaluation wait 60 s for 1 s of work.
void mrl_nn_blas_one_thread(void);
// A faster OPENBLAS_CORETYPE for this CPU when OpenBLAS fell back to its
// generic SSE3 kernels and the variable is not set; NULL otherwise.
const char* mrl_nn_blas_better_core(void);
// For command-line front ends: when mrl_nn_blas_better_core() names a core,
// sets OPENBLAS_CORETYPE and re-executes /proc/self/exe as `metarl argv...`
// (argv[0] is the subcommand). Returns only when nothing was done or exec failed.
void mrl_nn_blas_reexec(int argc, char** argv);

// ---- sampling ----

// Draws an index from the row of log-probabilities logp (A) with one draw of rng.
int32_t mrl_nn_categorical_sample(const float* logp, size_t A, MrlRng* rng);

#endif // METARL_NN_H
