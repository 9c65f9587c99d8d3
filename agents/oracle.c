// oracle.c — the oracle agent: at every step, the action the plugin's
// optional `oracle` capability calls optimal (privileged information: the
// true task). It brackets learned agents from above. Plugins without an
// oracle cannot run it (begin fails with a clear message).
#include <stdlib.h>
#include <string.h>

#include "metarl/agent.h"
#include "metarl/util.h"

static int oracle_begin(MrlAgent* agent, int32_t n_slots, const MrlEnvInfo* info, char* err) {
    (void)agent;
    (void)n_slots;
    (void)info;
    (void)err;
    return MRL_OK;
}

static int oracle_act(MrlAgent* agent, float* action, const MrlStepBatch* batch, MrlRng* rngs,
                      char* err) {
    (void)agent;
    if (!batch->api->oracle) {
        return mrl_fail(err, MRL_EINVAL,
                        "error: agent 'oracle' needs the plugin's oracle capability, which '%s' "
                        "does not provide",
                        batch->api->name);
    }
    for (int32_t s = 0; s < batch->n_slots; s++) {
        if (!(batch->flags[s] & MRL_SLOT_ACTIVE)) {
            continue;
        }
        float* a = action + (size_t)s * (size_t)batch->act_floats;
        MrlOracleInfo info;
        memset(&info, 0, sizeof info);
        info.struct_size = sizeof info;
        char perr[MRL_ERR_MAX] = "";
        int rc = batch->api->oracle(batch->env_states[s], &info, a, perr);
        if (rc != MRL_OK) {
            return mrl_fail(err, rc, "%s: error: oracle failed: %s", batch->api->name, perr);
        }
        if (!(info.valid & MRL_ORACLE_ACTION)) {
            // no optimal action known here (e.g. unreachable goal): act at random
            mrl_agent_random_action(a, &batch->info->action, &rngs[s]);
        }
    }
    return MRL_OK;
}

static void oracle_free(MrlAgent* agent) {
    free(agent);
}

MrlAgent* mrl_agent_oracle_new(char* err) {
    MrlAgent* a = calloc(1, sizeof *a);
    if (!a) {
        mrl_fail(err, MRL_ENOMEM, "error: out of memory");
        return NULL;
    }
    a->name = "oracle";
    a->begin = oracle_begin;
    a->act = oracle_act;
    a->free = oracle_free;
    return a;
}
