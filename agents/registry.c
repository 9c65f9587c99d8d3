// registry.c — creates built-in agents by name (the `agent.kind` key and
// `metarl eval --agent NAME`). Add an agent: write its constructor, add a row.
#include <stdio.h>
#include <string.h>

#include "baselines/baselines.h"
#include "metarl/agent.h"
#include "metarl/run.h"
#include "metarl/util.h"
#include "rl2/rl2_agent.h"

MrlAgent* mrl_agent_random_new(char* err);
MrlAgent* mrl_agent_oracle_new(char* err);
MrlAgent* mrl_agent_explorer_new(char* err);

typedef struct AgentRow {
    const char* kind;
    MrlAgent* (*make)(const MrlRunConfig* run, char* err);
} AgentRow;

static MrlAgent* make_random(const MrlRunConfig* run, char* err) {
    (void)run;
    return mrl_agent_random_new(err);
}

static MrlAgent* make_oracle(const MrlRunConfig* run, char* err) {
    (void)run;
    return mrl_agent_oracle_new(err);
}

static MrlAgent* make_explorer(const MrlRunConfig* run, char* err) {
    (void)run;
    return mrl_agent_explorer_new(err);
}

// the trained RL² policy of the run <out_root>/<name> (its ckpt/last.ckpt); `metarl eval
// RUN_DIR` loads RUN_DIR's checkpoint itself instead
static MrlAgent* load_rl2(const MrlRunConfig* run, int greedy, char* err) {
    char dir[MRL_PATH_MAX + MRL_NAME_MAX + 2];
    mrl_run_config_dir(run, NULL, dir, sizeof dir);
    return mrl_rl2_agent_load(dir, run, greedy, err);
}

// sampling from the policy
static MrlAgent* make_rl2(const MrlRunConfig* run, char* err) {
    return load_rl2(run, 0, err);
}

// acting greedily (most likely action / Gaussian mean)
static MrlAgent* make_rl2_greedy(const MrlRunConfig* run, char* err) {
    return load_rl2(run, 1, err);
}

static const AgentRow rows[] = {
    {"random", make_random},
    {"oracle", make_oracle},
    {"explorer", make_explorer}, // maze only: maps in episode 1, shortest known path after
    {"rl2", make_rl2},
    {"rl2_greedy", make_rl2_greedy},
    // classical baselines of the RL² bandit and MDP tables (agents/baselines)
    {"gittins", mrl_agent_gittins_new},
    {"ts", mrl_agent_ts_new},
    {"ots", mrl_agent_ots_new},
    {"ucb1", mrl_agent_ucb1_new},
    {"epsilon_greedy", mrl_agent_epsilon_greedy_new},
    {"greedy", mrl_agent_greedy_new},
    {"psrl", mrl_agent_psrl_new},
    {"opsrl", mrl_agent_opsrl_new},
    {"ucrl2", mrl_agent_ucrl2_new},
    {"beb", mrl_agent_beb_new},
};

const char* const mrl_agent_kinds[] = {
    "random", "oracle", "explorer", "rl2", "rl2_greedy",
    // classical baselines (agents/baselines)
    "gittins", "ts", "ots", "ucb1", "epsilon_greedy", "greedy", "psrl", "opsrl", "ucrl2", "beb",
    NULL};

MrlAgent* mrl_agent_new(const char* kind, const MrlRunConfig* run, char* err) {
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        if (strcmp(rows[i].kind, kind) == 0) {
            return rows[i].make(run, err);
        }
    }
    mrl_fail(err, MRL_EINVAL, "error: unknown agent '%s'", kind);
    return NULL;
}
