// metarl/agent.h — the agent interface: batched act over slots, each slot with
// its own recurrent state and random stream. Built-in agents (random,
// oracle, rl2, ...) are created by name with mrl_agent_new.
#ifndef METARL_AGENT_H
#define METARL_AGENT_H

#include <stdint.h>

#include "metarl/config.h"
#include "metarl/plugin.h"

// Slot flags in MrlStepBatch.flags.
#define MRL_SLOT_ACTIVE 1        // the slot is running a trial; inactive rows are ignored
#define MRL_SLOT_TRIAL_START 2   // first step of a trial: reset recurrent state
#define MRL_SLOT_EPISODE_START 4 // first step of an episode (also set at trial start)

// What the agent sees at one step, for all N slots. Host-owned, valid during `act`.
typedef struct MrlStepBatch {
    int32_t n_slots;           // N
    int32_t obs_floats;        // O: floats per observation row
    int32_t act_floats;        // A: floats per action row
    const MrlEnvInfo* info;    // spaces (obs.kind DISCRETE: obs row holds the index)
    const float* obs;          // (N, O) current observation
    const float* prev_action;  // (N, A) previous action; zeros at trial start
    const float* prev_reward;  // (N) previous reward; 0 at trial start
    const int32_t* flags;      // (N) MRL_SLOT_* bits
    const int32_t* episode;    // (N) 0-based episode index within the trial
    const int32_t* episodes;   // (N) episodes in the slot's trial
    const int64_t* ep_step;    // (N) steps taken so far in the current episode
    const float* final_obs;    // (N, O) read only where flags hold EPISODE_START without
                               // TRIAL_START: the observation the previous episode ended on
                               // (obs already shows the new episode's first), so that an
                               // agent can record the episode's last transition
    // privileged access, for oracle-style agents only:
    const MrlEnvApi* api;      // the plugin table
    void* const* env_states;   // (N) each slot's env state (pass to api->oracle)
} MrlStepBatch;

// The trial clock of slot s, for agents that read it: episode / episodes and steps so far
// / the declared horizon, each in [0, 1); zeros for a slot that never started a trial.
static inline void mrl_step_clock(const MrlStepBatch* b, int32_t s, float out[2]) {
    int32_t k = b->episodes[s];
    out[0] = k > 0 ? (float)((double)b->episode[s] / (double)k) : 0.0f;
    out[1] = (float)((double)b->ep_step[s] / (double)b->info->max_episode_steps);
}

typedef struct MrlAgent MrlAgent;
struct MrlAgent {
    const char* name;
    void* self;
    // Prepares for batches of `n_slots` slots with spaces `info`. Called once
    // before the first act (and again if the slot count changes). May allocate.
    int (*begin)(MrlAgent* agent, int32_t n_slots, const MrlEnvInfo* info, char* err);
    // Writes one action per active slot into `action` (N, A). `rngs` (N) are
    // the slots' agent streams (seeded by the host at each trial start). Must
    // not allocate.
    int (*act)(MrlAgent* agent, float* action, const MrlStepBatch* batch, MrlRng* rngs, char* err);
    // Frees the agent (and `self`).
    void (*free)(MrlAgent* agent);
};

// Creates the built-in agent `kind` ("random", "oracle", ...) for the run
// config (checkpoint-backed agents are created by the trainer's module).
// Returns NULL with text in `err` for an unknown kind.
MrlAgent* mrl_agent_new(const char* kind, const MrlRunConfig* run, char* err);

// Names of the built-in agents, NULL-terminated.
extern const char* const mrl_agent_kinds[];

// Writes a uniformly random action of `space` into `action` (used by the
// random agent and exploration code): a uniform discrete value, or every box float
// uniform in [low, high], an infinite bound taken as the other bound -+ 2 (both
// infinite: [-1, 1]).
void mrl_agent_random_action(float* action, const MrlSpace* space, MrlRng* rng);

#endif // METARL_AGENT_H
