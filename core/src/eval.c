// eval.c — meta-testing over held-out task sets and the result files (see
// metarl/eval.h). Tested by tests/test_eval.c.
#include "metarl/eval.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t mrl_eval_set_id(const char* name) {
    return mrl_hash_bytes(name, strlen(name), 0x6576616c736574ULL);
}

int mrl_eval_set(MrlEvalSet* out, const MrlTaskSet* set, MrlAgent* agent, int32_t episodes,
                 int32_t trials_per_task, int32_t n_slots, int32_t threads, uint64_t seed,
                 char* err) {
    memset(out, 0, sizeof *out);
    if (set->count <= 0) {
        return mrl_fail(err, MRL_EINVAL, "error: set '%s' is an endless stream; evaluation needs "
                        "a fixed count", set->spec->name);
    }
    snprintf(out->name, sizeof out->name, "%s", set->spec->name);
    out->episodes = episodes;
    out->trials_per_task = trials_per_task;
    out->n_tasks = set->count;
    out->n_trials = set->count * trials_per_task;
    out->horizon = set->info.max_episode_steps;
    out->rows = calloc((size_t)out->n_trials * (size_t)episodes, sizeof(MrlEpisodeResult));
    void* task = calloc(1, (size_t)set->info.task_bytes);
    if (!out->rows || !task) {
        free(task);
        mrl_eval_set_free(out);
        return mrl_fail(err, MRL_ENOMEM, "error: out of memory for set '%s'", out->name);
    }
    if ((int64_t)n_slots > out->n_trials) {
        n_slots = (int32_t)out->n_trials;
    }
    MrlTrialSlots ts;
    int rc = mrl_trials_init(&ts, set->api, &set->info, set->base_params, n_slots, threads, err);
    if (rc != MRL_OK) {
        free(task);
        mrl_eval_set_free(out);
        return rc;
    }
    if (agent->begin) {
        rc = agent->begin(agent, n_slots, &set->info, err);
    }
    uint64_t set_id = mrl_eval_set_id(out->name);
    int64_t next = 0;
    // fill every slot, then refill each slot as its trial ends (slot order)
    for (int32_t s = 0; s < n_slots && rc == MRL_OK; s++, next++) {
        uint64_t fp;
        rc = mrl_taskset_get(set, next / trials_per_task, task, NULL, &fp, err);
        if (rc == MRL_OK) {
            rc = mrl_trials_start(&ts, s, task, fp, episodes, seed, set_id, next, err);
        }
    }
    while (rc == MRL_OK && mrl_trials_active(&ts) > 0) {
        rc = agent->act(agent, ts.action, &ts.batch, ts.agent_rng, err);
        if (rc != MRL_OK) {
            break;
        }
        rc = mrl_trials_step(&ts, err);
        for (int32_t s = 0; s < n_slots && rc == MRL_OK; s++) {
            if (ts.ended[s]) {
                const MrlEpisodeResult* r = &ts.last[s];
                out->rows[(size_t)r->trial_id * (size_t)episodes + (size_t)r->episode] = *r;
            }
            if (ts.trial_done[s] && next < out->n_trials) {
                uint64_t fp;
                rc = mrl_taskset_get(set, next / trials_per_task, task, NULL, &fp, err);
                if (rc == MRL_OK) {
                    rc = mrl_trials_start(&ts, s, task, fp, episodes, seed, set_id, next, err);
                }
                next++;
            }
        }
    }
    mrl_trials_release(&ts);
    free(task);
    if (rc != MRL_OK) {
        mrl_eval_set_free(out);
    }
    return rc;
}

// ---- statistics ----

// What one statistic counts of trial `row` (its K episodes), at episode index k; *use = 0
// leaves the trial out (length_success of a failed episode).
typedef double (*TrialValue)(const MrlEvalSet* set, const MrlEpisodeResult* row, int32_t k,
                             int* use);

// sum over task g's trials of (value - center), and how many trials have a value
static double task_sum(const MrlEvalSet* set, int64_t g, int32_t k, TrialValue f, double center,
                       int64_t* n) {
    const int64_t R = set->trials_per_task, K = set->episodes;
    double y = 0.0;
    *n = 0;
    for (int64_t t = g * R; t < (g + 1) * R; t++) {
        int use = 1;
        double v = f(set, &set->rows[t * K], k, &use);
        if (use) {
            y += v - center;
            (*n)++;
        }
    }
    return y;
}

// {mean, se, n} of a value over the set's trials, clustered by task. The R trials of one
// task share it, so they are not independent draws: the units are the tasks (n counts
// those with a value), and the standard error is the cluster-robust one of the pooled
// mean m = sum / N: se^2 = G / (G - 1) * sum_g (y_g - m n_g)^2 / N^2, with y_g and n_g a
// task's sum and count and G the tasks counted. With one trial per task it is the usual
// sample std / sqrt(n). Two passes over the rows: the spread is summed as differences
// from the mean, without the cancellation of a sum of squares minus a squared sum.
static MrlStat task_stat(const MrlEvalSet* set, int32_t k, TrialValue f) {
    double sum = 0.0;
    int64_t N = 0, G = 0, ng = 0;
    for (int64_t g = 0; g < set->n_tasks; g++) {
        sum += task_sum(set, g, k, f, 0.0, &ng);
        N += ng;
        G += ng > 0;
    }
    MrlStat s = {NAN, 0.0, G};
    if (N == 0) {
        return s;
    }
    s.mean = sum / (double)N;
    if (G > 1) {
        double ss = 0.0;
        for (int64_t g = 0; g < set->n_tasks; g++) {
            double y = task_sum(set, g, k, f, s.mean, &ng); // y_g - m n_g
            ss += y * y;
        }
        s.se = sqrt(ss * (double)G / (double)(G - 1)) / (double)N;
    }
    return s;
}

static double strict_length(const MrlEvalSet* set, const MrlEpisodeResult* r) {
    return r->success ? (double)r->length : (double)set->horizon;
}

static double v_length(const MrlEvalSet* set, const MrlEpisodeResult* row, int32_t k, int* use) {
    (void)use;
    return strict_length(set, &row[k]);
}

static double v_length_success(const MrlEvalSet* set, const MrlEpisodeResult* row, int32_t k,
                               int* use) {
    (void)set;
    *use = row[k].success != 0;
    return (double)row[k].length;
}

static double v_return(const MrlEvalSet* set, const MrlEpisodeResult* row, int32_t k, int* use) {
    (void)set;
    (void)use;
    return row[k].ret;
}

static double v_success(const MrlEvalSet* set, const MrlEpisodeResult* row, int32_t k, int* use) {
    (void)set;
    (void)use;
    return row[k].success ? 1.0 : 0.0;
}

static double v_trial_return(const MrlEvalSet* set, const MrlEpisodeResult* row, int32_t k,
                             int* use) {
    (void)k;
    (void)use;
    double sum = 0.0;
    for (int32_t e = 0; e < set->episodes; e++) {
        sum += row[e].ret;
    }
    return sum;
}

static double v_improved(const MrlEvalSet* set, const MrlEpisodeResult* row, int32_t k, int* use) {
    (void)k;
    *use = set->episodes >= 2;
    return *use && strict_length(set, &row[1]) <= strict_length(set, &row[0]) ? 1.0 : 0.0;
}

void mrl_eval_episode_stats(MrlEpisodeStats* out, const MrlEvalSet* set, int32_t k) {
    out->length = task_stat(set, k, v_length);
    out->length_success = task_stat(set, k, v_length_success);
    out->ret = task_stat(set, k, v_return);
    out->success = task_stat(set, k, v_success);
}

void mrl_eval_trial_stats(MrlStat* trial_return, MrlStat* improved, const MrlEvalSet* set) {
    *trial_return = task_stat(set, 0, v_trial_return);
    *improved = task_stat(set, 0, v_improved);
}

// ---- JSON ----

void mrl_eval_json_stat(MrlBuf* b, const char* key, const MrlStat* s) {
    mrl_buf_printf(b, "\"%s\": {\"mean\": ", key);
    mrl_buf_json_number(b, s->mean);
    mrl_buf_printf(b, ", \"se\": ");
    mrl_buf_json_number(b, s->se);
    mrl_buf_printf(b, ", \"n\": %lld}", (long long)s->n);
}

void mrl_eval_summary_json(MrlBuf* b, const MrlEvalSet* set) {
    MrlStat tr, im;
    mrl_eval_trial_stats(&tr, &im, set);
    mrl_buf_printf(b, "{\n      \"tasks\": %lld, \"trials\": %lld, \"episodes_per_trial\": %d, "
                      "\"horizon\": %lld,\n      ",
                   (long long)set->n_tasks, (long long)set->n_trials, (int)set->episodes,
                   (long long)set->horizon);
    mrl_eval_json_stat(b, "trial_return", &tr);
    mrl_buf_printf(b, ",\n      ");
    mrl_eval_json_stat(b, "improved", &im);
    mrl_buf_printf(b, ",\n      \"episodes\": [");
    for (int32_t k = 0; k < set->episodes; k++) {
        MrlEpisodeStats es;
        mrl_eval_episode_stats(&es, set, k);
        mrl_buf_printf(b, "%s\n        {\"index\": %d, ", k ? "," : "", (int)k + 1);
        mrl_eval_json_stat(b, "length", &es.length);
        mrl_buf_printf(b, ", ");
        mrl_eval_json_stat(b, "length_success", &es.length_success);
        mrl_buf_printf(b, ", ");
        mrl_eval_json_stat(b, "return", &es.ret);
        mrl_buf_printf(b, ", ");
        mrl_eval_json_stat(b, "success", &es.success);
        mrl_buf_printf(b, "}");
    }
    mrl_buf_printf(b, "\n      ]\n    }");
}

void mrl_eval_summary_doc(MrlBuf* b, const MrlEvalSet* sets, int n, const char* agent) {
    mrl_buf_printf(b, "{\n  \"format\": \"metarl-summary-1\",\n  \"agent\": ");
    mrl_buf_json_string(b, agent ? agent : "");
    mrl_buf_printf(b, ",\n  \"sets\": {");
    for (int i = 0; i < n; i++) {
        mrl_buf_printf(b, "%s\n    ", i ? "," : "");
        mrl_buf_json_string(b, sets[i].name);
        mrl_buf_printf(b, ": ");
        mrl_eval_summary_json(b, &sets[i]);
    }
    mrl_buf_printf(b, "\n  }\n}\n");
}

// ---- CSV and Markdown ----

void mrl_eval_csv(MrlBuf* b, const MrlEvalSet* set) {
    mrl_buf_printf(b, "task,trial,fingerprint,episode,length,return,success,terminated,truncated\n");
    for (int64_t t = 0; t < set->n_trials; t++) {
        for (int32_t k = 0; k < set->episodes; k++) {
            const MrlEpisodeResult* r = &set->rows[(size_t)t * (size_t)set->episodes + (size_t)k];
            mrl_buf_printf(b, "%lld,%lld,%016llx,%d,%lld,", (long long)(t / set->trials_per_task),
                           (long long)(t % set->trials_per_task),
                           (unsigned long long)r->fingerprint, (int)k + 1, (long long)r->length);
            mrl_buf_json_number(b, r->ret);
            mrl_buf_printf(b, ",%d,%d,%d\n", (int)r->success, (int)r->terminated,
                           (int)r->truncated);
        }
    }
}

static void md_stat(MrlBuf* b, const MrlStat* s, double scale, const char* unit) {
    if (s->n == 0) {
        mrl_buf_printf(b, " – |");
        return;
    }
    mrl_buf_printf(b, " %.2f ± %.2f%s |", s->mean * scale, s->se * scale, unit);
}

// What the episodes of a set say about how they end. *early: some episode ended before the
// horizon (otherwise every one has the horizon's length, bandit pulls or fixed-length MDP
// episodes, and "episode 2 <= episode 1" holds trivially). *terminated: some episode
// terminated (goal reached or failed; otherwise every one was cut at the horizon, every
// length is the horizon and every success rate 0, and the table leaves those columns out).
void mrl_eval_episode_ends(const MrlEvalSet* set, int* early, int* terminated) {
    int64_t n = set->n_trials * (int64_t)set->episodes;
    *early = *terminated = 0;
    for (int64_t i = 0; i < n && !(*early && *terminated); i++) {
        *early |= set->rows[i].length < set->horizon;
        *terminated |= set->rows[i].terminated != 0;
    }
}

void mrl_eval_table_md(MrlBuf* b, const MrlEvalSet* sets, int n, const char* title) {
    if (title && *title) {
        mrl_buf_printf(b, "# %s\n\n", title);
    }
    for (int i = 0; i < n; i++) {
        const MrlEvalSet* set = &sets[i];
        MrlStat tr, im;
        mrl_eval_trial_stats(&tr, &im, set);
        mrl_buf_printf(b, "## set `%s`: %lld tasks × %d trial(s), %d episode(s) per trial, horizon %lld\n\n",
                       set->name, (long long)set->n_tasks, (int)set->trials_per_task,
                       (int)set->episodes, (long long)set->horizon);
        int early, ends;
        mrl_eval_episode_ends(set, &early, &ends);
        if (ends) {
            mrl_buf_printf(b, "| episode | length (success only) | length (failure = horizon) | success | return |\n");
            mrl_buf_printf(b, "|---|---|---|---|---|\n");
        } else {
            mrl_buf_printf(b, "No episode terminated (every one ran to the horizon): lengths and "
                              "success rates are left out.\n\n");
            mrl_buf_printf(b, "| episode | return |\n|---|---|\n");
        }
        for (int32_t k = 0; k < set->episodes; k++) {
            MrlEpisodeStats es;
            mrl_eval_episode_stats(&es, set, k);
            mrl_buf_printf(b, "| %d |", (int)k + 1);
            if (ends) {
                md_stat(b, &es.length_success, 1.0, "");
                md_stat(b, &es.length, 1.0, "");
                md_stat(b, &es.success, 100.0, "%");
            }
            md_stat(b, &es.ret, 1.0, "");
            mrl_buf_printf(b, "\n");
        }
        if (set->trials_per_task > 1) {
            mrl_buf_printf(b,
                           "\nStandard errors over the %lld task%s: a task's %d trials share it "
                           "and count as one unit.\n",
                           (long long)set->n_tasks, set->n_tasks == 1 ? "" : "s",
                           (int)set->trials_per_task);
        }
        mrl_buf_printf(b, "\ntrial return: %.3f ± %.3f (n = %lld)", tr.mean, tr.se, (long long)tr.n);
        if (im.n > 0 && early) {
            mrl_buf_printf(b, "; improved (episode 2 ≤ episode 1): %.1f%% ± %.1f%%", 100.0 * im.mean,
                           100.0 * im.se);
        }
        mrl_buf_printf(b, "\n\n");
    }
}

static int write_buf(const char* dir, const char* file, const MrlBuf* b, char* err) {
    char path[MRL_PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    if (b->failed) {
        return mrl_fail(err, MRL_ENOMEM, "%s: error: out of memory", path);
    }
    return mrl_file_write_atomic(path, b->data ? b->data : "", b->len, err);
}

int mrl_eval_write(const char* dir, const MrlEvalSet* sets, int n, const char* agent,
                   const char* title, char* err) {
    char evdir[MRL_PATH_MAX + 8];
    snprintf(evdir, sizeof evdir, "%s/eval", dir);
    int rc = mrl_mkdirs(evdir, err);
    for (int i = 0; i < n && rc == MRL_OK; i++) {
        MrlBuf b = {0};
        mrl_eval_csv(&b, &sets[i]);
        char file[MRL_NAME_MAX + 16];
        snprintf(file, sizeof file, "%s.csv", sets[i].name);
        rc = write_buf(evdir, file, &b, err);
        mrl_buf_free(&b);
    }
    if (rc == MRL_OK) {
        MrlBuf b = {0};
        mrl_eval_summary_doc(&b, sets, n, agent);
        rc = write_buf(dir, "summary.json", &b, err);
        mrl_buf_free(&b);
    }
    if (rc == MRL_OK) {
        MrlBuf b = {0};
        mrl_eval_table_md(&b, sets, n, title);
        rc = write_buf(dir, "table.md", &b, err);
        mrl_buf_free(&b);
    }
    return rc;
}

void mrl_eval_set_free(MrlEvalSet* set) {
    free(set->rows);
    set->rows = NULL;
}
