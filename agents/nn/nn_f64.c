// nn_f64.c — double instantiation of the kernel template (nn_kernels.inc):
// OpenBLAS dgemm and libm. Used by the finite-difference gradient checks
// (tests/test_gradcheck.c), which need the precision. See nn/nn.h.
#include <cblas.h>
#include <math.h>
#include <string.h>

#include "nn/nn.h"

#define R double
#define NN(name) mrl_nn_##name##_f64
#define EXPR(x) exp(x)
#define LOGR(x) log(x)
#define SQRTR(x) sqrt(x)

static void vsigmoid_f64(double* out, const double* inp, size_t n) {
    for (size_t i = 0; i < n; i++) {
        out[i] = 1.0 / (1.0 + exp(-inp[i]));
    }
}

static void vtanh_f64(double* out, const double* inp, size_t n) {
    for (size_t i = 0; i < n; i++) {
        out[i] = tanh(inp[i]);
    }
}
#define VSIGMOID(out, inp, n) vsigmoid_f64(out, inp, n)
#define VTANH(out, inp, n) vtanh_f64(out, inp, n)

static void gemm_f64(int ta, int tb, size_t M, size_t N, size_t K, const double* A, size_t lda,
                     const double* B, size_t ldb, double beta, double* C, size_t ldc) {
    if (M == 0 || N == 0) {
        return;
    }
    if (K == 0) {
        if (beta == 0.0) {
            for (size_t i = 0; i < M; i++) {
                memset(C + i * ldc, 0, N * sizeof(double));
            }
        }
        return;
    }
    cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                (int)M, (int)N, (int)K, 1.0, A, (int)lda, B, (int)ldb, beta, C, (int)ldc);
}
#define GEMM gemm_f64
// no packing in double: the recurrent product is a plain dgemm on w
#define RPACK(bp, w, ldw, tb, K, N) ((void)(bp))
#define RGEMM(M, N, K, A, lda, bp, w, ldw, tb, C, ldc)                                             \
    gemm_f64(0, tb, M, N, K, A, lda, w, ldw, 1.0, C, ldc)

#include "nn_kernels.inc"
