// compare.c — paired comparison of two eval runs on the same tasks (metarl/compare.h):
// the eval CSV read back, the trials matched and checked, paired t-tests, Markdown and
// JSON. Tested by tests/test_compare.c and tests/cli/compare.sh.
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metarl/compare.h"

// ---- paired statistics ----

// {mean, se, n} of x[0..n), two-pass
static MrlStat sample_stat(const double* x, int64_t n) {
    MrlStat s = {NAN, 0.0, n};
    if (n == 0) {
        return s;
    }
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++) {
        sum += x[i];
    }
    s.mean = sum / (double)n;
    if (n > 1) {
        double ss = 0.0;
        for (int64_t i = 0; i < n; i++) {
            ss += (x[i] - s.mean) * (x[i] - s.mean);
        }
        s.se = sqrt(ss / (double)(n - 1) / (double)n);
    }
    return s;
}

void mrl_paired(MrlPaired* out, const double* a, const double* b, int64_t n) {
    out->a = sample_stat(a, n);
    out->b = sample_stat(b, n);
    // the differences, two-pass like the sides
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++) {
        sum += b[i] - a[i];
    }
    MrlStat d = {n ? sum / (double)n : NAN, 0.0, n};
    if (n > 1) {
        double ss = 0.0;
        for (int64_t i = 0; i < n; i++) {
            double e = b[i] - a[i] - d.mean;
            ss += e * e;
        }
        d.se = sqrt(ss / (double)(n - 1) / (double)n);
    }
    out->diff = d;
    out->df = n > 1 ? (double)(n - 1) : NAN;
    out->t = NAN;
    if (n == 0) {
        out->p_greater = out->p_differ = 1.0;
    } else if (!isfinite(d.mean)) {
        out->p_greater = out->p_differ = NAN; // a side overflowed: nothing to test
    } else if (!(d.se > 1e-12 * fmax(fabs(d.mean), fmax(fabs(out->a.mean), fabs(out->b.mean))))) {
        // every difference the same (to rounding, relative to the sides' size), or one
        // pair: the t statistic is
        // undefined. The exact sign-flip test: of the 2^n ways to flip the signs of n
        // equal differences, one (two-sided: two) is as extreme as the data.
        int e = n > 1100 ? 1100 : (int)n; // 2^-1100 is 0 in double
        out->p_greater = d.mean > 0.0 ? ldexp(1.0, -e) : 1.0;
        out->p_differ = d.mean != 0.0 ? fmin(1.0, ldexp(1.0, 1 - e)) : 1.0;
    } else {
        out->t = d.mean / d.se;
        // P(T >= t) as P(T <= -t): the lower tail keeps its precision where p is tiny
        out->p_greater = mrl_eval_t_cdf(-out->t, out->df);
        double lower = mrl_eval_t_cdf(-fabs(out->t), out->df);
        out->p_differ = fmin(1.0, 2.0 * lower);
    }
}

// ---- reading an eval CSV ----

enum { C_TASK, C_TRIAL, C_FP, C_EPISODE, C_LENGTH, C_RETURN, C_SUCCESS, C_TERM, C_TRUNC, C_N };
static const char* const col_names[C_N] = {"task",   "trial",   "fingerprint", "episode",  "length",
                                           "return", "success", "terminated",  "truncated"};

// a parsed row with its place in the trial grid
typedef struct Row {
    int64_t task, trial, episode;
    MrlEpisodeResult r;
    int64_t line;
} Row;

// Parses the field [s, e) as column `c` into `row`. Returns 0 or -1.
static int parse_field(int c, const char* s, const char* e, Row* row) {
    char buf[64];
    size_t n = (size_t)(e - s);
    if (n == 0 || n >= sizeof buf) {
        return -1;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (strlen(buf) != n || isspace((unsigned char)buf[0])) {
        return -1; // a NUL inside, or space the number parsers would skip
    }
    char* end = NULL;
    errno = 0;
    if (c == C_FP) {
        if (n > 16 || buf[0] == '-' || buf[0] == '+') {
            return -1;
        }
        unsigned long long v = strtoull(buf, &end, 16);
        row->r.fingerprint = (uint64_t)v;
        return *end || errno ? -1 : 0;
    }
    if (c == C_RETURN) {
        double v = strtod(buf, &end);
        row->r.ret = v;
        return *end || !isfinite(v) ? -1 : 0;
    }
    if (buf[0] == '-' || buf[0] == '+') {
        return -1; // every integer column is a count or an index
    }
    long long v = strtoll(buf, &end, 10);
    if (*end || errno || v > INT32_MAX) {
        return -1;
    }
    switch (c) {
    case C_TASK:
        row->task = v;
        break;
    case C_TRIAL:
        row->trial = v;
        break;
    case C_EPISODE:
        row->episode = v;
        return v >= 1 ? 0 : -1;
    case C_LENGTH:
        row->r.length = v;
        break;
    case C_SUCCESS:
        row->r.success = (int32_t)v;
        return v <= 1 ? 0 : -1;
    case C_TERM:
        row->r.terminated = (int32_t)v;
        break;
    case C_TRUNC:
        row->r.truncated = (int32_t)v;
        return v <= 1 ? 0 : -1;
    default:
        break;
    }
    return 0;
}

// the next line of text at *p (without its newline); advances *p
static const char* next_line(const char** p, const char* end, const char** line_end) {
    const char* s = *p;
    if (s >= end) {
        return NULL;
    }
    const char* nl = memchr(s, '\n', (size_t)(end - s));
    *line_end = nl ? nl : end;
    *p = nl ? nl + 1 : end;
    if (*line_end > s && (*line_end)[-1] == '\r') {
        (*line_end)--;
    }
    return s;
}

static int read_rows(const char* path, const char* text, size_t n, Row** rows_out, int64_t* n_rows,
                     char* err) {
    const char *p = text, *end = text + n, *le = NULL;
    if (n >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) {
        p += 3; // a UTF-8 byte-order mark, as spreadsheets write one
    }
    const char* line = next_line(&p, end, &le);
    if (!line) {
        return mrl_fail(err, MRL_EFORMAT, "%s:1:1: error: empty file, not an eval CSV", path);
    }
    // the header: where each column is
    int where[C_N];
    for (int c = 0; c < C_N; c++) {
        where[c] = -1;
    }
    int n_cols = 0;
    for (const char* s = line;; n_cols++) {
        const char* e = memchr(s, ',', (size_t)(le - s));
        if (!e) {
            e = le;
        }
        for (int c = 0; c < C_N; c++) {
            if ((size_t)(e - s) == strlen(col_names[c]) &&
                !memcmp(s, col_names[c], (size_t)(e - s))) {
                if (where[c] >= 0) {
                    return mrl_fail(err, MRL_EFORMAT, "%s:1:%d: error: column '%s' twice", path,
                                    (int)(s - line) + 1, col_names[c]);
                }
                where[c] = n_cols;
            }
        }
        if (e == le) {
            n_cols++;
            break;
        }
        s = e + 1;
    }
    for (int c = 0; c < C_N; c++) {
        if (where[c] < 0) {
            return mrl_fail(err, MRL_EFORMAT,
                            "%s:1:1: error: no column '%s' in the header: not an eval CSV "
                            "(metarl eval writes eval/<set>.csv)",
                            path, col_names[c]);
        }
    }
    // at most one row per remaining line
    int64_t cap = 0;
    for (const char* q = p; q < end; q++) {
        cap += *q == '\n';
    }
    cap++;
    Row* rows = calloc((size_t)cap, sizeof *rows);
    if (!rows) {
        return mrl_fail(err, MRL_ENOMEM, "%s: error: out of memory", path);
    }
    int64_t k = 0, lineno = 1;
    while ((line = next_line(&p, end, &le)) != NULL) {
        lineno++;
        if (le == line) {
            continue; // a blank line (the last newline)
        }
        Row* row = &rows[k];
        row->line = lineno;
        int col = 0;
        for (const char* s = line;; col++) {
            const char* e = memchr(s, ',', (size_t)(le - s));
            if (!e) {
                e = le;
            }
            for (int c = 0; c < C_N; c++) {
                if (where[c] == col && parse_field(c, s, e, row) != 0) {
                    free(rows);
                    return mrl_fail(err, MRL_EFORMAT, "%s:%lld:%d: error: bad %s '%.*s'", path,
                                    (long long)lineno, (int)(s - line) + 1, col_names[c],
                                    (int)(e - s > 40 ? 40 : e - s), s);
                }
            }
            if (e == le) {
                break;
            }
            s = e + 1;
        }
        if (col + 1 != n_cols) {
            free(rows);
            return mrl_fail(err, MRL_EFORMAT, "%s:%lld:1: error: %d fields, the header has %d",
                            path, (long long)lineno, col + 1, n_cols);
        }
        k++;
    }
    if (k == 0) {
        free(rows);
        return mrl_fail(err, MRL_EFORMAT, "%s:2:1: error: no episodes after the header", path);
    }
    *rows_out = rows;
    *n_rows = k;
    return MRL_OK;
}

int mrl_eval_read_csv(MrlEvalSet* out, const char* path, const char* name, char* err) {
    memset(out, 0, sizeof *out);
    char* text = NULL;
    size_t n = 0;
    int rc = mrl_file_read(path, &text, &n, err);
    if (rc != MRL_OK) {
        return rc;
    }
    Row* rows = NULL;
    int64_t n_rows = 0;
    rc = read_rows(path, text, n, &rows, &n_rows, err);
    free(text);
    if (rc != MRL_OK) {
        return rc;
    }
    // the grid: tasks × trials × episodes, each cell once
    int64_t tasks = 0, trials = 0, episodes = 0, horizon = 0;
    for (int64_t i = 0; i < n_rows; i++) {
        tasks = rows[i].task + 1 > tasks ? rows[i].task + 1 : tasks;
        trials = rows[i].trial + 1 > trials ? rows[i].trial + 1 : trials;
        episodes = rows[i].episode > episodes ? rows[i].episode : episodes;
        horizon = rows[i].r.length > horizon ? rows[i].r.length : horizon;
    }
    // every cell of the grid holds one row (the product in double: it may not fit int64_t)
    double cells = (double)tasks * (double)trials * (double)episodes;
    if (cells != (double)n_rows) {
        free(rows);
        return mrl_fail(err, MRL_EFORMAT,
                        "%s: error: %lld episode rows, but tasks %lld × trials %lld × episodes "
                        "%lld make %.0f: some trial or episode is missing or extra",
                        path, (long long)n_rows, (long long)tasks, (long long)trials,
                        (long long)episodes, cells);
    }
    MrlEpisodeResult* grid = malloc((size_t)n_rows * sizeof *grid);
    int64_t* line_of = malloc((size_t)n_rows * sizeof *line_of); // each cell's line
    if (!grid || !line_of) {
        free(grid);
        free(line_of);
        free(rows);
        return mrl_fail(err, MRL_ENOMEM, "%s: error: out of memory", path);
    }
    for (int64_t i = 0; i < n_rows; i++) {
        grid[i].episode = -1; // not yet filled
    }
    for (int64_t i = 0; i < n_rows; i++) {
        const Row* r = &rows[i];
        int64_t trial = r->task * trials + r->trial;
        int64_t cell = trial * episodes + (r->episode - 1);
        if (grid[cell].episode >= 0) {
            rc = mrl_fail(err, MRL_EFORMAT,
                          "%s:%lld:1: error: task %lld, trial %lld, episode %lld again", path,
                          (long long)r->line, (long long)r->task, (long long)r->trial,
                          (long long)r->episode);
            break;
        }
        grid[cell] = r->r;
        line_of[cell] = r->line;
        grid[cell].trial_id = trial;
        grid[cell].episode = (int32_t)(r->episode - 1);
    }
    // one task per trial: every episode with the fingerprint of the first
    for (int64_t i = 0; rc == MRL_OK && i < n_rows; i++) {
        if (grid[i].fingerprint != grid[i - i % episodes].fingerprint) {
            rc = mrl_fail(err, MRL_EFORMAT,
                          "%s:%lld:1: error: task %lld, trial %lld: episode %lld has fingerprint "
                          "%016llx, episode 1 %016llx",
                          path, (long long)line_of[i], (long long)(grid[i].trial_id / trials),
                          (long long)(grid[i].trial_id % trials), (long long)(i % episodes) + 1,
                          (unsigned long long)grid[i].fingerprint,
                          (unsigned long long)grid[i - i % episodes].fingerprint);
        }
    }
    free(rows);
    free(line_of);
    if (rc != MRL_OK) {
        free(grid);
        return rc;
    }
    snprintf(out->name, sizeof out->name, "%s", name);
    out->episodes = (int32_t)episodes;
    out->trials_per_task = (int32_t)trials;
    out->n_tasks = tasks;
    out->n_trials = tasks * trials;
    out->horizon = horizon;
    out->rows = grid;
    return MRL_OK;
}

// ---- comparing two sets ----

// what row `what` of the comparison counts of one episode: 0 its return, 1 its steps as
// eval's table counts them, a failed episode as the horizon (a quick failure is no gain),
// 2 its success. The CSV does not hold the horizon: it is the longest episode of the two
// CSVs, one for both sides, which is eval's whenever some episode ran to the horizon
enum { TRIAL_RETURN = 3 }; // `what` for the whole trial's return

static double episode_value(int64_t horizon, const MrlEpisodeResult* r, int what) {
    if (what == 0) {
        return r->ret;
    }
    if (what == 1) {
        return r->success ? (double)r->length : (double)horizon;
    }
    return r->success;
}

// xa[i], xb[i]: each side's mean over task i's trials of what `what` counts of episode k
// (of the whole trial for TRIAL_RETURN)
static void task_means(double* xa, double* xb, const MrlEvalSet* a, const MrlEvalSet* b,
                       int64_t horizon, int what, size_t k) {
    const size_t n = (size_t)a->n_tasks, R = (size_t)a->trials_per_task, K = (size_t)a->episodes;
    size_t lo = what == TRIAL_RETURN ? 0 : k, hi = what == TRIAL_RETURN ? K : k + 1;
    int w = what == TRIAL_RETURN ? 0 : what;
    for (size_t i = 0; i < n; i++) {
        xa[i] = xb[i] = 0.0;
        for (size_t t = i * R; t < (i + 1) * R; t++) {
            for (size_t e = lo; e < hi; e++) {
                xa[i] += episode_value(horizon, &a->rows[t * K + e], w);
                xb[i] += episode_value(horizon, &b->rows[t * K + e], w);
            }
        }
        xa[i] /= (double)R;
        xb[i] /= (double)R;
    }
}

int mrl_compare_sets(MrlCompareSet* out, const MrlEvalSet* a, const char* a_path,
                     const MrlEvalSet* b, const char* b_path, double* scratch, char* err) {
    memset(out, 0, sizeof *out);
    if (a->episodes != b->episodes || a->n_tasks != b->n_tasks ||
        a->trials_per_task != b->trials_per_task) {
        return mrl_fail(err, MRL_EINVAL,
                        "%s: error: set '%s' has %lld tasks × %d trials × %d episodes there "
                        "but %lld × %d × %d in %s: not the same evaluation",
                        b_path, b->name, (long long)b->n_tasks, (int)b->trials_per_task,
                        (int)b->episodes, (long long)a->n_tasks, (int)a->trials_per_task,
                        (int)a->episodes, a_path);
    }
    const size_t K = (size_t)a->episodes;
    for (int64_t t = 0; t < a->n_trials; t++) {
        uint64_t fa = a->rows[(size_t)t * K].fingerprint, fb = b->rows[(size_t)t * K].fingerprint;
        if (fa != fb) {
            return mrl_fail(err, MRL_EINVAL,
                            "%s: error: set '%s', task %lld, trial %lld is task %016llx there "
                            "but %016llx in %s: not the same tasks (other tasks.test seed or "
                            "config?)",
                            b_path, b->name, (long long)(t / a->trials_per_task),
                            (long long)(t % a->trials_per_task), (unsigned long long)fb,
                            (unsigned long long)fa, a_path);
        }
    }
    snprintf(out->name, sizeof out->name, "%s", a->name);
    out->episodes = a->episodes;
    out->n_tasks = a->n_tasks;
    out->n_trials = a->n_trials;
    out->trials_per_task = a->trials_per_task;
    out->horizon = a->horizon > b->horizon ? a->horizon : b->horizon;
    out->ret = calloc(K, sizeof *out->ret);
    out->steps = calloc(K, sizeof *out->steps);
    out->success = calloc(K, sizeof *out->success);
    if (!out->ret || !out->steps || !out->success) {
        mrl_compare_set_free(out);
        return mrl_fail(err, MRL_ENOMEM, "error: out of memory comparing set '%s'", a->name);
    }
    int early_a, early_b, term_a, term_b;
    mrl_eval_episode_ends(a, &early_a, &term_a);
    mrl_eval_episode_ends(b, &early_b, &term_b);
    out->steps_vary = early_a || early_b || a->horizon != b->horizon; // the shorter side ends early
    out->terminated = term_a || term_b;
    // one pair per task, the mean of its trials on each side: the trials of one task
    // share its B − A effect, so they are not independent pairs; the tasks are (they
    // are the sample of the task distribution the comparison speaks of)
    const size_t n = (size_t)a->n_tasks;
    double *xa = scratch, *xb = scratch + n;
    task_means(xa, xb, a, b, out->horizon, TRIAL_RETURN, 0);
    mrl_paired(&out->trial_return, xa, xb, (int64_t)n);
    for (size_t k = 0; k < K; k++) {
        for (int what = 0; what < 3; what++) {
            task_means(xa, xb, a, b, out->horizon, what, k);
            MrlPaired* dst = what == 0   ? &out->ret[k]
                             : what == 1 ? &out->steps[k]
                                         : &out->success[k];
            mrl_paired(dst, xa, xb, (int64_t)n);
        }
    }
    return MRL_OK;
}

void mrl_compare_set_free(MrlCompareSet* c) {
    free(c->ret);
    free(c->steps);
    free(c->success);
    c->ret = c->steps = c->success = NULL;
}

// ---- output ----

static void md_p(MrlBuf* b, double p) {
    if (isnan(p)) {
        mrl_buf_printf(b, " – |");
    } else if (p < 1e-4) {
        mrl_buf_printf(b, " < 0.0001 |");
    } else {
        mrl_buf_printf(b, " %.4f |", p);
    }
}

// one table row: A, B, B − A (bold when the two-sided p is under 0.05), t, both p-values
static void md_row(MrlBuf* b, const char* label, const MrlPaired* p, double scale) {
    const char* bold = p->p_differ < 0.05 ? "**" : "";
    mrl_buf_printf(b, "| %s | %.2f ± %.2f | %.2f ± %.2f | %s%+.2f ± %.2f%s |", label,
                   p->a.mean * scale, p->a.se * scale, p->b.mean * scale, p->b.se * scale, bold,
                   p->diff.mean * scale, p->diff.se * scale, bold);
    if (isnan(p->t)) {
        mrl_buf_printf(b, " – |");
    } else {
        mrl_buf_printf(b, " %.2f |", p->t);
    }
    md_p(b, p->p_greater);
    md_p(b, p->p_differ);
    mrl_buf_printf(b, "\n");
}

void mrl_compare_md(MrlBuf* b, const MrlCompareSet* sets, int n, const char* a_label,
                    const char* b_label) {
    mrl_buf_printf(b, "# compare: B − A on the same tasks, paired per task\n\n");
    mrl_buf_printf(b, "A: %s  \nB: %s\n", a_label, b_label);
    for (int i = 0; i < n; i++) {
        const MrlCompareSet* s = &sets[i];
        mrl_buf_printf(b, "\n## set %s: %lld trials of %lld tasks, %d episodes each\n\n", s->name,
                       (long long)s->n_trials, (long long)s->n_tasks, (int)s->episodes);
        if (s->trials_per_task > 1) {
            mrl_buf_printf(b,
                           "Each task is one pair: each side's mean over its %d trials (the "
                           "trials of a task share its B − A effect). ",
                           (int)s->trials_per_task);
        }
        if (s->n_tasks > 1) {
            mrl_buf_printf(b, "Paired t-test on the %lld tasks' differences (df %lld)",
                           (long long)s->n_tasks, (long long)(s->n_tasks - 1));
        } else {
            mrl_buf_printf(b, "One task: no test (p from the sign alone)");
        }
        mrl_buf_printf(b,
                       "; where every difference is the same, the exact sign-flip test "
                       "instead (t –). Bold: B − A differs from 0 at p < 0.05 (two-sided), "
                       "each row on its own, not corrected for the table's %d tests.\n\n",
                       1 + s->episodes * (1 + !!s->steps_vary + !!s->terminated));
        mrl_buf_printf(b, "| | A | B | B − A | t | p, B > A | p, B ≠ A |\n"
                          "|---|---|---|---|---|---|---|\n");
        md_row(b, "trial return", &s->trial_return, 1.0);
        for (int32_t k = 0; k < s->episodes; k++) {
            char label[64];
            snprintf(label, sizeof label, "episode %d return", (int)k + 1);
            md_row(b, label, &s->ret[k], 1.0);
        }
        for (int32_t k = 0; s->steps_vary && k < s->episodes; k++) {
            char label[64];
            snprintf(label, sizeof label, "episode %d steps (failure = %lld)", (int)k + 1,
                     (long long)s->horizon);
            md_row(b, label, &s->steps[k], 1.0);
        }
        if (s->terminated) {
            for (int32_t k = 0; k < s->episodes; k++) {
                char label[64];
                snprintf(label, sizeof label, "episode %d success %%", (int)k + 1);
                md_row(b, label, &s->success[k], 100.0);
            }
        }
    }
}

static void json_paired(MrlBuf* b, const char* key, const MrlPaired* p) {
    mrl_buf_printf(b, "\"%s\": {", key);
    mrl_eval_json_stat(b, "a", &p->a);
    mrl_buf_printf(b, ", ");
    mrl_eval_json_stat(b, "b", &p->b);
    mrl_buf_printf(b, ", ");
    mrl_eval_json_stat(b, "diff", &p->diff);
    mrl_buf_printf(b, ", \"t\": ");
    mrl_buf_json_number(b, p->t);
    mrl_buf_printf(b, ", \"df\": ");
    mrl_buf_json_number(b, p->df);
    mrl_buf_printf(b, ", \"p_greater\": ");
    mrl_buf_json_number(b, p->p_greater);
    mrl_buf_printf(b, ", \"p_differ\": ");
    mrl_buf_json_number(b, p->p_differ);
    mrl_buf_printf(b, "}");
}

void mrl_compare_json(MrlBuf* b, const MrlCompareSet* sets, int n, const char* a_label,
                      const char* b_label) {
    mrl_buf_printf(b, "{\n  \"format\": \"metarl-compare-1\",\n  \"a\": ");
    mrl_buf_json_string(b, a_label);
    mrl_buf_printf(b, ",\n  \"b\": ");
    mrl_buf_json_string(b, b_label);
    mrl_buf_printf(b, ",\n  \"sets\": {");
    for (int i = 0; i < n; i++) {
        const MrlCompareSet* s = &sets[i];
        mrl_buf_printf(b, "%s\n    ", i ? "," : "");
        mrl_buf_json_string(b, s->name);
        mrl_buf_printf(
            b,
            ": {\n      \"tasks\": %lld, \"trials\": %lld, \"trials_per_task\": %d, "
            "\"episodes_per_trial\": %d, \"pairs\": \"task\", \"horizon\": %lld,\n      ",
            (long long)s->n_tasks, (long long)s->n_trials, (int)s->trials_per_task,
            (int)s->episodes, (long long)s->horizon);
        json_paired(b, "trial_return", &s->trial_return);
        mrl_buf_printf(b, ",\n      \"episodes\": [");
        for (int32_t k = 0; k < s->episodes; k++) {
            mrl_buf_printf(b, "%s\n        {\"index\": %d, ", k ? "," : "", (int)k + 1);
            json_paired(b, "return", &s->ret[k]);
            mrl_buf_printf(b, ", ");
            json_paired(b, "steps", &s->steps[k]);
            mrl_buf_printf(b, ", ");
            json_paired(b, "success", &s->success[k]);
            mrl_buf_printf(b, "}");
        }
        mrl_buf_printf(b, "\n      ]\n    }");
    }
    mrl_buf_printf(b, "\n  }\n}\n");
}
