// main.c — the `metarl` command: git-style subcommands (see `metarl help`).
// Exit codes: 0 success, 1 a failed run, 2 bad input.
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "nn/nn.h"

static const MrlCommand* find_command(const char* name) {
    for (const MrlCommand* c = mrl_commands; c->name; c++) {
        if (strcmp(c->name, name) == 0) {
            return c;
        }
    }
    return NULL;
}

static void usage(FILE* f) {
    fprintf(f, "usage: metarl <command> [args]\n\ncommands:\n");
    for (const MrlCommand* c = mrl_commands; c->name; c++) {
        fprintf(f, "  %-9s %s\n", c->name, c->summary);
    }
    fprintf(f, "\n'metarl help <command>' or 'metarl <command> --help' shows a command's usage.\n");
}

int main(int argc, char** argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char* name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(name, "help") == 0) {
        if (argc < 3) {
            usage(stdout);
            return 0;
        }
        const MrlCommand* c = find_command(argv[2]);
        if (!c) {
            fprintf(stderr, "metarl: error: unknown command '%s' (see 'metarl help')\n", argv[2]);
            return 2;
        }
        fputs(c->usage, stdout);
        return 0;
    }
    const MrlCommand* c = find_command(name);
    if (!c) {
        fprintf(stderr, "metarl: error: unknown command '%s' (see 'metarl help')\n", name);
        return 2;
    }
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(c->usage, stdout);
            return 0;
        }
    }
    if (c->blas) {
        mrl_nn_blas_reexec(argc - 1, argv + 1);
    }
    return c->run(argc - 1, argv + 1);
}
