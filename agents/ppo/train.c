// train.c — the training run behind `metarl train` (see ppo/train.h): run
// directory, resume, progress line and CSV, checkpoints, learning curves.
// Tests: tests/test_train.c.
#include "ppo/train.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "metarl/util.h"

const char mrl_train_csv_header[] =
    "iteration,steps,trials,seconds,steps_per_s,mean_return,mean_length,policy_loss,value_loss,"
    "entropy,approx_kl,clip_frac,grad_norm,lr,epochs,update_gflops_per_s,ent_coef";

static double wall(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int file_exists(const char* path) {
    struct stat st;
    return stat(path, &st) == 0;
}

// keeps the header and the rows of iterations <= upto from an existing progress.csv
static void keep_rows(MrlBuf* csv, const char* path, int64_t upto, double* seconds) {
    char* text = NULL;
    size_t n = 0;
    char ignore[MRL_MSG_MAX];
    mrl_buf_printf(csv, "%s\n", mrl_train_csv_header);
    if (mrl_file_read(path, &text, &n, ignore) != MRL_OK) {
        return;
    }
    char* line = strchr(text, '\n'); // skip the header
    while (line && line[1]) {
        line++;
        char* end = strchr(line, '\n');
        long long it = atoll(line);
        if (it >= 1 && it <= upto && end) {
            mrl_buf_append(csv, line, (size_t)(end - line + 1));
            const char* c = line;
            for (int k = 0; k < 3 && c; k++) {
                c = strchr(c, ',');
                c = c ? c + 1 : NULL;
            }
            if (c) {
                *seconds = atof(c);
            }
        }
        line = end;
    }
    free(text);
}

static void fmt_eta(char* out, size_t n, double s) {
    if (!(s >= 0.0) || s > 1e8) {
        snprintf(out, n, "?");
    } else if (s >= 3600.0) {
        snprintf(out, n, "%dh%02dm", (int)(s / 3600.0), (int)(s / 60.0) % 60);
    } else {
        snprintf(out, n, "%dm%02ds", (int)(s / 60.0), (int)s % 60);
    }
}

// learning curves with gnuplot, when installed (the data stays in progress.csv)
static void plot_curves(const char* run_dir, FILE* out) {
    if (system("command -v gnuplot >/dev/null 2>&1") != 0) {
        fprintf(out, "note: gnuplot not installed; learning curves are in progress.csv\n");
        return;
    }
    char script[MRL_PATH_MAX + 32], cmd[2 * MRL_PATH_MAX + 64];
    snprintf(script, sizeof script, "%s/curves.gp", run_dir);
    FILE* f = fopen(script, "w");
    if (!f) {
        return;
    }
    fprintf(f,
            "set datafile separator ','\n"
            "set terminal png size 900,600\n"
            "set output '%s/curves.png'\n"
            "set multiplot layout 2,1\n"
            "set xlabel 'agent steps'\n"
            "set ylabel 'mean trial return'\n"
            "set key off\n"
            "plot '%s/progress.csv' using 2:6 every ::1 with lines lw 2\n"
            "set ylabel 'entropy'\n"
            "plot '%s/progress.csv' using 2:10 every ::1 with lines lw 2\n"
            "unset multiplot\n",
            run_dir, run_dir, run_dir);
    fclose(f);
    snprintf(cmd, sizeof cmd, "gnuplot '%s' >/dev/null 2>&1", script);
    if (system(cmd) == 0) {
        fprintf(out, "curves: %s/curves.png\n", run_dir);
    }
    unlink(script);
}

int mrl_train_run(const MrlTrainJob* job, char* err) {
    FILE* out = job->out ? job->out : stdout;
    int tty = job->tty >= 0 ? job->tty : isatty(fileno(out));
    char ckpt_dir[MRL_PATH_MAX + 16], ckpt[MRL_PATH_MAX + 32], csv_path[MRL_PATH_MAX + 16],
        cfg_path[MRL_PATH_MAX + 16];
    snprintf(ckpt_dir, sizeof ckpt_dir, "%s/ckpt", job->run_dir);
    snprintf(ckpt, sizeof ckpt, "%s/ckpt/last.ckpt", job->run_dir);
    snprintf(csv_path, sizeof csv_path, "%s/progress.csv", job->run_dir);
    snprintf(cfg_path, sizeof cfg_path, "%s/config.yaml", job->run_dir);
    int rc = mrl_mkdirs(ckpt_dir, err);
    if (rc != MRL_OK) {
        return rc;
    }
    MrlPpoOptions opt = {0};
    opt.quiet = 1;
    MrlPpo* ppo = mrl_ppo_new(job->run, job->api, job->train_set, job->config_hash, &opt, err);
    if (!ppo) {
        return MRL_EINVAL;
    }
    MrlBuf csv = {0};
    double seconds_before = 0.0;
    int resumed = 0;
    if (!job->fresh && file_exists(ckpt)) {
        rc = mrl_ppo_load(ppo, ckpt, err);
        if (rc != MRL_OK) {
            mrl_ppo_free(ppo);
            return rc;
        }
        resumed = 1;
        keep_rows(&csv, csv_path, mrl_ppo_iteration(ppo), &seconds_before);
    } else {
        mrl_buf_printf(&csv, "%s\n", mrl_train_csv_header);
    }
    if (job->config_text) {
        rc = mrl_file_write_atomic(cfg_path, job->config_text, strlen(job->config_text), err);
        if (rc != MRL_OK) {
            goto done;
        }
    }
    fprintf(out,
            "%s %s: %s, %lld of %lld agent steps done; memory %.1f MiB (estimate), %zu "
            "parameters\n",
            resumed ? "resuming" : "training", job->run_dir, resumed ? ckpt : "fresh start",
            (long long)mrl_ppo_steps(ppo), (long long)job->run->total_steps,
            (double)mrl_ppo_memory(ppo) / 1048576.0, mrl_ppo_net(ppo)->n_params);
    fflush(out);
    double t_start = wall();
    int64_t steps_start = mrl_ppo_steps(ppo), done_here = 0;
    int32_t every = job->run->checkpoint_every > 0 ? job->run->checkpoint_every : 10;
    int saved_last = 1;
    while (!mrl_ppo_done(ppo) && (job->max_iterations <= 0 || done_here < job->max_iterations)) {
        MrlPpoStats st;
        rc = mrl_ppo_iterate(ppo, &st, err);
        if (rc == MRL_PPO_EDIVERGED) { // name the run: a table trains several
            char what[MRL_MSG_MAX];
            snprintf(what, sizeof what, "%s", err);
            mrl_fail(err, rc, "%s: %s", job->run_dir, what);
        }
        if (rc != MRL_OK) {
            goto done;
        }
        done_here++;
        double el = wall() - t_start;
        double sps = el > 0 ? (double)(st.steps - steps_start) / el : 0.0;
        double gflops = st.update_seconds > 0 ? st.update_flops / st.update_seconds * 1e-9 : 0.0;
        mrl_buf_printf(&csv,
                       "%lld,%lld,%lld,%.3f,%.1f,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%d,"
                       "%.3f,%.6g\n",
                       (long long)st.iteration, (long long)st.steps, (long long)st.trials,
                       seconds_before + el, sps, st.mean_return, st.mean_length, st.policy_loss,
                       st.value_loss, st.entropy, st.approx_kl, st.clip_frac, st.grad_norm, st.lr,
                       (int)st.epochs_run, gflops, st.ent_coef);
        if (csv.failed) {
            rc = mrl_fail(err, MRL_ENOMEM, "error: out of memory for progress.csv");
            goto done;
        }
        rc = mrl_file_write_atomic(csv_path, csv.data, csv.len, err);
        if (rc != MRL_OK) {
            goto done;
        }
        saved_last = 0;
        if (st.iteration % every == 0) {
            rc = mrl_ppo_save(ppo, ckpt, err);
            if (rc != MRL_OK) {
                goto done;
            }
            saved_last = 1;
        }
        char eta[32];
        double left = (double)(job->run->total_steps - st.steps);
        fmt_eta(eta, sizeof eta, sps > 0 ? left / sps : -1.0);
        double pct = 100.0 * (double)st.steps / (double)job->run->total_steps;
        fprintf(out,
                "%siter %lld  steps %lld (%.1f%%)  %.0f steps/s  return %.3f  entropy %.3f  "
                "ETA %s%s",
                tty ? "\r\033[K" : "", (long long)st.iteration, (long long)st.steps,
                pct > 100.0 ? 100.0 : pct, sps, st.mean_return, st.entropy, eta, tty ? "" : "\n");
        fflush(out);
    }
    if (!saved_last) {
        rc = mrl_ppo_save(ppo, ckpt, err);
        if (rc != MRL_OK) {
            goto done;
        }
    }
    if (tty) {
        fprintf(out, "\n");
    }
    fprintf(out,
            "done: %lld iterations, %lld agent steps in %.1f s this run; checkpoint %s; peak "
            "memory %.1f MiB (measured)\n",
            (long long)mrl_ppo_iteration(ppo), (long long)mrl_ppo_steps(ppo), wall() - t_start,
            ckpt, mrl_peak_rss_mib());
    if (job->plot) {
        plot_curves(job->run_dir, out);
    }
    rc = MRL_OK;
done:
    mrl_buf_free(&csv);
    mrl_ppo_free(ppo);
    return rc;
}
