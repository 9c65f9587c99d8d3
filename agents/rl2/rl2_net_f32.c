// rl2_net_f32.c — float instantiation of the RL² network template
// (rl2_net.inc): the acting and training hot path. See rl2/rl2_net.h.
#include <stdlib.h>
#include <string.h>

#include "metarl/agent.h"
#include "metarl/pool.h"
#include "metarl/util.h"
#include "nn/nn.h"
#include "rl2/rl2_net.h"

#define R float
#define NN(name) mrl_nn_##name
#define RL(name) mrl_rl2_##name
#define WS MrlRl2Ws

size_t mrl_rl2_ws_bytes_impl(const MrlRl2Net* net, size_t T, size_t B);
size_t mrl_rl2_ws_bytes_impl_f64(const MrlRl2Net* net, size_t T, size_t B);

#include "rl2_net.inc"

size_t mrl_rl2_ws_bytes(const MrlRl2Net* net, size_t T, size_t B, size_t real_size) {
    return real_size == sizeof(double) ? mrl_rl2_ws_bytes_impl_f64(net, T, B)
                                       : mrl_rl2_ws_bytes_impl(net, T, B);
}
