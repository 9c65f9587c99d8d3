// cmd_eval.c — `metarl eval`: meta-test an agent on every held-out task set
// of a config and write the run directory's eval files.
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "args.h"
#include "cli.h"
#include "metarl/agent.h"
#include "metarl/config_find.h"
#include "metarl/eval.h"
#include "metarl/run.h"
#include "nn/nn.h"
#include "rl2/rl2_agent.h"

const char mrl_eval_usage[] =
    "usage: metarl eval CONFIG|RUN_DIR [--agent NAME] [--out DIR] [--slots N] [--threads N]\n"
    "                   [key=value ...]\n"
    "\n"
    "Meta-tests an agent on every held-out task set of CONFIG (tasks.test and\n"
    "tasks.test_sets.*), each task for eval.trials_per_task trials of the set's\n"
    "episodes, and writes into DIR (default <out>/<name>):\n"
    "  config.yaml       the effective config\n"
    "  eval/<set>.csv    one row per trial and episode\n"
    "  summary.json      per set and episode index: length, length_success, return,\n"
    "                    success as {mean, se, n}; trial_return; improved\n"
    "  table.md          the same as a table (also printed)\n"
    "A RUN_DIR (a directory holding config.yaml) evaluates that run.\n"
    "\n"
    "  --agent NAME   the agent (overrides agent.kind): random, ...\n"
    "  --out DIR      the output directory\n"
    "  --slots N      trials run side by side (eval.slots)\n"
    "  --threads N    worker threads (threads)\n"
    "  key=value      config overrides, e.g. tasks.test.count=100\n"
    "\n"
    "Exit status: 0 done, 1 the run failed, 2 bad input (nothing written).\n";

static int is_dir(const char* p) {
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int mrl_cmd_eval(int argc, char** argv) {
    const char *agent_opt = NULL, *out = NULL, *slots = NULL, *threads = NULL;
    MrlOpt opts[] = {{"--agent", 1, &agent_opt},
                     {"--out", 1, &out},
                     {"--slots", 1, &slots},
                     {"--threads", 1, &threads}};
    MrlArgs a;
    if (mrl_args_parse(&a, argc, argv, opts, 4) != 0) {
        return MRL_EXIT_BAD_INPUT;
    }
    if (a.n_pos != 1) {
        fprintf(stderr, "metarl eval: error: expected one CONFIG or RUN_DIR (see 'metarl help eval')\n");
        return MRL_EXIT_BAD_INPUT;
    }
    char config[MRL_PATH_MAX];
    const char* target = a.pos[0];
    char run_dir_in[MRL_PATH_MAX] = "";
    if (is_dir(target)) {
        snprintf(run_dir_in, sizeof run_dir_in, "%s", target);
        snprintf(config, sizeof config, "%s/config.yaml", target);
    } else {
        snprintf(config, sizeof config, "%s", target);
    }
    if (agent_opt) {
        mrl_args_add_override(&a, "agent.kind", agent_opt);
    }
    if (slots) {
        mrl_args_add_override(&a, "eval.slots", slots);
    }
    if (threads) {
        mrl_args_add_override(&a, "threads", threads);
    }
    char err[MRL_MSG_MAX];
    MrlRun run;
    if (mrl_run_open(&run, config, a.overrides, a.n_overrides, err) != MRL_OK) {
        fprintf(stderr, "%s\n", err);
        return MRL_EXIT_BAD_INPUT;
    }
    const MrlRunConfig* rc_ = &run.cfg->run;
    MrlAgent* agent = NULL;
    int greedy = strcmp(rc_->agent_kind, "rl2_greedy") == 0;
    if (run_dir_in[0] && (greedy || strcmp(rc_->agent_kind, "rl2") == 0)) {
        // the checkpoint of the run directory given, wherever it now is (not the one its
        // config's out/name would name relative to the current directory)
        agent = mrl_rl2_agent_load(run_dir_in, rc_, greedy, err);
        if (!agent) {
            fprintf(stderr, "%s\n", err);
            mrl_run_close(&run);
            return MRL_EXIT_BAD_INPUT;
        }
    } else {
        agent = mrl_agent_new(rc_->agent_kind, rc_, err);
    }
    if (!agent && strncmp(err, "error: unknown agent", 20) != 0) {
        fprintf(stderr, "%s\n", err); // a known agent that could not be created
        mrl_run_close(&run);
        return MRL_EXIT_BAD_INPUT;
    }
    if (!agent) {
        char where[MRL_PATH_MAX + 64];
        mrl_config_where(run.cfg, mrl_config_find(run.cfg, "agent.kind"), where, sizeof where);
        MrlBuf known = {0};
        for (int i = 0; mrl_agent_kinds[i]; i++) {
            mrl_buf_printf(&known, "%s%s", i ? ", " : "", mrl_agent_kinds[i]);
        }
        fprintf(stderr, "%s: error: unknown agent '%s' (known: %s)\n", where, rc_->agent_kind,
                known.data ? known.data : "");
        mrl_buf_free(&known);
        mrl_run_close(&run);
        return MRL_EXIT_BAD_INPUT;
    }
    char dir[MRL_PATH_MAX];
    mrl_run_dir(&run, out ? out : (run_dir_in[0] ? run_dir_in : NULL), dir, sizeof dir);

    MrlEvalSet sets[MRL_MAX_TEST_SETS];
    int n_done = 0, status = MRL_EXIT_OK;
    for (int32_t i = 0; i < run.n_tests; i++) {
        const MrlSetSpec* spec = run.tests[i].spec;
        if (mrl_eval_set(&sets[i], &run.tests[i], agent, spec->episodes, spec->trials_per_task,
                         rc_->eval_slots, rc_->threads, rc_->seed, err) != MRL_OK) {
            fprintf(stderr, "%s\n", err);
            status = MRL_EXIT_FAILED;
            break;
        }
        n_done++;
    }
    if (status == MRL_EXIT_OK) {
        char title[256], label[MRL_NAME_MAX + 48];
        snprintf(label, sizeof label, "%s", rc_->agent_kind);
        if (strcmp(rc_->agent_kind, "rl2") == 0 && rc_->temperature != 1.0) {
            snprintf(label, sizeof label, "rl2 at temperature %g", rc_->temperature);
        }
        snprintf(title, sizeof title, "%s: agent %s", rc_->name, label);
        if (mrl_run_write_config(&run, dir, err) != MRL_OK ||
            mrl_eval_write(dir, sets, n_done, label, title, err) != MRL_OK) {
            fprintf(stderr, "%s\n", err);
            status = MRL_EXIT_FAILED;
        } else {
            MrlBuf b = {0};
            mrl_eval_table_md(&b, sets, n_done, title);
            fputs(b.data ? b.data : "", stdout);
            mrl_buf_free(&b);
            printf("wrote %s/{config.yaml,summary.json,table.md,eval/} (BLAS %s, recurrent "
                   "product %s)\n",
                   dir, mrl_nn_blas_core(), mrl_nn_isa_name(mrl_nn_isa_best()));
        }
    }
    for (int i = 0; i < n_done; i++) {
        mrl_eval_set_free(&sets[i]);
    }
    agent->free(agent);
    mrl_run_close(&run);
    return status;
}
