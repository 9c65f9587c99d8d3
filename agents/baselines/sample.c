// sample.c — random draws the baselines need (Gamma, Beta, Dirichlet) and an
// argmax with random tie-breaking, all from an explicit MrlRng stream. No
// allocation. Tested by tests/test_baselines.c (moments of each draw).
#include <math.h>

#include "baselines/baselines.h"

double mrl_baseline_gamma(MrlRng* rng, double shape) {
    if (shape < 1.0) {
        // Gamma(k) = Gamma(k + 1) * U^(1/k)
        double u = mrl_rng_uniform(rng);
        return mrl_baseline_gamma(rng, shape + 1.0) * pow(1.0 - u, 1.0 / shape);
    }
    // Marsaglia and Tsang (2000), "A simple method for generating gamma variables"
    double d = shape - 1.0 / 3.0;
    double c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x = mrl_rng_normal(rng);
        double v = 1.0 + c * x;
        if (v <= 0.0) {
            continue;
        }
        v = v * v * v;
        double u = 1.0 - mrl_rng_uniform(rng); // (0, 1]
        double x2 = x * x;
        if (u < 1.0 - 0.0331 * x2 * x2) {
            return d * v;
        }
        if (log(u) < 0.5 * x2 + d * (1.0 - v + log(v))) {
            return d * v;
        }
    }
}

double mrl_baseline_beta(MrlRng* rng, double a, double b) {
    double x = mrl_baseline_gamma(rng, a);
    double y = mrl_baseline_gamma(rng, b);
    double sum = x + y;
    return sum > 0.0 ? x / sum : a / (a + b);
}

void mrl_baseline_dirichlet(double* out, MrlRng* rng, const double* alpha, int32_t n) {
    double sum = 0.0;
    for (int32_t i = 0; i < n; i++) {
        out[i] = mrl_baseline_gamma(rng, alpha[i]);
        sum += out[i];
    }
    for (int32_t i = 0; i < n; i++) {
        out[i] = sum > 0.0 ? out[i] / sum : 1.0 / (double)n;
    }
}

int32_t mrl_baseline_argmax(const double* x, int32_t n, MrlRng* rng) {
    int32_t best = 0;
    uint32_t ties = 1;
    for (int32_t i = 1; i < n; i++) {
        if (x[i] > x[best]) {
            best = i;
            ties = 1;
        } else if (x[i] == x[best]) {
            // reservoir sampling over the tied entries
            ties++;
            if (mrl_rng_below(rng, ties) == 0) {
                best = i;
            }
        }
    }
    return best;
}
