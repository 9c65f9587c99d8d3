// cmd_plugins.c — `metarl plugins`: list the plugins on the search path, show
// one plugin's declaration, or run the conformance checker on it.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "metarl/host.h"

const char mrl_plugins_usage[] =
    "usage: metarl plugins                  list the plugins on the search path\n"
    "       metarl plugins NAME|PATH        show a plugin's parameters, spaces, capabilities\n"
    "       metarl plugins --check NAME|PATH  run the conformance checker on a plugin\n"
    "\n"
    "The search path is the build's plugin directory, then the ':'-separated\n"
    "directories of METARL_PLUGIN_PATH. A PATH (containing '/' or ending in .so)\n"
    "is loaded as is.\n"
    "\n"
    "Exit status: 0 ok, 1 conformance failures, 2 bad input (unknown or broken plugin).\n";

int mrl_plugins_check(const char* target); // cmd_conform.c

static void list_one(const char* path, void* ctx) {
    int* n = ctx;
    MrlPlugin pl;
    char err[MRL_MSG_MAX];
    if (mrl_plugin_open(&pl, path, NULL, err) != MRL_OK) {
        printf("  %-14s (broken: %s)\n", "?", err);
        return;
    }
    printf("  %-14s %-8s %s\n", pl.api.name, pl.api.version, pl.api.summary);
    mrl_plugin_close(&pl);
    (*n)++;
}

static const char* kind_name(int32_t k) {
    switch (k) {
    case MRL_PARAM_INT: return "int";
    case MRL_PARAM_REAL: return "real";
    case MRL_PARAM_BOOL: return "bool";
    case MRL_PARAM_CHOICE: return "choice";
    default: return "?";
    }
}

static void print_space(const char* what, const MrlSpace* s) {
    if (s->kind == MRL_SPACE_DISCRETE) {
        printf("  %-12s discrete, %d values\n", what, (int)s->n);
        return;
    }
    printf("  %-12s box (", what);
    for (int i = 0; i < s->ndim; i++) {
        printf("%s%d", i ? ", " : "", (int)s->shape[i]);
    }
    printf(") in [%g, %g]\n", (double)s->low, (double)s->high);
}

static int show(const char* target) {
    MrlPlugin pl;
    char err[MRL_MSG_MAX];
    if (mrl_plugin_open(&pl, target, NULL, err) != MRL_OK) {
        fprintf(stderr, "%s\n", err);
        return MRL_EXIT_BAD_INPUT;
    }
    const MrlEnvApi* api = &pl.api;
    printf("%s %s — %s\n  file: %s\n  ABI %u.%u\n\nparameters:\n", api->name, api->version,
           api->summary, pl.path, (unsigned)api->abi_major, (unsigned)api->abi_minor);
    for (int32_t i = 0; i < api->n_params; i++) {
        const MrlParamDef* p = &api->params[i];
        printf("  %-16s %-6s ", p->name, kind_name(p->kind));
        if (p->kind == MRL_PARAM_CHOICE) {
            printf("default %-8s {", p->choices[(int)p->def]);
            for (int c = 0; p->choices[c]; c++) {
                printf("%s%s", c ? ", " : "", p->choices[c]);
            }
            printf("}");
        } else if (p->kind == MRL_PARAM_BOOL) {
            printf("default %s", p->def != 0 ? "true" : "false");
        } else {
            printf("default %-8g [%g, %g]", p->def, p->lo, p->hi);
        }
        printf("%s\n      %s\n", (p->flags & MRL_PARAM_SHAPE) ? " (shape: constant per set)" : "",
               p->help ? p->help : "");
    }
    double params[MRL_MAX_PARAMS];
    mrl_plugin_defaults(api, params);
    MrlEnvInfo info;
    char perr[MRL_ERR_MAX] = "";
    printf("\nwith default parameters:\n");
    if (api->describe(&info, params, perr) != MRL_OK) {
        printf("  describe failed: %s\n", perr);
    } else {
        print_space("observation", &info.obs);
        print_space("action", &info.action);
        printf("  %-12s %lld steps\n  %-12s %llu bytes per task, %llu bytes per instance\n",
               "horizon", (long long)info.max_episode_steps, "memory",
               (unsigned long long)info.task_bytes, (unsigned long long)info.state_bytes);
    }
    printf("\noptional capabilities:%s%s%s%s\n", api->render_text ? " render_text" : "",
           api->render_rgb ? " render_rgb" : "", api->oracle ? " oracle" : "",
           api->task_fingerprint ? " task_fingerprint" : "");
    mrl_plugin_close(&pl);
    return MRL_EXIT_OK;
}

int mrl_cmd_plugins(int argc, char** argv) {
    const char* check = NULL;
    MrlOpt opts[] = {{"--check", 1, &check}};
    MrlArgs a;
    if (mrl_args_parse(&a, argc, argv, opts, 1) != 0) {
        return MRL_EXIT_BAD_INPUT;
    }
    if (check) {
        return mrl_plugins_check(check);
    }
    if (a.n_pos == 1) {
        return show(a.pos[0]);
    }
    if (a.n_pos > 1) {
        fprintf(stderr, "metarl plugins: error: expected at most one NAME|PATH\n");
        return MRL_EXIT_BAD_INPUT;
    }
    char sp[2048];
    mrl_plugin_search_path(sp, sizeof sp);
    printf("plugins on %s:\n", sp);
    int n = 0;
    mrl_plugin_list(list_one, &n);
    if (n == 0) {
        printf("  (none)\n");
    }
    return MRL_EXIT_OK;
}
