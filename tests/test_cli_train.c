// test_cli_train.c — `metarl train` end to end on the test bandit plugin:
// run directory files, resume, --fresh, bad input (unknown key, corrupt
// checkpoint) as one line on stderr with exit code 2. Run: ctest -R test_cli_train.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "metarl/util.h"

static char dir[512];

static int sh(const char* fmt, ...) {
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char* slurp(const char* name) {
    char path[1024], err[MRL_MSG_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char* text = NULL;
    size_t n;
    if (mrl_file_read(path, &text, &n, err) != MRL_OK) {
        return NULL;
    }
    return text;
}

static int count_lines(const char* s) {
    int n = 0;
    for (; s && *s; s++) {
        n += *s == '\n';
    }
    return n;
}

static int setup(void** state) {
    (void)state;
    snprintf(dir, sizeof dir, "%s/test_cli_train_%d", MRL_BINARY_DIR, (int)getpid());
    assert_int_equal(sh("mkdir -p '%s'", dir), 0);
    char path[1024];
    snprintf(path, sizeof path, "%s/bandit.yaml", dir);
    FILE* f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f,
            "name: tb\n"
            "out: %s/results\n"
            "env:\n"
            "  plugin: %s/testbandit.so\n"
            "  params: {arms: 3}\n"
            "tasks:\n"
            "  train: {seed: 4}\n"
            "  test: {count: 50, seed: 1}\n"
            "trial: {episodes: 5}\n"
            "agent: {kind: rl2, cell: gru, hidden: 8}\n"
            "train: {steps: 2000, batch_trials: 40, minibatches: 2, epochs: 2, lr: 0.001,\n"
            "        checkpoint_every: 3}\n"
            "seed: 1\n",
            dir, MRL_TEST_PLUGIN_DIR);
    fclose(f);
    return 0;
}

static int teardown(void** state) {
    (void)state;
    sh("rm -rf '%s'", dir);
    return 0;
}

static void test_cli_train_end_to_end(void** state) {
    (void)state;
    const char* bin = MRL_BINARY_DIR "/metarl";
    // 2000 steps / (40 trials x 5 steps) = 10 iterations; stop early via a smaller budget first
    assert_int_equal(
        sh("%s train %s/bandit.yaml train.steps=800 > %s/out1.txt 2>&1", bin, dir, dir), 0);
    char* csv = slurp("results/tb/progress.csv");
    assert_non_null(csv);
    assert_int_equal(count_lines(csv), 1 + 4);
    free(csv);
    char* cfg = slurp("results/tb/config.yaml");
    assert_non_null(cfg);
    assert_non_null(strstr(cfg, "800"));
    free(cfg);
    // a different config (train.steps) does not resume silently: one line, exit 2
    assert_int_equal(sh("%s train %s/bandit.yaml > %s/out2.txt 2> %s/err2.txt", bin, dir, dir, dir),
                     2);
    char* e = slurp("err2.txt");
    assert_non_null(strstr(e, "different config"));
    assert_int_equal(count_lines(e), 1);
    free(e);
    // --fresh starts over with the full budget
    assert_int_equal(sh("%s train %s/bandit.yaml --fresh > %s/out3.txt 2>&1", bin, dir, dir), 0);
    csv = slurp("results/tb/progress.csv");
    assert_int_equal(count_lines(csv), 1 + 10);
    free(csv);
    char* out = slurp("out3.txt");
    assert_non_null(strstr(out, "iter 10"));
    assert_non_null(strstr(out, " MiB (estimate)"));
    // the measured peak at the end: a positive number of MiB
    const char* peak = strstr(out, "peak memory ");
    assert_non_null(peak);
    char* end = NULL;
    double mib = strtod(peak + strlen("peak memory "), &end);
    assert_true(mib > 0.0);
    assert_true(strncmp(end, " MiB (measured)", 15) == 0);
    free(out);
    // evaluated at a temperature: the results say so
    assert_int_equal(
        sh("%s eval %s/results/tb agent.temperature=0.5 --out %s/ev_t > /dev/null 2>&1", bin, dir,
           dir),
        0);
    char* sum = slurp("ev_t/summary.json");
    assert_non_null(sum);
    assert_non_null(strstr(sum, "\"rl2 at temperature 0.5\""));
    free(sum);
    // a bit-flipped checkpoint: one line naming it, exit 2
    assert_int_equal(
        sh("printf 'X' | dd of=%s/results/tb/ckpt/last.ckpt bs=1 seek=300 conv=notrunc "
           "2>/dev/null",
           dir),
        0);
    assert_int_equal(sh("%s train %s/bandit.yaml > /dev/null 2> %s/err4.txt", bin, dir, dir), 2);
    e = slurp("err4.txt");
    assert_non_null(strstr(e, "last.ckpt: error: checkpoint CRC mismatch"));
    assert_int_equal(count_lines(e), 1);
    free(e);
    // unknown key: the config loader's file:line:col message, exit 2
    assert_int_equal(
        sh("%s train %s/bandit.yaml train.stepz=5 > /dev/null 2> %s/err5.txt", bin, dir, dir), 2);
    e = slurp("err5.txt");
    assert_non_null(strstr(e, "stepz"));
    assert_int_equal(count_lines(e), 1);
    free(e);
    // a temperature is for evaluation: training refuses it, naming the place
    assert_int_equal(sh("%s train %s/bandit.yaml --fresh agent.temperature=0.5 > /dev/null 2> "
                        "%s/err6.txt",
                        bin, dir, dir),
                     2);
    e = slurp("err6.txt");
    assert_non_null(strstr(e, "agent.temperature = 0.5 is for evaluation only"));
    assert_int_equal(count_lines(e), 1);
    free(e);
}

static void test_cli_bench_train_appends_rows(void** state) {
    (void)state;
    const char* bin = MRL_BINARY_DIR "/metarl";
    for (int i = 0; i < 2; i++) {
        assert_int_equal(sh("%s bench train %s/bandit.yaml --iterations 1 --out %s/b/train.md > "
                            "%s/bench.txt 2>&1",
                            bin, dir, dir, dir),
                         0);
    }
    char* md = slurp("b/train.md");
    assert_non_null(md);
    assert_int_equal(count_lines(md), 2 + 2); // header, rule, one row per run
    assert_non_null(strstr(md, "| testbandit | gru 8 | 40 |"));
    free(md);
    char* out = slurp("bench.txt");
    assert_non_null(strstr(out, "agent steps/s"));
    assert_non_null(strstr(out, "GFLOP/s"));
    free(out);
    // a file begun with other columns (an older metarl): a new table starts under it, once
    char path[1024];
    snprintf(path, sizeof path, "%s/b/old.md", dir);
    FILE* f = fopen(path, "w");
    assert_non_null(f);
    fputs("| date (UTC) | env | steps/s |\n|---|---|---|\n| 2026-01-01 | x | 1 |\n", f);
    fclose(f);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(sh("%s bench train %s/bandit.yaml --iterations 1 --out %s/b/old.md > "
                            "/dev/null 2>&1",
                            bin, dir, dir),
                         0);
    }
    md = slurp("b/old.md");
    assert_non_null(md);
    assert_int_equal(count_lines(md), 3 + 1 + 2 + 2); // old table, blank, header, rule, rows
    char* second = strstr(md, "\n\n| date (UTC) | env | cell |");
    assert_non_null(second);
    assert_null(strstr(second + 2, "\n| date (UTC) |"));   // not repeated for the second row
    assert_non_null(strstr(md, "| 2026-01-01 | x | 1 |")); // the old rows kept
    free(md);
    assert_int_equal(sh("%s bench nosuch > /dev/null 2>&1", bin), 2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cli_train_end_to_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_bench_train_appends_rows, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
