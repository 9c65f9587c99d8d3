// rl2_agent.c — the "rl2" agent (see rl2/rl2_agent.h): an MrlAgent over
// MrlRl2Policy with parameters from a checkpoint. Tested in tests/test_ppo.c
// (a trained agent evaluated through the same interface as every agent).
#include "rl2/rl2_agent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metarl/util.h"
#include "ppo/ppo.h"
#include "rl2/rl2_net.h"
#include "rl2/rl2_policy.h"

typedef struct Rl2Agent {
    MrlAgent base;
    MrlRunConfig run;
    MrlRl2Net net;
    float* params; // (n_params) owned
    size_t n_params;
    char source[MRL_PATH_MAX]; // where the parameters came from (messages)
    int greedy;
    int ready; // policy initialised
    MrlRl2Policy pol;
} Rl2Agent;

void mrl_rl2_checkpoint_path(char* out, size_t out_size, const char* run_dir) {
    snprintf(out, out_size, "%s/ckpt/last.ckpt", run_dir);
}

static int rl2_begin(MrlAgent* agent, int32_t n_slots, const MrlEnvInfo* info, char* err) {
    Rl2Agent* a = agent->self;
    if (a->ready) {
        mrl_rl2_policy_release(&a->pol);
        a->ready = 0;
    }
    int rc = mrl_rl2_net_init(&a->net, info, &a->run, err);
    if (rc != MRL_OK) {
        return rc;
    }
    if (a->net.n_params != a->n_params) {
        return mrl_fail(err, MRL_EINVAL,
                        "%s: error: checkpoint has %zu parameters, the network of this config and "
                        "environment %zu (was it trained with other agent.* or env params?)",
                        a->source, a->n_params, a->net.n_params);
    }
    rc = mrl_rl2_policy_init(&a->pol, &a->net, a->params, n_slots, err);
    if (rc != MRL_OK) {
        return rc;
    }
    a->pol.greedy = a->greedy;
    if (a->run.temperature > 0.0) { // 0: a run config built without the schema's defaults
        a->pol.temperature = (float)a->run.temperature;
    }
    a->pol.ws.no_value = 1; // this agent only acts: no value head, no value trunk
    a->ready = 1;
    return MRL_OK;
}

static int rl2_act(MrlAgent* agent, float* action, const MrlStepBatch* batch, MrlRng* rngs,
                   char* err) {
    Rl2Agent* a = agent->self;
    if (!a->ready || batch->n_slots != a->pol.n_slots) {
        return mrl_fail(err, MRL_ESTATE,
                        "error: rl2 agent: act before begin (or slot count changed)");
    }
    mrl_rl2_policy_step(&a->pol, action, batch, rngs);
    return MRL_OK;
}

static void rl2_free(MrlAgent* agent) {
    if (!agent) {
        return;
    }
    Rl2Agent* a = agent->self;
    if (a->ready) {
        mrl_rl2_policy_release(&a->pol);
    }
    free(a->params);
    free(a);
}

static Rl2Agent* alloc_agent(const MrlRunConfig* run, size_t n_params, char* err) {
    Rl2Agent* a = calloc(1, sizeof *a);
    float* p = calloc(n_params ? n_params : 1, sizeof(float));
    if (!a || !p) {
        free(a);
        free(p);
        mrl_fail(err, MRL_ENOMEM, "error: out of memory");
        return NULL;
    }
    a->run = *run;
    a->params = p;
    a->n_params = n_params;
    a->base.name = "rl2";
    a->base.self = a;
    a->base.begin = rl2_begin;
    a->base.act = rl2_act;
    a->base.free = rl2_free;
    return a;
}

MrlAgent* mrl_rl2_agent_new(const MrlRunConfig* run, const float* params, size_t n_params,
                            int greedy, char* err) {
    Rl2Agent* a = alloc_agent(run, n_params, err);
    if (!a) {
        return NULL;
    }
    memcpy(a->params, params, n_params * sizeof(float));
    a->greedy = greedy;
    snprintf(a->source, sizeof a->source, "(parameters)");
    return &a->base;
}

MrlAgent* mrl_rl2_agent_load(const char* run_dir, const MrlRunConfig* run, int greedy, char* err) {
    char path[MRL_PATH_MAX];
    mrl_rl2_checkpoint_path(path, sizeof path, run_dir);
    MrlCkptInfo info;
    uint8_t* buf = NULL;
    const float* params = NULL;
    if (mrl_ckpt_read(path, &info, &buf, &params, err) != MRL_OK) {
        return NULL;
    }
    Rl2Agent* a = alloc_agent(run, (size_t)info.n_params, err);
    if (!a) {
        free(buf);
        return NULL;
    }
    memcpy(a->params, params, (size_t)info.n_params * sizeof(float));
    free(buf);
    a->greedy = greedy;
    a->base.name = greedy ? "rl2_greedy" : "rl2";
    snprintf(a->source, sizeof a->source, "%s", path);
    return &a->base;
}
