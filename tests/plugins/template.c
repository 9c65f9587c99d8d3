// template.c — a small, fully conforming test plugin ("tmpl") and, compiled with one
// -DBREAK_<DEFECT> define, each of the deliberately broken plugins the conformance
// checker must catch (tests/plugins/CMakeLists.txt builds them all into
// <build>/test_plugins; tests/test_conformance.c asserts which check each one fails).
//
// The environment: guess the hidden target in 1..`length` steps.
//   Task: {int32 target; int32 salt (0); double bias}, target ~ U{0..targets-1},
//         bias ~ U[0, 0.5).
//   Obs: BOX [2] in [0, 1] = (steps taken / length, last reward).
//   Action: DISCRETE `targets`. Reward 1 for the target (terminated = SUCCESS), else
//   bias * U[0,1) from the episode stream; truncated after `length` steps.
//   Capabilities: render_text, render_rgb (top-down 4 x 3 only), oracle, release.
// Each BREAK_* define changes exactly one behaviour; see the list below.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <metarl/plugin.h>

#define CB static __attribute__((unused))

typedef struct Task {
    int32_t target; // the arm that pays 1
    int32_t salt;   // zero (BREAK_TASK_NONDET puts the buffer address here)
    double bias;    // scale of the noise reward of a wrong guess
} Task;

typedef struct State {
    const Task* task; // current task
    int32_t length;   // steps per episode
    int32_t targets;  // number of actions
    int32_t t;        // steps taken
    float last;       // last reward
    void* block;      // BREAK_INIT_LEAK: what init allocated
} State;

#ifdef BREAK_CHOICE_NAME
static const char* const mode_names[] = {"plain", "Fast-mode", NULL};
#endif

static const MrlParamDef params_table[] = {
#ifdef BREAK_DEFAULT_RANGE
    {"length", MRL_PARAM_INT, MRL_PARAM_SHAPE, 30, 1, 20, NULL, "steps per episode"},
#else
    {"length", MRL_PARAM_INT, MRL_PARAM_SHAPE, 5, 1, 20, NULL, "steps per episode"},
#endif
#ifdef BREAK_DUP_PARAM
    {"length", MRL_PARAM_INT, MRL_PARAM_SHAPE, 4, 2, 8, NULL, "number of targets"},
#else
    {"targets", MRL_PARAM_INT, MRL_PARAM_SHAPE, 4, 2, 8, NULL, "number of targets"},
#endif
#ifdef BREAK_CHOICE_NAME
    {"mode", MRL_PARAM_CHOICE, 0, 0, 0, 0, mode_names, "a choice named against the rule"},
#endif
};

CB uint64_t hash_bytes(const void* data, size_t n) {
    const unsigned char* p = data;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h ^ (h >> 29);
}

CB int32_t tmpl_describe(MrlEnvInfo* info, const double* params, char* err) {
    (void)err;
    memset(info, 0, sizeof *info);
    info->obs.kind = MRL_SPACE_BOX;
    info->obs.n = 2;
    info->obs.ndim = 1;
#ifdef BREAK_DESCRIBE
    info->obs.shape[0] = 3; // product 3 != n 2
#else
    info->obs.shape[0] = 2;
#endif
    info->obs.low = 0.0f;
    info->obs.high = 1.0f;
    info->action.kind = MRL_SPACE_DISCRETE;
    info->action.n = (int32_t)params[1];
    info->task_bytes = sizeof(Task);
    info->state_bytes = sizeof(State);
    info->max_episode_steps = (int64_t)params[0];
    info->reward_min = 0.0;
#ifdef BREAK_REWARD_INF
    info->reward_max = INFINITY;
#else
    info->reward_max = 1.0;
#endif
    return MRL_OK;
}

CB int32_t tmpl_task_sample(void* task, const double* params, MrlRng* rng, char* err) {
    (void)err;
    Task* t = task;
    t->target = (int32_t)mrl_rng_below(rng, (uint32_t)params[1]);
    t->bias = 0.5 * mrl_rng_uniform(rng);
#ifdef BREAK_TASK_NONDET
    t->salt = (int32_t)((uintptr_t)task & 0x7fffffff); // depends on where the task lives
#endif
#ifdef BREAK_TASK_OVERFLOW
    ((unsigned char*)task)[sizeof(Task)] = 1;
#endif
    return MRL_OK;
}

CB uint64_t tmpl_task_fingerprint(const void* task, const double* params) {
    (void)params;
#if defined(BREAK_FP_COLLIDE)
    (void)task;
    return 42;
#elif defined(BREAK_FP_UNSTABLE)
    return hash_bytes(task, sizeof(Task)) ^ (uint64_t)(uintptr_t)task;
#else
    return hash_bytes(task, sizeof(Task));
#endif
}

CB int32_t tmpl_init(void* state, const double* params, char* err) {
    State* s = state;
    s->length = (int32_t)params[0];
    s->targets = (int32_t)params[1];
#ifdef BREAK_INIT_LEAK
    s->block = malloc(64); // and no release
    if (!s->block) {
        snprintf(err, MRL_ERR_MAX, "out of memory");
        return MRL_ENOMEM;
    }
#else
    (void)err;
#endif
    return MRL_OK;
}

CB void tmpl_release(void* state) {
    State* s = state;
    free(s->block);
    s->block = NULL;
}

CB int32_t tmpl_reset(void* state, float* obs, const void* task, MrlRng* rng, char* err) {
    (void)rng;
    (void)err;
    State* s = state;
    s->task = task;
    s->t = 0;
    s->last = 0.0f;
    obs[0] = 0.0f;
    obs[1] = 0.0f;
    return MRL_OK;
}

#ifdef BREAK_NONDET
static int32_t calls; // the one global of the project: proves the determinism check
#endif

CB int32_t tmpl_step(void* state, float* obs, float* reward, int32_t* terminated,
                     int32_t* truncated, const float* action, MrlRng* rng, char* err) {
    State* s = state;
    float a = action[0];
#ifdef BREAK_BAD_ACTION
    (void)err;
    int32_t guess = (a >= 0.0f && a < (float)s->targets) ? (int32_t)a : 0; // accepts anything
#else
    if (!(a >= 0.0f && a < (float)s->targets) || a != floorf(a)) {
        snprintf(err, MRL_ERR_MAX, "action %g out of range", (double)a);
        return MRL_EINVAL;
    }
    int32_t guess = (int32_t)a;
#endif
#ifdef BREAK_STEP_ALLOC
    void* volatile scratch = malloc(32);
    free(scratch);
#endif
    s->t++;
    int hit = guess == s->task->target;
    float r = hit ? 1.0f : (float)(s->task->bias * mrl_rng_uniform(rng));
#ifdef BREAK_NONDET
    r = hit ? 1.0f : (float)(calls++ & 1) * 0.25f;
#endif
#ifdef BREAK_REWARD_RANGE
    r = hit ? 2.0f : r;
#endif
#ifdef BREAK_REWARD_INF // declares no upper bound, then pays an infinite reward
    r = hit ? INFINITY : r;
#endif
    s->last = r;
    obs[0] = (float)s->t / (float)s->length;
    obs[1] = r > 1.0f ? 1.0f : r;
#ifdef BREAK_OBS_OVERFLOW
    obs[2] = 1.0f;
#endif
#ifdef BREAK_OBS_RANGE
    obs[0] = 2.0f;
#endif
#ifdef BREAK_STATE_OVERFLOW
    ((unsigned char*)state)[sizeof(State)] = 1;
#endif
    *reward = r;
#ifdef BREAK_ENDLESS
    *terminated = MRL_TERM_NONE;
    *truncated = 0;
#elif defined(BREAK_OUTPUT)
    int64_t wide = hit ? MRL_TERM_SUCCESS : MRL_TERM_NONE;
    memcpy(terminated, &wide, sizeof wide); // 8 bytes into an int32
    *truncated = s->t >= s->length;
#else
    *terminated = hit ? MRL_TERM_SUCCESS : MRL_TERM_NONE;
    *truncated = s->t >= s->length;
#endif
    return MRL_OK;
}

CB int32_t tmpl_render_text(const void* state, char* buf, uint64_t buf_size, char* err) {
    (void)err;
    const State* s = state;
#ifdef BREAK_RENDER_TEXT
    (void)s;
    memset(buf, 'x', (size_t)buf_size); // no terminating NUL
#else
    snprintf(buf, (size_t)buf_size, "t=%d target=%d last=%.2f\n", (int)s->t,
             s->task ? (int)s->task->target : -1, (double)s->last);
#endif
    return MRL_OK;
}

CB int32_t tmpl_render_size(int32_t* width, int32_t* height, const double* params, int32_t view,
                            char* err) {
    (void)params;
    if (view != MRL_VIEW_TOP_DOWN) {
        snprintf(err, MRL_ERR_MAX, "only the top-down view");
        return MRL_EINVAL;
    }
    *width = 4;
    *height = 3;
    return MRL_OK;
}

CB int32_t tmpl_render_rgb(const void* state, uint8_t* rgb, int32_t view, char* err) {
    (void)view;
    (void)err;
    const State* s = state;
    size_t n = 4 * 3 * 3;
#ifdef BREAK_RENDER_RGB
    n += 3; // one pixel too many
#endif
    memset(rgb, (int)(s->t * 10), n);
    return MRL_OK;
}

CB int32_t tmpl_oracle(const void* state, MrlOracleInfo* info, float* action, char* err) {
    (void)err;
    const State* s = state;
    int over = s->t >= s->length || s->last >= 1.0f;
    if (over) {
        info->valid = MRL_ORACLE_VALUE;
        info->value = 0.0;
        return MRL_OK;
    }
    info->valid = MRL_ORACLE_VALUE | MRL_ORACLE_STEPS | MRL_ORACLE_ACTION;
    info->value = 1.0;
    info->steps = 1.0;
#ifdef BREAK_ORACLE
    action[0] = (float)s->targets; // outside DISCRETE targets
#else
    action[0] = (float)s->task->target;
#endif
    return MRL_OK;
}

static const MrlEnvApi tmpl_api = {
#ifdef BREAK_ABI_MAJOR
    .abi_major = MRL_ABI_MAJOR + 1,
#else
    .abi_major = MRL_ABI_MAJOR,
#endif
    .abi_minor = MRL_ABI_MINOR,
    .struct_size = sizeof(MrlEnvApi),
    .name = "tmpl",
    .version = "0.1.0",
    .summary = "guess the hidden target (conformance test plugin)",
    .n_params = sizeof params_table / sizeof params_table[0],
    .params = params_table,
    .describe = tmpl_describe,
    .task_sample = tmpl_task_sample,
    .task_fingerprint = tmpl_task_fingerprint,
    .init = tmpl_init,
#ifndef BREAK_INIT_LEAK
    .release = tmpl_release,
#endif
#ifndef BREAK_NULL_RESET
    .reset = tmpl_reset,
#endif
    .step = tmpl_step,
    .render_text = tmpl_render_text,
    .render_size = tmpl_render_size,
    .render_rgb = tmpl_render_rgb,
    .oracle = tmpl_oracle,
};

#ifdef BREAK_NO_ENTRY
MRL_EXPORT const MrlEnvApi* mrl_plugin_entry_v0(void) { // misspelt entry point
    return &tmpl_api;
}
#else
MRL_EXPORT const MrlEnvApi* mrl_plugin_entry(void) {
    return &tmpl_api;
}
#endif
