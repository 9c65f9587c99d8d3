// metarl/tasks.h — task sets: fixed-count sets and endless streams of tasks
// sampled from a plugin's parameter distribution, with fingerprints.
//
// Disjointness by construction: test sets are built first (fixed count); the
// training set then skips any task whose fingerprint is in a test set (it
// redraws with the next attempt number of the same task index). A later check
// (mrl_taskset_check_disjoint) proves it and names both tasks on a collision.
#ifndef METARL_TASKS_H
#define METARL_TASKS_H

#include <stdint.h>

#include "metarl/config.h"
#include "metarl/plugin.h"

typedef struct MrlTaskSet {
    const MrlSetSpec* spec;  // the configured set (name, kind, count, seed, params)
    const MrlEnvApi* api;    // the plugin
    MrlEnvInfo info;         // spaces and sizes (params marked SHAPE are constant)
    double base_params[MRL_MAX_PARAMS]; // constants; distributions hold their mean/first value
    int32_t n_params;
    int64_t count;           // tasks in a fixed set; 0 for an endless stream
    uint8_t* tasks;          // (count, stride) fixed sets, each task 64-byte aligned
                             // (stride = mrl_taskset_stride); NULL for streams
    double* params;          // (count, n_params) per-task parameter values
    uint64_t* fingerprints;  // (count)
    // exclusion list for streams and the training set (fingerprints of held-out tasks), sorted
    const uint64_t* exclude; // borrowed, sorted ascending
    int64_t n_exclude;
} MrlTaskSet;

// Builds a task set from its spec. Fixed sets sample all tasks now; an
// endless stream samples on demand in mrl_taskset_get. `exclude` (sorted,
// may be NULL) lists fingerprints that must not be drawn. Returns MRL_OK or
// an error with one line in `err`.
int mrl_taskset_init(MrlTaskSet* set, const MrlSetSpec* spec, const MrlEnvApi* api,
                     const uint64_t* exclude, int64_t n_exclude, char* err);

// Writes task `index` (and its parameter vector and fingerprint) into the
// caller's buffers. For fixed sets index < count; for streams any index >= 0
// (deterministic in (seed, index)). `task` has info.task_bytes bytes.
int mrl_taskset_get(const MrlTaskSet* set, int64_t index, void* task, double* params,
                    uint64_t* fingerprint, char* err);

// Collects the fingerprints of fixed sets into a new sorted array (*out, *n).
int mrl_taskset_collect(const MrlTaskSet* sets, int n_sets, uint64_t** out, int64_t* n,
                        char* err);

// Checks that no task of `a` has a fingerprint equal to one of `b`'s (fixed
// sets). On a collision returns MRL_EINVAL naming both tasks
// ("set 'train' task 12 and set 'test' task 407 share fingerprint 0x...").
int mrl_taskset_check_disjoint(const MrlTaskSet* a, const MrlTaskSet* b, char* err);

// Bytes between consecutive tasks in `tasks`: task_bytes rounded up to 64.
size_t mrl_taskset_stride(const MrlTaskSet* set);

void mrl_taskset_release(MrlTaskSet* set);

#endif // METARL_TASKS_H
