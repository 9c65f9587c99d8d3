// random.c — the random agent: a uniformly random action of the declared
// action space at every step, drawn from the slot's own agent stream.
#include <math.h>
#include <stdlib.h>

#include "metarl/agent.h"
#include "metarl/util.h"

void mrl_agent_random_action(float* action, const MrlSpace* space, MrlRng* rng) {
    if (space->kind == MRL_SPACE_DISCRETE) {
        action[0] = (float)mrl_rng_below(rng, (uint32_t)space->n);
        return;
    }
    // an unbounded side is replaced by one 2 away from the other side (by -1 and 1 when
    // both are open), so that a draw never leaves the box
    double lo = space->low, hi = space->high;
    if (!isfinite(lo) && !isfinite(hi)) {
        lo = -1.0, hi = 1.0;
    } else if (!isfinite(lo)) {
        lo = hi - 2.0;
    } else if (!isfinite(hi)) {
        hi = lo + 2.0;
    }
    for (int32_t i = 0; i < space->n; i++) {
        action[i] = (float)(lo + (hi - lo) * mrl_rng_uniform(rng));
    }
}

static int random_begin(MrlAgent* agent, int32_t n_slots, const MrlEnvInfo* info, char* err) {
    (void)agent;
    (void)n_slots;
    (void)info;
    (void)err;
    return MRL_OK;
}

static int random_act(MrlAgent* agent, float* action, const MrlStepBatch* batch, MrlRng* rngs,
                      char* err) {
    (void)agent;
    (void)err;
    for (int32_t s = 0; s < batch->n_slots; s++) {
        if (batch->flags[s] & MRL_SLOT_ACTIVE) {
            mrl_agent_random_action(action + (size_t)s * batch->act_floats, &batch->info->action,
                                    &rngs[s]);
        }
    }
    return MRL_OK;
}

static void random_free(MrlAgent* agent) {
    free(agent);
}

MrlAgent* mrl_agent_random_new(char* err) {
    MrlAgent* a = calloc(1, sizeof *a);
    if (!a) {
        mrl_fail(err, MRL_ENOMEM, "error: out of memory");
        return NULL;
    }
    a->name = "random";
    a->begin = random_begin;
    a->act = random_act;
    a->free = random_free;
    return a;
}
