// rl2/rl2_policy.h — acting with the RL² network over N slots, one step at a
// time: the recurrent state of each slot is reset at its trial start
// (MRL_SLOT_TRIAL_START) and carried across episode starts inside the trial.
// Used by the rl2 agent (evaluation) and by the PPO trainer's rollouts.
//
//     MrlRl2Policy pol;
//     mrl_rl2_policy_init(&pol, &net, params, n_slots, err);  // params borrowed
//     per step: mrl_rl2_policy_step(&pol, action, batch, rngs); // pol.raw/logp/value filled
//     after the params change: mrl_rl2_policy_params_changed(&pol);
//     mrl_rl2_policy_release(&pol);
#ifndef METARL_RL2_POLICY_H
#define METARL_RL2_POLICY_H

#include "metarl/agent.h"
#include "rl2/rl2_net.h"

typedef struct MrlRl2Policy {
    const MrlRl2Net* net; // borrowed
    const float* params;  // borrowed; (n_params)
    int32_t n_slots;      // N
    int32_t greedy;       // 1: argmax / mean instead of sampling
    float temperature;    // sampling from pi^(1/temperature); 1 (set by init) = pi itself
    MrlRl2Ws ws;          // T = 1, B = N
    float* h;             // (N, S) recurrent state (S = H, or 2H with a value trunk)
    float* c;             // (N, S) LSTM cell state
    float* raw;           // (N, Araw) the sampled actions before clipping to the space
    float* logp;          // (N) log-probability of raw under the policy
    float* value;         // (N) value estimate of the step's input (not with ws.no_value)
    float* last_obs;      // (N, O) the observation each slot last acted on (agent.prev_obs)
    float* tempered;      // (A) scratch: the tempered log-probabilities of one slot
} MrlRl2Policy;

int mrl_rl2_policy_init(MrlRl2Policy* pol, const MrlRl2Net* net, const float* params,
                        int32_t n_slots, char* err);

// Acts for every ACTIVE slot of `batch`: resets the state of slots at a trial
// start, runs one network step, draws from rngs[s] and writes the env action
// (clipped to the box bounds) into action (N, A). Inactive slots keep their
// state. Does not allocate.
void mrl_rl2_policy_step(MrlRl2Policy* pol, float* action, const MrlStepBatch* batch, MrlRng* rngs);

// Value of the batch's input rows without acting or changing the state: the value
// after a final step (bootstrap); out (N).
void mrl_rl2_policy_value(MrlRl2Policy* pol, float* out, const MrlStepBatch* batch);

// To be called whenever the borrowed params have changed (an update, a checkpoint load)
// and before the next step: the policy keeps its recurrent weights packed between steps
// (ws.keep_packed) and packs them again on the next step.
void mrl_rl2_policy_params_changed(MrlRl2Policy* pol);

void mrl_rl2_policy_release(MrlRl2Policy* pol);

#endif // METARL_RL2_POLICY_H
