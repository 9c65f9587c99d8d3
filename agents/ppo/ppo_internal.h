// ppo/ppo_internal.h — private to agents/ppo: the trainer state that ckpt.c
// serialises. Not for other modules.
#ifndef METARL_PPO_INTERNAL_H
#define METARL_PPO_INTERNAL_H

#include "ppo/ppo.h"

// Points counters[0..3] at {iteration, steps, trials, adam step}, rngs[0..1] at
// {shuffle, task} streams, *params at the (4, P) block params | grad | m | v.
void mrl_ppo_state_io(MrlPpo* p, int64_t** counters, MrlRng** rngs, float** params,
                      size_t* n_params, uint64_t* config_hash);

#endif // METARL_PPO_INTERNAL_H
