// nn_f32.c — float32 instantiation of the kernel template (nn_kernels.inc):
// OpenBLAS sgemm, the pre-packed recurrent product of nn_rgemm.c and the fast
// vectorised exp/tanh of nn_fast.c. This is the
// hot path of acting and training. See nn/nn.h; tests in tests/test_nn.c.
#include <cblas.h>
#include <math.h>
#include <string.h>

#include "nn/nn.h"

#define R float
#define NN(name) mrl_nn_##name
#define EXPR(x) expf(x)
#define LOGR(x) logf(x)
#define SQRTR(x) sqrtf(x)
#define VSIGMOID(out, inp, n) mrl_nn_vsigmoid(out, inp, n)
#define VTANH(out, inp, n) mrl_nn_vtanh(out, inp, n)

static void gemm_f32(int ta, int tb, size_t M, size_t N, size_t K, const float* A, size_t lda,
                     const float* B, size_t ldb, float beta, float* C, size_t ldc) {
    if (M == 0 || N == 0) {
        return;
    }
    if (K == 0) {
        if (beta == 0.0f) {
            for (size_t i = 0; i < M; i++) {
                memset(C + i * ldc, 0, N * sizeof(float));
            }
        }
        return;
    }
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                (int)M, (int)N, (int)K, 1.0f, A, (int)lda, B, (int)ldb, beta, C, (int)ldc);
}
#define GEMM gemm_f32
#define RPACK(bp, w, ldw, tb, K, N) mrl_nn_pack(bp, w, ldw, tb, K, N)
#define RGEMM(M, N, K, A, lda, bp, w, ldw, tb, C, ldc)                                             \
    mrl_nn_gemm_packed(C, ldc, A, lda, bp, M, N, K)

#include "nn_kernels.inc"
