// rl2_policy.c — step-by-step acting with the RL² network over N slots (see
// rl2/rl2_policy.h). Tested through tests/test_ppo.c and tests/test_rl2.c.
#include "rl2/rl2_policy.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metarl/util.h"
#include "nn/nn.h"

int mrl_rl2_policy_init(MrlRl2Policy* pol, const MrlRl2Net* net, const float* params,
                        int32_t n_slots, char* err) {
    memset(pol, 0, sizeof *pol);
    mrl_nn_blas_one_thread();
    pol->net = net;
    pol->params = params;
    pol->n_slots = n_slots;
    size_t N = (size_t)n_slots, S = net->d.S;
    int rc = mrl_rl2_ws_init(&pol->ws, net, 1, N, err);
    if (rc != MRL_OK) {
        return rc;
    }
    pol->ws.keep_packed = 1; // until mrl_rl2_policy_params_changed
    pol->h = calloc(N * S, sizeof(float));
    pol->c = calloc(N * S, sizeof(float));
    pol->raw = calloc(N * net->d.Araw, sizeof(float));
    pol->logp = calloc(N, sizeof(float));
    pol->value = calloc(N, sizeof(float));
    pol->last_obs = calloc(N * net->d.O, sizeof(float));
    pol->tempered = calloc(net->d.A, sizeof(float));
    pol->temperature = 1.0f;
    if (!pol->h || !pol->c || !pol->raw || !pol->logp || !pol->value || !pol->last_obs ||
        !pol->tempered) {
        mrl_rl2_policy_release(pol);
        return mrl_fail(err, MRL_ENOMEM, "error: out of memory for %d policy slots", (int)n_slots);
    }
    return MRL_OK;
}

// loads the step inputs of all slots into the T = 1 workspace
static void load_inputs(MrlRl2Policy* pol, const MrlStepBatch* batch) {
    const MrlRl2Dims* d = &pol->net->d;
    size_t N = (size_t)pol->n_slots, S = d->S;
    const int32_t* flags = batch->flags;
    memcpy(pol->ws.obs, batch->obs, N * d->O * sizeof(float));
    memcpy(pol->ws.prev_act, batch->prev_action, N * d->Araw * sizeof(float));
    memcpy(pol->ws.prev_rew, batch->prev_reward, N * sizeof(float));
    for (size_t s = 0; d->time_in && s < N; s++) {
        mrl_step_clock(batch, (int32_t)s, pol->ws.clock + 2 * s);
    }
    if (d->prev_in) { // read by the network only where the slot is not at a trial start
        memcpy(pol->ws.prev_obs, pol->last_obs, N * d->O * sizeof(float));
    }
    memcpy(pol->ws.flags, flags, N * sizeof(int32_t));
    for (size_t s = 0; s < N; s++) {
        if (flags[s] & MRL_SLOT_TRIAL_START) {
            memset(pol->ws.h0 + s * S, 0, S * sizeof(float));
            memset(pol->ws.c0 + s * S, 0, S * sizeof(float));
        } else {
            memcpy(pol->ws.h0 + s * S, pol->h + s * S, S * sizeof(float));
            memcpy(pol->ws.c0 + s * S, pol->c + s * S, S * sizeof(float));
        }
    }
}

// out = log of pi^(1/t) renormalised, from the log-probabilities lp (A); returns out
static const float* temper(float* out, const float* lp, size_t A, float t) {
    double top = -INFINITY, sum = 0.0;
    for (size_t j = 0; j < A; j++) {
        top = fmax(top, (double)lp[j] / t);
    }
    for (size_t j = 0; j < A; j++) {
        sum += exp((double)lp[j] / t - top);
    }
    double lse = top + log(sum);
    for (size_t j = 0; j < A; j++) {
        out[j] = (float)((double)lp[j] / t - lse);
    }
    return out;
}

void mrl_rl2_policy_step(MrlRl2Policy* pol, float* action, const MrlStepBatch* batch,
                         MrlRng* rngs) {
    const MrlRl2Dims* d = &pol->net->d;
    size_t N = (size_t)pol->n_slots, S = d->S, A = d->A, Araw = d->Araw;
    load_inputs(pol, batch);
    memset(pol->ws.act, 0, N * Araw * sizeof(float));
    mrl_rl2_forward(pol->net, &pol->ws, pol->params, 1, N);
    const float* log_std = pol->params + pol->net->off.log_std;
    for (size_t s = 0; s < N; s++) {
        if (!(batch->flags[s] & MRL_SLOT_ACTIVE)) {
            continue;
        }
        const float* lp = pol->ws.logp + s * A; // log-probabilities or means
        float* raw = pol->raw + s * Araw;
        float* out = action + s * (size_t)batch->act_floats;
        if (d->act_discrete) {
            int32_t a = 0;
            if (pol->greedy) {
                for (size_t j = 1; j < A; j++) {
                    a = lp[j] > lp[a] ? (int32_t)j : a;
                }
            } else if (pol->temperature != 1.0f) {
                a = mrl_nn_categorical_sample(temper(pol->tempered, lp, A, pol->temperature), A,
                                              &rngs[s]);
            } else {
                a = mrl_nn_categorical_sample(lp, A, &rngs[s]);
            }
            raw[0] = (float)a;
            out[0] = (float)a;
            pol->logp[s] = lp[a];
        } else {
            double l = 0.0;
            double spread = sqrt((double)pol->temperature);
            for (size_t j = 0; j < A; j++) {
                double sd = exp((double)log_std[j]);
                double z = pol->greedy ? 0.0 : spread * mrl_rng_normal(&rngs[s]);
                raw[j] = (float)(lp[j] + sd * z);
                l += -0.5 * z * z - (double)log_std[j] - 0.91893853320467274178;
                float v = raw[j];
                v = isfinite(d->act_low) && v < d->act_low ? d->act_low : v;
                v = isfinite(d->act_high) && v > d->act_high ? d->act_high : v;
                out[j] = v;
            }
            pol->logp[s] = (float)l;
        }
        pol->value[s] = pol->ws.v[s];
        memcpy(pol->last_obs + s * d->O, batch->obs + s * d->O, d->O * sizeof(float));
        mrl_rl2_state_out(pol->net, &pol->ws, N + s, pol->h + s * S, pol->c + s * S);
    }
}

void mrl_rl2_policy_value(MrlRl2Policy* pol, float* out, const MrlStepBatch* batch) {
    size_t N = (size_t)pol->n_slots;
    load_inputs(pol, batch);
    memset(pol->ws.act, 0, N * pol->net->d.Araw * sizeof(float));
    mrl_rl2_forward(pol->net, &pol->ws, pol->params, 1, N);
    memcpy(out, pol->ws.v, N * sizeof(float));
}

void mrl_rl2_policy_params_changed(MrlRl2Policy* pol) {
    pol->ws.rnn_packed[0] = 0;
    pol->ws.rnn_packed[1] = 0;
}

void mrl_rl2_policy_release(MrlRl2Policy* pol) {
    mrl_rl2_ws_release(&pol->ws);
    free(pol->h);
    free(pol->c);
    free(pol->raw);
    free(pol->logp);
    free(pol->value);
    free(pol->last_obs);
    free(pol->tempered);
    memset(pol, 0, sizeof *pol);
}
