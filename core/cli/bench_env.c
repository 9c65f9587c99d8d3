// bench_env.c — `metarl bench env PLUGIN [key=value ...]`: steps per
// second of one environment instance on one core, random actions, resets
// included (each episode runs to its end, tasks cycle over a fixed sample).
// By default it sweeps the plugin's CHOICE parameter `obs` (every observation
// mode); `--sweep NAME` sweeps another CHOICE or BOOL parameter.
// Writes results/bench/env_<plugin>.md and .json (or --out FILE.md, with the
// .json beside it) and prints the table.
//   metarl bench env maze                 # strip, pixels, local
//   metarl bench env maze renderer=reference --seconds 0.5
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "args.h"
#include "cli.h"
#include "metarl/agent.h"
#include "metarl/host.h"
#include "metarl/util.h"

#define MAX_SWEEP 16

typedef struct BenchResult {
    char label[128];
    int64_t steps;
    int64_t episodes;
    double seconds;      // thread CPU time
    double wall_seconds; // wall-clock time over the same steps
    int32_t obs_floats;
    uint64_t state_bytes;
} BenchResult;

static double clock_seconds(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

// CPU time of this thread: a rate per CPU-second is a rate per core, and it
// does not count the time the thread waited for a core on a busy machine
static double now_seconds(void) {
    return clock_seconds(CLOCK_THREAD_CPUTIME_ID);
}

static int find_param(const MrlEnvApi* api, const char* name) {
    for (int i = 0; i < api->n_params; i++) {
        if (strcmp(api->params[i].name, name) == 0) {
            return i;
        }
    }
    return -1;
}

// Parses "key=value" against the plugin's parameter table into params.
static int parse_kv(const MrlEnvApi* api, double* params, const char* kv, char* err) {
    const char* eq = strchr(kv, '=');
    char name[64];
    if (!eq || eq == kv || (size_t)(eq - kv) >= sizeof name) {
        return mrl_fail(err, MRL_EINVAL, "metarl bench: error: expected key=value, got '%s'", kv);
    }
    snprintf(name, sizeof name, "%.*s", (int)(eq - kv), kv);
    const char* val = eq + 1;
    int i = find_param(api, name);
    if (i < 0) {
        const char* cands[64];
        for (int k = 0; k < api->n_params && k < 64; k++) {
            cands[k] = api->params[k].name;
        }
        const char* hint = mrl_did_you_mean(name, cands, api->n_params < 64 ? api->n_params : 64);
        return mrl_fail(err, MRL_EINVAL,
                        "metarl bench: error: plugin %s has no parameter '%s'%s%s%s", api->name,
                        name, hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
    }
    const MrlParamDef* d = &api->params[i];
    if (d->kind == MRL_PARAM_CHOICE) {
        for (int c = 0; d->choices[c]; c++) {
            if (strcmp(d->choices[c], val) == 0) {
                params[i] = c;
                return MRL_OK;
            }
        }
        return mrl_fail(err, MRL_EINVAL, "metarl bench: error: '%s' is not a choice of %s", val,
                        name);
    }
    if (d->kind == MRL_PARAM_BOOL) {
        if (strcmp(val, "true") == 0 || strcmp(val, "1") == 0) {
            params[i] = 1;
        } else if (strcmp(val, "false") == 0 || strcmp(val, "0") == 0) {
            params[i] = 0;
        } else {
            return mrl_fail(err, MRL_EINVAL, "metarl bench: error: %s must be true or false", name);
        }
        return MRL_OK;
    }
    char* end = NULL;
    double x = strtod(val, &end);
    if (!end || *end || !isfinite(x) || x < d->lo || x > d->hi ||
        (d->kind == MRL_PARAM_INT && x != floor(x))) {
        return mrl_fail(err, MRL_EINVAL,
                        "metarl bench: error: %s = '%s' is not a%s number in [%g, %g]", name, val,
                        d->kind == MRL_PARAM_INT ? "n integer" : "", d->lo, d->hi);
    }
    params[i] = x;
    return MRL_OK;
}

// Times one parameter vector. Returns MRL_OK, MRL_EINVAL (bad parameters) or
// another failure, with text in err.
static int bench_one(BenchResult* res, const MrlEnvApi* api, const double* params, int n_tasks,
                     uint64_t seed, double seconds, char* err) {
    char perr[MRL_ERR_MAX] = "";
    MrlEnvInfo info;
    int rc = api->describe(&info, params, perr);
    if (rc != MRL_OK) {
        return mrl_fail(err, MRL_EINVAL, "metarl bench: error: %s", perr);
    }
    int32_t of = mrl_space_floats(&info.obs), af = mrl_space_floats(&info.action);
    size_t tb = (info.task_bytes + 63) & ~(size_t)63;
    uint8_t* tasks = calloc((size_t)n_tasks, tb);
    void* state = aligned_alloc(64, (info.state_bytes + 63) & ~(uint64_t)63);
    float* obs = calloc((size_t)of, sizeof(float));
    float* act = calloc((size_t)af, sizeof(float));
    if (!tasks || !state || !obs || !act) {
        rc = mrl_fail(err, MRL_ENOMEM, "metarl bench: error: out of memory");
        goto done;
    }
    memset(state, 0, info.state_bytes);
    for (int i = 0; i < n_tasks; i++) {
        MrlRng rng;
        mrl_rng_derive(&rng, seed, MRL_DOMAIN_TASK, 0, (uint64_t)i, 0);
        rc = api->task_sample(tasks + (size_t)i * tb, params, &rng, perr);
        if (rc != MRL_OK) {
            rc = mrl_fail(err, MRL_EINVAL, "metarl bench: error: task_sample: %s", perr);
            goto done;
        }
    }
    rc = api->init(state, params, perr);
    if (rc != MRL_OK) {
        rc = mrl_fail(err, rc, "metarl bench: error: init: %s", perr);
        goto done;
    }
    MrlRng env_rng, act_rng;
    mrl_rng_derive(&env_rng, seed, MRL_DOMAIN_EPISODE, 0, 0, 0);
    mrl_rng_derive(&act_rng, seed, MRL_DOMAIN_AGENT, 0, 0, 0);
    int64_t steps = 0, episodes = 0;
    double t0 = now_seconds(), t_end = t0 + seconds, t = t0;
    double w0 = clock_seconds(CLOCK_MONOTONIC);
    int warm = 1; // the first 10% of the time warms caches and is not counted
    double t_warm = t0 + 0.1 * seconds;
    while (t < t_end) {
        const void* task = tasks + (size_t)(episodes % n_tasks) * tb;
        rc = api->reset(state, obs, task, &env_rng, perr);
        if (rc != MRL_OK) {
            rc = mrl_fail(err, rc, "metarl bench: error: reset: %s", perr);
            goto done;
        }
        for (;;) {
            float reward;
            int32_t term, trunc;
            mrl_agent_random_action(act, &info.action, &act_rng);
            rc = api->step(state, obs, &reward, &term, &trunc, act, &env_rng, perr);
            if (rc != MRL_OK) {
                rc = mrl_fail(err, rc, "metarl bench: error: step: %s", perr);
                goto done;
            }
            steps++;
            if (term || trunc) {
                break;
            }
        }
        episodes++;
        t = now_seconds();
        if (warm && t >= t_warm) {
            warm = 0;
            steps = 0;
            episodes = 0;
            t0 = t;
            w0 = clock_seconds(CLOCK_MONOTONIC);
        }
    }
    res->steps = steps;
    res->episodes = episodes;
    res->seconds = t - t0;
    res->wall_seconds = clock_seconds(CLOCK_MONOTONIC) - w0;
    res->obs_floats = of;
    res->state_bytes = info.state_bytes;
    rc = MRL_OK;
done:
    if (state && api->release && rc == MRL_OK) {
        api->release(state);
    }
    free(tasks);
    free(state);
    free(obs);
    free(act);
    return rc;
}

int mrl_bench_env(int argc, char** argv) {
    char err[MRL_MSG_MAX] = "";
    if (argc < 2) {
        fprintf(stderr, "metarl bench env: error: missing PLUGIN (see 'metarl help bench')\n");
        return MRL_EXIT_BAD_INPUT;
    }
    MrlPlugin pl;
    memset(&pl, 0, sizeof pl);
    if (mrl_plugin_open(&pl, argv[1], NULL, err) != MRL_OK) {
        fprintf(stderr, "%s\n", err);
        return MRL_EXIT_BAD_INPUT;
    }
    const MrlEnvApi* api = &pl.api;
    double params[64];
    mrl_plugin_defaults(api, params);
    const char* sweep = NULL;
    const char* out = NULL;
    double seconds = 2.0;
    long n_tasks = 64;
    unsigned long long seed = 1;
    int status = MRL_EXIT_BAD_INPUT;
    int set_by_user[64] = {0};
    MrlBuf md = {0}, js = {0};
    for (int i = 2; i < argc; i++) {
        const char* a = argv[i];
        char* end = NULL;
        if (strcmp(a, "--sweep") == 0 && i + 1 < argc) {
            sweep = argv[++i];
        } else if (strcmp(a, "--seconds") == 0 && i + 1 < argc) {
            seconds = strtod(argv[++i], &end);
            if (*end || !(seconds > 0.0 && seconds < 1e6)) {
                fprintf(stderr, "metarl bench env: error: --seconds wants a positive number\n");
                goto done;
            }
        } else if (strcmp(a, "--tasks") == 0 && i + 1 < argc) {
            if (mrl_args_int(argv[++i], 1, 1000000, &n_tasks) != 0) {
                fprintf(stderr, "metarl bench env: error: --tasks wants 1..1000000\n");
                goto done;
            }
        } else if (strcmp(a, "--seed") == 0 && i + 1 < argc) {
            seed = strtoull(argv[++i], &end, 10);
            if (*end) {
                fprintf(stderr, "metarl bench env: error: --seed wants an integer\n");
                goto done;
            }
        } else if (strcmp(a, "--out") == 0 && i + 1 < argc) {
            out = argv[++i];
        } else if (a[0] == '-') {
            fprintf(stderr, "metarl bench env: error: unknown option '%s'\n", a);
            goto done;
        } else if (parse_kv(api, params, a, err) != MRL_OK) {
            fprintf(stderr, "%s\n", err);
            goto done;
        } else {
            char name[64];
            snprintf(name, sizeof name, "%.*s", (int)strcspn(a, "="), a);
            set_by_user[find_param(api, name)] = 1;
        }
    }
    int sp = -1;
    int obs_p = find_param(api, "obs");
    if (!sweep && obs_p >= 0 && api->params[obs_p].kind == MRL_PARAM_CHOICE &&
        !set_by_user[obs_p]) {
        sweep = "obs";
    }
    if (sweep && strcmp(sweep, "none") == 0) {
        sweep = NULL;
    }
    if (sweep) {
        sp = find_param(api, sweep);
        if (sp < 0 ||
            (api->params[sp].kind != MRL_PARAM_CHOICE && api->params[sp].kind != MRL_PARAM_BOOL)) {
            fprintf(stderr, "metarl bench env: error: --sweep %s: not a choice or bool parameter\n",
                    sweep);
            goto done;
        }
    }
    const char* bool_names[] = {"false", "true", NULL};
    const char* const* values = !sweep ? NULL
                                : api->params[sp].kind == MRL_PARAM_BOOL
                                    ? bool_names
                                    : (const char* const*)api->params[sp].choices;
    int n_runs = 1;
    if (values) {
        for (n_runs = 0; values[n_runs] && n_runs < MAX_SWEEP; n_runs++) {
        }
    }

    char cpu[256];
    mrl_cli_cpu_model(cpu, sizeof cpu);
    mrl_buf_printf(&md, "# metarl bench env %s\n\n", api->name);
    mrl_buf_printf(&md, "Command: `metarl bench env");
    for (int i = 1; i < argc; i++) {
        mrl_buf_printf(&md, " %s", argv[i]);
    }
    mrl_buf_printf(&md, "`  \nMachine: %s, one core (one env instance, one thread)  \n", cpu);
    mrl_buf_printf(&md,
                   "Random actions, resets included, %ld tasks cycled, %.2f s of thread CPU "
                   "time per row (10%% warm-up not counted). steps/s is per CPU-second of "
                   "the stepping thread (time waiting for a core is not counted); the wall "
                   "column shows the wall-clock rate over the same steps.\n\n",
                   n_tasks, seconds);
    mrl_buf_printf(
        &md, "| %s | steps/s | ns/step | wall steps/s | episodes | obs floats | state bytes |\n",
        sweep ? sweep : "config");
    mrl_buf_printf(&md, "|---|---:|---:|---:|---:|---:|---:|\n");
    mrl_buf_printf(&js, "{\"plugin\": ");
    mrl_buf_json_string(&js, api->name);
    mrl_buf_printf(&js, ", \"cpu\": ");
    mrl_buf_json_string(&js, cpu);
    mrl_buf_printf(&js, ", \"seconds_per_row\": ");
    mrl_buf_json_number(&js, seconds);
    mrl_buf_printf(&js, ", \"rows\": [");
    printf("bench env %s on %s\n", api->name, cpu);
    for (int r = 0; r < n_runs; r++) {
        BenchResult res;
        memset(&res, 0, sizeof res);
        if (values) {
            params[sp] = r;
            snprintf(res.label, sizeof res.label, "%s", values[r]);
        } else {
            snprintf(res.label, sizeof res.label, "default");
        }
        int rc = bench_one(&res, api, params, (int)n_tasks, seed, seconds, err);
        if (rc != MRL_OK) {
            fprintf(stderr, "%s\n", err);
            status = rc == MRL_EINVAL ? MRL_EXIT_BAD_INPUT : MRL_EXIT_FAILED;
            goto done;
        }
        double sps = (double)res.steps / res.seconds;
        double wsps = (double)res.steps / res.wall_seconds;
        printf("  %-10s %12.0f steps/s  %8.1f ns/step  (wall %.0f steps/s; %lld steps, %lld "
               "episodes)\n",
               res.label, sps, 1e9 / sps, wsps, (long long)res.steps, (long long)res.episodes);
        fflush(stdout);
        mrl_buf_printf(&md, "| %s | %.0f | %.1f | %.0f | %lld | %d | %llu |\n", res.label, sps,
                       1e9 / sps, wsps, (long long)res.episodes, res.obs_floats,
                       (unsigned long long)res.state_bytes);
        mrl_buf_printf(&js, "%s{\"label\": ", r ? ", " : "");
        mrl_buf_json_string(&js, res.label);
        mrl_buf_printf(&js,
                       ", \"steps\": %lld, \"episodes\": %lld, \"seconds\": ", (long long)res.steps,
                       (long long)res.episodes);
        mrl_buf_json_number(&js, res.seconds);
        mrl_buf_printf(&js, ", \"wall_seconds\": ");
        mrl_buf_json_number(&js, res.wall_seconds);
        mrl_buf_printf(&js, ", \"steps_per_second\": ");
        mrl_buf_json_number(&js, sps);
        mrl_buf_printf(&js, ", \"wall_steps_per_second\": ");
        mrl_buf_json_number(&js, wsps);
        mrl_buf_printf(&js, "}");
    }
    mrl_buf_printf(&js, "]}\n");
    if (md.failed || js.failed) {
        fprintf(stderr, "metarl bench env: error: out of memory\n");
        status = MRL_EXIT_FAILED;
        goto done;
    }

    // results/bench/env_<plugin>.md and .json (or --out X.md and X.json)
    char path_md[MRL_PATH_MAX], path_js[MRL_PATH_MAX + 8];
    if (out) {
        snprintf(path_md, sizeof path_md, "%s", out);
    } else {
        if (mrl_mkdirs("results/bench", err) != MRL_OK) {
            fprintf(stderr, "%s\n", err);
            status = MRL_EXIT_FAILED;
            goto done;
        }
        snprintf(path_md, sizeof path_md, "results/bench/env_%s.md", api->name);
    }
    size_t n = strlen(path_md);
    if (n > 3 && strcmp(path_md + n - 3, ".md") == 0) {
        snprintf(path_js, sizeof path_js, "%.*s.json", (int)(n - 3), path_md);
    } else {
        snprintf(path_js, sizeof path_js, "%s.json", path_md);
    }
    if (mrl_file_write_atomic(path_md, md.data, md.len, err) != MRL_OK ||
        mrl_file_write_atomic(path_js, js.data, js.len, err) != MRL_OK) {
        fprintf(stderr, "%s\n", err);
        status = MRL_EXIT_FAILED;
        goto done;
    }
    printf("wrote %s and %s\n", path_md, path_js);
    status = MRL_EXIT_OK;
done:
    mrl_buf_free(&md);
    mrl_buf_free(&js);
    mrl_plugin_close(&pl);
    return status;
}
