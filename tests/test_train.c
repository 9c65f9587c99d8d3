// test_train.c — the training run of `metarl train` (ppo/train.h): run
// directory layout, progress.csv rows, resume from the checkpoint (rows after
// it are redone, not duplicated), --fresh, and a corrupt checkpoint refused
// with one line. Run: ctest -R test_train.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "metarl/eval.h"
#include "metarl/util.h"
#include "ppo/train.h"
#include "support/run_defaults.h"
#include "support/bandit_env.h"
#include "support/spec.h"

typedef struct {
    MrlSetSpec spec;
    MrlTaskSet set;
    MrlRunConfig run;
    char dir[MRL_PATH_MAX];
} T;

static void setup(T* t) {
    char err[MRL_MSG_MAX];
    double k = 3;
    t->spec = test_spec("train", MRL_SET_TRAIN, 0, 5, &k, 1);
    assert_int_equal(mrl_taskset_init(&t->set, &t->spec, &tb_api, NULL, 0, err), MRL_OK);
    MrlRunConfig* r = &t->run;
    test_run_defaults(r, "t.yaml"); // the schema's defaults; below, what differs
    r->seed = 3;
    r->episodes = 4;
    strcpy(r->cell, "lstm");
    r->hidden = 8;
    r->total_steps = 32 * 4 * 100;
    r->batch_trials = 32;
    r->minibatches = 2;
    r->epochs = 2;
    r->lambda = 0.95;
    r->lr = 1e-3;
    strcpy(r->lr_schedule, "linear");
    r->target_kl = 0.01;
    r->checkpoint_every = 2;
    snprintf(t->dir, sizeof t->dir, "%s/test_train_%d", MRL_BINARY_DIR, (int)getpid());
}

static int run_job(T* t, int fresh, int64_t iters, char* err) {
    FILE* out = fopen("/dev/null", "w");
    MrlTrainJob job = {.run = &t->run,
                       .api = &tb_api,
                       .train_set = &t->set,
                       .config_hash = 42,
                       .config_text = "seed: 3\n",
                       .run_dir = t->dir,
                       .fresh = fresh,
                       .tty = 0,
                       .plot = 0,
                       .max_iterations = iters,
                       .out = out};
    int rc = mrl_train_run(&job, err);
    fclose(out);
    return rc;
}

// number of data rows of progress.csv and the iteration of the last one
static int csv_rows(const T* t, long long* last) {
    char path[MRL_PATH_MAX + 32], err[MRL_MSG_MAX];
    snprintf(path, sizeof path, "%s/progress.csv", t->dir);
    char* text;
    size_t n;
    assert_int_equal(mrl_file_read(path, &text, &n, err), MRL_OK);
    assert_true(strncmp(text, mrl_train_csv_header, strlen(mrl_train_csv_header)) == 0);
    int rows = 0;
    *last = 0;
    for (char* line = strchr(text, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
        rows++;
        *last = atoll(line + 1);
        assert_int_equal(*last, rows); // iterations 1, 2, 3, ... in order
    }
    free(text);
    return rows;
}

static void cleanup(T* t) {
    char cmd[MRL_PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
    assert_int_equal(system(cmd), 0);
    mrl_taskset_release(&t->set);
}

static void test_train_run_dir_resume_and_fresh(void** state) {
    (void)state;
    T t;
    setup(&t);
    char err[MRL_MSG_MAX], path[MRL_PATH_MAX + 32];
    assert_int_equal(run_job(&t, 0, 3, err), MRL_OK);
    long long last;
    assert_int_equal(csv_rows(&t, &last), 3);
    snprintf(path, sizeof path, "%s/ckpt/last.ckpt", t.dir);
    assert_int_equal(access(path, R_OK), 0);
    snprintf(path, sizeof path, "%s/config.yaml", t.dir);
    assert_int_equal(access(path, R_OK), 0);
    // the run stopped after iteration 3 but saved at its end: resume continues at 4
    assert_int_equal(run_job(&t, 0, 2, err), MRL_OK);
    assert_int_equal(csv_rows(&t, &last), 5);
    assert_int_equal(last, 5);
    // --fresh starts over
    assert_int_equal(run_job(&t, 1, 1, err), MRL_OK);
    assert_int_equal(csv_rows(&t, &last), 1);
    // run to the end (100 iterations' worth of steps) and once more: nothing left to do
    assert_int_equal(run_job(&t, 0, 0, err), MRL_OK);
    assert_int_equal(csv_rows(&t, &last), 100);
    assert_int_equal(run_job(&t, 0, 0, err), MRL_OK);
    assert_int_equal(csv_rows(&t, &last), 100);
    cleanup(&t);
}

static void test_train_corrupt_checkpoint_is_one_line(void** state) {
    (void)state;
    T t;
    setup(&t);
    char err[MRL_MSG_MAX], path[MRL_PATH_MAX + 32];
    assert_int_equal(run_job(&t, 0, 1, err), MRL_OK);
    snprintf(path, sizeof path, "%s/ckpt/last.ckpt", t.dir);
    FILE* f = fopen(path, "r+b");
    assert_non_null(f);
    fseek(f, 200, SEEK_SET);
    fputc(0x55, f);
    fclose(f);
    assert_true(run_job(&t, 0, 1, err) != MRL_OK);
    assert_non_null(strstr(err, "CRC"));
    assert_non_null(strstr(err, path));
    assert_null(strchr(err, '\n'));
    // --fresh gets past it
    assert_int_equal(run_job(&t, 1, 1, err), MRL_OK);
    cleanup(&t);
}

static void test_train_checkpoint_acts_through_registry(void** state) {
    (void)state;
    // `metarl eval RUN_DIR` builds the agent by name from the run config: "rl2" loads
    // <out>/<name>/ckpt/last.ckpt; "rl2_greedy" the same policy acting greedily
    T t;
    setup(&t);
    char err[MRL_MSG_MAX];
    snprintf(t.run.out_root, sizeof t.run.out_root, "%s", MRL_BINARY_DIR);
    snprintf(t.run.name, sizeof t.run.name, "test_train_%d", (int)getpid());
    MrlAgent* none = mrl_agent_new("rl2", &t.run, err);
    assert_null(none);
    assert_non_null(strstr(err, "last.ckpt"));
    assert_int_equal(run_job(&t, 0, 2, err), MRL_OK);
    double k = 3;
    MrlSetSpec spec = test_spec("test", MRL_SET_TEST, 20, 9, &k, 1);
    MrlTaskSet set;
    assert_int_equal(mrl_taskset_init(&set, &spec, &tb_api, NULL, 0, err), MRL_OK);
    const char* kinds[2] = {"rl2", "rl2_greedy"};
    for (int i = 0; i < 2; i++) {
        MrlAgent* a = mrl_agent_new(kinds[i], &t.run, err);
        assert_non_null(a);
        assert_string_equal(a->name, kinds[i]);
        MrlEvalSet out;
        assert_int_equal(mrl_eval_set(&out, &set, a, 4, 1, 8, 1, 5, err), MRL_OK);
        assert_int_equal(out.n_trials, 20);
        mrl_eval_set_free(&out);
        a->free(a);
    }
    // a config whose network differs (hidden 9 vs 8) is refused at begin with one line
    t.run.hidden = 9;
    MrlAgent* a = mrl_agent_new("rl2", &t.run, err);
    assert_non_null(a);
    MrlEvalSet out;
    assert_true(mrl_eval_set(&out, &set, a, 4, 1, 8, 1, 5, err) != MRL_OK);
    assert_non_null(strstr(err, "parameters"));
    a->free(a);
    mrl_taskset_release(&set);
    cleanup(&t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_train_run_dir_resume_and_fresh),
        cmocka_unit_test(test_train_corrupt_checkpoint_is_one_line),
        cmocka_unit_test(test_train_checkpoint_acts_through_registry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
