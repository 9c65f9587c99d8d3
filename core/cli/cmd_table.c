// cmd_table.c — the command table. Add a command: write cmd_<name>.c with
// its run function and usage, declare it here, add a row.
#include <stddef.h>

#include "cli.h"

int mrl_cmd_train(int argc, char** argv);
extern const char mrl_cmd_train_usage[];

int mrl_cmd_bench(int argc, char** argv);
extern const char mrl_cmd_bench_usage[];

const MrlCommand mrl_commands[] = {
    {"bench", "the project's benchmarks (results to a file)", mrl_cmd_bench_usage, mrl_cmd_bench},
    {"train", "meta-train an agent (RL² with PPO) on a config", mrl_cmd_train_usage, mrl_cmd_train},
    {NULL, NULL, NULL, NULL},
};
