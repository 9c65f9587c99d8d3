// bandit.c — the k-armed Bernoulli bandit of RL² (Duan et al. 2016, section 3.1) as a
// metarl plugin.
//
// Task: k arm means p_i ~ Uniform[0, 1), stored as `double means[k]` (task_bytes = 8 k).
// Episode: one pull. The observation is a BOX of shape [1] that is always 0: everything
// the policy needs (previous action, reward, done) comes from the host's trial inputs.
// The action is DISCRETE k; the reward is Bernoulli(p_a), drawn from the episode stream.
// A trial of n pulls is n episodes (config `trial.episodes: n`).
//
// End flags: every step ends the episode. `terminated` is MRL_TERM_SUCCESS when the pull
// paid 1 and MRL_TERM_FAILURE when it paid 0, so the host's per-episode success rate is
// the payout rate; `truncated` is always 0 (the pull is a terminal transition, not a cut).
// max_episode_steps is 1.
//
// Parameters: arms (INT 2..1000, default 5, SHAPE: it sizes the action space and task).
// Capabilities: text render (arm means and the last pull); oracle (before the pull:
// value = best mean, action = best arm, steps = 1; after it: value 0).
//
// Build: part of the main build (plugins/bandit/CMakeLists.txt), output
// <build>/plugins/bandit.so. Test: ctest -R 'bandit|conformance'.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <metarl/plugin.h>

#define MAX_ARMS 1000

// ---- task and state ----

// one instance; the task pointer stays valid until the next reset (plugin.h)
typedef struct BanditState {
    const double* means; // (K) arm means of the current task; NULL before the first reset
    int32_t arms;        // K
    int32_t last_action; // arm of this episode's pull, -1 before it
    float last_reward;   // 0 or 1
    int32_t pulled;      // 1 once the episode's pull happened (the episode is over)
} BanditState;

static const MrlParamDef params_table[] = {
    {"arms", MRL_PARAM_INT, MRL_PARAM_SHAPE, 5, 2, MAX_ARMS, NULL,
     "number of arms k; each arm pays 1 with its own probability p ~ U[0,1]"},
};

// number of arms from a parameter vector; 0 if out of range
static int32_t arms_of(const double* params) {
    double k = params[0];
    if (!(k >= 2 && k <= MAX_ARMS) || k != floor(k)) {
        return 0;
    }
    return (int32_t)k;
}

static void set_err(char* err, const char* msg) {
    snprintf(err, MRL_ERR_MAX, "%s", msg);
}

// ---- static callbacks ----

static int32_t bandit_describe(MrlEnvInfo* info, const double* params, char* err) {
    int32_t k = arms_of(params);
    if (k == 0) {
        snprintf(err, MRL_ERR_MAX, "arms must be an integer in [2, %d], got %g", MAX_ARMS,
                 params[0]);
        return MRL_EINVAL;
    }
    memset(info, 0, sizeof *info);
    info->obs.kind = MRL_SPACE_BOX;
    info->obs.n = 1;
    info->obs.ndim = 1;
    info->obs.shape[0] = 1;
    info->obs.low = 0.0f;
    info->obs.high = 0.0f;
    info->action.kind = MRL_SPACE_DISCRETE;
    info->action.n = k;
    info->task_bytes = (uint64_t)k * sizeof(double);
    info->state_bytes = sizeof(BanditState);
    info->max_episode_steps = 1;
    info->reward_min = 0.0;
    info->reward_max = 1.0;
    return MRL_OK;
}

static int32_t bandit_task_sample(void* task, const double* params, MrlRng* rng, char* err) {
    int32_t k = arms_of(params);
    if (k == 0) {
        set_err(err, "arms out of range");
        return MRL_EINVAL;
    }
    double* means = task; // (K)
    for (int32_t i = 0; i < k; i++) {
        means[i] = mrl_rng_uniform(rng);
    }
    return MRL_OK;
}

static uint64_t bandit_task_fingerprint(const void* task, const double* params) {
    return mrl_fingerprint_bytes(task, (size_t)arms_of(params) * sizeof(double));
}

// ---- instance callbacks ----

static int32_t bandit_init(void* state, const double* params, char* err) {
    BanditState* s = state;
    s->arms = arms_of(params);
    if (s->arms == 0) {
        set_err(err, "arms out of range");
        return MRL_EINVAL;
    }
    s->last_action = -1;
    return MRL_OK;
}

static int32_t bandit_reset(void* state, float* obs, const void* task, MrlRng* rng, char* err) {
    (void)rng;
    (void)err;
    BanditState* s = state;
    s->means = task;
    s->last_action = -1;
    s->last_reward = 0.0f;
    s->pulled = 0;
    obs[0] = 0.0f;
    return MRL_OK;
}

static int32_t bandit_step(void* state, float* obs, float* reward, int32_t* terminated,
                           int32_t* truncated, const float* action, MrlRng* rng, char* err) {
    BanditState* s = state;
    if (!s->means || s->pulled) {
        set_err(err, "step called before reset or after the episode's pull");
        return MRL_ESTATE;
    }
    float a = action[0];
    if (!(a >= 0.0f && a < (float)s->arms) || a != floorf(a)) {
        snprintf(err, MRL_ERR_MAX, "action %g is not an arm index in [0, %d)", (double)a,
                 (int)s->arms);
        return MRL_EINVAL;
    }
    int32_t arm = (int32_t)a;
    float r = mrl_rng_uniform(rng) < s->means[arm] ? 1.0f : 0.0f;
    s->last_action = arm;
    s->last_reward = r;
    s->pulled = 1;
    obs[0] = 0.0f;
    *reward = r;
    *terminated = r > 0.0f ? MRL_TERM_SUCCESS : MRL_TERM_FAILURE;
    *truncated = 0;
    return MRL_OK;
}

// ---- optional capabilities ----

static int32_t bandit_render_text(const void* state, char* buf, uint64_t buf_size, char* err) {
    const BanditState* s = state;
    if (buf_size == 0) {
        set_err(err, "empty render buffer");
        return MRL_EINVAL;
    }
    if (!s->means) {
        snprintf(buf, (size_t)buf_size, "bandit: %d arms, no task yet\n", (int)s->arms);
        return MRL_OK;
    }
    size_t used = 0, cap = (size_t)buf_size;
    int best = 0;
    for (int32_t i = 1; i < s->arms; i++) {
        best = s->means[i] > s->means[best] ? i : best;
    }
    int w = snprintf(buf, cap, "bandit: %d arms, best arm %d (p=%.3f)\nmeans:", (int)s->arms, best,
                     s->means[best]);
    used = w < 0 ? cap : (size_t)w;
    for (int32_t i = 0; i < s->arms && used < cap; i++) {
        w = snprintf(buf + used, cap - used, " %.3f", s->means[i]);
        used += w < 0 ? cap : (size_t)w;
    }
    if (used < cap) {
        if (s->last_action >= 0) {
            snprintf(buf + used, cap - used, "\nlast pull: arm %d paid %d\n", (int)s->last_action,
                     (int)s->last_reward);
        } else {
            snprintf(buf + used, cap - used, "\nlast pull: none yet\n");
        }
    }
    return MRL_OK; // snprintf truncates and terminates within buf_size
}

static int32_t bandit_oracle(const void* state, MrlOracleInfo* info, float* action, char* err) {
    const BanditState* s = state;
    if (!s->means) {
        set_err(err, "oracle called before reset");
        return MRL_ESTATE;
    }
    if (s->pulled) {
        info->valid = MRL_ORACLE_VALUE; // the episode is over: nothing left to earn
        info->value = 0.0;
        return MRL_OK;
    }
    int32_t best = 0;
    for (int32_t i = 1; i < s->arms; i++) {
        best = s->means[i] > s->means[best] ? i : best;
    }
    info->valid = MRL_ORACLE_VALUE | MRL_ORACLE_STEPS | MRL_ORACLE_ACTION;
    info->value = s->means[best];
    info->steps = s->means[best] > 0.0 ? 1.0 : INFINITY;
    action[0] = (float)best;
    return MRL_OK;
}

// ---- the table ----

static const MrlEnvApi bandit_api = {
    .abi_major = MRL_ABI_MAJOR,
    .abi_minor = MRL_ABI_MINOR,
    .struct_size = sizeof(MrlEnvApi),
    .name = "bandit",
    .version = "1.0.0",
    .summary = "k-armed Bernoulli bandit (RL2); one pull per episode, n pulls per trial",
    .n_params = (int32_t)(sizeof params_table / sizeof params_table[0]),
    .params = params_table,
    .describe = bandit_describe,
    .task_sample = bandit_task_sample,
    .task_fingerprint = bandit_task_fingerprint,
    .init = bandit_init,
    .reset = bandit_reset,
    .step = bandit_step,
    .render_text = bandit_render_text,
    .oracle = bandit_oracle,
};

MRL_EXPORT const MrlEnvApi* mrl_plugin_entry(void) {
    return &bandit_api;
}
