// bandit_env.h — an in-process k-armed Bernoulli bandit for trainer tests:
// a task is k success probabilities ~ U[0, 1); an episode is one pull
// (observation: DISCRETE 1, always 0); reward 1 with the arm's probability,
// drawn from the episode stream. params: [k].
#ifndef MRL_TEST_BANDIT_ENV_H
#define MRL_TEST_BANDIT_ENV_H

#include <string.h>

#include "metarl/plugin.h"

#define TB_MAX_ARMS 16

typedef struct TbTask {
    double p[TB_MAX_ARMS];
} TbTask;

typedef struct TbState {
    const TbTask* task;
    int32_t k;
} TbState;

static const MrlParamDef tb_params[] = {
    {"arms", MRL_PARAM_INT, MRL_PARAM_SHAPE, 2, 2, TB_MAX_ARMS, NULL, "number of arms"},
};

static int32_t tb_describe(MrlEnvInfo* info, const double* params, char* err) {
    (void)err;
    memset(info, 0, sizeof *info);
    info->obs.kind = MRL_SPACE_DISCRETE;
    info->obs.n = 1;
    info->action.kind = MRL_SPACE_DISCRETE;
    info->action.n = (int32_t)params[0];
    info->task_bytes = sizeof(TbTask);
    info->state_bytes = sizeof(TbState);
    info->max_episode_steps = 1;
    info->reward_min = 0;
    info->reward_max = 1;
    return MRL_OK;
}

static int32_t tb_task_sample(void* task, const double* params, MrlRng* rng, char* err) {
    (void)err;
    TbTask* t = task;
    for (int32_t i = 0; i < (int32_t)params[0]; i++) {
        t->p[i] = mrl_rng_uniform(rng);
    }
    return MRL_OK;
}

static int32_t tb_init(void* state, const double* params, char* err) {
    (void)err;
    ((TbState*)state)->k = (int32_t)params[0];
    return MRL_OK;
}

static int32_t tb_reset(void* state, float* obs, const void* task, MrlRng* rng, char* err) {
    (void)rng;
    (void)err;
    ((TbState*)state)->task = task;
    obs[0] = 0.0f;
    return MRL_OK;
}

static int32_t tb_step(void* state, float* obs, float* reward, int32_t* terminated,
                       int32_t* truncated, const float* action, MrlRng* rng, char* err) {
    TbState* s = state;
    int32_t a = (int32_t)action[0];
    if (a < 0 || a >= s->k) {
        strcpy(err, "bad arm");
        return MRL_EINVAL;
    }
    obs[0] = 0.0f;
    *reward = mrl_rng_uniform(rng) < s->task->p[a] ? 1.0f : 0.0f;
    *terminated = MRL_TERM_NONE;
    *truncated = 1;
    return MRL_OK;
}

static const MrlEnvApi tb_api = {
    .abi_major = MRL_ABI_MAJOR,
    .abi_minor = MRL_ABI_MINOR,
    .struct_size = sizeof(MrlEnvApi),
    .name = "testbandit",
    .version = "1.0",
    .summary = "Bernoulli bandit for trainer tests",
    .n_params = 1,
    .params = tb_params,
    .describe = tb_describe,
    .task_sample = tb_task_sample,
    .init = tb_init,
    .reset = tb_reset,
    .step = tb_step,
};

#endif
