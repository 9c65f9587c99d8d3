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
#include "metarl/config.h"
#include "metarl/host.h"
#include "metarl/tasks.h"
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
    mrl_nn_blas_reexec(argc, argv);
    char err[MRL_MSG_MAX] = "";
    int code = MRL_EXIT_BAD_INPUT;
    MrlPlugin pl;
    memset(&pl, 0, sizeof pl);
    MrlTaskSet tests[MRL_MAX_TEST_SETS], train;
    int n_tests = 0, have_train = 0;
    uint64_t* excl = NULL;
    int64_t n_excl = 0;
    MrlBuf text = {0};
    MrlConfig* cfg = mrl_config_load(path, overrides, n_over, err);
    if (!cfg) {
        goto fail;
    }
    const MrlRunConfig* run = &cfg->run;
    if (strcmp(run->agent_kind, "rl2") != 0) {
        snprintf(err, sizeof err,
                 "%s: error: agent.kind is '%s': nothing to train (set agent.kind: rl2)", path,
                 run->agent_kind);
        goto fail;
    }
    if (mrl_plugin_open(&pl, run->plugin, path, err) != MRL_OK) {
        goto fail;
    }
    if (mrl_config_bind_plugin(cfg, &pl.api, err) != MRL_OK) {
        goto fail;
    }
    // held-out sets first; the training tasks exclude their fingerprints
    for (int i = 0; i < run->n_tests; i++) {
        if (mrl_taskset_init(&tests[i], &run->tests[i], &pl.api, NULL, 0, err) != MRL_OK) {
            goto fail;
        }
        n_tests++;
    }
    if (n_tests > 0 && mrl_taskset_collect(tests, n_tests, &excl, &n_excl, err) != MRL_OK) {
        goto fail;
    }
    if (mrl_taskset_init(&train, &run->train, &pl.api, excl, n_excl, err) != MRL_OK) {
        goto fail;
    }
    have_train = 1;
    code = MRL_EXIT_FAILED;
    char run_dir[MRL_PATH_MAX + MRL_NAME_MAX + 2];
    snprintf(run_dir, sizeof run_dir, "%s/%s", run->out_root, run->name);
    mrl_config_emit(cfg, &text);
    printf("metarl train %s: plugin %s, %s %d, BLAS %s\n", path, pl.api.name, run->cell,
           (int)run->hidden, mrl_nn_blas_core());
    MrlTrainJob job = {.run = run,
                       .api = &pl.api,
                       .train_set = &train,
                       .config_hash = mrl_config_hash(cfg),
                       .config_text = text.data,
                       .run_dir = run_dir,
                       .fresh = fresh,
                       .tty = -1,
                       .plot = 1,
                       .max_iterations = 0,
                       .out = stdout};
    int rc = mrl_train_run(&job, err);
    if (rc != MRL_OK) {
        // a refused checkpoint is bad input; anything else is a failed run
        code = rc == MRL_EFORMAT || rc == MRL_EINVAL ? MRL_EXIT_BAD_INPUT : MRL_EXIT_FAILED;
        goto fail;
    }
    printf("evaluate: metarl eval %s\n", run_dir);
    code = MRL_EXIT_OK;
fail:
    if (code != MRL_EXIT_OK) {
        fprintf(stderr, "%s\n", err[0] ? err : "metarl train: error: failed");
    }
    mrl_buf_free(&text);
    if (have_train) {
        mrl_taskset_release(&train);
    }
    for (int i = 0; i < n_tests; i++) {
        mrl_taskset_release(&tests[i]);
    }
    free(excl);
    mrl_plugin_close(&pl);
    mrl_config_free(cfg);
    return code;
}
