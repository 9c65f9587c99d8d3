// metarl/run.h — everything a command needs before it runs anything: the
// validated config, the loaded plugin bound to it, the held-out task sets and
// the training set (disjoint by construction, checked). All input errors are
// found here, before any file is written.
//
//     MrlRun run;
//     if (mrl_run_open(&run, "configs/x.yaml", overrides, n, err) != MRL_OK) { ... exit 2 }
//     ... run.tests[i], run.train, run.cfg->run ...
//     mrl_run_close(&run);
#ifndef METARL_RUN_H
#define METARL_RUN_H

#include "metarl/config.h"
#include "metarl/host.h"
#include "metarl/tasks.h"

typedef struct MrlRun {
    MrlConfig* cfg;
    MrlPlugin plugin;
    int32_t n_tests;
    MrlTaskSet tests[MRL_MAX_TEST_SETS]; // held-out sets, in config order ("test" first)
    MrlTaskSet train;                    // training set or stream (disjoint from every test set)
    uint64_t* exclude;                   // sorted fingerprints of all held-out tasks
    int64_t n_exclude;
} MrlRun;

// Loads and validates the config, opens and binds the plugin, builds every
// task set and checks that train and test are disjoint and that every set has
// the training set's spaces. On failure returns an error code with one line
// in `err` and leaves `run` closed.
int mrl_run_open(MrlRun* run, const char* config_path, const char* const* overrides,
                 int n_overrides, char* err);

// The run directory: `out` if given, else <run.out_root>/<run.name>.
void mrl_run_dir(const MrlRun* run, const char* out, char* dir, size_t dir_size);

// The same from a run config alone.
void mrl_run_config_dir(const MrlRunConfig* run, const char* out, char* dir, size_t dir_size);

// Writes config.yaml (the effective config) into `dir` (created if missing).
int mrl_run_write_config(const MrlRun* run, const char* dir, char* err);

void mrl_run_close(MrlRun* run);

#endif // METARL_RUN_H
