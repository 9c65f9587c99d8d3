// baselines.h — the classical baselines of the RL² bandit and tabular-MDP tables
// (Duan et al. 2016, Table 1 and 2), as built-in agents, plus the pieces they are
// made of, exposed here so tests/test_baselines.c can check each one on tiny cases.
//
// Bandit agents (agents/baselines/bandit_agents.c): gittins, ts, ots, ucb1, and the
// bandit mode of epsilon_greedy / greedy. They treat every step as one pull of the
// discrete action's arm and read the outcome from the next step's prev_action and
// prev_reward; a reward r in [0, 1] counts as r successes and 1 - r failures of a
// Beta-Bernoulli model with a Beta(1, 1) prior (the bandit plugin pays 0 or 1).
//
// MDP agents (agents/baselines/mdp_agents.c): psrl, opsrl, ucrl2, beb, and the MDP
// mode of epsilon_greedy / greedy. They need a DISCRETE observation (the state) and
// action, rebuild the observed transitions from (previous obs, prev_action, obs),
// and plan by finite-horizon value iteration at each episode start only.
//
// epsilon_greedy and greedy pick their mode in `begin`: MDP mode when the
// observation is DISCRETE and episodes last more than one step, bandit mode
// otherwise.
//
// Every agent allocates in `begin` only; `act` makes no heap call. One agent's `act`
// is not reentrant (slots share scratch buffers); the evaluator calls it from one
// thread. Hyperparameters come from the run config's agent.* keys (metarl/config.h).
#ifndef METARL_AGENTS_BASELINES_H
#define METARL_AGENTS_BASELINES_H

#include <stddef.h>
#include <stdint.h>

#include "metarl/agent.h"

// ---- constructors (rows of agents/registry.c) ----

MrlAgent* mrl_agent_gittins_new(const MrlRunConfig* run, char* err);
MrlAgent* mrl_agent_ts_new(const MrlRunConfig* run, char* err);
MrlAgent* mrl_agent_ots_new(const MrlRunConfig* run, char* err);
MrlAgent* mrl_agent_ucb1_new(const MrlRunConfig* run, char* err);
MrlAgent* mrl_agent_epsilon_greedy_new(const MrlRunConfig* run, char* err);
MrlAgent* mrl_agent_greedy_new(const MrlRunConfig* run, char* err);
MrlAgent* mrl_agent_psrl_new(const MrlRunConfig* run, char* err);
MrlAgent* mrl_agent_opsrl_new(const MrlRunConfig* run, char* err);
MrlAgent* mrl_agent_ucrl2_new(const MrlRunConfig* run, char* err);
MrlAgent* mrl_agent_beb_new(const MrlRunConfig* run, char* err);

// ---- random draws (sample.c) ----

// Returns a Gamma(shape, 1) draw (Marsaglia and Tsang 2000; shape < 1 by the
// U^(1/shape) boost). shape > 0.
double mrl_baseline_gamma(MrlRng* rng, double shape);

// Returns a Beta(a, b) draw as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b).
double mrl_baseline_beta(MrlRng* rng, double a, double b);

// Writes a Dirichlet(alpha) draw into `out` (n values): normalised Gamma draws.
void mrl_baseline_dirichlet(double* out, MrlRng* rng, const double* alpha, int32_t n);

// Returns the index of the largest of `x` (n values), ties broken uniformly at
// random with `rng` (draws only when there is a tie).
int32_t mrl_baseline_argmax(const double* x, int32_t n, MrlRng* rng);

// ---- Gittins indices for Bernoulli arms with a Beta(1, 1) prior (gittins.c) ----
//
// State of an arm: s successes and f failures observed (posterior Beta(1+s, 1+f)).
//
// Finite horizon (discount 0): the index of (s, f) with m pulls left in the trial is
// the retirement rate lambda at which a gambler holding only this arm is indifferent
// between pulling it now (and then following the best stopping rule) and retiring
// at once on lambda per remaining pull:
//     U(s, f, m) = max(m lambda, p (1 + U(s+1, f, m-1)) + (1 - p) U(s, f+1, m-1)),
//     p = (s + 1) / (s + f + 2),  U(., ., 0) = 0;
// the index is the root of D(lambda) = C(s, f, m; lambda) - m lambda, where C is
// the second term of the max (continue now). Equivalently the largest
// E[reward before tau] / E[tau] over stopping times 1 <= tau <= m. With one pull
// left the index is the posterior mean.
//
// Discounted (0 < gamma < 1): the classical Gittins index, the same calibration with
// retirement worth lambda / (1 - gamma) and continuation p (1 + gamma U(s+1, f)) +
// (1 - p) gamma U(s, f+1), computed on a triangle truncated `depth` levels below the
// deepest tabulated state, where U is replaced by max(lambda, p) / (1 - gamma).
//
// Method (both): one dynamic programme per lambda of a grid 0, 1/G, ..., (G-1)/G
// computes U and, alongside, R = d C / d lambda (the expected number of retired
// pulls, discounted for gamma > 0, under the optimal stopping rule) for every
// state at once. D is convex and decreasing in lambda, so from the largest grid
// point where D > 0 one Newton step, lambda + D / (m - R), lands on the root
// whenever the optimal stopping rule does not change in between, and below it
// otherwise (a tangent of a convex function). tests/test_baselines.c compares
// the table with mrl_gittins_index_bisect (bisection to 1e-12 on one state's own
// programme) and with published values.
typedef struct MrlGittinsTable {
    int32_t n;         // finite horizon: trial length (pulls); discounted: largest s + f
    double discount;   // 0 = finite horizon
    int32_t grid;      // G
    float* index;      // finite: layer m (1..n) at layer_off[m], (s, f) with s + f <= n - m
                       // in triangle order; discounted: one triangle s + f <= n
    size_t* layer_off; // (n + 2) finite: offset of layer m; NULL when discounted
    size_t n_values;   // floats in `index`
} MrlGittinsTable;

// Computes the table for trials of `n` pulls (finite horizon, discount 0) or for
// states with s + f <= n (discounted, then truncated `depth` levels deeper; depth
// 0 picks a depth where discount^depth < 1e-7). `grid` 0 picks 64. n <= 1000
// (finite horizon) or 2000 (discounted).
// Returns MRL_OK, MRL_EINVAL or MRL_ENOMEM with text in `err`. Finite-horizon
// tables hold about n^3/6 floats (84 MB for n = 500) and take about G n^3 / 6
// dynamic-programming updates to build.
int mrl_gittins_init(MrlGittinsTable* g, int32_t n, double discount, int32_t grid, int32_t depth,
                     char* err);

// Returns the index of an arm with s successes and f failures and `remaining`
// pulls left (remaining is ignored when discounted). Out of the table's range
// (s + f > n - remaining, remaining < 1) it returns the posterior mean.
double mrl_gittins_index(const MrlGittinsTable* g, int32_t s, int32_t f, int32_t remaining);

// Frees the table and zeroes it. Safe on a zeroed table.
void mrl_gittins_release(MrlGittinsTable* g);

// Reference implementation: the index of one state by bisection (to `tol`) on the
// state's own dynamic programme (finite horizon: `remaining` pulls; discounted:
// `depth` levels then the truncation above). Slow (allocates, O(depth^2) per
// step); for tests. Returns NAN when out of memory.
double mrl_gittins_index_bisect(int32_t s, int32_t f, int32_t remaining, double discount,
                                int32_t depth, double tol);

// ---- finite-horizon value iteration (mdp_agents.c) ----

// Backward induction over H steps: q (H, S, A) with
//     q[h, s, a] = r[s, a] + bonus[s, a] + sum_j p[s, a, j] v[h + 1, j],
//     v[h, s] = max_a q[h, s, a],  v[H, .] = 0.
// `bonus` may be NULL. `v` is (H + 1, S) scratch that holds the values after.
void mrl_baseline_value_iteration(double* q, double* v, const double* r, const double* bonus,
                                  const double* p, int32_t S, int32_t A, int32_t H);

// ---- inspection (tests) ----

// The Beta posterior of arm `arm` in slot `slot` of a bandit-mode agent:
// *succ and *fail are the observed successes and failures (prior excluded).
// Returns MRL_OK, or MRL_EINVAL for another agent, slot or arm.
int mrl_baseline_bandit_counts(const MrlAgent* agent, int32_t slot, int32_t arm, double* succ,
                               double* fail);

// The statistics an MDP-mode agent holds for (s, a) in slot `slot`: *n_reward
// rewards observed with sum *reward_sum, and the observed transition counts to
// every next state in `next` (S values; may be NULL). Returns MRL_OK or MRL_EINVAL.
int mrl_baseline_mdp_counts(const MrlAgent* agent, int32_t slot, int32_t s, int32_t a,
                            double* n_reward, double* reward_sum, double* next);

// The Q values an MDP-mode agent planned at its slot's last episode start:
// returns a pointer to (H, S, A) doubles, or NULL. Valid until the next act.
const double* mrl_baseline_mdp_q(const MrlAgent* agent, int32_t slot);

#endif // METARL_AGENTS_BASELINES_H
