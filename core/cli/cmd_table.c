// cmd_table.c — the command table. Add a command: write cmd_<name>.c with
// its run function and usage, declare both here, add a row.
#include <stddef.h>

#include "cli.h"

int mrl_cmd_bench(int argc, char** argv);
int mrl_cmd_render(int argc, char** argv);
extern const char mrl_bench_usage[];
extern const char mrl_render_usage[];

const MrlCommand mrl_commands[] = {
    {"bench", "the project's benchmarks (results to a file)", mrl_bench_usage, mrl_cmd_bench},
    {"render", "show a task: text view, first-person and top-down PNG", mrl_render_usage,
     mrl_cmd_render},
    {NULL, NULL, NULL, NULL},
};
