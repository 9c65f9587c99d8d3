// cmd_table.c — the command table. Add a command: write cmd_<name>.c with
// its run function and usage, declare both here, add a row.
#include <stddef.h>

#include "cli.h"

int mrl_cmd_plugins(int argc, char** argv);
int mrl_cmd_check(int argc, char** argv);
int mrl_cmd_eval(int argc, char** argv);
int mrl_cmd_bench(int argc, char** argv);
int mrl_cmd_train(int argc, char** argv);
int mrl_cmd_reptable(int argc, char** argv);
int mrl_cmd_render(int argc, char** argv);
int mrl_cmd_compare(int argc, char** argv);
extern const char mrl_plugins_usage[];
extern const char mrl_check_usage[];
extern const char mrl_eval_usage[];
extern const char mrl_bench_usage[];
extern const char mrl_cmd_train_usage[];
extern const char mrl_reptable_usage[];
extern const char mrl_render_usage[];
extern const char mrl_compare_usage[];

const MrlCommand mrl_commands[] = {
    {"plugins", "list plugins, show one, or check one's conformance", mrl_plugins_usage,
     mrl_cmd_plugins, 0},
    {"check", "validate a config without running anything", mrl_check_usage, mrl_cmd_check, 0},
    {"train", "meta-train an agent (RL² with PPO) on a config", mrl_cmd_train_usage, mrl_cmd_train,
     1},
    {"eval", "meta-test an agent on the held-out task sets", mrl_eval_usage, mrl_cmd_eval, 1},
    {"compare", "compare two meta-tests of the same tasks, trial by trial", mrl_compare_usage,
     mrl_cmd_compare, 0},
    {"table", "run every row of a reproduction table on the same held-out tasks",
     mrl_reptable_usage, mrl_cmd_reptable, 1},
    {"bench", "the project's benchmarks (results to a file)", mrl_bench_usage, mrl_cmd_bench, 1},
    {"render", "show a task: text view, first-person and top-down PNG", mrl_render_usage,
     mrl_cmd_render, 0},
    {NULL, NULL, NULL, NULL, 0},
};
