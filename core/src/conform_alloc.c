// conform_alloc.c — counting wrappers around the C heap for the conformance checker's
// step_alloc and init_release checks (see metarl/conform.h).
//
// Any program that links this file defines malloc, calloc, realloc, reallocarray, free
// and the aligned variants; they forward to glibc's __libc_* entry points and count
// calls per thread. Plugins loaded with dlopen resolve malloc to the program's
// definition when the program exports it, which mrl_conform_alloc_calls() verifies
// before reporting counts. The two thread-local counters are the only mutable globals
// of the project, and they exist for this purpose alone.
//
// Under AddressSanitizer (or ThreadSanitizer, or -DMRL_SANITIZED) the sanitizer owns
// the heap and these wrappers would conflict with it, so nothing is defined and the
// checker reports the allocation checks as skipped.
//
// Tested by tests/test_conformance.c (broken_step_alloc, broken_init_leak).
#include "metarl/conform.h"

#include <stddef.h>
#include <stdint.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || defined(MRL_SANITIZED)
#define MRL_NO_ALLOC_COUNTING 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define MRL_NO_ALLOC_COUNTING 1
#endif
#endif

#ifdef MRL_NO_ALLOC_COUNTING

int mrl_conform_alloc_available(void) {
    return 0;
}

uint64_t mrl_conform_alloc_calls(void) {
    return 0;
}

int64_t mrl_conform_alloc_live(void) {
    return 0;
}

#else

#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>

#define TLS __thread __attribute__((tls_model("initial-exec")))

static TLS uint64_t n_calls; // heap calls by this thread
static TLS int64_t n_live;   // blocks allocated minus blocks freed by this thread

extern void* __libc_malloc(size_t n);
extern void* __libc_calloc(size_t n, size_t size);
extern void* __libc_realloc(void* p, size_t n);
extern void __libc_free(void* p);
extern void* __libc_memalign(size_t align, size_t n);
extern void* __libc_valloc(size_t n);
extern void* __libc_pvalloc(size_t n);

void* malloc(size_t n) {
    n_calls++;
    void* p = __libc_malloc(n);
    n_live += p != NULL;
    return p;
}

void* calloc(size_t n, size_t size) {
    n_calls++;
    void* p = __libc_calloc(n, size);
    n_live += p != NULL;
    return p;
}

void* realloc(void* old, size_t n) {
    n_calls++;
    void* p = __libc_realloc(old, n);
    if (!old && p) {
        n_live++;
    } else if (old && n == 0 && !p) {
        n_live--; // glibc frees the block
    }
    return p;
}

void* reallocarray(void* old, size_t n, size_t size) {
    if (size != 0 && n > SIZE_MAX / size) {
        n_calls++;
        errno = ENOMEM;
        return NULL;
    }
    return realloc(old, n * size);
}

void free(void* p) {
    if (p) {
        n_calls++;
        n_live--;
        __libc_free(p);
    }
}

void* memalign(size_t align, size_t n) {
    n_calls++;
    void* p = __libc_memalign(align, n);
    n_live += p != NULL;
    return p;
}

void* aligned_alloc(size_t align, size_t n) {
    return memalign(align, n);
}

int posix_memalign(void** out, size_t align, size_t n) {
    if (align < sizeof(void*) || (align & (align - 1)) != 0) {
        return EINVAL;
    }
    void* p = memalign(align, n);
    if (!p) {
        return ENOMEM;
    }
    *out = p;
    return 0;
}

void* valloc(size_t n) {
    n_calls++;
    void* p = __libc_valloc(n);
    n_live += p != NULL;
    return p;
}

void* pvalloc(size_t n) {
    n_calls++;
    void* p = __libc_pvalloc(n);
    n_live += p != NULL;
    return p;
}

int mrl_conform_alloc_available(void) {
    // counting reaches plugins only if dlopen'ed code binds malloc/free to these wrappers
    void* m = dlsym(RTLD_DEFAULT, "malloc");
    void* f = dlsym(RTLD_DEFAULT, "free");
    return m == (void*)&malloc && f == (void*)&free;
}

uint64_t mrl_conform_alloc_calls(void) {
    return n_calls;
}

int64_t mrl_conform_alloc_live(void) {
    return n_live;
}

#endif
