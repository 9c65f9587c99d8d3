// run_metarl.h — runs the built `metarl` command from a test: `metarl ARGS`
// in directory `dir`, stdout and stderr captured into *text (caller frees).
// Returns the exit status, or -1 if it did not exit normally.
#ifndef MRL_TEST_RUN_METARL_H
#define MRL_TEST_RUN_METARL_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "metarl/util.h"

static inline int run_metarl_in(const char* dir, const char* args, char** text) {
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "cd %s && %s/metarl %s 2>&1", dir, MRL_BINARY_DIR, args);
    FILE* p = popen(cmd, "r");
    if (!p) {
        *text = calloc(1, 1);
        return -1;
    }
    MrlBuf buf = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0) {
        mrl_buf_append(&buf, chunk, n);
    }
    int st = pclose(p);
    *text = buf.data ? buf.data : calloc(1, 1);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#endif
