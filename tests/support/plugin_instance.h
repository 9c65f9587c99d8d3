// plugin_instance.h — drives one instance of a built plugin in tests: loads
// <build>/plugins/<name>.so with mrl_plugin_open, describes it for a parameter vector,
// allocates a zeroed state block, obs and action buffers, and wraps reset/step/oracle.
// Used by tests/test_bandit.c and tests/test_tabular_mdp.c.
#ifndef MRL_TEST_PLUGIN_INSTANCE_H
#define MRL_TEST_PLUGIN_INSTANCE_H

#include <stdlib.h>
#include <string.h>

#include "metarl/host.h"

typedef struct TestEnv {
    MrlPlugin pl;
    const MrlEnvApi* api;
    double params[MRL_MAX_PARAMS];
    MrlEnvInfo info;
    void* state;         // state_bytes, zero-filled, 64-byte aligned
    void* task;          // task_bytes, zero-filled
    float* obs;          // obs floats
    float* act;          // action floats
    float reward;        // last reward
    int32_t term, trunc; // last flags
    char err[MRL_ERR_MAX];
} TestEnv;

// Opens plugin `name` from the build tree, describes it at `params` (n values; the
// rest are defaults), inits one instance. Returns MRL_OK or the failing status.
static inline int test_env_open(TestEnv* e, const char* name, const double* params, int n) {
    memset(e, 0, sizeof *e);
    char path[2048], err[MRL_MSG_MAX];
    snprintf(path, sizeof path, "%s/plugins/%s.so", MRL_BINARY_DIR, name);
    int rc = mrl_plugin_open(&e->pl, path, NULL, err);
    if (rc != MRL_OK) {
        fprintf(stderr, "%s\n", err);
        return rc;
    }
    e->api = &e->pl.api;
    mrl_plugin_defaults(e->api, e->params);
    for (int i = 0; i < n; i++) {
        e->params[i] = params[i];
    }
    rc = e->api->describe(&e->info, e->params, e->err);
    if (rc != MRL_OK) {
        return rc;
    }
    size_t sb = ((size_t)e->info.state_bytes + 63) & ~(size_t)63;
    e->state = aligned_alloc(64, sb);
    e->task = calloc(1, (size_t)e->info.task_bytes);
    e->obs = calloc((size_t)mrl_space_floats(&e->info.obs), sizeof(float));
    e->act = calloc((size_t)mrl_space_floats(&e->info.action), sizeof(float));
    if (!e->state || !e->task || !e->obs || !e->act) {
        return MRL_ENOMEM;
    }
    memset(e->state, 0, sb);
    return e->api->init(e->state, e->params, e->err);
}

static inline void test_env_close(TestEnv* e) {
    if (e->api && e->api->release && e->state) {
        e->api->release(e->state);
    }
    free(e->state);
    free(e->task);
    free(e->obs);
    free(e->act);
    mrl_plugin_close(&e->pl);
    memset(e, 0, sizeof *e);
}

// Samples the task from (seed, stream) into e->task.
static inline int test_env_sample(TestEnv* e, uint64_t seed) {
    MrlRng rng;
    mrl_rng_seed(&rng, seed, 1);
    memset(e->task, 0, (size_t)e->info.task_bytes);
    return e->api->task_sample(e->task, e->params, &rng, e->err);
}

static inline int test_env_reset(TestEnv* e, MrlRng* rng) {
    return e->api->reset(e->state, e->obs, e->task, rng, e->err);
}

// Steps with the single discrete action `a`.
static inline int test_env_step(TestEnv* e, float a, MrlRng* rng) {
    e->act[0] = a;
    return e->api->step(e->state, e->obs, &e->reward, &e->term, &e->trunc, e->act, rng, e->err);
}

static inline int test_env_oracle(TestEnv* e, MrlOracleInfo* info) {
    memset(info, 0, sizeof *info);
    info->struct_size = sizeof *info;
    return e->api->oracle(e->state, info, e->act, e->err);
}

#endif
