// cmd_bench.c — `metarl bench WHAT ...`: the project's benchmarks. Each writes
// its figures to stdout and to a file under results/bench/ (atomically).
#include <stdio.h>
#include <string.h>

#include "cli.h"

int mrl_bench_env(int argc, char** argv);

const char mrl_bench_usage[] =
    "usage: metarl bench env PLUGIN [key=value ...] [--sweep PARAM] [--seconds S]\n"
    "                        [--tasks N] [--seed N] [--out FILE.md]\n"
    "\n"
    "  env      steps/s of one env instance on one core with random actions,\n"
    "           resets included; sweeps the plugin's `obs` choices unless obs=...\n"
    "           is given (--sweep none: no sweep)\n"
    "           (e.g. metarl bench env maze). Writes results/bench/env_PLUGIN.md\n"
    "           and .json.\n"
    "\n"
    "Speeds are machine- and load-dependent: compare the ratios.\n";

typedef struct Bench {
    const char* name;
    int (*run)(int argc, char** argv);
} Bench;

static const Bench benches[] = {
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
