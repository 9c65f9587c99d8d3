// test_conformance.c — the plugin conformance checker (metarl/conform.h) against the
// real plugins, every plugin in <build>/plugins (found at run time, so new plugins are
// covered without editing this file), a conforming template plugin, and one
// deliberately broken plugin per check (tests/plugins/), each of which must fail
// exactly the check it targets.
//   ctest -R conformance    or    CMOCKA_TEST_FILTER=broken_obs* ./build/tests/test_conformance
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metarl/conform.h"
#include "metarl/host.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#else
#define SANITIZED 0
#endif

#define PLUGIN_DIR MRL_BINARY_DIR "/plugins"

// prints the report when a check fails, so ctest output says why
static void show(const MrlConformReport* rep) {
    mrl_conform_print(stdout, rep, 0);
}

static void assert_all_pass(const MrlConformReport* rep, int rc) {
    if (rc != MRL_OK || rep->n_failed != 0) {
        show(rep);
    }
    assert_int_equal(rc, MRL_OK);
    assert_int_equal(rep->n_failed, 0);
}

static int32_t status_of(const MrlConformReport* rep, const char* name) {
    const MrlConformCheck* k = mrl_conform_find(rep, name);
    if (!k) {
        fail_msg("check '%s' missing from the report", name);
    }
    return k->status;
}

// ---- the real plugins ----

static void check_real(const char* file, int has_oracle, int has_text) {
    MrlConformReport rep;
    int rc = mrl_conform_check_file(file, NULL, &rep);
    assert_all_pass(&rep, rc);
    assert_int_equal(status_of(&rep, "load"), MRL_CONFORM_PASS);
    assert_int_equal(status_of(&rep, "determinism"), MRL_CONFORM_PASS);
    assert_int_equal(status_of(&rep, "fingerprint"), MRL_CONFORM_PASS);
    assert_int_equal(status_of(&rep, "action_check"), MRL_CONFORM_PASS);
    assert_int_equal(status_of(&rep, "step_alloc"),
                     SANITIZED ? MRL_CONFORM_SKIP : MRL_CONFORM_PASS);
    assert_int_equal(status_of(&rep, "oracle"), has_oracle ? MRL_CONFORM_PASS : MRL_CONFORM_SKIP);
    assert_int_equal(status_of(&rep, "render_text"),
                     has_text ? MRL_CONFORM_PASS : MRL_CONFORM_SKIP);
}

static void test_conform_bandit(void** state) {
    (void)state;
    check_real(PLUGIN_DIR "/bandit.so", 1, 1);
}

static void test_conform_tabular_mdp(void** state) {
    (void)state;
    check_real(PLUGIN_DIR "/tabular_mdp.so", 1, 1);
}

// every plugin the build produced, including ones added after this test was written
static void test_conform_every_build_plugin(void** state) {
    (void)state;
    DIR* d = opendir(PLUGIN_DIR);
    assert_non_null(d);
    int n = 0, seen_bandit = 0, seen_mdp = 0;
    struct dirent* e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 3, ".so") != 0) {
            continue;
        }
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", PLUGIN_DIR, e->d_name);
        MrlConformReport rep;
        int rc = mrl_conform_check_file(path, NULL, &rep);
        print_message("checked %s: %d passed, %d failed, %d skipped\n", path, (int)rep.n_passed,
                      (int)rep.n_failed, (int)rep.n_skipped);
        assert_all_pass(&rep, rc);
        n++;
        seen_bandit |= strcmp(e->d_name, "bandit.so") == 0;
        seen_mdp |= strcmp(e->d_name, "tabular_mdp.so") == 0;
    }
    closedir(d);
    assert_true(n >= 2);
    assert_true(seen_bandit && seen_mdp);
}

// the table as the loader copies it (no `load` check in the report)
static void test_conform_loader_copy(void** state) {
    (void)state;
    MrlPlugin pl;
    char err[MRL_MSG_MAX];
    int rc = mrl_plugin_open(&pl, PLUGIN_DIR "/tabular_mdp.so", NULL, err);
    assert_int_equal(rc, MRL_OK);
    MrlConformReport rep;
    rc = mrl_conform_check(&pl.api, pl.path, NULL, &rep);
    assert_all_pass(&rep, rc);
    assert_null(mrl_conform_find(&rep, "load"));
    assert_string_equal(rep.plugin, "tabular_mdp");
    mrl_plugin_close(&pl);
}

// checked at other parameters than the defaults
static void test_conform_given_params(void** state) {
    (void)state;
    MrlPlugin pl;
    char err[MRL_MSG_MAX];
    assert_int_equal(mrl_plugin_open(&pl, PLUGIN_DIR "/tabular_mdp.so", NULL, err), MRL_OK);
    const double small[3] = {2, 3, 4};
    MrlConformReport rep;
    int rc = mrl_conform_check(&pl.api, pl.path, small, &rep);
    assert_all_pass(&rep, rc);
    assert_non_null(strstr(mrl_conform_find(&rep, "describe")->msg, "DISCRETE 3"));
    const double bad[3] = {0, 3, 4}; // states below its range
    rc = mrl_conform_check(&pl.api, pl.path, bad, &rep);
    assert_int_equal(rc, MRL_EPLUGIN);
    assert_int_equal(status_of(&rep, "params"), MRL_CONFORM_FAIL);
    assert_non_null(strstr(mrl_conform_find(&rep, "params")->msg, "states"));
    assert_int_equal(status_of(&rep, "determinism"), MRL_CONFORM_SKIP);
    mrl_plugin_close(&pl);
}

static void test_conform_by_name(void** state) {
    (void)state;
    MrlConformReport rep;
    int rc = mrl_conform_check_file("bandit", NULL, &rep);
    assert_all_pass(&rep, rc);
    assert_non_null(strstr(rep.file, "/bandit.so"));
}

static void test_conform_missing_plugin(void** state) {
    (void)state;
    MrlConformReport rep;
    int rc = mrl_conform_check_file("no_such_plugin_xyz", NULL, &rep);
    assert_int_equal(rc, MRL_EPLUGIN);
    assert_int_equal(rep.n_failed, 1);
    assert_int_equal(status_of(&rep, "load"), MRL_CONFORM_FAIL);
    assert_int_equal(status_of(&rep, "abi"), MRL_CONFORM_SKIP);
    assert_int_equal(rep.n_skipped, rep.n_checks - 1);
}

static void test_conform_good_template(void** state) {
    (void)state;
    MrlConformReport rep;
    int rc = mrl_conform_check_file(MRL_TEST_PLUGIN_DIR "/good_template.so", NULL, &rep);
    assert_all_pass(&rep, rc);
    // the template exercises every optional capability
    assert_int_equal(status_of(&rep, "render_rgb"), MRL_CONFORM_PASS);
    assert_int_equal(status_of(&rep, "oracle"), MRL_CONFORM_PASS);
    assert_int_equal(status_of(&rep, "render_text"), MRL_CONFORM_PASS);
    assert_int_equal(status_of(&rep, "init_release"), MRL_CONFORM_PASS);
    int expect_skipped = SANITIZED ? 1 : 0;
    assert_int_equal(rep.n_skipped, expect_skipped);
}

static void test_conform_printer(void** state) {
    (void)state;
    MrlConformReport rep;
    mrl_conform_check_file(MRL_TEST_PLUGIN_DIR "/broken_obs_overflow.so", NULL, &rep);
    char* text = NULL;
    size_t n = 0;
    FILE* f = open_memstream(&text, &n);
    assert_non_null(f);
    mrl_conform_print(f, &rep, 0);
    fclose(f);
    assert_non_null(strstr(text, "PASS abi: ABI 1.0"));
    assert_non_null(strstr(text,
                           "FAIL obs_canary: step 0 of episode 0 wrote past the observation buffer "
                           "(float 2 of 2)\n"));
    assert_non_null(strstr(text, "tmpl ("));
    assert_non_null(strstr(text, "failed"));
    free(text);
    text = NULL;
    f = open_memstream(&text, &n);
    mrl_conform_print(f, &rep, 1);
    fclose(f);
    assert_null(strstr(text, "PASS"));
    assert_non_null(strstr(text, "FAIL obs_canary"));
    free(text);
}

static void test_conform_alloc_counter(void** state) {
    (void)state;
    if (SANITIZED) {
        assert_int_equal(mrl_conform_alloc_available(), 0);
        skip();
    }
    assert_int_equal(mrl_conform_alloc_available(), 1);
    uint64_t c0 = mrl_conform_alloc_calls();
    int64_t l0 = mrl_conform_alloc_live();
    void* volatile p = malloc(10);
    assert_int_equal(mrl_conform_alloc_live(), l0 + 1);
    p = realloc(p, 1000);
    free(p);
    assert_int_equal(mrl_conform_alloc_calls(), c0 + 3);
    assert_int_equal(mrl_conform_alloc_live(), l0);
}

// ---- the broken plugins: each fails exactly its check ----

typedef struct Broken {
    const char* plugin; // <build>/test_plugins/<plugin>.so
    const char* check;  // the one check it must fail
} Broken;

static const Broken broken[] = {
    {"broken_abi_major", "abi"},           {"broken_no_entry", "load"},
    {"broken_null_reset", "entries"},      {"broken_default_range", "params"},
    {"broken_dup_param", "params"},        {"broken_describe", "describe"},
    {"broken_task_nondet", "task_sample"}, {"broken_task_overflow", "task_canary"},
    {"broken_fp_unstable", "fingerprint"}, {"broken_fp_collide", "fingerprint"},
    {"broken_obs_overflow", "obs_canary"}, {"broken_state_overflow", "state_canary"},
    {"broken_output", "output_canary"},    {"broken_nondet", "determinism"},
    {"broken_step_alloc", "step_alloc"},   {"broken_init_leak", "init_release"},
    {"broken_endless", "episodes"},        {"broken_reward_range", "reward_range"},
    {"broken_reward_inf", "reward_range"}, {"broken_obs_range", "obs_range"},
    {"broken_bad_action", "action_check"}, {"broken_render_text", "render_text"},
    {"broken_render_rgb", "render_rgb"},   {"broken_oracle", "oracle"},
    {"broken_choice_name", "params"},
};

#define N_BROKEN (sizeof broken / sizeof broken[0])

static void test_broken(void** state) {
    const Broken* b = *state;
    int alloc_check = strcmp(b->check, "step_alloc") == 0 || strcmp(b->check, "init_release") == 0;
    if (SANITIZED && strcmp(b->check, "init_release") == 0) {
        skip(); // the leak would be reported by LeakSanitizer at exit, and is not counted
    }
    char path[2048];
    snprintf(path, sizeof path, "%s/%s.so", MRL_TEST_PLUGIN_DIR, b->plugin);
    MrlConformReport rep;
    int rc = mrl_conform_check_file(path, NULL, &rep);
    if (SANITIZED && alloc_check) {
        assert_int_equal(status_of(&rep, b->check), MRL_CONFORM_SKIP);
        assert_int_equal(rep.n_failed, 0);
        return;
    }
    int ok =
        rc == MRL_EPLUGIN && rep.n_failed == 1 && status_of(&rep, b->check) == MRL_CONFORM_FAIL;
    if (!ok) {
        print_error("%s must fail exactly '%s':\n", b->plugin, b->check);
        show(&rep);
    }
    assert_int_equal(rc, MRL_EPLUGIN);
    assert_int_equal(rep.n_failed, 1);
    assert_int_equal(status_of(&rep, b->check), MRL_CONFORM_FAIL);
    assert_true(strlen(mrl_conform_find(&rep, b->check)->msg) > 10);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conform_bandit),
        cmocka_unit_test(test_conform_tabular_mdp),
        cmocka_unit_test(test_conform_every_build_plugin),
        cmocka_unit_test(test_conform_loader_copy),
        cmocka_unit_test(test_conform_given_params),
        cmocka_unit_test(test_conform_by_name),
        cmocka_unit_test(test_conform_missing_plugin),
        cmocka_unit_test(test_conform_good_template),
        cmocka_unit_test(test_conform_printer),
        cmocka_unit_test(test_conform_alloc_counter),
    };
    struct CMUnitTest broken_tests[N_BROKEN];
    for (size_t i = 0; i < N_BROKEN; i++) {
        broken_tests[i] = (struct CMUnitTest){
            .name = broken[i].plugin,
            .test_func = test_broken,
            .initial_state = (void*)&broken[i],
        };
    }
    int failed = cmocka_run_group_tests_name("conformance", tests, NULL, NULL);
    failed += _cmocka_run_group_tests("broken_plugins", broken_tests, N_BROKEN, NULL, NULL);
    return failed;
}
