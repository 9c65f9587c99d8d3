// metarl/compare.h — paired comparison of two agents meta-tested on the same tasks.
//
// Two `metarl eval` runs of one config (same held-out sets, same seed) play trial t of
// task i on the same task in both, so the per-trial differences B − A remove the spread
// between tasks, which dominates the standard error of each mean. A paired t-test on
// those differences (df = n − 1) sees a gain that the two means' standard errors hide.
// `metarl compare A B` (core/cli/cmd_compare.c) reads the eval/<set>.csv files back,
// checks that every trial is the same task in both (task, trial and fingerprint), and
// reports the trial return and, per episode index, return, steps and success.
#ifndef METARL_COMPARE_H
#define METARL_COMPARE_H

#include <stdint.h>

#include "metarl/eval.h"
#include "metarl/util.h"

// Paired statistics of b[i] − a[i].
typedef struct MrlPaired {
    MrlStat a, b;     // each side's {mean, se, n}
    MrlStat diff;     // the differences b − a
    double t;         // diff.mean / diff.se; NaN when diff.se is 0
    double df;        // n − 1
    double p_greater; // one-sided p of "mean b <= mean a" against "b > a"
    double p_differ;  // two-sided p of "mean b == mean a"
} MrlPaired;

// Fills `out` from n pairs (a[i], b[i]). With no spread in the differences (all equal,
// or n = 1) the p-values are 0 or 1: p_greater 0 when the mean difference is positive,
// p_differ 0 when it is not zero.
void mrl_paired(MrlPaired* out, const double* a, const double* b, int64_t n);

// Reads an eval CSV (the format of mrl_eval_csv; columns found by name in the header)
// back into `out` as set `name`: n_tasks, trials_per_task and episodes from the largest
// task, trial and episode, every (task, trial, episode) present exactly once, every
// episode of a trial with the same fingerprint. horizon is set to the longest episode.
// Returns MRL_OK, or MRL_EINVAL / MRL_EIO with one line `path:line:col: error: ...`
// (nothing allocated then). Free with mrl_eval_set_free.
int mrl_eval_read_csv(MrlEvalSet* out, const char* path, const char* name, char* err);

// The comparison of one set: B − A per trial and per episode index.
typedef struct MrlCompareSet {
    char name[MRL_NAME_MAX];
    int32_t episodes;
    int64_t n_tasks;
    int64_t n_trials;
    int steps_vary;         // some episode of A or B ended before the horizon
    int terminated;         // some episode of A or B terminated: success rates mean something
    MrlPaired trial_return; // the trial's total reward
    MrlPaired* ret;         // [episodes]: episode return
    MrlPaired* steps;       // [episodes]: episode length in steps, as in the CSV
    MrlPaired* success;     // [episodes]: success rate
} MrlCompareSet;

// Compares set `b` (read from b_path) with `a` (from a_path): both must hold the same
// trials of the same tasks, else MRL_EINVAL with one line naming the first difference
// (`b_path: error: task 3, trial 0 is task 0123abcd... there but ... in a_path`).
// `scratch` holds 2 * n_trials doubles. Fills `out` (arrays allocated here).
int mrl_compare_sets(MrlCompareSet* out, const MrlEvalSet* a, const char* a_path,
                     const MrlEvalSet* b, const char* b_path, double* scratch, char* err);
void mrl_compare_set_free(MrlCompareSet* c);

// Appends the comparison of `n` sets as Markdown: per set, the trial return and one row
// per episode index for the return, the steps (where they vary) and the success rate
// (where episodes terminate), as metarl eval's table shows them.
void mrl_compare_md(MrlBuf* buf, const MrlCompareSet* sets, int n, const char* a_label,
                    const char* b_label);

// Appends the comparison as a JSON document ("format": "metarl-compare-1").
void mrl_compare_json(MrlBuf* buf, const MrlCompareSet* sets, int n, const char* a_label,
                      const char* b_label);

#endif // METARL_COMPARE_H
