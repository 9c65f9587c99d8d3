// scratch.h — a scratch directory for a cmocka group: scratch_setup makes a fresh
// /tmp/mrl_<name>_XXXXXX, scratch_teardown removes it, scratch_write puts a file in it.
// One directory per test program (the state is static to the including file).
#ifndef MRL_TEST_SCRATCH_H
#define MRL_TEST_SCRATCH_H

#include <stdio.h>
#include <stdlib.h>

static char scratch_dir[256];

static inline int scratch_setup(const char* name) {
    snprintf(scratch_dir, sizeof scratch_dir, "/tmp/mrl_%s_XXXXXX", name);
    return mkdtemp(scratch_dir) ? 0 : -1;
}

static inline int scratch_teardown(void) {
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch_dir);
    return system(cmd) == 0 ? 0 : -1;
}

// Writes `n` bytes of `text` to <scratch>/<name> and returns the path (static buffer).
static inline const char* scratch_write(const char* name, const char* text, size_t n) {
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", scratch_dir, name);
    FILE* f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, n, f), n);
    fclose(f);
    return path;
}

#endif
