// tabular_mdp.c — the random tabular MDPs of RL² (Duan et al. 2016, section 3.2) as a
// metarl plugin.
//
// Task (plain doubles, task_bytes = 8 S A (S + 1)):
//     double mean[S * A];      // (S, A)    mean reward of (s, a), ~ Normal(1, 1)
//     double trans[S * A * S]; // (S, A, S) P(s' | s, a), each row ~ flat Dirichlet(1)
// The Dirichlet rows are normalised Gamma(1) draws, -log(1 - U), from the task stream.
// Episode: starts in state 0 and lasts exactly `horizon` steps; the last step reports
// truncated = 1 (terminated is always MRL_TERM_NONE: no state is terminal). The reward of
// a step is Normal(mean[s, a], 1), drawn from the episode stream, as is the next state.
// Observation: DISCRETE S (the state index as a float). Action: DISCRETE A.
//
// Parameters (all SHAPE: they size the spaces, the task or the state block):
//   states (INT 1..100, default 10), actions (INT 1..50, default 5),
//   horizon (INT 1..1000, default 10; also max_episode_steps).
// Capabilities: text render; oracle by finite-horizon value iteration on the true MDP,
// run in reset (cached by a hash of the task bytes, so repeated episodes of one task
// cost one hash) into the state block: value = optimal expected return from the current
// (state, step) to the end of the episode, action = an optimal action (lowest index on
// ties). After the episode ended the oracle reports value 0 and no action.
// A uniformly random policy earns 10 per episode on average with the defaults
// (every mean reward has expectation 1), so 100 over a 10-episode trial.
//
// Build: part of the main build, output <build>/plugins/tabular_mdp.so.
// Test: ctest -R 'tabular_mdp|conformance'.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <metarl/plugin.h>

#define MAX_STATES 100
#define MAX_ACTIONS 50
#define MAX_HORIZON 1000

// ---- sizes and layout ----

typedef struct Dims {
    int32_t S; // states
    int32_t A; // actions
    int32_t H; // horizon
} Dims;

// the fixed part of the state block; value and policy tables follow it
typedef struct MdpState {
    const double* task;   // current task (mean then trans), NULL before the first reset
    Dims d;               // sizes from the parameters
    int32_t s;            // current state
    int32_t t;            // steps taken in this episode
    int32_t last_action;  // -1 at the start of an episode
    float last_reward;    // reward of the last step
    int32_t solved;       // 1 once value/policy hold the solution of the task hashed below
    int32_t reserved;     // zero
    uint64_t solved_hash; // hash of the task bytes the tables were computed for
    // double value[(H + 1) * S];  // (H + 1, S) optimal value with t steps taken
    // int32_t policy[H * S];      // (H, S)     optimal action
} MdpState;

static const MrlParamDef params_table[] = {
    {"states", MRL_PARAM_INT, MRL_PARAM_SHAPE, 10, 1, MAX_STATES, NULL, "number of states S"},
    {"actions", MRL_PARAM_INT, MRL_PARAM_SHAPE, 5, 1, MAX_ACTIONS, NULL, "number of actions A"},
    {"horizon", MRL_PARAM_INT, MRL_PARAM_SHAPE, 10, 1, MAX_HORIZON, NULL,
     "steps per episode; every episode starts in state 0"},
};

// reads the sizes from `params`; 0 if one is out of range
static int dims_of(Dims* d, const double* params) {
    const double lim[3] = {MAX_STATES, MAX_ACTIONS, MAX_HORIZON};
    for (int i = 0; i < 3; i++) {
        if (!(params[i] >= 1 && params[i] <= lim[i]) || params[i] != floor(params[i])) {
            return 0;
        }
    }
    d->S = (int32_t)params[0];
    d->A = (int32_t)params[1];
    d->H = (int32_t)params[2];
    return 1;
}

static size_t value_offset(void) {
    return (sizeof(MdpState) + 7) & ~(size_t)7;
}

static size_t policy_offset(const Dims* d) {
    return value_offset() + (size_t)(d->H + 1) * (size_t)d->S * sizeof(double);
}

static size_t state_size(const Dims* d) {
    return policy_offset(d) + (size_t)d->H * (size_t)d->S * sizeof(int32_t);
}

static double* value_table(MdpState* st) {
    return (double*)((char*)st + value_offset());
}

static int32_t* policy_table(MdpState* st) {
    return (int32_t*)((char*)st + policy_offset(&st->d));
}

static size_t task_size(const Dims* d) {
    return (size_t)d->S * (size_t)d->A * (size_t)(d->S + 1) * sizeof(double);
}

// ---- static callbacks ----

static int32_t mdp_describe(MrlEnvInfo* info, const double* params, char* err) {
    Dims d;
    if (!dims_of(&d, params)) {
        snprintf(err, MRL_ERR_MAX,
                 "states, actions, horizon must be integers in [1, %d], [1, %d], [1, %d]",
                 MAX_STATES, MAX_ACTIONS, MAX_HORIZON);
        return MRL_EINVAL;
    }
    memset(info, 0, sizeof *info);
    info->obs.kind = MRL_SPACE_DISCRETE;
    info->obs.n = d.S;
    info->action.kind = MRL_SPACE_DISCRETE;
    info->action.n = d.A;
    info->task_bytes = task_size(&d);
    info->state_bytes = state_size(&d);
    info->max_episode_steps = d.H;
    info->reward_min = -INFINITY;
    info->reward_max = INFINITY;
    return MRL_OK;
}

static int32_t mdp_task_sample(void* task, const double* params, MrlRng* rng, char* err) {
    Dims d;
    if (!dims_of(&d, params)) {
        snprintf(err, MRL_ERR_MAX, "parameters out of range");
        return MRL_EINVAL;
    }
    size_t SA = (size_t)d.S * (size_t)d.A;
    double* mean = task;       // (S, A)
    double* trans = mean + SA; // (S, A, S)
    for (size_t i = 0; i < SA; i++) {
        mean[i] = 1.0 + mrl_rng_normal(rng);
    }
    for (size_t i = 0; i < SA; i++) {
        double* row = trans + i * (size_t)d.S; // (S)
        double sum = 0.0;
        for (int32_t j = 0; j < d.S; j++) {
            row[j] = -log(1.0 - mrl_rng_uniform(rng)); // Gamma(1)
            sum += row[j];
        }
        for (int32_t j = 0; j < d.S; j++) {
            row[j] = sum > 0.0 ? row[j] / sum : 1.0 / (double)d.S;
        }
    }
    return MRL_OK;
}

static uint64_t mdp_task_fingerprint(const void* task, const double* params) {
    Dims d;
    if (!dims_of(&d, params)) {
        return 0;
    }
    return mrl_fingerprint_bytes(task, task_size(&d));
}

// ---- value iteration ----

// finite-horizon backward induction on the true MDP into the state's tables
static void solve(MdpState* st) {
    const Dims* d = &st->d;
    size_t S = (size_t)d->S, A = (size_t)d->A;
    const double* mean = st->task;      // (S, A)
    const double* trans = mean + S * A; // (S, A, S)
    double* value = value_table(st);    // (H + 1, S)
    int32_t* policy = policy_table(st); // (H, S)
    double* last = value + (size_t)d->H * S;
    for (size_t s = 0; s < S; s++) {
        last[s] = 0.0;
    }
    for (int32_t t = d->H - 1; t >= 0; t--) {
        const double* next = value + (size_t)(t + 1) * S; // (S)
        double* v = value + (size_t)t * S;                // (S)
        int32_t* pi = policy + (size_t)t * S;             // (S)
        for (size_t s = 0; s < S; s++) {
            double best = -INFINITY;
            int32_t best_a = 0;
            for (size_t a = 0; a < A; a++) {
                const double* p = trans + (s * A + a) * S; // (S)
                double q = mean[s * A + a];
                for (size_t j = 0; j < S; j++) {
                    q += p[j] * next[j];
                }
                if (q > best) {
                    best = q;
                    best_a = (int32_t)a;
                }
            }
            v[s] = best;
            pi[s] = best_a;
        }
    }
}

// ---- instance callbacks ----

static int32_t mdp_init(void* state, const double* params, char* err) {
    MdpState* st = state;
    if (!dims_of(&st->d, params)) {
        snprintf(err, MRL_ERR_MAX, "parameters out of range");
        return MRL_EINVAL;
    }
    st->last_action = -1;
    return MRL_OK;
}

static int32_t mdp_reset(void* state, float* obs, const void* task, MrlRng* rng, char* err) {
    (void)rng;
    (void)err;
    MdpState* st = state;
    st->task = task;
    uint64_t h = mrl_fingerprint_bytes(task, task_size(&st->d));
    if (!st->solved || st->solved_hash != h) {
        solve(st);
        st->solved = 1;
        st->solved_hash = h;
    }
    st->s = 0;
    st->t = 0;
    st->last_action = -1;
    st->last_reward = 0.0f;
    obs[0] = 0.0f;
    return MRL_OK;
}

static int32_t mdp_step(void* state, float* obs, float* reward, int32_t* terminated,
                        int32_t* truncated, const float* action, MrlRng* rng, char* err) {
    MdpState* st = state;
    const Dims* d = &st->d;
    if (!st->task || st->t >= d->H) {
        snprintf(err, MRL_ERR_MAX, "step called before reset or after the episode ended");
        return MRL_ESTATE;
    }
    float a = action[0];
    if (!(a >= 0.0f && a < (float)d->A) || a != floorf(a)) {
        snprintf(err, MRL_ERR_MAX, "action %g is not an action index in [0, %d)", (double)a,
                 (int)d->A);
        return MRL_EINVAL;
    }
    size_t S = (size_t)d->S, A = (size_t)d->A;
    size_t sa = (size_t)st->s * A + (size_t)a;
    const double* p = st->task + S * A + sa * S; // (S)
    double r = st->task[sa] + mrl_rng_normal(rng);
    // next state by inverse CDF; rounding leftovers go to the last reachable state
    double u = mrl_rng_uniform(rng), cum = 0.0;
    int32_t next = -1;
    for (size_t j = 0; j < S; j++) {
        if (p[j] > 0.0) {
            next = (int32_t)j;
            cum += p[j];
            if (u < cum) {
                break;
            }
        }
    }
    st->s = next < 0 ? 0 : next;
    st->t++;
    st->last_action = (int32_t)a;
    st->last_reward = (float)r;
    obs[0] = (float)st->s;
    *reward = (float)r;
    *terminated = MRL_TERM_NONE;
    *truncated = st->t >= d->H ? 1 : 0;
    return MRL_OK;
}

// ---- optional capabilities ----

static int32_t mdp_render_text(const void* state, char* buf, uint64_t buf_size, char* err) {
    const MdpState* st = state;
    if (buf_size == 0) {
        snprintf(err, MRL_ERR_MAX, "empty render buffer");
        return MRL_EINVAL;
    }
    size_t cap = (size_t)buf_size, used = 0;
    if (!st->task) {
        snprintf(buf, cap, "tabular_mdp: %d states, %d actions, no task yet\n", (int)st->d.S,
                 (int)st->d.A);
        return MRL_OK;
    }
    int w = snprintf(buf, cap, "tabular_mdp: state %d, step %d/%d", (int)st->s, (int)st->t,
                     (int)st->d.H);
    used = w < 0 ? cap : (size_t)w;
    if (used < cap && st->last_action >= 0) {
        w = snprintf(buf + used, cap - used, ", last action %d reward %.3f", (int)st->last_action,
                     (double)st->last_reward);
        used += w < 0 ? cap : (size_t)w;
    }
    if (used < cap) {
        w = snprintf(buf + used, cap - used, "\nmean reward of state %d:", (int)st->s);
        used += w < 0 ? cap : (size_t)w;
    }
    const double* mean = st->task + (size_t)st->s * (size_t)st->d.A; // (A)
    for (int32_t a = 0; a < st->d.A && used < cap; a++) {
        w = snprintf(buf + used, cap - used, " %.3f", mean[a]);
        used += w < 0 ? cap : (size_t)w;
    }
    if (used < cap) {
        snprintf(buf + used, cap - used, "\n");
    }
    return MRL_OK;
}

static int32_t mdp_oracle(const void* state, MrlOracleInfo* info, float* action, char* err) {
    const MdpState* st = state;
    if (!st->task) {
        snprintf(err, MRL_ERR_MAX, "oracle called before reset");
        return MRL_ESTATE;
    }
    if (st->t >= st->d.H) {
        info->valid = MRL_ORACLE_VALUE; // the episode is over
        info->value = 0.0;
        return MRL_OK;
    }
    size_t S = (size_t)st->d.S;
    const double* value = (const double*)((const char*)st + value_offset());
    const int32_t* policy = (const int32_t*)((const char*)st + policy_offset(&st->d));
    size_t i = (size_t)st->t * S + (size_t)st->s;
    info->valid = MRL_ORACLE_VALUE | MRL_ORACLE_ACTION;
    info->value = value[i];
    action[0] = (float)policy[i];
    return MRL_OK;
}

// ---- the table ----

static const MrlEnvApi mdp_api = {
    .abi_major = MRL_ABI_MAJOR,
    .abi_minor = MRL_ABI_MINOR,
    .struct_size = sizeof(MrlEnvApi),
    .name = "tabular_mdp",
    .version = "1.0.0",
    .summary = "random tabular MDPs (RL2): Normal(1,1) reward means, Dirichlet(1) transitions",
    .n_params = (int32_t)(sizeof params_table / sizeof params_table[0]),
    .params = params_table,
    .describe = mdp_describe,
    .task_sample = mdp_task_sample,
    .task_fingerprint = mdp_task_fingerprint,
    .init = mdp_init,
    .reset = mdp_reset,
    .step = mdp_step,
    .render_text = mdp_render_text,
    .oracle = mdp_oracle,
};

MRL_EXPORT const MrlEnvApi* mrl_plugin_entry(void) {
    return &mdp_api;
}
