// cmd_reptable.c — `metarl table TABLE.yaml`: a reproduction table. Every row
// is an agent evaluated on the same held-out task sets (those of the table's
// base config); a row may first need training (an RL² run, trained or resumed
// into its own run directory). Writes into <out>/<table name>/:
//   table.md     per set: one line per row, then the reference (paper) rows.
//                `columns: episode` (default): the chosen metric per episode,
//                success, trial return, %improved, ep2/ep1 and agent/random
//                ratios; `columns: trial`: trial return ± se only (for tasks
//                whose single episodes mean little, such as bandit pulls).
//                Both: the ratio to the `normalise` row's trial return, and
//                the significance marks (bold trial return: the set's best
//                row and every row not significantly worse by a one-sided
//                Welch t-test on the trial returns at p = 0.05; the
//                normalising row and reference rows are not compared);
//                last, "Row settings": a row's `with:` overrides, or for a
//                trained row its network, steps, PPO settings, seed and run
//                directory
//   table.csv    one line per row, set and episode index
//   table.json   {"marks": {label, alpha, normalise, left_out (rows left out
//                by --no-train), sets: {<set>: {best,
//                rows: [{name, mean, se, n, bold, p, ratio, paper}],
//                reference: [...]}}}, "rows": {"<row name>": <summary.json>}}
//   rows/<slug>/ each row's eval/<set>.csv and summary.json
// `metarl table --summary DIR...` collects the marks of several such tables
// (one per setting) into one grid, a line per setting (reptable_grid.c).
//
// The table file (paths relative to the file's own directory):
//   title: "..."
//   config: maze_snail.yaml          # base config: task sets, trial, eval
//   metric: length_success           # length_success | length | return | success
//   label: "k=5, n=10"               # the setting's name in a --summary grid
//   columns: trial                   # episode (default) | trial
//   normalise: "Oracle"              # a row: add trial return / its trial return
//   rows:
//     - {name: Random, agent: random}
//     - {name: UCB1, agent: ucb1, with: [agent.ucb_c=0.2]}   # extra overrides
//     - {name: RL² GRU, train: snail_maze_gru.yaml}          # trained, then evaluated
//     - {name: RL² GRU argmax, train: snail_maze_gru.yaml, agent: rl2_greedy}
//                                      # the same run, acting on its most likely action
//   reference:
//     note: "..."
//     rows:
//       - {name: "RL² (paper)", set: test, episodes: ["52.4 ± 1.3", "39.1 ± 0.9"]}
//       - {name: "RL² (paper)", row: "RL²", trial_return: "6.7"}   # set defaults to test
//     (`row:` names the row the paper value belongs to: shown in that row's
//     "paper" cell in the trial layout and in the --summary grid; a row the
//     table does not run is allowed, its value then shows as a reference row)
//   episodes: 2                      # episode columns shown (default: all)
// Tests: tests/cli/table.sh.
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../src/config_internal.h"
#include "args.h"
#include "cli.h"
#include "metarl/eval.h"
#include "metarl/run.h"
#include "rl2/rl2_agent.h"

int mrl_cli_train(const MrlRun* r, int fresh, char* err); // cmd_train.c
int mrl_cli_table_grid(MrlBuf* out, const char* const* dirs, int n_dirs, const char* title,
                       const char* set, char* err); // reptable_grid.c

const char mrl_reptable_usage[] =
    "usage: metarl table TABLE.yaml [--out DIR] [--no-train] [--jobs N] [key=value ...]\n"
    "       metarl table --summary [--title TEXT] [--set NAME] [--out FILE] DIR...\n"
    "\n"
    "Runs every row of a reproduction table on the same held-out tasks (those of\n"
    "the table's base config): rows with `agent:` are evaluated directly, rows\n"
    "with `train:` are first trained (or resumed, or reused when finished) into\n"
    "their own run directory. Writes table.md (also printed), table.csv,\n"
    "table.json and rows/<row>/ into DIR (default <out>/<table file stem>).\n"
    "Overrides apply to the base config and to every training config.\n"
    "--no-train leaves out the rows with `train:` (baselines only).\n"
    "--jobs N trains up to N rows at once, one process each (log: <run dir>/train.log),\n"
    "before evaluating; the results are the same bits as with --jobs 1.\n"
    "\n"
    "--summary reads DIR/table.json of several tables (one setting each) and\n"
    "prints one Markdown grid: a line per setting, a column per row, the trial\n"
    "return with its significance mark, ratio and paper value (also written to\n"
    "FILE with --out). --set picks the held-out set (default: the first).\n"
    "\n"
    "Exit status: 0 done, 1 a row failed, 2 bad input.\n";

#define MAX_ROWS 32
#define MAX_WITH 8
#define MAX_REF 16

typedef struct Row {
    char name[128];
    char agent[MRL_NAME_MAX];      // agent kind, or "" for a train row
    char train[MRL_PATH_MAX];      // training config path (resolved), or ""
    int n_with;
    const char* with[MAX_WITH];
    MrlEvalSet sets[MRL_MAX_TEST_SETS];
    int n_sets;
    char settings[1024];           // agent settings shown in the table
    char where[MRL_PATH_MAX + 32]; // "table.yaml:line:col" of the row, for messages
    // per set, from compute_marks
    MrlStat trial[MRL_MAX_TEST_SETS];  // trial return
    double p[MRL_MAX_TEST_SETS];       // one-sided Welch p of "worse than the best row"
    double ratio[MRL_MAX_TEST_SETS];   // trial return / the normaliser's (NaN: none)
    int bold[MRL_MAX_TEST_SETS];       // best, or not significantly worse
    int compared;                      // 0 for the normalising row
} Row;

typedef struct RefRow {
    const MrlNode* node;           // {name: ..., <set>: [values...]}
    char name[128];
    char row[128];                 // the row it gives the paper value of, or ""
} RefRow;

typedef struct Table {
    char path[MRL_PATH_MAX];
    char title[256];
    char config[MRL_PATH_MAX];
    char metric[32];
    char note[512];
    char label[128];               // the setting's name in a --summary grid ("" none)
    char normalise[128];           // row whose trial return divides the others ("" none)
    int trial_layout;              // columns: trial
    int best[MRL_MAX_TEST_SETS];   // per set: the compared row with the largest trial return
    int episodes;                  // episode columns shown (0: all)
    int n_rows;
    Row rows[MAX_ROWS];
    int n_ref;
    RefRow ref[MAX_REF];
    int n_left_out;                // train rows left out by --no-train
    char left_out[MAX_ROWS][128];
    MrlNode* root;
} Table;

static const char* const metrics[] = {"length_success", "length", "return", "success", NULL};

static const double mark_alpha = 0.05; // significance level of the marks

static int where_fail(const Table* t, const MrlNode* n, char* err, const char* fmt, const char* a) {
    char msg[512];
    snprintf(msg, sizeof msg, fmt, a);
    return mrl_fail(err, MRL_EINVAL, "%s:%d:%d: error: %s", t->path, n ? n->line : 1,
                    n ? n->col : 1, msg);
}

static int scalar(const Table* t, const MrlNode* n, const char* what, char* out, size_t size,
                  char* err) {
    if (!n || n->kind != MRL_NODE_SCALAR || !n->value) {
        return where_fail(t, n, err, "'%s' must be a scalar", what);
    }
    if (strlen(n->value) >= size) {
        return where_fail(t, n, err, "'%s' is too long", what);
    }
    snprintf(out, size, "%s", n->value);
    return MRL_OK;
}

// a path in the table file is relative to the file's directory
static void resolve(const Table* t, const char* rel, char* out, size_t size) {
    const char* slash = strrchr(t->path, '/');
    if (rel[0] == '/' || !slash) {
        snprintf(out, size, "%s", rel);
    } else {
        snprintf(out, size, "%.*s/%s", (int)(slash - t->path), t->path, rel);
    }
}

static int unknown_key(const Table* t, const MrlNode* c, const char* const* allowed, char* err) {
    int n = 0;
    while (allowed[n]) {
        n++;
    }
    const char* hint = mrl_did_you_mean(c->key, allowed, n);
    char msg[256];
    if (hint) {
        snprintf(msg, sizeof msg, "unknown key '%s' (did you mean '%s'?)", c->key, hint);
    } else {
        snprintf(msg, sizeof msg, "unknown key '%s'", c->key);
    }
    return mrl_fail(err, MRL_EINVAL, "%s:%d:%d: error: %s", t->path, c->key_line, c->key_col, msg);
}

static int parse_row(Table* t, Row* row, const MrlNode* n, char* err) {
    static const char* const keys[] = {"name", "agent", "train", "with", NULL};
    char where[sizeof row->where];
    snprintf(where, sizeof where, "%.1000s:%d:%d", t->path, n->line, n->col);
    memcpy(row->where, where, sizeof where);
    if (n->kind != MRL_NODE_MAP) {
        return where_fail(t, n, err, "%s", "a row must be a map {name: ..., agent: ...}");
    }
    for (const MrlNode* c = n->child; c; c = c->next) {
        int rc = MRL_OK;
        if (strcmp(c->key, "name") == 0) {
            rc = scalar(t, c, "name", row->name, sizeof row->name, err);
        } else if (strcmp(c->key, "agent") == 0) {
            rc = scalar(t, c, "agent", row->agent, sizeof row->agent, err);
        } else if (strcmp(c->key, "train") == 0) {
            char rel[MRL_PATH_MAX];
            rc = scalar(t, c, "train", rel, sizeof rel, err);
            if (rc == MRL_OK) {
                resolve(t, rel, row->train, sizeof row->train);
            }
        } else if (strcmp(c->key, "with") == 0) {
            if (c->kind != MRL_NODE_SEQ) {
                return where_fail(t, c, err, "%s", "'with' must be a list of key=value overrides");
            }
            for (const MrlNode* w = c->child; w; w = w->next) {
                if (w->kind != MRL_NODE_SCALAR || !strchr(w->value, '=') ||
                    row->n_with >= MAX_WITH) {
                    return where_fail(t, w, err, "%s", "expected key=value (at most 8)");
                }
                row->with[row->n_with++] = w->value;
            }
        } else {
            return unknown_key(t, c, keys, err);
        }
        if (rc != MRL_OK) {
            return rc;
        }
    }
    if (!row->name[0] || (!row->agent[0] && !row->train[0])) {
        return where_fail(t, n, err, "%s", "a row needs a name and an agent or a train config");
    }
    if (row->train[0] && row->agent[0] && strcmp(row->agent, "rl2") != 0 &&
        strcmp(row->agent, "rl2_greedy") != 0) {
        return where_fail(t, n, err, "%s",
                          "a trained row's agent is rl2 (sampled actions, the default) or "
                          "rl2_greedy (the most likely action)");
    }
    return MRL_OK;
}

static int find_row(const Table* t, const char* name) {
    for (int i = 0; i < t->n_rows; i++) {
        if (strcmp(t->rows[i].name, name) == 0) {
            return i;
        }
    }
    return -1;
}

// a reference row {name, row, set, episodes: [...], trial_return}
static int parse_ref(Table* t, RefRow* ref, const MrlNode* x, char* err) {
    static const char* const keys[] = {"name", "row", "set", "episodes", "trial_return", NULL};
    if (x->kind != MRL_NODE_MAP || !mrl_node_get(x, "name")) {
        return where_fail(t, x, err, "%s", "a reference row needs a name");
    }
    ref->node = x;
    for (const MrlNode* c = x->child; c; c = c->next) {
        int rc = MRL_OK;
        if (strcmp(c->key, "name") == 0) {
            rc = scalar(t, c, "name", ref->name, sizeof ref->name, err);
        } else if (strcmp(c->key, "row") == 0) {
            rc = scalar(t, c, "row", ref->row, sizeof ref->row, err);
        } else if (strcmp(c->key, "episodes") == 0) {
            if (c->kind != MRL_NODE_SEQ) {
                rc = where_fail(t, c, err, "%s", "'episodes' must be a list of values");
            }
        } else if (strcmp(c->key, "set") == 0 || strcmp(c->key, "trial_return") == 0) {
            char v[128];
            rc = scalar(t, c, c->key, v, sizeof v, err);
        } else {
            rc = unknown_key(t, c, keys, err);
        }
        if (rc != MRL_OK) {
            return rc;
        }
    }
    return MRL_OK;
}

static int parse_table(Table* t, const char* path, char* err) {
    memset(t, 0, sizeof *t);
    snprintf(t->path, sizeof t->path, "%s", path);
    snprintf(t->metric, sizeof t->metric, "return");
    char* text;
    size_t n;
    int rc = mrl_file_read(path, &text, &n, err);
    if (rc != MRL_OK) {
        return rc;
    }
    MrlYamlSrc src = {path, NULL, 0};
    rc = mrl_yaml_parse(&t->root, &src, text, n, NULL, err);
    free(text);
    if (rc != MRL_OK) {
        return rc;
    }
    if (!t->root || t->root->kind != MRL_NODE_MAP) {
        return where_fail(t, t->root, err, "%s", "a table file is a map (title, config, rows, ...)");
    }
    static const char* const keys[] = {"title", "config", "metric", "label", "columns",
                                       "normalise", "episodes", "rows", "reference", NULL};
    const MrlNode* rows = NULL;
    const MrlNode* norm = NULL;
    for (const MrlNode* c = t->root->child; c; c = c->next) {
        if (strcmp(c->key, "title") == 0) {
            rc = scalar(t, c, "title", t->title, sizeof t->title, err);
        } else if (strcmp(c->key, "config") == 0) {
            char rel[MRL_PATH_MAX];
            rc = scalar(t, c, "config", rel, sizeof rel, err);
            resolve(t, rel, t->config, sizeof t->config);
        } else if (strcmp(c->key, "metric") == 0) {
            rc = scalar(t, c, "metric", t->metric, sizeof t->metric, err);
            int ok = 0;
            for (int i = 0; metrics[i]; i++) {
                ok |= strcmp(metrics[i], t->metric) == 0;
            }
            if (rc == MRL_OK && !ok) {
                rc = where_fail(t, c, err, "metric '%s' is not one of length_success, length, "
                                "return, success", t->metric);
            }
        } else if (strcmp(c->key, "label") == 0) {
            rc = scalar(t, c, "label", t->label, sizeof t->label, err);
        } else if (strcmp(c->key, "columns") == 0) {
            char v[16] = "";
            rc = scalar(t, c, "columns", v, sizeof v, err);
            if (rc == MRL_OK && strcmp(v, "trial") != 0 && strcmp(v, "episode") != 0) {
                rc = where_fail(t, c, err, "columns '%s' is not one of episode, trial", v);
            }
            t->trial_layout = strcmp(v, "trial") == 0;
        } else if (strcmp(c->key, "normalise") == 0) {
            rc = scalar(t, c, "normalise", t->normalise, sizeof t->normalise, err);
            norm = c;
        } else if (strcmp(c->key, "episodes") == 0) {
            int64_t v = 0;
            if (c->kind != MRL_NODE_SCALAR || mrl_cfg_parse_int(c->value, &v) != 0 || v < 1 ||
                v > 1000) {
                return where_fail(t, c, err, "%s", "'episodes' must be an integer in [1, 1000]");
            }
            t->episodes = (int)v;
        } else if (strcmp(c->key, "rows") == 0) {
            rows = c;
        } else if (strcmp(c->key, "reference") == 0) {
            for (const MrlNode* r = c->child; r && rc == MRL_OK; r = r->next) {
                if (r->key && strcmp(r->key, "note") == 0) {
                    rc = scalar(t, r, "note", t->note, sizeof t->note, err);
                } else if (r->key && strcmp(r->key, "rows") == 0 && r->kind == MRL_NODE_SEQ) {
                    for (const MrlNode* x = r->child; x && t->n_ref < MAX_REF; x = x->next) {
                        rc = parse_ref(t, &t->ref[t->n_ref], x, err);
                        if (rc != MRL_OK) {
                            return rc;
                        }
                        t->n_ref++;
                    }
                } else {
                    static const char* const rkeys[] = {"note", "rows", NULL};
                    return unknown_key(t, r, rkeys, err);
                }
            }
        } else {
            return unknown_key(t, c, keys, err);
        }
        if (rc != MRL_OK) {
            return rc;
        }
    }
    if (!t->config[0]) {
        return where_fail(t, t->root, err, "%s", "missing key 'config' (the base config)");
    }
    if (!rows || rows->kind != MRL_NODE_SEQ || !rows->child) {
        return where_fail(t, rows ? rows : t->root, err, "%s", "'rows' must be a non-empty list");
    }
    for (const MrlNode* r = rows->child; r; r = r->next) {
        if (t->n_rows >= MAX_ROWS) {
            return where_fail(t, r, err, "%s", "more than 32 rows");
        }
        rc = parse_row(t, &t->rows[t->n_rows], r, err);
        if (rc != MRL_OK) {
            return rc;
        }
        for (int i = 0; i < t->n_rows; i++) {
            if (strcmp(t->rows[i].name, t->rows[t->n_rows].name) == 0) {
                return where_fail(t, r, err, "duplicate row name '%s'", t->rows[i].name);
            }
        }
        t->n_rows++;
    }
    if (!t->title[0]) {
        snprintf(t->title, sizeof t->title, "%s", path);
    }
    // a reference row's `row:` may name a row this table does not run (a grid column)
    if (norm && find_row(t, t->normalise) < 0) {
        return where_fail(t, norm, err, "normalise: no row is named '%s'", t->normalise);
    }
    return MRL_OK;
}

static void slug(char* out, size_t size, const char* name) {
    size_t k = 0;
    for (const unsigned char* p = (const unsigned char*)name; *p && k + 1 < size; p++) {
        if (isalnum(*p)) {
            out[k++] = (char)tolower(*p);
        } else if (k > 0 && out[k - 1] != '_') {
            out[k++] = '_';
        }
    }
    while (k > 0 && out[k - 1] == '_') {
        k--;
    }
    out[k] = '\0';
}

// ---- running the rows ----

typedef struct Overrides {
    int n;
    const char* v[MRL_ARGS_MAX + MAX_WITH + 1];
    char kind[MRL_NAME_MAX + 16];
} Overrides;

static int cmp_u64(const void* a, const void* b) {
    uint64_t x = *(const uint64_t*)a, y = *(const uint64_t*)b;
    return x < y ? -1 : (x > y);
}

// NULL when row run `a` meta-tests the same trials as the table's base run `b`: the
// same tasks, and trials of the same shape (episodes, trials per task, horizon), which
// the rows' statistics are compared on and the table's columns laid out by; else what
// differs
static const char* same_sets(const MrlRun* a, const MrlRun* b) {
    if (a->n_tests != b->n_tests) {
        return "the held-out sets";
    }
    for (int i = 0; i < a->n_tests; i++) {
        const MrlTaskSet *x = &a->tests[i], *y = &b->tests[i];
        if (x->count != y->count ||
            memcmp(x->fingerprints, y->fingerprints, (size_t)x->count * sizeof(uint64_t)) != 0) {
            return "the held-out tasks";
        }
        if (x->spec->episodes != y->spec->episodes) {
            return "the episodes per trial";
        }
        if (x->spec->trials_per_task != y->spec->trials_per_task) {
            return "the trials per task";
        }
        if (x->info.max_episode_steps != y->info.max_episode_steps) {
            return "the episode horizon";
        }
    }
    return NULL;
}

static int eval_row(Row* row, const MrlRun* base, MrlAgent* agent, char* err) {
    const MrlRunConfig* rc_ = &base->cfg->run;
    for (int i = 0; i < base->n_tests; i++) {
        const MrlSetSpec* spec = base->tests[i].spec;
        int rc = mrl_eval_set(&row->sets[i], &base->tests[i], agent, spec->episodes,
                              spec->trials_per_task, rc_->eval_slots, rc_->threads, rc_->seed, err);
        if (rc != MRL_OK) {
            return rc;
        }
        row->n_sets = i + 1;
    }
    return MRL_OK;
}

// the command line's overrides, then the row's own
static void row_overrides(Overrides* o, const Row* row, const MrlArgs* a) {
    memset(o, 0, sizeof *o);
    for (int i = 0; i < a->n_overrides; i++) {
        o->v[o->n++] = a->overrides[i];
    }
    for (int i = 0; i < row->n_with; i++) {
        o->v[o->n++] = row->with[i];
    }
}

// the settings text of a row trained by the table: the network of its training run `tr`,
// each optional part named, and the training length
static void trained_row_settings(char* out, size_t size, const MrlRunConfig* tr, int greedy,
                                 const char* dir) {
    MrlBuf b = {0};
    mrl_buf_printf(&b, "%s %d", tr->cell, (int)tr->hidden);
    if (tr->time_input) {
        mrl_buf_printf(&b, " with the trial clock");
    }
    if (tr->prev_obs) {
        mrl_buf_printf(&b, ", the previous observation as input");
    }
    if (tr->input_mlp > 0) {
        mrl_buf_printf(&b, ", a %d-unit input layer", (int)tr->input_mlp);
    }
    if (tr->layer_norm) {
        mrl_buf_printf(&b, ", layer norm");
    }
    if (tr->head_mlp > 0) {
        mrl_buf_printf(&b, ", a %d-unit head layer%s", (int)tr->head_mlp,
                       tr->head_skip ? " also reading the step input" : "");
    }
    if (tr->separate_value) {
        mrl_buf_printf(&b, ", a value network of its own%s",
                       tr->critic_oracle ? " that also reads the oracle" : "");
    }
    // the PPO settings that shape the result, so a table names how its rows were trained
    mrl_buf_printf(&b,
                   ", %lld steps of PPO (%d trials per iteration, %d minibatches, %d epochs, "
                   "clip %g, γ %g, λ %g, entropy %g%s, lr %g%s), seed %llu%s (run %.300s)",
                   (long long)tr->total_steps, (int)tr->batch_trials, (int)tr->minibatches,
                   (int)tr->epochs, tr->clip, tr->gamma, tr->lambda, tr->ent_coef,
                   strcmp(tr->ent_schedule, "linear") == 0 ? " decayed to 0" : "", tr->lr,
                   strcmp(tr->lr_schedule, "linear") == 0 ? " decayed to 0" : "",
                   (unsigned long long)tr->seed, greedy ? ", most likely action" : "", dir);
    snprintf(out, size, "%s", b.failed || !b.data ? "" : b.data);
    mrl_buf_free(&b);
}

// runs one row; bad input gives MRL_EINVAL, a failed run another code
static int run_row(Row* row, const MrlRun* base, const MrlArgs* a, int dry, char* err) {
    Overrides o;
    row_overrides(&o, row, a);
    MrlRun r;
    int rc;
    if (!row->train[0]) {
        snprintf(o.kind, sizeof o.kind, "agent.kind=%s", row->agent);
        o.v[o.n++] = o.kind;
        rc = mrl_run_open(&r, base->cfg->path, o.v, o.n, err);
        if (rc != MRL_OK) {
            return MRL_EINVAL;
        }
        const char* differs = same_sets(&r, base);
        if (differs) {
            mrl_run_close(&r);
            return mrl_fail(err, MRL_EINVAL,
                            "%s: error: row '%s': its overrides change %s (every row meta-tests "
                            "the same trials)",
                            row->where, row->name, differs);
        }
        char aerr[MRL_MSG_MAX];
        MrlAgent* agent = mrl_agent_new(row->agent, &r.cfg->run, aerr);
        if (!agent) {
            mrl_run_close(&r);
            const char* what = strncmp(aerr, "error: ", 7) == 0 ? aerr + 7 : aerr;
            return mrl_fail(err, MRL_EINVAL, "%s: error: row '%s': %s", row->where, row->name, what);
        }
        // the row's own sets: the same tasks (same_sets above), built with the row's
        // overrides, so env settings such as the maze's oracle tables take effect
        rc = dry ? MRL_OK : eval_row(row, &r, agent, err);
        agent->free(agent);
    } else {
        rc = mrl_run_open(&r, row->train, o.v, o.n, err);
        if (rc != MRL_OK) {
            return MRL_EINVAL;
        }
        // the trained agent must never have seen the table's held-out tasks
        for (int i = 0; i < base->n_tests && rc == MRL_OK; i++) {
            rc = mrl_taskset_check_disjoint(&r.train, &base->tests[i], err);
        }
        if (rc == MRL_OK && r.train.count == 0 && base->n_exclude > 0) {
            // a stream: disjoint if it excluded every table task
            for (int i = 0; i < base->n_tests && rc == MRL_OK; i++) {
                for (int64_t k = 0; k < base->tests[i].count && rc == MRL_OK; k++) {
                    uint64_t fp = base->tests[i].fingerprints[k];
                    if (!bsearch(&fp, r.exclude, (size_t)r.n_exclude, sizeof fp, cmp_u64)) {
                        rc = mrl_fail(err, MRL_EINVAL,
                                      "error: row '%s': the training stream of %s does not exclude "
                                      "task %lld of the table's set '%s' (give the training config "
                                      "the table's held-out sets)",
                                      row->name, row->train, (long long)k, base->tests[i].spec->name);
                    }
                }
            }
        }
        if (rc != MRL_OK || dry) {
            mrl_run_close(&r);
            return rc == MRL_OK ? MRL_OK : MRL_EINVAL;
        }
        rc = mrl_cli_train(&r, 0, err);
        if (rc == MRL_OK) {
            char dir[MRL_PATH_MAX];
            mrl_run_dir(&r, NULL, dir, sizeof dir);
            int greedy = strcmp(row->agent, "rl2_greedy") == 0;
            MrlAgent* agent = mrl_rl2_agent_load(dir, &r.cfg->run, greedy, err);
            if (!agent) {
                rc = MRL_EFORMAT;
            } else {
                rc = eval_row(row, base, agent, err);
                agent->free(agent);
            }
            trained_row_settings(row->settings, sizeof row->settings, &r.cfg->run, greedy, dir);
        }
    }
    if (!row->train[0] && row->n_with > 0) {
        size_t k = 0;
        for (int i = 0; i < row->n_with && k + 2 < sizeof row->settings; i++) {
            k += (size_t)snprintf(row->settings + k, sizeof row->settings - k, "%s%s",
                                  i ? ", " : "", row->with[i]);
        }
    }
    mrl_run_close(&r);
    return rc;
}

// --jobs N: trains the rows' runs in up to N child processes at once, before any row is
// evaluated (each run is a separate process with its own threads; the bits of a run depend
// on its config alone, never on what runs beside it). Each child writes its output to
// <run dir>/train.log. Rows sharing one run directory train once. The evaluation loop
// then finds the runs finished and reuses them.
static int train_parallel(const Table* t, const MrlArgs* a, int jobs, char* err) {
    if (jobs < 2) {
        return MRL_OK;
    }
    // one job per run directory: rows whose configs share a run directory (the same config,
    // or overrides that do not rename it) must not train at once; the evaluation loop trains
    // or refuses the others as without --jobs. Each run is opened once, here.
    MrlRun* runs = calloc(MAX_ROWS, sizeof *runs);
    if (!runs) {
        return mrl_fail(err, MRL_ENOMEM, "error: out of memory for the table's runs");
    }
    char dirs[MAX_ROWS][MRL_PATH_MAX];
    int todo[MAX_ROWS], n = 0, rc = MRL_OK;
    for (int r = 0; r < t->n_rows && rc == MRL_OK; r++) {
        if (!t->rows[r].train[0]) {
            continue;
        }
        Overrides o;
        row_overrides(&o, &t->rows[r], a);
        rc = mrl_run_open(&runs[n], t->rows[r].train, o.v, o.n, err);
        if (rc != MRL_OK) {
            break; // checked before: not expected
        }
        mrl_run_dir(&runs[n], NULL, dirs[n], sizeof dirs[n]);
        int dup = 0;
        for (int k = 0; k < n && !dup; k++) {
            dup = strcmp(dirs[k], dirs[n]) == 0;
        }
        if (dup) {
            mrl_run_close(&runs[n]);
        } else {
            todo[n++] = r;
        }
    }
    pid_t pid[MAX_ROWS];
    char logs[MAX_ROWS][MRL_PATH_MAX + 16];
    int running = 0, next = 0, failed = -1, no_fork = -1;
    time_t t0 = time(NULL);
    while (rc == MRL_OK && n >= 2 && (next < n || running > 0)) {
        if (next < n && running < jobs && failed < 0 && no_fork < 0) {
            const Row* row = &t->rows[todo[next]];
            snprintf(logs[next], sizeof logs[next], "%s/train.log", dirs[next]);
            rc = mrl_mkdirs(dirs[next], err);
            if (rc != MRL_OK) {
                break;
            }
            printf("training row '%s' in the background (log %s)\n", row->name, logs[next]);
            fflush(stdout);
            fflush(stderr);
            pid[next] = fork();
            if (pid[next] == 0) {
                char cerr[MRL_MSG_MAX] = "";
                int crc = MRL_EIO;
                if (freopen(logs[next], "a", stdout) && freopen(logs[next], "a", stderr)) {
                    setvbuf(stderr, NULL, _IONBF, 0);
                    crc = mrl_cli_train(&runs[next], 0, cerr);
                    if (crc != MRL_OK) {
                        fprintf(stderr, "%s\n", cerr);
                    }
                    fflush(stdout);
                }
                _exit(crc == MRL_OK ? 0 : 1);
            }
            if (pid[next] < 0) {
                no_fork = next; // launch no more; wait for the ones running
                continue;
            }
            next++;
            running++;
            continue;
        }
        if (running == 0) {
            break;
        }
        int status = 0;
        pid_t done = wait(&status);
        if (done < 0) {
            break;
        }
        running--;
        for (int k = 0; k < next; k++) {
            if (pid[k] != done) {
                continue;
            }
            int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
            printf("row '%s': training %s after %lld s\n", t->rows[todo[k]].name,
                   ok ? "finished" : "FAILED", (long long)(time(NULL) - t0));
            fflush(stdout);
            if (!ok && failed < 0) {
                failed = k;
            }
        }
    }
    while (running > 0 && wait(NULL) > 0) { // after an early stop: no child left behind
        running--;
    }
    for (int k = 0; k < n; k++) {
        mrl_run_close(&runs[k]);
    }
    free(runs);
    if (rc != MRL_OK) {
        return rc;
    }
    if (no_fork >= 0) {
        return mrl_fail(err, MRL_EIO, "error: row '%s': cannot start a process to train it",
                        t->rows[todo[no_fork]].name);
    }
    if (failed >= 0) {
        return mrl_fail(err, MRL_EIO, "error: row '%s': training failed; see %s",
                        t->rows[todo[failed]].name, logs[failed]);
    }
    return MRL_OK;
}

// ---- significance marks ----

// per set: trial-return stats, the ratio to the normaliser, and the marks: the
// compared row with the largest mean trial return is bold, and so is every
// compared row whose one-sided Welch p against it is at least mark_alpha, or that
// allows no test (one unit, p NaN: not shown to be worse). A row whose mean is not a
// number (a plugin's NaN reward) is never best nor bold.
static void compute_marks(Table* t, int n_sets) {
    int norm = t->normalise[0] ? find_row(t, t->normalise) : -1;
    for (int r = 0; r < t->n_rows; r++) {
        t->rows[r].compared = r != norm;
    }
    for (int s = 0; s < n_sets; s++) {
        for (int r = 0; r < t->n_rows; r++) {
            MrlStat im;
            mrl_eval_trial_stats(&t->rows[r].trial[s], &im, &t->rows[r].sets[s]);
        }
        int best = -1;
        for (int r = 0; r < t->n_rows; r++) {
            const Row* row = &t->rows[r];
            if (row->compared && row->trial[s].n > 0 && isfinite(row->trial[s].mean) &&
                (best < 0 || row->trial[s].mean > t->rows[best].trial[s].mean)) {
                best = r;
            }
        }
        for (int r = 0; r < t->n_rows; r++) {
            Row* row = &t->rows[r];
            row->ratio[s] = norm >= 0 ? row->trial[s].mean / t->rows[norm].trial[s].mean : NAN;
            row->p[s] = best >= 0 && row->compared
                            ? (r == best ? 1.0 : mrl_eval_welch_p(&t->rows[best].trial[s],
                                                                  &row->trial[s]))
                            : NAN;
            row->bold[s] = best >= 0 && row->compared && isfinite(row->trial[s].mean) &&
                           !(row->p[s] < mark_alpha);
        }
        t->best[s] = best;
    }
}

// ---- output ----

static const MrlStat* pick(const MrlEpisodeStats* es, const char* metric) {
    if (strcmp(metric, "length_success") == 0) {
        return &es->length_success;
    }
    if (strcmp(metric, "length") == 0) {
        return &es->length;
    }
    if (strcmp(metric, "success") == 0) {
        return &es->success;
    }
    return &es->ret;
}

// a reference row {name, set (default "test"), episodes: [...], trial_return}
static int ref_on_set(const MrlNode* ref, const char* set) {
    const MrlNode* sn = mrl_node_get(ref, "set");
    return strcmp(sn && sn->value ? sn->value : "test", set) == 0;
}

static void ref_cells(MrlBuf* b, const MrlNode* ref, int episodes) {
    const MrlNode* vals = mrl_node_get(ref, "episodes");
    const MrlNode* v = vals && vals->kind == MRL_NODE_SEQ ? vals->child : NULL;
    for (int k = 0; k < episodes; k++) {
        mrl_buf_printf(b, " %s |", v && v->value ? v->value : "–");
        v = v ? v->next : NULL;
    }
}

// the trial_return value of the reference row giving row `name`'s paper value on `set`
static const char* paper_value(const Table* t, const char* set, const char* name) {
    for (int i = 0; i < t->n_ref; i++) {
        const MrlNode* v = mrl_node_get(t->ref[i].node, "trial_return");
        if (t->ref[i].row[0] && strcmp(t->ref[i].row, name) == 0 &&
            ref_on_set(t->ref[i].node, set) && v && v->value) {
            return v->value;
        }
    }
    return NULL;
}

// a reference row that belongs to a row of this run (shown in that row's paper cell)
static int ref_attached(const Table* t, int i) {
    return t->ref[i].row[0] && find_row(t, t->ref[i].row) >= 0;
}

static void trial_cell(MrlBuf* b, const Row* row, int s) {
    const char* bold = row->bold[s] ? "**" : "";
    mrl_buf_printf(b, " %s%.2f ± %.2f%s |", bold, row->trial[s].mean, row->trial[s].se, bold);
}

static void ratio_cell(MrlBuf* b, const Table* t, const Row* row, int s) {
    if (t->normalise[0]) {
        mrl_buf_printf(b, " %.3f |", row->ratio[s]);
    }
}

// the layout `columns: trial`: row | trial return | [ratio] | [paper]
static void write_md_trial_set(MrlBuf* b, const Table* t, int s) {
    const char* set = t->rows[0].sets[s].name;
    int paper = 0;
    for (int i = 0; i < t->n_ref; i++) {
        const MrlNode* v = mrl_node_get(t->ref[i].node, "trial_return");
        paper |= ref_on_set(t->ref[i].node, set) && v && v->value;
    }
    mrl_buf_printf(b, "| row | trial return |");
    if (t->normalise[0]) {
        mrl_buf_printf(b, " ÷ %s |", t->normalise);
    }
    mrl_buf_printf(b, "%s\n|---|---|%s%s\n", paper ? " paper |" : "",
                   t->normalise[0] ? "---|" : "", paper ? "---|" : "");
    for (int r = 0; r < t->n_rows; r++) {
        const Row* row = &t->rows[r];
        mrl_buf_printf(b, "| %s |", row->name);
        trial_cell(b, row, s);
        ratio_cell(b, t, row, s);
        if (paper) {
            const char* pv = paper_value(t, set, row->name);
            mrl_buf_printf(b, " %s |", pv ? pv : "–");
        }
        mrl_buf_printf(b, "\n");
    }
    for (int i = 0; i < t->n_ref; i++) {
        if (!ref_on_set(t->ref[i].node, set) || ref_attached(t, i)) {
            continue;
        }
        const MrlNode* v = mrl_node_get(t->ref[i].node, "trial_return");
        mrl_buf_printf(b, "| *%s* | |%s", t->ref[i].name, t->normalise[0] ? " |" : "");
        if (paper) {
            mrl_buf_printf(b, " %s |", v && v->value ? v->value : "–");
        }
        mrl_buf_printf(b, "\n");
    }
    mrl_buf_printf(b, "\n");
}

// 1 when some row of set s has an episode that ended by termination (success or failure);
// 0 when every episode ran to its horizon, so success rates and episode lengths carry no
// information (tasks such as dark room that never end an episode early)
static int set_terminates(const Table* t, int s) {
    for (int r = 0; r < t->n_rows; r++) {
        const MrlEvalSet* es = &t->rows[r].sets[s];
        for (int64_t i = 0; i < es->n_trials * es->episodes; i++) {
            if (es->rows[i].terminated != 0) {
                return 1;
            }
        }
    }
    return 0;
}

// the layout `columns: episode`: the metric and success per episode, then the trial; the
// success and %improved columns only where some episode of the set terminated
static void write_md_episode_set(MrlBuf* b, const Table* t, int s, int K, int random_row) {
    const char* set = t->rows[0].sets[s].name;
    int ends = set_terminates(t, s);
    mrl_buf_printf(b, "| row |");
    for (int k = 0; k < K; k++) {
        mrl_buf_printf(b, " ep %d |", k + 1);
    }
    for (int k = 0; ends && k < K; k++) {
        mrl_buf_printf(b, " success ep %d |", k + 1);
    }
    mrl_buf_printf(b, " trial return |");
    if (t->normalise[0]) {
        mrl_buf_printf(b, " ÷ %s |", t->normalise);
    }
    mrl_buf_printf(b, "%s%s%s\n", ends ? " %improved |" : "", K >= 2 ? " ep2/ep1 |" : "",
                   random_row >= 0 ? " ep1 vs random |" : "");
    int n_after = ends + (K >= 2) + (random_row >= 0); // columns after the trial return (and ratio)
    mrl_buf_printf(b, "|---|");
    for (int k = 0; k < (1 + ends) * K + 1 + (t->normalise[0] != 0) + n_after; k++) {
        mrl_buf_printf(b, "---|");
    }
    mrl_buf_printf(b, "\n");
    for (int r = 0; r < t->n_rows; r++) {
        const Row* row = &t->rows[r];
        const MrlEvalSet* es = &row->sets[s];
        MrlEpisodeStats st[2];
        mrl_buf_printf(b, "| %s |", row->name);
        for (int k = 0; k < K; k++) {
            MrlEpisodeStats e;
            mrl_eval_episode_stats(&e, es, k);
            if (k < 2) {
                st[k] = e;
            }
            const MrlStat* m = pick(&e, t->metric);
            if (m->n == 0) {
                mrl_buf_printf(b, " – |");
            } else {
                mrl_buf_printf(b, " %.2f ± %.2f |", m->mean, m->se);
            }
        }
        for (int k = 0; ends && k < K; k++) {
            MrlEpisodeStats e;
            mrl_eval_episode_stats(&e, es, k);
            mrl_buf_printf(b, " %.1f%% |", 100.0 * e.success.mean);
        }
        MrlStat tr, im;
        mrl_eval_trial_stats(&tr, &im, es);
        trial_cell(b, row, s);
        ratio_cell(b, t, row, s);
        if (ends && im.n > 0) {
            mrl_buf_printf(b, " %.1f%% |", 100.0 * im.mean);
        } else if (ends) {
            mrl_buf_printf(b, " – |");
        }
        if (K >= 2) {
            double m1 = pick(&st[0], t->metric)->mean, m2 = pick(&st[1], t->metric)->mean;
            mrl_buf_printf(b, " %.3f |", m2 / m1);
        }
        if (random_row >= 0) {
            MrlEpisodeStats rs;
            mrl_eval_episode_stats(&rs, &t->rows[random_row].sets[s], 0);
            mrl_buf_printf(b, " %.3f |", pick(&st[0], t->metric)->mean / pick(&rs, t->metric)->mean);
        }
        mrl_buf_printf(b, "\n");
    }
    for (int r = 0; r < t->n_ref; r++) {
        if (!ref_on_set(t->ref[r].node, set)) {
            continue;
        }
        mrl_buf_printf(b, "| *%s* |", t->ref[r].name);
        ref_cells(b, t->ref[r].node, K);
        for (int k = 0; ends && k < K; k++) {
            mrl_buf_printf(b, " |");
        }
        const MrlNode* trv = mrl_node_get(t->ref[r].node, "trial_return");
        mrl_buf_printf(b, " %s |", trv && trv->value ? trv->value : "");
        for (int k = 0; k < n_after + (t->normalise[0] != 0); k++) {
            mrl_buf_printf(b, " |");
        }
        mrl_buf_printf(b, "\n");
    }
    mrl_buf_printf(b, "\n");
}

static void write_md(MrlBuf* b, const Table* t, const MrlRun* base) {
    mrl_buf_printf(b, "# %s\n\n", t->title);
    if (t->trial_layout) {
        mrl_buf_printf(b, "Trial return: the total reward of a trial (mean ± standard error; the "
                          "units are the tasks).");
    } else {
        mrl_buf_printf(b,
                       "Metric: `%s` per episode of a trial (mean ± standard error; the units "
                       "are the tasks); success rate per episode; trial return = total reward of a "
                       "trial; %%improved = share of trials whose episode-2 length ≤ episode-1 "
                       "length (failures count as the horizon); both are left out for a set "
                       "whose episodes all ran to the horizon; ratios use the metric's means.",
                       t->metric);
    }
    mrl_buf_printf(b, " **Bold** trial return: the set's best row and every row not significantly "
                      "worse (one-sided Welch t-test on the trial returns, p = %.2f)", mark_alpha);
    if (t->normalise[0]) {
        mrl_buf_printf(b, "; ÷ %s: trial return divided by that row's (which is not compared)",
                       t->normalise);
    }
    mrl_buf_printf(b, ".\n\n");
    int random_row = -1;
    for (int r = 0; r < t->n_rows; r++) {
        if (strcmp(t->rows[r].agent, "random") == 0 && random_row < 0) {
            random_row = r;
        }
    }
    for (int s = 0; s < base->n_tests; s++) {
        const MrlEvalSet* es0 = &t->rows[0].sets[s];
        int K = es0->episodes;
        if (t->episodes > 0 && t->episodes < K) {
            K = t->episodes; // columns shown; trial return and %improved use every episode
        }
        mrl_buf_printf(b, "## set `%s` (%lld tasks × %d trial(s), %d episodes per trial, "
                          "horizon %lld", es0->name, (long long)es0->n_tasks,
                       (int)es0->trials_per_task, (int)es0->episodes, (long long)es0->horizon);
        if (!t->trial_layout && K < es0->episodes) {
            mrl_buf_printf(b, "; episodes 1–%d shown", K);
        }
        mrl_buf_printf(b, ")\n\n");
        if (t->trial_layout) {
            write_md_trial_set(b, t, s);
        } else {
            write_md_episode_set(b, t, s, K, random_row);
        }
    }
    if (t->note[0]) {
        mrl_buf_printf(b, "Reference rows (italic)%s: %s\n\n",
                       t->trial_layout ? " and the paper column" : "", t->note);
    }
    int any = 0;
    for (int r = 0; r < t->n_rows; r++) {
        if (t->rows[r].settings[0]) {
            mrl_buf_printf(b, "%s- **%s**: %s\n", any ? "" : "Row settings:\n\n", t->rows[r].name,
                           t->rows[r].settings);
            any = 1;
        }
    }
    if (any) {
        mrl_buf_printf(b, "\n");
    }
}

static void write_csv(MrlBuf* b, const Table* t, const MrlRun* base) {
    mrl_buf_printf(b, "row,set,episode,length_success_mean,length_success_se,length_success_n,"
                      "length_mean,length_se,success_mean,success_se,return_mean,return_se,n\n");
    for (int r = 0; r < t->n_rows; r++) {
        for (int s = 0; s < base->n_tests; s++) {
            const MrlEvalSet* es = &t->rows[r].sets[s];
            for (int k = 0; k < es->episodes; k++) {
                MrlEpisodeStats e;
                mrl_eval_episode_stats(&e, es, k);
                mrl_buf_printf(b, "\"%s\",%s,%d,", t->rows[r].name, es->name, k + 1);
                const MrlStat* cols[] = {&e.length_success, &e.length, &e.success, &e.ret};
                for (int c = 0; c < 4; c++) {
                    mrl_buf_json_number(b, cols[c]->mean);
                    mrl_buf_printf(b, ",");
                    mrl_buf_json_number(b, cols[c]->se);
                    mrl_buf_printf(b, c == 0 ? ",%lld," : ",", (long long)cols[c]->n);
                }
                mrl_buf_printf(b, "%lld\n", (long long)e.length.n);
            }
        }
    }
}

static void json_string_or_null(MrlBuf* b, const char* s) {
    if (s && s[0]) {
        mrl_buf_json_string(b, s);
    } else {
        mrl_buf_printf(b, "null");
    }
}

// the "marks" object of table.json: what a --summary grid reads (reptable_grid.c)
static void write_marks_json(MrlBuf* b, const Table* t, int n_sets) {
    mrl_buf_printf(b, "\"marks\": {\"label\": ");
    json_string_or_null(b, t->label);
    mrl_buf_printf(b, ", \"alpha\": ");
    mrl_buf_json_number(b, mark_alpha);
    mrl_buf_printf(b, ", \"normalise\": ");
    json_string_or_null(b, t->normalise);
    mrl_buf_printf(b, ", \"left_out\": [");
    for (int i = 0; i < t->n_left_out; i++) {
        mrl_buf_printf(b, "%s", i ? ", " : "");
        mrl_buf_json_string(b, t->left_out[i]);
    }
    mrl_buf_printf(b, "], \"sets\": {");
    for (int s = 0; s < n_sets; s++) {
        const char* set = t->rows[0].sets[s].name;
        const char* best = t->best[s] >= 0 ? t->rows[t->best[s]].name : NULL;
        mrl_buf_printf(b, "%s\n  ", s ? "," : "");
        mrl_buf_json_string(b, set);
        mrl_buf_printf(b, ": {\"episodes_per_trial\": %d, \"trials\": %lld, \"best\": ",
                       (int)t->rows[0].sets[s].episodes, (long long)t->rows[0].sets[s].n_trials);
        json_string_or_null(b, best);
        mrl_buf_printf(b, ", \"rows\": [");
        for (int r = 0; r < t->n_rows; r++) {
            const Row* row = &t->rows[r];
            mrl_buf_printf(b, "%s\n    {\"name\": ", r ? "," : "");
            mrl_buf_json_string(b, row->name);
            mrl_buf_printf(b, ", \"mean\": ");
            mrl_buf_json_number(b, row->trial[s].mean);
            mrl_buf_printf(b, ", \"se\": ");
            mrl_buf_json_number(b, row->trial[s].se);
            mrl_buf_printf(b, ", \"n\": %lld, \"compared\": %s, \"bold\": %s, \"p\": ",
                           (long long)row->trial[s].n, row->compared ? "true" : "false",
                           row->bold[s] ? "true" : "false");
            mrl_buf_json_number(b, row->p[s]);
            mrl_buf_printf(b, ", \"ratio\": ");
            mrl_buf_json_number(b, row->ratio[s]);
            mrl_buf_printf(b, ", \"paper\": ");
            json_string_or_null(b, paper_value(t, set, row->name));
            mrl_buf_printf(b, "}");
        }
        mrl_buf_printf(b, "],\n   \"reference\": [");
        int k = 0;
        for (int i = 0; i < t->n_ref; i++) {
            const MrlNode* v = mrl_node_get(t->ref[i].node, "trial_return");
            if (!ref_on_set(t->ref[i].node, set) || ref_attached(t, i) || !v || !v->value) {
                continue;
            }
            mrl_buf_printf(b, "%s\n    {\"name\": ", k++ ? "," : "");
            mrl_buf_json_string(b, t->ref[i].name);
            mrl_buf_printf(b, ", \"row\": ");
            json_string_or_null(b, t->ref[i].row);
            mrl_buf_printf(b, ", \"paper\": ");
            mrl_buf_json_string(b, v->value);
            mrl_buf_printf(b, "}");
        }
        mrl_buf_printf(b, "]}");
    }
    mrl_buf_printf(b, "}}");
}

static int write_all(const Table* t, const MrlRun* base, const char* dir, char* err) {
    int rc = mrl_mkdirs(dir, err);
    MrlBuf json = {0};
    mrl_buf_printf(&json, "{\n\"title\": ");
    mrl_buf_json_string(&json, t->title);
    mrl_buf_printf(&json, ",\n\"metric\": ");
    mrl_buf_json_string(&json, t->metric);
    mrl_buf_printf(&json, ",\n");
    write_marks_json(&json, t, base->n_tests);
    mrl_buf_printf(&json, ",\n\"rows\": {");
    for (int r = 0; r < t->n_rows && rc == MRL_OK; r++) {
        const Row* row = &t->rows[r];
        char s[128], rdir[MRL_PATH_MAX + 200];
        slug(s, sizeof s, row->name);
        snprintf(rdir, sizeof rdir, "%s/rows/%s", dir, s);
        rc = mrl_eval_write(rdir, row->sets, row->n_sets, row->agent[0] ? row->agent : "rl2",
                            row->name, err);
        mrl_buf_printf(&json, "%s\n", r ? "," : "");
        mrl_buf_json_string(&json, row->name);
        mrl_buf_printf(&json, ": ");
        mrl_eval_summary_doc(&json, row->sets, row->n_sets, row->agent[0] ? row->agent : "rl2");
    }
    mrl_buf_printf(&json, "}\n}\n");
    MrlBuf md = {0}, csv = {0};
    write_md(&md, t, base);
    write_csv(&csv, t, base);
    const struct {
        const char* file;
        MrlBuf* buf;
    } outs[] = {{"table.json", &json}, {"table.md", &md}, {"table.csv", &csv}};
    for (size_t i = 0; i < 3 && rc == MRL_OK; i++) {
        char path[MRL_PATH_MAX + 32];
        snprintf(path, sizeof path, "%s/%s", dir, outs[i].file);
        rc = outs[i].buf->failed ? mrl_fail(err, MRL_ENOMEM, "%s: error: out of memory", path)
                                 : mrl_file_write_atomic(path, outs[i].buf->data, outs[i].buf->len, err);
    }
    if (rc == MRL_OK) {
        fputs(md.data, stdout);
    }
    mrl_buf_free(&json);
    mrl_buf_free(&md);
    mrl_buf_free(&csv);
    return rc;
}

// --summary DIR...: one grid from the tables' marks
static int summary(const MrlArgs* a, const char* out, const char* title, const char* set) {
    char err[MRL_MSG_MAX] = "";
    if (a->n_pos < 1 || a->n_overrides > 0) {
        fprintf(stderr, "metarl table: error: --summary expects table directories and no "
                        "overrides (see 'metarl help table')\n");
        return MRL_EXIT_BAD_INPUT;
    }
    MrlBuf md = {0};
    int rc = mrl_cli_table_grid(&md, a->pos, a->n_pos, title, set, err);
    if (rc == MRL_OK && md.failed) {
        rc = mrl_fail(err, MRL_ENOMEM, "error: out of memory");
    }
    if (rc == MRL_OK && out) {
        rc = mrl_file_write_atomic(out, md.data, md.len, err);
    }
    if (rc == MRL_OK) {
        fputs(md.data, stdout);
    } else {
        fprintf(stderr, "%s\n", err);
    }
    mrl_buf_free(&md);
    return rc == MRL_OK ? MRL_EXIT_OK : rc == MRL_EIO ? MRL_EXIT_FAILED : MRL_EXIT_BAD_INPUT;
}

int mrl_cmd_reptable(int argc, char** argv) {
    const char *out = NULL, *no_train = NULL, *grid = NULL, *title = NULL, *set = NULL;
    const char* jobs_s = NULL;
    MrlOpt opts[] = {{"--out", 1, &out},      {"--no-train", 0, &no_train}, {"--summary", 0, &grid},
                     {"--title", 1, &title}, {"--set", 1, &set},           {"--jobs", 1, &jobs_s}};
    MrlArgs a;
    if (mrl_args_parse(&a, argc, argv, opts, 6) != 0) {
        return MRL_EXIT_BAD_INPUT;
    }
    int jobs = 1;
    if (jobs_s) {
        long j = 0;
        if (mrl_args_int(jobs_s, 1, 64, &j) != 0) {
            fprintf(stderr, "metarl table: error: --jobs expects a number of processes from 1 to "
                            "64, got '%s'\n", jobs_s);
            return MRL_EXIT_BAD_INPUT;
        }
        jobs = (int)j;
    }
    if (grid) {
        return summary(&a, out, title, set);
    }
    if (title || set) {
        fprintf(stderr, "metarl table: error: --title and --set go with --summary\n");
        return MRL_EXIT_BAD_INPUT;
    }
    if (a.n_pos != 1) {
        fprintf(stderr, "metarl table: error: expected one TABLE.yaml (see 'metarl help table')\n");
        return MRL_EXIT_BAD_INPUT;
    }
    char err[MRL_MSG_MAX] = "";
    static Table t; // large (per-row results); one per process
    if (parse_table(&t, a.pos[0], err) != MRL_OK) {
        fprintf(stderr, "%s\n", err);
        mrl_node_free(t.root);
        return MRL_EXIT_BAD_INPUT;
    }
    if (no_train) {
        // baselines only: leave out the rows that need training
        int k = 0;
        for (int r = 0; r < t.n_rows; r++) {
            if (t.rows[r].train[0]) {
                printf("left out row '%s' (--no-train)\n", t.rows[r].name);
                memcpy(t.left_out[t.n_left_out++], t.rows[r].name, sizeof t.left_out[0]);
            } else if (k++ != r) {
                t.rows[k - 1] = t.rows[r];
            }
        }
        t.n_rows = k;
        if (k == 0 || (t.normalise[0] && find_row(&t, t.normalise) < 0)) {
            fprintf(stderr, "%s: error: --no-train leaves %s\n", t.path,
                    k == 0 ? "no rows" : "out the normalise row");
            mrl_node_free(t.root);
            return MRL_EXIT_BAD_INPUT;
        }
    }
    MrlRun base;
    if (mrl_run_open(&base, t.config, a.overrides, a.n_overrides, err) != MRL_OK) {
        fprintf(stderr, "%s\n", err);
        mrl_node_free(t.root);
        return MRL_EXIT_BAD_INPUT;
    }
    char dir[MRL_PATH_MAX];
    if (out) {
        snprintf(dir, sizeof dir, "%s", out);
    } else {
        char stem[128];
        const char* bn = strrchr(t.path, '/');
        snprintf(stem, sizeof stem, "%.127s", bn ? bn + 1 : t.path);
        char* dot = strrchr(stem, '.');
        if (dot) {
            *dot = '\0';
        }
        snprintf(dir, sizeof dir, "%.800s/%s", base.cfg->run.out_root, stem);
    }
    int code = MRL_EXIT_OK;
    time_t t0 = time(NULL);
    // every row's input is checked before anything runs or is written
    for (int r = 0; r < t.n_rows && code == MRL_EXIT_OK; r++) {
        if (run_row(&t.rows[r], &base, &a, 1, err) != MRL_OK) {
            fprintf(stderr, "%s\n", err);
            code = MRL_EXIT_BAD_INPUT;
        }
    }
    if (code == MRL_EXIT_OK && train_parallel(&t, &a, jobs, err) != MRL_OK) {
        fprintf(stderr, "%s\n", err);
        code = MRL_EXIT_FAILED;
    }
    for (int r = 0; r < t.n_rows && code == MRL_EXIT_OK; r++) {
        printf("row %d/%d: %s\n", r + 1, t.n_rows, t.rows[r].name);
        fflush(stdout);
        int rc = run_row(&t.rows[r], &base, &a, 0, err);
        if (rc != MRL_OK) {
            fprintf(stderr, "%s\n", err);
            code = rc == MRL_EINVAL ? MRL_EXIT_BAD_INPUT : MRL_EXIT_FAILED;
        }
    }
    if (code == MRL_EXIT_OK) {
        compute_marks(&t, base.n_tests);
        if (write_all(&t, &base, dir, err) != MRL_OK) {
            fprintf(stderr, "%s\n", err);
            code = MRL_EXIT_FAILED;
        } else {
            printf("wrote %s/{table.md,table.csv,table.json,rows/} in %lld s; peak memory "
                   "%.1f MiB (measured)\n",
                   dir, (long long)(time(NULL) - t0), mrl_peak_rss_mib());
        }
    }
    for (int r = 0; r < t.n_rows; r++) {
        for (int s = 0; s < t.rows[r].n_sets; s++) {
            mrl_eval_set_free(&t.rows[r].sets[s]);
        }
    }
    mrl_run_close(&base);
    mrl_node_free(t.root);
    return code;
}
