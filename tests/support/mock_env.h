// mock_env.h — a tiny in-process environment table for core tests (no dlopen).
// Task: {int32 length; int32 kind}; kind in [0, params[0]) drawn per task.
// Obs: BOX [2] = (step in episode, kind). Actions: DISCRETE 3.
// Reward: action + uniform[0,1) noise from the episode stream. The episode
// ends with success after `length` steps when params[1] == 0, or never ends
// by itself when params[1] == 1 (the host's horizon cuts it).
#ifndef MRL_TEST_MOCK_ENV_H
#define MRL_TEST_MOCK_ENV_H

#include <string.h>

#include "metarl/plugin.h"

typedef struct MockTask {
    int32_t length;
    int32_t kind;
} MockTask;

typedef struct MockState {
    const MockTask* task;
    int32_t t;
    int32_t endless;
} MockState;

static const MrlParamDef mock_params[] = {
    {"kinds", MRL_PARAM_INT, 0, 1000, 1, 100000, NULL, "number of distinct task kinds"},
    {"endless", MRL_PARAM_BOOL, 0, 0, 0, 1, NULL, "episodes never end by themselves"},
};

static int32_t mock_describe(MrlEnvInfo* info, const double* params, char* err) {
    (void)params;
    (void)err;
    memset(info, 0, sizeof *info);
    info->obs.kind = MRL_SPACE_BOX;
    info->obs.n = 2;
    info->obs.ndim = 1;
    info->obs.shape[0] = 2;
    info->obs.low = 0;
    info->obs.high = 1e9f;
    info->action.kind = MRL_SPACE_DISCRETE;
    info->action.n = 3;
    info->task_bytes = sizeof(MockTask);
    info->state_bytes = sizeof(MockState);
    info->max_episode_steps = 12;
    info->reward_min = 0;
    info->reward_max = 3;
    return MRL_OK;
}

static int32_t mock_task_sample(void* task, const double* params, MrlRng* rng, char* err) {
    (void)err;
    MockTask* t = task;
    t->kind = (int32_t)mrl_rng_below(rng, (uint32_t)params[0]);
    t->length = 1 + t->kind % 5;
    return MRL_OK;
}

static int32_t mock_init(void* state, const double* params, char* err) {
    (void)err;
    ((MockState*)state)->endless = params[1] != 0.0;
    return MRL_OK;
}

static int32_t mock_reset(void* state, float* obs, const void* task, MrlRng* rng, char* err) {
    (void)rng;
    (void)err;
    MockState* s = state;
    s->task = task;
    s->t = 0;
    obs[0] = 0.0f;
    obs[1] = (float)s->task->kind;
    return MRL_OK;
}

static int32_t mock_step(void* state, float* obs, float* reward, int32_t* terminated,
                         int32_t* truncated, const float* action, MrlRng* rng, char* err) {
    MockState* s = state;
    if (action[0] < 0 || action[0] > 2) {
        strcpy(err, "bad action");
        return MRL_EINVAL;
    }
    s->t++;
    obs[0] = (float)s->t;
    obs[1] = (float)s->task->kind;
    *reward = action[0] + (float)mrl_rng_uniform(rng);
    *terminated = (!s->endless && s->t >= s->task->length) ? MRL_TERM_SUCCESS : MRL_TERM_NONE;
    *truncated = 0;
    return MRL_OK;
}

static const MrlEnvApi mock_api = {
    .abi_major = MRL_ABI_MAJOR,
    .abi_minor = MRL_ABI_MINOR,
    .struct_size = sizeof(MrlEnvApi),
    .name = "mock",
    .version = "1.0",
    .summary = "test environment",
    .n_params = 2,
    .params = mock_params,
    .describe = mock_describe,
    .task_sample = mock_task_sample,
    .init = mock_init,
    .reset = mock_reset,
    .step = mock_step,
};

#endif
