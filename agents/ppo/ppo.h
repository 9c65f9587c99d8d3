// ppo/ppo.h — the PPO trainer of the RL² agent: rollouts of whole trials on
// MrlTrialSlots, GAE(λ) over each trial, clipped surrogate + value loss +
// entropy bonus, Adam with global-norm clipping, optional KL early stop and a
// linear learning-rate schedule; checkpoints that make a resumed run
// byte-identical to an uninterrupted one.
//
// The value function's episode is the TRIAL (RL²): an episode end inside a
// trial is not a terminal — the advantage flows into the next episode's
// first step, whose input carries the previous reward and the episode-start
// flag. The trial's end is terminal (the meta-objective is the total reward
// of the K episodes: nothing follows). A trial cut before its end by a
// rollout horizon (`max_trial_steps`, below the trial's natural length) is a
// truncation: its last step bootstraps from the value of the observation
// that followed. Termination never bootstraps. See mrl_ppo_gae.
//
//     MrlPpo* ppo = mrl_ppo_new(&run, &api, &train_set, config_hash, NULL, err);
//     while (!mrl_ppo_done(ppo)) {
//         MrlPpoStats st;
//         if (mrl_ppo_iterate(ppo, &st, err) != MRL_OK) ...;
//         mrl_ppo_save(ppo, "ckpt/last.ckpt", err);
//     }
//     mrl_ppo_free(ppo);
//
// Tests: tests/test_ppo.c (GAE by hand, determinism, resume, corrupt checkpoints, learning).
#ifndef METARL_PPO_H
#define METARL_PPO_H

#include <stdint.h>

#include "metarl/agent.h"
#include "metarl/config.h"
#include "metarl/plugin.h"
#include "metarl/tasks.h"
#include "metarl/trials.h"
#include "rl2/rl2_net.h"
#include "rl2/rl2_policy.h"

// How a trial's sequence ends (mrl_ppo_gae).
#define MRL_PPO_END_TERMINAL 0  // nothing follows: the value after the last step is 0
#define MRL_PPO_END_TRUNCATED 1 // cut by a horizon: the value after the last step is v_boot

// GAE over one trial of L steps (rewards rew, values val). Writes advantages adv
// (L) and returns ret = adv + val (L). Episode ends inside the trial are not
// terminals. `end` is MRL_PPO_END_*; v_boot is used only for TRUNCATED.
void mrl_ppo_gae(float* adv, float* ret, const float* rew, const float* val, size_t L, int end,
                 float v_boot, double gamma, double lambda);

// The value of a scheduled coefficient (train.lr, train.ent_coef) after the fraction
// frac of train.steps: base for "constant", base * (1 - frac) (0 past the end) for "linear".
double mrl_ppo_schedule(double base, const char* kind, double frac);

// train.novelty_bonus. mrl_ppo_obs_hash: the hash novelty matches observations by (O floats,
// exactly by their bytes; never 0). mrl_ppo_novelty, over one trial of L steps: start[k] is
// the hash of step k's input observation where step k begins an episode (the env's reset
// gave it: seen, but earning nothing), else 0; reach[k] the hash of the observation step k
// reached (at an episode's end its last observation, not the next reset). Adds `bonus` to
// rew[k] for every step k that reached an observation not seen earlier in the trial. `seen`
// is a table of `cap` slots, a power of two above the number of distinct hashes (2 L always
// is). A training signal only: reported returns never include it.
uint64_t mrl_ppo_obs_hash(const float* obs, size_t O);
void mrl_ppo_novelty(float* rew, const uint64_t* start, const uint64_t* reach, size_t L,
                     float bonus, uint64_t* seen, size_t cap);

// mrl_ppo_iterate's code for an update whose gradient is not finite (a diverged policy):
// a failure of the run, not of its input (metarl train exits 1; checkpoints stay).
#define MRL_PPO_EDIVERGED (-64)

// Options that are not part of the config (tests, benchmarks).
typedef struct MrlPpoOptions {
    int32_t max_trial_steps; // rollout horizon per trial (0: the trial's natural length)
    int32_t quiet;           // 1: print nothing (memory estimate)
} MrlPpoOptions;

// Statistics of one iteration.
typedef struct MrlPpoStats {
    int64_t iteration;  // 1-based, after the update
    int64_t steps;      // agent steps so far
    int64_t trials;     // trials so far
    double mean_return; // mean trial return of this iteration's rollouts
    double mean_length; // mean trial length (steps)
    double policy_loss; // last epoch's mean surrogate loss
    double value_loss;
    double entropy;
    double approx_kl; // mean of (ratio - 1) - log ratio over the last epoch's steps, each
                      // measured before its own minibatch's step (k3, KL(old || new) >= 0)
    double clip_frac; // share of the last epoch's steps where the clipped term is the
                      // smaller (no gradient), not |ratio - 1| > clip
    double grad_norm; // before clipping, last minibatch
    double lr;
    double ent_coef; // the entropy-bonus coefficient of this update (train.ent_schedule)
    int32_t epochs_run; // < train.epochs when the KL limit stopped early
    double rollout_seconds;
    double update_seconds;
    double update_flops; // FLOPs of the network GEMM work in the update (estimate)
} MrlPpoStats;

typedef struct MrlPpo MrlPpo;

// Creates a trainer for `run` (agent.*, train.*, seed, threads, episodes) on the
// plugin `api` with tasks from `train_set` (borrowed; must outlive the trainer).
// config_hash identifies the config in checkpoints. opts may be NULL.
MrlPpo* mrl_ppo_new(const MrlRunConfig* run, const MrlEnvApi* api, const MrlTaskSet* train_set,
                    uint64_t config_hash, const MrlPpoOptions* opts, char* err);

// Runs one iteration: rollouts of train.batch_trials trials, then the update.
int mrl_ppo_iterate(MrlPpo* ppo, MrlPpoStats* stats, char* err);

// For tests: runs one rollout (advancing the trainer's counters) and replays
// every trial through the training forward pass (whole sequences or BPTT
// windows from the stored hidden states); reports the largest difference of
// the taken actions' log-probabilities and of the values from the rollout's.
int mrl_ppo_replay_check(MrlPpo* ppo, double* max_dlogp, double* max_dv, char* err);

// For tests: the last rollout's buffers (row t * n + s: step t of slot s's trial), as
// the update reads them; adv and ret before the iteration's advantage normalisation.
typedef struct MrlPpoRolloutView {
    size_t n, t_max;                    // trials (one slot each), rollout horizon
    const int32_t *len, *end;           // (n) steps of each trial, MRL_PPO_END_*
    const float* boot;                  // (n) bootstrap values of truncated trials
    const float *rew, *val, *adv, *ret; // (t_max, n); rew as the env paid it
    float value_scale;                  // rewards are scaled by this for the value and GAE
    const float* obs;                   // (t_max, n, obs floats) the inputs' observations
    const float* priv;                  // (t_max, n, priv_n) agent.critic_oracle's features
    size_t priv_n;                      // features per row (0 without agent.critic_oracle)
} MrlPpoRolloutView;
void mrl_ppo_rollout_view(const MrlPpo* ppo, MrlPpoRolloutView* view);

// 1 when train.steps agent steps have been taken.
int mrl_ppo_done(const MrlPpo* ppo);

// Iterations done, agent steps done.
int64_t mrl_ppo_iteration(const MrlPpo* ppo);
int64_t mrl_ppo_steps(const MrlPpo* ppo);

// Bytes of memory the trainer allocated (printed at start).
size_t mrl_ppo_memory(const MrlPpo* ppo);

// Threads the update's network work runs on (at most; the peak the benchmark divides by):
// with train.update_split parts, the smaller of the parts and the pool's threads; else 2
// when a value network of its own runs on a worker of the pool beside the policy's, else 1.
int32_t mrl_ppo_update_threads(const MrlPpo* ppo);

// The network and its parameters (borrowed).
const MrlRl2Net* mrl_ppo_net(const MrlPpo* ppo);
const float* mrl_ppo_params(const MrlPpo* ppo);

// Serialises the whole training state (see ppo/ckpt.c for the format) into a
// new buffer (*out, *n). The caller frees *out.
int mrl_ppo_serialize(const MrlPpo* ppo, uint8_t** out, size_t* n, char* err);

// Writes the checkpoint atomically to `path`.
int mrl_ppo_save(const MrlPpo* ppo, const char* path, char* err);

// Restores the training state from `path`. A missing, truncated, corrupt or
// mismatched (config hash, parameter count) file is refused with one line in
// `err` naming the path; the trainer is left unchanged then.
int mrl_ppo_load(MrlPpo* ppo, const char* path, char* err);

void mrl_ppo_free(MrlPpo* ppo);

// ---- checkpoint files (ppo/ckpt.c) ----

#define MRL_CKPT_MAGIC "MRLCKPT1"
#define MRL_CKPT_VERSION 1

// The header fields of a checkpoint.
typedef struct MrlCkptInfo {
    uint32_t version;
    uint64_t config_hash;
    uint64_t n_params;
    int64_t iteration;
    int64_t steps;
    int64_t trials;
} MrlCkptInfo;

// CRC-32 (IEEE, as zlib's crc32) of n bytes, continuing from `crc` (start with 0).
uint32_t mrl_ckpt_crc32(uint32_t crc, const void* data, size_t n);

// Reads and verifies a checkpoint file (magic, version, size, CRC) into a new
// buffer; fills `info` and points *params at the parameters inside *buf (the
// caller frees *buf). Used by the rl2 agent to act from a run's checkpoint.
int mrl_ckpt_read(const char* path, MrlCkptInfo* info, uint8_t** buf, const float** params,
                  char* err);

#endif // METARL_PPO_H
