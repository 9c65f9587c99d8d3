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
    expect_refused("broken_no_entry.so", "error: not a metarl plugin: no symbol 'mrl_plugin_entry'");
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

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_host_refuses_wrong_abi_major),
        cmocka_unit_test(test_host_refuses_missing_entry),
        cmocka_unit_test(test_host_refuses_null_required_entry),
        cmocka_unit_test(test_host_refuses_bad_param_table),
        cmocka_unit_test(test_host_loads_good_plugin_by_path_and_name),
        cmocka_unit_test(test_host_missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
