// bench_train.c — `metarl bench train`: the PPO iteration benchmark, results
// appended to a file:
//   train CONFIG [key=value ...] [--iterations N] [--out FILE]
//       agent steps/s of full PPO iterations and the update's GFLOP/s against
//       this machine's best one-thread GEMM rate (agents/ppo/bench.c)
// Tests: tests/test_cli_train.c (bench train on the test bandit).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "cli.h"

extern const char mrl_bench_usage[];
#include "metarl/config.h"
#include "metarl/host.h"
#include "metarl/tasks.h"
#include "metarl/util.h"
#include "nn/nn.h"
#include "ppo/bench.h"

int mrl_bench_train_cmd(int argc, char** argv) {
    const char* path = NULL;
    const char* out_path = "results/bench/train.md";
    const char* overrides[256];
    int n_over = 0;
    int32_t iterations = 3;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--iterations") == 0 && i + 1 < argc) {
            long v = 0;
            if (mrl_args_int(argv[++i], 1, 100000, &v) != 0) {
                fprintf(stderr, "metarl bench train: error: --iterations wants 1..100000, not '%s'\n",
                        argv[i]);
                return MRL_EXIT_BAD_INPUT;
            }
            iterations = (int32_t)v;
        } else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
            out_path = argv[++i];
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "metarl bench train: error: unknown option '%s'\n", argv[i]);
            return MRL_EXIT_BAD_INPUT;
        } else if (strchr(argv[i], '=') && n_over < 256) {
            overrides[n_over++] = argv[i];
        } else if (!path) {
            path = argv[i];
        } else {
            fprintf(stderr, "metarl bench train: error: unexpected argument '%s'\n", argv[i]);
            return MRL_EXIT_BAD_INPUT;
        }
    }
    if (!path || iterations < 1) {
        fputs(mrl_bench_usage, stderr);
        return MRL_EXIT_BAD_INPUT;
    }
    char err[MRL_MSG_MAX] = "";
    int code = MRL_EXIT_BAD_INPUT, have_set = 0;
    MrlPlugin pl;
    memset(&pl, 0, sizeof pl);
    MrlTaskSet set;
    MrlConfig* cfg = mrl_config_load(path, overrides, n_over, err);
    if (!cfg || mrl_plugin_open(&pl, cfg->run.plugin, path, err) != MRL_OK ||
        mrl_config_bind_plugin(cfg, &pl.api, err) != MRL_OK ||
        mrl_taskset_init(&set, &cfg->run.train, &pl.api, NULL, 0, err) != MRL_OK) {
        goto done;
    }
    have_set = 1;
    code = MRL_EXIT_FAILED;
    const MrlRunConfig* run = &cfg->run;
    MrlBenchTrain b;
    printf("bench train %s: %s %s %d, %d trials/iteration, BLAS %s, recurrent product %s; %d "
           "iterations...\n",
           path, pl.api.name, run->cell, (int)run->hidden, (int)run->batch_trials,
           mrl_nn_blas_core(), mrl_nn_isa_name(mrl_nn_isa_best()), (int)iterations);
    fflush(stdout);
    if (mrl_bench_train(&b, run, &pl.api, &set, iterations, err) != MRL_OK) {
        goto done;
    }
    // the peak is the best one-thread GEMM rate measured in this run, whichever shape and
    // kernel gave it (our packed recurrent product can beat OpenBLAS's 2048^3), times the
    // threads the update runs on
    double peak = b.peak_gflops > b.gru_gemm_gflops ? b.peak_gflops : b.gru_gemm_gflops;
    peak = b.gru_packed_gflops > peak ? b.gru_packed_gflops : peak;
    peak *= (double)b.update_threads;
    char blas[96]; // the table's BLAS column: OpenBLAS's kernels and the recurrent product's
    snprintf(blas, sizeof blas, "%s, %s", mrl_nn_blas_core(), mrl_nn_isa_name(mrl_nn_isa_best()));
    char on[48] = ""; // the update's threads, when more than one
    if (b.update_threads > 1) {
        snprintf(on, sizeof on, " on %d threads", (int)b.update_threads);
    }
    char cell[96];
    snprintf(cell, sizeof cell, "%s %d%s%s%s", run->cell, (int)run->hidden, on[0] ? " (update" : "",
             on, on[0] ? ")" : "");
    char cpu[256], date[64];
    mrl_cli_cpu_model(cpu, sizeof cpu);
    time_t now = time(NULL);
    strftime(date, sizeof date, "%Y-%m-%d %H:%M", gmtime(&now));
    char line[2048];
    snprintf(line, sizeof line,
             "| %s | %s | %s | %d | %lld | %.0f | %.0f | %.1f | %.1f | %.1f | %.1f | %.0f%% | %s | "
             "%s |\n",
             date, pl.api.name, cell, (int)run->batch_trials, (long long)b.steps, b.steps_per_s,
             b.rollout_steps_per_s, b.update_gflops, b.gru_gemm_gflops, b.gru_packed_gflops,
             b.peak_gflops, 100.0 * b.update_gflops / peak, blas, cpu);
    printf("agent steps/s (full iterations): %.0f   rollout steps/s: %.0f\n", b.steps_per_s,
           b.rollout_steps_per_s);
    printf("update%s: %.1f GFLOP/s = %.0f%% of the GEMM peak %.1f GFLOP/s (one thread: sgemm "
           "2048^3: %.1f, recurrent-step shape: %.1f, the same packed: %.1f)\n",
           on, b.update_gflops,
           100.0 * b.update_gflops / peak, peak, b.peak_gflops, b.gru_gemm_gflops,
           b.gru_packed_gflops);
    printf("memory %.1f MiB, %zu parameters\n", (double)b.memory_bytes / 1048576.0, b.n_params);
    // append to the results file (with a header when new)
    char dir[MRL_PATH_MAX];
    snprintf(dir, sizeof dir, "%s", out_path);
    char* slash = strrchr(dir, '/');
    if (slash) {
        *slash = '\0';
        if (mrl_mkdirs(dir, err) != MRL_OK) {
            goto done;
        }
    }
    // a header above the first row, and again (as a new table) when the file's last
    // header is another one: a file begun by an older metarl with other columns
    static const char header[] =
        "| date (UTC) | env | cell | trials/iter | steps | steps/s | rollout steps/s | "
        "update GFLOP/s | step-shape sgemm | step-shape packed | sgemm 2048^3 | "
        "update/best GEMM | BLAS | CPU |\n";
    int same_header = 0, fresh = 1;
    FILE* old = fopen(out_path, "r");
    if (old) {
        char buf[4096];
        while (fgets(buf, sizeof buf, old)) {
            fresh = 0;
            if (strncmp(buf, "| date (UTC) |", 14) == 0) {
                same_header = strcmp(buf, header) == 0;
            }
        }
        fclose(old);
    }
    FILE* f = fopen(out_path, "a");
    if (!f) {
        snprintf(err, sizeof err, "%s: error: cannot open for appending", out_path);
        goto done;
    }
    if (!same_header) {
        fprintf(f, "%s%s|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
                fresh ? "" : "\n", header);
    }
    fputs(line, f);
    fclose(f);
    printf("appended to %s\n", out_path);
    code = MRL_EXIT_OK;
done:
    if (code != MRL_EXIT_OK) {
        fprintf(stderr, "%s\n", err[0] ? err : "metarl bench: error: failed");
    }
    if (have_set) {
        mrl_taskset_release(&set);
    }
    mrl_plugin_close(&pl);
    mrl_config_free(cfg);
    return code;
}

