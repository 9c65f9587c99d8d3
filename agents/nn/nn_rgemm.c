// nn_rgemm.c — the recurrent product of the GRU and LSTM time loops, C += A . B, with B
// (the hidden-to-hidden weights) packed once per sequence instead of once per time step.
//
// Why not sgemm: inside the time loop every step multiplies a few dozen rows by the same
// (3H, H) or (4H, H) matrix, and OpenBLAS packs that matrix again on every call; for a
// GRU of 256 units and 64 rows the packing was a fifth of the update's time
// (docs/training.md, Performance). Packing here happens once per forward or backward.
//
// Packed layout (mrl_nn_pack): op(B) (K, N) cut into panels of MRL_NN_PACK_NR columns;
// panel p holds, for k = 0..K-1, the NR values op(B)[k][p*NR .. p*NR+NR-1] contiguously,
// zero-padded past column N. The micro-kernel keeps an MR x NR tile of C in registers and
// streams one panel: per k, NR/VW vector loads of B, MR broadcasts of A, MR*NR/VW FMAs.
//
// Every output is C[i][j] + s, s summed by fused multiply-adds in k order from 0, whatever
// M, the row's place in its tile or the vector width: the same rows give the same bits in
// a call of any size, and the AVX-512, AVX2 and scalar paths agree.
// mrl_nn_gemm_packed_naive (nn_naive.c) is that definition as plain loops;
// tests/test_nn.c checks every path available on the machine against it, bit for bit.
//
// The path is chosen at run time (__builtin_cpu_supports), each compiled for its own
// target, so a build without -march=native still gets the vector kernels.
#include <math.h>
#include <string.h>

#include "nn/nn.h"

#if defined(__x86_64__) || defined(__i386__)
#define MRL_X86 1
#include <immintrin.h>
#endif

#define NR MRL_NN_PACK_NR
#define MRL_CAT2(a, b) a##b
#define MRL_CAT(a, b) MRL_CAT2(a, b)

void mrl_nn_pack(float* bp, const float* b, size_t ldb, int tb, size_t K, size_t N) {
    for (size_t p = 0; p * NR < N; p++) {
        size_t nr = N - p * NR < NR ? N - p * NR : NR;
        float* dst = bp + p * K * NR;
        if (tb) { // column j of op(b) is row j of b: read it in order
            for (size_t j = 0; j < nr; j++) {
                const float* src = b + (p * NR + j) * ldb;
                for (size_t k = 0; k < K; k++) {
                    dst[k * NR + j] = src[k];
                }
            }
        } else {
            for (size_t k = 0; k < K; k++) {
                memcpy(dst + k * NR, b + k * ldb + p * NR, nr * sizeof(float));
            }
        }
        for (size_t k = 0; k < K && nr < NR; k++) {
            memset(dst + k * NR + nr, 0, (NR - nr) * sizeof(float));
        }
    }
}

// adds the tile t (mr rows of NR, row stride NR) to C, its first nr columns
static inline __attribute__((always_inline)) void add_tile(float* C, size_t ldc, const float* t,
                                                           size_t mr, size_t nr) {
    for (size_t i = 0; i < mr; i++) {
        float* c = C + i * ldc;
        const float* s = t + i * NR;
        for (size_t j = 0; j < nr; j++) {
            c[j] += s[j];
        }
    }
}

// Blocking for the cache: a group of B's panels (about 128 KiB) and a block of A's rows
// (about 64 KiB) stay in L2 while the tiles pass over them, so large row counts read A
// once per panel group and B from L2 (sizes from a sweep of 8-256 KiB on the Intel Xeon:
// flat up to a few hundred rows, these best at 2500)
#define B_GROUP_FLOATS 32768
#define A_BLOCK_FLOATS 16384

// ---- scalar: one row at a time ----

static inline __attribute__((always_inline)) void tile_scalar(float* C, size_t ldc,
                                                              const float* A, size_t lda,
                                                              const float* bp, size_t K,
                                                              size_t mr, size_t nr) {
    (void)lda;
    (void)mr;
    float t[NR] = {0};
    for (size_t k = 0; k < K; k++) {
        for (size_t j = 0; j < NR; j++) {
            t[j] = fmaf(A[k], bp[k * NR + j], t[j]);
        }
    }
    add_tile(C, ldc, t, 1, nr);
}

#define KNAME gemm_scalar
#define KTILE tile_scalar
#define KMR 1
#define KTARGET
#include "nn_rgemm_driver.inc"

#ifdef MRL_X86

// ---- AVX2 + FMA: 16 ymm registers; a 6 x 32 tile runs as two 6 x 16 halves (12
// accumulators, two loads of B and one broadcast), each half reading B once per k for six
// rows ----

#define TARGET_AVX2 __attribute__((target("avx2,fma")))
static inline __attribute__((always_inline)) TARGET_AVX2 void tile_avx2(float* C, size_t ldc,
                                                                         const float* A,
                                                                         size_t lda,
                                                                         const float* bp,
                                                                         size_t K, size_t mr,
                                                                         size_t nr) {
    float t[6 * NR];
#pragma GCC unroll 6
    for (size_t i = 0; i < mr; i++) { // as in tile_avx512
        _mm_prefetch((const char*)(C + i * ldc), _MM_HINT_T0);
        _mm_prefetch((const char*)(C + i * ldc + 16), _MM_HINT_T0);
    }
    for (size_t h = 0; h * 16 < nr; h++) {
        __m256 acc[6][2];
#pragma GCC unroll 6
        for (size_t i = 0; i < mr; i++) {
            acc[i][0] = _mm256_setzero_ps();
            acc[i][1] = _mm256_setzero_ps();
        }
        const float* b = bp + 16 * h;
        for (size_t k = 0; k < K; k++) {
            __m256 b0 = _mm256_loadu_ps(b + k * NR);
            __m256 b1 = _mm256_loadu_ps(b + k * NR + 8);
#pragma GCC unroll 6
            for (size_t i = 0; i < mr; i++) {
                __m256 a = _mm256_set1_ps(A[i * lda + k]);
                acc[i][0] = _mm256_fmadd_ps(a, b0, acc[i][0]);
                acc[i][1] = _mm256_fmadd_ps(a, b1, acc[i][1]);
            }
        }
#pragma GCC unroll 6
        for (size_t i = 0; i < mr; i++) {
            _mm256_storeu_ps(t + i * NR + 16 * h, acc[i][0]);
            _mm256_storeu_ps(t + i * NR + 16 * h + 8, acc[i][1]);
        }
    }
    add_tile(C, ldc, t, mr, nr);
}

#define KNAME gemm_avx2
#define KTILE tile_avx2
#define KMR 6
#define KTARGET TARGET_AVX2
#include "nn_rgemm_driver.inc"

// ---- AVX-512: a 12 x 32 tile, 24 of the 32 zmm registers accumulating, two loads of B
// per k for 24 FMAs (8 rows: 3-10% slower, most at hundreds of rows and in the backward's
// (n, 3H) x (3H, H) shape) ----

#define TARGET_AVX512 __attribute__((target("avx512f,avx2,fma")))
static inline __attribute__((always_inline)) TARGET_AVX512 void tile_avx512(
    float* C, size_t ldc, const float* A, size_t lda, const float* bp, size_t K, size_t mr,
    size_t nr) {
    __m512 acc[12][2];
#pragma GCC unroll 12
    for (size_t i = 0; i < mr; i++) {
        acc[i][0] = _mm512_setzero_ps();
        acc[i][1] = _mm512_setzero_ps();
        // the tile of C arrives while the k loop runs (with thousands of rows C is out of
        // cache and its rows a page apart, beyond the hardware prefetcher: +3-6% there)
        _mm_prefetch((const char*)(C + i * ldc), _MM_HINT_T0);
        _mm_prefetch((const char*)(C + i * ldc + 16), _MM_HINT_T0);
    }
    for (size_t k = 0; k < K; k++) {
        __m512 b0 = _mm512_loadu_ps(bp + k * NR);
        __m512 b1 = _mm512_loadu_ps(bp + k * NR + 16);
#pragma GCC unroll 12
        for (size_t i = 0; i < mr; i++) {
            __m512 a = _mm512_set1_ps(A[i * lda + k]);
            acc[i][0] = _mm512_fmadd_ps(a, b0, acc[i][0]);
            acc[i][1] = _mm512_fmadd_ps(a, b1, acc[i][1]);
        }
    }
    if (nr == NR) {
#pragma GCC unroll 12
        for (size_t i = 0; i < mr; i++) {
            float* c = C + i * ldc;
            _mm512_storeu_ps(c, _mm512_add_ps(_mm512_loadu_ps(c), acc[i][0]));
            _mm512_storeu_ps(c + 16, _mm512_add_ps(_mm512_loadu_ps(c + 16), acc[i][1]));
        }
    } else {
        float t[12 * NR];
#pragma GCC unroll 12
        for (size_t i = 0; i < mr; i++) {
            _mm512_storeu_ps(t + i * NR, acc[i][0]);
            _mm512_storeu_ps(t + i * NR + 16, acc[i][1]);
        }
        add_tile(C, ldc, t, mr, nr);
    }
}

#define KNAME gemm_avx512
#define KTILE tile_avx512
#define KMR 12
#define KTARGET TARGET_AVX512
#include "nn_rgemm_driver.inc"

#endif // MRL_X86

int mrl_nn_isa_best(void) {
#ifdef MRL_X86
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma")) {
        return MRL_NN_ISA_AVX512;
    }
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        return MRL_NN_ISA_AVX2;
    }
#endif
    return MRL_NN_ISA_SCALAR;
}

const char* mrl_nn_isa_name(int isa) {
    return isa == MRL_NN_ISA_AVX512 ? "avx512" : isa == MRL_NN_ISA_AVX2 ? "avx2" : "scalar";
}

void mrl_nn_gemm_packed_isa(int isa, float* C, size_t ldc, const float* A, size_t lda,
                            const float* bp, size_t M, size_t N, size_t K) {
#ifdef MRL_X86
    if (isa == MRL_NN_ISA_AVX512) {
        gemm_avx512(C, ldc, A, lda, bp, M, N, K);
        return;
    }
    if (isa == MRL_NN_ISA_AVX2) {
        gemm_avx2(C, ldc, A, lda, bp, M, N, K);
        return;
    }
#else
    (void)isa;
#endif
    gemm_scalar(C, ldc, A, lda, bp, M, N, K);
}

void mrl_nn_gemm_packed(float* C, size_t ldc, const float* A, size_t lda, const float* bp, size_t M,
                        size_t N, size_t K) {
    mrl_nn_gemm_packed_isa(mrl_nn_isa_best(), C, ldc, A, lda, bp, M, N, K);
}
