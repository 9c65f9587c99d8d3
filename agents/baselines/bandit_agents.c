// bandit_agents.c — the bandit baselines of RL² Table 1: gittins, ts, ots, ucb1 and
// the bandit mode of epsilon_greedy / greedy (see baselines.h for the model).
//
// Per slot: s_i successes and f_i failures of each arm (prior excluded), and the
// number of pulls so far. At a trial start the slot's counts are reset; at every
// other step the previous pull (prev_action, prev_reward) is added first. Then:
//   gittins         argmax of the Gittins index of Beta(1+s_i, 1+f_i) with the
//                   trial's remaining pulls (agent.gittins_discount = 0), or the
//                   discounted index (agent.gittins_discount = gamma > 0)
//   ts              argmax of one Beta(1+s_i, 1+f_i) draw per arm
//   ots             argmax over arms of the largest of N draws (agent.ots_samples)
//   ucb1            argmax of mu_i + c sqrt(2 ln t / T_i) with T_i = s_i + f_i + 2 and
//                   mu_i = (s_i + 1) / T_i (one success and one failure of every arm
//                   to start), t = sum_i T_i (agent.ucb_c)
//   epsilon_greedy  a uniformly random arm with probability epsilon (agent.epsilon),
//                   else argmax mu_i; greedy is epsilon = 0
// Ties are broken uniformly at random with the slot's stream.
// The trial length the finite-horizon Gittins index needs is trial.episodes times the
// episode horizon (MrlStepBatch does not carry each slot's trial length); a slot that
// runs past it acts on the posterior mean.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "baselines/internal.h"
#include "metarl/util.h"

typedef struct BanditAgent {
    int32_t tag;            // BL_TAG_BANDIT
    int32_t rule;           // BL_BANDIT_*
    double epsilon;         // epsilon_greedy
    double ucb_c;           // ucb1
    int32_t ots_samples;    // ots
    double discount;        // gittins: 0 = finite horizon
    int32_t trial_episodes; // trial.episodes of the run

    int32_t n_slots;     // N
    int32_t k;           // K arms
    int64_t trial_pulls; // trial_episodes * max_episode_steps
    double* succ;        // (N, K)
    double* fail;        // (N, K)
    int64_t* pulls;      // (N)
    double* score;       // (K) scratch
    MrlGittinsTable table;
} BanditAgent;

static void free_slots(BanditAgent* b) {
    free(b->succ);
    free(b->fail);
    free(b->pulls);
    free(b->score);
    b->succ = b->fail = b->score = NULL;
    b->pulls = NULL;
}

static int bandit_begin(MrlAgent* agent, int32_t n_slots, const MrlEnvInfo* info, char* err) {
    BanditAgent* b = agent->self;
    if (info->action.kind != MRL_SPACE_DISCRETE) {
        return mrl_fail(err, MRL_EINVAL,
                        "error: agent '%s' needs a discrete action space (one arm per action)",
                        agent->name);
    }
    if (!(info->reward_min >= 0.0 && info->reward_max <= 1.0)) {
        return mrl_fail(err, MRL_EINVAL,
                        "error: agent '%s' models Bernoulli rewards in [0, 1], but the plugin's "
                        "rewards span [%g, %g]",
                        agent->name, info->reward_min, info->reward_max);
    }
    free_slots(b);
    b->n_slots = n_slots;
    b->k = info->action.n;
    b->trial_pulls = (int64_t)b->trial_episodes * info->max_episode_steps;
    size_t nk = (size_t)n_slots * (size_t)b->k;
    b->succ = calloc(nk, sizeof *b->succ);
    b->fail = calloc(nk, sizeof *b->fail);
    b->pulls = calloc((size_t)n_slots, sizeof *b->pulls);
    b->score = calloc((size_t)b->k, sizeof *b->score);
    if (!b->succ || !b->fail || !b->pulls || !b->score) {
        free_slots(b);
        return mrl_fail(err, MRL_ENOMEM, "error: agent '%s': out of memory", agent->name);
    }
    if (b->rule == BL_BANDIT_GITTINS) {
        // discounted indices beyond s + f = 2000 fall back to the posterior mean
        int32_t n = b->discount > 0.0 && b->trial_pulls > 2000 ? 2000 : (int32_t)b->trial_pulls;
        if (b->trial_pulls > INT32_MAX) {
            n = INT32_MAX; // rejected by mrl_gittins_init with a message
        }
        if (b->table.index && (b->table.n != n || b->table.discount != b->discount)) {
            mrl_gittins_release(&b->table);
        }
        if (!b->table.index) {
            int rc = mrl_gittins_init(&b->table, n, b->discount, 0, 0, err);
            if (rc != MRL_OK) {
                free_slots(b);
                return rc;
            }
        }
    }
    return MRL_OK;
}

// one pull's score for each arm into b->score
static void score_arms(BanditAgent* b, int32_t slot, MrlRng* rng) {
    const double* s = b->succ + (size_t)slot * (size_t)b->k; // (K)
    const double* f = b->fail + (size_t)slot * (size_t)b->k; // (K)
    switch (b->rule) {
    case BL_BANDIT_GITTINS: {
        int64_t left = b->trial_pulls - b->pulls[slot];
        for (int32_t i = 0; i < b->k; i++) {
            int32_t si = (int32_t)lround(s[i]), fi = (int32_t)lround(f[i]);
            b->score[i] = mrl_gittins_index(&b->table, si, fi, left < 1 ? 0 : (int32_t)left);
        }
        break;
    }
    case BL_BANDIT_TS:
        for (int32_t i = 0; i < b->k; i++) {
            b->score[i] = mrl_baseline_beta(rng, 1.0 + s[i], 1.0 + f[i]);
        }
        break;
    case BL_BANDIT_OTS:
        for (int32_t i = 0; i < b->k; i++) {
            double best = (s[i] + 1.0) / (s[i] + f[i] + 2.0); // never below the mean
            for (int32_t j = 0; j < b->ots_samples; j++) {
                double x = mrl_baseline_beta(rng, 1.0 + s[i], 1.0 + f[i]);
                best = x > best ? x : best;
            }
            b->score[i] = best;
        }
        break;
    case BL_BANDIT_UCB1: {
        double t = 0.0;
        for (int32_t i = 0; i < b->k; i++) {
            t += s[i] + f[i] + 2.0;
        }
        double lt = log(t);
        for (int32_t i = 0; i < b->k; i++) {
            double n = s[i] + f[i] + 2.0;
            b->score[i] = (s[i] + 1.0) / n + b->ucb_c * sqrt(2.0 * lt / n);
        }
        break;
    }
    default: // BL_BANDIT_EGREEDY
        for (int32_t i = 0; i < b->k; i++) {
            b->score[i] = (s[i] + 1.0) / (s[i] + f[i] + 2.0);
        }
        break;
    }
}

static int bandit_act(MrlAgent* agent, float* action, const MrlStepBatch* batch, MrlRng* rngs,
                      char* err) {
    BanditAgent* b = agent->self;
    if (batch->n_slots > b->n_slots) {
        return mrl_fail(err, MRL_ESTATE, "error: agent '%s': %d slots but begin prepared %d",
                        agent->name, (int)batch->n_slots, (int)b->n_slots);
    }
    for (int32_t slot = 0; slot < batch->n_slots; slot++) {
        int32_t fl = batch->flags[slot];
        if (!(fl & MRL_SLOT_ACTIVE)) {
            continue;
        }
        double* s = b->succ + (size_t)slot * (size_t)b->k; // (K)
        double* f = b->fail + (size_t)slot * (size_t)b->k; // (K)
        if (fl & MRL_SLOT_TRIAL_START) {
            memset(s, 0, (size_t)b->k * sizeof *s);
            memset(f, 0, (size_t)b->k * sizeof *f);
            b->pulls[slot] = 0;
        } else {
            float pa = batch->prev_action[(size_t)slot * (size_t)batch->act_floats];
            double r = batch->prev_reward[slot];
            r = r < 0.0 ? 0.0 : (r > 1.0 ? 1.0 : r);
            int32_t arm = (int32_t)pa;
            if (arm >= 0 && arm < b->k) {
                s[arm] += r;
                f[arm] += 1.0 - r;
                b->pulls[slot]++;
            }
        }
        MrlRng* rng = &rngs[slot];
        int32_t arm;
        if (b->rule == BL_BANDIT_EGREEDY && b->epsilon > 0.0 && mrl_rng_uniform(rng) < b->epsilon) {
            arm = (int32_t)mrl_rng_below(rng, (uint32_t)b->k);
        } else {
            score_arms(b, slot, rng);
            arm = mrl_baseline_argmax(b->score, b->k, rng);
        }
        action[(size_t)slot * (size_t)batch->act_floats] = (float)arm;
    }
    return MRL_OK;
}

static void bandit_free(MrlAgent* agent) {
    if (!agent) {
        return;
    }
    BanditAgent* b = agent->self;
    if (b) {
        free_slots(b);
        mrl_gittins_release(&b->table);
        free(b);
    }
    free(agent);
}

MrlAgent* bl_bandit_new(const char* name, int rule, const MrlRunConfig* run, double epsilon,
                        char* err) {
    if (!run) {
        mrl_fail(err, MRL_EINVAL, "error: agent '%s' needs the run config (hyperparameters)", name);
        return NULL;
    }
    MrlAgent* a = calloc(1, sizeof *a);
    BanditAgent* b = calloc(1, sizeof *b);
    if (!a || !b) {
        free(a);
        free(b);
        mrl_fail(err, MRL_ENOMEM, "error: out of memory");
        return NULL;
    }
    b->tag = BL_TAG_BANDIT;
    b->rule = rule;
    b->epsilon = epsilon;
    b->ucb_c = run->ucb_c;
    b->ots_samples = run->ots_samples > 0 ? run->ots_samples : 1;
    b->discount = run->gittins_discount;
    b->trial_episodes = run->episodes > 0 ? run->episodes : 1;
    a->name = name;
    a->self = b;
    a->begin = bandit_begin;
    a->act = bandit_act;
    a->free = bandit_free;
    return a;
}

MrlAgent* mrl_agent_gittins_new(const MrlRunConfig* run, char* err) {
    return bl_bandit_new("gittins", BL_BANDIT_GITTINS, run, 0.0, err);
}

MrlAgent* mrl_agent_ts_new(const MrlRunConfig* run, char* err) {
    return bl_bandit_new("ts", BL_BANDIT_TS, run, 0.0, err);
}

MrlAgent* mrl_agent_ots_new(const MrlRunConfig* run, char* err) {
    return bl_bandit_new("ots", BL_BANDIT_OTS, run, 0.0, err);
}

MrlAgent* mrl_agent_ucb1_new(const MrlRunConfig* run, char* err) {
    return bl_bandit_new("ucb1", BL_BANDIT_UCB1, run, 0.0, err);
}

int mrl_baseline_bandit_counts(const MrlAgent* agent, int32_t slot, int32_t arm, double* succ,
                               double* fail) {
    agent = bl_active(agent);
    const BanditAgent* b = agent ? agent->self : NULL;
    if (!b || b->tag != BL_TAG_BANDIT || slot < 0 || slot >= b->n_slots || arm < 0 || arm >= b->k) {
        return MRL_EINVAL;
    }
    *succ = b->succ[(size_t)slot * (size_t)b->k + (size_t)arm];
    *fail = b->fail[(size_t)slot * (size_t)b->k + (size_t)arm];
    return MRL_OK;
}
