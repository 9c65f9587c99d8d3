// test_compare.c — the paired comparison (metarl/compare.h): the paired t-test against
// hand computation and the closed form of Student's t with 3 degrees of freedom, the eval
// CSV read back bit for bit, the reader's errors with their places, and two sets that are
// not the same tasks refused.
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "metarl/compare.h"
#include "support/scratch.h"

// |x - y| <= tol in double (cmocka's assert_float_equal compares in float)
#define assert_near(x, y, tol) near_at((x), (y), (tol), #x, __FILE__, __LINE__)
static void near_at(double x, double y, double tol, const char* what, const char* file, int line) {
    if (!(fabs(x - y) <= tol)) {
        fail_msg("%s:%d: %s = %.17g, want %.17g ± %g", file, line, what, x, y, tol);
    }
}

// P(T <= t), 3 degrees of freedom, in closed form (not through the incomplete beta)
static double t3_cdf(double t) {
    double x = t / sqrt(3.0);
    return 0.5 + (x / (1.0 + x * x) + atan(x)) / M_PI;
}

static void test_paired_by_hand(void** state) {
    (void)state;
    // differences 1, 2, 3, 4 on sides that spread far more than the differences do
    double a[4] = {10, -20, 30, 5}, b[4] = {11, -18, 33, 9};
    MrlPaired p;
    mrl_paired(&p, a, b, 4);
    assert_near(p.diff.mean, 2.5, 1e-12);
    double se = sqrt((1.5 * 1.5 + 0.5 * 0.5 + 0.5 * 0.5 + 1.5 * 1.5) / 3.0 / 4.0);
    assert_near(p.diff.se, se, 1e-12);
    assert_near(p.t, 2.5 / se, 1e-9);
    assert_near(p.df, 3.0, 0);
    assert_near(p.p_greater, 1.0 - t3_cdf(2.5 / se), 1e-9);
    assert_near(p.p_differ, 2.0 * (1.0 - t3_cdf(2.5 / se)), 1e-9);
    assert_true(p.p_greater < 0.05); // t = 3.87: significant paired ...
    // ... where the sides' own standard errors (about 11 each) see nothing
    assert_true(p.a.se > 10.0 && p.b.se > 10.0);
    assert_near(p.a.mean, 6.25, 1e-12);
    assert_near(p.b.mean, 8.75, 1e-12);
    assert_int_equal(p.diff.n, 4);

    // B worse: the one-sided p is near 1, the two-sided one the same as above
    MrlPaired q;
    mrl_paired(&q, b, a, 4);
    assert_near(q.p_greater, t3_cdf(2.5 / se), 1e-9);
    assert_near(q.p_differ, p.p_differ, 1e-12);
}

static void test_paired_without_spread(void** state) {
    (void)state;
    double a[3] = {1, 2, 3}, same[3] = {1, 2, 3}, up[3] = {2, 3, 4};
    MrlPaired p;
    mrl_paired(&p, a, same, 3);
    assert_true(isnan(p.t));
    assert_near(p.diff.mean, 0.0, 0);
    assert_near(p.p_greater, 1.0, 0);
    assert_near(p.p_differ, 1.0, 0);
    // every pair exactly one better: no t (no spread), the exact sign-flip test instead:
    // 1 of the 2^3 sign patterns is as large (two-sided: 2 of them are as extreme)
    mrl_paired(&p, a, up, 3);
    assert_true(isnan(p.t));
    assert_near(p.p_greater, 0.125, 0);
    assert_near(p.p_differ, 0.25, 0);
    mrl_paired(&p, up, a, 3); // every pair one worse
    assert_near(p.p_greater, 1.0, 0);
    assert_near(p.p_differ, 0.25, 0);
    mrl_paired(&p, a, up, 1); // one pair proves nothing
    assert_near(p.p_greater, 0.5, 0);
    assert_near(p.p_differ, 1.0, 0);
    mrl_paired(&p, a, up, 0);
    assert_near(p.p_differ, 1.0, 0);
    // differences equal but for rounding (0.1 + 0.2 - 0.2 is not 0.1): still the sign-flip
    // test, not a t of 1e16 with p = 1e-140
    double r0[4] = {0.2, 0.1, 0.7, 0.4}, r1[4] = {0.2 + 0.1, 0.1 + 0.1, 0.7 + 0.1, 0.4 + 0.1};
    mrl_paired(&p, r0, r1, 4);
    assert_true(p.diff.se > 0.0); // the rounding did leave a spread
    assert_true(isnan(p.t));
    assert_near(p.p_greater, 1.0 / 16.0, 0);
    // a side that overflowed: no p-value, rather than a certain one
    double big[2] = {1e308, 1e308}, inf[2] = {INFINITY, 1.0};
    mrl_paired(&p, big, inf, 2);
    assert_true(isnan(p.p_greater) && isnan(p.p_differ));
    // a huge t keeps a positive, tiny p rather than rounding 1 - cdf to 0
    double x[6] = {0, 0, 0, 0, 0, 0}, y[6] = {100, 100.001, 100, 100.002, 99.999, 100};
    mrl_paired(&p, x, y, 6);
    assert_true(p.p_greater > 0.0 && p.p_greater < 1e-12);
}

// a hand-made set: `tasks` tasks × `trials` trials × `k` episodes, fingerprints 0xf0 + task
static MrlEvalSet make_set(int tasks, int trials, int k, double offset, int goal) {
    MrlEvalSet s;
    memset(&s, 0, sizeof s);
    snprintf(s.name, sizeof s.name, "test");
    s.episodes = k;
    s.trials_per_task = trials;
    s.n_tasks = tasks;
    s.n_trials = (int64_t)tasks * trials;
    s.rows = calloc((size_t)s.n_trials * (size_t)k, sizeof *s.rows);
    for (int64_t t = 0; t < s.n_trials; t++) {
        for (int e = 0; e < k; e++) {
            MrlEpisodeResult* r = &s.rows[t * k + e];
            r->trial_id = t;
            r->episode = e;
            r->fingerprint = 0xf0u + (uint64_t)(t / trials);
            r->ret = offset + 0.1 * (double)(t % 7) + 1.0 / 3.0 * e;
            r->length = goal ? 20 - 3 * e - (t % 3) : 10;
            r->success = goal ? (t + e) % 2 : 0;
            r->terminated = r->success;
            r->truncated = !r->success;
            s.horizon = r->length > s.horizon ? r->length : s.horizon;
        }
    }
    return s;
}

static int setup(void** state) {
    (void)state;
    return scratch_setup("test_compare");
}

static int teardown(void** state) {
    (void)state;
    return scratch_teardown();
}


static void test_csv_round_trip(void** state) {
    (void)state;
    MrlEvalSet s = make_set(3, 2, 4, -1.25, 1);
    s.rows[5].ret = 0.1 + 0.2; // not a short decimal: must come back bit for bit
    MrlBuf b = {0};
    mrl_eval_csv(&b, &s);
    const char* path = scratch_write("test.csv", b.data, b.len);
    mrl_buf_free(&b);
    MrlEvalSet r;
    char err[MRL_MSG_MAX];
    assert_int_equal(mrl_eval_read_csv(&r, path, "test", err), MRL_OK);
    assert_string_equal(r.name, "test");
    assert_int_equal(r.episodes, 4);
    assert_int_equal(r.trials_per_task, 2);
    assert_int_equal(r.n_tasks, 3);
    assert_int_equal(r.n_trials, 6);
    assert_int_equal(r.horizon, s.horizon);
    for (int i = 0; i < 24; i++) {
        assert_memory_equal(&r.rows[i].ret, &s.rows[i].ret, sizeof(double));
        assert_int_equal(r.rows[i].fingerprint, s.rows[i].fingerprint);
        assert_int_equal(r.rows[i].length, s.rows[i].length);
        assert_int_equal(r.rows[i].success, s.rows[i].success);
        assert_int_equal(r.rows[i].terminated, s.rows[i].terminated);
        assert_int_equal(r.rows[i].truncated, s.rows[i].truncated);
        assert_int_equal(r.rows[i].episode, s.rows[i].episode);
        assert_int_equal(r.rows[i].trial_id, s.rows[i].trial_id);
    }
    mrl_eval_set_free(&r);
    mrl_eval_set_free(&s);
}

static void test_csv_columns_by_name_any_order(void** state) {
    (void)state;
    const char text[] = "return,episode,fingerprint,extra,trial,task,length,success,terminated,"
                        "truncated\r\n"
                        "2.5,2,ab,x,0,0,10,0,0,1\r\n"
                        "1.5,1,ab,y,0,0,10,0,0,1\r\n";
    const char* path = scratch_write("order.csv", text, sizeof text - 1);
    MrlEvalSet r;
    char err[MRL_MSG_MAX];
    assert_int_equal(mrl_eval_read_csv(&r, path, "order", err), MRL_OK);
    assert_int_equal(r.episodes, 2);
    assert_near(r.rows[0].ret, 1.5, 0);
    assert_near(r.rows[1].ret, 2.5, 0);
    assert_int_equal(r.rows[1].fingerprint, 0xab);
    mrl_eval_set_free(&r);
    // a byte-order mark before the header (a spreadsheet's export) is skipped
    const char bom[] = "\xEF\xBB\xBFtask,trial,fingerprint,episode,length,return,success,"
                       "terminated,truncated\n0,0,ab,1,10,1.5,0,0,1\n";
    path = scratch_write("bom.csv", bom, sizeof bom - 1);
    assert_int_equal(mrl_eval_read_csv(&r, path, "bom", err), MRL_OK);
    assert_near(r.rows[0].ret, 1.5, 0);
    mrl_eval_set_free(&r);
}

// `body` after the standard header must be refused with `want` in the message
static void expect_bad(const char* body, const char* want) {
    char text[1024];
    int n = snprintf(
        text, sizeof text,
        "task,trial,fingerprint,episode,length,return,success,terminated,truncated\n%s", body);
    const char* path = scratch_write("bad.csv", text, (size_t)n);
    MrlEvalSet r;
    char err[MRL_MSG_MAX] = "";
    assert_int_not_equal(mrl_eval_read_csv(&r, path, "bad", err), MRL_OK);
    assert_null(r.rows);
    if (!strstr(err, want)) {
        fail_msg("error '%s' lacks '%s'", err, want);
    }
    assert_non_null(strstr(err, "bad.csv"));
    assert_null(strchr(err, '\n'));
}

static void test_csv_errors_name_the_place(void** state) {
    (void)state;
    expect_bad("0,0,ab,1,10,1.5,0,0,1\n0,0,ab,2,10,oops,0,0,1\n",
               "bad.csv:3:13: error: bad return 'oops'");
    expect_bad("0,0,ab,1,10,nan,0,0,1\n", ":2:13: error: bad return");
    expect_bad("0,-1,ab,1,10,1,0,0,1\n", ":2:3: error: bad trial '-1'");
    expect_bad("0,0,xyz,1,10,1,0,0,1\n", ":2:5: error: bad fingerprint 'xyz'");
    expect_bad("0,0,ab,0,10,1,0,0,1\n", "bad episode '0'");
    expect_bad("0,0,ab,1,10,1,0,0\n", ":2:1: error: 8 fields, the header has 9");
    expect_bad("0,0,ab,1,10,1,0,0,1\n0,0,ab,1,10,2,0,0,1\n0,0,ab,3,10,1,0,0,1\n",
               "bad.csv:3:1: error: task 0, trial 0, episode 1 again");
    expect_bad("0,0,ab,1,10,1,0,0,1\n0,0,ab,2,10,1,0,0,1\n1,0,cd,1,10,1,0,0,1\n",
               "3 episode rows, but tasks 2 × trials 1 × episodes 2 make 4");
    expect_bad("0,0,ab,1,10,1,0,0,1\n0,0,cd,2,10,1,0,0,1\n",
               "bad.csv:3:1: error: task 0, trial 0: episode 2 has fingerprint 00000000000000cd");
    expect_bad("", "no episodes after the header");
    expect_bad("0,0,ab,1,10,\t1.5,0,0,1\n", ":2:13: error: bad return");
    expect_bad("0,0,ab,1, 10,1.5,0,0,1\n", ":2:10: error: bad length");
    // indices far beyond the rows: refused before any grid is sized from them
    expect_bad("2147483647,0,ab,1,10,1,0,0,1\n", "tasks 2147483648 × trials 1 × episodes 1 make 2147483648");
    expect_bad("0,2147483647,ab,2147483647,10,1,0,0,1\n", "trials 2147483648 × episodes 2147483647 make 4611686016279904256");

    // a NUL inside a field does not end it early ("1\0x" is not 1)
    const char nul[] = "task,trial,fingerprint,episode,length,return,success,terminated,"
                       "truncated\n0,0,ab,1,10,1\0x,0,0,1\n";
    const char* nul_path = scratch_write("nul.csv", nul, sizeof nul - 1);
    MrlEvalSet rn;
    char err_nul[MRL_MSG_MAX];
    assert_int_equal(mrl_eval_read_csv(&rn, nul_path, "nul", err_nul), MRL_EFORMAT);
    assert_non_null(strstr(err_nul, "nul.csv:2:13: error: bad return"));

    const char no_col[] = "task,trial,episode,length,return\n0,0,1,10,1\n";
    const char* path = scratch_write("nocol.csv", no_col, sizeof no_col - 1);
    MrlEvalSet r;
    char err[MRL_MSG_MAX];
    assert_int_equal(mrl_eval_read_csv(&r, path, "x", err), MRL_EFORMAT);
    assert_non_null(strstr(err, "nocol.csv:1:1: error: no column 'fingerprint'"));
    char missing[600];
    snprintf(missing, sizeof missing, "%s/none.csv", scratch_dir);
    assert_int_equal(mrl_eval_read_csv(&r, missing, "x", err), MRL_EIO);
    assert_non_null(strstr(err, "none.csv"));
}

static void test_compare_sets(void** state) {
    (void)state;
    MrlEvalSet a = make_set(6, 2, 3, 0.0, 1), b = make_set(6, 2, 3, 0.0, 1);
    // B: every trial's episode 2 pays 1 more, takes 2 fewer steps; trial 2 (which fails its
    // first episode in A) succeeds in it
    for (int64_t t = 0; t < b.n_trials; t++) {
        b.rows[t * 3 + 1].ret += 1.0;
        b.rows[t * 3 + 1].length -= 2;
    }
    assert_int_equal(a.rows[2 * 3 + 0].success, 0);
    b.rows[2 * 3 + 0].success = 1;
    b.rows[2 * 3 + 0].terminated = 1;
    double scratch[12];
    MrlCompareSet c;
    char err[MRL_MSG_MAX];
    assert_int_equal(mrl_compare_sets(&c, &a, "a.csv", &b, "b.csv", scratch, err), MRL_OK);
    assert_int_equal(c.n_trials, 12);
    assert_int_equal(c.trial_return.diff.n, 6); // pairs are tasks
    assert_int_equal(c.horizon, 20);
    assert_int_equal(c.episodes, 3);
    assert_true(c.steps_vary);
    assert_true(c.terminated);
    assert_near(c.trial_return.diff.mean, 1.0, 1e-12);
    // the same gain on every task: the sign-flip test over 6 tasks
    assert_near(c.trial_return.p_greater, 1.0 / 64.0, 0);
    assert_near(c.trial_return.p_differ, 1.0 / 32.0, 0);
    assert_near(c.ret[0].diff.mean, 0.0, 0);
    assert_near(c.ret[0].p_differ, 1.0, 0);
    assert_near(c.ret[1].diff.mean, 1.0, 1e-12);
    // steps as eval's table counts them: 2 fewer where episode 2 succeeds (odd trials),
    // the horizon on both sides where it fails, so -1 per task
    assert_near(c.steps[1].diff.mean, -1.0, 0);
    // episode 1 of trial 2 (task 1) fails in A at 20 - 2 = 18 steps and succeeds in B at
    // the same 18: the steps count it as 20 → 18
    assert_near(c.steps[0].diff.mean, -1.0 / 6.0, 1e-12);
    assert_near(c.success[0].diff.mean, 0.5 / 6.0, 1e-12);
    // the sides are the sets' own means
    double sum = 0;
    for (int i = 0; i < 36; i++) {
        sum += a.rows[i].ret;
    }
    assert_near(c.trial_return.a.mean, sum / 12.0, 1e-12);

    MrlBuf md = {0}, js = {0};
    mrl_compare_md(&md, &c, 1, "runA", "runB");
    mrl_compare_json(&js, &c, 1, "runA", "runB");
    assert_non_null(strstr(md.data, "| episode 2 return |"));
    assert_non_null(strstr(md.data, "| episode 2 steps (failure = 20) |"));
    assert_non_null(strstr(md.data, "6 tasks' differences (df 5)"));
    assert_non_null(strstr(md.data, "mean over its 2 trials"));
    assert_non_null(strstr(md.data, "**+1.00 ± 0.00**"));
    assert_non_null(strstr(js.data, "\"format\": \"metarl-compare-1\""));
    assert_non_null(strstr(js.data, "\"a\": \"runA\""));
    assert_non_null(strstr(js.data, "\"trials_per_task\": 2"));
    mrl_buf_free(&md);
    mrl_buf_free(&js);
    mrl_compare_set_free(&c);

    // another task in one trial: refused, naming it
    b.rows[7 * 3 + 0].fingerprint = 0x99;
    assert_int_equal(mrl_compare_sets(&c, &a, "a.csv", &b, "b.csv", scratch, err), MRL_EINVAL);
    assert_non_null(strstr(err, "b.csv: error: set 'test', task 3, trial 1 is task "
                                "0000000000000099 there but 00000000000000f3 in a.csv"));
    assert_null(c.ret);
    mrl_eval_set_free(&b);

    // another shape: refused
    b = make_set(5, 2, 4, 0.0, 1);
    assert_int_equal(mrl_compare_sets(&c, &a, "a.csv", &b, "b.csv", scratch, err), MRL_EINVAL);
    assert_non_null(strstr(err, "not the same evaluation"));
    mrl_eval_set_free(&b);
    mrl_eval_set_free(&a);
}

static void test_compare_pairs_tasks_not_trials(void** state) {
    (void)state;
    // 3 tasks × 2 trials; B − A per trial 1, 3 | 2, 2 | 0, 4: every task's mean gain is 2
    MrlEvalSet a = make_set(3, 2, 1, 0.0, 0), b = make_set(3, 2, 1, 0.0, 0);
    const double gain[6] = {1, 3, 2, 2, 0, 4};
    for (int t = 0; t < 6; t++) {
        b.rows[t].ret += gain[t];
    }
    double scratch[6];
    MrlCompareSet c;
    char err[MRL_MSG_MAX];
    assert_int_equal(mrl_compare_sets(&c, &a, "a", &b, "b", scratch, err), MRL_OK);
    // three pairs, not six: the trials of a task share it; their spread within a task is
    // not evidence about the tasks
    assert_int_equal(c.trial_return.diff.n, 3);
    assert_near(c.trial_return.diff.mean, 2.0, 1e-12);
    assert_true(isnan(c.trial_return.t)); // the task means agree: sign-flip test, 1 in 8
    assert_near(c.trial_return.p_greater, 0.125, 0);
    mrl_compare_set_free(&c);
    // task 2's gain 0, 4 → 6, 10: task means 2, 2, 8: deviations -2, -2, 4, variance 24 / 2,
    // se sqrt(12 / 3) = 2
    b.rows[4].ret += 6.0;
    b.rows[5].ret += 6.0;
    assert_int_equal(mrl_compare_sets(&c, &a, "a", &b, "b", scratch, err), MRL_OK);
    assert_near(c.trial_return.diff.mean, 4.0, 1e-12);
    assert_near(c.trial_return.diff.se, 2.0, 1e-12);
    assert_near(c.trial_return.df, 2.0, 0);
    assert_near(c.trial_return.t, 2.0, 1e-12);
    mrl_compare_set_free(&c);
    mrl_eval_set_free(&a);
    mrl_eval_set_free(&b);
}

// A failure counts as the horizon on both sides alike: B's episodes fail early (4 steps,
// its CSV's longest), A's run to 10; a quick failure is no gain in steps
static void test_compare_failures_count_one_horizon(void** state) {
    (void)state;
    MrlEvalSet a = make_set(3, 1, 2, 0.0, 1), b = make_set(3, 1, 2, 0.0, 1);
    for (int i = 0; i < 6; i++) {
        a.rows[i].success = b.rows[i].success = 0;
        a.rows[i].terminated = 0;
        b.rows[i].terminated = 2; // a failure terminal
        a.rows[i].length = 10;
        b.rows[i].length = 4;
    }
    a.horizon = 10;
    b.horizon = 4;
    double scratch[6];
    MrlCompareSet c;
    char err[MRL_MSG_MAX];
    assert_int_equal(mrl_compare_sets(&c, &a, "a", &b, "b", scratch, err), MRL_OK);
    assert_int_equal(c.horizon, 10);
    assert_true(c.steps_vary);
    assert_near(c.steps[0].diff.mean, 0.0, 0);
    assert_near(c.steps[1].a.mean, 10.0, 0);
    assert_near(c.steps[1].b.mean, 10.0, 0);
    mrl_compare_set_free(&c);
    mrl_eval_set_free(&a);
    mrl_eval_set_free(&b);
}

static void test_compare_rows_follow_how_episodes_end(void** state) {
    (void)state;
    // every episode runs to the horizon and none terminates (a fixed-length MDP): returns only
    MrlEvalSet a = make_set(2, 1, 2, 0.0, 0), b = make_set(2, 1, 2, 0.5, 0);
    double scratch[4];
    MrlCompareSet c;
    char err[MRL_MSG_MAX];
    assert_int_equal(mrl_compare_sets(&c, &a, "a", &b, "b", scratch, err), MRL_OK);
    assert_false(c.steps_vary);
    assert_false(c.terminated);
    MrlBuf md = {0};
    mrl_compare_md(&md, &c, 1, "a", "b");
    assert_null(strstr(md.data, "steps"));
    assert_null(strstr(md.data, "success"));
    assert_non_null(strstr(md.data, "| trial return |"));
    mrl_buf_free(&md);
    mrl_compare_set_free(&c);
    // one-step episodes that terminate (bandit pulls): success rows, no steps rows
    for (int i = 0; i < 4; i++) {
        a.rows[i].length = b.rows[i].length = 1;
        a.rows[i].terminated = b.rows[i].terminated = 1;
        b.rows[i].success = 1;
    }
    a.horizon = b.horizon = 1;
    assert_int_equal(mrl_compare_sets(&c, &a, "a", &b, "b", scratch, err), MRL_OK);
    assert_false(c.steps_vary);
    assert_true(c.terminated);
    mrl_compare_md(&md, &c, 1, "a", "b");
    assert_null(strstr(md.data, "steps"));
    assert_non_null(strstr(md.data, "| episode 2 success % | 0.00 ± 0.00 | 100.00 ± 0.00 |"));
    mrl_buf_free(&md);
    mrl_compare_set_free(&c);
    mrl_eval_set_free(&a);
    mrl_eval_set_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paired_by_hand),
        cmocka_unit_test(test_paired_without_spread),
        cmocka_unit_test(test_csv_round_trip),
        cmocka_unit_test(test_csv_columns_by_name_any_order),
        cmocka_unit_test(test_csv_errors_name_the_place),
        cmocka_unit_test(test_compare_sets),
        cmocka_unit_test(test_compare_pairs_tasks_not_trials),
        cmocka_unit_test(test_compare_failures_count_one_horizon),
        cmocka_unit_test(test_compare_rows_follow_how_episodes_end),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
