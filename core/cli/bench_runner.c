// bench_runner.c — `metarl bench runner`: steps/s of the trial runner driven by
// the random agent, for every plugin on the search path (or the ones named),
// beside a reference measured in the same run: the plugin's own step loop with
// no runner around it. The ratio runner/reference is what to compare across
// machines; the absolute figures depend on the machine and its load.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "cli.h"
#include "metarl/eval.h"
#include "metarl/host.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

// the plugin's bare step loop: one instance, random actions, resets on episode end
static double reference_sps(const MrlEnvApi* api, const MrlTaskSet* set, double seconds) {
    void* state = calloc(1, (size_t)set->info.state_bytes);
    float* obs = calloc((size_t)mrl_space_floats(&set->info.obs), sizeof(float));
    float act[64];
    char err[MRL_ERR_MAX];
    if (!state || !obs || mrl_space_floats(&set->info.action) > 64 ||
        api->init(state, set->base_params, err) != MRL_OK) {
        free(state);
        free(obs);
        return 0.0;
    }
    MrlRng rng, arng;
    mrl_rng_seed(&rng, 1, 1);
    mrl_rng_seed(&arng, 2, 2);
    int64_t steps = 0, task = 0;
    double t0 = now_s(), t1 = t0;
    api->reset(state, obs, set->tasks, &rng, err);
    while (t1 - t0 < seconds) {
        for (int i = 0; i < 4096; i++) {
            mrl_agent_random_action(act, &set->info.action, &arng);
            float r;
            int32_t term, trunc;
            api->step(state, obs, &r, &term, &trunc, act, &rng, err);
            steps++;
            if (term || trunc) {
                task = (task + 1) % set->count;
                api->reset(state, obs, set->tasks + (size_t)task * mrl_taskset_stride(set), &rng, err);
            }
        }
        t1 = now_s();
    }
    if (api->release) {
        api->release(state);
    }
    free(state);
    free(obs);
    return (double)steps / (t1 - t0);
}

static int bench_plugin(const char* target, FILE* out, double seconds) {
    MrlPlugin pl;
    char err[MRL_MSG_MAX];
    if (mrl_plugin_open(&pl, target, NULL, err) != MRL_OK) {
        fprintf(stderr, "%s\n", err);
        return MRL_EXIT_BAD_INPUT;
    }
    MrlSetSpec spec;
    memset(&spec, 0, sizeof spec);
    snprintf(spec.name, sizeof spec.name, "bench");
    spec.kind = MRL_SET_TEST;
    spec.count = 256;
    spec.seed = 1;
    spec.n_params = pl.api.n_params;
    for (int32_t i = 0; i < pl.api.n_params; i++) {
        spec.params[i].a = pl.api.params[i].def;
    }
    MrlTaskSet set;
    if (mrl_taskset_init(&set, &spec, &pl.api, NULL, 0, err) != MRL_OK) {
        fprintf(stderr, "%s\n", err);
        mrl_plugin_close(&pl);
        return MRL_EXIT_FAILED;
    }
    double ref = reference_sps(&pl.api, &set, seconds);
    // the runner: 64 slots, trials of 4 episodes, repeated until `seconds` pass
    MrlAgent* agent = mrl_agent_new("random", NULL, err);
    for (int threads = 1; threads <= 2; threads++) {
        int64_t steps = 0;
        double t0 = now_s(), t1 = t0;
        while (t1 - t0 < seconds) {
            MrlEvalSet ev;
            if (mrl_eval_set(&ev, &set, agent, 4, 1, 64, threads, 1, err) != MRL_OK) {
                fprintf(stderr, "%s\n", err);
                break;
            }
            for (int64_t i = 0; i < ev.n_trials * ev.episodes; i++) {
                steps += ev.rows[i].length;
            }
            mrl_eval_set_free(&ev);
            t1 = now_s();
        }
        double sps = (double)steps / (t1 - t0);
        fprintf(out, "%-14s threads %d  runner %12.0f steps/s  reference %12.0f steps/s  ratio %.3f\n",
                pl.api.name, threads, sps, ref, ref > 0 ? sps / ref : 0.0);
        fflush(out);
    }
    agent->free(agent);
    mrl_taskset_release(&set);
    mrl_plugin_close(&pl);
    return MRL_EXIT_OK;
}

typedef struct ListCtx {
    FILE* out;
    double seconds;
    int status;
} ListCtx;

static void bench_each(const char* path, void* ctx) {
    ListCtx* c = ctx;
    int rc = bench_plugin(path, c->out, c->seconds);
    if (rc != MRL_EXIT_OK) {
        c->status = rc;
    }
}

int mrl_bench_runner(int argc, char** argv) {
    const char *out_path = NULL, *secs = NULL;
    MrlOpt opts[] = {{"--out", 1, &out_path}, {"--seconds", 1, &secs}};
    MrlArgs a;
    if (mrl_args_parse(&a, argc, argv, opts, 2) != 0) {
        return MRL_EXIT_BAD_INPUT;
    }
    double seconds = secs ? atof(secs) : 1.0;
    if (!(seconds > 0 && seconds < 3600)) {
        fprintf(stderr, "metarl bench runner: error: --seconds must be in (0, 3600)\n");
        return MRL_EXIT_BAD_INPUT;
    }
    MrlBuf text = {0};
    FILE* mem = open_memstream(&text.data, &text.len);
    if (!mem) {
        return MRL_EXIT_FAILED;
    }
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    time_t t = time(NULL);
    char when[64];
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", gmtime(&t));
    char cpu[256];
    mrl_cli_cpu_model(cpu, sizeof cpu);
    fprintf(mem, "# metarl bench runner (%s, %s, %ld cores online; %.1f s per figure)\n", when,
            cpu, sysconf(_SC_NPROCESSORS_ONLN), seconds);
    fprintf(mem, "# runner: random agent, 64 slots, 4-episode trials; reference: the plugin's "
                 "bare step loop on one thread\n");
    ListCtx ctx = {mem, seconds, MRL_EXIT_OK};
    if (a.n_pos == 0) {
        mrl_plugin_list(bench_each, &ctx);
    }
    for (int i = 0; i < a.n_pos; i++) {
        bench_each(a.pos[i], &ctx);
    }
    fclose(mem);
    fputs(text.data ? text.data : "", stdout);
    if (out_path) {
        char err[MRL_MSG_MAX], dir[MRL_PATH_MAX];
        snprintf(dir, sizeof dir, "%s", out_path);
        char* slash = strrchr(dir, '/');
        if (slash) {
            *slash = '\0';
        }
        if ((slash && mrl_mkdirs(dir, err) != MRL_OK) ||
            mrl_file_write_atomic(out_path, text.data, text.len, err) != MRL_OK) {
            fprintf(stderr, "%s\n", err);
            ctx.status = MRL_EXIT_FAILED;
        } else {
            printf("wrote %s\n", out_path);
        }
    }
    free(text.data);
    return ctx.status;
}
