// metarl/util.h — small host-side helpers shared by core, agents and tools:
// error text, hashing, seed derivation, atomic file writes, a growable text
// buffer. Nothing here is part of the plugin ABI (that is metarl/plugin.h).
#ifndef METARL_UTIL_H
#define METARL_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "metarl/plugin.h"

// Size of host error buffers (one line, `path:line:col: error: ...`).
#define MRL_MSG_MAX 1024

// Writes printf-style text into `err` (MRL_MSG_MAX bytes) if err is not NULL
// and returns `code`, so callers can write `return mrl_fail(err, MRL_EINVAL, ...)`.
int mrl_fail(char* err, int code, const char* fmt, ...) __attribute__((format(printf, 3, 4)));

// Returns 1 when `s` is a non-empty [a-z0-9_]+ string (the rule for plugin and
// parameter names, choices and test-set names), else 0; NULL gives 0.
int mrl_is_ident(const char* s);

// ---- hashing and seeds ----

// Returns a 64-bit hash of `n` bytes (FNV-1a followed by a splitmix64 finaliser).
uint64_t mrl_hash_bytes(const void* data, size_t n, uint64_t seed);

// Returns splitmix64 of `x`: a bijective 64-bit mixer.
uint64_t mrl_mix64(uint64_t x);

// (mrl_rng_seed, PCG32's standard seeding, is inline in metarl/plugin.h.)

// Random-stream domains: every stream of a run is identified by
// (run seed, domain, a, b, c) and seeded by mrl_rng_derive. Two distinct
// tuples give distinct, independent streams.
#define MRL_DOMAIN_TASK 1      // (set seed, set kind, task index, attempt)
#define MRL_DOMAIN_PARAMS 2    // (set seed, set kind, task index, attempt): per-task parameter draws
#define MRL_DOMAIN_EPISODE 3   // (set id, trial id, episode index): env stream of an episode
#define MRL_DOMAIN_AGENT 4     // (set id, trial id, 0): agent stream of a trial
#define MRL_DOMAIN_INIT 5      // (0, 0, 0): network initialisation
#define MRL_DOMAIN_TRAIN 6     // (iteration, slot, 0): training-time streams

// Seeds `rng` for the stream identified by (seed, domain, a, b, c).
void mrl_rng_derive(MrlRng* rng, uint64_t seed, uint32_t domain, uint64_t a, uint64_t b,
                    uint64_t c);

// ---- files ----

// Writes `n` bytes to `path` atomically: to `path.tmp.<pid>` first, fsync,
// then rename over `path`. Returns MRL_OK or MRL_EIO with text in `err`.
int mrl_file_write_atomic(const char* path, const void* data, size_t n, char* err);

// Reads a whole file into a new NUL-terminated buffer (*out, *n). The caller
// frees *out. Returns MRL_OK or MRL_EIO with text in `err`.
int mrl_file_read(const char* path, char** out, size_t* n, char* err);

// Creates directory `path` and its parents (like mkdir -p). Returns MRL_OK or MRL_EIO.
int mrl_mkdirs(const char* path, char* err);

// Returns the peak resident memory of this process so far in MiB (getrusage's
// ru_maxrss), or 0 when the system does not say.
double mrl_peak_rss_mib(void);

// ---- growable text buffer (not for hot paths) ----

typedef struct MrlBuf {
    char* data; // NUL-terminated text, or NULL when empty
    size_t len; // bytes used, excluding the NUL
    size_t cap; // bytes allocated
    int failed; // set once an allocation failed; later appends do nothing
} MrlBuf;

// Appends printf-style text. On allocation failure sets buf->failed.
void mrl_buf_printf(MrlBuf* buf, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

// Appends `n` bytes.
void mrl_buf_append(MrlBuf* buf, const char* s, size_t n);

// Frees the buffer and zeroes it.
void mrl_buf_free(MrlBuf* buf);

// Appends `x` formatted so that it reads back to the same double ("%.17g",
// shortest form when exact), as JSON (non-finite values become null).
void mrl_buf_json_number(MrlBuf* buf, double x);

// Appends `s` as a JSON string literal with escapes.
void mrl_buf_json_string(MrlBuf* buf, const char* s);

#endif // METARL_UTIL_H
