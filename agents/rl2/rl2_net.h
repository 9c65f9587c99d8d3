// rl2/rl2_net.h — the RL² network: per-step input = encoded observation ++
// previous action ++ previous reward ++ episode-start flag (++ the trial
// clock, optional), a GRU or LSTM,
// optional layer norm, an optional ReLU layer, then a policy head (categorical logits or Gaussian
// mean with a state-independent log-std) and a value head. The part from the step input to the
// heads is the trunk; with sep_value the value head has a trunk of its own.
//
// Parameters live in one contiguous buffer carved from one size table (the
// MRL_RL2_PARAMS X-macro below); the gradient buffer and the Adam moments
// use the same layout. Sequences are time-major (T, B, ...): the input
// projection is one GEMM over all T*B rows, only h . W_hh runs per step, and
// the weight gradients are GEMMs over T*B rows.
//
//     MrlRl2Net net;
//     mrl_rl2_net_init(&net, &info, &run, err);            // dims and layout
//     float* p = calloc(net.n_params, sizeof(float));
//     mrl_rl2_net_init_params(&net, p, seed);
//     MrlRl2Ws ws; mrl_rl2_ws_init(&ws, &net, T, B, err); // all scratch, sized once
//     ... fill ws.obs, ws.prev_act, ws.prev_rew, ws.flags, ws.act, ws.h0 ...
//     mrl_rl2_forward(&net, &ws, p, T, B);                  // ws.logp_a, ws.ent, ws.v
//     ... set ws.dlogp_a, ws.dent, ws.dv ...
//     mrl_rl2_backward(&net, &ws, p, grad, T, B);           // grad += dL/dparams
//
// The same functions exist for double (`_f64`, MrlRl2Ws64) for the
// whole-network gradient check (tests/test_rl2.c).
#ifndef METARL_RL2_NET_H
#define METARL_RL2_NET_H

#include <stddef.h>
#include <stdint.h>

#include "metarl/config.h"
#include "metarl/plugin.h"

#define MRL_RL2_ENC_ONEHOT 1 // DISCRETE observations: one-hot of the index
#define MRL_RL2_ENC_VECTOR 2 // BOX observations of rank < 3: tanh(linear) (or raw when embed 0)
#define MRL_RL2_ENC_IMAGE 3  // BOX observations of rank 3 (H, W, C): conv-relu-conv-relu-fc-relu

// Conv encoder shape for images (fixed): two 3x3 stride-2 convolutions.
#define MRL_RL2_CONV1 16
#define MRL_RL2_CONV2 32
#define MRL_RL2_CONV_K 3
#define MRL_RL2_CONV_S 2

// Privileged features per row with agent.critic_oracle (the trainer fills ws.priv): the
// oracle value of the current state and of the episode's first state, each divided by the
// horizon (max_episode_steps).
#define MRL_RL2_PRIV 2

typedef struct MrlRl2Dims {
    int32_t enc;             // MRL_RL2_ENC_*
    int32_t lstm;            // 1: LSTM cell; 0: GRU
    int32_t layer_norm;      // 1: layer norm on h before the heads
    int32_t time_in;         // 1: the trial clock (episode / episodes, step / horizon) is input
    int32_t prev_in;         // 1: the previous observation is input (P more columns)
    int32_t act_discrete;    // 1: categorical head; 0: Gaussian head
    int32_t head_skip;       // 1: the head layer reads [cell output, step input] (Kin = H + I)
    int32_t sep_value;       // 1: the value head reads a trunk of its own (the val_* tensors)
    int32_t crit_in;         // 1: the value trunk's input also holds V privileged features
    size_t O;                // floats per raw observation row
    size_t n_obs;            // ONEHOT: number of observation values
    size_t ih, iw, ic;       // IMAGE: input height, width, channels
    size_t h1, w1;           // IMAGE: after conv1
    size_t h2, w2;           // IMAGE: after conv2
    size_t flat;             // IMAGE: h2 * w2 * CONV2
    size_t E;                // width of the observation features in the step input
    size_t enc_params;       // 1 when the encoder has parameters (VECTOR with embed, IMAGE)
    size_t A;                // policy outputs: number of actions (discrete) or action floats (box)
    size_t Araw;             // floats per raw action row (1 for discrete)
    size_t P;                // previous-observation features: n_obs (one-hot) or O; 0 when off
    size_t I;                // step input width = E + A + 2 (+ 2 with time_in) + P
    size_t M;                // width of the ReLU layer over the step input (0: none)
    size_t Ic;               // width of what enters the cell: M, or I without that layer
    size_t H;                // hidden units
    size_t K;                // width of the ReLU layer between the cell and the heads (0: none)
    size_t Kin;              // width of what enters the head layer: H, or H + I with head_skip
    size_t Hh;               // width of what enters the heads: K, or H without that layer
    size_t V;                // privileged features the value trunk reads (crit_in), else 0
    size_t Iv;               // the value trunk's input width: I + V
    size_t Icv;              // what enters the value trunk's cell: M, or Iv without that layer
    size_t Kinv;             // what enters the value trunk's head layer: H, or H + Iv (head_skip)
    size_t G;                // gate width: 3H (GRU) or 4H (LSTM)
    size_t S;                // floats of recurrent state per sequence: H, or 2H with sep_value
                             // (the policy trunk's H first, then the value trunk's)
    float act_low, act_high; // box action bounds (for clipping what the env receives)
} MrlRl2Dims;

// The parameter table: X(name, n_floats). Sizes are 0 for parts a
// configuration does not use. Shapes (row-major):
#define MRL_RL2_PARAMS(X, d)                                                                       \
    X(enc_w, (d)->enc == MRL_RL2_ENC_VECTOR && (d)->enc_params ? (d)->E * (d)->O : 0) /* (E,O) */  \
    X(enc_b, (d)->enc == MRL_RL2_ENC_VECTOR && (d)->enc_params ? (d)->E : 0)                       \
    X(c1_w, (d)->enc == MRL_RL2_ENC_IMAGE ? MRL_RL2_CONV1 * 9 * (d)->ic : 0) /* (16,3,3,C) */      \
    X(c1_b, (d)->enc == MRL_RL2_ENC_IMAGE ? MRL_RL2_CONV1 : 0)                                     \
    X(c2_w,                                                                                        \
      (d)->enc == MRL_RL2_ENC_IMAGE ? MRL_RL2_CONV2 * 9 * MRL_RL2_CONV1 : 0) /* (32,3,3,16) */     \
    X(c2_b, (d)->enc == MRL_RL2_ENC_IMAGE ? MRL_RL2_CONV2 : 0)                                     \
    X(fc_w, (d)->enc == MRL_RL2_ENC_IMAGE ? (d)->E * (d)->flat : 0) /* (E, flat) */                \
    X(fc_b, (d)->enc == MRL_RL2_ENC_IMAGE ? (d)->E : 0)                                            \
    X(in_w, (d)->M*(d)->I)                     /* (M, I) input layer */                            \
    X(in_b, (d)->M)                            /* (M) */                                           \
    X(w_ih, (d)->G*(d)->Ic)                    /* (G, Ic) */                                       \
    X(b_ih, (d)->G)                            /* (G) */                                           \
    X(w_hh, (d)->G*(d)->H)                     /* (G, H) */                                        \
    X(b_hh, (d)->lstm ? 0 : (d)->G)            /* (3H) GRU only */                                 \
    X(ln_g, (d)->layer_norm ? (d)->H : 0)      /* (H) */                                           \
    X(ln_b, (d)->layer_norm ? (d)->H : 0)      /* (H) */                                           \
    X(hd_w, (d)->K*(d)->Kin)                   /* (K, Kin) head layer */                           \
    X(hd_b, (d)->K)                            /* (K) */                                           \
    X(pi_w, (d)->A*(d)->Hh)                    /* (A, Hh) */                                       \
    X(pi_b, (d)->A)                            /* (A) */                                           \
    X(log_std, (d)->act_discrete ? 0 : (d)->A) /* (A) Gaussian only */                             \
    X(v_w, (d)->Hh)                            /* (1, Hh) */                                       \
    X(v_b, 1)                                  /* (1) */                                           \
    MRL_RL2_VALUE_TRUNK(X, d)

// With sep_value the value head reads a trunk of its own, the same shapes as the policy's
// input layer, cell, layer norm and head layer (the observation encoder and the step input
// are shared); appended, so that a shared-trunk layout is unchanged. With crit_in its input
// is the step input followed by the V privileged features (Iv = I + V columns).
#define MRL_RL2_VALUE_TRUNK(X, d)                                                                  \
    X(val_in_w, (d)->sep_value ? (d)->M*(d)->Iv : 0)                                               \
    X(val_in_b, (d)->sep_value ? (d)->M : 0)                                                       \
    X(val_w_ih, (d)->sep_value ? (d)->G*(d)->Icv : 0)                                              \
    X(val_b_ih, (d)->sep_value ? (d)->G : 0)                                                       \
    X(val_w_hh, (d)->sep_value ? (d)->G*(d)->H : 0)                                                \
    X(val_b_hh, (d)->sep_value && !(d)->lstm ? (d)->G : 0)                                         \
    X(val_ln_g, (d)->sep_value && (d)->layer_norm ? (d)->H : 0)                                    \
    X(val_ln_b, (d)->sep_value && (d)->layer_norm ? (d)->H : 0)                                    \
    X(val_hd_w, (d)->sep_value ? (d)->K*(d)->Kinv : 0)                                             \
    X(val_hd_b, (d)->sep_value ? (d)->K : 0)

typedef struct MrlRl2Layout {
#define MRL_RL2_FIELD(name, size) size_t name;
    MRL_RL2_PARAMS(MRL_RL2_FIELD, (const MrlRl2Dims*)0)
#undef MRL_RL2_FIELD
} MrlRl2Layout;

typedef struct MrlRl2Net {
    MrlRl2Dims d;
    MrlRl2Layout off;  // offset of each tensor in the parameter buffer
    MrlRl2Layout size; // number of floats of each tensor
    size_t n_params;   // total floats
} MrlRl2Net;

// Scratch and activations for sequences of up to T x B rows (one type R).
// Inputs (filled by the caller, time-major):
//   obs (T, B, O), prev_act (T, B, Araw), prev_rew (T, B), flags (T, B) MRL_SLOT_* bits,
//   clock (T, B, 2) when d.time_in, prev_obs (T, B, O) when d.prev_in (read only where the
//   row is not a trial start), priv (T, B, V) when d.crit_in (read by the value trunk only),
//   act (T, B, Araw) the actions taken (for log-probabilities), h0, c0 (B, S): the state of
//   the policy trunk, then (sep_value) the value trunk's.
// Outputs of forward: logp (T, B, A) log-softmax (discrete) or mean (box),
//   logp_a (T, B), ent (T, B), v (T, B), h_all (T+1, B, H) (and val_h_all with sep_value;
//   mrl_rl2_state_out gathers a row's whole state).
// Inputs of backward: dlogp_a, dent, dv (T, B).
// nt NULL (after init): every step holds B rows, row (t, b) at t * B + b. Set by the caller
// to T counts (nt[0] = B, non-increasing) for packed sequences of unequal lengths, sorted
// longest first: step t holds its first nt[t] rows, row (t, b) at nt[0] + ... + nt[t-1] + b,
// every (T, B) array above holds just those rows, and h_all (B + rows, H) has h0 first.
#define MRL_RL2_WS_FIELDS(R)                                                                       \
    size_t T_max, B_max;                                                                           \
    const uint32_t* nt;                                                                            \
    int no_value; /* set by an acting-only caller: forward leaves v (and a value trunk) alone */   \
    int keep_packed;   /* set by a caller whose parameters stay put between forwards (acting, B \
                          fixed): each trunk packs its W_hh once, until rnn_packed is cleared */ \
    int rnn_packed[2]; /* the policy and value trunks' W_hh are packed in their rnn_ws */ \
    float* obs;                                                                                    \
    float* prev_act;                                                                               \
    float* prev_rew;                                                                               \
    float* clock;    /* (TB, 2) trial clock (mrl_step_clock); time_in only */                      \
    float* prev_obs; /* (TB, O) observation of the previous step; prev_in only */                  \
    float* priv;     /* (TB, V) privileged features for the value trunk; crit_in only */           \
    int32_t* flags;                                                                                \
    float* act;                                                                                    \
    R* h0;                                                                                         \
    R* c0;                                                                                         \
    R* x;       /* (TB, I) step inputs */                                                          \
    R* xv;      /* (TB, Iv) the value trunk's input [x, priv]; crit_in only */                     \
    R* obsr;    /* (TB, O) observations as R */                                                    \
    R* enc;     /* (TB, E) encoder output (VECTOR/IMAGE with parameters) */                        \
    R* a1;      /* (TB, h1*w1*16) conv1 output */                                                  \
    R* a2;      /* (TB, flat) conv2 output */                                                      \
    R* col;     /* conv scratch */                                                                 \
    R* dcol;    /* conv scratch */                                                                 \
    R* u;       /* (TB, M) input layer output */                                                   \
    R* du;      /* (TB, M) */                                                                      \
    R* xproj;   /* (TB, G) */                                                                      \
    R* h_all;   /* (T+1, B, H) */                                                                  \
    R* c_all;   /* (T+1, B, H) LSTM */                                                             \
    R* gates;   /* (TB, 4H) */                                                                     \
    R* tc;      /* (TB, H) LSTM */                                                                 \
    R* rnn_ws;  /* (B, 4H) + packed W_hh: forward scratch */                                       \
    R* y;       /* (TB, H) cell output after layer norm (or h) */                                  \
    R* q;       /* (TB, K) head layer output */                                                    \
    R* dq;      /* (TB, K) */                                                                      \
    R* yx;      /* (TB, H + I) what the head layer reads with head_skip */                         \
    R* dyx;     /* (TB, H + I) */                                                                  \
    R* ln_mean; /* (TB) */                                                                         \
    R* ln_rstd; /* (TB) */                                                                         \
    R* logp;    /* (TB, A) */                                                                      \
    R* logp_a;  /* (TB) */                                                                         \
    R* ent;     /* (TB) */                                                                         \
    R* v;       /* (TB) */                                                                         \
    R* dlogp_a; /* (TB) */                                                                         \
    R* dent;    /* (TB) */                                                                         \
    R* dv;      /* (TB) */                                                                         \
    R* dlogits; /* (TB, A) */                                                                      \
    R* dy;      /* (TB, H) */                                                                      \
    R* dh;      /* (TB, H) */                                                                      \
    R* dxproj;  /* (TB, G) */                                                                      \
    R* dx;      /* (TB, I) */                                                                      \
    R* denc;    /* (TB, E) */                                                                      \
    R* da1;     /* (TB, h1*w1*16) */                                                               \
    R* da2;     /* (TB, flat) */                                                                   \
    R* rnn_bws; /* backward scratch: (TB*4H + 4*B*H) + packed W_hh */                              \
    R* val_u;   /* the value trunk's u, h_all, ... (sep_value only) */                             \
    R* val_h_all;                                                                                  \
    R* val_c_all;                                                                                  \
    R* val_gates;                                                                                  \
    R* val_tc;                                                                                     \
    R* val_y;                                                                                      \
    R* val_q;                                                                                      \
    R* val_yx;                                                                                     \
    R* val_ln_mean;                                                                                \
    R* val_ln_rstd;                                                                                \
    R* val_xproj;  /* the value trunk's own scratch (sep_value only), so that the two trunks */    \
    R* val_rnn_ws; /* can run at once */                                                           \
    R* val_du;                                                                                     \
    R* val_dq;                                                                                     \
    R* val_dy;                                                                                     \
    R* val_dyx;                                                                                    \
    R* val_dh;                                                                                     \
    R* val_dxproj;                                                                                 \
    R* val_rnn_bws;                                                                                \
    R* val_dx; /* its share of dx (TB, Iv; enc_params), added to dx after both trunks */           \
    struct MrlPool*                                                                                \
        pool;     /* set by the caller (not owned): with sep_value, forward and backward */        \
                  /* run the two trunks on two of its threads; NULL runs them one after  */        \
                  /* the other. The bits are the same either way. */                               \
    size_t bytes; /* total bytes allocated */                                                      \
    void* block;  /* the one allocation all pointers point into */

typedef struct MrlRl2Ws {
    MRL_RL2_WS_FIELDS(float)
} MrlRl2Ws;

typedef struct MrlRl2Ws64 {
    MRL_RL2_WS_FIELDS(double)
} MrlRl2Ws64;

// Fills net->d and the layout from the env's spaces and the agent config (run->cell, hidden,
// embed, layer_norm, time_input, prev_obs, input_mlp, head_mlp, head_skip, separate_value,
// critic_oracle).
// Returns MRL_OK or MRL_EINVAL with text.
int mrl_rl2_net_init(MrlRl2Net* net, const MrlEnvInfo* info, const MrlRunConfig* run, char* err);

// Writes initial parameters (uniform fan-in scaling, small policy weights,
// LSTM forget bias 1, layer norm gain 1) drawn from (seed, MRL_DOMAIN_INIT).
void mrl_rl2_net_init_params(const MrlRl2Net* net, float* params, uint64_t seed);

// Bytes of a workspace for T x B (for the memory estimate).
size_t mrl_rl2_ws_bytes(const MrlRl2Net* net, size_t T, size_t B, size_t real_size);

// Allocates a workspace for sequences of up to T x B. Returns MRL_OK or MRL_ENOMEM.
int mrl_rl2_ws_init(MrlRl2Ws* ws, const MrlRl2Net* net, size_t T, size_t B, char* err);
int mrl_rl2_ws_init_f64(MrlRl2Ws64* ws, const MrlRl2Net* net, size_t T, size_t B, char* err);
void mrl_rl2_ws_release(MrlRl2Ws* ws);
void mrl_rl2_ws_release_f64(MrlRl2Ws64* ws);

// Forward over T steps of B sequences starting from ws->h0 (and c0). T <= T_max, B <= B_max.
// Does not allocate. With ws->no_value set it computes the policy only (v, and with
// separate_value the value trunk's state, are left as they were); backward then needs a
// forward without it.
void mrl_rl2_forward(const MrlRl2Net* net, MrlRl2Ws* ws, const float* params, size_t T, size_t B);
void mrl_rl2_forward_f64(const MrlRl2Net* net, MrlRl2Ws64* ws, const double* params, size_t T,
                         size_t B);

// Backward of the last forward: adds dL/dparams into grad given ws->dlogp_a, dent, dv.
void mrl_rl2_backward(const MrlRl2Net* net, MrlRl2Ws* ws, const float* params, float* grad,
                      size_t T, size_t B);
void mrl_rl2_backward_f64(const MrlRl2Net* net, MrlRl2Ws64* ws, const double* params, double* grad,
                          size_t T, size_t B);

// Copies the recurrent state of row `row` of h_all (and c_all; row b < B is h0's, the
// output of packed row i is row B + i) into h (S floats) and c (S floats, LSTM only).
void mrl_rl2_state_out(const MrlRl2Net* net, const MrlRl2Ws* ws, size_t row, float* h, float* c);

// Multiply-adds of one forward step per row (for FLOP accounting).
double mrl_rl2_flops_per_row(const MrlRl2Net* net);

#endif // METARL_RL2_NET_H
