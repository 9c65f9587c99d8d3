// metarl/compare.h — paired comparison of two agents meta-tested on the same tasks.
//
// Two `metarl eval` runs of one config (same held-out sets, same seed) play trial t of
// task i on the same task in both, so the per-task differences B − A remove the spread
// between tasks, which dominates the standard error of each mean. A paired t-test on
// those differences (df = tasks − 1) sees a gain that the two means' standard errors
// hide. The pairs are tasks, not trials: with several trials per task, each side's
// mean over the task's trials is one value, since the trials of one task share its
// B − A effect and are not independent.
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
    double t;         // diff.mean / diff.se; NaN when not used (below)
    double df;        // n − 1
    double p_greater; // one-sided p of "mean b <= mean a" against "b > a"
    double p_differ;  // two-sided p of "mean b == mean a"
} MrlPaired;

// Fills `out` from n pairs (a[i], b[i]): a paired t-test. With no spread in the
// differences (a spread under 1e-12 of the largest of the mean difference and the two
// sides' means: equal up to rounding; or n = 1) the t statistic is
// undefined and the p-values are those of the exact sign-flip test: p_greater 2^-n when
// the differences are positive (else 1), p_differ 2^(1-n) capped at 1 when they are not
// zero (else 1). A non-finite mean difference gives NaN p-values; n = 0 gives 1.
void mrl_paired(MrlPaired* out, const double* a, const double* b, int64_t n);

// Reads an eval CSV (the format of mrl_eval_csv; columns found by name in the header)
// back into `out` as set `name`: n_tasks, trials_per_task and episodes from the largest
// task, trial and episode, every (task, trial, episode) present exactly once, every
// episode of a trial with the same fingerprint. horizon is set to the longest episode.
// Fields are plain (no quotes, no leading space); a UTF-8 byte-order mark is skipped.
// Returns MRL_OK, or MRL_EFORMAT (MRL_EIO, MRL_ENOMEM) with one line
// `path:line:col: error: ...` (`path: error: ...` when the rows do not fill the grid:
// no one line is to blame); nothing allocated then. Free with mrl_eval_set_free.
int mrl_eval_read_csv(MrlEvalSet* out, const char* path, const char* name, char* err);

// The comparison of one set: B − A per trial and per episode index.
typedef struct MrlCompareSet {
    char name[MRL_NAME_MAX];
    int32_t episodes;
    int64_t n_tasks;
    int64_t n_trials;
    int32_t trials_per_task;
    int64_t horizon;        // the longest episode of A or B: a failed episode's steps
    int steps_vary;         // some episode of A or B ended before the horizon
    int terminated;         // some episode of A or B terminated: success rates mean something
    MrlPaired trial_return; // the trial's total reward
    MrlPaired* ret;         // [episodes]: episode return
    MrlPaired* steps;       // [episodes]: steps to success, a failure counted as `horizon`
    MrlPaired* success;     // [episodes]: success rate
} MrlCompareSet;

// Compares set `b` (read from b_path) with `a` (from a_path): both must hold the same
// trials of the same tasks, else MRL_EINVAL with one line naming the first difference
// (`b_path: error: set 'test', task 3, trial 0 is task 0123abcd... there but ... in
// a_path: ...`). `scratch` holds 2 * n_tasks doubles. Fills `out` (arrays allocated here).
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
