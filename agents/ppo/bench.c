// bench.c — the training benchmark (see ppo/bench.h).
#include "ppo/bench.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "metarl/util.h"
#include "nn/nn.h"

static double wall(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

// GFLOP/s of C (M, N) = A (M, K) . B^T, by OpenBLAS (bp NULL) or by the packed recurrent
// product from bp = B^T packed once (the time loop's case: packing is not timed)
static double bench_gemm(int M, int N, int K, double seconds, int packed) {
    mrl_nn_blas_one_thread();
    float* a = malloc((size_t)M * (size_t)K * sizeof(float));
    float* b = malloc((size_t)N * (size_t)K * sizeof(float));
    float* c = calloc((size_t)M * (size_t)N, sizeof(float));
    float* bp = packed ? malloc(mrl_nn_pack_floats((size_t)K, (size_t)N) * sizeof(float)) : NULL;
    if (!a || !b || !c || (packed && !bp)) {
        free(a), free(b), free(c), free(bp);
        return 0.0;
    }
    for (size_t i = 0; i < (size_t)M * (size_t)K; i++) {
        a[i] = 1e-3f * (float)(i % 13);
    }
    for (size_t i = 0; i < (size_t)N * (size_t)K; i++) {
        b[i] = 1e-3f * (float)(i % 7);
    }
    if (packed) {
        mrl_nn_pack(bp, b, (size_t)K, 1, (size_t)K, (size_t)N);
    }
    double best = 1e30;
    for (int r = 0; r < 3; r++) {
        int reps = 0;
        double t0 = wall(), el;
        do {
            if (packed) {
                mrl_nn_gemm_packed(c, (size_t)N, a, (size_t)K, bp, (size_t)M, (size_t)N, (size_t)K);
            } else {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, N, K, 1.0f, a, K, b, K,
                            0.0f, c, N);
            }
            reps++;
            el = wall() - t0;
        } while (el < seconds);
        best = el / reps < best ? el / reps : best;
    }
    free(a), free(b), free(c), free(bp);
    return 2.0 * (double)M * (double)N * (double)K / best * 1e-9;
}

double mrl_bench_sgemm(int M, int N, int K, double seconds) {
    return bench_gemm(M, N, K, seconds, 0);
}

double mrl_bench_packed(int M, int N, int K, double seconds) {
    return bench_gemm(M, N, K, seconds, 1);
}

int mrl_bench_train(MrlBenchTrain* out, const MrlRunConfig* run, const MrlEnvApi* api,
                    const MrlTaskSet* train_set, int32_t iterations, char* err) {
    memset(out, 0, sizeof *out);
    MrlPpoOptions opt = {.quiet = 1};
    MrlRunConfig r = *run;
    r.total_steps = INT64_MAX / 2; // never "done" during the benchmark
    MrlPpo* ppo = mrl_ppo_new(&r, api, train_set, 0, &opt, err);
    if (!ppo) {
        return MRL_EINVAL;
    }
    MrlPpoStats st;
    int rc = mrl_ppo_iterate(ppo, &st, err); // warm-up: first touch of every buffer
    if (rc != MRL_OK) {
        mrl_ppo_free(ppo);
        return rc;
    }
    int64_t s0 = mrl_ppo_steps(ppo);
    double t0 = wall(), roll = 0.0, flops = 0.0;
    for (int32_t i = 0; i < iterations; i++) {
        rc = mrl_ppo_iterate(ppo, &st, err);
        if (rc != MRL_OK) {
            mrl_ppo_free(ppo);
            return rc;
        }
        roll += st.rollout_seconds;
        out->update_seconds += st.update_seconds;
        flops += st.update_flops;
    }
    out->seconds = wall() - t0;
    out->iterations = iterations;
    out->steps = mrl_ppo_steps(ppo) - s0;
    out->steps_per_s = (double)out->steps / out->seconds;
    out->rollout_steps_per_s = roll > 0 ? (double)out->steps / roll : 0.0;
    out->update_gflops = out->update_seconds > 0 ? flops / out->update_seconds * 1e-9 : 0.0;
    out->memory_bytes = mrl_ppo_memory(ppo);
    const MrlRl2Net* net = mrl_ppo_net(ppo);
    out->n_params = net->n_params;
    out->update_threads = mrl_ppo_update_threads(ppo);
    int B = run->batch_trials / (run->minibatches > 0 ? run->minibatches : 1);
    out->gru_gemm_gflops = mrl_bench_sgemm(B > 0 ? B : 1, (int)net->d.G, (int)net->d.H, 0.2);
    out->gru_packed_gflops = mrl_bench_packed(B > 0 ? B : 1, (int)net->d.G, (int)net->d.H, 0.2);
    out->peak_gflops = mrl_bench_sgemm(2048, 2048, 2048, 0.5);
    mrl_ppo_free(ppo);
    return MRL_OK;
}
