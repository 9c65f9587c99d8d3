// test_bench_env.c — `metarl bench env` end to end on the maze plugin: one
// row per observation mode with a positive rate, the .md and .json result
// files, the sweep switched off by an explicit obs=..., and one-line errors
// with exit status 2 for bad input.
//   ctest --test-dir build -R test_bench_env
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "metarl/util.h"
#include "support/run_metarl.h"

static int run_metarl(const char* args, char** text) {
    return run_metarl_in(MRL_BINARY_DIR, args, text);
}

// the steps/s figure printed on the row `label`, or -1
static double rate(const char* text, const char* label) {
    char key[64];
    snprintf(key, sizeof key, "  %s ", label);
    const char* p = strstr(text, key);
    return p ? atof(p + strlen(key)) : -1.0;
}

static void test_bench_env_sweeps_obs_and_writes_files(void** state) {
    (void)state;
    char path[256], args[512], err[MRL_MSG_MAX], *text, *md, *js;
    size_t n;
    snprintf(path, sizeof path, "%s/test_bench_env_%d.md", MRL_BINARY_DIR, (int)getpid());
    snprintf(args, sizeof args, "bench env maze --seconds 0.05 --tasks 4 --out %s", path);
    int rc = run_metarl(args, &text);
    if (rc != 0) {
        fail_msg("exit %d: %s", rc, text);
    }
    assert_true(rate(text, "strip") > 0);
    assert_true(rate(text, "pixels") > 0);
    assert_true(rate(text, "local") > 0);
    assert_int_equal(mrl_file_read(path, &md, &n, err), MRL_OK);
    assert_non_null(strstr(md, "| strip | "));
    assert_non_null(strstr(md, "| pixels | "));
    assert_non_null(strstr(md, "| local | "));
    char jpath[256];
    snprintf(jpath, sizeof jpath, "%.*s.json", (int)(strlen(path) - 3), path);
    assert_int_equal(mrl_file_read(jpath, &js, &n, err), MRL_OK);
    assert_non_null(strstr(js, "\"plugin\": \"maze\""));
    assert_non_null(strstr(js, "\"label\": \"pixels\""));
    assert_non_null(strstr(js, "\"steps_per_second\": "));
    unlink(path);
    unlink(jpath);
    free(md);
    free(js);
    free(text);

    // an explicit obs=... benchmarks that mode only
    snprintf(args, sizeof args,
             "bench env maze obs=pixels rooms=5 --seconds 0.05 --tasks 2 --out %s", path);
    assert_int_equal(run_metarl(args, &text), 0);
    assert_true(rate(text, "default") > 0);
    assert_true(rate(text, "strip") < 0);
    unlink(path);
    unlink(jpath);
    free(text);
}

static void test_bench_env_bad_input(void** state) {
    (void)state;
    char* text;
    assert_int_equal(run_metarl("bench env maze room=3 --seconds 0.05", &text), 2);
    assert_non_null(strstr(text, "did you mean 'rooms'"));
    free(text);
    assert_int_equal(run_metarl("bench env maze obs=photo --seconds 0.05", &text), 2);
    assert_non_null(strstr(text, "not a choice of obs"));
    free(text);
    assert_int_equal(run_metarl("bench env maze turn=35 --seconds 0.05", &text), 2);
    assert_non_null(strstr(text, "turn"));
    free(text);
    assert_int_equal(run_metarl("bench env maze --sweep rooms --seconds 0.05", &text), 2);
    free(text);
    assert_int_equal(run_metarl("bench env no_such_plugin", &text), 2);
    free(text);
    assert_int_equal(run_metarl("bench nothing", &text), 2);
    free(text);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bench_env_sweeps_obs_and_writes_files),
        cmocka_unit_test(test_bench_env_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
