// metarl/trials.h — N environment slots running multi-episode trials in
// lockstep: the layer both the evaluator and the trainer drive.
//
// A slot runs one trial at a time: K episodes of one task, the env reset
// between episodes with the same task, the agent's inputs (previous action,
// previous reward, flags) maintained here. Stepping is spread over `threads`
// worker threads by contiguous slot ranges; results do not depend on the
// thread count because every random stream belongs to a (set, trial, episode)
// and not to a thread or slot.
//
//     MrlTrialSlots ts;
//     mrl_trials_init(&ts, api, &info, params, n_slots, threads, err);
//     mrl_trials_start(&ts, slot, task, fp, episodes, seed, set_id, trial_id, err);
//     while (any active) {
//         agent->act(agent, ts.action, &ts.batch, ts.agent_rng, err);
//         mrl_trials_step(&ts, err);   // fills ts.step_* and ts.done
//         ... read ts.step_reward[s], ts.ended[s], ts.trial_done[s] ...
//     }
#ifndef METARL_TRIALS_H
#define METARL_TRIALS_H

#include <stdint.h>

#include "metarl/agent.h"
#include "metarl/plugin.h"

typedef struct MrlPool MrlPool; // worker threads (private)

// Result of one finished episode.
typedef struct MrlEpisodeResult {
    int64_t trial_id;     // as given to mrl_trials_start
    uint64_t fingerprint; // the task's fingerprint
    int32_t episode;      // 0-based index within the trial
    int32_t success;      // terminated == MRL_TERM_SUCCESS
    int32_t terminated;   // MRL_TERM_*
    int32_t truncated;    // 0/1
    int64_t length;       // steps
    double ret;           // sum of rewards (in double)
} MrlEpisodeResult;

typedef struct MrlTrialSlots {
    const MrlEnvApi* api;
    MrlEnvInfo info;
    int32_t n_slots;        // N
    int32_t obs_floats;     // O
    int32_t act_floats;     // A
    size_t state_stride;    // bytes per env state (aligned)
    size_t task_stride;     // bytes per task (aligned)
    uint8_t* states;        // (N, state_stride)
    uint8_t* tasks;         // (N, task_stride)
    void** state_ptrs;      // (N)
    MrlPool* pool;          // NULL when threads == 1

    // per-slot trial bookkeeping
    uint64_t seed;          // run seed for episode streams
    uint64_t* set_id;       // (N)
    int64_t* trial_id;      // (N)
    uint64_t* fingerprint;  // (N)
    int32_t* episodes;      // (N) episodes in the slot's trial
    int32_t* episode;       // (N) current episode index
    int64_t* ep_len;        // (N) steps in the current episode
    double* ep_ret;         // (N) return of the current episode
    MrlRng* env_rng;        // (N) current episode's stream
    MrlRng* agent_rng;      // (N) the trial's agent stream

    // agent inputs (the batch points into these)
    float* obs;             // (N, O)
    float* prev_action;     // (N, A)
    float* prev_reward;     // (N)
    int32_t* flags;         // (N)
    MrlStepBatch batch;

    // the agent writes here
    float* action;          // (N, A)

    // outputs of the last mrl_trials_step, per slot
    float* step_reward;     // (N) reward of the step just taken
    int32_t* step_term;     // (N) MRL_TERM_* of the step
    int32_t* step_trunc;    // (N) truncated flag of the step
    int32_t* ended;         // (N) 1 if the step ended an episode
    int32_t* trial_done;    // (N) 1 if the step ended the trial (slot now inactive)
    MrlEpisodeResult* last; // (N) the episode that ended, where ended[s]
    float* next_obs;        // (N, O) where ended[s]: the episode's last observation (obs
                            // already holds the next episode's first one); kept until the
                            // slot's next episode end, the batch's final_obs
    int32_t* status;        // (N) per-slot callback status of the last step
    char* errs;             // (N, MRL_ERR_MAX) per-slot error text
} MrlTrialSlots;

// Allocates N slots for the plugin with parameter vector `params` (the SHAPE
// parameters of every task run in these slots must equal these) and inits
// every env state. threads >= 1. Returns MRL_OK or an error.
int mrl_trials_init(MrlTrialSlots* ts, const MrlEnvApi* api, const MrlEnvInfo* info,
                    const double* params, int32_t n_slots, int32_t threads, char* err);

// Starts a trial of `episodes` episodes of `task` in `slot`: copies the task,
// seeds the agent stream (seed, MRL_DOMAIN_AGENT, set_id, trial_id, 0) and the
// episode stream (seed, MRL_DOMAIN_EPISODE, set_id, trial_id, episode), resets
// the env, sets flags to ACTIVE|TRIAL_START|EPISODE_START.
int mrl_trials_start(MrlTrialSlots* ts, int32_t slot, const void* task, uint64_t fingerprint,
                     int32_t episodes, uint64_t seed, uint64_t set_id, int64_t trial_id,
                     char* err);

// Steps every active slot with ts->action. For each slot: fills step_*;
// on an episode end fills `last`, and either resets for the next episode
// (flags EPISODE_START, obs is the new episode's first observation) or ends
// the trial (trial_done, flags 0). prev_action/prev_reward are updated to
// this step's action and reward (carried across episode boundaries within a
// trial). Returns the first failing slot's error.
int mrl_trials_step(MrlTrialSlots* ts, char* err);

// Number of active slots.
int32_t mrl_trials_active(const MrlTrialSlots* ts);

void mrl_trials_release(MrlTrialSlots* ts);

#endif // METARL_TRIALS_H
