// cmd_bench.c — `metarl bench WHAT ...`: the project's benchmarks. Each writes
// its figures to stdout and to a file. Add one: a function in bench_<what>.c
// and a row in `benches`.
#include <stdio.h>
#include <string.h>

#include "cli.h"

int mrl_bench_runner(int argc, char** argv);   // bench_runner.c
int mrl_bench_train_cmd(int argc, char** argv); // bench_train.c
int mrl_bench_env(int argc, char** argv);       // bench_env.c

const char mrl_bench_usage[] =
    "usage: metarl bench runner [PLUGIN ...] [--seconds S] [--out FILE]\n"
    "       metarl bench train CONFIG [key=value ...] [--iterations N] [--out FILE]\n"
    "       metarl bench env PLUGIN [key=value ...] [--sweep PARAM] [--seconds S]\n"
    "                        [--tasks N] [--seed N] [--out FILE.md]\n"
    "\n"
    "runner: steps/s of the trial runner with the random agent, per plugin (all\n"
    "        plugins on the search path by default), 1 and 2 threads, beside the\n"
    "        plugin's bare step loop measured in the same run\n"
    "train:  one warm-up and N (default 3) full PPO iterations of the config's RL²\n"
    "        agent; agent steps/s and the update's achieved GFLOP/s against the\n"
    "        single-thread GEMM peak measured in the same run; appends a Markdown\n"
    "        row to FILE (default results/bench/train.md)\n"
    "env:    steps/s of one env instance on one core (per CPU-second of the\n"
    "        stepping thread) with random actions, resets included; sweeps the\n"
    "        plugin's `obs` choices unless obs=... is given (--sweep none: no sweep).\n"
    "        Writes results/bench/env_PLUGIN.md and .json (e.g. metarl bench env maze)\n"
    "\n"
    "Speeds are machine- and load-dependent: compare the ratios.\n";

typedef struct Bench {
    const char* name;
    int (*run)(int argc, char** argv);
} Bench;

static const Bench benches[] = {
    {"runner", mrl_bench_runner},
    {"train", mrl_bench_train_cmd},
    {"env", mrl_bench_env},
};

int mrl_cmd_bench(int argc, char** argv) {
    if (argc < 2) {
        fputs(mrl_bench_usage, stderr);
        return MRL_EXIT_BAD_INPUT;
    }
    for (size_t i = 0; i < sizeof benches / sizeof benches[0]; i++) {
        if (strcmp(benches[i].name, argv[1]) == 0) {
            return benches[i].run(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "metarl bench: error: unknown benchmark '%s' (see 'metarl help bench')\n",
            argv[1]);
    return MRL_EXIT_BAD_INPUT;
}
