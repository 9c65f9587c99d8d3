// run.c — opening a run: config, plugin, task sets, checks (see metarl/run.h).
#include "metarl/run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metarl/config_find.h"

static int same_space(const MrlSpace* a, const MrlSpace* b) {
    if (a->kind != b->kind || a->n != b->n) {
        return 0;
    }
    if (a->kind == MRL_SPACE_BOX) {
        if (a->ndim != b->ndim) {
            return 0;
        }
        for (int i = 0; i < a->ndim; i++) {
            if (a->shape[i] != b->shape[i]) {
                return 0;
            }
        }
    }
    return 1;
}

int mrl_run_open(MrlRun* run, const char* config_path, const char* const* overrides,
                 int n_overrides, char* err) {
    memset(run, 0, sizeof *run);
    run->cfg = mrl_config_load(config_path, overrides, n_overrides, err);
    if (!run->cfg) {
        return MRL_EINVAL;
    }
    MrlConfig* cfg = run->cfg;
    if (cfg->run.train.episodes <= 0) {
        cfg->run.train.episodes = cfg->run.episodes;
    }
    char where[MRL_PATH_MAX + 64];
    const MrlNode* pnode = mrl_config_find(cfg, "env.plugin");
    mrl_config_where(cfg, pnode, where, sizeof where);
    int rc = mrl_plugin_open(&run->plugin, cfg->run.plugin, where, err);
    if (rc != MRL_OK) {
        mrl_run_close(run);
        return rc;
    }
    rc = mrl_config_bind_plugin(cfg, &run->plugin.api, err);
    if (rc != MRL_OK) {
        mrl_run_close(run);
        return rc;
    }
    const MrlEnvApi* api = &run->plugin.api;
    for (int32_t i = 0; i < cfg->run.n_tests && rc == MRL_OK; i++) {
        rc = mrl_taskset_init(&run->tests[i], &cfg->run.tests[i], api, NULL, 0, err);
        if (rc == MRL_OK) {
            run->n_tests = i + 1;
        }
    }
    if (rc == MRL_OK) {
        rc = mrl_taskset_collect(run->tests, run->n_tests, &run->exclude, &run->n_exclude, err);
    }
    if (rc == MRL_OK) {
        rc = mrl_taskset_init(&run->train, &cfg->run.train, api, run->exclude, run->n_exclude,
                              err);
    }
    for (int32_t i = 0; i < run->n_tests && rc == MRL_OK; i++) {
        rc = mrl_taskset_check_disjoint(&run->train, &run->tests[i], err);
        if (rc == MRL_OK && (!same_space(&run->tests[i].info.obs, &run->train.info.obs) ||
                             !same_space(&run->tests[i].info.action, &run->train.info.action))) {
            mrl_config_where(cfg, cfg->run.tests[i].node, where, sizeof where);
            rc = mrl_fail(err, MRL_EINVAL,
                          "%s: error: set '%s' has other observation or action spaces than the "
                          "training set (an agent cannot run on both; keep the parameters that "
                          "set the spaces equal)",
                          where, cfg->run.tests[i].name);
        }
    }
    if (rc != MRL_OK) {
        mrl_run_close(run);
    }
    return rc;
}

void mrl_run_config_dir(const MrlRunConfig* run, const char* out, char* dir, size_t dir_size) {
    if (out && *out) {
        snprintf(dir, dir_size, "%s", out);
    } else {
        snprintf(dir, dir_size, "%s/%s", run->out_root, run->name);
    }
}

void mrl_run_dir(const MrlRun* run, const char* out, char* dir, size_t dir_size) {
    mrl_run_config_dir(&run->cfg->run, out, dir, dir_size);
}

int mrl_run_write_config(const MrlRun* run, const char* dir, char* err) {
    int rc = mrl_mkdirs(dir, err);
    if (rc != MRL_OK) {
        return rc;
    }
    MrlBuf b = {0};
    mrl_config_emit(run->cfg, &b);
    char path[MRL_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/config.yaml", dir);
    rc = b.failed ? mrl_fail(err, MRL_ENOMEM, "%s: error: out of memory", path)
                  : mrl_file_write_atomic(path, b.data ? b.data : "", b.len, err);
    mrl_buf_free(&b);
    return rc;
}

void mrl_run_close(MrlRun* run) {
    for (int32_t i = 0; i < run->n_tests; i++) {
        mrl_taskset_release(&run->tests[i]);
    }
    mrl_taskset_release(&run->train);
    free(run->exclude);
    mrl_plugin_close(&run->plugin);
    mrl_config_free(run->cfg);
    memset(run, 0, sizeof *run);
}
