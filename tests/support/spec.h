// spec.h — builds task-set specs by hand for core tests (no YAML).
#ifndef MRL_TEST_SPEC_H
#define MRL_TEST_SPEC_H

#include <stdio.h>
#include <string.h>

#include "metarl/config.h"

// A set of `count` tasks with constant parameters `values` (n of them).
static inline MrlSetSpec test_spec(const char* name, int32_t kind, int64_t count, uint64_t seed,
                                   const double* values, int n) {
    MrlSetSpec s;
    memset(&s, 0, sizeof s);
    snprintf(s.name, sizeof s.name, "%s", name);
    s.kind = kind;
    s.count = count;
    s.seed = seed;
    s.episodes = 1;
    s.trials_per_task = 1;
    s.n_params = n;
    for (int i = 0; i < n; i++) {
        s.params[i].dist = MRL_DIST_CONST;
        s.params[i].a = values[i];
    }
    return s;
}

#endif
