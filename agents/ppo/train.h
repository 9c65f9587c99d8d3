// ppo/train.h — the training run behind `metarl train`: a PPO trainer driven
// to train.steps with a run directory:
//   <run_dir>/config.yaml    the effective config (text given by the caller)
//   <run_dir>/progress.csv   one row per iteration (rewritten atomically each time)
//   <run_dir>/ckpt/last.ckpt the checkpoint (every train.checkpoint_every iterations and at the
//   end) <run_dir>/curves.png     learning curves, when gnuplot is installed
// A run directory with a checkpoint is resumed (progress rows after the
// checkpoint's iteration are dropped and redone) unless `fresh` is set.
// Tests: tests/test_train.c.
#ifndef METARL_TRAIN_H
#define METARL_TRAIN_H

#include <stdio.h>

#include "ppo/ppo.h"

typedef struct MrlTrainJob {
    const MrlRunConfig* run;     // validated run config
    const MrlEnvApi* api;        // the plugin
    const MrlTaskSet* train_set; // training tasks (disjoint from the held-out sets)
    uint64_t config_hash;        // identifies the config in checkpoints
    const char* config_text;     // effective config as YAML (NULL: no config.yaml)
    const char* run_dir;         // output directory (created)
    int fresh;                   // 1: ignore an existing checkpoint and start over
    int tty;                     // 1: one updating line; 0: plain lines; -1: isatty(out)
    int plot;                    // 1: curves.png via gnuplot when installed
    int64_t max_iterations;      // stop after this many iterations of this call (0: no limit)
    FILE* out;                   // progress output (stdout when NULL)
} MrlTrainJob;

// Runs (or resumes) the training. Returns MRL_OK, or an error with one line in err.
int mrl_train_run(const MrlTrainJob* job, char* err);

// The progress.csv header line (without newline).
extern const char mrl_train_csv_header[];

#endif // METARL_TRAIN_H
