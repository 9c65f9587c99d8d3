// ppo/bench.h — the training benchmark behind `metarl bench train`: agent
// steps/s of full PPO iterations, and the achieved GFLOP/s of the update
// against this machine's single-thread sgemm peak measured in the same run.
// Tests: tests/test_bench.c.
#ifndef METARL_BENCH_H
#define METARL_BENCH_H

#include "ppo/ppo.h"

// GFLOP/s of a single-thread sgemm C (M, N) = A (M, K) . B^T, best of a few
// repetitions of at least `seconds` each.
double mrl_bench_sgemm(int M, int N, int K, double seconds);
// The same product by mrl_nn_gemm_packed from B^T packed once (not timed), as the
// recurrent time loop runs it.
double mrl_bench_packed(int M, int N, int K, double seconds);

typedef struct MrlBenchTrain {
    int32_t iterations; // timed iterations (after one warm-up)
    int64_t steps;      // agent steps in the timed iterations
    double seconds;     // wall time of the timed iterations
    double steps_per_s; // of full iterations (rollout + update)
    double rollout_steps_per_s;
    double update_seconds;
    double update_gflops;   // achieved GFLOP/s of the update's network work
    double peak_gflops;     // sgemm 2048^3, one thread
    double gru_gemm_gflops; // sgemm of the recurrent step shape (B_mb, G, H)
    double gru_packed_gflops; // the packed recurrent product (mrl_nn_gemm_packed), same shape
    size_t memory_bytes;
    size_t n_params;
    int32_t update_threads; // mrl_ppo_update_threads of the benchmarked trainer
} MrlBenchTrain;

// Runs one warm-up and `iterations` timed PPO iterations of `run` and measures
// the sgemm references. Returns MRL_OK or an error.
int mrl_bench_train(MrlBenchTrain* out, const MrlRunConfig* run, const MrlEnvApi* api,
                    const MrlTaskSet* train_set, int32_t iterations, char* err);

#endif // METARL_BENCH_H
