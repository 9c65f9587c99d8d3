// run_defaults.h — a run config holding the core schema's defaults, for tests
// that build configs by hand: they start from what the schema says instead of
// restating every default.
#ifndef MRL_TEST_RUN_DEFAULTS_H
#define MRL_TEST_RUN_DEFAULTS_H

#include <string.h>

#include "metarl/config.h"

// Fills `r` with the defaults of a minimal config named `name` ("env: {plugin: test}").
static inline void test_run_defaults(MrlRunConfig* r, const char* name) {
    char err[MRL_MSG_MAX];
    MrlConfig* cfg = mrl_config_parse(name, "env: {plugin: test}\n", NULL, 0, err);
    assert_non_null(cfg);
    *r = cfg->run;
    mrl_config_free(cfg);
}

#endif
