// nn_blas.c — OpenBLAS set-up checks. OpenBLAS 0.3.21 does not know some
// newer CPUs (e.g. this project's Xeon under KVM) and falls back to its
// "Prescott" SSE3 kernels, 2-3x slower than the AVX-512/AVX2 ones the CPU
// supports. The CLI asks mrl_nn_blas_better_core() before heavy work and, when
// it names a core, re-executes itself with OPENBLAS_CORETYPE set (the variable
// is read once, when the library loads).
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <unistd.h>

#include "nn/nn.h"

const char* mrl_nn_blas_core(void) {
    const char* c = openblas_get_corename();
    return c ? c : "unknown";
}

void mrl_nn_blas_one_thread(void) {
    openblas_set_num_threads(1);
}

const char* mrl_nn_blas_better_core(void) {
    if (getenv("OPENBLAS_CORETYPE")) {
        return NULL; // the user (or our re-exec) chose
    }
    if (strcasecmp(mrl_nn_blas_core(), "Prescott") != 0) {
        return NULL;
    }
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) {
        return "SkylakeX";
    }
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        return "Haswell";
    }
    return NULL;
}

void mrl_nn_blas_reexec(int argc, char** argv) {
    const char* core = mrl_nn_blas_better_core();
    if (!core) {
        return;
    }
    char** args = calloc((size_t)argc + 2, sizeof(char*));
    if (!args) {
        return;
    }
    args[0] = "metarl";
    for (int i = 0; i < argc; i++) {
        args[i + 1] = argv[i];
    }
    setenv("OPENBLAS_CORETYPE", core, 1);
    fflush(NULL);
    execv("/proc/self/exe", args);
    free(args); // exec failed: go on with the generic kernels
}
