// test_stats.c — the Student-t CDF and the one-sided Welch t-test used for
// the significance marks of `metarl table`: closed forms at 1 and 2 degrees of
// freedom, quantiles from a t table, and Welch's degrees of freedom.
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "metarl/eval.h"

static void test_t_cdf_closed_forms(void** state) {
    (void)state;
    const double pi = 3.14159265358979323846;
    for (double t = -30.0; t <= 30.0; t += 0.37) {
        double cauchy = 0.5 + atan(t) / pi;               // df = 1
        double two = 0.5 + t / (2.0 * sqrt(2.0 + t * t)); // df = 2
        assert_true(fabs(mrl_eval_t_cdf(t, 1.0) - cauchy) < 1e-12);
        assert_true(fabs(mrl_eval_t_cdf(t, 2.0) - two) < 1e-12);
        assert_true(fabs(mrl_eval_t_cdf(-t, 7.5) - (1.0 - mrl_eval_t_cdf(t, 7.5))) < 1e-12);
    }
    assert_true(fabs(mrl_eval_t_cdf(0.0, 3.0) - 0.5) < 1e-15);
    assert_true(isnan(mrl_eval_t_cdf(1.0, 0.0)));
}

// Far in the lower tail the CDF is a tiny number and must keep its relative precision
// (paired comparisons give t in the tens; 1 - (1 - p) would leave few digits of p).
// Closed forms written without cancellation: df 1, atan(1/|t|)/pi; df 2,
// 1 / (r (r + |t|)) with r = sqrt(2 + t^2).
static void test_t_cdf_lower_tail_precision(void** state) {
    (void)state;
    const double pi = 3.14159265358979323846;
    for (double t = 10.0; t <= 1e12; t *= 10.0) {
        double p1 = atan(1.0 / t) / pi;
        double r = sqrt(2.0 + t * t);
        double p2 = 1.0 / (r * (r + t));
        assert_true(fabs(mrl_eval_t_cdf(-t, 1.0) / p1 - 1.0) < 1e-9);
        assert_true(fabs(mrl_eval_t_cdf(-t, 2.0) / p2 - 1.0) < 1e-9);
        // and the upper side, P(T > t), of the Welch test likewise
        MrlStat a = {t, 1.0 / sqrt(2.0), 2}, b = {0.0, 1.0 / sqrt(2.0), 2}; // df 2, t = t
        assert_true(fabs(mrl_eval_welch_p(&a, &b) / p2 - 1.0) < 1e-9);
    }
    assert_true(mrl_eval_t_cdf(-1e300, 5.0) == 0.0);
    assert_true(mrl_eval_t_cdf(-INFINITY, 5.0) == 0.0);
    assert_true(mrl_eval_t_cdf(INFINITY, 5.0) == 1.0);
}

static void test_t_cdf_table_quantiles(void** state) {
    (void)state;
    // (quantile, df, probability) from a t table; df = INFINITY is the normal
    const double q[][3] = {
        {1.812461, 10, 0.95},        {1.697261, 30, 0.95},   {2.570582, 5, 0.975},
        {2.527977, 20, 0.99},        {5.840909, 3, 0.995},   {1.644854, INFINITY, 0.95},
        {1.959964, INFINITY, 0.975}, {1.646379, 1000, 0.95}, {6.313752, 1, 0.95},
    };
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
        double p = mrl_eval_t_cdf(q[i][0], q[i][1]);
        assert_true(fabs(p - q[i][2]) < 2e-6);
    }
    // the 3-digit values of the paper's usual table decide the same side of 0.95
    assert_true(mrl_eval_t_cdf(1.811, 10) < 0.95 && mrl_eval_t_cdf(1.813, 10) > 0.95);
    assert_true(mrl_eval_t_cdf(1.696, 30) < 0.95 && mrl_eval_t_cdf(1.698, 30) > 0.95);
    assert_true(mrl_eval_t_cdf(1.644, 1e12) < 0.95 && mrl_eval_t_cdf(1.646, 1e12) > 0.95);
}

// Large degrees of freedom (a paired test over millions of units): the CDF approaches the
// normal as Phi(t) - phi(t) (t + t^3) / (4 df) + O(1 / df^2); checked against that on both
// sides of where the code switches to the normal
static void test_t_cdf_large_df(void** state) {
    (void)state;
    const double pi = 3.14159265358979323846;
    const double ts[] = {0.5, 1.644854, 2.5, 4.0};
    for (double df = 1e4; df <= 1e12; df *= 10.0) {
        for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
            double t = ts[i];
            double phi = exp(-0.5 * t * t) / sqrt(2.0 * pi);
            double tail = 0.5 * erfc(t / sqrt(2.0)) + phi * (t + t * t * t) / (4.0 * df);
            double got = 1.0 - mrl_eval_t_cdf(t, df);
            // the continued fraction stopping short at 1e9 was 4e-7 off; now 2e-9 at most
            assert_true(fabs(got - tail) < 5e-9);
        }
    }
}

static void test_welch(void** state) {
    (void)state;
    // equal variances and sizes: t = 1 / sqrt(0.5), df = 2 (n - 1) = 20
    MrlStat a = {1.0, 0.5, 11}, b = {0.0, 0.5, 11};
    assert_true(fabs(mrl_eval_welch_p(&a, &b) - (1.0 - mrl_eval_t_cdf(sqrt(2.0), 20.0))) < 1e-12);
    // unequal: v = 0.09 + 0.16, df = v^2 / (0.09^2 / 4 + 0.16^2 / 8), t = 4
    MrlStat c = {2.0, 0.3, 5}, d = {0.0, 0.4, 9};
    double df = 0.0625 / (0.0081 / 4.0 + 0.0256 / 8.0);
    double p = mrl_eval_welch_p(&c, &d);
    assert_true(fabs(p - (1.0 - mrl_eval_t_cdf(4.0, df))) < 1e-12);
    assert_true(p > 5e-4 && p < 1.5e-3); // t = 4 at about 12 df
    // the reverse direction, the same sample, and a huge gap
    assert_true(fabs(mrl_eval_welch_p(&d, &c) - (1.0 - p)) < 1e-12);
    assert_true(fabs(mrl_eval_welch_p(&a, &a) - 0.5) < 1e-12);
    MrlStat far = {100.0, 0.5, 1000};
    assert_true(mrl_eval_welch_p(&far, &b) < 1e-12);
    // the 5% boundary at 10 df (two samples of 6 with equal se): t just below and above 1.812
    MrlStat x = {0.0, 1.0, 6};
    MrlStat below = {1.811 * sqrt(2.0), 1.0, 6}, above = {1.813 * sqrt(2.0), 1.0, 6};
    assert_true(mrl_eval_welch_p(&below, &x) > 0.05);
    assert_true(mrl_eval_welch_p(&above, &x) < 0.05);
    // no spread; samples that allow no test: empty, one unit (its se of 0 is no
    // evidence of no spread), a mean that is not a number
    MrlStat z1 = {1.0, 0.0, 3}, z2 = {0.5, 0.0, 3}, none = {NAN, 0.0, 0};
    MrlStat one = {0.0, 0.0, 1}, bad = {NAN, 1.0, 50}, inf = {INFINITY, 1.0, 50};
    assert_true(mrl_eval_welch_p(&z1, &z2) == 0.0);
    assert_true(mrl_eval_welch_p(&z2, &z1) == 1.0);
    assert_true(mrl_eval_welch_p(&z1, &z1) == 1.0);
    assert_true(isnan(mrl_eval_welch_p(&none, &z1)));
    assert_true(isnan(mrl_eval_welch_p(&far, &one)));
    assert_true(isnan(mrl_eval_welch_p(&one, &far)));
    assert_true(isnan(mrl_eval_welch_p(&bad, &z1)) && isnan(mrl_eval_welch_p(&z1, &bad)));
    assert_true(isnan(mrl_eval_welch_p(&inf, &z1)));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_t_cdf_closed_forms),
        cmocka_unit_test(test_t_cdf_lower_tail_precision),
        cmocka_unit_test(test_t_cdf_table_quantiles),
        cmocka_unit_test(test_welch),
        cmocka_unit_test(test_t_cdf_large_df),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
