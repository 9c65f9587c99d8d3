// two_mode.c — epsilon_greedy and greedy, the two baselines both RL² tables have:
// each holds a bandit-mode and an MDP-mode agent and picks one in `begin` (MDP mode
// when the observation is DISCRETE and an episode lasts more than one step, bandit
// mode otherwise), then forwards every call to it. greedy is epsilon = 0.
#include <stdlib.h>

#include "baselines/internal.h"
#include "metarl/util.h"

typedef struct DualAgent {
    int32_t tag;      // BL_TAG_DUAL
    MrlAgent* bandit; // bandit mode
    MrlAgent* mdp;    // MDP mode
    MrlAgent* active; // the one `begin` chose, or NULL before
} DualAgent;

const MrlAgent* bl_active(const MrlAgent* agent) {
    if (!agent || !agent->self) {
        return NULL;
    }
    const DualAgent* d = agent->self;
    if (d->tag != BL_TAG_DUAL) {
        return agent;
    }
    return d->active;
}

static int dual_begin(MrlAgent* agent, int32_t n_slots, const MrlEnvInfo* info, char* err) {
    DualAgent* d = agent->self;
    int mdp = info->obs.kind == MRL_SPACE_DISCRETE && info->max_episode_steps > 1;
    d->active = mdp ? d->mdp : d->bandit;
    return d->active->begin(d->active, n_slots, info, err);
}

static int dual_act(MrlAgent* agent, float* action, const MrlStepBatch* batch, MrlRng* rngs,
                    char* err) {
    DualAgent* d = agent->self;
    if (!d->active) {
        return mrl_fail(err, MRL_ESTATE, "error: agent '%s': act before begin", agent->name);
    }
    return d->active->act(d->active, action, batch, rngs, err);
}

static void dual_free(MrlAgent* agent) {
    if (!agent) {
        return;
    }
    DualAgent* d = agent->self;
    if (d) {
        if (d->bandit) {
            d->bandit->free(d->bandit);
        }
        if (d->mdp) {
            d->mdp->free(d->mdp);
        }
        free(d);
    }
    free(agent);
}

static MrlAgent* dual_new(const char* name, const MrlRunConfig* run, double epsilon, char* err) {
    if (!run) {
        mrl_fail(err, MRL_EINVAL, "error: agent '%s' needs the run config (hyperparameters)", name);
        return NULL;
    }
    MrlAgent* a = calloc(1, sizeof *a);
    DualAgent* d = calloc(1, sizeof *d);
    if (!a || !d) {
        free(a);
        free(d);
        mrl_fail(err, MRL_ENOMEM, "error: out of memory");
        return NULL;
    }
    d->tag = BL_TAG_DUAL;
    a->name = name;
    a->self = d;
    a->begin = dual_begin;
    a->act = dual_act;
    a->free = dual_free;
    d->bandit = bl_bandit_new(name, BL_BANDIT_EGREEDY, run, epsilon, err);
    d->mdp = d->bandit ? bl_mdp_new(name, BL_MDP_EGREEDY, run, epsilon, err) : NULL;
    if (!d->mdp) {
        dual_free(a);
        return NULL;
    }
    return a;
}

MrlAgent* mrl_agent_epsilon_greedy_new(const MrlRunConfig* run, char* err) {
    return dual_new("epsilon_greedy", run, run->epsilon, err);
}

MrlAgent* mrl_agent_greedy_new(const MrlRunConfig* run, char* err) {
    return dual_new("greedy", run, 0.0, err);
}
