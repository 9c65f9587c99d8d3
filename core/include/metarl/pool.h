// metarl/pool.h — a tiny persistent worker pool for parallel-for over index
// ranges. The calling thread takes the first chunk; chunks are contiguous and
// fixed by (n, threads), so work assignment is deterministic.
#ifndef METARL_POOL_H
#define METARL_POOL_H

#include <stdint.h>

typedef struct MrlPool MrlPool;

// Runs fn(ctx, lo, hi) over [0, n) split into `threads` contiguous chunks.
typedef void (*MrlPoolFn)(void* ctx, int64_t lo, int64_t hi);

// Starts threads-1 workers. Returns NULL on failure (or when threads <= 1).
MrlPool* mrl_pool_new(int32_t threads);

// Runs fn over [0, n) and returns when every chunk is done. A NULL pool runs inline.
void mrl_pool_run(MrlPool* pool, MrlPoolFn fn, void* ctx, int64_t n);

// Number of threads including the caller (1 for NULL).
int32_t mrl_pool_threads(const MrlPool* pool);

// Stops and joins the workers. NULL is allowed.
void mrl_pool_free(MrlPool* pool);

#endif // METARL_POOL_H
