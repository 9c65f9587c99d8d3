// rl2/rl2_agent.h — the "rl2" agent: acts with a trained RL² network (from a
// run directory's checkpoint or from a parameter vector), sampling from its
// policy with each slot's agent stream. Hidden state is reset at each slot's
// trial start and carried across the episodes of the trial.
//
//     MrlAgent* a = mrl_rl2_agent_load("results/bandit_k5_n10", &run, 0, err);
//     ... mrl_eval_set(&out, &set, a, ...) ...
//     a->free(a);
#ifndef METARL_RL2_AGENT_H
#define METARL_RL2_AGENT_H

#include <stddef.h>

#include "metarl/agent.h"
#include "metarl/config.h"

// Path of the checkpoint of the run directory `run_dir`: <run_dir>/ckpt/last.ckpt.
void mrl_rl2_checkpoint_path(char* out, size_t out_size, const char* run_dir);

// Creates the agent from <run_dir>/ckpt/last.ckpt for the run config `run`
// (agent.* keys give the network shape; the env's spaces come with `begin`).
// The checkpoint is verified now (magic, version, size, CRC: one line in err
// on failure); its parameter count is checked against the network in begin.
// greedy: 0 samples from the policy, 1 acts on the most likely action (or the Gaussian mean).
MrlAgent* mrl_rl2_agent_load(const char* run_dir, const MrlRunConfig* run, int greedy, char* err);

// Creates the agent from a copy of `params` (n_params floats). greedy: 1 to
// take the most likely action / the mean instead of sampling.
MrlAgent* mrl_rl2_agent_new(const MrlRunConfig* run, const float* params, size_t n_params,
                            int greedy, char* err);

#endif // METARL_RL2_AGENT_H
