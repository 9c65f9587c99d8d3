// test_util.c — the host helpers of metarl/util.h: names, hashing and stream
// derivation, atomic writes that leave the old file whole when they fail,
// reading, mkdir -p, and the JSON text of numbers and strings.
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "metarl/pool.h"
#include "metarl/util.h"

typedef struct {
    char dir[64];
} TmpDir;

static int make_dir(void** state) {
    TmpDir* t = calloc(1, sizeof *t);
    if (!t) {
        return -1;
    }
    snprintf(t->dir, sizeof t->dir, "/tmp/mrl_util_XXXXXX");
    if (!mkdtemp(t->dir)) {
        free(t);
        return -1;
    }
    *state = t;
    return 0;
}

static int remove_dir(void** state) {
    TmpDir* t = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
    int rc = system(cmd);
    free(t);
    return rc == 0 ? 0 : -1;
}

// Number of entries of `dir` whose name contains `part`.
static int count_entries(const char* dir, const char* part) {
    DIR* d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent* e; (e = readdir(d));) {
        n += strstr(e->d_name, part) != NULL;
    }
    closedir(d);
    return n;
}

static void assert_file_holds(const char* path, const char* text) {
    char err[MRL_MSG_MAX];
    char* data = NULL;
    size_t n = 0;
    assert_int_equal(mrl_file_read(path, &data, &n, err), MRL_OK);
    assert_int_equal(n, strlen(text));
    assert_string_equal(data, text);
    free(data);
}

static void test_is_ident(void** state) {
    (void)state;
    const char* good[] = {"a", "maze", "tabular_mdp", "k50_n100", "_", "0"};
    const char* bad[] = {"", "Maze", "dark-room", "a.b", "a b", "é", "a/b", "x\n"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        assert_int_equal(mrl_is_ident(good[i]), 1);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(mrl_is_ident(bad[i]), 0);
    }
    assert_int_equal(mrl_is_ident(NULL), 0);
}

static void test_fail_writes_text_and_returns_code(void** state) {
    (void)state;
    char err[MRL_MSG_MAX] = "";
    assert_int_equal(mrl_fail(err, MRL_EIO, "%s:%d:%d: error: %s", "f.yaml", 3, 7, "bad"), MRL_EIO);
    assert_string_equal(err, "f.yaml:3:7: error: bad");
    assert_int_equal(mrl_fail(NULL, MRL_EINVAL, "no buffer"), MRL_EINVAL);
}

static void test_hash_depends_on_every_input(void** state) {
    (void)state;
    const char a[] = "metarl";
    uint64_t h = mrl_hash_bytes(a, 6, 0);
    assert_true(h == mrl_hash_bytes(a, 6, 0));
    assert_true(h != mrl_hash_bytes(a, 6, 1));
    assert_true(h != mrl_hash_bytes(a, 5, 0));
    assert_true(h != mrl_hash_bytes(a, 7, 0)); // the trailing NUL counts
    assert_true(h != mrl_hash_bytes("metarL", 6, 0));
    assert_true(mrl_hash_bytes("", 0, 0) != mrl_hash_bytes("", 0, 1));
    // the mixer is a bijection: distinct inputs, distinct outputs (a sample)
    for (uint64_t x = 0; x < 1000; x++) {
        assert_true(mrl_mix64(x) != mrl_mix64(x + 1));
    }
}

// First 8 outputs of the stream of (seed, domain, a, b, c).
static void stream_head(uint64_t seed, uint32_t domain, uint64_t a, uint64_t b, uint64_t c,
                        uint32_t out[8]) {
    MrlRng r;
    mrl_rng_derive(&r, seed, domain, a, b, c);
    for (int i = 0; i < 8; i++) {
        out[i] = mrl_rng_u32(&r);
    }
}

static void test_rng_derive_separates_streams(void** state) {
    (void)state;
    uint32_t base[8], same[8], other[8];
    stream_head(1, MRL_DOMAIN_EPISODE, 2, 3, 4, base);
    stream_head(1, MRL_DOMAIN_EPISODE, 2, 3, 4, same);
    assert_memory_equal(base, same, sizeof base);
    // change one element of the tuple at a time, including a swap of a and b
    const uint64_t t[][5] = {
        {2, MRL_DOMAIN_EPISODE, 2, 3, 4}, {1, MRL_DOMAIN_AGENT, 2, 3, 4},
        {1, MRL_DOMAIN_EPISODE, 3, 3, 4}, {1, MRL_DOMAIN_EPISODE, 2, 4, 4},
        {1, MRL_DOMAIN_EPISODE, 2, 3, 5}, {1, MRL_DOMAIN_EPISODE, 3, 2, 4},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        stream_head(t[i][0], (uint32_t)t[i][1], t[i][2], t[i][3], t[i][4], other);
        assert_memory_not_equal(base, other, sizeof base);
    }
}

static void test_write_atomic_replaces(void** state) {
    TmpDir* t = *state;
    char path[128], err[MRL_MSG_MAX];
    snprintf(path, sizeof path, "%s/a.txt", t->dir);
    assert_int_equal(mrl_file_write_atomic(path, "first version\n", 14, err), MRL_OK);
    assert_file_holds(path, "first version\n");
    assert_int_equal(mrl_file_write_atomic(path, "2\n", 2, err), MRL_OK);
    assert_file_holds(path, "2\n");
    assert_int_equal(mrl_file_write_atomic(path, "", 0, err), MRL_OK);
    assert_file_holds(path, "");
    assert_int_equal(count_entries(t->dir, ".tmp."), 0);
}

static void test_write_atomic_failure_damages_nothing(void** state) {
    TmpDir* t = *state;
    char path[128], inner[160], err[MRL_MSG_MAX];
    // the target is a directory holding a file: the rename fails, and the
    // directory, its file and the folder around it are as they were
    snprintf(path, sizeof path, "%s/out", t->dir);
    snprintf(inner, sizeof inner, "%s/keep.txt", path);
    assert_int_equal(mrl_mkdirs(path, err), MRL_OK);
    assert_int_equal(mrl_file_write_atomic(inner, "kept\n", 5, err), MRL_OK);
    assert_int_equal(mrl_file_write_atomic(path, "new\n", 4, err), MRL_EIO);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "error: cannot rename into place"));
    assert_file_holds(inner, "kept\n");
    assert_int_equal(count_entries(t->dir, ".tmp."), 0);
    // a missing folder: the message names the file asked for
    snprintf(path, sizeof path, "%s/no/such/dir/x.json", t->dir);
    assert_int_equal(mrl_file_write_atomic(path, "{}", 2, err), MRL_EIO);
    assert_true(strncmp(err, path, strlen(path)) == 0);
    assert_non_null(strstr(err, ": error: cannot create "));
}

static void test_file_read(void** state) {
    TmpDir* t = *state;
    char path[128], err[MRL_MSG_MAX];
    // larger than the first buffer, with NUL bytes inside
    size_t n = 10000;
    char* data = malloc(n);
    assert_non_null(data);
    for (size_t i = 0; i < n; i++) {
        data[i] = (char)(i % 251);
    }
    snprintf(path, sizeof path, "%s/big.bin", t->dir);
    assert_int_equal(mrl_file_write_atomic(path, data, n, err), MRL_OK);
    char* back = NULL;
    size_t m = 0;
    assert_int_equal(mrl_file_read(path, &back, &m, err), MRL_OK);
    assert_int_equal(m, n);
    assert_memory_equal(back, data, n);
    assert_int_equal(back[n], '\0');
    free(back);
    free(data);
    snprintf(path, sizeof path, "%s/missing.yaml", t->dir);
    back = (char*)1;
    assert_int_equal(mrl_file_read(path, &back, &m, err), MRL_EIO);
    assert_null(back);
    assert_int_equal(m, 0);
    assert_true(strncmp(err, path, strlen(path)) == 0);
    assert_non_null(strstr(err, ": error: cannot open: "));
}

static void test_mkdirs(void** state) {
    TmpDir* t = *state;
    char path[200], file[160], err[MRL_MSG_MAX];
    struct stat st;
    snprintf(path, sizeof path, "%s/a/b//c/", t->dir);
    assert_int_equal(mrl_mkdirs(path, err), MRL_OK);
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(mrl_mkdirs(path, err), MRL_OK); // already there
    // a file in the way is named in the error
    snprintf(file, sizeof file, "%s/a/f", t->dir);
    assert_int_equal(mrl_file_write_atomic(file, "x", 1, err), MRL_OK);
    snprintf(path, sizeof path, "%s/g/h", file);
    assert_int_equal(mrl_mkdirs(path, err), MRL_EIO);
    assert_true(strncmp(err, file, strlen(file)) == 0);
    assert_file_holds(file, "x");
    assert_int_equal(mrl_mkdirs("", err), MRL_EIO);
}

static void test_buf_grows_and_frees(void** state) {
    (void)state;
    MrlBuf b = {0};
    for (int i = 0; i < 1000; i++) {
        mrl_buf_printf(&b, "%d,", i);
    }
    mrl_buf_append(&b, "end", 3);
    assert_int_equal(b.failed, 0);
    assert_int_equal(b.len, strlen(b.data));
    assert_true(b.cap > b.len);
    assert_memory_equal(b.data, "0,1,2,", 6);
    assert_string_equal(b.data + b.len - 11, "998,999,end");
    mrl_buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
}

static void assert_json_number(double x, const char* want) {
    MrlBuf b = {0};
    mrl_buf_json_number(&b, x);
    assert_string_equal(b.data, want);
    mrl_buf_free(&b);
}

static void test_json_number_reads_back(void** state) {
    (void)state;
    assert_json_number(0.5, "0.5");
    assert_json_number(0.1, "0.1"); // shortest form, not 0.10000000000000001
    assert_json_number(-3.0, "-3");
    assert_json_number(NAN, "null");
    assert_json_number(INFINITY, "null");
    assert_json_number(-INFINITY, "null");
    // every value reads back to the same bits
    uint64_t s = 12345;
    for (int i = 0; i < 2000; i++) {
        s = mrl_mix64(s);
        double x;
        memcpy(&x, &s, sizeof x);
        if (!isfinite(x)) {
            continue;
        }
        MrlBuf b = {0};
        mrl_buf_json_number(&b, x);
        double y = strtod(b.data, NULL);
        assert_memory_equal(&x, &y, sizeof x);
        mrl_buf_free(&b);
    }
}

static void test_json_string_escapes(void** state) {
    (void)state;
    MrlBuf b = {0};
    mrl_buf_json_string(&b, "a\"b\\c\nd\te\rf\x01g\x1fh é");
    assert_string_equal(b.data, "\"a\\\"b\\\\c\\nd\\te\\rf\\u0001g\\u001fh é\"");
    mrl_buf_free(&b);
    mrl_buf_json_string(&b, "");
    assert_string_equal(b.data, "\"\"");
    mrl_buf_free(&b);
}

// the pool: every index of [0, n) in exactly one call, calls over contiguous ranges that
// depend only on (n, threads), on a NULL pool too, over many runs of one pool
typedef struct PoolProbe {
    int32_t visits[1000];
    int64_t chunk_lo[1000]; // lo of the call that covered the index
} PoolProbe;

static void pool_probe(void* ctx, int64_t lo, int64_t hi) {
    PoolProbe* p = ctx;
    for (int64_t i = lo; i < hi; i++) {
        p->visits[i]++;
        p->chunk_lo[i] = lo;
    }
}

static void test_pool_covers_each_index_once(void** state) {
    (void)state;
    static PoolProbe a, b;
    const int64_t ns[] = {0, 1, 2, 7, 1000};
    for (int32_t threads = 1; threads <= 4; threads++) {
        MrlPool* pool = mrl_pool_new(threads);
        assert_true(threads == 1 ? pool == NULL : pool != NULL);
        assert_int_equal(mrl_pool_threads(pool), threads);
        for (size_t k = 0; k < sizeof ns / sizeof ns[0]; k++) {
            for (int rep = 0; rep < 50; rep++) {
                PoolProbe* p = rep == 0 ? &a : &b;
                memset(p, 0, sizeof *p);
                mrl_pool_run(pool, pool_probe, p, ns[k]);
                int64_t chunks = 0;
                for (int64_t i = 0; i < 1000; i++) {
                    assert_int_equal(p->visits[i], i < ns[k] ? 1 : 0);
                    chunks += i < ns[k] && p->chunk_lo[i] == i;
                    if (i > 0 && i < ns[k] && p->chunk_lo[i] != i) {
                        assert_true(p->chunk_lo[i] == p->chunk_lo[i - 1]); // contiguous
                    }
                }
                assert_true(chunks <= threads);
                assert_true(ns[k] < threads || ns[k] == 0 || chunks == threads);
                if (rep > 0) {
                    assert_memory_equal(a.chunk_lo, b.chunk_lo, sizeof a.chunk_lo);
                }
            }
        }
        mrl_pool_free(pool);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool_covers_each_index_once),
        cmocka_unit_test(test_is_ident),
        cmocka_unit_test(test_fail_writes_text_and_returns_code),
        cmocka_unit_test(test_hash_depends_on_every_input),
        cmocka_unit_test(test_rng_derive_separates_streams),
        cmocka_unit_test_setup_teardown(test_write_atomic_replaces, make_dir, remove_dir),
        cmocka_unit_test_setup_teardown(test_write_atomic_failure_damages_nothing, make_dir,
                                        remove_dir),
        cmocka_unit_test_setup_teardown(test_file_read, make_dir, remove_dir),
        cmocka_unit_test_setup_teardown(test_mkdirs, make_dir, remove_dir),
        cmocka_unit_test(test_buf_grows_and_frees),
        cmocka_unit_test(test_json_number_reads_back),
        cmocka_unit_test(test_json_string_escapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
