// conform.c — the plugin conformance checker (see metarl/conform.h for the list of
// checks and what each one promises). One pass over a plugin: static checks on the
// table, then tasks and fingerprints, then three runs of the same short episode
// schedule (a checked run, a fresh instance, a reused instance) whose traces must be
// identical, then bad actions. Every buffer handed to the plugin sits between canary
// guards, so an overflow is reported by name instead of corrupting the checker.
//
// Tested by tests/test_conformance.c; run by hand with `metarl plugins --check NAME`.
#include "metarl/conform.h"

#include <dlfcn.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "metarl/host.h"
#include "metarl/util.h"

// ---- check table ----

enum {
    C_LOAD,
    C_ABI,
    C_ENTRIES,
    C_PARAMS,
    C_DESCRIBE,
    C_INIT,
    C_TASK_SAMPLE,
    C_TASK_CANARY,
    C_FINGERPRINT,
    C_OBS_CANARY,
    C_STATE_CANARY,
    C_OUTPUT_CANARY,
    C_OBS_RANGE,
    C_REWARD_RANGE,
    C_EPISODES,
    C_DETERMINISM,
    C_STEP_ALLOC,
    C_ACTION,
    C_RENDER_TEXT,
    C_RENDER_RGB,
    C_ORACLE,
    N_CHECKS
};

static const char* const check_names[N_CHECKS] = {
    "load",        "abi",          "entries",     "params",      "describe",     "init_release",
    "task_sample", "task_canary",  "fingerprint", "obs_canary",  "state_canary", "output_canary",
    "obs_range",   "reward_range", "episodes",    "determinism", "step_alloc",   "action_check",
    "render_text", "render_rgb",   "oracle",
};

#define NOT_RUN (-1)

// ---- tunables ----

#define GUARD 64               // canary bytes before and after every buffer
#define CANARY 0xA5            // canary byte
#define POISON_F32 0x7FC5DEADu // a quiet NaN written into outputs before each call
#define POISON_I32 0x7EADBEEF  // written into the flags before each step
#define N_EPISODES 4           // episodes per run
#define STEP_CAP 10000         // steps per episode the checker runs at most
#define N_FP_TASKS 64          // tasks sampled for the fingerprint check
#define MAX_BYTES (1ull << 30) // largest task or state block the checker allocates
#define TEXT_MAX 65536         // render_text buffer
#define TEXT_TINY 16           // the small render_text buffer
#define RENDER_STEPS 3         // steps per episode that are rendered

// ---- guarded buffers ----

// a buffer of `n` bytes with GUARD canary bytes on each side; data is 64-byte aligned
typedef struct Guarded {
    unsigned char* raw;
    size_t n;
} Guarded;

static void* g_alloc(Guarded* g, size_t n) {
    g->n = n;
    g->raw = NULL;
    if (posix_memalign((void**)&g->raw, 64, n + 2 * GUARD) != 0) {
        g->raw = NULL;
        return NULL;
    }
    memset(g->raw, CANARY, GUARD);
    memset(g->raw + GUARD, 0, n);
    memset(g->raw + GUARD + n, CANARY, GUARD);
    return g->raw + GUARD;
}

static void* g_ptr(const Guarded* g) {
    return g->raw ? g->raw + GUARD : NULL;
}

static void g_free(Guarded* g) {
    free(g->raw);
    g->raw = NULL;
}

// 0 if both guards are intact; else 1 with *off the offset of the first damaged byte
// relative to the buffer start (negative: before it; >= n: past it); guards are re-armed
static int g_broken(Guarded* g, long* off) {
    if (!g->raw) {
        return 0;
    }
    int bad = 0;
    for (size_t i = 0; i < GUARD && !bad; i++) {
        if (g->raw[i] != CANARY) {
            *off = (long)i - GUARD;
            bad = 1;
        }
    }
    for (size_t i = 0; i < GUARD && !bad; i++) {
        if (g->raw[GUARD + g->n + i] != CANARY) {
            *off = (long)(g->n + i);
            bad = 1;
        }
    }
    if (bad) {
        memset(g->raw, CANARY, GUARD);
        memset(g->raw + GUARD + g->n, CANARY, GUARD);
    }
    return bad;
}

// ---- context ----

// one environment instance with its own guarded buffers
typedef struct Inst {
    Guarded state;  // state_bytes
    Guarded obs;    // obs_floats floats
    Guarded reward; // one float
    Guarded term;   // one int32
    Guarded trunc;  // one int32
    Guarded err;    // MRL_ERR_MAX bytes
    Guarded act;    // act_floats floats (the action passed to step)
    int live;       // init succeeded and release is pending
} Inst;

// one recorded call of a run, compared across runs
typedef struct Row {
    int32_t episode; // episode index in the schedule
    int32_t step;    // -1 for reset
    int32_t rc;      // status returned
    int32_t term;    // *terminated (step)
    int32_t trunc;   // *truncated (step)
    uint32_t reward; // bits of *reward (step)
    uint64_t obs;    // hash of the observation bytes
} Row;

typedef struct Ctx {
    MrlEnvApi api;                 // the table, copied up to its struct_size
    double params[MRL_MAX_PARAMS]; // checked parameter vector
    MrlEnvInfo info;               // what describe reported
    size_t obs_floats, act_floats;
    int32_t status[N_CHECKS];
    char msg[N_CHECKS][MRL_CONFORM_MSG_MAX];
    int blocked;                     // a gate check failed: later checks are skipped
    const char* blocker;             // name of that check
    int counting;                    // heap calls are counted
    int oom;                         // the checker could not allocate
    Guarded task[2];                 // tasks A and B as sampled
    Guarded task_copy[2];            // copies elsewhere in memory (run 2)
    unsigned char* task_pristine[2]; // reference bytes for "reset/step never modify the task"
    unsigned char* snapshot;         // state bytes before a const call
    Guarded text, text_tiny, oinfo, oact, rgb;
    // statistics for PASS messages
    int64_t n_steps, n_resets, n_oracle, n_render;
    int64_t n_oracle_unsup;                     // oracle calls answered MRL_ENOTSUP
    char oracle_unsup_msg[MRL_CONFORM_MSG_MAX]; // the first such answer's text
    int64_t init_allocs, release_frees, n_inits;
} Ctx;

static void set_status(Ctx* c, int id, int32_t status, const char* fmt, va_list ap) {
    if (c->status[id] == MRL_CONFORM_FAIL) {
        return; // keep the first failure
    }
    c->status[id] = status;
    vsnprintf(c->msg[id], MRL_CONFORM_MSG_MAX, fmt, ap);
}

__attribute__((format(printf, 3, 4))) static void fail(Ctx* c, int id, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    set_status(c, id, MRL_CONFORM_FAIL, fmt, ap);
    va_end(ap);
}

__attribute__((format(printf, 3, 4))) static void pass(Ctx* c, int id, const char* fmt, ...) {
    if (c->status[id] == MRL_CONFORM_FAIL) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    set_status(c, id, MRL_CONFORM_PASS, fmt, ap);
    va_end(ap);
}

__attribute__((format(printf, 3, 4))) static void skip(Ctx* c, int id, const char* fmt, ...) {
    if (c->status[id] == MRL_CONFORM_FAIL) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    set_status(c, id, MRL_CONFORM_SKIP, fmt, ap);
    va_end(ap);
}

static int failed(const Ctx* c, int id) {
    return c->status[id] == MRL_CONFORM_FAIL;
}

static void block(Ctx* c, int id) {
    if (!c->blocked) {
        c->blocked = 1;
        c->blocker = check_names[id];
    }
}

static void out_of_memory(Ctx* c, int id) {
    c->oom = 1;
    fail(c, id, "the checker could not allocate its buffers");
    block(c, id);
}

// ---- small predicates ----

static const char* space_kind_name(int32_t kind) {
    return kind == MRL_SPACE_DISCRETE ? "DISCRETE" : kind == MRL_SPACE_BOX ? "BOX" : "?";
}

// writes why `sp` is not a valid space into `why`; 0 if it is valid
static int space_problem(const MrlSpace* sp, char* why, size_t n) {
    if (sp->kind == MRL_SPACE_DISCRETE) {
        if (sp->n <= 0) {
            snprintf(why, n, "DISCRETE space with n = %d (must be > 0)", (int)sp->n);
            return 1;
        }
        return 0;
    }
    if (sp->kind != MRL_SPACE_BOX) {
        snprintf(why, n, "unknown space kind %d", (int)sp->kind);
        return 1;
    }
    if (sp->n <= 0 || sp->ndim < 1 || sp->ndim > MRL_SPACE_MAX_DIMS) {
        snprintf(why, n, "BOX space with n = %d, ndim = %d (need n > 0, ndim in 1..%d)", (int)sp->n,
                 (int)sp->ndim, MRL_SPACE_MAX_DIMS);
        return 1;
    }
    int64_t prod = 1;
    for (int32_t i = 0; i < sp->ndim; i++) {
        if (sp->shape[i] <= 0) {
            snprintf(why, n, "BOX shape[%d] = %d (must be > 0)", (int)i, (int)sp->shape[i]);
            return 1;
        }
        prod *= sp->shape[i];
    }
    if (prod != sp->n) {
        snprintf(why, n, "BOX shape product %lld != n = %d", (long long)prod, (int)sp->n);
        return 1;
    }
    if (!(sp->low <= sp->high)) {
        snprintf(why, n, "BOX bounds low %g > high %g (or NaN)", (double)sp->low, (double)sp->high);
        return 1;
    }
    return 0;
}

// one-line description of a space
static void space_text(const MrlSpace* sp, char* out, size_t n) {
    if (sp->kind == MRL_SPACE_BOX) {
        int w = snprintf(out, n, "BOX [");
        for (int32_t i = 0; i < sp->ndim && w > 0 && (size_t)w < n; i++) {
            w += snprintf(out + w, n - (size_t)w, i ? ", %d" : "%d", (int)sp->shape[i]);
        }
        if (w > 0 && (size_t)w < n) {
            snprintf(out + w, n - (size_t)w, "] in [%g, %g]", (double)sp->low, (double)sp->high);
        }
    } else {
        snprintf(out, n, "%s %d", space_kind_name(sp->kind), (int)sp->n);
    }
}

// 0 if `v` (floats of space `sp`) is a value of the space; else why in `why`
static int value_problem(const MrlSpace* sp, const float* v, char* why, size_t n) {
    if (sp->kind == MRL_SPACE_DISCRETE) {
        float x = v[0];
        if (!(x >= 0.0f && x < (float)sp->n) || x != floorf(x)) {
            snprintf(why, n, "%g is not in DISCRETE %d", (double)x, (int)sp->n);
            return 1;
        }
        return 0;
    }
    for (int32_t i = 0; i < sp->n; i++) {
        if (!(v[i] >= sp->low && v[i] <= sp->high)) {
            snprintf(why, n, "float %d = %g is outside [%g, %g]", (int)i, (double)v[i],
                     (double)sp->low, (double)sp->high);
            return 1;
        }
    }
    return 0;
}

// sizes and bounds of a describe result; 0 if fine
static int info_problem(const MrlEnvInfo* info, char* why, size_t n) {
    char sp[160];
    if (space_problem(&info->obs, sp, sizeof sp)) {
        snprintf(why, n, "observation space: %s", sp);
        return 1;
    }
    if (space_problem(&info->action, sp, sizeof sp)) {
        snprintf(why, n, "action space: %s", sp);
        return 1;
    }
    if (info->task_bytes == 0 || info->state_bytes == 0) {
        snprintf(why, n, "task_bytes %llu and state_bytes %llu must be > 0",
                 (unsigned long long)info->task_bytes, (unsigned long long)info->state_bytes);
        return 1;
    }
    if (info->max_episode_steps <= 0) {
        snprintf(why, n, "max_episode_steps %lld must be > 0", (long long)info->max_episode_steps);
        return 1;
    }
    if (!(info->reward_min <= info->reward_max)) {
        snprintf(why, n, "reward_min %g > reward_max %g (or NaN)", info->reward_min,
                 info->reward_max);
        return 1;
    }
    return 0;
}

static int same_info(const MrlEnvInfo* a, const MrlEnvInfo* b) {
    const MrlSpace* sa[2] = {&a->obs, &a->action};
    const MrlSpace* sb[2] = {&b->obs, &b->action};
    for (int k = 0; k < 2; k++) {
        if (sa[k]->kind != sb[k]->kind || sa[k]->n != sb[k]->n) {
            return 0;
        }
        if (sa[k]->kind == MRL_SPACE_BOX) {
            if (sa[k]->ndim != sb[k]->ndim || memcmp(&sa[k]->low, &sb[k]->low, 4) != 0 ||
                memcmp(&sa[k]->high, &sb[k]->high, 4) != 0) {
                return 0;
            }
            for (int32_t i = 0; i < sa[k]->ndim && i < MRL_SPACE_MAX_DIMS; i++) {
                if (sa[k]->shape[i] != sb[k]->shape[i]) {
                    return 0;
                }
            }
        }
    }
    return a->task_bytes == b->task_bytes && a->state_bytes == b->state_bytes &&
           a->max_episode_steps == b->max_episode_steps &&
           memcmp(&a->reward_min, &b->reward_min, sizeof(double)) == 0 &&
           memcmp(&a->reward_max, &b->reward_max, sizeof(double)) == 0;
}

static float f32_from_bits(uint32_t bits) {
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

static uint32_t bits_of_f32(float f) {
    uint32_t b;
    memcpy(&b, &f, sizeof b);
    return b;
}

// fills the stack below the caller with `byte`, so uninitialised locals of the next
// call (e.g. struct padding copied into a task) differ between two calls
__attribute__((noinline)) static void scribble_stack(int byte) {
    volatile unsigned char junk[8192];
    for (size_t i = 0; i < sizeof junk; i++) {
        junk[i] = (unsigned char)byte;
    }
}

// a uniformly random action of `sp` from `rng`
static void random_action(const MrlSpace* sp, float* act, MrlRng* rng) {
    if (sp->kind == MRL_SPACE_DISCRETE) {
        act[0] = (float)mrl_rng_below(rng, (uint32_t)sp->n);
        return;
    }
    double lo = sp->low, hi = sp->high;
    for (int32_t i = 0; i < sp->n; i++) {
        double x;
        if (isfinite(lo) && isfinite(hi)) {
            x = lo + (hi - lo) * mrl_rng_uniform(rng);
        } else if (isfinite(lo)) {
            x = lo + fabs(mrl_rng_normal(rng));
        } else if (isfinite(hi)) {
            x = hi - fabs(mrl_rng_normal(rng));
        } else {
            x = mrl_rng_normal(rng);
        }
        float f = (float)x;
        act[i] = f < sp->low ? sp->low : f > sp->high ? sp->high : f;
    }
}

// ---- static checks: abi, entries, params ----

static int check_abi(Ctx* c, const MrlEnvApi* raw) {
    // read the version words first; nothing else is touched on a major mismatch
    if (raw->abi_major != MRL_ABI_MAJOR) {
        fail(c, C_ABI, "abi_major %u, this metarl needs %u (rebuild against this metarl/plugin.h)",
             (unsigned)raw->abi_major, (unsigned)MRL_ABI_MAJOR);
        return 0;
    }
    size_t v1_end = offsetof(MrlEnvApi, oracle) + sizeof(raw->oracle);
    if (raw->struct_size < v1_end || raw->struct_size > 65536) {
        fail(c, C_ABI, "struct_size %u (ABI %u.0 needs at least %zu, at most 65536)",
             (unsigned)raw->struct_size, (unsigned)MRL_ABI_MAJOR, v1_end);
        return 0;
    }
    memset(&c->api, 0, sizeof c->api);
    size_t n = raw->struct_size < sizeof c->api ? raw->struct_size : sizeof c->api;
    memcpy(&c->api, raw, n);
    const MrlEnvApi* a = &c->api;
    if (a->reserved0 != 0 || a->reserved1 != 0) {
        fail(c, C_ABI, "reserved0/reserved1 must be zero (got %u, %d)", (unsigned)a->reserved0,
             (int)a->reserved1);
        return 0;
    }
    if (!mrl_is_ident(a->name) || strlen(a->name) >= MRL_NAME_MAX) {
        fail(c, C_ABI, "name must match [a-z0-9_]+ and be shorter than %d characters",
             MRL_NAME_MAX);
        return 0;
    }
    if (!a->version || !*a->version || !a->summary || !*a->summary) {
        fail(c, C_ABI, "version and summary must be non-empty strings");
        return 0;
    }
    if (strchr(a->summary, '\n')) {
        fail(c, C_ABI, "summary must be one line");
        return 0;
    }
    pass(c, C_ABI, "ABI %u.%u, table %u bytes, %s %s%s", (unsigned)a->abi_major,
         (unsigned)a->abi_minor, (unsigned)a->struct_size, a->name, a->version,
         a->abi_minor > MRL_ABI_MINOR ? " (newer minor: extra fields ignored)" : "");
    return 1;
}

static int check_entries(Ctx* c) {
    const MrlEnvApi* a = &c->api;
    const struct {
        const char* field;
        int present;
    } req[] = {
        {"describe", a->describe != NULL}, {"task_sample", a->task_sample != NULL},
        {"init", a->init != NULL},         {"reset", a->reset != NULL},
        {"step", a->step != NULL},
    };
    for (size_t i = 0; i < sizeof req / sizeof req[0]; i++) {
        if (!req[i].present) {
            fail(c, C_ENTRIES, "required entry '%s' is NULL", req[i].field);
            return 0;
        }
    }
    if (a->render_rgb && !a->render_size) {
        fail(c, C_ENTRIES, "render_rgb is set but render_size is NULL");
        return 0;
    }
    char opt[160];
    snprintf(opt, sizeof opt, "%s%s%s%s%s", a->task_fingerprint ? " task_fingerprint" : "",
             a->release ? " release" : "", a->render_text ? " render_text" : "",
             a->render_rgb ? " render_rgb" : "", a->oracle ? " oracle" : "");
    pass(c, C_ENTRIES, "required entries present; optional:%s", opt[0] ? opt : " none");
    return 1;
}

static int param_def_problem(const MrlParamDef* p, char* why, size_t n) {
    if (p->kind < MRL_PARAM_INT || p->kind > MRL_PARAM_CHOICE) {
        snprintf(why, n, "unknown kind %d", (int)p->kind);
        return 1;
    }
    if ((p->flags & ~MRL_PARAM_SHAPE) != 0) {
        snprintf(why, n, "unknown flags 0x%x", (unsigned)p->flags);
        return 1;
    }
    if (!p->help || !*p->help) {
        snprintf(why, n, "no help text");
        return 1;
    }
    if (p->kind == MRL_PARAM_CHOICE) {
        int k = 0;
        while (p->choices && p->choices[k]) {
            if (!mrl_is_ident(p->choices[k])) {
                snprintf(why, n, "choice %d ('%.40s') must match [a-z0-9_]+", k, p->choices[k]);
                return 1;
            }
            for (int j = 0; j < k; j++) {
                if (strcmp(p->choices[j], p->choices[k]) == 0) {
                    snprintf(why, n, "choice '%s' is listed twice", p->choices[k]);
                    return 1;
                }
            }
            k++;
        }
        if (k == 0) {
            snprintf(why, n, "CHOICE without choices");
            return 1;
        }
        if (!(p->def >= 0 && p->def < k) || p->def != floor(p->def)) {
            snprintf(why, n, "default index %g is not in 0..%d", p->def, k - 1);
            return 1;
        }
        return 0;
    }
    if (p->choices) {
        snprintf(why, n, "choices set on a non-CHOICE parameter");
        return 1;
    }
    if (p->kind == MRL_PARAM_BOOL) {
        if (p->def != 0.0 && p->def != 1.0) {
            snprintf(why, n, "BOOL default %g is not 0 or 1", p->def);
            return 1;
        }
        return 0;
    }
    if (!(p->lo <= p->hi)) {
        snprintf(why, n, "range [%g, %g] is empty (lo > hi or NaN)", p->lo, p->hi);
        return 1;
    }
    if (!(p->def >= p->lo && p->def <= p->hi)) {
        snprintf(why, n, "default %g is outside [%g, %g]", p->def, p->lo, p->hi);
        return 1;
    }
    if (p->kind == MRL_PARAM_INT &&
        (p->def != floor(p->def) || (isfinite(p->lo) && p->lo != floor(p->lo)) ||
         (isfinite(p->hi) && p->hi != floor(p->hi)))) {
        snprintf(why, n, "INT default or bounds are not integers (%g in [%g, %g])", p->def, p->lo,
                 p->hi);
        return 1;
    }
    return 0;
}

// 0 if `v` is a legal value of `p`
static int param_value_problem(const MrlParamDef* p, double v, char* why, size_t n) {
    if (p->kind == MRL_PARAM_CHOICE) {
        int k = 0;
        while (p->choices[k]) {
            k++;
        }
        if (!(v >= 0 && v < k) || v != floor(v)) {
            snprintf(why, n, "value %g is not a choice index in 0..%d", v, k - 1);
            return 1;
        }
    } else if (p->kind == MRL_PARAM_BOOL) {
        if (v != 0.0 && v != 1.0) {
            snprintf(why, n, "value %g is not 0 or 1", v);
            return 1;
        }
    } else if (!(v >= p->lo && v <= p->hi) || (p->kind == MRL_PARAM_INT && v != floor(v))) {
        snprintf(why, n, "value %g is outside [%g, %g]%s", v, p->lo, p->hi,
                 p->kind == MRL_PARAM_INT ? " or not an integer" : "");
        return 1;
    }
    return 0;
}

static int check_params(Ctx* c, const double* given) {
    const MrlEnvApi* a = &c->api;
    if (a->n_params < 0 || a->n_params > MRL_MAX_PARAMS ||
        (a->n_params > 0) != (a->params != NULL)) {
        fail(c, C_PARAMS, "n_params %d with params %s (need 0..%d, params NULL iff 0)",
             (int)a->n_params, a->params ? "set" : "NULL", MRL_MAX_PARAMS);
        return 0;
    }
    char why[200];
    for (int32_t i = 0; i < a->n_params; i++) {
        const MrlParamDef* p = &a->params[i];
        if (!mrl_is_ident(p->name)) {
            fail(c, C_PARAMS, "parameter %d: name must match [a-z0-9_]+", (int)i);
            return 0;
        }
        for (int32_t j = 0; j < i; j++) {
            if (strcmp(a->params[j].name, p->name) == 0) {
                fail(c, C_PARAMS, "duplicate parameter name '%s' (entries %d and %d)", p->name,
                     (int)j, (int)i);
                return 0;
            }
        }
        if (param_def_problem(p, why, sizeof why)) {
            fail(c, C_PARAMS, "parameter '%s': %s", p->name, why);
            return 0;
        }
    }
    for (int32_t i = 0; i < a->n_params; i++) {
        c->params[i] = given ? given[i] : a->params[i].def;
        if (given && param_value_problem(&a->params[i], given[i], why, sizeof why)) {
            fail(c, C_PARAMS, "checked parameter '%s': %s", a->params[i].name, why);
            return 0;
        }
    }
    pass(c, C_PARAMS, "%d parameters, checked at %s", (int)a->n_params,
         given ? "the given values" : "their defaults");
    return 1;
}

// ---- describe ----

static int32_t call_describe(Ctx* c, MrlEnvInfo* out, const double* params, char* err,
                             int* guard_bad) {
    Guarded g;
    MrlEnvInfo* info = g_alloc(&g, sizeof(MrlEnvInfo));
    if (!info) {
        return MRL_ENOMEM;
    }
    err[0] = '\0';
    int32_t rc = c->api.describe(info, params, err);
    long off;
    *guard_bad = g_broken(&g, &off);
    *out = *info;
    g_free(&g);
    return rc;
}

static int check_describe(Ctx* c) {
    char err[MRL_ERR_MAX + 1], why[200];
    int bad = 0;
    MrlEnvInfo a, b;
    int32_t rc = call_describe(c, &a, c->params, err, &bad);
    if (rc == MRL_ENOMEM && !err[0]) {
        out_of_memory(c, C_DESCRIBE);
        return 0;
    }
    if (rc != MRL_OK) {
        fail(c, C_DESCRIBE, "describe failed at the checked parameters (status %d): %s", (int)rc,
             err[0] ? err : "no message");
        return 0;
    }
    if (bad) {
        fail(c, C_DESCRIBE, "describe wrote outside its MrlEnvInfo");
        return 0;
    }
    if (info_problem(&a, why, sizeof why)) {
        fail(c, C_DESCRIBE, "%s", why);
        return 0;
    }
    if (a.task_bytes > MAX_BYTES || a.state_bytes > MAX_BYTES) {
        fail(c, C_DESCRIBE, "task_bytes %llu or state_bytes %llu exceeds the checker's 1 GiB",
             (unsigned long long)a.task_bytes, (unsigned long long)a.state_bytes);
        return 0;
    }
    rc = call_describe(c, &b, c->params, err, &bad);
    if (rc != MRL_OK || !same_info(&a, &b)) {
        fail(c, C_DESCRIBE, "describe is not pure: two calls with the same parameters differ");
        return 0;
    }
    c->info = a;
    c->obs_floats = (size_t)mrl_space_floats(&a.obs);
    c->act_floats = (size_t)mrl_space_floats(&a.action);

    // the corners of every parameter's range, the others at the checked values
    int n_corners = 0;
    double p[MRL_MAX_PARAMS];
    for (int32_t i = 0; i < c->api.n_params; i++) {
        const MrlParamDef* d = &c->api.params[i];
        double vals[MRL_MAX_CHOICES + 2];
        int nv = 0;
        if (d->kind == MRL_PARAM_INT || d->kind == MRL_PARAM_REAL) {
            vals[nv++] = d->lo;
            vals[nv++] = d->hi;
        } else if (d->kind == MRL_PARAM_BOOL) {
            vals[nv++] = 0.0;
            vals[nv++] = 1.0;
        } else {
            for (int k = 0; d->choices[k] && nv < MRL_MAX_CHOICES; k++) {
                vals[nv++] = k;
            }
        }
        for (int k = 0; k < nv; k++) {
            if (!isfinite(vals[k])) {
                continue;
            }
            memcpy(p, c->params, sizeof(double) * (size_t)c->api.n_params);
            p[i] = vals[k];
            MrlEnvInfo ci;
            rc = call_describe(c, &ci, p, err, &bad);
            n_corners++;
            if (bad) {
                fail(c, C_DESCRIBE, "describe(%s=%g) wrote outside its MrlEnvInfo", d->name,
                     vals[k]);
                return 0;
            }
            if (rc == MRL_OK && info_problem(&ci, why, sizeof why)) {
                fail(c, C_DESCRIBE, "describe(%s=%g): %s", d->name, vals[k], why);
                return 0;
            }
            if (rc != MRL_OK && rc != MRL_EINVAL) {
                fail(c, C_DESCRIBE, "describe(%s=%g) returned %d (must be MRL_OK or MRL_EINVAL)",
                     d->name, vals[k], (int)rc);
                return 0;
            }
        }
    }
    char os[96], as[96];
    space_text(&a.obs, os, sizeof os);
    space_text(&a.action, as, sizeof as);
    pass(c, C_DESCRIBE,
         "obs %s, action %s, task %llu B, state %llu B, max_episode_steps %lld, reward [%g, %g]; "
         "%d range corners valid",
         os, as, (unsigned long long)a.task_bytes, (unsigned long long)a.state_bytes,
         (long long)a.max_episode_steps, a.reward_min, a.reward_max, n_corners);
    return 1;
}

// ---- instances ----

static void inst_free_buffers(Inst* in) {
    g_free(&in->state);
    g_free(&in->obs);
    g_free(&in->reward);
    g_free(&in->term);
    g_free(&in->trunc);
    g_free(&in->err);
    g_free(&in->act);
}

// allocates the buffers and calls init; MRL_ENOMEM if the checker ran out of memory
static int32_t inst_new(Ctx* c, Inst* in, char* msg, size_t msg_size) {
    memset(in, 0, sizeof *in);
    if (!g_alloc(&in->state, (size_t)c->info.state_bytes) ||
        !g_alloc(&in->obs, c->obs_floats * sizeof(float)) || !g_alloc(&in->reward, sizeof(float)) ||
        !g_alloc(&in->term, sizeof(int32_t)) || !g_alloc(&in->trunc, sizeof(int32_t)) ||
        !g_alloc(&in->err, MRL_ERR_MAX) || !g_alloc(&in->act, c->act_floats * sizeof(float))) {
        inst_free_buffers(in);
        return MRL_ENOMEM;
    }
    char* err = g_ptr(&in->err);
    int64_t live0 = mrl_conform_alloc_live();
    int32_t rc = c->api.init(g_ptr(&in->state), c->params, err);
    c->init_allocs += mrl_conform_alloc_live() - live0;
    c->n_inits++;
    if (rc != MRL_OK) {
        snprintf(msg, msg_size, "init failed (status %d): %.200s", (int)rc,
                 err[0] ? err : "no message");
        return rc;
    }
    in->live = 1;
    return MRL_OK;
}

static void inst_free(Ctx* c, Inst* in) {
    if (in->live && c->api.release) {
        int64_t live0 = mrl_conform_alloc_live();
        c->api.release(g_ptr(&in->state));
        c->release_frees += live0 - mrl_conform_alloc_live();
    }
    in->live = 0;
    inst_free_buffers(in);
}

// ---- per-call checks (the checked run) ----

static void check_guards(Ctx* c, Inst* in, const char* call, int with_outputs) {
    long off;
    if (g_broken(&in->obs, &off)) {
        if (off >= 0) {
            fail(c, C_OBS_CANARY, "%s wrote past the observation buffer (float %ld of %zu)", call,
                 off / 4, c->obs_floats);
        } else {
            fail(c, C_OBS_CANARY, "%s wrote before the observation buffer (byte %ld)", call, off);
        }
    }
    if (g_broken(&in->state, &off)) {
        fail(c, C_STATE_CANARY, "%s wrote %s the state block (byte %ld of %llu)", call,
             off < 0 ? "before" : "past", off, (unsigned long long)c->info.state_bytes);
    }
    if (g_broken(&in->err, &off)) {
        fail(c, C_OUTPUT_CANARY, "%s wrote outside the %d-byte error buffer (byte %ld)", call,
             MRL_ERR_MAX, off);
    }
    if (with_outputs) {
        if (g_broken(&in->reward, &off)) {
            fail(c, C_OUTPUT_CANARY, "%s wrote outside the one-float reward (byte %ld)", call, off);
        }
        if (g_broken(&in->term, &off)) {
            fail(c, C_OUTPUT_CANARY, "%s wrote outside the int32 *terminated (byte %ld)", call,
                 off);
        }
        if (g_broken(&in->trunc, &off)) {
            fail(c, C_OUTPUT_CANARY, "%s wrote outside the int32 *truncated (byte %ld)", call, off);
        }
    }
    for (int k = 0; k < 2; k++) {
        if (g_broken(&c->task[k], &off)) {
            fail(c, C_TASK_CANARY, "%s wrote %s the task buffer (byte %ld of %llu)", call,
                 off < 0 ? "before" : "past", off, (unsigned long long)c->info.task_bytes);
        }
        if (c->task_pristine[k] && c->info.task_bytes <= (1u << 16) &&
            memcmp(g_ptr(&c->task[k]), c->task_pristine[k], (size_t)c->info.task_bytes) != 0) {
            fail(c, C_TASK_CANARY, "%s modified the task (it is const for reset and step)", call);
            memcpy(g_ptr(&c->task[k]), c->task_pristine[k], (size_t)c->info.task_bytes);
        }
    }
}

static void check_obs(Ctx* c, Inst* in, const char* call) {
    const float* obs = g_ptr(&in->obs);
    for (size_t i = 0; i < c->obs_floats; i++) {
        if (bits_of_f32(obs[i]) == POISON_F32) {
            fail(c, C_OBS_RANGE, "%s did not write observation float %zu of %zu", call, i,
                 c->obs_floats);
            return;
        }
    }
    char why[160];
    if (value_problem(&c->info.obs, obs, why, sizeof why)) {
        fail(c, C_OBS_RANGE, "%s: observation %s", call, why);
    }
}

// snapshot of the state before a call that takes `const void* state`
static void snap(Ctx* c, Inst* in) {
    memcpy(c->snapshot, g_ptr(&in->state), (size_t)c->info.state_bytes);
}

static int snap_changed(Ctx* c, Inst* in) {
    return memcmp(c->snapshot, g_ptr(&in->state), (size_t)c->info.state_bytes) != 0;
}

static void check_oracle(Ctx* c, Inst* in, const char* when) {
    if (!c->api.oracle || failed(c, C_ORACLE)) {
        return;
    }
    MrlOracleInfo* info = g_ptr(&c->oinfo);
    float* act = g_ptr(&c->oact);
    char* err = g_ptr(&in->err);
    memset(info, 0, sizeof *info);
    info->struct_size = sizeof(MrlOracleInfo);
    memset(act, 0, c->act_floats * sizeof(float));
    err[0] = '\0';
    snap(c, in);
    uint64_t calls0 = mrl_conform_alloc_calls();
    int32_t rc = c->api.oracle(g_ptr(&in->state), info, act, err);
    uint64_t calls = mrl_conform_alloc_calls() - calls0;
    c->n_oracle++;
    long off;
    char why[160];
    if (rc == MRL_ENOTSUP && !snap_changed(c, in) && !(c->counting && calls > 0)) {
        // the capability is not available with these parameters (reported as SKIP)
        if (c->n_oracle_unsup++ == 0) {
            snprintf(c->oracle_unsup_msg, sizeof c->oracle_unsup_msg, "%s",
                     err[0] ? err : "no message");
        }
    } else if (rc != MRL_OK) {
        fail(c, C_ORACLE, "oracle %s failed (status %d): %s", when, (int)rc,
             err[0] ? err : "no message");
    } else if (g_broken(&c->oinfo, &off)) {
        fail(c, C_ORACLE, "oracle %s wrote outside its MrlOracleInfo (byte %ld)", when, off);
    } else if (g_broken(&c->oact, &off)) {
        fail(c, C_ORACLE, "oracle %s wrote outside the action buffer (byte %ld of %zu)", when, off,
             c->act_floats * sizeof(float));
    } else if (snap_changed(c, in)) {
        fail(c, C_ORACLE, "oracle %s modified the state (it is const)", when);
    } else if (c->counting && calls > 0) {
        fail(c, C_ORACLE, "oracle %s made %llu heap calls (it must not allocate)", when,
             (unsigned long long)calls);
    } else if (info->valid & ~(MRL_ORACLE_VALUE | MRL_ORACLE_STEPS | MRL_ORACLE_ACTION)) {
        fail(c, C_ORACLE, "oracle %s set unknown valid bits 0x%x", when, (unsigned)info->valid);
    } else if ((info->valid & MRL_ORACLE_VALUE) && isnan(info->value)) {
        fail(c, C_ORACLE, "oracle %s: value is NaN", when);
    } else if ((info->valid & MRL_ORACLE_STEPS) && !(info->steps >= 0.0)) {
        fail(c, C_ORACLE, "oracle %s: steps %g must be >= 0 (INFINITY if unreachable)", when,
             info->steps);
    } else if ((info->valid & MRL_ORACLE_ACTION) &&
               value_problem(&c->info.action, act, why, sizeof why)) {
        fail(c, C_ORACLE, "oracle %s: action %s", when, why);
    }
    (void)g_broken(&in->err, &off);
}

static void check_render_text(Ctx* c, Inst* in, const char* when) {
    if (!c->api.render_text || failed(c, C_RENDER_TEXT)) {
        return;
    }
    char* err = g_ptr(&in->err);
    const uint64_t sizes[2] = {TEXT_MAX, TEXT_TINY};
    Guarded* bufs[2] = {&c->text, &c->text_tiny};
    for (int k = 0; k < 2; k++) {
        char* buf = g_ptr(bufs[k]);
        memset(buf, CANARY, (size_t)sizes[k]);
        err[0] = '\0';
        snap(c, in);
        int32_t rc = c->api.render_text(g_ptr(&in->state), buf, sizes[k], err);
        c->n_render++;
        long off;
        if (g_broken(bufs[k], &off)) {
            fail(c, C_RENDER_TEXT, "render_text %s wrote past buf_size %llu (byte %ld)", when,
                 (unsigned long long)sizes[k], off);
            return;
        }
        if (snap_changed(c, in)) {
            fail(c, C_RENDER_TEXT, "render_text %s modified the state (it is const)", when);
            return;
        }
        if (rc != MRL_OK) {
            if (k == 0) {
                fail(c, C_RENDER_TEXT, "render_text %s failed (status %d): %s", when, (int)rc,
                     err[0] ? err : "no message");
                return;
            }
            continue; // a buffer too small for the picture may be refused
        }
        if (!memchr(buf, '\0', (size_t)sizes[k])) {
            fail(c, C_RENDER_TEXT, "render_text %s: no terminating NUL within buf_size %llu", when,
                 (unsigned long long)sizes[k]);
            return;
        }
    }
}

static void check_render_rgb(Ctx* c, Inst* in, const char* when) {
    if (!c->api.render_rgb || failed(c, C_RENDER_RGB)) {
        return;
    }
    char* err = g_ptr(&in->err);
    int n_views = 0;
    for (int32_t view = MRL_VIEW_FIRST_PERSON; view <= MRL_VIEW_TOP_DOWN; view++) {
        int32_t w = -1, h = -1;
        err[0] = '\0';
        int32_t rc = c->api.render_size(&w, &h, c->params, view, err);
        if (rc == MRL_EINVAL) {
            continue;
        }
        if (rc != MRL_OK) {
            fail(c, C_RENDER_RGB, "render_size(view %d) returned %d (must be MRL_OK or MRL_EINVAL)",
                 (int)view, (int)rc);
            return;
        }
        if (w < 1 || h < 1 || w > 16384 || h > 16384) {
            fail(c, C_RENDER_RGB, "render_size(view %d) reported %d x %d", (int)view, (int)w,
                 (int)h);
            return;
        }
        n_views++;
        size_t n = (size_t)w * (size_t)h * 3;
        g_free(&c->rgb);
        uint8_t* rgb = g_alloc(&c->rgb, n);
        if (!rgb) {
            out_of_memory(c, C_RENDER_RGB);
            return;
        }
        snap(c, in);
        err[0] = '\0';
        rc = c->api.render_rgb(g_ptr(&in->state), rgb, view, err);
        long off;
        if (rc != MRL_OK) {
            fail(c, C_RENDER_RGB, "render_rgb(view %d) %s failed (status %d): %s", (int)view, when,
                 (int)rc, err[0] ? err : "no message");
        } else if (g_broken(&c->rgb, &off)) {
            fail(c, C_RENDER_RGB,
                 "render_rgb(view %d) %s wrote outside %d x %d x 3 bytes (byte %ld)", (int)view,
                 when, (int)w, (int)h, off);
        } else if (snap_changed(c, in)) {
            fail(c, C_RENDER_RGB, "render_rgb(view %d) %s modified the state (it is const)",
                 (int)view, when);
        } else {
            pass(c, C_RENDER_RGB, "render_rgb view %d: %d x %d", (int)view, (int)w, (int)h);
        }
    }
    if (n_views == 0) {
        fail(c, C_RENDER_RGB,
             "render_size supports neither the first-person nor the top-down view");
    }
}

// ---- runs ----

typedef struct RunOut {
    Row* rows;
    size_t n_rows, cap;
    int64_t ep_len[N_EPISODES];
    int n_unfinished; // episodes cut by STEP_CAP before their horizon
    int64_t steps;
    uint64_t heap_calls; // during reset and step
    char alloc_where[96];
} RunOut;

static void add_row(RunOut* out, int32_t ep, int32_t step, int32_t rc, const Inst* in,
                    size_t obs_floats) {
    if (out->n_rows >= out->cap) {
        return;
    }
    Row* r = &out->rows[out->n_rows++];
    memset(r, 0, sizeof *r);
    r->episode = ep;
    r->step = step;
    r->rc = rc;
    r->obs = mrl_hash_bytes(g_ptr(&in->obs), obs_floats * sizeof(float), 0);
    if (step >= 0) {
        memcpy(&r->reward, g_ptr(&in->reward), sizeof r->reward);
        memcpy(&r->term, g_ptr(&in->term), sizeof r->term);
        memcpy(&r->trunc, g_ptr(&in->trunc), sizeof r->trunc);
    }
}

static void poison_floats(float* p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        p[i] = f32_from_bits(POISON_F32);
    }
}

// runs the fixed schedule of N_EPISODES episodes on `in` with tasks `tasks`; with
// `checked` set, every call is checked and the optional capabilities are exercised
static void run_schedule(Ctx* c, Inst* in, void* const tasks[2], RunOut* out, int checked) {
    static const int task_of[N_EPISODES] = {0, 0, 1, 0};
    const MrlEnvApi* a = &c->api;
    int64_t cap = c->info.max_episode_steps < STEP_CAP ? c->info.max_episode_steps : STEP_CAP;
    MrlRng arng;
    mrl_rng_seed(&arng, 0xac7104ULL, 5);
    float* obs = g_ptr(&in->obs);
    float* reward = g_ptr(&in->reward);
    int32_t* term = g_ptr(&in->term);
    int32_t* trunc = g_ptr(&in->trunc);
    float* act = g_ptr(&in->act);
    char* err = g_ptr(&in->err);
    char where[96];
    for (int ep = 0; ep < N_EPISODES; ep++) {
        MrlRng rng;
        mrl_rng_seed(&rng, 0x5eed0000ULL + (uint64_t)ep, 17);
        poison_floats(obs, c->obs_floats);
        err[0] = '\0';
        uint64_t calls0 = mrl_conform_alloc_calls();
        int32_t rc = a->reset(g_ptr(&in->state), obs, tasks[task_of[ep]], &rng, err);
        uint64_t calls = mrl_conform_alloc_calls() - calls0;
        add_row(out, ep, -1, rc, in, c->obs_floats);
        snprintf(where, sizeof where, "reset (episode %d)", ep);
        if (checked) {
            c->n_resets++;
            if (calls > 0 && out->heap_calls == 0) {
                snprintf(out->alloc_where, sizeof out->alloc_where, "%s", where);
            }
            out->heap_calls += calls;
            check_guards(c, in, where, 0);
            if (rc != MRL_OK) {
                fail(c, C_EPISODES, "%s failed (status %d): %s", where, (int)rc,
                     err[0] ? err : "no message");
                return;
            }
            check_obs(c, in, where);
            check_oracle(c, in, "after reset");
            check_render_text(c, in, "after reset");
            if (ep == 0) {
                check_render_rgb(c, in, "after reset");
            }
        } else if (rc != MRL_OK) {
            return;
        }
        int ended = 0;
        int64_t t = 0;
        for (; t < cap && !ended; t++) {
            random_action(&c->info.action, act, &arng);
            poison_floats(obs, c->obs_floats);
            poison_floats(reward, 1);
            *term = (int32_t)POISON_I32;
            *trunc = (int32_t)POISON_I32;
            err[0] = '\0';
            calls0 = mrl_conform_alloc_calls();
            rc = a->step(g_ptr(&in->state), obs, reward, term, trunc, act, &rng, err);
            calls = mrl_conform_alloc_calls() - calls0;
            add_row(out, ep, (int32_t)t, rc, in, c->obs_floats);
            out->steps++;
            if (!checked) {
                if (rc != MRL_OK) {
                    return;
                }
                ended = *term != MRL_TERM_NONE || *trunc != 0;
                continue;
            }
            c->n_steps++;
            snprintf(where, sizeof where, "step %lld of episode %d", (long long)t, ep);
            if (calls > 0 && out->heap_calls == 0) {
                snprintf(out->alloc_where, sizeof out->alloc_where, "%s", where);
            }
            out->heap_calls += calls;
            check_guards(c, in, where, 1);
            if (rc != MRL_OK) {
                char as[64];
                snprintf(as, sizeof as, "%g", (double)act[0]);
                fail(c, C_EPISODES, "%s failed (status %d) on the valid action %s: %s", where,
                     (int)rc, as, err[0] ? err : "no message");
                return;
            }
            check_obs(c, in, where);
            if (bits_of_f32(*reward) == POISON_F32) {
                fail(c, C_REWARD_RANGE, "%s did not write the reward", where);
            } else if (!isfinite(*reward)) {
                fail(c, C_REWARD_RANGE, "%s: reward %g is not finite (the host stops a run on it)",
                     where, (double)*reward);
            } else if (!((double)*reward >= c->info.reward_min &&
                         (double)*reward <= c->info.reward_max)) {
                fail(c, C_REWARD_RANGE, "%s: reward %g is outside [%g, %g]", where, (double)*reward,
                     c->info.reward_min, c->info.reward_max);
            }
            if (*term == (int32_t)POISON_I32 || *trunc == (int32_t)POISON_I32) {
                fail(c, C_EPISODES, "%s did not write %s", where,
                     *term == (int32_t)POISON_I32 ? "*terminated" : "*truncated");
                return;
            }
            if (*term < MRL_TERM_NONE || *term > MRL_TERM_FAILURE || (*trunc != 0 && *trunc != 1)) {
                fail(c, C_EPISODES, "%s wrote terminated %d, truncated %d (need 0..2 and 0/1)",
                     where, (int)*term, (int)*trunc);
                return;
            }
            ended = *term != MRL_TERM_NONE || *trunc != 0;
            if (t < RENDER_STEPS || ended) {
                const char* when = ended ? "after the episode ended" : "during the episode";
                check_oracle(c, in, when);
                check_render_text(c, in, when);
                if (ep == 0 && t == 0) {
                    check_render_rgb(c, in, when);
                }
            } else {
                check_oracle(c, in, "during the episode");
            }
        }
        out->ep_len[ep] = t;
        out->n_unfinished += !ended && cap < c->info.max_episode_steps;
        if (checked && !ended && cap == c->info.max_episode_steps) {
            fail(c, C_EPISODES,
                 "episode %d did not end within max_episode_steps = %lld (step must set "
                 "terminated or truncated by then)",
                 ep, (long long)c->info.max_episode_steps);
        }
        if (checked && c->info.task_bytes > (1u << 16)) {
            for (int k = 0; k < 2; k++) {
                if (memcmp(g_ptr(&c->task[k]), c->task_pristine[k], (size_t)c->info.task_bytes)) {
                    fail(c, C_TASK_CANARY, "episode %d modified the task (it is const)", ep);
                    memcpy(g_ptr(&c->task[k]), c->task_pristine[k], (size_t)c->info.task_bytes);
                }
            }
        }
    }
}

// compares two traces; 0 if equal, else a message in `why`
static int trace_differs(const RunOut* a, const RunOut* b, char* why, size_t n) {
    size_t m = a->n_rows < b->n_rows ? a->n_rows : b->n_rows;
    for (size_t i = 0; i < m; i++) {
        const Row* x = &a->rows[i];
        const Row* y = &b->rows[i];
        if (memcmp(x, y, sizeof *x) == 0) {
            continue;
        }
        const char* what = x->rc != y->rc           ? "status"
                           : x->obs != y->obs       ? "observation"
                           : x->reward != y->reward ? "reward"
                           : x->term != y->term     ? "terminated"
                                                    : "truncated";
        if (x->step < 0) {
            snprintf(why, n, "%s after reset of episode %d differs", what, (int)x->episode);
        } else if (x->reward != y->reward) {
            snprintf(why, n, "reward at episode %d step %d differs (%g vs %g)", (int)x->episode,
                     (int)x->step, (double)f32_from_bits(x->reward),
                     (double)f32_from_bits(y->reward));
        } else {
            snprintf(why, n, "%s at episode %d step %d differs", what, (int)x->episode,
                     (int)x->step);
        }
        return 1;
    }
    if (a->n_rows != b->n_rows) {
        snprintf(why, n, "the runs have different lengths (%zu vs %zu calls)", a->n_rows,
                 b->n_rows);
        return 1;
    }
    return 0;
}

// ---- tasks and fingerprints ----

static int check_tasks(Ctx* c) {
    size_t tb = (size_t)c->info.task_bytes;
    char err[MRL_ERR_MAX + 1];
    const uint64_t seeds[2] = {11, 12};
    Guarded again = {0};
    for (int k = 0; k < 2; k++) {
        if (!g_alloc(&c->task[k], tb) || !g_alloc(&c->task_copy[k], tb) ||
            !(c->task_pristine[k] = malloc(tb))) {
            out_of_memory(c, C_TASK_SAMPLE);
            return 0;
        }
        MrlRng rng;
        mrl_rng_seed(&rng, seeds[k], 1);
        err[0] = '\0';
        scribble_stack(0x00);
        int32_t rc = c->api.task_sample(g_ptr(&c->task[k]), c->params, &rng, err);
        if (rc != MRL_OK) {
            fail(c, C_TASK_SAMPLE, "task_sample failed (status %d): %s", (int)rc,
                 err[0] ? err : "no message");
            return 0;
        }
        long off;
        if (g_broken(&c->task[k], &off)) {
            fail(c, C_TASK_CANARY, "task_sample wrote %s the task buffer (byte %ld of %zu)",
                 off < 0 ? "before" : "past", off, tb);
        }
        memcpy(c->task_pristine[k], g_ptr(&c->task[k]), tb);
        memcpy(g_ptr(&c->task_copy[k]), g_ptr(&c->task[k]), tb);
    }
    // same seed, another buffer, a dirty stack: the same bytes
    if (!g_alloc(&again, tb)) {
        out_of_memory(c, C_TASK_SAMPLE);
        return 0;
    }
    MrlRng rng;
    mrl_rng_seed(&rng, seeds[0], 1);
    scribble_stack(0x5A);
    int32_t rc = c->api.task_sample(g_ptr(&again), c->params, &rng, err);
    long off;
    (void)g_broken(&again, &off);
    if (rc != MRL_OK) {
        fail(c, C_TASK_SAMPLE, "task_sample failed the second time with the same seed");
    } else if (memcmp(g_ptr(&again), c->task_pristine[0], tb) != 0) {
        size_t i = 0;
        const unsigned char* x = g_ptr(&again);
        while (i < tb && x[i] == c->task_pristine[0][i]) {
            i++;
        }
        fail(c, C_TASK_SAMPLE,
             "the same seed gave different task bytes (first difference at byte %zu of %zu; "
             "uninitialised padding, a global, or an address in the task?)",
             i, tb);
    } else if (memcmp(c->task_pristine[0], c->task_pristine[1], tb) == 0) {
        pass(c, C_TASK_SAMPLE, "deterministic; note: seeds 11 and 12 gave equal tasks");
    } else {
        pass(c, C_TASK_SAMPLE,
             "same seed gives byte-equal tasks (%zu bytes), also with a dirty "
             "stack",
             tb);
    }
    g_free(&again);
    if (!failed(c, C_TASK_CANARY)) {
        pass(c, C_TASK_CANARY, "task_sample stays inside %zu bytes", tb);
    }
    return 1;
}

static void check_fingerprint(Ctx* c) {
    if (!c->api.task_fingerprint) {
        skip(c, C_FINGERPRINT, "task_fingerprint not provided (the host hashes the task bytes)");
        return;
    }
    size_t tb = (size_t)c->info.task_bytes;
    const MrlEnvApi* a = &c->api;
    uint64_t f0 = a->task_fingerprint(g_ptr(&c->task[0]), c->params);
    uint64_t f1 = a->task_fingerprint(g_ptr(&c->task[0]), c->params);
    uint64_t f2 = a->task_fingerprint(g_ptr(&c->task_copy[0]), c->params);
    if (f0 != f1) {
        fail(c, C_FINGERPRINT, "two calls on the same task gave %016llx and %016llx",
             (unsigned long long)f0, (unsigned long long)f1);
        return;
    }
    if (f0 != f2) {
        fail(c, C_FINGERPRINT,
             "a byte-equal copy of the task elsewhere in memory has another fingerprint "
             "(%016llx vs %016llx)",
             (unsigned long long)f0, (unsigned long long)f2);
        return;
    }
    uint64_t fp[N_FP_TASKS], bh[N_FP_TASKS];
    Guarded g = {0};
    if (!g_alloc(&g, tb)) {
        out_of_memory(c, C_FINGERPRINT);
        return;
    }
    char err[MRL_ERR_MAX + 1];
    int n_distinct_bytes = 0;
    for (int i = 0; i < N_FP_TASKS; i++) {
        memset(g_ptr(&g), 0, tb);
        MrlRng rng;
        mrl_rng_seed(&rng, 1000 + (uint64_t)i, 3);
        err[0] = '\0';
        int32_t rc = a->task_sample(g_ptr(&g), c->params, &rng, err);
        if (rc != MRL_OK) {
            fail(c, C_TASK_SAMPLE, "task_sample failed for seed %d (status %d): %s", 1000 + i,
                 (int)rc, err[0] ? err : "no message");
            g_free(&g);
            skip(c, C_FINGERPRINT, "not run: task_sample failed");
            return;
        }
        fp[i] = a->task_fingerprint(g_ptr(&g), c->params);
        bh[i] = mrl_hash_bytes(g_ptr(&g), tb, 0);
        int new_bytes = 1;
        for (int j = 0; j < i; j++) {
            new_bytes &= bh[j] != bh[i];
            if (fp[j] == fp[i] && bh[j] != bh[i]) {
                fail(c, C_FINGERPRINT,
                     "sampled tasks %d and %d differ but share the fingerprint %016llx", j, i,
                     (unsigned long long)fp[i]);
                g_free(&g);
                return;
            }
            if (fp[j] != fp[i] && bh[j] == bh[i]) {
                fail(c, C_FINGERPRINT,
                     "sampled tasks %d and %d are byte-equal but have different fingerprints", j,
                     i);
                g_free(&g);
                return;
            }
        }
        n_distinct_bytes += new_bytes;
    }
    g_free(&g);
    pass(c, C_FINGERPRINT, "stable, and distinct across %d sampled tasks (%d distinct values)",
         N_FP_TASKS, n_distinct_bytes);
}

// ---- bad actions ----

static void check_actions(Ctx* c) {
    const MrlSpace* sp = &c->info.action;
    float bad[4];
    const char* what[4];
    int n_bad = 0;
    if (sp->kind == MRL_SPACE_DISCRETE) {
        const float vals[4] = {-1.0f, (float)sp->n, 0.5f, NAN};
        const char* names[4] = {"below 0", "equal to n", "not an integer", "NaN"};
        for (int k = 0; k < 4; k++) {
            bad[n_bad] = vals[k];
            what[n_bad++] = names[k];
        }
    } else {
        bad[n_bad] = NAN;
        what[n_bad++] = "NaN";
        if (isfinite(sp->low)) {
            bad[n_bad] = sp->low - fmaxf(1.0f, fabsf(sp->low));
            what[n_bad++] = "below low";
        }
        if (isfinite(sp->high)) {
            bad[n_bad] = sp->high + fmaxf(1.0f, fabsf(sp->high));
            what[n_bad++] = "above high";
        }
    }
    char msg[MRL_CONFORM_MSG_MAX];
    for (int k = 0; k < n_bad; k++) {
        Inst in;
        int32_t rc = inst_new(c, &in, msg, sizeof msg);
        if (rc == MRL_ENOMEM) {
            out_of_memory(c, C_ACTION);
            return;
        }
        if (rc != MRL_OK) {
            inst_free(c, &in);
            skip(c, C_ACTION, "not run: %s", msg);
            return;
        }
        MrlRng rng;
        mrl_rng_seed(&rng, 77, 1);
        char* err = g_ptr(&in.err);
        rc = c->api.reset(g_ptr(&in.state), g_ptr(&in.obs), g_ptr(&c->task[0]), &rng, err);
        if (rc == MRL_OK) {
            float* act = g_ptr(&in.act);
            MrlRng arng;
            mrl_rng_seed(&arng, 5, 5);
            random_action(sp, act, &arng); // valid elsewhere, bad in float 0
            act[0] = bad[k];
            rc = c->api.step(g_ptr(&in.state), g_ptr(&in.obs), g_ptr(&in.reward), g_ptr(&in.term),
                             g_ptr(&in.trunc), act, &rng, err);
            if (rc != MRL_EINVAL) {
                char sps[96];
                space_text(sp, sps, sizeof sps);
                fail(c, C_ACTION,
                     "step returned %d for action[0] = %g (%s, outside %s); it "
                     "must return MRL_EINVAL",
                     (int)rc, (double)act[0], what[k], sps);
            }
        }
        inst_free(c, &in);
        if (failed(c, C_ACTION)) {
            return;
        }
    }
    pass(c, C_ACTION, "%d out-of-space actions refused with MRL_EINVAL", n_bad);
}

// ---- the whole check ----

static void check_dynamic(Ctx* c) {
    char msg[MRL_CONFORM_MSG_MAX];
    size_t sb = (size_t)c->info.state_bytes;
    if (!check_tasks(c)) {
        block(c, C_TASK_SAMPLE);
        return;
    }
    check_fingerprint(c);
    if (c->oom) {
        return;
    }
    c->snapshot = malloc(sb);
    if (!c->snapshot || !g_alloc(&c->text, TEXT_MAX) || !g_alloc(&c->text_tiny, TEXT_TINY) ||
        !g_alloc(&c->oinfo, sizeof(MrlOracleInfo)) ||
        !g_alloc(&c->oact, c->act_floats * sizeof(float))) {
        out_of_memory(c, C_INIT);
        return;
    }
    int64_t cap = c->info.max_episode_steps < STEP_CAP ? c->info.max_episode_steps : STEP_CAP;
    size_t rows_cap = (size_t)N_EPISODES * (size_t)(cap + 1);
    RunOut runs[3];
    memset(runs, 0, sizeof runs);
    Inst x, y;
    memset(&x, 0, sizeof x);
    memset(&y, 0, sizeof y);
    for (int r = 0; r < 3; r++) {
        runs[r].cap = rows_cap;
        runs[r].rows = calloc(rows_cap, sizeof(Row));
        if (!runs[r].rows) {
            out_of_memory(c, C_DETERMINISM);
            goto done;
        }
    }
    int32_t rc = inst_new(c, &x, msg, sizeof msg);
    if (rc == MRL_OK) {
        rc = inst_new(c, &y, msg, sizeof msg);
    }
    if (rc == MRL_ENOMEM) {
        out_of_memory(c, C_INIT);
        goto done;
    }
    if (rc != MRL_OK) {
        fail(c, C_INIT, "%s", msg);
        block(c, C_INIT);
        goto done;
    }
    long off;
    if (g_broken(&x.state, &off) || g_broken(&y.state, &off)) {
        fail(c, C_STATE_CANARY, "init wrote %s the state block (byte %ld of %zu)",
             off < 0 ? "before" : "past", off, sb);
    }
    void* const orig[2] = {g_ptr(&c->task[0]), g_ptr(&c->task[1])};
    void* const copies[2] = {g_ptr(&c->task_copy[0]), g_ptr(&c->task_copy[1])};
    run_schedule(c, &x, orig, &runs[0], 1);
    run_schedule(c, &y, copies, &runs[1], 0); // a fresh instance, the tasks elsewhere
    run_schedule(c, &x, orig, &runs[2], 0);   // the same instance, reset again
    for (int k = 0; k < 2; k++) {
        (void)g_broken(&c->task_copy[k], &off);
    }
    char why[200];
    if (trace_differs(&runs[0], &runs[1], why, sizeof why)) {
        fail(c, C_DETERMINISM, "a fresh instance with the same seeds diverged: %s", why);
    } else if (trace_differs(&runs[0], &runs[2], why, sizeof why)) {
        fail(c, C_DETERMINISM, "the same instance reset again with the same seeds diverged: %s",
             why);
    } else {
        pass(c, C_DETERMINISM, "3 runs of %d episodes (%zu calls each) are byte-identical",
             N_EPISODES, runs[0].n_rows);
    }
    if (!c->counting) {
        skip(c, C_STEP_ALLOC, "heap calls are not counted in this build (sanitizers own malloc)");
    } else if (runs[0].heap_calls > 0) {
        fail(c, C_STEP_ALLOC, "%llu heap calls during reset/step, the first in %s",
             (unsigned long long)runs[0].heap_calls, runs[0].alloc_where);
    } else {
        pass(c, C_STEP_ALLOC, "no heap calls in %lld resets and %lld steps", (long long)c->n_resets,
             (long long)c->n_steps);
    }
    char lens[96] = "";
    for (int e = 0, w = 0; e < N_EPISODES && w >= 0 && (size_t)w < sizeof lens; e++) {
        w += snprintf(lens + w, sizeof lens - (size_t)w, e ? "/%lld" : "%lld",
                      (long long)runs[0].ep_len[e]);
    }
    if (runs[0].n_unfinished > 0) {
        pass(c, C_EPISODES,
             "%d of %d episodes still running after %d steps (max_episode_steps "
             "%lld not reached; lengths %s)",
             runs[0].n_unfinished, N_EPISODES, STEP_CAP, (long long)c->info.max_episode_steps,
             lens);
    } else {
        pass(c, C_EPISODES, "%d episodes ended within max_episode_steps %lld (lengths %s)",
             N_EPISODES, (long long)c->info.max_episode_steps, lens);
    }
    pass(c, C_OBS_CANARY, "reset/step stay inside %zu observation floats", c->obs_floats);
    pass(c, C_STATE_CANARY, "all calls stay inside the %zu-byte state block", sb);
    pass(c, C_OUTPUT_CANARY, "reward, flags and error text stay inside their buffers");
    pass(c, C_OBS_RANGE, "every observation written and inside the space");
    pass(c, C_REWARD_RANGE, "every reward inside [%g, %g]", c->info.reward_min, c->info.reward_max);
    pass(c, C_TASK_CANARY,
         "task_sample stays inside %llu bytes; reset/step leave the task "
         "unchanged",
         (unsigned long long)c->info.task_bytes);
    if (c->api.render_text) {
        pass(c, C_RENDER_TEXT, "%lld renders NUL-terminated within their buffers",
             (long long)c->n_render);
    } else {
        skip(c, C_RENDER_TEXT, "render_text not provided");
    }
    if (!c->api.render_rgb) {
        skip(c, C_RENDER_RGB, "render_rgb not provided");
    }
    if (c->api.oracle && c->n_oracle > 0 && c->n_oracle_unsup == c->n_oracle) {
        skip(c, C_ORACLE, "oracle not available with these parameters (MRL_ENOTSUP): %s",
             c->oracle_unsup_msg);
    } else if (c->api.oracle) {
        pass(c, C_ORACLE, "%lld oracle calls consistent with the spaces%s%s",
             (long long)c->n_oracle, c->counting ? ", no heap calls" : "",
             c->n_oracle_unsup ? " (some answered MRL_ENOTSUP)" : "");
    } else {
        skip(c, C_ORACLE, "oracle not provided");
    }
    check_actions(c);
done:
    if (x.live || x.state.raw) {
        inst_free(c, &x);
    }
    if (y.live || y.state.raw) {
        inst_free(c, &y);
    }
    for (int r = 0; r < 3; r++) {
        free(runs[r].rows);
    }
    if (!c->blocked && !failed(c, C_INIT)) {
        int64_t leaked = c->init_allocs - c->release_frees;
        if (!c->counting) {
            pass(c, C_INIT, "init succeeded (leak check skipped: heap calls are not counted)");
        } else if (leaked > 0 && !c->api.release) {
            fail(c, C_INIT,
                 "init allocated %lld blocks over %lld instances but the plugin has "
                 "no release",
                 (long long)c->init_allocs, (long long)c->n_inits);
        } else if (leaked != 0) {
            fail(c, C_INIT, "release freed %lld of the %lld blocks init allocated (%lld instances)",
                 (long long)c->release_frees, (long long)c->init_allocs, (long long)c->n_inits);
        } else {
            pass(c, C_INIT,
                 "%lld instances: init succeeded, %lld blocks allocated by init, all "
                 "freed by release",
                 (long long)c->n_inits, (long long)c->init_allocs);
        }
    }
}

static void ctx_free(Ctx* c) {
    for (int k = 0; k < 2; k++) {
        g_free(&c->task[k]);
        g_free(&c->task_copy[k]);
        free(c->task_pristine[k]);
    }
    free(c->snapshot);
    g_free(&c->text);
    g_free(&c->text_tiny);
    g_free(&c->oinfo);
    g_free(&c->oact);
    g_free(&c->rgb);
    free(c);
}

static void fill_report(const Ctx* c, MrlConformReport* rep, int with_load) {
    rep->n_checks = rep->n_passed = rep->n_failed = rep->n_skipped = 0;
    for (int i = with_load ? 0 : 1; i < N_CHECKS; i++) {
        MrlConformCheck* k = &rep->checks[rep->n_checks++];
        snprintf(k->name, sizeof k->name, "%s", check_names[i]);
        if (c->status[i] == NOT_RUN) {
            k->status = MRL_CONFORM_SKIP;
            snprintf(k->msg, sizeof k->msg, "not run: the %s check failed",
                     c->blocker ? c->blocker : "an earlier");
        } else {
            k->status = c->status[i];
            snprintf(k->msg, sizeof k->msg, "%s", c->msg[i]);
        }
        rep->n_passed += k->status == MRL_CONFORM_PASS;
        rep->n_failed += k->status == MRL_CONFORM_FAIL;
        rep->n_skipped += k->status == MRL_CONFORM_SKIP;
    }
}

// runs every check after `load`; the load status (if any) is already in c
static void check_all(Ctx* c, const MrlEnvApi* raw, const double* params) {
    if (!check_abi(c, raw)) {
        block(c, C_ABI);
        return;
    }
    int ok = check_entries(c);
    if (!check_params(c, params) || !ok) {
        block(c, ok ? C_PARAMS : C_ENTRIES);
        return;
    }
    if (!check_describe(c)) {
        block(c, C_DESCRIBE);
        return;
    }
    c->counting = mrl_conform_alloc_available();
    check_dynamic(c);
}

static Ctx* ctx_new(void) {
    Ctx* c = calloc(1, sizeof *c);
    if (c) {
        for (int i = 0; i < N_CHECKS; i++) {
            c->status[i] = NOT_RUN;
        }
    }
    return c;
}

static int finish(Ctx* c, MrlConformReport* rep, int with_load) {
    fill_report(c, rep, with_load);
    snprintf(rep->plugin, sizeof rep->plugin, "%s", c->api.name ? c->api.name : "");
    int oom = c->oom;
    ctx_free(c);
    if (oom) {
        return MRL_ENOMEM;
    }
    return rep->n_failed > 0 ? MRL_EPLUGIN : MRL_OK;
}

static void report_oom(MrlConformReport* rep) {
    rep->n_checks = 1;
    rep->n_passed = rep->n_skipped = 0;
    rep->n_failed = 1;
    snprintf(rep->checks[0].name, sizeof rep->checks[0].name, "load");
    rep->checks[0].status = MRL_CONFORM_FAIL;
    snprintf(rep->checks[0].msg, sizeof rep->checks[0].msg, "the checker could not allocate");
}

int mrl_conform_check(const MrlEnvApi* api, const char* file, const double* params,
                      MrlConformReport* rep) {
    memset(rep, 0, sizeof *rep);
    snprintf(rep->file, sizeof rep->file, "%s", file ? file : "(table)");
    Ctx* c = ctx_new();
    if (!c) {
        report_oom(rep);
        return MRL_ENOMEM;
    }
    check_all(c, api, params);
    return finish(c, rep, 0);
}

// ---- loading by name or path ----

typedef struct Find {
    const char* name;
    char path[MRL_PATH_MAX];
    int found;
} Find;

static void find_cb(const char* path, void* ctx) {
    Find* f = ctx;
    if (f->found) {
        return;
    }
    const char* base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (strncmp(base, "lib", 3) == 0 && strncmp(f->name, "lib", 3) != 0) {
        base += 3;
    }
    size_t n = strlen(f->name);
    if (strncmp(base, f->name, n) == 0 && strcmp(base + n, ".so") == 0) {
        snprintf(f->path, sizeof f->path, "%s", path);
        f->found = 1;
    }
}

int mrl_conform_check_file(const char* name_or_path, const double* params, MrlConformReport* rep) {
    memset(rep, 0, sizeof *rep);
    snprintf(rep->file, sizeof rep->file, "%s", name_or_path);
    Ctx* c = ctx_new();
    if (!c) {
        report_oom(rep);
        return MRL_ENOMEM;
    }
    size_t len = strlen(name_or_path);
    Find f = {.name = name_or_path};
    if (strchr(name_or_path, '/') || (len > 3 && strcmp(name_or_path + len - 3, ".so") == 0)) {
        snprintf(f.path, sizeof f.path, "%s%s", strchr(name_or_path, '/') ? "" : "./",
                 name_or_path);
        f.found = 1;
    } else {
        mrl_plugin_list(find_cb, &f);
    }
    void* h = NULL;
    if (!f.found) {
        char sp[512];
        mrl_plugin_search_path(sp, sizeof sp);
        fail(c, C_LOAD, "no plugin '%s' on the plugin path (%s)", name_or_path, sp);
    } else {
        snprintf(rep->file, sizeof rep->file, "%s", f.path);
        h = dlopen(f.path, RTLD_NOW | RTLD_LOCAL);
        if (!h) {
            const char* why = dlerror();
            fail(c, C_LOAD, "dlopen failed: %s", why ? why : "unknown error");
        }
    }
    if (h) {
        MrlPluginEntryFn entry;
        *(void**)(&entry) = dlsym(h, MRL_PLUGIN_ENTRY_SYMBOL);
        if (!entry) {
            fail(c, C_LOAD, "no exported symbol '%s' (mark it MRL_EXPORT)",
                 MRL_PLUGIN_ENTRY_SYMBOL);
        } else {
            const MrlEnvApi* api = entry();
            if (!api) {
                fail(c, C_LOAD, "%s() returned NULL", MRL_PLUGIN_ENTRY_SYMBOL);
            } else if (entry() != api) {
                fail(c, C_LOAD, "%s() returned a different table the second time",
                     MRL_PLUGIN_ENTRY_SYMBOL);
            } else {
                pass(c, C_LOAD, "loaded %s", f.path);
                check_all(c, api, params);
            }
        }
    }
    if (failed(c, C_LOAD)) {
        block(c, C_LOAD);
    }
    int rc = finish(c, rep, 1);
    if (h) {
        dlclose(h);
    }
    return rc;
}

// ---- report ----

const MrlConformCheck* mrl_conform_find(const MrlConformReport* rep, const char* name) {
    for (int32_t i = 0; i < rep->n_checks; i++) {
        if (strcmp(rep->checks[i].name, name) == 0) {
            return &rep->checks[i];
        }
    }
    return NULL;
}

const char* mrl_conform_status_name(int32_t status) {
    return status == MRL_CONFORM_PASS ? "PASS" : status == MRL_CONFORM_FAIL ? "FAIL" : "SKIP";
}

void mrl_conform_print(FILE* out, const MrlConformReport* rep, int failures_only) {
    for (int32_t i = 0; i < rep->n_checks; i++) {
        const MrlConformCheck* k = &rep->checks[i];
        if (failures_only && k->status != MRL_CONFORM_FAIL) {
            continue;
        }
        fprintf(out, "%s %s: %s\n", mrl_conform_status_name(k->status), k->name, k->msg);
    }
    fprintf(out, "%s (%s): %d passed, %d failed, %d skipped\n", rep->plugin[0] ? rep->plugin : "?",
            rep->file, (int)rep->n_passed, (int)rep->n_failed, (int)rep->n_skipped);
}
