// metarl/eval.h — meta-testing: run an agent over every trial of a held-out
// task set and turn the episodes into per-episode-index statistics and the
// result files of a run directory:
//   eval/<set>.csv   one row per trial × episode
//   summary.json     per set, per episode index: length, length_success,
//                    return, success ({mean, se, n}); trial_return; improved
//   table.md         the same as a human table
// Every file is written to a temporary name and renamed into place, and the
// bytes depend only on the results (same results ⇒ identical files).
#ifndef METARL_EVAL_H
#define METARL_EVAL_H

#include <stdint.h>

#include "metarl/agent.h"
#include "metarl/tasks.h"
#include "metarl/trials.h"
#include "metarl/util.h"

// The episodes of one evaluated set.
typedef struct MrlEvalSet {
    char name[MRL_NAME_MAX];
    int32_t episodes;          // K: episodes per trial
    int32_t trials_per_task;   // R
    int64_t n_tasks;
    int64_t n_trials;          // n_tasks * R
    int64_t horizon;           // max_episode_steps of the set (failures count as this)
    MrlEpisodeResult* rows;    // (n_trials, K), row trial*K + episode
} MrlEvalSet;

// {mean, se, n} of a statistic over a set's trials. n counts the independent units, the
// tasks (those with a value: length_success counts tasks with a success); the R trials
// of one task share it, so se is the task-clustered standard error of the mean, the
// sample std / sqrt(n) when each task has one trial (0 when n < 2).
typedef struct MrlStat {
    double mean;
    double se;
    int64_t n;
} MrlStat;

// Per-episode-index statistics of a set.
typedef struct MrlEpisodeStats {
    MrlStat length;         // all episodes; a failed episode counts as the horizon
    MrlStat length_success; // successful episodes only (RL²'s metric)
    MrlStat ret;            // episode return
    MrlStat success;        // success rate
} MrlEpisodeStats;

// Runs `agent` on every trial of `set` (each task `trials_per_task` times,
// `episodes` episodes each) with `n_slots` slots and `threads` threads.
// Trial t of task i has id i*R + r; its streams are derived from (seed, the
// set's name, id), so results do not depend on slots or threads for agents
// whose slots are independent. Fills `out` (rows allocated here).
int mrl_eval_set(MrlEvalSet* out, const MrlTaskSet* set, MrlAgent* agent, int32_t episodes,
                 int32_t trials_per_task, int32_t n_slots, int32_t threads, uint64_t seed,
                 char* err);

// Statistics of episode index k (0-based) of `set`.
void mrl_eval_episode_stats(MrlEpisodeStats* out, const MrlEvalSet* set, int32_t k);

// Statistics of the trial return, and of "improved" (episode-2 length <=
// episode-1 length, strict lengths; n = 0 when K < 2).
void mrl_eval_trial_stats(MrlStat* trial_return, MrlStat* improved, const MrlEvalSet* set);

// What the episodes of a set say about how they end: *early, some episode was shorter
// than the horizon (else all have the horizon's length: bandit pulls, fixed-length MDP
// episodes); *terminated, some episode terminated (else success rates are all 0).
void mrl_eval_episode_ends(const MrlEvalSet* set, int* early, int* terminated);

// Appends the set's summary object (the value under "sets"/"<name>") as JSON.
void mrl_eval_summary_json(MrlBuf* buf, const MrlEvalSet* set);

// Appends `"key": {"mean": ..., "se": ..., "n": ...}` (no separator around it).
void mrl_eval_json_stat(MrlBuf* buf, const char* key, const MrlStat* s);

// Appends the whole summary.json text for `n` sets.
void mrl_eval_summary_doc(MrlBuf* buf, const MrlEvalSet* sets, int n, const char* agent);

// Appends the set's episodes as CSV (with header).
void mrl_eval_csv(MrlBuf* buf, const MrlEvalSet* set);

// Appends a Markdown table of the sets' statistics.
void mrl_eval_table_md(MrlBuf* buf, const MrlEvalSet* sets, int n, const char* title);

// Writes eval/<set>.csv for each set, summary.json and table.md into `dir`
// (created if missing). Returns MRL_OK or MRL_EIO.
int mrl_eval_write(const char* dir, const MrlEvalSet* sets, int n, const char* agent,
                   const char* title, char* err);

// Student-t cumulative distribution function P(T <= t) with `df` > 0 degrees
// of freedom (df = INFINITY: the standard normal). Returns NaN for df <= 0 or
// NaN arguments.
double mrl_eval_t_cdf(double t, double df);

// One-sided Welch t-test from two samples' {mean, se, n}: the p-value of the
// null hypothesis mean(a) <= mean(b) against mean(a) > mean(b), with the
// Welch–Satterthwaite degrees of freedom. Small p: `b` is significantly worse
// than `a`. Returns NaN (no test) when either sample has fewer than two units or a
// non-finite mean; with zero standard errors, 0 if a's mean is larger, else 1.
double mrl_eval_welch_p(const MrlStat* a, const MrlStat* b);

// Returns a stable 64-bit id of a set name (used in stream derivation).
uint64_t mrl_eval_set_id(const char* name);

void mrl_eval_set_free(MrlEvalSet* set);

#endif // METARL_EVAL_H
