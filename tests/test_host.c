// test_host.c — the plugin loader: search path, and refusal (one line naming
// the file) of a wrong ABI major, a missing entry symbol, a NULL required
// entry and a malformed parameter table, using the broken test plugins.
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

#include "metarl/host.h"

static void expect_refused(const char* file, const char* what) {
    char path[512], err[MRL_MSG_MAX];
    snprintf(path, sizeof path, "%s/%s", MRL_TEST_PLUGIN_DIR, file);
    MrlPlugin pl;
    assert_int_not_equal(mrl_plugin_open(&pl, path, NULL, err), MRL_OK);
    if (strncmp(err, path, strlen(path)) != 0 || !strstr(err, what) || strchr(err, '\n')) {
        fail_msg("for %s expected one line starting with the path and containing '%s', got: %s",
                 file, what, err);
    }
    assert_null(pl.handle);
}

static void test_host_refuses_wrong_abi_major(void** state) {
    (void)state;
    expect_refused("broken_abi_major.so", "error: plugin ABI major 2, this metarl needs 1");
}

static void test_host_refuses_missing_entry(void** state) {
    (void)state;
    expect_refused("broken_no_entry.so",
                   "error: not a metarl plugin: no symbol 'mrl_plugin_entry'");
}

static void test_host_refuses_null_required_entry(void** state) {
    (void)state;
    expect_refused("broken_null_reset.so", "required entry 'reset' is NULL");
}

static void test_host_refuses_bad_param_table(void** state) {
    (void)state;
    expect_refused("broken_dup_param.so", "duplicate parameter");
    expect_refused("broken_default_range.so", "is outside");
}

static void test_host_loads_good_plugin_by_path_and_name(void** state) {
    (void)state;
    char path[512], err[MRL_MSG_MAX];
    snprintf(path, sizeof path, "%s/good_template.so", MRL_TEST_PLUGIN_DIR);
    MrlPlugin pl;
    assert_int_equal(mrl_plugin_open(&pl, path, NULL, err), MRL_OK);
    assert_non_null(pl.api.step);
    mrl_plugin_close(&pl);
    // by name through METARL_PLUGIN_PATH (after the build's plugin dir)
    setenv("METARL_PLUGIN_PATH", MRL_TEST_PLUGIN_DIR, 1);
    assert_int_equal(mrl_plugin_open(&pl, "good_template", NULL, err), MRL_OK);
    assert_string_equal(pl.path, path);
    mrl_plugin_close(&pl);
    // and the build's own plugins by name
    assert_int_equal(mrl_plugin_open(&pl, "bandit", NULL, err), MRL_OK);
    assert_string_equal(pl.api.name, "bandit");
    mrl_plugin_close(&pl);
    unsetenv("METARL_PLUGIN_PATH");
    assert_int_equal(mrl_plugin_open(&pl, "good_template", "cfg.yaml:2:11", err), MRL_EINVAL);
    assert_non_null(strstr(err, "cfg.yaml:2:11: error: unknown plugin 'good_template'"));
}

static void test_host_missing_file(void** state) {
    (void)state;
    char err[MRL_MSG_MAX];
    MrlPlugin pl;
    assert_int_equal(mrl_plugin_open(&pl, "./nope/missing.so", "x.yaml:3:4", err), MRL_EIO);
    assert_string_equal(err, "x.yaml:3:4: error: plugin file './nope/missing.so' not found");
}

// METARL_PLUGIN_PATH with two directories, after the build's own: listing and opening by
// name take the first file of each name (a build plugin shadows a same-named file in the
// path, the first directory shadows the second), with or without the "lib" prefix
typedef struct Listed {
    char paths[64][MRL_PATH_MAX];
    int n;
} Listed;

static void collect(const char* path, void* ctx) {
    Listed* l = ctx;
    if (l->n < 64) {
        snprintf(l->paths[l->n++], MRL_PATH_MAX, "%s", path);
    }
}

static int listed(const Listed* l, const char* path) {
    int n = 0;
    for (int i = 0; i < l->n; i++) {
        n += strcmp(l->paths[i], path) == 0;
    }
    return n;
}

static void test_host_search_path_order(void** state) {
    (void)state;
    char root[] = "/tmp/mrl_hostXXXXXX", a[64], b[64], f[6][128], target[512];
    assert_non_null(mkdtemp(root));
    snprintf(a, sizeof a, "%s/a", root);
    snprintf(b, sizeof b, "%s/b", root);
    assert_int_equal(mkdir(a, 0755), 0);
    assert_int_equal(mkdir(b, 0755), 0);
    snprintf(target, sizeof target, "%s/good_template.so", MRL_TEST_PLUGIN_DIR);
    snprintf(f[0], sizeof f[0], "%s/dup.so", a);
    snprintf(f[1], sizeof f[1], "%s/dup.so", b);
    snprintf(f[2], sizeof f[2], "%s/libonly_b.so", b);
    snprintf(f[3], sizeof f[3], "%s/bandit.so", b);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(symlink(target, f[i]), 0);
    }
    char env[160], sp[4096];
    snprintf(env, sizeof env, "%s:%s", a, b);
    setenv("METARL_PLUGIN_PATH", env, 1);
    mrl_plugin_search_path(sp, sizeof sp);
    size_t ls = strlen(sp), le = strlen(env);
    assert_true(ls > le + 1 && strcmp(sp + ls - le, env) == 0 && sp[ls - le - 1] == ':');
    char build_bandit[4096];
    snprintf(build_bandit, sizeof build_bandit, "%.*s/bandit.so", (int)(ls - le - 1), sp);
    static Listed l;
    l.n = 0;
    mrl_plugin_list(collect, &l);
    assert_int_equal(listed(&l, f[0]), 1);
    assert_int_equal(listed(&l, f[1]), 0);
    assert_int_equal(listed(&l, f[2]), 1);
    assert_int_equal(listed(&l, f[3]), 0);
    assert_int_equal(listed(&l, build_bandit), 1);
    MrlPlugin pl;
    char err[MRL_MSG_MAX];
    assert_int_equal(mrl_plugin_open(&pl, "dup", NULL, err), MRL_OK);
    assert_string_equal(pl.path, f[0]);
    mrl_plugin_close(&pl);
    assert_int_equal(mrl_plugin_open(&pl, "only_b", NULL, err), MRL_OK);
    assert_string_equal(pl.path, f[2]);
    mrl_plugin_close(&pl);
    assert_int_equal(mrl_plugin_open(&pl, "bandit", NULL, err), MRL_OK);
    assert_string_equal(pl.path, build_bandit);
    mrl_plugin_close(&pl);
    unsetenv("METARL_PLUGIN_PATH");
    for (int i = 0; i < 4; i++) {
        unlink(f[i]);
    }
    rmdir(a);
    rmdir(b);
    rmdir(root);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_host_refuses_wrong_abi_major),
        cmocka_unit_test(test_host_refuses_missing_entry),
        cmocka_unit_test(test_host_refuses_null_required_entry),
        cmocka_unit_test(test_host_refuses_bad_param_table),
        cmocka_unit_test(test_host_loads_good_plugin_by_path_and_name),
        cmocka_unit_test(test_host_missing_file),
        cmocka_unit_test(test_host_search_path_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
