// test_eval.c — meta-test statistics against hand computation, and the
// result files: byte-identical across runs, slot counts and thread counts.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <unistd.h>

#include <cmocka.h>

#include "metarl/eval.h"
#include "support/mock_env.h"
#include "support/spec.h"

static MrlEvalSet run_eval(int slots, int threads) {
    char err[MRL_MSG_MAX];
    double p[2] = {50, 0};
    static MrlSetSpec spec;
    spec = test_spec("test", MRL_SET_TEST, 40, 1, p, 2);
    MrlTaskSet set;
    assert_int_equal(mrl_taskset_init(&set, &spec, &mock_api, NULL, 0, err), MRL_OK);
    MrlAgent* agent = mrl_agent_new("random", NULL, err);
    MrlEvalSet out;
    assert_int_equal(mrl_eval_set(&out, &set, agent, 3, 2, slots, threads, 99, err), MRL_OK);
    agent->free(agent);
    mrl_taskset_release(&set);
    return out;
}

static void test_eval_stats_match_rows(void** state) {
    (void)state;
    MrlEvalSet e = run_eval(8, 1);
    assert_int_equal(e.n_trials, 80);
    for (int32_t k = 0; k < 3; k++) {
        MrlEpisodeStats es;
        mrl_eval_episode_stats(&es, &e, k);
        // 40 tasks × 2 trials: the units are the tasks, each the mean of its two trials
        // (their trials share the task); the mean is that of all 80
        double sum = 0, task_mean[40];
        for (int64_t t = 0; t < e.n_trials; t++) {
            const MrlEpisodeResult* r = &e.rows[t * 3 + k];
            assert_int_equal(r->episode, k);
            assert_int_equal(r->trial_id, t);
            sum += r->ret;
            task_mean[t / 2] = t % 2 ? (task_mean[t / 2] + r->ret) / 2.0 : r->ret;
        }
        double mean = sum / 80.0, ss = 0;
        for (int g = 0; g < 40; g++) {
            ss += (task_mean[g] - mean) * (task_mean[g] - mean);
        }
        double se = sqrt(ss / 39.0 / 40.0);
        assert_true(fabs(es.ret.mean - mean) < 1e-12);
        assert_true(fabs(es.ret.se - se) < 1e-12);
        assert_int_equal(es.ret.n, 40);
        assert_int_equal(es.success.n, 40);
        assert_true(es.success.mean == 1.0); // the mock always succeeds
    }
    MrlStat tr, im;
    mrl_eval_trial_stats(&tr, &im, &e);
    assert_int_equal(tr.n, 40);
    assert_int_equal(im.n, 40);
    assert_true(im.mean == 1.0); // every episode of a trial has the same length
    MrlBuf md = {0};
    mrl_eval_table_md(&md, &e, 1, "t");
    assert_non_null(strstr(md.data, "Standard errors over the 40 tasks: a task's 2 trials"));
    assert_non_null(strstr(md.data, "(n = 40)"));
    mrl_buf_free(&md);
    mrl_eval_set_free(&e);
}

// a one-episode set over `rows` (zeroed here): `tasks` tasks × `trials` trials, horizon 50
static MrlEvalSet hand_set(MrlEpisodeResult* rows, int tasks, int trials) {
    memset(rows, 0, (size_t)tasks * (size_t)trials * sizeof *rows);
    return (MrlEvalSet){.episodes = 1,
                        .trials_per_task = trials,
                        .n_tasks = tasks,
                        .n_trials = (int64_t)tasks * trials,
                        .horizon = 50,
                        .rows = rows};
}

// one trial per task: the usual sample std / sqrt(n); equal values: a spread of exactly 0
// (the sum of squares minus the squared sum left 1e-6 for 100 copies of 408.81); a
// statistic over some trials (length on success) counts the tasks it has values of
static void test_eval_stats_one_trial_per_task(void** state) {
    (void)state;
    MrlEpisodeResult rows[100];
    MrlEvalSet e = hand_set(rows, 100, 1);
    for (int t = 0; t < 100; t++) {
        rows[t].ret = 408.81;
        rows[t].length = t < 10 ? 5 + t : 50;
        rows[t].success = t < 10;
    }
    MrlEpisodeStats es;
    mrl_eval_episode_stats(&es, &e, 0);
    assert_true(es.ret.mean == 408.81 && es.ret.se == 0.0);
    assert_int_equal(es.ret.n, 100);
    assert_int_equal(es.length_success.n, 10);
    assert_true(fabs(es.length_success.mean - 9.5) < 1e-12);
    double ss = 0; // lengths 5..14 around 9.5
    for (int t = 0; t < 10; t++) {
        ss += (5.0 + t - 9.5) * (5.0 + t - 9.5);
    }
    assert_true(fabs(es.length_success.se - sqrt(ss / 9.0 / 10.0)) < 1e-12);
    assert_true(fabs(es.success.mean - 0.1) < 1e-12);
    assert_true(fabs(es.success.se - sqrt(0.1 * 0.9 * 100.0 / 99.0 / 100.0)) < 1e-12);
}

// Several trials per task with uneven counts (length on success): task 0 succeeds at 4
// and 6 steps, task 1 at 8 and fails once, task 2 never succeeds. Pooled mean 18 / 3 = 6;
// per task y - m n: (4 + 6) - 12 = -2 and 8 - 6 = 2 over G = 2 tasks:
// se = sqrt(2 / 1 * 8) / 3 = 4 / 3, n = 2 (task 2 has no value)
static void test_eval_stats_uneven_counts(void** state) {
    (void)state;
    MrlEpisodeResult rows[6];
    MrlEvalSet e = hand_set(rows, 3, 2);
    const int len[6] = {4, 6, 8, 50, 50, 50}, ok[6] = {1, 1, 1, 0, 0, 0};
    for (int t = 0; t < 6; t++) {
        rows[t].length = len[t];
        rows[t].success = ok[t];
    }
    MrlEpisodeStats es;
    mrl_eval_episode_stats(&es, &e, 0);
    assert_int_equal(es.length_success.n, 2);
    assert_true(fabs(es.length_success.mean - 6.0) < 1e-12);
    assert_true(fabs(es.length_success.se - 4.0 / 3.0) < 1e-12);
    // success per task 1, 0.5, 0: mean 0.5, the task means' variance 0.5 / 2, se sqrt(0.25 / 3)
    assert_int_equal(es.success.n, 3);
    assert_true(fabs(es.success.se - sqrt(0.25 / 3.0)) < 1e-12);
}

static char* render_all(const MrlEvalSet* e) {
    MrlBuf b = {0};
    mrl_eval_csv(&b, e);
    mrl_eval_summary_doc(&b, e, 1, "random");
    mrl_eval_table_md(&b, e, 1, "t");
    return b.data;
}

// the table shows %improved only when episode lengths can differ: not when every episode
// ran to the horizon (fixed-length episodes, where episode 2 <= episode 1 always holds);
// it shows lengths and success rates only when some episode terminated
static void test_eval_table_improved_only_when_lengths_vary(void** state) {
    (void)state;
    MrlEvalSet e = run_eval(8, 1);
    MrlBuf b = {0};
    mrl_eval_table_md(&b, &e, 1, "t");
    assert_non_null(strstr(b.data, "improved (episode 2"));
    assert_non_null(strstr(b.data, "| episode | length (success only) |"));
    free(b.data);
    for (int64_t i = 0; i < e.n_trials * 3; i++) {
        e.rows[i].length = e.horizon;
        e.rows[i].success = 0;
        e.rows[i].terminated = 0;
        e.rows[i].truncated = 1;
    }
    MrlBuf c = {0};
    mrl_eval_table_md(&c, &e, 1, "t");
    assert_non_null(strstr(c.data, "trial return:"));
    assert_null(strstr(c.data, "improved"));
    // nothing terminated: the length and success columns say nothing and are left out
    assert_null(strstr(c.data, "success |"));
    assert_non_null(strstr(c.data, "| episode | return |"));
    assert_non_null(strstr(c.data, "No episode terminated"));
    free(c.data);
    // one success at the horizon's last step keeps them: success is not "ended early"
    e.rows[0].terminated = 1;
    e.rows[0].success = 1;
    MrlBuf d = {0};
    mrl_eval_table_md(&d, &e, 1, "t");
    assert_non_null(strstr(d.data, "| episode | length (success only) |"));
    assert_null(strstr(d.data, "improved"));
    free(d.data);
    mrl_eval_set_free(&e);
}

static void test_eval_outputs_identical_across_runs_slots_threads(void** state) {
    (void)state;
    MrlEvalSet a = run_eval(8, 1), b = run_eval(8, 1), c = run_eval(5, 2);
    char *ta = render_all(&a), *tb = render_all(&b), *tc = render_all(&c);
    assert_string_equal(ta, tb);
    assert_string_equal(ta, tc);
    free(ta);
    free(tb);
    free(tc);
    mrl_eval_set_free(&a);
    mrl_eval_set_free(&b);
    mrl_eval_set_free(&c);
}

static void test_eval_summary_has_stable_keys(void** state) {
    (void)state;
    MrlEvalSet e = run_eval(4, 1);
    MrlBuf b = {0};
    mrl_eval_summary_doc(&b, &e, 1, "random");
    const char* keys[] = {"\"sets\": {",
                          "\"test\": {",
                          "\"trial_return\": {\"mean\": ",
                          "\"improved\": {",
                          "\"episodes\": [",
                          "{\"index\": 1, \"length\": {",
                          "\"length_success\": {",
                          "\"return\": {",
                          "\"success\": {",
                          "\"se\": ",
                          "\"n\": 40}"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (!strstr(b.data, keys[i])) {
            fail_msg("summary.json lacks %s:\n%s", keys[i], b.data);
        }
    }
    mrl_buf_free(&b);
    mrl_eval_set_free(&e);
}

static void test_eval_write_creates_files_atomically(void** state) {
    (void)state;
    char dir[] = "/tmp/mrl_eval_XXXXXX";
    assert_non_null(mkdtemp(dir));
    MrlEvalSet e = run_eval(4, 1);
    char err[MRL_MSG_MAX];
    assert_int_equal(mrl_eval_write(dir, &e, 1, "random", "t", err), MRL_OK);
    char path[256], *text;
    size_t n;
    snprintf(path, sizeof path, "%s/eval/test.csv", dir);
    assert_int_equal(mrl_file_read(path, &text, &n, err), MRL_OK);
    assert_true(strncmp(text, "task,trial,fingerprint,episode,length,return,success", 52) == 0);
    // header + 80 trials * 3 episodes
    int lines = 0;
    for (size_t i = 0; i < n; i++) {
        lines += text[i] == '\n';
    }
    assert_int_equal(lines, 1 + 240);
    free(text);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "test -f %s/summary.json && test -f %s/table.md && test -z \"$(find %s -name '*.tmp.*')\"", dir, dir, dir);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    mrl_eval_set_free(&e);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eval_stats_match_rows),
        cmocka_unit_test(test_eval_stats_one_trial_per_task),
        cmocka_unit_test(test_eval_stats_uneven_counts),
        cmocka_unit_test(test_eval_table_improved_only_when_lengths_vary),
        cmocka_unit_test(test_eval_outputs_identical_across_runs_slots_threads),
        cmocka_unit_test(test_eval_summary_has_stable_keys),
        cmocka_unit_test(test_eval_write_creates_files_atomically),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
