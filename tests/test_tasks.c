// test_tasks.c — task sets: determinism, per-task parameter draws, train/test
// disjointness by construction, the collision check's message, and plugin.h's fingerprint hash.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metarl/tasks.h"
#include "metarl/util.h"
#include "support/mock_env.h"
#include "support/spec.h"

static void test_taskset_same_seed_same_tasks(void** state) {
    (void)state;
    char err[MRL_MSG_MAX];
    double p[2] = {1000, 0};
    MrlSetSpec spec = test_spec("test", MRL_SET_TEST, 100, 7, p, 2);
    MrlTaskSet a, b;
    assert_int_equal(mrl_taskset_init(&a, &spec, &mock_api, NULL, 0, err), MRL_OK);
    assert_int_equal(mrl_taskset_init(&b, &spec, &mock_api, NULL, 0, err), MRL_OK);
    assert_memory_equal(a.tasks, b.tasks, 100 * mrl_taskset_stride(&a));
    assert_memory_equal(a.fingerprints, b.fingerprints, 100 * sizeof(uint64_t));
    // another seed or another set name gives other tasks
    MrlSetSpec other = spec;
    other.seed = 8;
    MrlTaskSet c;
    assert_int_equal(mrl_taskset_init(&c, &other, &mock_api, NULL, 0, err), MRL_OK);
    assert_memory_not_equal(a.tasks, c.tasks, 100 * mrl_taskset_stride(&a));
    MrlSetSpec renamed = spec;
    snprintf(renamed.name, sizeof renamed.name, "large");
    MrlTaskSet d;
    assert_int_equal(mrl_taskset_init(&d, &renamed, &mock_api, NULL, 0, err), MRL_OK);
    assert_memory_not_equal(a.tasks, d.tasks, 100 * mrl_taskset_stride(&a));
    mrl_taskset_release(&a);
    mrl_taskset_release(&b);
    mrl_taskset_release(&c);
    mrl_taskset_release(&d);
}

// with only 10 distinct tasks, 200 training tasks would surely include every
// test task; exclusion must redraw them all
static void test_taskset_train_excludes_test_tasks(void** state) {
    (void)state;
    char err[MRL_MSG_MAX];
    double p[2] = {10, 0};
    MrlSetSpec test_s = test_spec("test", MRL_SET_TEST, 3, 1, p, 2);
    MrlSetSpec train_s = test_spec("train", MRL_SET_TRAIN, 200, 1, p, 2);
    MrlTaskSet test, train, naive;
    assert_int_equal(mrl_taskset_init(&test, &test_s, &mock_api, NULL, 0, err), MRL_OK);
    uint64_t* ex;
    int64_t n_ex;
    assert_int_equal(mrl_taskset_collect(&test, 1, &ex, &n_ex, err), MRL_OK);
    assert_int_equal(n_ex, 3);
    assert_int_equal(mrl_taskset_init(&train, &train_s, &mock_api, ex, n_ex, err), MRL_OK);
    assert_int_equal(mrl_taskset_check_disjoint(&train, &test, err), MRL_OK);
    // without the exclusion list the check finds the collision and names both tasks
    assert_int_equal(mrl_taskset_init(&naive, &train_s, &mock_api, NULL, 0, err), MRL_OK);
    assert_int_equal(mrl_taskset_check_disjoint(&naive, &test, err), MRL_EINVAL);
    assert_non_null(strstr(err, "set 'train' task "));
    assert_non_null(strstr(err, "and set 'test' task "));
    assert_non_null(strstr(err, "share fingerprint 0x"));
    // an endless stream skips them too
    MrlSetSpec stream_s = test_spec("train", MRL_SET_TRAIN, 0, 1, p, 2);
    MrlTaskSet stream;
    assert_int_equal(mrl_taskset_init(&stream, &stream_s, &mock_api, ex, n_ex, err), MRL_OK);
    for (int64_t i = 0; i < 500; i++) {
        MockTask t;
        uint64_t fp;
        assert_int_equal(mrl_taskset_get(&stream, i, &t, NULL, &fp, err), MRL_OK);
        for (int j = 0; j < 3; j++) {
            assert_true(fp != test.fingerprints[j]);
        }
    }
    free(ex);
    mrl_taskset_release(&test);
    mrl_taskset_release(&train);
    mrl_taskset_release(&naive);
    mrl_taskset_release(&stream);
}

static void test_taskset_too_small_distribution_is_an_error(void** state) {
    (void)state;
    char err[MRL_MSG_MAX];
    double p[2] = {1, 0}; // one task only
    MrlSetSpec test_s = test_spec("test", MRL_SET_TEST, 1, 1, p, 2);
    MrlSetSpec train_s = test_spec("train", MRL_SET_TRAIN, 5, 1, p, 2);
    MrlTaskSet test, train;
    assert_int_equal(mrl_taskset_init(&test, &test_s, &mock_api, NULL, 0, err), MRL_OK);
    assert_int_equal(mrl_taskset_init(&train, &train_s, &mock_api, test.fingerprints, 1, err), MRL_EINVAL);
    assert_non_null(strstr(err, "too small"));
    mrl_taskset_release(&test);
}

static void test_taskset_param_distributions(void** state) {
    (void)state;
    char err[MRL_MSG_MAX];
    double p[2] = {1000, 0};
    MrlSetSpec spec = test_spec("test", MRL_SET_TEST, 400, 3, p, 2);
    spec.params[0].dist = MRL_DIST_INT;
    spec.params[0].a = 2;
    spec.params[0].b = 4;
    MrlTaskSet set;
    assert_int_equal(mrl_taskset_init(&set, &spec, &mock_api, NULL, 0, err), MRL_OK);
    int seen[5] = {0};
    for (int64_t i = 0; i < set.count; i++) {
        double k = set.params[i * 2];
        assert_true(k == 2 || k == 3 || k == 4);
        seen[(int)k]++;
        MockTask* t = (MockTask*)(set.tasks + (size_t)i * mrl_taskset_stride(&set));
        assert_int_equal((uintptr_t)t % 64, 0); // plugin.h promises 64-byte aligned tasks
        assert_true(t->kind < (int)k); // the task was sampled with the drawn value
    }
    assert_true(seen[2] > 100 && seen[3] > 100 && seen[4] > 100);
    mrl_taskset_release(&set);
}

// plugin.h's mrl_fingerprint_bytes against values computed independently (FNV-1a 64, the
// length xor-ed in, splitmix64's finaliser); one flipped byte changes it
static void test_fingerprint_bytes_known_values(void** state) {
    (void)state;
    assert_true(mrl_fingerprint_bytes("", 0) == 0xf52a15e9a9b5e89bULL);
    assert_true(mrl_fingerprint_bytes("abc", 3) == 0x9ddd0b206061ad94ULL);
    const unsigned char one[4] = {1, 0, 0, 0};
    assert_true(mrl_fingerprint_bytes(one, 4) == 0x0b70f3be67f3a6f6ULL);
    assert_true(mrl_fingerprint_bytes("abd", 3) != mrl_fingerprint_bytes("abc", 3));
    assert_true(mrl_fingerprint_bytes("abc", 2) != mrl_fingerprint_bytes("abc", 3));
    // the host's seeded hash shares the FNV-1a loop (values computed independently)
    assert_true(mrl_hash_bytes("abc", 3, 0) == 0xe6d7af2db17ca299ULL);
    assert_true(mrl_hash_bytes("", 0, 7) == 0x9559efa30f5d9071ULL);
    assert_true(mrl_hash_bytes("metarl", 6, 0x6d726c636667ULL) == 0xcc13492c92ee5dd5ULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_taskset_same_seed_same_tasks),
        cmocka_unit_test(test_taskset_train_excludes_test_tasks),
        cmocka_unit_test(test_taskset_too_small_distribution_is_an_error),
        cmocka_unit_test(test_taskset_param_distributions),
        cmocka_unit_test(test_fingerprint_bytes_known_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
