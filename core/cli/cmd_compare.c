// cmd_compare.c — `metarl compare A B`: two eval runs on the same tasks, compared trial
// by trial (metarl/compare.h).
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "args.h"
#include "cli.h"
#include "metarl/compare.h"
#include "metarl/config.h"

const char mrl_compare_usage[] =
    "usage: metarl compare A B [--set NAME] [--json FILE]\n"
    "\n"
    "Compares two meta-tests of the same tasks task by task: B − A per task, with a\n"
    "paired t-test (the differences remove the spread between tasks, which the two\n"
    "means' standard errors carry; with several trials per task, each side's mean over\n"
    "them is one value). A and B are each a directory holding eval/<set>.csv (a run\n"
    "directory, or the --out folder of metarl eval) or one eval CSV. Every set the two\n"
    "have in common is compared; its trials must be the same tasks in both (task, trial\n"
    "and task fingerprint), as two `metarl eval` runs of one config give. Prints, per\n"
    "set, the trial return and per episode index the return, the steps where some\n"
    "episode ends before the horizon (a failure counts as the horizon) and the success\n"
    "rate where episodes terminate: A, B, B − A with its standard error, t, and the\n"
    "p-values of B > A (one-sided) and B ≠ A (two-sided).\n"
    "\n"
    "  --set NAME    only this set\n"
    "  --json FILE   also write the comparison as JSON (format metarl-compare-1)\n"
    "\n"
    "Example (is 8 PPO epochs better than 4 on the tune set?):\n"
    "  metarl compare results/tune_base_g results/tune_e8_g\n"
    "\n"
    "Exit status: 0 done, 1 the JSON could not be written (nothing printed), 2 bad\n"
    "input (nothing written).\n";

#define MAX_SETS 16

typedef struct Side {
    const char* label; // as given
    int file;          // one CSV given, not a directory
    int n;
    char names[MAX_SETS][MRL_NAME_MAX];
    char paths[MAX_SETS][MRL_PATH_MAX];
} Side;

static int by_name(const void* x, const void* y) {
    return strcmp((const char*)x, (const char*)y);
}

// The eval CSVs of `arg`: one file, or DIR/eval/*.csv sorted by set name (only set
// `only` when it is not NULL).
static int list_side(Side* s, const char* arg, const char* only, char* err) {
    s->label = arg;
    s->file = 0;
    s->n = 0;
    struct stat st;
    if (stat(arg, &st) != 0) {
        return mrl_fail(err, MRL_EIO, "%s: error: no such file or directory", arg);
    }
    if (!S_ISDIR(st.st_mode)) {
        const char* base = strrchr(arg, '/');
        base = base ? base + 1 : arg;
        size_t len = strlen(base);
        if (len < 5 || strcmp(base + len - 4, ".csv") != 0 || len - 4 >= MRL_NAME_MAX) {
            return mrl_fail(err, MRL_EINVAL,
                            "%s: error: not an eval CSV (<set>.csv) nor a directory holding eval/",
                            arg);
        }
        snprintf(s->names[0], MRL_NAME_MAX, "%.*s", (int)(len - 4), base);
        snprintf(s->paths[0], MRL_PATH_MAX, "%s", arg);
        s->n = 1;
        s->file = 1;
        return MRL_OK;
    }
    char dir[MRL_PATH_MAX];
    snprintf(dir, sizeof dir, "%s/eval", arg);
    DIR* d = opendir(dir);
    if (!d) {
        return mrl_fail(err, MRL_EIO,
                        "%s: error: no eval/ folder here (give a run directory after metarl "
                        "eval, its --out folder, or an eval CSV)",
                        arg);
    }
    struct dirent* e;
    int n = 0, too_many = 0;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".csv") != 0 || len - 4 >= MRL_NAME_MAX ||
            (only && (strlen(only) != len - 4 || memcmp(only, e->d_name, len - 4) != 0))) {
            continue;
        }
        if (n == MAX_SETS) {
            too_many = 1;
            break;
        }
        memcpy(s->names[n], e->d_name, len - 4);
        s->names[n++][len - 4] = '\0';
    }
    closedir(d);
    if (too_many) {
        return mrl_fail(err, MRL_EINVAL, "%s: error: more than %d sets; compare them with --set",
                        dir, MAX_SETS);
    }
    if (n == 0 && !only) {
        return mrl_fail(err, MRL_EINVAL, "%s: error: no <set>.csv here", dir);
    }
    qsort(s->names, (size_t)n, sizeof s->names[0], by_name);
    for (int i = 0; i < n; i++) {
        int len = snprintf(s->paths[i], MRL_PATH_MAX, "%s/%s.csv", dir, s->names[i]);
        if (len < 0 || len >= MRL_PATH_MAX) {
            return mrl_fail(err, MRL_EINVAL, "%s: error: path too long", dir);
        }
    }
    s->n = n;
    return MRL_OK;
}

static int find(const Side* s, const char* name) {
    for (int i = 0; i < s->n; i++) {
        if (strcmp(s->names[i], name) == 0) {
            return i;
        }
    }
    return -1;
}

int mrl_cmd_compare(int argc, char** argv) {
    const char *only = NULL, *json = NULL;
    MrlOpt opts[] = {{"--set", 1, &only}, {"--json", 1, &json}};
    MrlArgs a;
    if (mrl_args_parse(&a, argc, argv, opts, 2) != 0) {
        return MRL_EXIT_BAD_INPUT;
    }
    if (a.n_pos != 2 || a.n_overrides != 0) {
        fprintf(stderr, "metarl compare: error: expected two eval runs A B (see 'metarl help "
                        "compare')\n");
        return MRL_EXIT_BAD_INPUT;
    }
    char err[MRL_MSG_MAX];
    Side sides[2]; // 35 KiB of paths
    for (int i = 0; i < 2; i++) {
        if (list_side(&sides[i], a.pos[i], only, err) != MRL_OK) {
            fprintf(stderr, "%s\n", err);
            return MRL_EXIT_BAD_INPUT;
        }
    }
    // the sets to compare: those of A that B has too; two CSVs given are one set whatever
    // their names
    int pick[MAX_SETS][2], n = 0;
    int single = sides[0].file && sides[1].file;
    for (int i = 0; i < sides[0].n; i++) {
        int j = single ? 0 : find(&sides[1], sides[0].names[i]);
        if (j < 0 || (only && !single && strcmp(only, sides[0].names[i]) != 0)) {
            continue;
        }
        pick[n][0] = i;
        pick[n][1] = j;
        n++;
    }
    if (n == 0) {
        if (only) {
            fprintf(stderr, "metarl compare: error: set '%s' is not in both %s and %s\n", only,
                    a.pos[0], a.pos[1]);
        } else {
            fprintf(stderr, "metarl compare: error: %s and %s have no set in common\n", a.pos[0],
                    a.pos[1]);
        }
        return MRL_EXIT_BAD_INPUT;
    }
    MrlCompareSet cmp[MAX_SETS];
    int n_done = 0, status = MRL_EXIT_OK;
    for (int s = 0; s < n && status == MRL_EXIT_OK; s++) {
        const Side *A = &sides[0], *B = &sides[1];
        const char *pa = A->paths[pick[s][0]], *pb = B->paths[pick[s][1]];
        MrlEvalSet ea, eb;
        if (mrl_eval_read_csv(&ea, pa, A->names[pick[s][0]], err) != MRL_OK) {
            fprintf(stderr, "%s\n", err);
            status = MRL_EXIT_BAD_INPUT;
            break;
        }
        if (mrl_eval_read_csv(&eb, pb, B->names[pick[s][1]], err) != MRL_OK) {
            fprintf(stderr, "%s\n", err);
            mrl_eval_set_free(&ea);
            status = MRL_EXIT_BAD_INPUT;
            break;
        }
        double* scratch = malloc(2 * (size_t)ea.n_tasks * sizeof *scratch);
        int rc = scratch ? mrl_compare_sets(&cmp[s], &ea, pa, &eb, pb, scratch, err)
                         : mrl_fail(err, MRL_ENOMEM, "metarl compare: error: out of memory");
        free(scratch);
        mrl_eval_set_free(&ea);
        mrl_eval_set_free(&eb);
        if (rc != MRL_OK) {
            fprintf(stderr, "%s\n", err);
            status = MRL_EXIT_BAD_INPUT;
            break;
        }
        n_done++;
    }
    if (status == MRL_EXIT_OK) {
        MrlBuf md = {0};
        mrl_compare_md(&md, cmp, n_done, a.pos[0], a.pos[1]);
        if (json) {
            MrlBuf js = {0};
            mrl_compare_json(&js, cmp, n_done, a.pos[0], a.pos[1]);
            if (js.failed || md.failed) {
                fprintf(stderr, "%s: error: out of memory composing the comparison\n", json);
                status = MRL_EXIT_FAILED;
            } else if (mrl_file_write_atomic(json, js.data, js.len, err) != MRL_OK) {
                fprintf(stderr, "%s\n", err);
                status = MRL_EXIT_FAILED;
            }
            mrl_buf_free(&js);
        }
        if (status == MRL_EXIT_OK && md.failed) {
            fprintf(stderr, "metarl compare: error: out of memory composing the comparison\n");
            status = MRL_EXIT_FAILED;
        }
        if (status == MRL_EXIT_OK) {
            fputs(md.data ? md.data : "", stdout);
            if (json) {
                printf("\nwrote %s\n", json);
            }
        }
        mrl_buf_free(&md);
    }
    for (int s = 0; s < n_done; s++) {
        mrl_compare_set_free(&cmp[s]);
    }
    return status;
}
