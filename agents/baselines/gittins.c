// gittins.c — Gittins indices of Bernoulli arms with a Beta(1, 1) prior, finite-horizon
// (the trial's remaining pulls) and discounted, by calibration: one dynamic programme
// per retirement rate lambda on a grid, then a Newton step per state (the method is
// described in baselines.h). mrl_gittins_index_bisect is the naive per-state
// reference the table is tested against (tests/test_baselines.c).
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "baselines/baselines.h"
#include "metarl/util.h"

#define GITTINS_MAX_N 2000        // discounted: largest s + f tabulated
#define GITTINS_MAX_N_FINITE 1000 // finite horizon: longest trial (the table holds ~n^3/6 floats)
#define GITTINS_DEFAULT_GRID 64

// position of (s, f) in a triangle stored diagonal by diagonal (d = s + f)
static size_t tri(int32_t s, int32_t f) {
    size_t d = (size_t)s + (size_t)f;
    return d * (d + 1) / 2 + (size_t)f;
}

static size_t tri_size(int32_t L) {
    return (size_t)(L + 1) * (size_t)(L + 2) / 2;
}

// ---- finite horizon ----

// one sweep of the programme at retirement rate `lam` over every layer; raises each
// state's estimate to the root of D's tangent at `lam` (`first`: sets it)
static void fh_sweep(MrlGittinsTable* g, double lam, int first, double* u0, double* r0, double* u1,
                     double* r1) {
    int32_t n = g->n;
    size_t top = tri_size(n);
    for (size_t i = 0; i < top; i++) {
        u0[i] = 0.0;
        r0[i] = 0.0;
    }
    for (int32_t m = 1; m <= n; m++) {
        int32_t L = n - m;
        double ret = (double)m * lam;
        float* idx = g->index + g->layer_off[m];
        size_t t = 0;
        for (int32_t d = 0; d <= L; d++) {
            size_t next = (size_t)(d + 1) * (size_t)(d + 2) / 2; // row d + 1 in layer m - 1
            double inv = 1.0 / (double)(d + 2);
            for (int32_t f = 0; f <= d; f++, t++) {
                double p = (double)(d - f + 1) * inv;
                size_t a = next + (size_t)f; // (s + 1, f)
                double c = p * (1.0 + u0[a]) + (1.0 - p) * u0[a + 1];
                double rc = p * r0[a] + (1.0 - p) * r0[a + 1];
                double dd = c - ret;
                // every tangent of the convex D has its root at or below the index
                float root = (float)(lam + dd / ((double)m - rc));
                if (first || root > idx[t]) {
                    idx[t] = root;
                }
                if (dd > 0.0) {
                    u1[t] = c;
                    r1[t] = rc;
                } else {
                    u1[t] = ret;
                    r1[t] = (double)m;
                }
            }
        }
        double* tmp = u0;
        u0 = u1;
        u1 = tmp;
        tmp = r0;
        r0 = r1;
        r1 = tmp;
    }
}

// ---- discounted ----

// one sweep over the truncated triangle s + f <= N, diagonal by diagonal from the
// bottom; du/dr hold diagonal d + 1, eu/er receive diagonal d
static void disc_sweep(MrlGittinsTable* g, double lam, int first, int32_t N, double* du, double* dr,
                       double* eu, double* er) {
    double gam = g->discount;
    double scale = 1.0 / (1.0 - gam);
    double ret = lam * scale;
    for (int32_t f = 0; f <= N; f++) {
        double p = (double)(N - f + 1) / (double)(N + 2);
        du[f] = (lam > p ? lam : p) * scale;
        dr[f] = lam > p ? scale : 0.0;
    }
    for (int32_t d = N - 1; d >= 0; d--) {
        double inv = 1.0 / (double)(d + 2);
        for (int32_t f = 0; f <= d; f++) {
            double p = (double)(d - f + 1) * inv;
            double c = p * (1.0 + gam * du[f]) + (1.0 - p) * gam * du[f + 1];
            double rc = gam * (p * dr[f] + (1.0 - p) * dr[f + 1]);
            double dd = c - ret;
            if (d <= g->n) {
                float root = (float)(lam + dd / (scale - rc));
                float* slot = &g->index[tri(d - f, f)];
                if (first || root > *slot) {
                    *slot = root;
                }
            }
            if (dd > 0.0) {
                eu[f] = c;
                er[f] = rc;
            } else {
                eu[f] = ret;
                er[f] = scale;
            }
        }
        double* tmp = du;
        du = eu;
        eu = tmp;
        tmp = dr;
        dr = er;
        er = tmp;
    }
}

static int32_t default_depth(double discount) {
    double d = ceil(log(1e-7) / log(discount));
    return d > 100000.0 ? 100000 : (int32_t)d;
}

int mrl_gittins_init(MrlGittinsTable* g, int32_t n, double discount, int32_t grid, int32_t depth,
                     char* err) {
    memset(g, 0, sizeof *g);
    if (!(discount >= 0.0 && discount < 1.0)) {
        return mrl_fail(err, MRL_EINVAL, "error: gittins: discount %g is outside [0, 1)", discount);
    }
    if (discount == 0.0 && (n < 1 || n > GITTINS_MAX_N_FINITE)) {
        return mrl_fail(err, MRL_EINVAL,
                        "error: gittins: trial length %d pulls is outside [1, %d] (the "
                        "finite-horizon table grows as n^3; set agent.gittins_discount for "
                        "longer trials)",
                        (int)n, GITTINS_MAX_N_FINITE);
    }
    if (n < 1 || n > GITTINS_MAX_N) {
        return mrl_fail(err, MRL_EINVAL, "error: gittins: table size %d is outside [1, %d]", (int)n,
                        GITTINS_MAX_N);
    }
    g->n = n;
    g->discount = discount;
    g->grid = grid > 0 ? grid : GITTINS_DEFAULT_GRID;
    double *u0 = NULL, *r0 = NULL, *u1 = NULL, *r1 = NULL;
    size_t work;
    int32_t N = 0;
    if (discount == 0.0) {
        g->layer_off = calloc((size_t)n + 2, sizeof *g->layer_off);
        if (!g->layer_off) {
            goto oom;
        }
        size_t off = 0;
        for (int32_t m = 1; m <= n; m++) {
            g->layer_off[m] = off;
            off += tri_size(n - m);
        }
        g->layer_off[n + 1] = off;
        g->n_values = off;
        work = tri_size(n);
    } else {
        N = n + (depth > 0 ? depth : default_depth(discount));
        g->n_values = tri_size(n);
        work = (size_t)N + 2;
    }
    g->index = malloc(g->n_values * sizeof *g->index);
    u0 = malloc(work * sizeof *u0);
    r0 = malloc(work * sizeof *r0);
    u1 = malloc(work * sizeof *u1);
    r1 = malloc(work * sizeof *r1);
    if (!g->index || !u0 || !r0 || !u1 || !r1) {
        goto oom;
    }
    for (int32_t j = 0; j < g->grid; j++) {
        double lam = (double)j / (double)g->grid;
        if (discount == 0.0) {
            fh_sweep(g, lam, j == 0, u0, r0, u1, r1);
        } else {
            disc_sweep(g, lam, j == 0, N, u0, r0, u1, r1);
        }
    }
    free(u0);
    free(r0);
    free(u1);
    free(r1);
    return MRL_OK;
oom:
    free(u0);
    free(r0);
    free(u1);
    free(r1);
    mrl_gittins_release(g);
    return mrl_fail(err, MRL_ENOMEM, "error: gittins: out of memory for the index table");
}

double mrl_gittins_index(const MrlGittinsTable* g, int32_t s, int32_t f, int32_t remaining) {
    double mean = (double)(s + 1) / (double)(s + f + 2);
    if (s < 0 || f < 0) {
        return mean;
    }
    if (g->discount == 0.0) {
        if (remaining < 1 || remaining > g->n || s + f > g->n - remaining) {
            return mean;
        }
        return (double)g->index[g->layer_off[remaining] + tri(s, f)];
    }
    if (s + f > g->n) {
        return mean;
    }
    return (double)g->index[tri(s, f)];
}

void mrl_gittins_release(MrlGittinsTable* g) {
    free(g->index);
    free(g->layer_off);
    memset(g, 0, sizeof *g);
}

// ---- reference: bisection on one state's own programme ----

// D(lambda) = continue value - retirement value at the root state (s, f)
static double root_gap(int32_t s, int32_t f, int32_t levels, double gam, double lam, double* a,
                       double* b) {
    double scale = gam > 0.0 ? 1.0 / (1.0 - gam) : 0.0;
    // bottom diagonal: relative depth `levels`, f + j failures for j = 0..levels
    for (int32_t j = 0; j <= levels; j++) {
        if (gam > 0.0) {
            double p = (double)(s + levels - j + 1) / (double)(s + f + levels + 2);
            a[j] = (lam > p ? lam : p) * scale;
        } else {
            a[j] = 0.0; // no pulls left
        }
    }
    for (int32_t k = levels - 1; k >= 0; k--) {
        // pulls left at depth k (finite horizon): levels - k
        double ret = gam > 0.0 ? lam * scale : (double)(levels - k) * lam;
        double w = gam > 0.0 ? gam : 1.0;
        for (int32_t j = 0; j <= k; j++) {
            double p = (double)(s + k - j + 1) / (double)(s + f + k + 2);
            double c = p * (1.0 + w * a[j]) + (1.0 - p) * w * a[j + 1];
            if (k == 0) {
                return c - ret;
            }
            b[j] = c > ret ? c : ret;
        }
        double* t = a;
        a = b;
        b = t;
    }
    return 0.0; // not reached: levels >= 1
}

double mrl_gittins_index_bisect(int32_t s, int32_t f, int32_t remaining, double discount,
                                int32_t depth, double tol) {
    int32_t levels = discount > 0.0 ? depth : remaining;
    if (levels < 1) {
        return (double)(s + 1) / (double)(s + f + 2);
    }
    double* a = malloc(((size_t)levels + 2) * sizeof *a);
    double* b = malloc(((size_t)levels + 2) * sizeof *b);
    if (!a || !b) {
        free(a);
        free(b);
        return NAN;
    }
    double lo = 0.0, hi = 1.0;
    while (hi - lo > tol) {
        double mid = 0.5 * (lo + hi);
        if (root_gap(s, f, levels, discount, mid, a, b) > 0.0) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    free(a);
    free(b);
    return 0.5 * (lo + hi);
}
