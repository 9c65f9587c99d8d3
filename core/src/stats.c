// stats.c — significance tests for result tables (see metarl/eval.h): the
// Student-t distribution through the regularised incomplete beta function
// (continued fraction, modified Lentz), and a one-sided Welch t-test computed
// from two samples' {mean, se, n}. Tested by tests/test_stats.c against
// closed forms (1 and 2 degrees of freedom) and t-table quantiles.
#include <math.h>

#include "metarl/eval.h"

// ---- regularised incomplete beta ----

// the continued fraction of I_x(a, b) (A&S 26.5.8), converging fast for
// x < (a + 1) / (a + b + 2); evaluated by the modified Lentz method
static double beta_fraction(double a, double b, double x) {
    const double tiny = 1e-300;
    double c = 1.0;
    double d = 1.0 - (a + b) * x / (a + 1.0);
    if (fabs(d) < tiny) {
        d = tiny;
    }
    d = 1.0 / d;
    double f = d;
    for (int m = 1; m <= 500; m++) {
        double m2 = 2.0 * m;
        for (int half = 0; half < 2; half++) {
            // even term d_{2m}, then odd term d_{2m+1}
            double num = half == 0 ? m * (b - m) * x / ((a + m2 - 1.0) * (a + m2))
                                   : -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
            d = 1.0 + num * d;
            if (fabs(d) < tiny) {
                d = tiny;
            }
            c = 1.0 + num / c;
            if (fabs(c) < tiny) {
                c = tiny;
            }
            d = 1.0 / d;
            double delta = c * d;
            f *= delta;
            if (half == 1 && fabs(delta - 1.0) < 1e-15) {
                return f;
            }
        }
    }
    return f;
}

// I_x(a, b) for a, b > 0
static double ibeta(double a, double b, double x) {
    if (x <= 0.0) {
        return 0.0;
    }
    if (x >= 1.0) {
        return 1.0;
    }
    double front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
    if (x < (a + 1.0) / (a + b + 2.0)) {
        return front * beta_fraction(a, b, x) / a;
    }
    return 1.0 - front * beta_fraction(b, a, 1.0 - x) / b;
}

// ---- Student t ----

// P(T > |t|) for T ~ Student-t with df degrees of freedom (normal when df is infinite);
// NaN for a NaN argument or df <= 0
static double t_tail(double t, double df) {
    if (isnan(t) || isnan(df) || df <= 0.0) {
        return NAN;
    }
    t = fabs(t);
    if (isinf(t)) {
        return 0.0;
    }
    if (isinf(df) || df > 1e7) {
        // the normal: off by about phi(t) (t + t^3) / (4 df) < 1e-7 here, where the
        // continued fraction below would stop short of converging (df 1e9: 4e-7)
        return 0.5 * erfc(t / sqrt(2.0));
    }
    return 0.5 * ibeta(0.5 * df, 0.5, df / (df + t * t));
}

// P(T > t); each side from the tail itself, so a tiny p keeps its digits
static double t_upper(double t, double df) {
    double tail = t_tail(t, df);
    return t >= 0.0 ? tail : 1.0 - tail;
}

double mrl_eval_t_cdf(double t, double df) {
    double tail = t_tail(t, df);
    return t <= 0.0 ? tail : 1.0 - tail;
}

double mrl_eval_welch_p(const MrlStat* a, const MrlStat* b) {
    if (a->n < 2 || b->n < 2 || !isfinite(a->mean) || !isfinite(b->mean)) {
        return NAN; // a sample of one has no variance to test with
    }
    double va = a->se * a->se, vb = b->se * b->se;
    double v = va + vb;
    double diff = a->mean - b->mean;
    if (!(v > 0.0)) {
        return diff > 0.0 ? 0.0 : 1.0; // no spread in either: any gain is certain
    }
    // Welch–Satterthwaite degrees of freedom
    double den = va * va / (double)(a->n - 1) + vb * vb / (double)(b->n - 1);
    double df = den > 0.0 ? v * v / den : INFINITY;
    return t_upper(diff / sqrt(v), df);
}
