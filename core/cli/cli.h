// cli.h — the subcommand table of the `metarl` command. Each cmd_<name>.c
// defines one `int mrl_cmd_<name>(int argc, char** argv)` (argv[0] is the
// command name) and its usage text; commands.c lists them.
#ifndef METARL_CLI_H
#define METARL_CLI_H

typedef struct MrlCommand {
    const char* name;
    const char* summary;
    const char* usage;
    int (*run)(int argc, char** argv);
    int blas; // does heavy numeric work: main() first re-executes with a faster OpenBLAS core
              // when the library fell back to its generic one (mrl_nn_blas_reexec)
} MrlCommand;

// The command table, terminated by an entry with name NULL.
extern const MrlCommand mrl_commands[];

// Exit codes.
#define MRL_EXIT_OK 0
#define MRL_EXIT_FAILED 1
#define MRL_EXIT_BAD_INPUT 2

#include <stddef.h>

// Writes the CPU's model name (from /proc/cpuinfo, or "unknown CPU") into `out`,
// for benchmark result files. machine.c.
void mrl_cli_cpu_model(char* out, size_t n);

#endif // METARL_CLI_H
