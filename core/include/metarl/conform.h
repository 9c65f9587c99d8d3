// metarl/conform.h — the plugin conformance checker: runs one plugin through every
// promise of metarl/plugin.h and reports each check as PASS, FAIL or SKIP.
//
//     MrlConformReport rep;
//     int rc = mrl_conform_check_file("bandit", NULL, &rep); // a name or a path to a .so
//     mrl_conform_print(stdout, &rep, 0);  // "PASS abi: ..." / "FAIL obs_canary: ..."
//     return rc == MRL_OK ? 0 : 1;
//
// The checks, in report order (names are stable; tests and scripts match on them):
//   load           dlopen works, `mrl_plugin_entry` exists and returns one table (file only)
//   abi            abi_major, struct_size, reserved words, name/version/summary
//   entries        required callbacks non-NULL; render_rgb comes with render_size
//   params         parameter table: names, kinds, flags, ranges, defaults, choices, help
//   describe       valid spaces and sizes at the checked parameters and at the corners
//                  of every parameter's range; pure (same answer twice)
//   init_release   init succeeds on a zeroed block; what init allocates, release frees
//   task_sample    same seed => byte-equal task, also with a dirty stack (padding)
//   task_canary    task_sample writes only inside task_bytes; reset/step never modify the task
//   fingerprint    stable (twice, and for a copy elsewhere in memory); distinct for 64
//                  sampled tasks unless their bytes are equal
//   obs_canary     reset/step write only inside the observation buffer
//   state_canary   no callback writes outside the state block (state_bytes)
//   output_canary  step writes one float reward, one int32 per flag; err stays in MRL_ERR_MAX
//   obs_range      observations inside the declared space (BOX bounds, DISCRETE 0..n-1)
//   reward_range   rewards inside [reward_min, reward_max], never NaN
//   episodes       reset/step succeed on valid actions, flags are valid values, and every
//                  episode ends (terminated or truncated) within max_episode_steps
//   determinism    same task + seeds + actions => byte-identical obs, rewards and flags,
//                  in a fresh instance and in a reused one
//   step_alloc     reset and step make no heap allocation (SKIP under sanitizers, where
//                  the counting allocator cannot be installed)
//   action_check   step returns MRL_EINVAL for actions outside the declared space
//   render_text    NUL-terminated within buf_size (also a tiny buffer), state unchanged
//   render_rgb     render_size sane; render_rgb writes exactly width*height*3 bytes
//   oracle         MRL_OK, known valid bits, value/steps not NaN, action inside the space,
//                  state unchanged, no allocation; SKIP when every call answers
//                  MRL_ENOTSUP (the capability is off for these parameters)
// Optional capabilities that are absent are reported as SKIP. When a check that later
// checks depend on fails (load, abi, entries, params, describe, init), the dependent
// checks are reported as SKIP, so a broken plugin shows the one check it breaks.
//
// Not checked (the header does not promise a status for it): calling step before reset
// or after the episode ended.
//
// Allocation counting: core/src/conform_alloc.c wraps malloc/calloc/realloc/free (and the
// aligned variants) in any program that links the checker, forwarding to glibc's
// __libc_* functions and counting calls per thread. Not built under AddressSanitizer.
//
// Tested by tests/test_conformance.c against the real plugins, every plugin in
// <build>/plugins, and the deliberately broken plugins of tests/plugins/.
#ifndef METARL_CONFORM_H
#define METARL_CONFORM_H

#include <stdint.h>
#include <stdio.h>

#include "metarl/config.h"
#include "metarl/plugin.h"

// Status of one check.
#define MRL_CONFORM_PASS 0
#define MRL_CONFORM_FAIL 1
#define MRL_CONFORM_SKIP 2

#define MRL_CONFORM_MAX_CHECKS 32
#define MRL_CONFORM_NAME_MAX 32
#define MRL_CONFORM_MSG_MAX 256

// One check: its stable name, its status and one line saying why (no newline).
typedef struct MrlConformCheck {
    char name[MRL_CONFORM_NAME_MAX]; // e.g. "obs_canary"
    int32_t status;                  // MRL_CONFORM_*
    char msg[MRL_CONFORM_MSG_MAX];   // e.g. "step wrote past the observation buffer (float 3 of 3)"
} MrlConformCheck;

// The result of checking one plugin.
typedef struct MrlConformReport {
    char file[MRL_PATH_MAX];   // the plugin file (or the name the caller gave)
    char plugin[MRL_NAME_MAX]; // the table's `name`, "" if it could not be read
    int32_t n_checks;          // entries used in `checks`
    int32_t n_passed;
    int32_t n_failed;
    int32_t n_skipped;
    MrlConformCheck checks[MRL_CONFORM_MAX_CHECKS]; // in report order (see above)
} MrlConformReport;

// Checks the table `api` (as returned by the plugin's entry point, or a copy such as
// MrlPlugin.api) and fills `rep`. `file` names the plugin in the report (may be NULL).
// `params` holds n_params values in table order, or NULL for the table's defaults.
// The checker allocates its own buffers with canaries around each, runs a few short
// episodes with random actions from fixed seeds, and takes well under a second for a
// plugin whose episodes are short. Returns MRL_OK when no check failed, MRL_EPLUGIN when
// at least one failed, MRL_ENOMEM when the checker could not allocate its buffers (the
// report then has a failing check saying so).
int mrl_conform_check(const MrlEnvApi* api, const char* file, const double* params,
                      MrlConformReport* rep);

// Loads the plugin `name_or_path` itself (a path if it contains '/' or ends in ".so",
// else a name searched on the plugin path as mrl_plugin_open does), records the `load`
// check, runs mrl_conform_check on the raw table with the default parameters, and
// unloads it. Unlike mrl_plugin_open it does not refuse a malformed table: each defect
// becomes a failing check. Returns as mrl_conform_check (MRL_EPLUGIN if loading failed).
int mrl_conform_check_file(const char* name_or_path, const double* params, MrlConformReport* rep);

// Returns the check called `name` in `rep`, or NULL if it was not run.
const MrlConformCheck* mrl_conform_find(const MrlConformReport* rep, const char* name);

// Returns "PASS", "FAIL" or "SKIP".
const char* mrl_conform_status_name(int32_t status);

// Prints one line per check, `PASS name: msg` / `FAIL name: msg` / `SKIP name: msg`,
// then a summary line `<plugin> (<file>): N passed, N failed, N skipped`. With
// `failures_only` set, PASS and SKIP lines are left out (the summary stays).
void mrl_conform_print(FILE* out, const MrlConformReport* rep, int failures_only);

// Returns 1 when heap calls are counted, also those made by dlopen'ed plugins; 0 in
// sanitizer builds or in a program that does not export the wrappers to plugins.
int mrl_conform_alloc_available(void);

// Returns the number of heap calls (malloc, calloc, realloc, free of a non-NULL pointer,
// aligned variants) made so far by the calling thread (0 when counting is unavailable).
uint64_t mrl_conform_alloc_calls(void);

// Returns the number of live heap blocks allocated minus freed by the calling thread
// (meaningful only as a difference; 0 when counting is not available).
int64_t mrl_conform_alloc_live(void);

#endif // METARL_CONFORM_H
