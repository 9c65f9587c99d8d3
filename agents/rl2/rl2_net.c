// rl2_net.c — the RL² network's dimensions, parameter layout (from the
// MRL_RL2_PARAMS size table) and initialisation. The forward/backward passes
// are the template rl2_net.inc, compiled for float (rl2_net_f32.c) and double
// (rl2_net_f64.c). See rl2/rl2_net.h; tests in tests/test_rl2.c.
#include "rl2/rl2_net.h"

#include <math.h>
#include <string.h>

#include "metarl/util.h"

int mrl_rl2_net_init(MrlRl2Net* net, const MrlEnvInfo* info, const MrlRunConfig* run, char* err) {
    memset(net, 0, sizeof *net);
    MrlRl2Dims* d = &net->d;
    if (run->cell[0] == '\0' || strcmp(run->cell, "gru") == 0) {
        d->lstm = 0;
    } else if (strcmp(run->cell, "lstm") == 0) {
        d->lstm = 1;
    } else {
        return mrl_fail(err, MRL_EINVAL, "error: agent.cell must be 'gru' or 'lstm', not '%s'",
                        run->cell);
    }
    if (run->hidden < 1 || run->hidden > 4096) {
        return mrl_fail(err, MRL_EINVAL, "error: agent.hidden must be in [1, 4096], not %d",
                        (int)run->hidden);
    }
    if (run->embed < 0 || run->embed > 4096) {
        return mrl_fail(err, MRL_EINVAL, "error: agent.embed must be in [0, 4096], not %d",
                        (int)run->embed);
    }
    d->H = (size_t)run->hidden;
    d->G = (d->lstm ? 4 : 3) * d->H;
    d->layer_norm = run->layer_norm != 0;
    d->time_in = run->time_input != 0;
    const MrlSpace* os = &info->obs;
    if (os->kind == MRL_SPACE_DISCRETE) {
        d->enc = MRL_RL2_ENC_ONEHOT;
        d->O = 1;
        d->n_obs = (size_t)os->n;
        d->E = d->n_obs;
    } else if (os->kind == MRL_SPACE_BOX && os->ndim == 3) {
        d->enc = MRL_RL2_ENC_IMAGE;
        d->O = (size_t)os->n;
        d->ih = (size_t)os->shape[0];
        d->iw = (size_t)os->shape[1];
        d->ic = (size_t)os->shape[2];
        if (d->ih < 7 || d->iw < 7) {
            return mrl_fail(err, MRL_EINVAL,
                            "error: image observations need at least 7x7 pixels (got %zux%zu)",
                            d->ih, d->iw);
        }
        d->h1 = (d->ih - MRL_RL2_CONV_K) / MRL_RL2_CONV_S + 1;
        d->w1 = (d->iw - MRL_RL2_CONV_K) / MRL_RL2_CONV_S + 1;
        d->h2 = (d->h1 - MRL_RL2_CONV_K) / MRL_RL2_CONV_S + 1;
        d->w2 = (d->w1 - MRL_RL2_CONV_K) / MRL_RL2_CONV_S + 1;
        d->flat = d->h2 * d->w2 * MRL_RL2_CONV2;
        d->E = run->embed > 0 ? (size_t)run->embed : 64;
        d->enc_params = 1;
    } else if (os->kind == MRL_SPACE_BOX) {
        d->enc = MRL_RL2_ENC_VECTOR;
        d->O = (size_t)os->n;
        d->enc_params = run->embed > 0;
        d->E = run->embed > 0 ? (size_t)run->embed : d->O;
    } else {
        return mrl_fail(err, MRL_EINVAL, "error: unsupported observation space kind %d",
                        (int)os->kind);
    }
    const MrlSpace* as = &info->action;
    if (as->kind == MRL_SPACE_DISCRETE) {
        d->act_discrete = 1;
        d->A = (size_t)as->n;
        d->Araw = 1;
    } else if (as->kind == MRL_SPACE_BOX) {
        d->act_discrete = 0;
        d->A = (size_t)as->n;
        d->Araw = (size_t)as->n;
        d->act_low = as->low;
        d->act_high = as->high;
    } else {
        return mrl_fail(err, MRL_EINVAL, "error: unsupported action space kind %d", (int)as->kind);
    }
    if (run->prev_obs) {
        d->prev_in = 1;
        if (d->enc == MRL_RL2_ENC_ONEHOT) {
            d->P = d->n_obs;
        } else if (d->enc == MRL_RL2_ENC_VECTOR && !d->enc_params) {
            d->P = d->O;
        } else {
            return mrl_fail(err, MRL_EINVAL,
                            "error: agent.prev_obs needs discrete observations or vector "
                            "observations without agent.embed");
        }
    }
    d->I = d->E + d->A + 2 + (d->time_in ? 2 : 0) + d->P;
    if (run->input_mlp < 0 || run->input_mlp > 4096) {
        return mrl_fail(err, MRL_EINVAL, "error: agent.input_mlp must be in [0, 4096], not %d",
                        (int)run->input_mlp);
    }
    d->M = (size_t)run->input_mlp;
    d->Ic = d->M > 0 ? d->M : d->I;
    if (run->head_mlp < 0 || run->head_mlp > 4096) {
        return mrl_fail(err, MRL_EINVAL, "error: agent.head_mlp must be in [0, 4096], not %d",
                        (int)run->head_mlp);
    }
    d->K = (size_t)run->head_mlp;
    if (run->head_skip && d->K == 0) {
        return mrl_fail(err, MRL_EINVAL, "error: agent.head_skip needs agent.head_mlp > 0");
    }
    d->head_skip = run->head_skip != 0;
    d->Kin = d->H + (d->head_skip ? d->I : 0);
    d->Hh = d->K > 0 ? d->K : d->H;
    d->sep_value = run->separate_value != 0;
    d->S = d->sep_value ? 2 * d->H : d->H;
    if (run->critic_oracle && !d->sep_value) {
        return mrl_fail(err, MRL_EINVAL,
                        "error: agent.critic_oracle needs agent.separate_value: true (the policy "
                        "must not read the oracle)");
    }
    d->crit_in = run->critic_oracle != 0;
    d->V = d->crit_in ? MRL_RL2_PRIV : 0;
    d->Iv = d->I + d->V;
    d->Icv = d->M > 0 ? d->M : d->Iv;
    d->Kinv = d->H + (d->head_skip ? d->Iv : 0);
    size_t total = 0;
#define MRL_RL2_LAYOUT(name, sz)                                                                   \
    net->off.name = total;                                                                         \
    net->size.name = (sz);                                                                         \
    total += net->size.name;
    MRL_RL2_PARAMS(MRL_RL2_LAYOUT, d)
#undef MRL_RL2_LAYOUT
    net->n_params = total;
    return MRL_OK;
}

// uniform in [-s, s)
static void init_uniform(float* p, size_t n, double s, MrlRng* rng) {
    for (size_t i = 0; i < n; i++) {
        p[i] = (float)(s * (2.0 * mrl_rng_uniform(rng) - 1.0));
    }
}

static void init_tensor(const MrlRl2Net* net, float* p, size_t n, const char* name, MrlRng* rng) {
    const MrlRl2Dims* d = &net->d;
    memset(p, 0, n * sizeof(float));
    if (n == 0) {
        return;
    }
    double fan = 0.0, gain = 1.0;
    // the value trunk starts as the policy trunk's shapes do, over its own input width
    size_t I = d->I, Ic = d->Ic, Kin = d->Kin;
    if (strncmp(name, "val_", 4) == 0) {
        name += 4;
        I = d->Iv;
        Ic = d->Icv;
        Kin = d->Kinv;
    }
    if (strcmp(name, "enc_w") == 0) {
        fan = (double)d->O;
    } else if (strcmp(name, "c1_w") == 0) {
        fan = 9.0 * (double)d->ic;
    } else if (strcmp(name, "c2_w") == 0) {
        fan = 9.0 * MRL_RL2_CONV1;
    } else if (strcmp(name, "fc_w") == 0) {
        fan = (double)d->flat;
    } else if (strcmp(name, "in_w") == 0) {
        fan = (double)I;
        gain = sqrt(2.0); // ReLU
    } else if (strcmp(name, "w_ih") == 0) {
        fan = (double)Ic;
    } else if (strcmp(name, "w_hh") == 0) {
        fan = (double)d->H;
    } else if (strcmp(name, "hd_w") == 0) {
        fan = (double)Kin;
        gain = sqrt(2.0); // ReLU
    } else if (strcmp(name, "pi_w") == 0) {
        fan = (double)d->Hh;
        gain = 0.01; // a near-uniform initial policy
    } else if (strcmp(name, "v_w") == 0) {
        fan = (double)d->Hh;
    } else if (strcmp(name, "ln_g") == 0) {
        for (size_t i = 0; i < n; i++) {
            p[i] = 1.0f;
        }
        return;
    } else if (strcmp(name, "b_ih") == 0) {
        // remember by default: the GRU update gate z and the LSTM forget gate start at
        // sigmoid(2) = 0.88 of the old state kept per step (not 0.5), so information survives
        // tens of steps from the first update on; with 0.5 the memory of a 100-step trial
        // barely trains (bandit n=100: 67 vs 72 after 10M steps)
        for (size_t i = d->H; i < 2 * d->H; i++) {
            p[i] = 2.0f;
        }
        return;
    } else {
        return; // biases, log_std: zero
    }
    init_uniform(p, n, gain / sqrt(fan), rng);
}

void mrl_rl2_net_init_params(const MrlRl2Net* net, float* params, uint64_t seed) {
    MrlRng rng;
    mrl_rng_derive(&rng, seed, MRL_DOMAIN_INIT, 0, 0, 0);
#define MRL_RL2_INIT(name, sz)                                                                     \
    init_tensor(net, params + net->off.name, net->size.name, #name, &rng);
    MRL_RL2_PARAMS(MRL_RL2_INIT, &net->d)
#undef MRL_RL2_INIT
}

double mrl_rl2_flops_per_row(const MrlRl2Net* net) {
    const MrlRl2Dims* d = &net->d;
    double trunk = (double)d->G * (double)(d->Ic + d->H) + (double)d->M * (double)d->I +
                   (double)d->K * (double)d->Kin;
    double vtrunk = (double)d->G * (double)(d->Icv + d->H) + (double)d->M * (double)d->Iv +
                    (double)d->K * (double)d->Kinv;
    double f = trunk + (d->sep_value ? vtrunk : 0.0) + (double)(d->A + 1) * (double)d->Hh;
    if (d->enc == MRL_RL2_ENC_VECTOR && d->enc_params) {
        f += (double)d->E * (double)d->O;
    } else if (d->enc == MRL_RL2_ENC_IMAGE) {
        f += (double)(d->h1 * d->w1) * MRL_RL2_CONV1 * 9.0 * (double)d->ic +
             (double)(d->h2 * d->w2) * MRL_RL2_CONV2 * 9.0 * MRL_RL2_CONV1 +
             (double)d->E * (double)d->flat;
    }
    return 2.0 * f; // multiply-adds -> FLOPs
}

void mrl_rl2_state_out(const MrlRl2Net* net, const MrlRl2Ws* ws, size_t row, float* h, float* c) {
    size_t H = net->d.H, n = H * sizeof(float);
    memcpy(h, ws->h_all + row * H, n);
    if (net->d.sep_value) {
        memcpy(h + H, ws->val_h_all + row * H, n);
    }
    if (net->d.lstm && c) {
        memcpy(c, ws->c_all + row * H, n);
        if (net->d.sep_value) {
            memcpy(c + H, ws->val_c_all + row * H, n);
        }
    }
}
