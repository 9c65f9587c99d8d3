// metarl/plugin.h — the one header an environment plugin is written against.
//
// A plugin is a shared object (a CMake MODULE library) that exports exactly one
// symbol, `mrl_plugin_entry`, returning a pointer to a constant `MrlEnvApi`
// table. The host (`metarl`) loads it with dlopen, checks the ABI version and
// the table, validates the YAML config against the plugin's declared
// parameters, samples tasks, and steps many environment instances (one per
// slot, possibly on several threads).
//
// Minimal plugin (see docs/plugins.md for a complete walk-through):
//
//     #include <metarl/plugin.h>
//     static const MrlEnvApi api = {
//         .abi_major = MRL_ABI_MAJOR, .abi_minor = MRL_ABI_MINOR,
//         .struct_size = sizeof(MrlEnvApi), .name = "coin", ...
//     };
//     MRL_EXPORT const MrlEnvApi* mrl_plugin_entry(void) { return &api; }
//
// Build (out of tree, C99 or later):
//     cc -std=c99 -O2 -shared -fPIC -fvisibility=hidden -I<prefix>/include coin.c -o coin.so -lm
// (-fvisibility=hidden keeps every symbol but the entry point private; -lm is
// needed by mrl_rng_normal.)
//
// ---- conventions ----
// - Every fallible callback returns an `int32_t` status: MRL_OK (0) or a negative
//   MRL_E* code. On failure it may write one line of text (no newline) into
//   `err`, a host-owned buffer of MRL_ERR_MAX bytes that is never NULL.
// - All numbers crossing the boundary are float32 (observations, actions,
//   rewards) or double (parameters, oracle values). A discrete value (an action
//   index, a discrete observation) is an integer stored exactly in a float.
// - The host owns every buffer it passes (obs, action, reward, flags, task,
//   state). A plugin writes into them during the call and never frees them or
//   keeps pointers to them after the call returns, except `state` and the
//   `task` given to `reset`, whose lifetimes are spelled out below.
// - ABI structs hold only fixed-width integers, doubles, floats and pointers;
//   kinds and flags are int32_t with the #defines below.
// - No global mutable state: everything an instance needs lives in its `state`
//   block, so the host may run many instances on many threads. Callbacks on
//   distinct states may run concurrently; callbacks on one state never
//   overlap but may come from different threads over time. The functions
//   that take no state (`mrl_plugin_entry`, `describe`, `task_sample`,
//   `task_fingerprint`, `render_size`) must be thread-safe.
// - Memory: the host aligns state and task blocks to 64 bytes. A state block
//   never moves between `init` and `release` (the plugin may keep pointers
//   into it). The host sets err[0] = 0 before a call; the plugin writes at
//   most MRL_ERR_MAX-1 bytes plus a NUL, and `err` is ignored on MRL_OK.
// - Parameters: `describe` and `init` receive the parameter vector of the
//   task set. Only MRL_PARAM_SHAPE entries are guaranteed to equal those of
//   every task later passed to `reset`; a parameter drawn per task (a YAML
//   distribution) reaches the dynamics only through the task value, so
//   `task_sample` must copy into the task whatever `reset`/`step` need.
//   `max_episode_steps`, `reward_min` and `reward_max` must bound every task of
//   the set. The host validates every value against the declared kind and
//   range before any callback sees it; cross-parameter constraints are the
//   plugin's to check in `describe` (MRL_EINVAL with text).
// - Versioning: only MrlEnvApi (append-only, see struct_size) and
//   MrlOracleInfo (which carries its own struct_size) grow within a major
//   version. Every other struct (MrlParamDef, MrlSpace, MrlEnvInfo) is frozen
//   for ABI major 1; new information arrives through new optional entries
//   appended to MrlEnvApi. Entries added in a minor version are optional for
//   both sides. Reserved fields must be zero.
// - Randomness comes only from the `MrlRng` streams the host passes in (PCG32,
//   inline below); never call rand(), srand() or read the clock.
//
// ---- lifecycle (per instance; the host guarantees this order) ----
//   describe(params)                      any time, any thread
//   task_sample(task, params, rng)        any time, any thread
//   init(state, params)                   once; state is zero-filled
//   +-> reset(state, obs, task, rng)      starts an episode of `task`
//   |   step(state, obs, ..., action, rng)* until terminated or truncated
//   +-- (next episode: reset again, with the same or another task)
//   release(state)                        once, if the plugin provides it
// `step` is legal only after a successful `reset` and before the episode has
// ended (a step that reported terminated or truncated ends it). Optional
// capabilities (render_text, render_rgb, oracle) are legal whenever `step`
// is, and also right after the episode ended, before the next `reset`.
// The host never calls `reset` in the middle of an episode except to abandon
// it, which a plugin must allow. If `init` fails, `release` is not called.
// After `reset` or `step` returned an error, only `reset` and `release` are
// legal. A plugin may (and the bundled ones do) return MRL_ESTATE for a call
// out of order, but the host never relies on it.

#ifndef METARL_PLUGIN_H
#define METARL_PLUGIN_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// ---- version ----

// The ABI major version. The host refuses a plugin whose major differs.
#define MRL_ABI_MAJOR 1
// The ABI minor version. Minor versions only append fields to MrlEnvApi; a
// host reads fields up to the plugin's `struct_size` and treats the rest as NULL.
#define MRL_ABI_MINOR 0

// Marks the entry point as exported from the shared object.
#if defined(_WIN32)
#define MRL_EXPORT __declspec(dllexport)
#else
#define MRL_EXPORT __attribute__((visibility("default")))
#endif

// The name of the one symbol a plugin exports.
#define MRL_PLUGIN_ENTRY_SYMBOL "mrl_plugin_entry"

// ---- status codes ----

#define MRL_OK 0        // success
#define MRL_EINVAL (-1) // invalid argument (a parameter combination, an action out of range)
#define MRL_ENOMEM (-2) // allocation failed (only `init` may allocate)
#define MRL_ESTATE (-3) // call out of order (e.g. step before reset)
#define MRL_EPLUGIN (-4) // internal plugin failure
#define MRL_EIO (-5)    // file system error (host only)
#define MRL_EFORMAT (-6) // malformed input file (host only)
#define MRL_ENOTSUP (-7) // an optional capability does not support this request (e.g. a view)

// Size of the error buffer the host passes to every fallible callback.
#define MRL_ERR_MAX 256

// ---- randomness: PCG32 with explicit state (O'Neill, pcg-random.org) ----

// One random stream. The host seeds it; plugins only draw from it.
typedef struct MrlRng {
    uint64_t state; // current state
    uint64_t inc;   // stream selector; always odd
} MrlRng;

// Each draw below consumes 32-bit values of the stream: mrl_rng_u32 one,
// mrl_rng_below one or more (rejection), mrl_rng_uniform two.

// Returns the next uniformly distributed 32-bit value of `rng` and advances it.
static inline uint32_t mrl_rng_u32(MrlRng* rng) {
    uint64_t old = rng->state;
    rng->state = old * 6364136223846793005ULL + rng->inc;
    uint32_t xorshifted = (uint32_t)(((old >> 18u) ^ old) >> 27u);
    uint32_t rot = (uint32_t)(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((-rot) & 31u));
}

// Returns a uniform integer in [0, bound) without modulo bias; bound must be > 0.
static inline uint32_t mrl_rng_below(MrlRng* rng, uint32_t bound) {
    uint32_t threshold = (0u - bound) % bound;
    for (;;) {
        uint32_t r = mrl_rng_u32(rng);
        if (r >= threshold) {
            return r % bound;
        }
    }
}

// Returns a uniform double in [0, 1) with 53 random bits.
static inline double mrl_rng_uniform(MrlRng* rng) {
    uint64_t hi = mrl_rng_u32(rng) >> 5; // 27 bits
    uint64_t lo = mrl_rng_u32(rng) >> 6; // 26 bits
    return (double)((hi << 26) | lo) * (1.0 / 9007199254740992.0);
}

// Returns a standard normal draw (Marsaglia's polar method; needs libm; uses
// four or more 32-bit draws). The sum of squares is written as an explicit
// fma so that no compiler contraction setting changes the bits: plugins and
// host draw identical normals given the same libm.
static inline double mrl_rng_normal(MrlRng* rng) {
    for (;;) {
        double u = 2.0 * mrl_rng_uniform(rng) - 1.0; // exact: scaling by 2 and subtracting 1
        double v = 2.0 * mrl_rng_uniform(rng) - 1.0;
        double vv = v * v;
        double s = fma(u, u, vv);
        if (s > 0.0 && s < 1.0) {
            double f = sqrt(-2.0 * log(s) / s);
            return u * f;
        }
    }
}

// Seeds `rng` from (seed, stream) exactly as the PCG reference
// pcg32_srandom_r does. Plugins never need it (the host seeds every stream
// it passes); it is here for standalone tests of a plugin.
static inline void mrl_rng_seed(MrlRng* rng, uint64_t seed, uint64_t stream) {
    rng->state = 0u;
    rng->inc = (stream << 1u) | 1u;
    (void)mrl_rng_u32(rng);
    rng->state += seed;
    (void)mrl_rng_u32(rng);
}

// FNV-1a (64-bit) over n bytes, continuing from the state h (start from
// MRL_FNV_BASIS); the host's own hashes use the same loop.
#define MRL_FNV_BASIS 0xcbf29ce484222325ULL
static inline uint64_t mrl_fnv1a64(uint64_t h, const void* data, size_t n) {
    const unsigned char* p = (const unsigned char*)data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

// A 64-bit hash of n bytes for a plugin's `task_fingerprint`: FNV-1a over the
// bytes, the length mixed in, then the splitmix64 finaliser. The same value on
// every platform for the same bytes.
static inline uint64_t mrl_fingerprint_bytes(const void* data, size_t n) {
    uint64_t h = mrl_fnv1a64(MRL_FNV_BASIS, data, n) ^ (uint64_t)n;
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
    return h ^ (h >> 31);
}

// ---- parameters ----

#define MRL_PARAM_INT 1    // integer in [lo, hi]
#define MRL_PARAM_REAL 2   // real in [lo, hi]
#define MRL_PARAM_BOOL 3   // false/true, passed as 0.0 / 1.0
#define MRL_PARAM_CHOICE 4 // one string of `choices`, passed as its index (0.0, 1.0, ...)

// Flags of a parameter.
// MRL_PARAM_SHAPE: the parameter changes the spaces, `task_bytes` or
// `state_bytes` that `describe` reports. The host then requires it to be a
// constant within a task set (no per-task distribution).
#define MRL_PARAM_SHAPE 1

// Declaration of one parameter. The host validates the YAML against these and
// passes the values to every callback as `const double* params`, one double
// per declared parameter, in table order.
typedef struct MrlParamDef {
    const char* name;            // key in the YAML `env.params` map; [a-z0-9_]+, unique
    int32_t kind;                // MRL_PARAM_*
    int32_t flags;               // MRL_PARAM_SHAPE or 0; other bits must be zero
    double def;                  // default value (CHOICE: index; BOOL: 0 or 1)
    double lo;                   // inclusive lower bound (INT, REAL); BOOL, CHOICE: 0
    double hi;                   // inclusive upper bound (INT, REAL); BOOL, CHOICE: 0
    const char* const* choices;  // CHOICE: NULL-terminated names, each [a-z0-9_]+; else NULL
    const char* help;            // one line of help, no trailing full stop needed
} MrlParamDef;

// ---- spaces ----

// A DISCRETE observation is written as its index in one float; turning it
// into a one-hot vector is the agent's business.
#define MRL_SPACE_DISCRETE 1 // one value in {0, ..., n-1}, stored as one float
#define MRL_SPACE_BOX 2      // `n` floats laid out row-major with `shape`

#define MRL_SPACE_MAX_DIMS 4

// An observation or action space.
typedef struct MrlSpace {
    int32_t kind;                      // MRL_SPACE_*
    int32_t n;                         // DISCRETE: number of values; BOX: number of floats
    int32_t ndim;                      // BOX: rank, 1..MRL_SPACE_MAX_DIMS; DISCRETE: 0
    int32_t shape[MRL_SPACE_MAX_DIMS]; // BOX: extents, product == n (e.g. H, W, C)
    float low;                         // BOX: lower bound of every element (-INFINITY allowed)
    float high;                        // BOX: upper bound of every element (INFINITY allowed)
} MrlSpace;

// Returns how many floats one value of `space` occupies in a host buffer
// (1 for DISCRETE, n for BOX).
static inline int32_t mrl_space_floats(const MrlSpace* space) {
    return space->kind == MRL_SPACE_DISCRETE ? 1 : space->n;
}

// What `describe` reports for one parameter vector.
typedef struct MrlEnvInfo {
    MrlSpace obs;              // observation space
    MrlSpace action;           // action space
    uint64_t task_bytes;       // size of one task value (plain bytes, no pointers), > 0
    uint64_t state_bytes;      // size of one instance's state block, > 0
    int64_t max_episode_steps; // upper bound on steps per episode (the horizon), > 0
    double reward_min;         // lower bound on one step's reward (-INFINITY if none)
    double reward_max;         // upper bound on one step's reward (INFINITY if none)
} MrlEnvInfo;

// ---- step outcome ----

// Values written to `*terminated` by `step`.
#define MRL_TERM_NONE 0    // the episode goes on (or was truncated)
#define MRL_TERM_SUCCESS 1 // reached a terminal state that counts as success (e.g. the goal)
#define MRL_TERM_FAILURE 2 // reached a terminal state that is not a success

// ---- oracle information (optional capability) ----

// Which fields of MrlOracleInfo are valid.
#define MRL_ORACLE_VALUE 1  // `value` is set
#define MRL_ORACLE_STEPS 2  // `steps` is set
#define MRL_ORACLE_ACTION 4 // the `action` buffer was written

// Privileged information about the current state. The host zero-fills it and
// sets `struct_size` before the call.
typedef struct MrlOracleInfo {
    uint32_t struct_size; // sizeof(MrlOracleInfo) as the host knows it
    int32_t valid;        // MRL_ORACLE_* bits the plugin set
    double value;         // optimal expected undiscounted return from now to the end of the episode
    double steps;         // fewest steps from now to success under the optimal policy, ignoring
                          // chance (INFINITY if unreachable); 0 once the episode has ended
} MrlOracleInfo;

// ---- render views (optional capability) ----

#define MRL_VIEW_FIRST_PERSON 0 // what the agent sees
#define MRL_VIEW_TOP_DOWN 1     // a map of the whole environment

// ---- the table ----

// The function table a plugin returns from `mrl_plugin_entry`. Fields are
// only ever appended; each group names the minor version that added it.
// Entries marked (required) must be non-NULL; (optional) entries may be NULL.
typedef struct MrlEnvApi {
    // -- since 1.0 --
    uint32_t abi_major;   // MRL_ABI_MAJOR the plugin was built with (required)
    uint32_t abi_minor;   // MRL_ABI_MINOR the plugin was built with (required)
    uint32_t struct_size; // sizeof(MrlEnvApi) the plugin was built with (required)
    uint32_t reserved0;   // zero

    const char* name;    // short name, [a-z0-9_]+, unique on the plugin path (required)
    const char* version; // the plugin's own version, e.g. "1.2.0" (required)
    const char* summary; // one line describing the environment family (required)

    int32_t n_params;           // number of entries in `params`, 0..64
    int32_t reserved1;          // zero
    const MrlParamDef* params;  // parameter table; NULL iff n_params == 0 (then callbacks
                                // receive params == NULL)

    // Reports spaces and sizes for the parameter vector `params`. Must be a pure
    // function of `params` restricted to MRL_PARAM_SHAPE entries for the spaces,
    // task_bytes and state_bytes. Returns MRL_EINVAL (with text) for an invalid
    // combination of parameters. (required)
    int32_t (*describe)(MrlEnvInfo* info, const double* params, char* err);

    // Samples one task of the distribution described by `params` into `task`
    // (task_bytes bytes, zero-filled by the host). The result must depend only
    // on `params` and the draws from `rng`, and must be plain bytes with every
    // padding byte zero: the host copies, hashes and checkpoints task values.
    // (required)
    int32_t (*task_sample)(void* task, const double* params, MrlRng* rng, char* err);

    // Returns a 64-bit fingerprint of `task` that is equal for equal tasks and,
    // with overwhelming probability, distinct for distinct ones. `params` are
    // those the task was sampled with. The host uses it to prove held-out
    // tasks never appear in training. A plugin may deliberately give one
    // fingerprint to tasks that differ only in episode settings copied from the
    // parameters (the same goal under another start rule, say): the host then
    // keeps every such variant of a held-out task out of training, which is
    // stricter. Otherwise distinct bytes need distinct fingerprints; the
    // conformance checker tests that on tasks sampled from constant parameters.
    // If NULL the host hashes the task_bytes bytes of the task. (optional)
    uint64_t (*task_fingerprint)(const void* task, const double* params);

    // Prepares a zero-filled state block of state_bytes bytes for `params`.
    // The only callback that may allocate; if it does, `release` must free.
    // (required)
    int32_t (*init)(void* state, const double* params, char* err);

    // Frees what `init` allocated. The state block itself belongs to the host.
    // (optional)
    void (*release)(void* state);

    // Starts a new episode of `task` and writes the first observation into
    // `obs` (mrl_space_floats(obs) floats). The host keeps `task` unchanged and
    // valid until the next `reset` or `release`, so the plugin may keep the
    // pointer in its state. `rng` is the episode's stream (start positions,
    // noise); it is only valid during the call. (required)
    int32_t (*reset)(void* state, float* obs, const void* task, MrlRng* rng, char* err);

    // Applies `action` (mrl_space_floats(action) floats) and writes the next
    // observation, the reward and the two end flags. `*terminated` is one of
    // MRL_TERM_* (a terminal state: the value after it is zero); `*truncated`
    // is 1 when the episode was cut by its horizon or a time limit (the state
    // is not terminal), else 0. The plugin sets it on the step that reaches
    // max_episode_steps (the host also cuts an episode there, as a safety net,
    // but a conforming plugin never relies on that). Success is a terminal
    // outcome in ABI 1 (MRL_TERM_SUCCESS); reaching a goal without ending the
    // episode will be reported through an optional entry of a later minor. Both may be set by one
    // step, in which case termination wins for learning. `rng` is the episode's stream (the same
    // stream `reset` received, advanced). Must not allocate. An action outside
    // the declared space returns MRL_EINVAL. The reward must be finite: the host
    // stops the run on a NaN or infinite one (MRL_EPLUGIN, naming the step). (required)
    int32_t (*step)(void* state, float* obs, float* reward, int32_t* terminated,
                    int32_t* truncated, const float* action, MrlRng* rng, char* err);

    // Writes a text picture of the current state into `buf` (at most `buf_size`
    // bytes including the terminating NUL; lines end with '\n'). If the
    // picture does not fit, writes a NUL-terminated prefix and returns MRL_OK.
    // (optional)
    int32_t (*render_text)(const void* state, char* buf, uint64_t buf_size, char* err);

    // Reports the size of `view` (MRL_VIEW_*) for `params`; MRL_EINVAL if the
    // view is not supported (MRL_ENOTSUP is also accepted). (optional, with render_rgb)
    int32_t (*render_size)(int32_t* width, int32_t* height, const double* params, int32_t view,
                           char* err);

    // Draws `view` of the current state as 8-bit RGB, row-major, top row first,
    // width*height*3 bytes with the size render_size reported. (optional)
    int32_t (*render_rgb)(const void* state, uint8_t* rgb, int32_t view, char* err);

    // Fills privileged information about the current state: its `valid` bits
    // say which fields were set, and with MRL_ORACLE_ACTION the optimal action
    // was written into `action` (mrl_space_floats(action) floats). Must not
    // allocate. (optional)
    int32_t (*oracle)(const void* state, MrlOracleInfo* info, float* action, char* err);
} MrlEnvApi;

// The entry point every plugin exports. Returns a pointer to a table with
// static storage duration (never NULL). It may be called more than once and
// must return the same table each time.
typedef const MrlEnvApi* (*MrlPluginEntryFn)(void);

// The entry point's declaration, so that a plugin compiled as C++ exports the
// unmangled name and a C plugin gets a prototype.
MRL_EXPORT const MrlEnvApi* mrl_plugin_entry(void);

#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L && defined(__LP64__)
// The frozen layouts of ABI 1 on LP64 platforms.
_Static_assert(sizeof(MrlParamDef) == 56, "MrlParamDef layout changed");
_Static_assert(sizeof(MrlSpace) == 36, "MrlSpace layout changed");
_Static_assert(sizeof(MrlEnvInfo) == 112, "MrlEnvInfo layout changed");
_Static_assert(sizeof(MrlOracleInfo) == 24, "MrlOracleInfo layout changed");
_Static_assert(sizeof(MrlEnvApi) == 144, "MrlEnvApi 1.0 layout changed");
#endif

#ifdef __cplusplus
}
#endif

#endif // METARL_PLUGIN_H
