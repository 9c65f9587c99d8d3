// reptable_grid.c — `metarl table --summary DIR...`: one Markdown grid from
// several reproduction tables (one setting each, made by `metarl table`), a
// line per setting and a column per row, like the RL² paper's Tables 1 and 2.
// Each cell is the row's trial return (mean ± se), bold when `metarl table`
// marked it (the setting's best row or not significantly worse), then
// [ratio to the normalising row] and (the paper's value) when the table has
// them; "–" for a row the setting did not run (left out by --no-train, or
// not in its table). Only the "marks" object of each DIR/table.json is read (the per-row
// summaries after it can be far larger than the YAML reader's node limit).
// Tests: tests/cli/table.sh.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/config_internal.h"

#define MAX_DIRS 64
#define MAX_COLS 64

// blanks everything of `text` but the value of its top-level "marks" key (lines
// and columns kept, so parse errors point into the file); returns 0 if found
static int keep_marks(char* text, size_t n) {
    const char key[] = "\n\"marks\": {";
    char* k = strstr(text, key);
    if (!k) {
        return -1;
    }
    char* open = k + sizeof key - 2; // the '{'
    int depth = 0, in_str = 0;
    char* end = NULL;
    for (char* p = open; p < text + n && !end; p++) {
        if (in_str) {
            if (*p == '\\' && p + 1 < text + n) {
                p++;
            } else if (*p == '"') {
                in_str = 0;
            }
        } else if (*p == '"') {
            in_str = 1;
        } else if (*p == '{') {
            depth++;
        } else if (*p == '}' && --depth == 0) {
            end = p;
        }
    }
    if (!end) {
        return -1;
    }
    for (char* p = text; p < text + n; p++) {
        if ((p < open || p > end) && *p != '\n') {
            *p = ' ';
        }
    }
    return 0;
}

static const char* str_at(const MrlNode* map, const char* key) {
    const MrlNode* v = mrl_node_get(map, key);
    return v && v->kind == MRL_NODE_SCALAR && !mrl_node_is_null(v) ? v->value : NULL;
}

static double num_at(const MrlNode* map, const char* key) {
    const char* s = str_at(map, key);
    return s ? strtod(s, NULL) : NAN;
}

static int add_col(const char** cols, int* n, const char* name) {
    for (int i = 0; i < *n; i++) {
        if (strcmp(cols[i], name) == 0) {
            return 0;
        }
    }
    if (*n >= MAX_COLS) {
        return -1;
    }
    cols[(*n)++] = name;
    return 0;
}

// the set object of one table's marks: `set`, or the first set
static const MrlNode* pick_set(const MrlNode* marks, const char* set) {
    const MrlNode* sets = mrl_node_get(marks, "sets");
    if (!sets || sets->kind != MRL_NODE_MAP || !sets->child) {
        return NULL;
    }
    return set ? mrl_node_get(sets, set) : sets->child;
}

static void cell(MrlBuf* b, const MrlNode* s, const char* col) {
    const MrlNode* rows = mrl_node_get(s, "rows");
    for (const MrlNode* r = rows ? rows->child : NULL; r; r = r->next) {
        const char* name = str_at(r, "name");
        if (!name || strcmp(name, col) != 0) {
            continue;
        }
        const char* bold = str_at(r, "bold") && strcmp(str_at(r, "bold"), "true") == 0 ? "**" : "";
        mrl_buf_printf(b, " %s%.2f ± %.2f%s", bold, num_at(r, "mean"), num_at(r, "se"), bold);
        double ratio = num_at(r, "ratio");
        if (!isnan(ratio)) {
            mrl_buf_printf(b, " [%.3f]", ratio);
        }
        if (str_at(r, "paper")) {
            mrl_buf_printf(b, " (%s)", str_at(r, "paper"));
        }
        mrl_buf_printf(b, " |");
        return;
    }
    const MrlNode* refs = mrl_node_get(s, "reference");
    for (const MrlNode* r = refs ? refs->child : NULL; r; r = r->next) {
        if (str_at(r, "row") && strcmp(str_at(r, "row"), col) == 0 && str_at(r, "paper")) {
            mrl_buf_printf(b, " – (%s) |", str_at(r, "paper"));
            return;
        }
    }
    mrl_buf_printf(b, " – |");
}

int mrl_cli_table_grid(MrlBuf* b, const char* const* dirs, int n_dirs, const char* title,
                       const char* set, char* err) {
    MrlNode* roots[MAX_DIRS] = {0};
    const MrlNode* sets[MAX_DIRS] = {0};
    const char* cols[MAX_COLS];
    int n_cols = 0, rc = MRL_OK;
    const char* normalise = NULL;
    int paper = 0;
    if (n_dirs > MAX_DIRS) {
        return mrl_fail(err, MRL_EINVAL, "error: more than %d tables", MAX_DIRS);
    }
    for (int d = 0; d < n_dirs && rc == MRL_OK; d++) {
        char path[MRL_PATH_MAX + 16];
        snprintf(path, sizeof path, "%.*s/table.json", MRL_PATH_MAX - 1, dirs[d]);
        char* text;
        size_t n;
        rc = mrl_file_read(path, &text, &n, err);
        if (rc != MRL_OK) {
            break;
        }
        if (keep_marks(text, n) != 0) {
            free(text);
            rc = mrl_fail(err, MRL_EINVAL,
                          "%s: error: no \"marks\" object (written by an older "
                          "metarl table: run the table again)",
                          path);
            break;
        }
        MrlYamlSrc src = {path, NULL, 0};
        rc = mrl_yaml_parse(&roots[d], &src, text, n, NULL, err);
        free(text);
        if (rc != MRL_OK) {
            break;
        }
        sets[d] = roots[d] ? pick_set(roots[d], set) : NULL;
        const MrlNode* rows = sets[d] ? mrl_node_get(sets[d], "rows") : NULL;
        if (!rows || rows->kind != MRL_NODE_SEQ) {
            rc = mrl_fail(err, MRL_EINVAL, "%s: error: no set '%s' with rows in \"marks\"", path,
                          set ? set : "(first)");
            break;
        }
        if (!normalise) {
            normalise = str_at(roots[d], "normalise");
        }
        for (const MrlNode* r = rows->child; r && rc == MRL_OK; r = r->next) {
            paper |= str_at(r, "paper") != NULL;
            if (!str_at(r, "name") || add_col(cols, &n_cols, str_at(r, "name")) != 0) {
                rc = mrl_fail(err, MRL_EINVAL,
                              "%s: error: a row without a name, or more than "
                              "%d rows in all",
                              path, MAX_COLS);
            }
        }
        // columns also for rows left out (--no-train) and for paper values of rows not run
        const MrlNode* left = mrl_node_get(roots[d], "left_out");
        for (const MrlNode* r = left ? left->child : NULL; r && rc == MRL_OK; r = r->next) {
            if (r->kind != MRL_NODE_SCALAR || add_col(cols, &n_cols, r->value) != 0) {
                rc = mrl_fail(err, MRL_EINVAL,
                              "%s: error: bad left_out, or more than %d rows in "
                              "all",
                              path, MAX_COLS);
            }
        }
        const MrlNode* refs = mrl_node_get(sets[d], "reference");
        for (const MrlNode* r = refs ? refs->child : NULL; r && rc == MRL_OK; r = r->next) {
            if (str_at(r, "row")) {
                paper = 1;
                if (add_col(cols, &n_cols, str_at(r, "row")) != 0) {
                    rc = mrl_fail(err, MRL_EINVAL, "%s: error: more than %d rows in all", path,
                                  MAX_COLS);
                }
            }
        }
    }
    if (rc == MRL_OK) {
        mrl_buf_printf(b, "# %s\n\n", title ? title : "Reproduction grid");
        mrl_buf_printf(b, "Each cell: trial return, mean ± standard error over the setting's "
                          "held-out trials. **Bold**: the setting's best row and every row not "
                          "significantly worse (one-sided Welch t-test on the trial returns, "
                          "p = 0.05)");
        if (normalise) {
            mrl_buf_printf(b, "; [x]: ratio to the row *%s* (not compared)", normalise);
        }
        if (paper) {
            mrl_buf_printf(b, "; (x): the paper's value");
        }
        mrl_buf_printf(b, "; –: not run.\n\n| setting |");
        for (int c = 0; c < n_cols; c++) {
            mrl_buf_printf(b, " %s |", cols[c]);
        }
        mrl_buf_printf(b, "\n|---|");
        for (int c = 0; c < n_cols; c++) {
            mrl_buf_printf(b, "---|");
        }
        mrl_buf_printf(b, "\n");
        for (int d = 0; d < n_dirs; d++) {
            const char* label = str_at(roots[d], "label");
            if (!label) {
                const char* slash = strrchr(dirs[d], '/');
                label = slash && slash[1] ? slash + 1 : dirs[d];
            }
            mrl_buf_printf(b, "| %s |", label);
            for (int c = 0; c < n_cols; c++) {
                cell(b, sets[d], cols[c]);
            }
            mrl_buf_printf(b, "\n");
        }
    }
    for (int d = 0; d < n_dirs; d++) {
        mrl_node_free(roots[d]);
    }
    return rc;
}
