// pool.c — persistent worker threads for deterministic parallel-for (see metarl/pool.h).
#include "metarl/pool.h"

#include <pthread.h>
#include <stdlib.h>

struct MrlPool {
    int32_t threads;
    pthread_t* tids;
    pthread_mutex_t mu;
    pthread_cond_t go;
    pthread_cond_t done;
    uint64_t generation; // bumped for each run
    int32_t pending;     // workers still running the current generation
    int stop;
    MrlPoolFn fn;
    void* ctx;
    int64_t n;
};

typedef struct Worker {
    MrlPool* pool;
    int32_t index;
} Worker;

static void chunk(int64_t n, int32_t threads, int32_t i, int64_t* lo, int64_t* hi) {
    *lo = n * i / threads;
    *hi = n * (i + 1) / threads;
}

static void* worker_main(void* arg) {
    Worker* w = arg;
    MrlPool* p = w->pool;
    int32_t index = w->index;
    free(w);
    uint64_t seen = 0;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (!p->stop && p->generation == seen) {
            pthread_cond_wait(&p->go, &p->mu);
        }
        if (p->stop) {
            pthread_mutex_unlock(&p->mu);
            return NULL;
        }
        seen = p->generation;
        MrlPoolFn fn = p->fn;
        void* ctx = p->ctx;
        int64_t n = p->n;
        pthread_mutex_unlock(&p->mu);
        int64_t lo, hi;
        chunk(n, p->threads, index, &lo, &hi);
        if (lo < hi) {
            fn(ctx, lo, hi);
        }
        pthread_mutex_lock(&p->mu);
        if (--p->pending == 0) {
            pthread_cond_signal(&p->done);
        }
        pthread_mutex_unlock(&p->mu);
    }
}

MrlPool* mrl_pool_new(int32_t threads) {
    if (threads <= 1) {
        return NULL;
    }
    MrlPool* p = calloc(1, sizeof *p);
    if (!p) {
        return NULL;
    }
    p->threads = threads;
    p->tids = calloc((size_t)threads, sizeof *p->tids);
    if (!p->tids) {
        free(p);
        return NULL;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->go, NULL);
    pthread_cond_init(&p->done, NULL);
    for (int32_t i = 1; i < threads; i++) {
        Worker* w = malloc(sizeof *w);
        if (!w) {
            p->threads = i;
            mrl_pool_free(p);
            return NULL;
        }
        w->pool = p;
        w->index = i;
        if (pthread_create(&p->tids[i], NULL, worker_main, w) != 0) {
            free(w);
            p->threads = i;
            mrl_pool_free(p);
            return NULL;
        }
    }
    return p;
}

void mrl_pool_run(MrlPool* p, MrlPoolFn fn, void* ctx, int64_t n) {
    if (!p) {
        if (n > 0) {
            fn(ctx, 0, n);
        }
        return;
    }
    pthread_mutex_lock(&p->mu);
    p->fn = fn;
    p->ctx = ctx;
    p->n = n;
    p->pending = p->threads - 1;
    p->generation++;
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    int64_t lo, hi;
    chunk(n, p->threads, 0, &lo, &hi);
    if (lo < hi) {
        fn(ctx, lo, hi);
    }
    pthread_mutex_lock(&p->mu);
    while (p->pending > 0) {
        pthread_cond_wait(&p->done, &p->mu);
    }
    pthread_mutex_unlock(&p->mu);
}

int32_t mrl_pool_threads(const MrlPool* p) {
    return p ? p->threads : 1;
}

void mrl_pool_free(MrlPool* p) {
    if (!p) {
        return;
    }
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    for (int32_t i = 1; i < p->threads; i++) {
        pthread_join(p->tids[i], NULL);
    }
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->go);
    pthread_cond_destroy(&p->done);
    free(p->tids);
    free(p);
}
