// tasks.c — task sets: per-task parameter draws, task sampling through the
// plugin, fingerprints, and train/test disjointness. See metarl/tasks.h.
// Tested by tests/test_tasks.c.
//
// Task `i` of a set is drawn from the streams
//   params: (set seed, MRL_DOMAIN_PARAMS, hash(set name), i, attempt)
//   task:   (set seed, MRL_DOMAIN_TASK,   hash(set name), i, attempt)
// starting at attempt 0; an attempt whose fingerprint is excluded (a held-out
// task) is redrawn with the next attempt number. So a task depends only on
// (set seed, set name, index) and the exclusion list, never on other tasks.
#include "metarl/tasks.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ATTEMPTS 10000

size_t mrl_taskset_stride(const MrlTaskSet* set) {
    return ((size_t)set->info.task_bytes + 63u) & ~(size_t)63u;
}

static uint64_t set_key(const MrlSetSpec* spec) {
    return mrl_hash_bytes(spec->name, strlen(spec->name), 0x7365746e616d65ULL);
}

static double clampd(double x, double lo, double hi) {
    return x < lo ? lo : (x > hi ? hi : x);
}

// one draw of every parameter; constants are copied
static void draw_params(double* out, const MrlSetSpec* spec, const MrlEnvApi* api, MrlRng* rng) {
    for (int32_t p = 0; p < spec->n_params; p++) {
        const MrlParamDist* d = &spec->params[p];
        const MrlParamDef* def = &api->params[p];
        switch (d->dist) {
        case MRL_DIST_UNIFORM:
            out[p] = d->a + (d->b - d->a) * mrl_rng_uniform(rng);
            break;
        case MRL_DIST_INT: {
            uint32_t span = (uint32_t)(d->b - d->a + 1.0);
            out[p] = d->a + (double)mrl_rng_below(rng, span);
            break;
        }
        case MRL_DIST_NORMAL:
            out[p] = clampd(d->a + d->b * mrl_rng_normal(rng), def->lo, def->hi);
            break;
        case MRL_DIST_CHOICE:
            out[p] = d->values[mrl_rng_below(rng, (uint32_t)d->n_values)];
            break;
        default:
            out[p] = d->a;
            break;
        }
    }
}

// the constant (or representative) value of each parameter, used by describe
static void base_params(double* out, const MrlSetSpec* spec) {
    for (int32_t p = 0; p < spec->n_params; p++) {
        const MrlParamDist* d = &spec->params[p];
        switch (d->dist) {
        case MRL_DIST_UNIFORM:
        case MRL_DIST_NORMAL:
            out[p] = d->a;
            break;
        case MRL_DIST_INT:
            out[p] = d->a;
            break;
        case MRL_DIST_CHOICE:
            out[p] = d->values[0];
            break;
        default:
            out[p] = d->a;
            break;
        }
    }
}

static int excluded(const MrlTaskSet* set, uint64_t fp) {
    int64_t lo = 0, hi = set->n_exclude;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (set->exclude[mid] < fp) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < set->n_exclude && set->exclude[lo] == fp;
}

static uint64_t fingerprint(const MrlTaskSet* set, const void* task, const double* params) {
    if (set->api->task_fingerprint) {
        return set->api->task_fingerprint(task, params);
    }
    return mrl_hash_bytes(task, set->info.task_bytes, 0);
}

static int sample_task(const MrlTaskSet* set, int64_t index, void* task, double* params,
                       uint64_t* fp, char* err) {
    const MrlSetSpec* spec = set->spec;
    uint64_t key = set_key(spec);
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        MrlRng prng, trng;
        mrl_rng_derive(&prng, spec->seed, MRL_DOMAIN_PARAMS, key, (uint64_t)index,
                       (uint64_t)attempt);
        mrl_rng_derive(&trng, spec->seed, MRL_DOMAIN_TASK, key, (uint64_t)index,
                       (uint64_t)attempt);
        draw_params(params, spec, set->api, &prng);
        memset(task, 0, set->info.task_bytes);
        char perr[MRL_ERR_MAX] = "";
        int rc = set->api->task_sample(task, params, &trng, perr);
        if (rc != MRL_OK) {
            return mrl_fail(err, rc, "%s: error: task_sample failed for set '%s' task %lld: %s",
                            set->api->name, spec->name, (long long)index,
                            perr[0] ? perr : "no message");
        }
        *fp = fingerprint(set, task, params);
        if (!excluded(set, *fp)) {
            return MRL_OK;
        }
    }
    return mrl_fail(err, MRL_EINVAL,
                    "error: set '%s' task %lld: every one of %d draws was a held-out task (the "
                    "task distribution is too small for disjoint train and test sets)",
                    spec->name, (long long)index, MAX_ATTEMPTS);
}

int mrl_taskset_init(MrlTaskSet* set, const MrlSetSpec* spec, const MrlEnvApi* api,
                     const uint64_t* exclude, int64_t n_exclude, char* err) {
    memset(set, 0, sizeof *set);
    set->spec = spec;
    set->api = api;
    set->n_params = spec->n_params;
    set->exclude = exclude;
    set->n_exclude = exclude ? n_exclude : 0;
    base_params(set->base_params, spec);
    char perr[MRL_ERR_MAX] = "";
    int rc = api->describe(&set->info, set->base_params, perr);
    if (rc != MRL_OK) {
        return mrl_fail(err, rc, "%s: error: invalid parameters for set '%s': %s", api->name,
                        spec->name, perr[0] ? perr : "describe failed");
    }
    if (set->info.task_bytes == 0 || set->info.state_bytes == 0 ||
        set->info.max_episode_steps <= 0) {
        return mrl_fail(err, MRL_EPLUGIN,
                        "%s: error: describe reported zero task_bytes, state_bytes or "
                        "max_episode_steps",
                        api->name);
    }
    set->count = spec->count;
    if (set->count == 0) {
        return MRL_OK; // endless stream: sampled on demand
    }
    size_t tb = mrl_taskset_stride(set);
    set->tasks = aligned_alloc(64, (size_t)set->count * tb);
    if (set->tasks) {
        memset(set->tasks, 0, (size_t)set->count * tb);
    }
    set->params = calloc((size_t)set->count * (size_t)(set->n_params ? set->n_params : 1),
                         sizeof(double));
    set->fingerprints = calloc((size_t)set->count, sizeof(uint64_t));
    if (!set->tasks || !set->params || !set->fingerprints) {
        mrl_taskset_release(set);
        return mrl_fail(err, MRL_ENOMEM, "error: out of memory for %lld tasks of set '%s'",
                        (long long)spec->count, spec->name);
    }
    for (int64_t i = 0; i < set->count; i++) {
        rc = sample_task(set, i, set->tasks + (size_t)i * tb,
                         set->params + (size_t)i * (size_t)set->n_params, &set->fingerprints[i],
                         err);
        if (rc != MRL_OK) {
            mrl_taskset_release(set);
            return rc;
        }
    }
    return MRL_OK;
}

int mrl_taskset_get(const MrlTaskSet* set, int64_t index, void* task, double* params,
                    uint64_t* fp, char* err) {
    if (index < 0 || (set->count > 0 && index >= set->count)) {
        return mrl_fail(err, MRL_EINVAL, "error: task index %lld outside set '%s'",
                        (long long)index, set->spec->name);
    }
    if (set->count > 0) {
        size_t tb = mrl_taskset_stride(set);
        memcpy(task, set->tasks + (size_t)index * tb, (size_t)set->info.task_bytes);
        if (params) {
            memcpy(params, set->params + (size_t)index * (size_t)set->n_params,
                   (size_t)set->n_params * sizeof(double));
        }
        if (fp) {
            *fp = set->fingerprints[index];
        }
        return MRL_OK;
    }
    double tmp[MRL_MAX_PARAMS];
    uint64_t f;
    int rc = sample_task(set, index, task, params ? params : tmp, &f, err);
    if (rc == MRL_OK && fp) {
        *fp = f;
    }
    return rc;
}

static int cmp_u64(const void* a, const void* b) {
    uint64_t x = *(const uint64_t*)a, y = *(const uint64_t*)b;
    return x < y ? -1 : (x > y);
}

int mrl_taskset_collect(const MrlTaskSet* sets, int n_sets, uint64_t** out, int64_t* n,
                        char* err) {
    int64_t total = 0;
    for (int i = 0; i < n_sets; i++) {
        total += sets[i].count;
    }
    *out = NULL;
    *n = 0;
    if (total == 0) {
        return MRL_OK;
    }
    uint64_t* all = malloc((size_t)total * sizeof *all);
    if (!all) {
        return mrl_fail(err, MRL_ENOMEM, "error: out of memory");
    }
    int64_t k = 0;
    for (int i = 0; i < n_sets; i++) {
        memcpy(all + k, sets[i].fingerprints, (size_t)sets[i].count * sizeof *all);
        k += sets[i].count;
    }
    qsort(all, (size_t)total, sizeof *all, cmp_u64);
    *out = all;
    *n = total;
    return MRL_OK;
}

typedef struct FpIndex {
    uint64_t fp;
    int64_t index;
} FpIndex;

static int cmp_fpi(const void* a, const void* b) {
    const FpIndex* x = a;
    const FpIndex* y = b;
    if (x->fp != y->fp) {
        return x->fp < y->fp ? -1 : 1;
    }
    return x->index < y->index ? -1 : (x->index > y->index);
}

int mrl_taskset_check_disjoint(const MrlTaskSet* a, const MrlTaskSet* b, char* err) {
    if (a->count == 0 || b->count == 0) {
        return MRL_OK; // a stream is disjoint by construction (it redraws excluded tasks)
    }
    FpIndex* idx = malloc((size_t)b->count * sizeof *idx);
    if (!idx) {
        return mrl_fail(err, MRL_ENOMEM, "error: out of memory");
    }
    for (int64_t j = 0; j < b->count; j++) {
        idx[j].fp = b->fingerprints[j];
        idx[j].index = j;
    }
    qsort(idx, (size_t)b->count, sizeof *idx, cmp_fpi);
    int rc = MRL_OK;
    for (int64_t i = 0; i < a->count && rc == MRL_OK; i++) {
        int64_t lo = 0, hi = b->count;
        while (lo < hi) {
            int64_t mid = lo + (hi - lo) / 2;
            if (idx[mid].fp < a->fingerprints[i]) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if (lo < b->count && idx[lo].fp == a->fingerprints[i]) {
            rc = mrl_fail(err, MRL_EINVAL,
                          "error: set '%s' task %lld and set '%s' task %lld share fingerprint "
                          "0x%016llx: held-out tasks must never appear in training",
                          a->spec->name, (long long)i, b->spec->name, (long long)idx[lo].index,
                          (unsigned long long)a->fingerprints[i]);
        }
    }
    free(idx);
    return rc;
}

void mrl_taskset_release(MrlTaskSet* set) {
    free(set->tasks);
    free(set->params);
    free(set->fingerprints);
    set->tasks = NULL;
    set->params = NULL;
    set->fingerprints = NULL;
}
