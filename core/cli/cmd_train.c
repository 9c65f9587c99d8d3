// cmd_train.c — `metarl train CONFIG [key=value ...] [--fresh]`: meta-trains the
// RL² agent of a config with PPO into results/<run>/ (config.yaml,
// progress.csv, ckpt/last.ckpt, curves.png), resuming from the run
// directory's checkpoint unless --fresh. The training tasks are disjoint from
// every held-out set (test sets are built first and excluded).
// Implementation of the run: agents/ppo/train.c. Tests: tests/test_train.c,
// tests/test_cli_train.c.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "metarl/config_find.h"
#include "metarl/run.h"
#include "metarl/util.h"
#include "nn/nn.h"
#include "ppo/train.h"

const char mrl_cmd_train_usage[] =
    "usage: metarl train CONFIG [key=value ...] [--fresh]\n"
    "\n"
    "Meta-trains the config's agent (agent.kind: rl2) with PPO over whole trials and\n"
    "writes results/<run>/: config.yaml (effective config), progress.csv (one row per\n"
    "iteration), ckpt/last.ckpt, curves.png (when gnuplot is installed).\n"
    "A run directory that has a checkpoint is resumed; the config must be the same.\n"
    "\n"
    "  key=value  override a config key (e.g. train.steps=2000000 seed=3)\n"
    "  --fresh    start over, ignoring an existing checkpoint\n"
    "\n"
    "Then: metarl eval results/<run>   (meta-test on the held-out sets)\n";

// Trains (or resumes, or finds finished) the RL² agent of an opened run into
// its run directory <out>/<name>. Returns MRL_OK or an error with one line.
int mrl_cli_train(const MrlRun* r, int fresh, char* err) {
    const MrlRunConfig* run = &r->cfg->run;
    if (strcmp(run->agent_kind, "rl2") != 0) {
        return mrl_fail(err, MRL_EINVAL,
                        "%s: error: agent.kind is '%s': nothing to train (set agent.kind: rl2)",
                        r->cfg->path, run->agent_kind);
    }
    if (run->temperature != 1.0) { // training samples at 1: the key would only mislabel the run
        char where[MRL_PATH_MAX + 64];
        mrl_config_where(r->cfg, mrl_config_find(r->cfg, "agent.temperature"), where, sizeof where);
        return mrl_fail(err, MRL_EINVAL,
                        "%s: error: agent.temperature = %g is for evaluation only (training "
                        "samples at 1): metarl eval RUN agent.temperature=%g",
                        where, run->temperature, run->temperature);
    }
    char run_dir[MRL_PATH_MAX];
    mrl_run_dir(r, NULL, run_dir, sizeof run_dir);
    MrlBuf text = {0};
    mrl_config_emit(r->cfg, &text);
    printf("metarl train %s: plugin %s, %s %d, BLAS %s, recurrent product %s\n", r->cfg->path,
           r->plugin.api.name, run->cell, (int)run->hidden, mrl_nn_blas_core(),
           mrl_nn_isa_name(mrl_nn_isa_best()));
    MrlTrainJob job = {.run = run,
                       .api = &r->plugin.api,
                       .train_set = &r->train,
                       .config_hash = mrl_config_hash(r->cfg),
                       .config_text = text.data,
                       .run_dir = run_dir,
                       .fresh = fresh,
                       .tty = -1,
                       .plot = 1,
                       .max_iterations = 0,
                       .out = stdout};
    int rc = text.failed ? mrl_fail(err, MRL_ENOMEM, "error: out of memory") : mrl_train_run(&job, err);
    mrl_buf_free(&text);
    return rc;
}

int mrl_cmd_train(int argc, char** argv) {
    const char* path = NULL;
    const char* overrides[256];
    int n_over = 0, fresh = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--fresh") == 0) {
            fresh = 1;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "metarl train: error: unknown option '%s' (see 'metarl help train')\n",
                    argv[i]);
            return MRL_EXIT_BAD_INPUT;
        } else if (strchr(argv[i], '=')) {
            if (n_over == 256) {
                fprintf(stderr, "metarl train: error: more than 256 overrides\n");
                return MRL_EXIT_BAD_INPUT;
            }
            overrides[n_over++] = argv[i];
        } else if (!path) {
            path = argv[i];
        } else {
            fprintf(stderr, "metarl train: error: unexpected argument '%s' (one CONFIG)\n",
                    argv[i]);
            return MRL_EXIT_BAD_INPUT;
        }
    }
    if (!path) {
        fputs(mrl_cmd_train_usage, stderr);
        return MRL_EXIT_BAD_INPUT;
    }
    char err[MRL_MSG_MAX] = "";
    MrlRun r;
    if (mrl_run_open(&r, path, overrides, n_over, err) != MRL_OK) {
        fprintf(stderr, "%s\n", err);
        return MRL_EXIT_BAD_INPUT;
    }
    int rc = mrl_cli_train(&r, fresh, err);
    int code = MRL_EXIT_OK;
    if (rc != MRL_OK) {
        fprintf(stderr, "%s\n", err[0] ? err : "metarl train: error: failed");
        code = rc == MRL_EFORMAT || rc == MRL_EINVAL ? MRL_EXIT_BAD_INPUT : MRL_EXIT_FAILED;
    } else {
        char run_dir[MRL_PATH_MAX];
        mrl_run_dir(&r, NULL, run_dir, sizeof run_dir);
        printf("evaluate: metarl eval %s\n", run_dir);
    }
    mrl_run_close(&r);
    return code;
}
