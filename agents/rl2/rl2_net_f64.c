// rl2_net_f64.c — double instantiation of the RL² network template
// (rl2_net.inc), for the whole-network gradient check. See rl2/rl2_net.h.
#include <stdlib.h>
#include <string.h>

#include "metarl/agent.h"
#include "metarl/pool.h"
#include "metarl/util.h"
#include "nn/nn.h"
#include "rl2/rl2_net.h"

#define R double
#define NN(name) mrl_nn_##name##_f64
#define RL(name) mrl_rl2_##name##_f64
#define WS MrlRl2Ws64

size_t mrl_rl2_ws_bytes_impl_f64(const MrlRl2Net* net, size_t T, size_t B);

#include "rl2_net.inc"
