// internal.h — private to agents/baselines: the tag every baseline agent's `self`
// starts with (so the inspection functions of baselines.h can check what they are
// given) and the constructors the two-mode agents (epsilon_greedy, greedy) use.
#ifndef METARL_AGENTS_BASELINES_INTERNAL_H
#define METARL_AGENTS_BASELINES_INTERNAL_H

#include "baselines/baselines.h"

#define BL_TAG_BANDIT 0x62616e64 // first field of BanditAgent
#define BL_TAG_MDP 0x6d647061    // first field of MdpAgent
#define BL_TAG_DUAL 0x6475616c   // first field of DualAgent

// bandit rules (bandit_agents.c)
#define BL_BANDIT_GITTINS 1
#define BL_BANDIT_TS 2
#define BL_BANDIT_OTS 3
#define BL_BANDIT_UCB1 4
#define BL_BANDIT_EGREEDY 5

// MDP rules (mdp_agents.c)
#define BL_MDP_PSRL 1
#define BL_MDP_OPSRL 2
#define BL_MDP_UCRL2 3
#define BL_MDP_BEB 4
#define BL_MDP_EGREEDY 5

MrlAgent* bl_bandit_new(const char* name, int rule, const MrlRunConfig* run, double epsilon,
                        char* err);
MrlAgent* bl_mdp_new(const char* name, int rule, const MrlRunConfig* run, double epsilon,
                     char* err);

// The agent a two-mode agent currently forwards to (itself for the others).
const MrlAgent* bl_active(const MrlAgent* agent);

#endif // METARL_AGENTS_BASELINES_INTERNAL_H
