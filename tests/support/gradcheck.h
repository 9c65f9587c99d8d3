// gradcheck.h — a finite-difference gradient checker in double for tests:
// central differences of a scalar loss against an analytic gradient.
#ifndef MRL_TEST_GRADCHECK_H
#define MRL_TEST_GRADCHECK_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

// loss(ctx, theta) -> scalar; grad(ctx, theta, g) writes dloss/dtheta into g (zeroed by caller)
typedef double (*GcLoss)(void* ctx, const double* theta);
typedef void (*GcGrad)(void* ctx, const double* theta, double* g);

// Returns the worst error over all coordinates, where a coordinate's error is
// |analytic - numeric| / max(1, |analytic| + |numeric|) (relative for large
// gradients, absolute for small ones). theta (n) is filled with uniform values
// in [-scale, scale] from `seed`. Checks at most `max_coords` coordinates,
// evenly spaced (all when n <= max_coords).
static inline double gc_check(GcLoss loss, GcGrad grad, void* ctx, size_t n, uint64_t seed,
                              double scale, size_t max_coords) {
    double* th = malloc(n * sizeof(double));
    double* g = calloc(n, sizeof(double));
    uint64_t s = seed * 0x9e3779b97f4a7c15ull + 1;
    for (size_t i = 0; i < n; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        th[i] = scale * (2.0 * (double)(s >> 11) / 9007199254740992.0 - 1.0);
    }
    grad(ctx, th, g);
    double worst = 0.0, eps = 1e-6;
    size_t stride = n > max_coords ? n / max_coords : 1;
    for (size_t i = 0; i < n; i += stride) {
        double keep = th[i];
        th[i] = keep + eps;
        double lp = loss(ctx, th);
        th[i] = keep - eps;
        double lm = loss(ctx, th);
        th[i] = keep;
        double num = (lp - lm) / (2.0 * eps);
        double den = fabs(num) + fabs(g[i]);
        double e = fabs(num - g[i]) / (den > 1.0 ? den : 1.0);
        worst = e > worst ? e : worst;
    }
    free(th);
    free(g);
    return worst;
}

// fixed pseudo-random loss weights c (n) so that loss = sum c_i out_i
static inline void gc_weights(double* c, size_t n, uint64_t seed) {
    uint64_t s = seed * 0xbf58476d1ce4e5b9ull + 7;
    for (size_t i = 0; i < n; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        c[i] = 2.0 * (double)(s >> 11) / 9007199254740992.0 - 1.0;
    }
}

#endif
