// mdp_agents.c — the tabular-MDP baselines of RL² Table 2: psrl, opsrl, ucrl2, beb
// and the MDP mode of epsilon_greedy / greedy. Finite-horizon, episodic, with the
// horizon H = max_episode_steps and sizes S, A from the discrete spaces.
//
// What an agent observes. At step t of a trial it sees the state s_t (obs),
// a_{t-1} (prev_action) and r_{t-1} (prev_reward). So it records the reward of
// (s_{t-1}, a_{t-1}) at every step after the first, and the transition
// (s_{t-1}, a_{t-1}) -> s_t; at an episode start, where s_t is the new episode's start
// state, the transition goes to the state the previous episode ended on instead
// (final_obs; its reward arrives as prev_reward of the next episode's first step).
// The last step of the trial's last episode is never recorded (no later act).
//
// Posterior (psrl, opsrl, beb, greedy, epsilon_greedy), conjugate with known unit
// reward noise:
//   transitions P(. | s, a) ~ Dirichlet(alpha0, ..., alpha0) -> Dirichlet(alpha0 + n(s, a, .))
//   mean reward mu(s, a) ~ Normal(mu0, 1 / tau0)
//                        -> Normal((tau0 mu0 + sum r) / (tau0 + n), 1 / (tau0 + n))
// with n(s, a) the rewards observed for (s, a). The defaults (agent.mdp_prior_mean
// mu0 = 1, agent.mdp_prior_precision tau0 = 1, agent.mdp_prior_alpha alpha0 = 1) are
// the RL² task distribution's own prior, as the bandit agents use the bandit's
// Beta(1, 1). The RL² paper's baselines came from TabulaRL, whose defaults are
// mu0 = 0, tau0 = 1, alpha0 = 1 (and tau0 = alpha0 = 1e-4, nearly the empirical
// model, for its epsilon-greedy); set the keys to run those.
//
// Planning, at each episode start only (the policy is fixed within an episode):
//   greedy          value iteration on the posterior-mean model; epsilon_greedy
//                   also takes a uniformly random action with probability epsilon
//                   (agent.epsilon) at every step
//   psrl            value iteration on one MDP sampled from the posterior
//                   (Strens 2000; Osband, Russo and Van Roy 2013)
//   opsrl           K sampled MDPs (agent.opsrl_samples), each solved; the agent
//                   acts on the largest Q of each (step, state, action) over the K
//                   solutions (the optimistic PSRL of Osband and Van Roy's TabulaRL)
//   beb             value iteration on the posterior-mean model with the reward bonus
//                   beta / (1 + n(s, a)) (Kolter and Ng 2009; agent.beb_beta)
//   ucrl2           extended value iteration (Jaksch, Ortner and Auer 2010), finite-
//                   horizon: empirical means r^(s, a) (0 when unvisited) and
//                   transition frequencies p^(. | s, a) (uniform when unobserved),
//                   optimistic reward r^ + c sqrt(14 ln(2 S A t / delta) / max(1, n))
//                   and transitions anywhere in the L1 ball of radius
//                   c sqrt(14 S ln(2 A t / delta) / max(1, n_p)) around p^, where
//                   t = steps taken so far in the trial (at least 1), n_p the observed
//                   transitions of (s, a), delta = agent.ucrl_delta, c = agent.ucrl_scale.
//                   The reward width is UCRL2's for rewards in [0, 1] doubled (the
//                   rewards here have unit standard deviation, twice the largest a
//                   [0, 1] variable can have).
// Ties between actions are broken uniformly at random with the slot's stream.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "baselines/internal.h"
#include "metarl/util.h"

#define MDP_MAX_STATES 1000
#define MDP_MAX_ACTIONS 1000
#define MDP_MAX_HORIZON 100000

typedef struct MdpAgent {
    int32_t tag;           // BL_TAG_MDP
    int32_t rule;          // BL_MDP_*
    double epsilon;        // epsilon_greedy
    int32_t opsrl_samples; // opsrl
    double beb_beta;       // beb
    double ucrl_delta;     // ucrl2
    double ucrl_scale;     // ucrl2
    double prior_mean;     // mu0: prior mean of each mean reward
    double prior_prec;     // tau0: its precision (the reward noise has precision 1)
    double prior_alpha;    // alpha0: Dirichlet weight of each next state

    int32_t n_slots, S, A, H;
    // per slot
    double* cnt;     // (N, S, A, S) observed transitions
    double* nr;      // (N, S, A) rewards observed
    double* rsum;    // (N, S, A) their sum
    double* q;       // (N, H, S, A) the episode's plan
    int32_t* prev_s; // (N) state of the previous step
    int32_t* h;      // (N) step within the episode
    int64_t* steps;  // (N) steps recorded in the trial
    // scratch shared by the slots (act runs them one after another)
    double* r;      // (S, A) model rewards
    double* bonus;  // (S, A) reward bonus or slack
    double* p;      // (S, A, S) model transitions
    double* pslack; // (S, A) ucrl2 L1 radius
    double* v;      // (H + 1, S) values
    double* q2;     // (H, S, A) one more plan (opsrl)
    double* alpha;  // (S) Dirichlet parameters
    double* popt;   // (S) optimistic transition row (ucrl2)
    int32_t* order; // (S) states by decreasing next value (ucrl2)
} MdpAgent;

// ---- value iteration ----

void mrl_baseline_value_iteration(double* q, double* v, const double* r, const double* bonus,
                                  const double* p, int32_t S, int32_t A, int32_t H) {
    size_t nS = (size_t)S, nA = (size_t)A;
    double* last = v + (size_t)H * nS;
    for (size_t s = 0; s < nS; s++) {
        last[s] = 0.0;
    }
    for (int32_t h = H - 1; h >= 0; h--) {
        const double* next = v + (size_t)(h + 1) * nS; // (S)
        double* vh = v + (size_t)h * nS;               // (S)
        double* qh = q + (size_t)h * nS * nA;          // (S, A)
        for (size_t s = 0; s < nS; s++) {
            double best = -INFINITY;
            for (size_t a = 0; a < nA; a++) {
                size_t sa = s * nA + a;
                const double* ps = p + sa * nS; // (S)
                double x = r[sa] + (bonus ? bonus[sa] : 0.0);
                for (size_t j = 0; j < nS; j++) {
                    x += ps[j] * next[j];
                }
                qh[sa] = x;
                best = x > best ? x : best;
            }
            vh[s] = best;
        }
    }
}

// ---- models ----

static void model_mean(MdpAgent* m, int32_t slot) {
    size_t SA = (size_t)m->S * (size_t)m->A, S = (size_t)m->S;
    const double* cnt = m->cnt + (size_t)slot * SA * S;
    const double* nr = m->nr + (size_t)slot * SA;
    const double* rsum = m->rsum + (size_t)slot * SA;
    for (size_t sa = 0; sa < SA; sa++) {
        m->r[sa] = (m->prior_mean * m->prior_prec + rsum[sa]) / (m->prior_prec + nr[sa]);
        const double* c = cnt + sa * S;
        double tot = (double)S * m->prior_alpha;
        for (size_t j = 0; j < S; j++) {
            tot += c[j];
        }
        for (size_t j = 0; j < S; j++) {
            m->p[sa * S + j] = (m->prior_alpha + c[j]) / tot;
        }
    }
}

static void model_sample(MdpAgent* m, int32_t slot, MrlRng* rng) {
    size_t SA = (size_t)m->S * (size_t)m->A, S = (size_t)m->S;
    const double* cnt = m->cnt + (size_t)slot * SA * S;
    const double* nr = m->nr + (size_t)slot * SA;
    const double* rsum = m->rsum + (size_t)slot * SA;
    for (size_t sa = 0; sa < SA; sa++) {
        double prec = m->prior_prec + nr[sa];
        double mean = (m->prior_mean * m->prior_prec + rsum[sa]) / prec;
        m->r[sa] = mean + mrl_rng_normal(rng) / sqrt(prec);
        for (size_t j = 0; j < S; j++) {
            m->alpha[j] = m->prior_alpha + cnt[sa * S + j];
        }
        mrl_baseline_dirichlet(m->p + sa * S, rng, m->alpha, m->S);
    }
}

// ---- UCRL2: extended value iteration ----

static void ucrl2_plan(MdpAgent* m, int32_t slot, double* q) {
    size_t SA = (size_t)m->S * (size_t)m->A, S = (size_t)m->S, A = (size_t)m->A;
    const double* cnt = m->cnt + (size_t)slot * SA * S;
    const double* nr = m->nr + (size_t)slot * SA;
    const double* rsum = m->rsum + (size_t)slot * SA;
    double t = m->steps[slot] > 0 ? (double)m->steps[slot] : 1.0;
    double lr = log(2.0 * (double)SA * t / m->ucrl_delta);
    double lp = log(2.0 * (double)A * t / m->ucrl_delta);
    for (size_t sa = 0; sa < SA; sa++) {
        m->r[sa] = nr[sa] > 0.0 ? rsum[sa] / nr[sa] : 0.0;
        m->bonus[sa] = m->ucrl_scale * sqrt(14.0 * lr / (nr[sa] > 1.0 ? nr[sa] : 1.0));
        const double* c = cnt + sa * S;
        double np = 0.0;
        for (size_t j = 0; j < S; j++) {
            np += c[j];
        }
        for (size_t j = 0; j < S; j++) {
            m->p[sa * S + j] = np > 0.0 ? c[j] / np : 1.0 / (double)S;
        }
        m->pslack[sa] = m->ucrl_scale * sqrt(14.0 * (double)S * lp / (np > 1.0 ? np : 1.0));
    }
    double* v = m->v;
    double* last = v + (size_t)m->H * S;
    for (size_t s = 0; s < S; s++) {
        last[s] = 0.0;
    }
    for (int32_t h = m->H - 1; h >= 0; h--) {
        const double* next = v + (size_t)(h + 1) * S;
        // states by decreasing next value (insertion sort; S is small)
        for (size_t i = 0; i < S; i++) {
            int32_t x = (int32_t)i;
            size_t j = i;
            while (j > 0 && next[m->order[j - 1]] < next[x]) {
                m->order[j] = m->order[j - 1];
                j--;
            }
            m->order[j] = x;
        }
        double* qh = q + (size_t)h * SA;
        double* vh = v + (size_t)h * S;
        for (size_t s = 0; s < S; s++) {
            double best = -INFINITY;
            for (size_t a = 0; a < A; a++) {
                size_t sa = s * A + a;
                const double* ph = m->p + sa * S;
                for (size_t j = 0; j < S; j++) {
                    m->popt[j] = ph[j];
                }
                // move up to half the L1 radius onto the best next state, taking it
                // from the worst states first
                int32_t top = m->order[0];
                double add = 0.5 * m->pslack[sa];
                if (add > 1.0 - m->popt[top]) {
                    add = 1.0 - m->popt[top];
                }
                m->popt[top] += add;
                for (size_t i = S - 1; i > 0 && add > 0.0; i--) {
                    int32_t w = m->order[i];
                    double take = m->popt[w] < add ? m->popt[w] : add;
                    m->popt[w] -= take;
                    add -= take;
                }
                double x = m->r[sa] + m->bonus[sa];
                for (size_t j = 0; j < S; j++) {
                    x += m->popt[j] * next[j];
                }
                qh[sa] = x;
                best = x > best ? x : best;
            }
            vh[s] = best;
        }
    }
}

// ---- planning at an episode start ----

static void plan(MdpAgent* m, int32_t slot, MrlRng* rng) {
    size_t HSA = (size_t)m->H * (size_t)m->S * (size_t)m->A, SA = (size_t)m->S * (size_t)m->A;
    double* q = m->q + (size_t)slot * HSA;
    switch (m->rule) {
    case BL_MDP_PSRL:
        model_sample(m, slot, rng);
        mrl_baseline_value_iteration(q, m->v, m->r, NULL, m->p, m->S, m->A, m->H);
        break;
    case BL_MDP_OPSRL:
        model_sample(m, slot, rng);
        mrl_baseline_value_iteration(q, m->v, m->r, NULL, m->p, m->S, m->A, m->H);
        for (int32_t k = 1; k < m->opsrl_samples; k++) {
            model_sample(m, slot, rng);
            mrl_baseline_value_iteration(m->q2, m->v, m->r, NULL, m->p, m->S, m->A, m->H);
            for (size_t i = 0; i < HSA; i++) {
                q[i] = m->q2[i] > q[i] ? m->q2[i] : q[i];
            }
        }
        break;
    case BL_MDP_BEB: {
        model_mean(m, slot);
        const double* nr = m->nr + (size_t)slot * SA;
        for (size_t sa = 0; sa < SA; sa++) {
            m->bonus[sa] = m->beb_beta / (1.0 + nr[sa]);
        }
        mrl_baseline_value_iteration(q, m->v, m->r, m->bonus, m->p, m->S, m->A, m->H);
        break;
    }
    case BL_MDP_UCRL2:
        ucrl2_plan(m, slot, q);
        break;
    default: // BL_MDP_EGREEDY
        model_mean(m, slot);
        mrl_baseline_value_iteration(q, m->v, m->r, NULL, m->p, m->S, m->A, m->H);
        break;
    }
}

// ---- the agent ----

static void free_slots(MdpAgent* m) {
    void* bufs[] = {m->cnt,   m->nr, m->rsum,   m->q, m->prev_s, m->h,     m->steps, m->r,
                    m->bonus, m->p,  m->pslack, m->v, m->q2,     m->alpha, m->popt,  m->order};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) {
        free(bufs[i]);
    }
    m->cnt = m->nr = m->rsum = m->q = m->r = m->bonus = m->p = m->pslack = m->v = m->q2 = m->alpha =
        m->popt = NULL;
    m->prev_s = m->h = m->order = NULL;
    m->steps = NULL;
}

static int mdp_begin(MrlAgent* agent, int32_t n_slots, const MrlEnvInfo* info, char* err) {
    MdpAgent* m = agent->self;
    if (info->obs.kind != MRL_SPACE_DISCRETE || info->action.kind != MRL_SPACE_DISCRETE) {
        return mrl_fail(err, MRL_EINVAL,
                        "error: agent '%s' needs a discrete observation (the state) and a "
                        "discrete action space",
                        agent->name);
    }
    if (info->obs.n > MDP_MAX_STATES || info->action.n > MDP_MAX_ACTIONS ||
        info->max_episode_steps > MDP_MAX_HORIZON) {
        return mrl_fail(err, MRL_EINVAL,
                        "error: agent '%s' plans on tables of at most %d states, %d actions "
                        "and %d steps per episode",
                        agent->name, MDP_MAX_STATES, MDP_MAX_ACTIONS, MDP_MAX_HORIZON);
    }
    free_slots(m);
    m->n_slots = n_slots;
    m->S = info->obs.n;
    m->A = info->action.n;
    m->H = (int32_t)info->max_episode_steps;
    size_t N = (size_t)n_slots, S = (size_t)m->S, SA = S * (size_t)m->A;
    size_t HSA = (size_t)m->H * SA;
    m->cnt = calloc(N * SA * S, sizeof(double));
    m->nr = calloc(N * SA, sizeof(double));
    m->rsum = calloc(N * SA, sizeof(double));
    m->q = calloc(N * HSA, sizeof(double));
    m->prev_s = calloc(N, sizeof(int32_t));
    m->h = calloc(N, sizeof(int32_t));
    m->steps = calloc(N, sizeof(int64_t));
    m->r = calloc(SA, sizeof(double));
    m->bonus = calloc(SA, sizeof(double));
    m->p = calloc(SA * S, sizeof(double));
    m->pslack = calloc(SA, sizeof(double));
    m->v = calloc(((size_t)m->H + 1) * S, sizeof(double));
    m->q2 = calloc(HSA, sizeof(double));
    m->alpha = calloc(S, sizeof(double));
    m->popt = calloc(S, sizeof(double));
    m->order = calloc(S, sizeof(int32_t));
    if (!m->cnt || !m->nr || !m->rsum || !m->q || !m->prev_s || !m->h || !m->steps || !m->r ||
        !m->bonus || !m->p || !m->pslack || !m->v || !m->q2 || !m->alpha || !m->popt || !m->order) {
        free_slots(m);
        return mrl_fail(err, MRL_ENOMEM, "error: agent '%s': out of memory", agent->name);
    }
    return MRL_OK;
}

static int32_t clamp_index(float x, int32_t n) {
    int32_t i = (int32_t)x;
    return i < 0 ? 0 : (i >= n ? n - 1 : i);
}

static int mdp_act(MrlAgent* agent, float* action, const MrlStepBatch* batch, MrlRng* rngs,
                   char* err) {
    MdpAgent* m = agent->self;
    if (batch->n_slots > m->n_slots) {
        return mrl_fail(err, MRL_ESTATE, "error: agent '%s': %d slots but begin prepared %d",
                        agent->name, (int)batch->n_slots, (int)m->n_slots);
    }
    size_t S = (size_t)m->S, A = (size_t)m->A, SA = S * A, HSA = (size_t)m->H * SA;
    for (int32_t slot = 0; slot < batch->n_slots; slot++) {
        int32_t fl = batch->flags[slot];
        if (!(fl & MRL_SLOT_ACTIVE)) {
            continue;
        }
        MrlRng* rng = &rngs[slot];
        int32_t s = clamp_index(batch->obs[(size_t)slot * (size_t)batch->obs_floats], m->S);
        double* cnt = m->cnt + (size_t)slot * SA * S;
        double* nr = m->nr + (size_t)slot * SA;
        double* rsum = m->rsum + (size_t)slot * SA;
        if (fl & MRL_SLOT_TRIAL_START) {
            memset(cnt, 0, SA * S * sizeof *cnt);
            memset(nr, 0, SA * sizeof *nr);
            memset(rsum, 0, SA * sizeof *rsum);
            m->steps[slot] = 0;
            m->h[slot] = 0;
        } else {
            // the previous step: its reward, and its transition to s_t, or at an episode
            // start to the state the previous episode ended on
            int32_t a =
                clamp_index(batch->prev_action[(size_t)slot * (size_t)batch->act_floats], m->A);
            size_t sa = (size_t)m->prev_s[slot] * A + (size_t)a;
            nr[sa] += 1.0;
            rsum[sa] += (double)batch->prev_reward[slot];
            m->steps[slot]++;
            if (fl & MRL_SLOT_EPISODE_START) {
                int32_t e =
                    clamp_index(batch->final_obs[(size_t)slot * (size_t)batch->obs_floats], m->S);
                cnt[sa * S + (size_t)e] += 1.0;
                m->h[slot] = 0;
            } else {
                cnt[sa * S + (size_t)s] += 1.0;
                m->h[slot] = m->h[slot] + 1 < m->H ? m->h[slot] + 1 : m->H - 1;
            }
        }
        if (fl & MRL_SLOT_EPISODE_START) {
            plan(m, slot, rng);
        }
        int32_t act;
        if (m->rule == BL_MDP_EGREEDY && m->epsilon > 0.0 && mrl_rng_uniform(rng) < m->epsilon) {
            act = (int32_t)mrl_rng_below(rng, (uint32_t)m->A);
        } else {
            const double* qs = m->q + (size_t)slot * HSA + (size_t)m->h[slot] * SA + (size_t)s * A;
            act = mrl_baseline_argmax(qs, m->A, rng);
        }
        action[(size_t)slot * (size_t)batch->act_floats] = (float)act;
        m->prev_s[slot] = s;
    }
    return MRL_OK;
}

static void mdp_free(MrlAgent* agent) {
    if (!agent) {
        return;
    }
    MdpAgent* m = agent->self;
    if (m) {
        free_slots(m);
        free(m);
    }
    free(agent);
}

MrlAgent* bl_mdp_new(const char* name, int rule, const MrlRunConfig* run, double epsilon,
                     char* err) {
    if (!run) {
        mrl_fail(err, MRL_EINVAL, "error: agent '%s' needs the run config (hyperparameters)", name);
        return NULL;
    }
    MrlAgent* a = calloc(1, sizeof *a);
    MdpAgent* m = calloc(1, sizeof *m);
    if (!a || !m) {
        free(a);
        free(m);
        mrl_fail(err, MRL_ENOMEM, "error: out of memory");
        return NULL;
    }
    m->tag = BL_TAG_MDP;
    m->rule = rule;
    m->epsilon = epsilon;
    m->opsrl_samples = run->opsrl_samples > 0 ? run->opsrl_samples : 1;
    m->beb_beta = run->beb_beta;
    m->ucrl_delta = run->ucrl_delta > 0.0 ? run->ucrl_delta : 0.05;
    m->ucrl_scale = run->ucrl_scale;
    m->prior_mean = run->mdp_prior_mean;
    m->prior_prec = run->mdp_prior_precision > 0.0 ? run->mdp_prior_precision : 1.0;
    m->prior_alpha = run->mdp_prior_alpha > 0.0 ? run->mdp_prior_alpha : 1.0;
    a->name = name;
    a->self = m;
    a->begin = mdp_begin;
    a->act = mdp_act;
    a->free = mdp_free;
    return a;
}

MrlAgent* mrl_agent_psrl_new(const MrlRunConfig* run, char* err) {
    return bl_mdp_new("psrl", BL_MDP_PSRL, run, 0.0, err);
}

MrlAgent* mrl_agent_opsrl_new(const MrlRunConfig* run, char* err) {
    return bl_mdp_new("opsrl", BL_MDP_OPSRL, run, 0.0, err);
}

MrlAgent* mrl_agent_ucrl2_new(const MrlRunConfig* run, char* err) {
    return bl_mdp_new("ucrl2", BL_MDP_UCRL2, run, 0.0, err);
}

MrlAgent* mrl_agent_beb_new(const MrlRunConfig* run, char* err) {
    return bl_mdp_new("beb", BL_MDP_BEB, run, 0.0, err);
}

// ---- inspection ----

static const MdpAgent* as_mdp(const MrlAgent* agent, int32_t slot) {
    agent = bl_active(agent);
    const MdpAgent* m = agent ? agent->self : NULL;
    if (!m || m->tag != BL_TAG_MDP || slot < 0 || slot >= m->n_slots) {
        return NULL;
    }
    return m;
}

int mrl_baseline_mdp_counts(const MrlAgent* agent, int32_t slot, int32_t s, int32_t a,
                            double* n_reward, double* reward_sum, double* next) {
    const MdpAgent* m = as_mdp(agent, slot);
    if (!m || s < 0 || s >= m->S || a < 0 || a >= m->A) {
        return MRL_EINVAL;
    }
    size_t SA = (size_t)m->S * (size_t)m->A, sa = (size_t)s * (size_t)m->A + (size_t)a;
    *n_reward = m->nr[(size_t)slot * SA + sa];
    *reward_sum = m->rsum[(size_t)slot * SA + sa];
    if (next) {
        const double* c = m->cnt + ((size_t)slot * SA + sa) * (size_t)m->S;
        memcpy(next, c, (size_t)m->S * sizeof *next);
    }
    return MRL_OK;
}

const double* mrl_baseline_mdp_q(const MrlAgent* agent, int32_t slot) {
    const MdpAgent* m = as_mdp(agent, slot);
    if (!m) {
        return NULL;
    }
    return m->q + (size_t)slot * (size_t)m->H * (size_t)m->S * (size_t)m->A;
}
