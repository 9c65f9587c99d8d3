// ppo.c — the PPO trainer for the RL² agent (see ppo/ppo.h): rollouts of whole
// trials on MrlTrialSlots, GAE over trials, minibatches of whole trials (or
// truncated-BPTT windows that start from stored hidden states), Adam.
// Everything random comes from seeded streams whose state is checkpointed, so
// same config + seed + threads gives identical bytes, and a resumed run equals
// an uninterrupted one. Tests: tests/test_ppo.c.
#include "ppo/ppo.h"
#include "ppo/ppo_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "metarl/pool.h"
#include "metarl/util.h"
#include "nn/nn.h"

// One part of a minibatch. The update cuts every minibatch into train.update_split parts of
// units contiguous in the shuffled order (trials, or BPTT windows), runs their forward and
// backward passes on the trial pool's threads (idle during the update), and sums their
// gradients in part order; the loss is computed between the two passes over every part's
// rows in order. The bits follow the split, not the threads. With several parts a value
// network of its own runs after the policy's trunk, on its part's thread (no nested pool).
#define MRL_PPO_MAX_SPLIT 8
typedef struct {
    MrlRl2Ws ws;     // T = W, B = B_part; a part is packed (ws.nt = nt)
    float* adv;      // (rows) packed like the workspace
    float* ret;
    float* logp;
    int32_t* src;    // (rows) rollout row of each row
    int32_t* order;  // (B_part) the part's units, longest first
    uint32_t* nt;    // (W) rows at each step
    float* grad;     // (P) its gradient; part 0 uses the trainer's
    size_t lo, hi;   // its units: p->units[lo, hi)
    size_t T, nv;    // steps and rows after gather
} MbPart;

struct MrlPpo {
    MrlRunConfig run;
    const MrlEnvApi* api;
    const MrlTaskSet* set;
    MrlEnvInfo info;
    uint64_t config_hash;
    MrlPpoOptions opt;
    MrlRl2Net net;

    float* block;  // (4, n_params): params | grad | adam m | adam v
    float* params; // (P)
    float* grad;   // (P)
    float* m;      // (P)
    float* v;      // (P)

    // training state (all of it is in the checkpoint)
    int64_t iteration;
    int64_t steps;
    int64_t trials; // trials started so far: the task sampler's position
    int64_t adam_t;
    MrlRng shuffle_rng; // minibatch order
    MrlRng task_rng;    // which training task each trial runs (fixed sets)

    // rollout
    size_t N;    // trials per iteration (one slot each)
    size_t Tmax; // longest trial (rollout horizon)
    MrlTrialSlots ts;
    MrlRl2Policy pol;
    uint8_t* task_buf;   // (task_bytes)
    double* task_params; // (MRL_MAX_PARAMS)
    // storage, time-major (Tmax, N, ...)
    float* r_obs;     // (Tmax, N, O)
    float* r_pact;    // (Tmax, N, Araw)
    float* r_prew;    // (Tmax, N)
    float* r_clock;   // (Tmax, N, 2) when the net reads the trial clock
    float* r_priv;    // (Tmax, N, V) the value trunk's privileged features (agent.critic_oracle)
    int32_t* r_flags; // (Tmax, N)
    float* r_act;     // (Tmax, N, Araw) raw sampled actions
    float* r_logp;    // (Tmax, N)
    float* r_val;     // (Tmax, N)
    float* r_rew;     // (Tmax, N)
    float* r_adv;     // (Tmax, N)
    float* r_ret;     // (Tmax, N)
    float* r_h;       // (n_win, N, S) recurrent state at each window start
    float* r_c;       // (n_win, N, S)
    int32_t* r_len;   // (N) steps of each trial
    int32_t* r_end;   // (N) MRL_PPO_END_*
    float* r_boot;    // (N) bootstrap values (TRUNCATED)
    float* col_rew;   // (Tmax) one trial's column
    float* col_val;
    float* col_adv;
    float* col_ret;
    // novelty bonus (allocated only with train.novelty_bonus > 0)
    uint64_t* r_reach;   // (Tmax, N) hash of the observation each step reached (mrl_ppo_obs_hash)
    uint64_t* col_start; // (Tmax) one trial's episode-start observation hashes (0: none)
    uint64_t* col_reach; // (Tmax) one trial's reached-observation hashes
    uint64_t* seen;      // (seen_cap) hashes of the observations of one trial
    size_t seen_cap;
    float* priv_start; // (N) oracle value of each slot's episode start / horizon (critic_oracle)
    float* oracle_act; // (act floats) where the oracle writes its action (not read)

    // minibatches of units (trial, window)
    float value_scale; // rewards are multiplied by this for the value function and GAE
    size_t W;          // window length: train.bptt, or Tmax
    size_t n_win;      // windows per trial
    size_t B_mb;       // units per minibatch (max)
    int32_t* units;    // (N * n_win) valid unit ids
    size_t B_part;     // units per part of a minibatch (max): ceil(B_mb / n_part)
    size_t n_part;     // train.update_split
    MbPart part[MRL_PPO_MAX_SPLIT];
    size_t mem_bytes;
};

// ---- schedules ----

double mrl_ppo_schedule(double base, const char* kind, double frac) {
    if (strcmp(kind, "linear") == 0) {
        return base * (frac < 1.0 ? 1.0 - frac : 0.0);
    }
    return base;
}

// ---- GAE ----

void mrl_ppo_gae(float* adv, float* ret, const float* rew, const float* val, size_t L, int end,
                 float v_boot, double gamma, double lambda) {
    double next_v = end == MRL_PPO_END_TRUNCATED ? (double)v_boot : 0.0;
    double a = 0.0;
    for (size_t t = L; t-- > 0;) {
        // episode ends inside the trial are not terminals: always continue
        double delta = (double)rew[t] + gamma * next_v - (double)val[t];
        a = delta + gamma * lambda * a;
        adv[t] = (float)a;
        ret[t] = (float)(a + (double)val[t]);
        next_v = (double)val[t];
    }
}

// ---- construction ----

static void* xcalloc(MrlPpo* p, size_t n, size_t size, int* failed) {
    void* q = calloc(n ? n : 1, size);
    if (!q) {
        *failed = 1;
    }
    p->mem_bytes += n * size;
    return q;
}

MrlPpo* mrl_ppo_new(const MrlRunConfig* run, const MrlEnvApi* api, const MrlTaskSet* train_set,
                    uint64_t config_hash, const MrlPpoOptions* opts, char* err) {
    if (run->batch_trials < 1 || run->epochs < 1 || run->minibatches < 1) {
        mrl_fail(err, MRL_EINVAL,
                 "error: train.batch_trials, train.epochs and train.minibatches must be >= 1");
        return NULL;
    }
    if (run->minibatches > run->batch_trials) {
        mrl_fail(err, MRL_EINVAL, "error: train.minibatches (%d) exceeds train.batch_trials (%d)",
                 (int)run->minibatches, (int)run->batch_trials);
        return NULL;
    }
    MrlPpo* p = calloc(1, sizeof *p);
    if (!p) {
        mrl_fail(err, MRL_ENOMEM, "error: out of memory");
        return NULL;
    }
    mrl_nn_blas_one_thread();
    p->run = *run;
    p->api = api;
    p->set = train_set;
    p->info = train_set->info;
    p->config_hash = config_hash;
    if (opts) {
        p->opt = *opts;
    }
    int rc = mrl_rl2_net_init(&p->net, &p->info, run, err);
    if (rc != MRL_OK) {
        free(p);
        return NULL;
    }
    if (p->net.d.crit_in && !api->oracle) {
        mrl_fail(err, MRL_EINVAL,
                 "error: agent.critic_oracle: plugin '%s' has no oracle capability to read",
                 api->name);
        free(p);
        return NULL;
    }
    int failed = 0;
    size_t P = p->net.n_params;
    const MrlRl2Dims* d = &p->net.d;
    p->block = xcalloc(p, 4 * P, sizeof(float), &failed);
    if (failed) {
        goto fail;
    }
    p->params = p->block;
    p->grad = p->block + P;
    p->m = p->block + 2 * P;
    p->v = p->block + 3 * P;
    mrl_rl2_net_init_params(&p->net, p->params, run->seed);
    mrl_rng_derive(&p->shuffle_rng, run->seed, MRL_DOMAIN_TRAIN, 0, 0, 1);
    mrl_rng_derive(&p->task_rng, run->seed, MRL_DOMAIN_TRAIN, 0, 0, 2);

    int32_t episodes = run->episodes > 0 ? run->episodes : 1;
    p->N = (size_t)run->batch_trials;
    p->Tmax = (size_t)episodes * (size_t)p->info.max_episode_steps;
    if (p->opt.max_trial_steps > 0 && (size_t)p->opt.max_trial_steps < p->Tmax) {
        p->Tmax = (size_t)p->opt.max_trial_steps;
    }
    // the value head learns returns in units of "mean reward per step": rewards are scaled by
    // 1 / (effective horizon) so that value targets stay O(1) whatever the trial length, and
    // the value gradient does not swamp the policy gradient under global-norm clipping
    double horizon = run->gamma < 1.0 ? 1.0 / (1.0 - run->gamma) : (double)p->Tmax;
    horizon = horizon < (double)p->Tmax ? horizon : (double)p->Tmax;
    p->value_scale = (float)(1.0 / (horizon > 1.0 ? horizon : 1.0));
    p->W = run->bptt > 0 && (size_t)run->bptt < p->Tmax ? (size_t)run->bptt : p->Tmax;
    p->n_win = (p->Tmax + p->W - 1) / p->W;
    size_t n_units = p->N * p->n_win;
    p->B_mb = (n_units + (size_t)run->minibatches - 1) / (size_t)run->minibatches;

    rc = mrl_trials_init(&p->ts, api, &p->info, train_set->base_params, (int32_t)p->N,
                         run->threads > 0 ? run->threads : 1, err);
    if (rc != MRL_OK) {
        goto fail_quiet;
    }
    rc = mrl_rl2_policy_init(&p->pol, &p->net, p->params, (int32_t)p->N, err);
    if (rc != MRL_OK) {
        goto fail_quiet;
    }
    p->mem_bytes += p->pol.ws.bytes;
    p->n_part = (size_t)(run->update_split > 1 ? run->update_split : 1);
    p->n_part = p->n_part < MRL_PPO_MAX_SPLIT ? p->n_part : MRL_PPO_MAX_SPLIT;
    p->B_part = (p->B_mb + p->n_part - 1) / p->n_part;
    for (size_t k = 0; k < p->n_part; k++) {
        MbPart* q = &p->part[k];
        rc = mrl_rl2_ws_init(&q->ws, &p->net, p->W, p->B_part, err);
        if (rc != MRL_OK) {
            goto fail_quiet;
        }
        p->mem_bytes += q->ws.bytes;
        // the trial pool is idle during the update: with one part it runs the value trunk
        // beside the policy's, with several it runs the parts (and nothing nests)
        q->ws.pool = p->n_part == 1 ? p->ts.pool : NULL;
    }
    size_t TN = p->Tmax * p->N, S = d->S;
    p->task_buf = xcalloc(p, (size_t)p->info.task_bytes, 1, &failed);
    p->task_params = xcalloc(p, MRL_MAX_PARAMS, sizeof(double), &failed);
    p->r_obs = xcalloc(p, TN * d->O, sizeof(float), &failed);
    p->r_pact = xcalloc(p, TN * d->Araw, sizeof(float), &failed);
    p->r_prew = xcalloc(p, TN, sizeof(float), &failed);
    p->r_clock = xcalloc(p, d->time_in ? TN * 2 : 1, sizeof(float), &failed);
    p->r_priv = xcalloc(p, TN * d->V, sizeof(float), &failed);
    p->priv_start = xcalloc(p, d->crit_in ? p->N : 0, sizeof(float), &failed);
    p->oracle_act = xcalloc(p, d->crit_in ? (size_t)p->ts.act_floats : 0, sizeof(float), &failed);
    p->r_flags = xcalloc(p, TN, sizeof(int32_t), &failed);
    p->r_act = xcalloc(p, TN * d->Araw, sizeof(float), &failed);
    p->r_logp = xcalloc(p, TN, sizeof(float), &failed);
    p->r_val = xcalloc(p, TN, sizeof(float), &failed);
    p->r_rew = xcalloc(p, TN, sizeof(float), &failed);
    p->r_adv = xcalloc(p, TN, sizeof(float), &failed);
    p->r_ret = xcalloc(p, TN, sizeof(float), &failed);
    p->r_h = xcalloc(p, p->n_win * p->N * S, sizeof(float), &failed);
    p->r_c = xcalloc(p, p->n_win * p->N * S, sizeof(float), &failed);
    p->r_len = xcalloc(p, p->N, sizeof(int32_t), &failed);
    p->r_end = xcalloc(p, p->N, sizeof(int32_t), &failed);
    p->r_boot = xcalloc(p, p->N, sizeof(float), &failed);
    p->col_rew = xcalloc(p, p->Tmax, sizeof(float), &failed);
    p->col_val = xcalloc(p, p->Tmax, sizeof(float), &failed);
    p->col_adv = xcalloc(p, p->Tmax, sizeof(float), &failed);
    p->col_ret = xcalloc(p, p->Tmax, sizeof(float), &failed);
    p->units = xcalloc(p, n_units, sizeof(int32_t), &failed);
    if (run->novelty_bonus > 0.0) {
        // at most 2 hashes a step (an episode start and the observation reached): load <= 1/2
        p->seen_cap = 16;
        while (p->seen_cap < 4 * p->Tmax) {
            p->seen_cap *= 2;
        }
        p->r_reach = xcalloc(p, TN, sizeof(uint64_t), &failed);
        p->col_start = xcalloc(p, p->Tmax, sizeof(uint64_t), &failed);
        p->col_reach = xcalloc(p, p->Tmax, sizeof(uint64_t), &failed);
        p->seen = xcalloc(p, p->seen_cap, sizeof(uint64_t), &failed);
    }
    for (size_t k = 0; k < p->n_part; k++) {
        MbPart* q = &p->part[k];
        size_t rows = p->W * p->B_part;
        q->adv = xcalloc(p, rows, sizeof(float), &failed);
        q->ret = xcalloc(p, rows, sizeof(float), &failed);
        q->logp = xcalloc(p, rows, sizeof(float), &failed);
        q->src = xcalloc(p, rows, sizeof(int32_t), &failed);
        q->order = xcalloc(p, p->B_part, sizeof(int32_t), &failed);
        q->nt = xcalloc(p, p->W, sizeof(uint32_t), &failed);
        q->grad = k == 0 ? p->grad : xcalloc(p, P, sizeof(float), &failed);
    }
    if (failed) {
        goto fail;
    }
    if (!p->opt.quiet) {
        printf("memory: %.1f MiB (%zu parameters; rollout %zu trials x %zu steps; minibatch "
               "%zu x %zu in %zu part%s)\n",
               (double)p->mem_bytes / 1048576.0, P, p->N, p->Tmax, p->B_mb, p->W, p->n_part,
               p->n_part > 1 ? "s" : "");
        fflush(stdout);
    }
    return p;
fail:
    mrl_fail(err, MRL_ENOMEM, "error: out of memory for the trainer");
fail_quiet:
    mrl_ppo_free(p);
    return NULL;
}

void mrl_ppo_free(MrlPpo* p) {
    if (!p) {
        return;
    }
    mrl_trials_release(&p->ts);
    mrl_rl2_policy_release(&p->pol);
    for (size_t k = 0; k < MRL_PPO_MAX_SPLIT; k++) {
        MbPart* q = &p->part[k];
        mrl_rl2_ws_release(&q->ws);
        free(q->adv), free(q->ret), free(q->logp), free(q->src), free(q->order), free(q->nt);
        if (k > 0) {
            free(q->grad);
        }
    }
    void* bufs[] = {p->block,     p->task_buf, p->task_params, p->r_obs,      p->r_pact,
                    p->r_prew,    p->r_clock,  p->r_flags,     p->r_act,      p->r_logp,
                    p->r_val,     p->r_rew,    p->r_adv,       p->r_ret,      p->r_h,
                    p->r_c,       p->r_len,    p->r_end,       p->r_boot,     p->col_rew,
                    p->col_val,   p->col_adv,  p->col_ret,     p->units,
                    p->seen,      p->r_priv,   p->priv_start,  p->oracle_act, p->r_reach,
                    p->col_start, p->col_reach};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) {
        free(bufs[i]);
    }
    free(p);
}

int mrl_ppo_done(const MrlPpo* p) {
    return p->steps >= p->run.total_steps;
}

int64_t mrl_ppo_iteration(const MrlPpo* p) {
    return p->iteration;
}

int64_t mrl_ppo_steps(const MrlPpo* p) {
    return p->steps;
}

size_t mrl_ppo_memory(const MrlPpo* p) {
    return p->mem_bytes;
}

int32_t mrl_ppo_update_threads(const MrlPpo* p) {
    int32_t pool = mrl_pool_threads(p->ts.pool);
    if (p->n_part > 1) {
        return (int32_t)p->n_part < pool ? (int32_t)p->n_part : pool;
    }
    return p->net.d.sep_value && pool >= 2 ? 2 : 1;
}

const MrlRl2Net* mrl_ppo_net(const MrlPpo* p) {
    return &p->net;
}

const float* mrl_ppo_params(const MrlPpo* p) {
    return p->params;
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

// ---- rollouts ----

uint64_t mrl_ppo_obs_hash(const float* obs, size_t O) {
    uint64_t h = mrl_hash_bytes(obs, O * sizeof(float), 0);
    return h ? h : 1; // 0 marks "none" and an empty slot of the table
}

// inserts h into the open-addressing table; 1 if it was not there
static int seen_insert(uint64_t* seen, size_t mask, uint64_t h) {
    size_t at = (size_t)h & mask;
    while (seen[at] != 0 && seen[at] != h) {
        at = (at + 1) & mask;
    }
    if (seen[at] == h) {
        return 0;
    }
    seen[at] = h;
    return 1;
}

void mrl_ppo_novelty(float* rew, const uint64_t* start, const uint64_t* reach, size_t L,
                     float bonus, uint64_t* seen, size_t cap) {
    size_t mask = cap - 1;
    memset(seen, 0, cap * sizeof(uint64_t));
    for (size_t k = 0; k < L; k++) {
        if (start[k] != 0) {
            seen_insert(seen, mask, start[k]); // given by the reset, not reached: no bonus
        }
        if (seen_insert(seen, mask, reach[k])) {
            rew[k] += bonus;
        }
    }
}

// the set id of training trials in stream derivation ("train")
#define TRAIN_SET_ID 0x747261696eULL

// agent.critic_oracle: writes the value trunk's privileged features of every active slot's
// current input into pol.ws.priv (zeros elsewhere): the oracle value of the current state and
// of the episode's first state (remembered at the episode start), each / the horizon; and
// keeps them as rollout row `row` of r_priv unless row is NO_ROW (the bootstrap at a cut).
// Without the option, nothing.
#define NO_ROW SIZE_MAX
static int oracle_features(MrlPpo* p, size_t row, char* err) {
    if (!p->net.d.crit_in) {
        return MRL_OK;
    }
    const MrlTrialSlots* ts = &p->ts;
    size_t V = p->net.d.V;
    float* priv = p->pol.ws.priv;
    double scale = 1.0 / (double)p->info.max_episode_steps;
    for (size_t s = 0; s < p->N; s++) {
        float* f = priv + s * V;
        memset(f, 0, V * sizeof(float));
        if (!(ts->flags[s] & MRL_SLOT_ACTIVE)) {
            continue;
        }
        MrlOracleInfo info = {0};
        info.struct_size = sizeof info;
        char* e = ts->errs + s * MRL_ERR_MAX;
        e[0] = 0;
        int32_t rc = p->api->oracle(ts->state_ptrs[s], &info, p->oracle_act, e);
        if (rc != MRL_OK) {
            return mrl_fail(err, MRL_EPLUGIN,
                            "error: agent.critic_oracle: plugin '%s' oracle failed on slot %zu "
                            "(status %d): %s",
                            p->api->name, s, (int)rc, e[0] ? e : "no message");
        }
        if (!(info.valid & MRL_ORACLE_VALUE)) {
            return mrl_fail(err, MRL_EPLUGIN,
                            "error: agent.critic_oracle: plugin '%s' oracle reports no value "
                            "(MRL_ORACLE_VALUE), which the value network would read",
                            p->api->name);
        }
        if (!isfinite(info.value)) {
            return mrl_fail(err, MRL_EPLUGIN,
                            "error: agent.critic_oracle: plugin '%s' oracle value %g on slot %zu "
                            "is not finite",
                            p->api->name, info.value, s);
        }
        float v = (float)(info.value * scale);
        if (ts->flags[s] & MRL_SLOT_EPISODE_START) {
            p->priv_start[s] = v;
        }
        f[0] = v;
        f[1] = p->priv_start[s];
    }
    if (row != NO_ROW) {
        memcpy(p->r_priv + row * V, priv, p->N * V * sizeof(float));
    }
    return MRL_OK;
}

static int rollout(MrlPpo* p, MrlPpoStats* st, char* err) {
    // the parameters may have changed since the last rollout (an update, a resume)
    mrl_rl2_policy_params_changed(&p->pol);
    const MrlRl2Dims* d = &p->net.d;
    size_t N = p->N, O = d->O, Araw = d->Araw, S = d->S;
    MrlTrialSlots* ts = &p->ts;
    int32_t episodes = p->run.episodes > 0 ? p->run.episodes : 1;
    for (size_t s = 0; s < N; s++) {
        int64_t idx = p->set->count > 0
                          ? (int64_t)mrl_rng_below(&p->task_rng, (uint32_t)p->set->count)
                          : p->trials + (int64_t)s;
        uint64_t fp = 0;
        int rc = mrl_taskset_get(p->set, idx, p->task_buf, p->task_params, &fp, err);
        if (rc != MRL_OK) {
            return rc;
        }
        rc = mrl_trials_start(ts, (int32_t)s, p->task_buf, fp, episodes, p->run.seed, TRAIN_SET_ID,
                              p->trials + (int64_t)s, err);
        if (rc != MRL_OK) {
            return rc;
        }
        p->r_len[s] = 0;
        p->r_end[s] = MRL_PPO_END_TERMINAL;
        p->r_boot[s] = 0.0f;
    }
    size_t t = 0;
    int64_t steps = 0;
    while (t < p->Tmax && mrl_trials_active(ts) > 0) {
        size_t row = t * N;
        memcpy(p->r_obs + row * O, ts->obs, N * O * sizeof(float));
        memcpy(p->r_pact + row * Araw, ts->prev_action, N * Araw * sizeof(float));
        memcpy(p->r_prew + row, ts->prev_reward, N * sizeof(float));
        memcpy(p->r_flags + row, ts->flags, N * sizeof(int32_t));
        if (t % p->W == 0) {
            // hidden state entering this window (zeros at the trial start)
            size_t w = t / p->W;
            for (size_t s = 0; s < N; s++) {
                int start = (ts->flags[s] & MRL_SLOT_TRIAL_START) != 0;
                float* hw = p->r_h + (w * N + s) * S;
                float* cw = p->r_c + (w * N + s) * S;
                if (start) {
                    memset(hw, 0, S * sizeof(float));
                    memset(cw, 0, S * sizeof(float));
                } else {
                    memcpy(hw, p->pol.h + s * S, S * sizeof(float));
                    memcpy(cw, p->pol.c + s * S, S * sizeof(float));
                }
            }
        }
        int rc = oracle_features(p, row, err);
        if (rc != MRL_OK) {
            return rc;
        }
        mrl_rl2_policy_step(&p->pol, ts->action, &ts->batch, ts->agent_rng);
        memcpy(p->r_act + row * Araw, p->pol.raw, N * Araw * sizeof(float));
        if (d->time_in) { // the clock the policy just read
            memcpy(p->r_clock + row * 2, p->pol.ws.clock, N * 2 * sizeof(float));
        }
        memcpy(p->r_logp + row, p->pol.logp, N * sizeof(float));
        memcpy(p->r_val + row, p->pol.value, N * sizeof(float));
        rc = mrl_trials_step(ts, err);
        if (rc != MRL_OK) {
            return rc;
        }
        for (size_t s = 0; s < N; s++) {
            if (p->r_flags[row + s] & MRL_SLOT_ACTIVE) {
                if (p->r_reach) { // the observation reached: the episode's last at its end
                    const float* o = ts->ended[s] ? ts->next_obs : ts->obs;
                    p->r_reach[row + s] = mrl_ppo_obs_hash(o + s * O, O);
                }
                p->r_rew[row + s] = ts->step_reward[s];
                p->r_len[s] = (int32_t)(t + 1);
                steps++;
            } else {
                p->r_rew[row + s] = 0.0f;
            }
        }
        t++;
    }
    // trials cut by the rollout horizon: truncated, bootstrap from the next input's value
    int any_cut = 0;
    for (size_t s = 0; s < N; s++) {
        if (ts->flags[s] & MRL_SLOT_ACTIVE) {
            p->r_end[s] = MRL_PPO_END_TRUNCATED;
            any_cut = 1;
        }
    }
    if (any_cut) {
        int rc = oracle_features(p, NO_ROW, err);
        if (rc != MRL_OK) {
            return rc;
        }
        mrl_rl2_policy_value(&p->pol, p->r_boot, &ts->batch);
        for (size_t s = 0; s < N; s++) {
            ts->flags[s] = 0; // stop the cut trials
        }
    }
    // returns per trial, GAE per trial column
    double sum_ret = 0.0, sum_len = 0.0;
    for (size_t s = 0; s < N; s++) {
        size_t L = (size_t)p->r_len[s];
        double r = 0.0;
        for (size_t k = 0; k < L; k++) {
            p->col_rew[k] = p->r_rew[k * N + s];
            p->col_val[k] = p->r_val[k * N + s];
            r += (double)p->col_rew[k];
        }
        if (p->r_reach) {
            for (size_t k = 0; k < L; k++) {
                size_t at = k * N + s;
                p->col_start[k] = (p->r_flags[at] & MRL_SLOT_EPISODE_START)
                                      ? mrl_ppo_obs_hash(p->r_obs + at * d->O, d->O)
                                      : 0;
                p->col_reach[k] = p->r_reach[at];
            }
            mrl_ppo_novelty(p->col_rew, p->col_start, p->col_reach, L, (float)p->run.novelty_bonus,
                            p->seen, p->seen_cap);
        }
        for (size_t k = 0; k < L; k++) {
            p->col_rew[k] *= p->value_scale;
        }
        mrl_ppo_gae(p->col_adv, p->col_ret, p->col_rew, p->col_val, L, p->r_end[s], p->r_boot[s],
                    p->run.gamma, p->run.lambda);
        for (size_t k = 0; k < p->Tmax; k++) {
            p->r_adv[k * N + s] = k < L ? p->col_adv[k] : 0.0f;
            p->r_ret[k * N + s] = k < L ? p->col_ret[k] : 0.0f;
        }
        sum_ret += r;
        sum_len += (double)L;
    }
    p->trials += (int64_t)N;
    p->steps += steps;
    st->mean_return = sum_ret / (double)N;
    st->mean_length = sum_len / (double)N;
    return MRL_OK;
}

// ---- update ----

// steps of unit u (a window of a trial) in the minibatch
static size_t unit_len(const MrlPpo* p, int32_t u) {
    size_t s = (size_t)u / p->n_win, w = (size_t)u % p->n_win;
    size_t L = (size_t)p->r_len[s] - w * p->W;
    return L > p->W ? p->W : L;
}

// Fills part q's workspace with units[q->lo, q->hi), packed: the units sorted longest first
// (stable, so the order is a function of the shuffle alone), step t holding the rows of the
// units still running (ws.nt), and nothing computed past a unit's end. Sets q->T, the
// sequence length, and q->nv, the number of rows (agent steps) in the part.
static void gather(const MrlPpo* p, MbPart* q) {
    const MrlRl2Dims* d = &p->net.d;
    size_t N = p->N, O = d->O, Araw = d->Araw, S = d->S, B = q->hi - q->lo, W = p->W;
    MrlRl2Ws* ws = &q->ws;
    int32_t* ord = q->order;
    for (size_t i = 0; i < B; i++) { // insertion sort by length, descending
        int32_t u = p->units[q->lo + i];
        size_t L = unit_len(p, u), j = i;
        while (j > 0 && unit_len(p, ord[j - 1]) < L) {
            ord[j] = ord[j - 1];
            j--;
        }
        ord[j] = u;
    }
    size_t T = B > 0 ? unit_len(p, ord[0]) : 0;
    size_t nb = B;
    for (size_t t = 0; t < T; t++) {
        while (nb > 0 && unit_len(p, ord[nb - 1]) <= t) {
            nb--;
        }
        q->nt[t] = (uint32_t)nb;
    }
    size_t i = 0; // packed row
    for (size_t t = 0; t < T; t++) {
        for (size_t b = 0; b < q->nt[t]; b++, i++) {
            size_t s = (size_t)ord[b] / p->n_win, w = (size_t)ord[b] % p->n_win;
            if (t == 0) {
                memcpy(ws->h0 + b * S, p->r_h + (w * N + s) * S, S * sizeof(float));
                memcpy(ws->c0 + b * S, p->r_c + (w * N + s) * S, S * sizeof(float));
            }
            size_t r = (w * W + t) * N + s; // rollout row
            memcpy(ws->obs + i * O, p->r_obs + r * O, O * sizeof(float));
            memcpy(ws->prev_act + i * Araw, p->r_pact + r * Araw, Araw * sizeof(float));
            memcpy(ws->act + i * Araw, p->r_act + r * Araw, Araw * sizeof(float));
            ws->prev_rew[i] = p->r_prew[r];
            if (d->time_in) {
                ws->clock[2 * i] = p->r_clock[2 * r];
                ws->clock[2 * i + 1] = p->r_clock[2 * r + 1];
            }
            if (d->crit_in) {
                memcpy(ws->priv + i * d->V, p->r_priv + r * d->V, d->V * sizeof(float));
            }
            if (d->prev_in) { // the slot's row one step earlier (each trial starts at row 0)
                if (w * W + t > 0) {
                    memcpy(ws->prev_obs + i * O, p->r_obs + (r - N) * O, O * sizeof(float));
                } else {
                    memset(ws->prev_obs + i * O, 0, O * sizeof(float));
                }
            }
            ws->flags[i] = p->r_flags[r];
            q->adv[i] = p->r_adv[r];
            q->ret[i] = p->r_ret[r];
            q->logp[i] = p->r_logp[r];
            q->src[i] = (int32_t)r;
        }
    }
    ws->nt = q->nt;
    q->nv = i;
    q->T = T;
}

// the forward (gather first) or backward passes of the minibatch's parts, on the trial
// pool's threads when there are several parts (contiguous chunks: part k always on the same
// thread for a given thread count; each part touches only its own buffers)
typedef struct {
    MrlPpo* p;
    int backward;
} PartJob;

static void part_job(void* ctx, int64_t lo, int64_t hi) {
    PartJob* job = ctx;
    MrlPpo* p = job->p;
    for (int64_t k = lo; k < hi; k++) {
        MbPart* q = &p->part[k];
        if (!job->backward) {
            gather(p, q);
            if (q->nv > 0) {
                mrl_rl2_forward(&p->net, &q->ws, p->params, q->T, q->hi - q->lo);
            }
        } else {
            memset(q->grad, 0, p->net.n_params * sizeof(float));
            if (q->nv > 0) {
                mrl_rl2_backward(&p->net, &q->ws, p->params, q->grad, q->T, q->hi - q->lo);
            }
        }
    }
}

static void run_parts(MrlPpo* p, PartJob* job) {
    if (p->n_part == 1) {
        part_job(job, 0, 1);
    } else {
        mrl_pool_run(p->ts.pool, part_job, job, (int64_t)p->n_part);
    }
}

static int update(MrlPpo* p, MrlPpoStats* st, char* err) {
    const MrlRunConfig* run = &p->run;
    size_t N = p->N, P = p->net.n_params;
    // valid units: windows that hold at least one step
    size_t n_units = 0;
    for (size_t s = 0; s < N; s++) {
        for (size_t w = 0; w < p->n_win; w++) {
            if ((size_t)p->r_len[s] > w * p->W) {
                p->units[n_units++] = (int32_t)(s * p->n_win + w);
            }
        }
    }
    // advantage normalisation over every valid step (fixed order, double sums)
    if (run->norm_adv) {
        double s1 = 0.0, s2 = 0.0, n = 0.0;
        for (size_t s = 0; s < N; s++) {
            for (size_t t = 0; t < (size_t)p->r_len[s]; t++) {
                double a = p->r_adv[t * N + s];
                s1 += a;
                s2 += a * a;
                n += 1.0;
            }
        }
        double mean = n > 0 ? s1 / n : 0.0;
        double var = n > 1 ? (s2 - n * mean * mean) / (n - 1.0) : 0.0;
        double sd = sqrt(var > 0.0 ? var : 0.0) + 1e-8;
        for (size_t s = 0; s < N; s++) {
            for (size_t t = 0; t < (size_t)p->r_len[s]; t++) {
                p->r_adv[t * N + s] = (float)((p->r_adv[t * N + s] - mean) / sd);
            }
        }
    }
    double frac = run->total_steps > 0 ? (double)p->steps / (double)run->total_steps : 0.0;
    double lr = mrl_ppo_schedule(run->lr, run->lr_schedule, frac);
    double ent_coef = mrl_ppo_schedule(run->ent_coef, run->ent_schedule, frac);
    st->lr = lr;
    st->ent_coef = ent_coef;
    size_t n_mb = (size_t)run->minibatches;
    if (n_mb > n_units) {
        n_mb = n_units;
    }
    double flops_row = mrl_rl2_flops_per_row(&p->net);
    int32_t epochs_run = 0;
    for (int32_t epoch = 0; epoch < run->epochs; epoch++) {
        // Fisher-Yates shuffle of the units
        for (size_t i = n_units; i > 1; i--) {
            size_t j = mrl_rng_below(&p->shuffle_rng, (uint32_t)i);
            int32_t tmp = p->units[i - 1];
            p->units[i - 1] = p->units[j];
            p->units[j] = tmp;
        }
        double kl_sum = 0.0, kl_n = 0.0, pl_sum = 0.0, vl_sum = 0.0, ent_sum = 0.0, clip_n = 0.0;
        for (size_t mb = 0; mb < n_mb; mb++) {
            size_t lo = mb * n_units / n_mb, hi = (mb + 1) * n_units / n_mb, nv = 0;
            for (size_t k = 0; k < p->n_part; k++) {
                p->part[k].lo = lo + k * (hi - lo) / p->n_part;
                p->part[k].hi = lo + (k + 1) * (hi - lo) / p->n_part;
            }
            PartJob job = {p, 0};
            run_parts(p, &job);
            for (size_t k = 0; k < p->n_part; k++) {
                nv += p->part[k].nv;
            }
            if (nv == 0) {
                continue;
            }
            float inv = 1.0f / (float)nv;
            float eps = (float)run->clip;
            for (size_t k = 0; k < p->n_part; k++) {
                MbPart* q = &p->part[k];
                for (size_t i = 0; i < q->nv; i++) {
                    float lr_ = q->ws.logp_a[i] - q->logp[i];
                    float ratio = expf(lr_);
                    float adv = q->adv[i];
                    float s1 = ratio * adv;
                    float rc = ratio < 1.0f - eps ? 1.0f - eps
                                                  : (ratio > 1.0f + eps ? 1.0f + eps : ratio);
                    float s2 = rc * adv;
                    // loss = -min(s1, s2); its gradient flows only through the unclipped branch
                    q->ws.dlogp_a[i] = s1 <= s2 ? -adv * ratio * inv : 0.0f;
                    clip_n += s1 <= s2 ? 0.0 : 1.0;
                    pl_sum += -(double)(s1 < s2 ? s1 : s2);
                    float dvv = q->ws.v[i] - q->ret[i];
                    vl_sum += 0.5 * (double)dvv * (double)dvv;
                    q->ws.dv[i] = (float)run->vf_coef * dvv * inv;
                    q->ws.dent[i] = -(float)ent_coef * inv;
                    ent_sum += q->ws.ent[i];
                    kl_sum += (double)(ratio - 1.0f) - (double)lr_;
                    kl_n += 1.0;
                }
            }
            job.backward = 1;
            run_parts(p, &job);
            for (size_t k = 1; k < p->n_part; k++) { // in part order
                const float* g = p->part[k].grad;
                for (size_t j = 0; j < P; j++) {
                    p->grad[j] += g[j];
                }
            }
            double gn = mrl_nn_global_norm(p->grad, P);
            st->grad_norm = gn;
            if (!isfinite(gn)) {
                // clipping cannot rescue it (max / inf = 0, and inf * 0 is NaN): the step
                // would turn every parameter into NaN; stop with the last checkpoint intact
                return mrl_fail(err, MRL_PPO_EDIVERGED,
                                "error: iteration %lld, epoch %d: the gradient is not finite "
                                "(norm %g): the policy diverged; lower train.lr or train.clip",
                                (long long)p->iteration + 1, (int)epoch + 1, gn);
            }
            if (run->max_grad_norm > 0.0 && gn > run->max_grad_norm) {
                mrl_nn_scale(p->grad, (float)(run->max_grad_norm / gn), P);
            }
            p->adam_t++;
            mrl_nn_adam_update(p->params, p->m, p->v, p->grad, (float)lr, (float)run->adam_beta1,
                               (float)run->adam_beta2, (float)run->adam_eps, p->adam_t, P);
            st->update_flops += 3.0 * flops_row * (double)nv;
        }
        epochs_run++;
        double kl = kl_n > 0 ? kl_sum / kl_n : 0.0;
        st->approx_kl = kl;
        st->policy_loss = kl_n > 0 ? pl_sum / kl_n : 0.0;
        st->value_loss = kl_n > 0 ? vl_sum / kl_n : 0.0;
        st->entropy = kl_n > 0 ? ent_sum / kl_n : 0.0;
        st->clip_frac = kl_n > 0 ? clip_n / kl_n : 0.0;
        if (run->target_kl > 0.0 && kl > run->target_kl) {
            break;
        }
    }
    st->epochs_run = epochs_run;
    return MRL_OK;
}

int mrl_ppo_replay_check(MrlPpo* p, double* max_dlogp, double* max_dv, char* err) {
    MrlPpoStats st;
    memset(&st, 0, sizeof st);
    int rc = rollout(p, &st, err);
    if (rc != MRL_OK) {
        return rc;
    }
    size_t n_units = 0;
    for (size_t s = 0; s < p->N; s++) {
        for (size_t w = 0; w < p->n_win; w++) {
            if ((size_t)p->r_len[s] > w * p->W) {
                p->units[n_units++] = (int32_t)(s * p->n_win + w);
            }
        }
    }
    *max_dlogp = 0.0;
    *max_dv = 0.0;
    MbPart* q = &p->part[0];
    for (size_t lo = 0; lo < n_units; lo += p->B_part) {
        q->lo = lo;
        q->hi = lo + p->B_part < n_units ? lo + p->B_part : n_units;
        gather(p, q);
        mrl_rl2_forward(&p->net, &q->ws, p->params, q->T, q->hi - q->lo);
        for (size_t i = 0; i < q->nv; i++) {
            double dl = fabs((double)q->ws.logp_a[i] - (double)q->logp[i]);
            *max_dlogp = dl > *max_dlogp ? dl : *max_dlogp;
            double dv = fabs((double)q->ws.v[i] - (double)p->r_val[q->src[i]]);
            *max_dv = dv > *max_dv ? dv : *max_dv;
        }
    }
    return MRL_OK;
}

void mrl_ppo_rollout_view(const MrlPpo* p, MrlPpoRolloutView* v) {
    v->n = p->N;
    v->t_max = p->Tmax;
    v->len = p->r_len;
    v->end = p->r_end;
    v->boot = p->r_boot;
    v->rew = p->r_rew;
    v->val = p->r_val;
    v->adv = p->r_adv;
    v->ret = p->r_ret;
    v->value_scale = p->value_scale;
    v->obs = p->r_obs;
    v->priv = p->r_priv;
    v->priv_n = p->net.d.V;
}

int mrl_ppo_iterate(MrlPpo* p, MrlPpoStats* st, char* err) {
    memset(st, 0, sizeof *st);
    double t0 = now_seconds();
    int rc = rollout(p, st, err);
    if (rc != MRL_OK) {
        return rc;
    }
    double t1 = now_seconds();
    rc = update(p, st, err);
    if (rc != MRL_OK) {
        return rc;
    }
    double t2 = now_seconds();
    p->iteration++;
    st->iteration = p->iteration;
    st->steps = p->steps;
    st->trials = p->trials;
    st->rollout_seconds = t1 - t0;
    st->update_seconds = t2 - t1;
    return MRL_OK;
}

// ---- checkpoints: the state is serialised by ckpt.c through these accessors ----

void mrl_ppo_state_io(MrlPpo* p, int64_t** counters, MrlRng** rngs, float** params,
                      size_t* n_params, uint64_t* config_hash) {
    counters[0] = &p->iteration;
    counters[1] = &p->steps;
    counters[2] = &p->trials;
    counters[3] = &p->adam_t;
    rngs[0] = &p->shuffle_rng;
    rngs[1] = &p->task_rng;
    *params = p->block; // params | grad | m | v; the checkpoint stores params, m and v
    *n_params = p->net.n_params;
    *config_hash = p->config_hash;
}
