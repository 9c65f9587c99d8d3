// cmd_check.c — `metarl check`: validate a config without running anything.
#include <stdio.h>

#include "args.h"
#include "cli.h"
#include "metarl/run.h"

const char mrl_check_usage[] =
    "usage: metarl check CONFIG [key=value ...]\n"
    "       metarl check --schema\n"
    "\n"
    "Validates CONFIG: YAML syntax, every core key, the plugin's declared\n"
    "parameters, the task sets (sampled, fingerprinted, train/test disjoint),\n"
    "and prints what would run. Writes nothing. --schema prints the reference of\n"
    "every core key as Markdown (docs/config.md is generated from it).\n"
    "\n"
    "Exit status: 0 valid, 2 invalid (one line: path:line:col: error: ...).\n";

static void print_set(const MrlTaskSet* s) {
    printf("  set %-10s %s%lld tasks (seed %llu), %d episode(s) per trial, horizon %lld, "
           "fingerprints checked\n",
           s->spec->name, s->count ? "" : "endless stream, ", (long long)s->count,
           (unsigned long long)s->spec->seed, (int)s->spec->episodes,
           (long long)s->info.max_episode_steps);
}

int mrl_cmd_check(int argc, char** argv) {
    const char* schema = NULL;
    MrlOpt opts[] = {{"--schema", 0, &schema}};
    MrlArgs a;
    if (mrl_args_parse(&a, argc, argv, opts, 1) != 0) {
        return MRL_EXIT_BAD_INPUT;
    }
    if (schema) {
        MrlBuf b = {0};
        mrl_config_schema_markdown(&b);
        fputs(b.data ? b.data : "", stdout);
        mrl_buf_free(&b);
        return MRL_EXIT_OK;
    }
    if (a.n_pos != 1) {
        fprintf(stderr, "metarl check: error: expected one CONFIG (see 'metarl help check')\n");
        return MRL_EXIT_BAD_INPUT;
    }
    char err[MRL_MSG_MAX];
    MrlRun run;
    if (mrl_run_open(&run, a.pos[0], a.overrides, a.n_overrides, err) != MRL_OK) {
        fprintf(stderr, "%s\n", err);
        return MRL_EXIT_BAD_INPUT;
    }
    const MrlEnvInfo* info = &run.train.info;
    printf("%s: ok\n", a.pos[0]);
    printf("  plugin %s %s (%s)\n", run.plugin.api.name, run.plugin.api.version, run.plugin.path);
    printf("  observation %s of %d, action %s of %d\n",
           info->obs.kind == MRL_SPACE_DISCRETE ? "discrete" : "box", (int)info->obs.n,
           info->action.kind == MRL_SPACE_DISCRETE ? "discrete" : "box", (int)info->action.n);
    print_set(&run.train);
    for (int32_t i = 0; i < run.n_tests; i++) {
        print_set(&run.tests[i]);
    }
    printf("  agent %s, seed %llu, threads %d\n", run.cfg->run.agent_kind,
           (unsigned long long)run.cfg->run.seed, (int)run.cfg->run.threads);
    mrl_run_close(&run);
    return MRL_EXIT_OK;
}
