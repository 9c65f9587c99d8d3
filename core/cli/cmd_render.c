// cmd_render.c — `metarl render CONFIG`: shows one task of a config's task
// sets as the plugin draws it: the text picture on stdout (and in a .txt),
// the first-person view and the top-down map as PNG files. Optionally
// applies a list of actions first, to look around.
//   metarl render configs/maze_snail.yaml --set large --task 3
//   metarl render configs/maze_snail.yaml --actions 2,2,0,2 --scale 10
// Files: <out>/<set>_<task>.txt, <set>_<task>_first_person.png,
// <set>_<task>_top_down.png; <out> defaults to <out root>/<run name>/render.
// Tested by tests/test_render.c (the command) and tests/test_png.c (the PNG writer).
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "metarl/eval.h"
#include "metarl/png.h"
#include "metarl/run.h"
#include "metarl/util.h"

#define MAX_ACTIONS 100000
#define TEXT_MAX (1 << 20)

const char mrl_render_usage[] =
    "usage: metarl render CONFIG [--set NAME] [--task I] [--actions A,A,...]\n"
    "                     [--scale N] [--out DIR] [key=value ...]\n"
    "\n"
    "Shows task I (default 0) of set NAME (default test; train, test or a\n"
    "tasks.test_sets name) as the plugin draws it: its text view on stdout, and\n"
    "the first-person and top-down views as PNG files in DIR (default\n"
    "<out>/<run name>/render). --actions applies discrete actions after the\n"
    "reset (maze: 0 left, 1 right, 2 forward). --scale enlarges the\n"
    "first-person image N times (default 8). key=value overrides the config.\n"
    "\n"
    "Exit status: 0 success, 1 a failed run, 2 bad input.\n";

// renders `view` into a PNG file (scaled by `scale`); 0 ok, else an exit code
static int save_view(const MrlEnvApi* api, const void* state, const double* params, int32_t view,
                     int scale, const char* path, char* err) {
    int32_t w = 0, h = 0;
    char perr[MRL_ERR_MAX] = "";
    if (api->render_size(&w, &h, params, view, perr) != MRL_OK) {
        return 0; // the plugin does not draw this view
    }
    if (w < 1 || h < 1 || (int64_t)w * scale > 65535 || (int64_t)h * scale > 65535) {
        mrl_fail(err, MRL_EINVAL, "metarl render: error: view %d size %dx%d (scale %d) too large",
                 view, w, h, scale);
        return MRL_EXIT_BAD_INPUT;
    }
    uint8_t* rgb = malloc((size_t)w * (size_t)h * 3);
    uint8_t* big = malloc((size_t)w * scale * (size_t)h * scale * 3);
    int status = MRL_EXIT_FAILED;
    if (!rgb || !big) {
        mrl_fail(err, MRL_ENOMEM, "metarl render: error: out of memory");
        goto done;
    }
    if (api->render_rgb(state, rgb, view, perr) != MRL_OK) {
        mrl_fail(err, MRL_EPLUGIN, "metarl render: error: %s", perr);
        goto done;
    }
    for (int32_t y = 0; y < h * scale; y++) {
        for (int32_t x = 0; x < w * scale; x++) {
            memcpy(big + ((size_t)y * (size_t)(w * scale) + (size_t)x) * 3,
                   rgb + ((size_t)(y / scale) * (size_t)w + (size_t)(x / scale)) * 3, 3);
        }
    }
    if (mrl_png_save(path, big, w * scale, h * scale, err) != MRL_OK) {
        goto done;
    }
    printf("wrote %s (%dx%d)\n", path, w * scale, h * scale);
    status = 0;
done:
    free(rgb);
    free(big);
    return status;
}

// parses "2,2,0" into actions; returns the count or -1
static int parse_actions(const char* s, int* out, int max) {
    int n = 0;
    while (*s) {
        char* end = NULL;
        long v = strtol(s, &end, 10);
        if (end == s || v < 0 || v > 1000000 || n >= max) {
            return -1;
        }
        out[n++] = (int)v;
        s = end;
        if (*s == ',') {
            s++;
            if (!*s) {
                return -1;
            }
        } else if (*s) {
            return -1;
        }
    }
    return n;
}

int mrl_cmd_render(int argc, char** argv) {
    char err[MRL_MSG_MAX] = "";
    const char* set_name = "test";
    const char* out = NULL;
    const char* actions_arg = NULL;
    const char* task_arg = NULL;
    const char* scale_arg = NULL;
    long task_index = 0, scale = 8;
    const MrlOpt opts[] = {
        {"--set", 1, &set_name}, {"--task", 1, &task_arg},       {"--scale", 1, &scale_arg},
        {"--out", 1, &out},      {"--actions", 1, &actions_arg},
    };
    MrlArgs args;
    if (mrl_args_parse(&args, argc, argv, opts, (int)(sizeof opts / sizeof opts[0])) != 0) {
        return MRL_EXIT_BAD_INPUT;
    }
    if (args.n_pos != 1) {
        fprintf(stderr, "metarl render: error: expected one CONFIG (see 'metarl help render')\n");
        return MRL_EXIT_BAD_INPUT;
    }
    const char* config = args.pos[0];
    if (task_arg) {
        if (mrl_args_int(task_arg, 0, LONG_MAX, &task_index) != 0) {
            fprintf(stderr, "metarl render: error: --task wants a task index >= 0\n");
            return MRL_EXIT_BAD_INPUT;
        }
    }
    if (scale_arg) {
        if (mrl_args_int(scale_arg, 1, 64, &scale) != 0) {
            fprintf(stderr, "metarl render: error: --scale wants 1..64\n");
            return MRL_EXIT_BAD_INPUT;
        }
    }

    int status = MRL_EXIT_BAD_INPUT;
    MrlRun run;
    int run_open = 0;
    void* state = NULL;
    void* task = NULL;
    float* obs = NULL;
    float* act = NULL;
    char* text = NULL;
    int* actions = NULL;
    int n_actions = 0;
    int state_inited = 0;

    if (actions_arg) {
        actions = malloc(MAX_ACTIONS * sizeof *actions);
        if (!actions) {
            fprintf(stderr, "metarl render: error: out of memory\n");
            return MRL_EXIT_FAILED;
        }
        n_actions = parse_actions(actions_arg, actions, MAX_ACTIONS);
        if (n_actions < 0) {
            fprintf(stderr,
                    "metarl render: error: --actions wants comma-separated action indices, "
                    "got '%s'\n",
                    actions_arg);
            goto done;
        }
    }

    // the config, the plugin and every task set, as a run would build them
    if (mrl_run_open(&run, config, args.overrides, args.n_overrides, err) != MRL_OK) {
        fprintf(stderr, "%s\n", err);
        goto done;
    }
    run_open = 1;
    const MrlEnvApi* api = &run.plugin.api;
    const MrlTaskSet* set = strcmp(set_name, "train") == 0 ? &run.train : NULL;
    for (int k = 0; k < run.n_tests; k++) {
        if (strcmp(run.tests[k].spec->name, set_name) == 0) {
            set = &run.tests[k];
        }
    }
    if (!set) {
        fprintf(stderr, "metarl render: error: no task set '%s' in %s (sets: train", set_name,
                config);
        for (int k = 0; k < run.n_tests; k++) {
            fprintf(stderr, ", %s", run.tests[k].spec->name);
        }
        fprintf(stderr, ")\n");
        goto done;
    }
    if (set->count > 0 && task_index >= set->count) {
        fprintf(stderr, "metarl render: error: --task %ld: set '%s' has %lld tasks\n", task_index,
                set_name, (long long)set->count);
        goto done;
    }
    const MrlConfig* cfg = run.cfg;

    // one instance of the task, reset as the evaluator would for trial `task_index`
    status = MRL_EXIT_FAILED;
    const MrlEnvInfo* info = &set->info;
    double params[MRL_MAX_PARAMS];
    uint64_t fp = 0;
    char perr[MRL_ERR_MAX] = "";
    state = calloc(1, (size_t)info->state_bytes);
    task = calloc(1, (size_t)info->task_bytes);
    obs = calloc((size_t)mrl_space_floats(&info->obs), sizeof(float));
    act = calloc((size_t)mrl_space_floats(&info->action), sizeof(float));
    text = malloc(TEXT_MAX);
    if (!state || !task || !obs || !act || !text) {
        fprintf(stderr, "metarl render: error: out of memory\n");
        goto done;
    }
    if (mrl_taskset_get(set, task_index, task, params, &fp, err) != MRL_OK) {
        fprintf(stderr, "%s\n", err);
        goto done;
    }
    if (api->init(state, params, perr) != MRL_OK) {
        fprintf(stderr, "metarl render: error: init: %s\n", perr);
        goto done;
    }
    state_inited = 1;
    MrlRng rng;
    mrl_rng_derive(&rng, cfg->run.seed, MRL_DOMAIN_EPISODE, mrl_eval_set_id(set_name),
                   (uint64_t)task_index, 0);
    if (api->reset(state, obs, task, &rng, perr) != MRL_OK) {
        fprintf(stderr, "metarl render: error: reset: %s\n", perr);
        goto done;
    }
    printf("%s: set '%s' task %ld (fingerprint 0x%016llx)\n", config, set_name, task_index,
           (unsigned long long)fp);
    double ret = 0.0;
    for (int i = 0; i < n_actions; i++) {
        if (info->action.kind != MRL_SPACE_DISCRETE || actions[i] >= info->action.n) {
            fprintf(stderr, "metarl render: error: action %d is not in the action space\n",
                    actions[i]);
            status = MRL_EXIT_BAD_INPUT;
            goto done;
        }
        act[0] = (float)actions[i];
        float r;
        int32_t term, trunc;
        if (api->step(state, obs, &r, &term, &trunc, act, &rng, perr) != MRL_OK) {
            fprintf(stderr, "metarl render: error: step %d: %s\n", i + 1, perr);
            goto done;
        }
        ret += r;
        if (term || trunc) {
            printf("episode ended after %d of %d actions (%s), return %.3f\n", i + 1, n_actions,
                   term == MRL_TERM_SUCCESS ? "success"
                   : term                   ? "failure"
                                            : "truncated",
                   ret);
            break;
        }
    }

    char dir[2 * MRL_PATH_MAX], path[2 * MRL_PATH_MAX + 128];
    if (out) {
        snprintf(dir, sizeof dir, "%s", out);
    } else {
        char base[MRL_PATH_MAX + MRL_NAME_MAX + 2];
        mrl_run_dir(&run, NULL, base, sizeof base);
        snprintf(dir, sizeof dir, "%s/render", base);
    }
    if (mrl_mkdirs(dir, err) != MRL_OK) {
        fprintf(stderr, "%s\n", err);
        goto done;
    }
    if (api->render_text) {
        if (api->render_text(state, text, TEXT_MAX, perr) != MRL_OK) {
            fprintf(stderr, "metarl render: error: render_text: %s\n", perr);
            goto done;
        }
        fputs(text, stdout);
        snprintf(path, sizeof path, "%s/%s_%ld.txt", dir, set_name, task_index);
        if (mrl_file_write_atomic(path, text, strlen(text), err) != MRL_OK) {
            fprintf(stderr, "%s\n", err);
            goto done;
        }
    }
    if (api->render_rgb && api->render_size) {
        snprintf(path, sizeof path, "%s/%s_%ld_first_person.png", dir, set_name, task_index);
        int rc = save_view(api, state, params, MRL_VIEW_FIRST_PERSON, (int)scale, path, err);
        if (rc == 0) {
            snprintf(path, sizeof path, "%s/%s_%ld_top_down.png", dir, set_name, task_index);
            rc = save_view(api, state, params, MRL_VIEW_TOP_DOWN, 1, path, err);
        }
        if (rc != 0) {
            fprintf(stderr, "%s\n", err);
            status = rc;
            goto done;
        }
    } else {
        printf("(plugin %s draws no images)\n", api->name);
    }
    status = MRL_EXIT_OK;
done:
    if (state_inited && run.plugin.api.release) {
        run.plugin.api.release(state);
    }
    free(state);
    free(task);
    free(obs);
    free(act);
    free(text);
    free(actions);
    if (run_open) {
        mrl_run_close(&run);
    }
    return status;
}
