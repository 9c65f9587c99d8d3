// config.c — the run configuration: load a YAML file (yaml_tree.c), apply
// `dotted.key=value` overrides, validate against the core schema (schema.c)
// filling defaults, bind the plugin's parameter table (constants and
// distributions per task set), emit the effective config and hash it.
// Contract: metarl/config.h (+ metarl/config_find.h). Reference for users:
// docs/config.md. Tests: tests/test_config.c (ctest -R test_config).
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "metarl/config.h"
#include "metarl/config_find.h"

#define MAX_ROWS 128
#define MAX_KEY_PARTS 16

// ---- where and messages ----

static void where_at(const MrlConfig* cfg, int32_t source, int32_t line, int32_t col, char* out,
                     size_t out_size) {
    if (source > 0 && source <= cfg->n_overrides && cfg->overrides[source - 1]) {
        snprintf(out, out_size, "override '");
        mrl_cfg_append_clean(out, out_size, cfg->overrides[source - 1], 200);
        size_t len = strlen(out);
        if (len + 2 <= out_size) {
            out[len] = '\'';
            out[len + 1] = '\0';
        }
    } else {
        snprintf(out, out_size, "%s:%ld:%ld", cfg->path, (long)line, (long)col);
    }
}

void mrl_config_where(const MrlConfig* cfg, const MrlNode* node, char* out, size_t out_size) {
    if (!out || out_size == 0) {
        return;
    }
    if (!cfg) {
        snprintf(out, out_size, "%s", "?");
    } else if (!node) {
        snprintf(out, out_size, "%s", cfg->path);
    } else {
        where_at(cfg, node->source, node->line, node->col, out, out_size);
    }
}

// Where a map child's key was written (falls back to the node for keyless nodes).
static void where_key(const MrlConfig* cfg, const MrlNode* node, char* out, size_t out_size) {
    if (node && node->key && node->key_line > 0) {
        where_at(cfg, node->source, node->key_line, node->key_col, out, out_size);
    } else {
        mrl_config_where(cfg, node, out, out_size);
    }
}

// Writes "<where>: error: <fmt...>" into err and returns MRL_EINVAL.
static int fail_at(const MrlConfig* cfg, const MrlNode* node, int at_key, char* err,
                   const char* fmt, ...) __attribute__((format(printf, 5, 6)));
static int fail_at(const MrlConfig* cfg, const MrlNode* node, int at_key, char* err,
                   const char* fmt, ...) {
    char where[512];
    if (at_key) {
        where_key(cfg, node, where, sizeof where);
    } else {
        mrl_config_where(cfg, node, where, sizeof where);
    }
    char what[MRL_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return mrl_fail(err, MRL_EINVAL, "%s: error: %s", where, what);
}

// Describes what a node holds for "got ..." in messages.
static void describe(char* out, size_t out_size, const MrlNode* node) {
    if (!node) {
        snprintf(out, out_size, "nothing");
    } else if (node->kind == MRL_NODE_MAP) {
        snprintf(out, out_size, "a map");
    } else if (node->kind == MRL_NODE_SEQ) {
        snprintf(out, out_size, "a list");
    } else if (mrl_node_is_null(node)) {
        snprintf(out, out_size, "nothing");
    } else {
        snprintf(out, out_size, node->quoted ? "'\"" : "'");
        mrl_cfg_append_clean(out, out_size, node->value, 60);
        size_t len = strlen(out);
        snprintf(out + len, out_size - len,
                 node->quoted ? "\"' (a quoted value is a string)" : "'");
    }
}

static void clean_copy(char* out, size_t out_size, const char* s, size_t max) {
    if (out_size) {
        out[0] = '\0';
        mrl_cfg_append_clean(out, out_size, s, max);
    }
}

static int type_error(const MrlConfig* cfg, const MrlNode* node, const char* display,
                      const char* expected, char* err) {
    char got[200];
    describe(got, sizeof got, node);
    return fail_at(cfg, node, 0, err, "'%s' must be %s, got %s", display, expected, got);
}

// Appends "a, b, c" (names of a NULL-terminated or counted list) to `out`.
static void join_names(char* out, size_t out_size, const char* const* names, int n) {
    size_t len = strlen(out);
    for (int i = 0; (n < 0 ? names[i] != NULL : i < n); i++) {
        int w = snprintf(out + len, out_size - len, "%s%s", i ? ", " : "", names[i]);
        if (w < 0 || (size_t)w >= out_size - len) {
            break;
        }
        len += (size_t)w;
    }
}

// ---- did you mean ----

// Optimal-string-alignment distance (Damerau-Levenshtein with adjacent swaps).
static int osa_distance(const char* a, size_t la, const char* b, size_t lb) {
    int d[65][65];
    for (size_t i = 0; i <= la; i++) {
        d[i][0] = (int)i;
    }
    for (size_t j = 0; j <= lb; j++) {
        d[0][j] = (int)j;
    }
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v) {
                v = d[i][j - 1] + 1;
            }
            if (d[i - 1][j - 1] + cost < v) {
                v = d[i - 1][j - 1] + cost;
            }
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v) {
                v = d[i - 2][j - 2] + 1;
            }
            d[i][j] = v;
        }
    }
    return d[la][lb];
}

const char* mrl_did_you_mean(const char* word, const char* const* cands, int n) {
    if (!word || !cands) {
        return NULL;
    }
    size_t lw = strlen(word);
    if (lw == 0 || lw > 64) {
        return NULL;
    }
    int limit = (int)(lw / 3) > 1 ? (int)(lw / 3) : 1;
    const char* best = NULL;
    int best_d = limit + 1;
    for (int i = 0; i < n; i++) {
        if (!cands[i]) {
            continue;
        }
        size_t lc = strlen(cands[i]);
        if (lc > 64 || (lc > lw ? lc - lw : lw - lc) > (size_t)limit) {
            continue;
        }
        int dist = osa_distance(word, lw, cands[i], lc);
        if (dist < best_d) {
            best_d = dist;
            best = cands[i];
        }
    }
    return best;
}

// ---- scalars ----

// Parses an integer node (also an exact-integer real like 1e6).
// Returns 0, -1 (not an integer) or -2 (integer outside int64).
static int node_int(const MrlNode* node, int64_t* out) {
    if (!node || node->kind != MRL_NODE_SCALAR || node->quoted || mrl_node_is_null(node)) {
        return -1;
    }
    int rc = mrl_cfg_parse_int(node->value, out);
    if (rc != -1) {
        return rc;
    }
    double d;
    if (mrl_cfg_parse_real(node->value, &d) != 0 || floor(d) != d) {
        return -1;
    }
    if (d < -9223372036854775808.0 || d >= 9223372036854775808.0) {
        return -2;
    }
    *out = (int64_t)d;
    return 0;
}

static int node_real(const MrlNode* node, double* out) {
    if (!node || node->kind != MRL_NODE_SCALAR || node->quoted || mrl_node_is_null(node)) {
        return -1;
    }
    return mrl_cfg_parse_real(node->value, out);
}

static int node_bool(const MrlNode* node, int* out) {
    if (!node || node->kind != MRL_NODE_SCALAR || node->quoted) {
        return -1;
    }
    if (strcmp(node->value, "true") == 0) {
        *out = 1;
        return 0;
    }
    if (strcmp(node->value, "false") == 0) {
        *out = 0;
        return 0;
    }
    return -1;
}

// ---- core schema: conversion of one value ----

static int in_row_range(const MrlSchemaRow* row, double x) {
    int lo_ok = (row->flags & MRL_SF_LO_OPEN) ? x > row->lo : x >= row->lo;
    int hi_ok = (row->flags & MRL_SF_HI_OPEN) ? x < row->hi : x <= row->hi;
    return lo_ok && hi_ok;
}

static int range_error(const MrlConfig* cfg, const MrlNode* node, const char* display,
                       const char* range, char* err) {
    char val[100];
    clean_copy(val, sizeof val, node && node->value ? node->value : "?", 40);
    return fail_at(cfg, node, 0, err, "'%s' = %s is out of range %s", display, val, range);
}

static int chars_ok(const char* s, int flags) {
    for (const unsigned char* p = (const unsigned char*)s; *p; p++) {
        int ok = 1;
        if (flags & MRL_SF_NAME_CHARS) {
            ok = isalnum(*p) || *p == '_' || *p == '.' || *p == '-';
        } else if (flags & MRL_SF_IDENT) {
            ok = islower(*p) || isdigit(*p) || *p == '_';
        }
        if (!ok) {
            return 0;
        }
    }
    return 1;
}

// Converts `node` (a scalar; NULL-free) for `row` and stores it at `field`.
static int store_value(const MrlConfig* cfg, const MrlSchemaRow* row, const MrlNode* node,
                       const char* display, void* field, char* err) {
    char range[100];
    mrl_schema_range_text(row, range, sizeof range);
    switch (row->kind) {
    case MRL_SK_INT: {
        int64_t v = 0;
        int rc = node_int(node, &v);
        if (rc == -1) {
            return type_error(cfg, node, display, "an integer", err);
        }
        if (rc == -2 || !in_row_range(row, (double)v)) {
            return range_error(cfg, node, display, range, err);
        }
        if (row->size == sizeof(int32_t)) {
            int32_t v32 = (int32_t)v;
            memcpy(field, &v32, sizeof v32);
        } else {
            memcpy(field, &v, sizeof v);
        }
        return MRL_OK;
    }
    case MRL_SK_REAL: {
        double v = 0;
        if (node_real(node, &v) != 0) {
            return type_error(cfg, node, display, "a number", err);
        }
        if (!in_row_range(row, v)) {
            return range_error(cfg, node, display, range, err);
        }
        memcpy(field, &v, sizeof v);
        return MRL_OK;
    }
    case MRL_SK_BOOL: {
        int b = 0;
        if (node_bool(node, &b) != 0) {
            return type_error(cfg, node, display, "true or false", err);
        }
        int32_t v32 = b;
        memcpy(field, &v32, sizeof v32);
        return MRL_OK;
    }
    case MRL_SK_STRING: {
        if (!node || node->kind != MRL_NODE_SCALAR || mrl_node_is_null(node)) {
            return type_error(cfg, node, display, "a string", err);
        }
        const char* s = node->value;
        char val[100];
        clean_copy(val, sizeof val, s, 40);
        if ((row->flags & MRL_SF_NONEMPTY) && s[0] == '\0') {
            return fail_at(cfg, node, 0, err, "'%s' must not be empty", display);
        }
        if ((row->flags & MRL_SF_NAME_CHARS) && (s[0] == '\0' || !chars_ok(s, row->flags))) {
            return fail_at(cfg, node, 0, err, "'%s' = '%s' must match [A-Za-z0-9_.-]+", display,
                           val);
        }
        if ((row->flags & MRL_SF_IDENT) && (s[0] == '\0' || !chars_ok(s, row->flags))) {
            return fail_at(cfg, node, 0, err, "'%s' = '%s' must match [a-z0-9_]+", display, val);
        }
        if (strlen(s) >= row->size) {
            return fail_at(cfg, node, 0, err, "'%s' is too long (at most %zu bytes)", display,
                           row->size - 1);
        }
        memcpy(field, s, strlen(s) + 1);
        return MRL_OK;
    }
    case MRL_SK_CHOICE: {
        if (!node || node->kind != MRL_NODE_SCALAR || mrl_node_is_null(node)) {
            char exp[200] = "one of ";
            join_names(exp, sizeof exp, row->choices, -1);
            return type_error(cfg, node, display, exp, err);
        }
        for (int i = 0; row->choices[i]; i++) {
            if (strcmp(node->value, row->choices[i]) == 0) {
                memcpy(field, row->choices[i], strlen(row->choices[i]) + 1);
                return MRL_OK;
            }
        }
        int n = 0;
        while (row->choices[n]) {
            n++;
        }
        char list[200] = "";
        join_names(list, sizeof list, row->choices, -1);
        char val[100];
        clean_copy(val, sizeof val, node->value, 40);
        const char* hint = mrl_did_you_mean(node->value, row->choices, n);
        if (hint) {
            return fail_at(cfg, node, 0, err, "'%s' = '%s' is not one of %s (did you mean '%s'?)",
                           display, val, list, hint);
        }
        return fail_at(cfg, node, 0, err, "'%s' = '%s' is not one of %s", display, val, list);
    }
    default:
        return fail_at(cfg, node, 0, err, "'%s': internal error: not a value key", display);
    }
}

// ---- core schema: walking the tree ----

typedef struct Check {
    MrlConfig* cfg;
    char* err;
    // given[slot][row]: slot 0 global rows, 1 train, 2 + i tests[i]
    uint8_t given[2 + MRL_MAX_TEST_SETS][MAX_ROWS];
} Check;

static int row_index(const MrlSchemaRow* row) {
    return (int)(row - mrl_schema_rows);
}

static int slot_of(const MrlConfig* cfg, const MrlSetSpec* set) {
    if (!set) {
        return 0;
    }
    if (set == &cfg->run.train) {
        return 1;
    }
    return 2 + (int)(set - cfg->run.tests);
}

// Writes the parent path of `path` ("" for top-level keys).
static void parent_of(const char* path, char* out, size_t out_size) {
    const char* dot = strrchr(path, '.');
    size_t n = dot ? (size_t)(dot - path) : 0;
    if (n >= out_size) {
        n = out_size - 1;
    }
    memcpy(out, path, n);
    out[n] = '\0';
}

static const char* last_part(const char* path) {
    const char* dot = strrchr(path, '.');
    return dot ? dot + 1 : path;
}

// Returns the schema row for key `key` under pattern `parent`, or NULL.
static const MrlSchemaRow* child_row(const char* parent, const char* key) {
    if (strchr(key, '.') || strchr(key, '*')) {
        return NULL;
    }
    char path[512];
    int w = snprintf(path, sizeof path, "%s%s%s", parent, parent[0] ? "." : "", key);
    if (w < 0 || (size_t)w >= sizeof path) {
        return NULL;
    }
    return mrl_schema_find(path);
}

static int unknown_key(Check* ck, const MrlNode* node, const char* parent, const char* display) {
    const char* names[MAX_ROWS];
    int n = 0;
    for (int i = 0; i < mrl_schema_n_rows; i++) {
        char p[256];
        parent_of(mrl_schema_rows[i].path, p, sizeof p);
        if (strcmp(p, parent) == 0) {
            names[n++] = last_part(mrl_schema_rows[i].path);
        }
    }
    char key[120];
    clean_copy(key, sizeof key, node->key, 60);
    char in[300] = "";
    if (display[0]) {
        snprintf(in, sizeof in, " in '%s'", display);
    }
    if (strchr(node->key, '.') && !display[0] && strchr(node->key, '.') != node->key) {
        return fail_at(ck->cfg, node, 1, ck->err,
                       "unknown key '%s' (dotted keys are for command-line overrides; nest maps "
                       "in a file)",
                       key);
    }
    const char* hint = mrl_did_you_mean(node->key, names, n);
    if (hint) {
        return fail_at(ck->cfg, node, 1, ck->err, "unknown key '%s'%s (did you mean '%s'?)", key,
                       in, hint);
    }
    char list[400] = "";
    join_names(list, sizeof list, names, n);
    return fail_at(ck->cfg, node, 1, ck->err, "unknown key '%s'%s (expected one of: %s)", key, in,
                   list);
}

// Writes "a.b" (or "b" when a is empty) into out, cutting if too long.
static void join_path(char* out, size_t out_size, const char* a, const char* b) {
    size_t k = 0;
    for (const char* p = a; *p && k + 1 < out_size; p++) {
        out[k++] = *p;
    }
    if (a[0] && k + 1 < out_size) {
        out[k++] = '.';
    }
    for (const char* p = b; *p && k + 1 < out_size; p++) {
        out[k++] = *p;
    }
    out[k] = '\0';
}

static void set_init(MrlSetSpec* set, const char* name, int32_t kind) {
    memset(set, 0, sizeof *set);
    snprintf(set->name, sizeof set->name, "%s", name);
    set->kind = kind;
}

// 1 when the row's default is literal YAML text (not computed from the file's stem or
// another key, and not required)
static int has_literal_default(const MrlSchemaRow* row) {
    return row->def && !(row->flags & (MRL_SF_DEF_FROM | MRL_SF_DEF_STEM | MRL_SF_REQUIRED));
}

// Applies literal defaults of the value rows directly under `parent` (a set
// group when `set` is given, else every global row).
static int apply_defaults(Check* ck, const char* parent, MrlSetSpec* set) {
    for (int i = 0; i < mrl_schema_n_rows; i++) {
        const MrlSchemaRow* row = &mrl_schema_rows[i];
        if (!has_literal_default(row)) {
            continue;
        }
        if (set) {
            char p[256];
            parent_of(row->path, p, sizeof p);
            if (!(row->flags & MRL_SF_SET) || strcmp(p, parent) != 0) {
                continue;
            }
        } else if (row->flags & MRL_SF_SET) {
            continue;
        }
        MrlNode tmp = {.kind = MRL_NODE_SCALAR, .value = (char*)row->def};
        char* base = set ? (char*)set : (char*)&ck->cfg->run;
        int rc = store_value(ck->cfg, row, &tmp, row->path, base + row->offset, ck->err);
        if (rc != MRL_OK) {
            return rc;
        }
    }
    return MRL_OK;
}

static int walk_map(Check* ck, const MrlNode* map, const char* pattern, const char* display,
                    MrlSetSpec* set);

static int walk_sets(Check* ck, const MrlNode* sets, const char* display) {
    MrlRunConfig* run = &ck->cfg->run;
    for (const MrlNode* s = sets->child; s; s = s->next) {
        char name[120];
        clean_copy(name, sizeof name, s->key, 60);
        if (!mrl_is_ident(s->key)) {
            return fail_at(ck->cfg, s, 1, ck->err, "test set name '%s' must match [a-z0-9_]+",
                           name);
        }
        if (strcmp(s->key, "train") == 0 || strcmp(s->key, "test") == 0) {
            return fail_at(ck->cfg, s, 1, ck->err,
                           "test set name '%s' is reserved (tasks.train and tasks.test are the "
                           "built-in sets)",
                           name);
        }
        if (strlen(s->key) >= MRL_NAME_MAX) {
            return fail_at(ck->cfg, s, 1, ck->err,
                           "test set name '%s' is too long (at most %d bytes)", name,
                           MRL_NAME_MAX - 1);
        }
        if (run->n_tests >= MRL_MAX_TEST_SETS) {
            return fail_at(ck->cfg, s, 1, ck->err, "too many test sets (at most %d besides 'test')",
                           MRL_MAX_TEST_SETS - 1);
        }
        MrlSetSpec* set = &run->tests[run->n_tests++];
        set_init(set, s->key, MRL_SET_TEST);
        set->node = s;
        int rc = apply_defaults(ck, "tasks.test_sets.*", set);
        if (rc != MRL_OK) {
            return rc;
        }
        char sdisp[512];
        join_path(sdisp, sizeof sdisp, display, s->key);
        if (mrl_node_is_null(s)) {
            continue; // the missing seed is reported after the walk
        }
        if (s->kind != MRL_NODE_MAP) {
            return type_error(ck->cfg, s, sdisp, "a map", ck->err);
        }
        rc = walk_map(ck, s, "tasks.test_sets.*", sdisp, set);
        if (rc != MRL_OK) {
            return rc;
        }
    }
    return MRL_OK;
}

static int walk_map(Check* ck, const MrlNode* map, const char* pattern, const char* display,
                    MrlSetSpec* set) {
    MrlRunConfig* run = &ck->cfg->run;
    for (const MrlNode* c = map->child; c; c = c->next) {
        const MrlSchemaRow* row = child_row(pattern, c->key);
        if (!row) {
            return unknown_key(ck, c, pattern, display);
        }
        char cdisp[512];
        join_path(cdisp, sizeof cdisp, display, c->key);
        int rc = MRL_OK;
        switch (row->kind) {
        case MRL_SK_MAP: {
            if (mrl_node_is_null(c)) {
                break;
            }
            if (c->kind != MRL_NODE_MAP) {
                return type_error(ck->cfg, c, cdisp, "a map", ck->err);
            }
            MrlSetSpec* cs = set;
            if (strcmp(row->path, "tasks.train") == 0) {
                cs = &run->train;
                cs->node = c;
            } else if (strcmp(row->path, "tasks.test") == 0) {
                cs = &run->tests[0];
                cs->node = c;
            }
            rc = walk_map(ck, c, row->path, cdisp, cs);
            break;
        }
        case MRL_SK_SETS:
            if (mrl_node_is_null(c)) {
                break;
            }
            if (c->kind != MRL_NODE_MAP) {
                return type_error(ck->cfg, c, cdisp, "a map of named test sets", ck->err);
            }
            rc = walk_sets(ck, c, cdisp);
            break;
        case MRL_SK_PARAMS:
            if (!mrl_node_is_null(c) && c->kind != MRL_NODE_MAP) {
                return type_error(ck->cfg, c, cdisp, "a map of plugin parameters", ck->err);
            }
            break;
        default: {
            char* base = (row->flags & MRL_SF_SET) ? (char*)set : (char*)run;
            if (!base) {
                return fail_at(ck->cfg, c, 1, ck->err, "'%s': internal error: no set", cdisp);
            }
            rc = store_value(ck->cfg, row, c, cdisp, base + row->offset, ck->err);
            ck->given[slot_of(ck->cfg, (row->flags & MRL_SF_SET) ? set : NULL)][row_index(row)] = 1;
            break;
        }
        }
        if (rc != MRL_OK) {
            return rc;
        }
    }
    return MRL_OK;
}

// The name default: the file's stem, cleaned to [A-Za-z0-9_.-].
static void stem_name(char* out, size_t out_size, const char* path) {
    const char* base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    const char* dot = strrchr(base, '.');
    if (dot && dot != base) {
        n = (size_t)(dot - base);
    }
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < out_size; i++) {
        unsigned char ch = (unsigned char)base[i];
        out[k++] = (isalnum(ch) || ch == '_' || ch == '.' || ch == '-') ? (char)ch : '_';
    }
    out[k] = '\0';
    if (k == 0) {
        snprintf(out, out_size, "run");
    }
}

static int64_t get_int(const MrlSchemaRow* row, const void* field) {
    if (row->size == sizeof(int32_t)) {
        int32_t v;
        memcpy(&v, field, sizeof v);
        return v;
    }
    int64_t v;
    memcpy(&v, field, sizeof v);
    return v;
}

static void put_int(const MrlSchemaRow* row, void* field, int64_t v) {
    if (row->size == sizeof(int32_t)) {
        int32_t v32 = (int32_t)v;
        memcpy(field, &v32, sizeof v32);
    } else {
        memcpy(field, &v, sizeof v);
    }
}

// Post-walk: required keys, defaults taken from other keys, the name.
static int finish(Check* ck) {
    MrlConfig* cfg = ck->cfg;
    MrlRunConfig* run = &cfg->run;
    const MrlSchemaRow* name_row = mrl_schema_find("name");
    if (!ck->given[0][row_index(name_row)]) {
        stem_name(run->name, sizeof run->name, cfg->path);
    }
    // global required keys
    for (int i = 0; i < mrl_schema_n_rows; i++) {
        const MrlSchemaRow* row = &mrl_schema_rows[i];
        if (!(row->flags & MRL_SF_REQUIRED) || (row->flags & MRL_SF_SET) || ck->given[0][i]) {
            continue;
        }
        char parent[256];
        parent_of(row->path, parent, sizeof parent);
        const MrlNode* pnode = mrl_config_find(cfg, parent);
        if (parent[0] && pnode && pnode->kind == MRL_NODE_MAP) {
            return fail_at(cfg, pnode, 0, ck->err, "missing required key '%s' in '%s'",
                           last_part(row->path), parent);
        }
        return mrl_fail(ck->err, MRL_EINVAL, "%s:1:1: error: missing required key '%s'", cfg->path,
                        row->path);
    }
    // per set: required keys and defaults from other keys
    for (int s = -1; s < run->n_tests; s++) {
        MrlSetSpec* set = s < 0 ? &run->train : &run->tests[s];
        const char* group = s < 0 ? "tasks.train" : (s == 0 ? "tasks.test" : "tasks.test_sets.*");
        int slot = slot_of(cfg, set);
        for (int i = 0; i < mrl_schema_n_rows; i++) {
            const MrlSchemaRow* row = &mrl_schema_rows[i];
            char parent[256];
            parent_of(row->path, parent, sizeof parent);
            if (!(row->flags & MRL_SF_SET) || strcmp(parent, group) != 0 || ck->given[slot][i]) {
                continue;
            }
            if (row->flags & MRL_SF_REQUIRED) {
                char disp[300];
                snprintf(disp, sizeof disp, "tasks.test_sets.%s", set->name);
                if (s <= 0) {
                    snprintf(disp, sizeof disp, "%s", group);
                }
                if (set->node) {
                    return fail_at(cfg, set->node, 0, ck->err, "missing required key '%s' in '%s'",
                                   last_part(row->path), disp);
                }
                return mrl_fail(ck->err, MRL_EINVAL, "%s:1:1: error: missing required key '%s.%s'",
                                cfg->path, disp, last_part(row->path));
            }
            if (row->flags & MRL_SF_DEF_FROM) {
                const MrlSchemaRow* src = mrl_schema_find(row->def);
                int64_t v = get_int(src, (const char*)run + src->offset);
                put_int(row, (char*)set + row->offset, v);
            }
        }
    }
    return MRL_OK;
}

static int validate(MrlConfig* cfg, char* err) {
    Check* ck = calloc(1, sizeof *ck);
    if (!ck) {
        return mrl_fail(err, MRL_ENOMEM, "%s: error: out of memory", cfg->path);
    }
    ck->cfg = cfg;
    ck->err = err;
    int rc = MRL_OK;
    if (mrl_schema_n_rows > MAX_ROWS) {
        rc = mrl_fail(err, MRL_EINVAL, "%s: error: internal: schema too large", cfg->path);
        goto done;
    }
    MrlRunConfig* run = &cfg->run;
    memset(run, 0, sizeof *run);
    set_init(&run->train, "train", MRL_SET_TRAIN);
    set_init(&run->tests[0], "test", MRL_SET_TEST);
    run->n_tests = 1;
    rc = apply_defaults(ck, "", NULL);
    if (rc == MRL_OK) {
        rc = apply_defaults(ck, "tasks.train", &run->train);
    }
    if (rc == MRL_OK) {
        rc = apply_defaults(ck, "tasks.test", &run->tests[0]);
    }
    if (rc == MRL_OK) {
        rc = walk_map(ck, cfg->root, "", "", NULL);
    }
    if (rc == MRL_OK) {
        rc = finish(ck);
    }
done:
    free(ck);
    return rc;
}

// ---- overrides ----

static int override_fail(const MrlConfig* cfg, int k, char* err, const char* fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int override_fail(const MrlConfig* cfg, int k, char* err, const char* fmt, ...) {
    char where[512];
    where_at(cfg, k, 0, 0, where, sizeof where);
    char what[MRL_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return mrl_fail(err, MRL_EINVAL, "%s: error: %s", where, what);
}

// Appends `node` to map `parent`, or puts it in place of the child `old`.
static void put_child(MrlNode* parent, MrlNode* node, MrlNode* old) {
    MrlNode** link = &parent->child;
    while (*link && *link != old) {
        link = &(*link)->next;
    }
    if (old) {
        node->next = old->next;
        old->next = NULL;
        *link = node;
        mrl_node_free_one(old);
    } else {
        *link = node;
    }
}

// Applies override k (1-based) to the tree.
static int apply_override(MrlConfig* cfg, int k, MrlCfgAlloc* alloc, char* err) {
    const char* text = cfg->overrides[k - 1];
    const char* eq = strchr(text, '=');
    if (!eq) {
        return override_fail(cfg, k, err, "expected dotted.key=value");
    }
    // the key: trim spaces, split on '.'
    const char* ks = text;
    const char* ke = eq;
    while (ks < ke && isspace((unsigned char)*ks)) {
        ks++;
    }
    while (ke > ks && isspace((unsigned char)ke[-1])) {
        ke--;
    }
    if (ks == ke) {
        return override_fail(cfg, k, err, "empty key before '='");
    }
    char key[512];
    if ((size_t)(ke - ks) >= sizeof key) {
        return override_fail(cfg, k, err, "key too long");
    }
    memcpy(key, ks, (size_t)(ke - ks));
    key[ke - ks] = '\0';
    char* parts[MAX_KEY_PARTS];
    int n_parts = 0;
    for (char* p = key;;) {
        char* dot = strchr(p, '.');
        if (dot) {
            *dot = '\0';
        }
        if (p[0] == '\0') {
            return override_fail(cfg, k, err, "empty part in key (write a.b.c)");
        }
        if (n_parts == MAX_KEY_PARTS) {
            return override_fail(cfg, k, err, "key has more than %d parts", MAX_KEY_PARTS);
        }
        parts[n_parts++] = p;
        if (!dot) {
            break;
        }
        p = dot + 1;
    }
    // the value: YAML text
    const char* vtext = eq + 1;
    MrlYamlSrc src = {.path = cfg->path, .override = text, .source = k};
    MrlNode* value = NULL;
    int rc = mrl_yaml_parse(&value, &src, vtext, strlen(vtext), alloc, err);
    if (rc != MRL_OK) {
        return rc;
    }
    if (!value) {
        value = mrl_node_new(alloc, MRL_NODE_SCALAR, k, 1, 1);
        if (value) {
            value->value = mrl_cfg_strndup(alloc, "", 0);
        }
        if (!value || !value->value) {
            mrl_node_free(value);
            return mrl_fail(err, MRL_ENOMEM, "%s: error: out of memory", cfg->path);
        }
    }
    // walk and create the intermediate maps
    MrlNode* cur = cfg->root;
    for (int i = 0; i < n_parts - 1; i++) {
        MrlNode* child = (MrlNode*)mrl_node_get(cur, parts[i]);
        if (child && child->kind == MRL_NODE_MAP) {
            cur = child;
            continue;
        }
        if (child && !mrl_node_is_null(child)) {
            char what[200];
            describe(what, sizeof what, child);
            char shown[120];
            clean_copy(shown, sizeof shown, parts[i], 60);
            mrl_node_free(value);
            return override_fail(cfg, k, err, "'%s' holds %s, not a map, so it has no keys", shown,
                                 what);
        }
        MrlNode* map = mrl_node_new(alloc, MRL_NODE_MAP, k, 1, 1);
        char* mkey = map ? mrl_cfg_strndup(alloc, parts[i], strlen(parts[i])) : NULL;
        if (!mkey) {
            free(map);
            mrl_node_free(value);
            return mrl_fail(err, MRL_ENOMEM, "%s: error: out of memory", cfg->path);
        }
        map->key = mkey;
        map->key_line = 1;
        map->key_col = 1;
        put_child(cur, map, child);
        cur = map;
    }
    const char* last = parts[n_parts - 1];
    value->key = mrl_cfg_strndup(alloc, last, strlen(last));
    if (!value->key) {
        mrl_node_free(value);
        return mrl_fail(err, MRL_ENOMEM, "%s: error: out of memory", cfg->path);
    }
    value->key_line = 1;
    value->key_col = 1;
    put_child(cur, value, (MrlNode*)mrl_node_get(cur, last));
    return MRL_OK;
}

// ---- load ----

static MrlConfig* load_text(const char* path, const char* text, size_t n,
                            const char* const* overrides, int n_overrides, MrlCfgAlloc* alloc,
                            char* err) {
    if (!path) {
        path = "<config>";
    }
    MrlConfig* cfg = mrl_cfg_calloc(alloc, sizeof *cfg);
    if (!cfg) {
        mrl_fail(err, MRL_ENOMEM, "%s: error: out of memory", path);
        return NULL;
    }
    snprintf(cfg->path, sizeof cfg->path, "%s", path);
    if (n_overrides < 0 || (n_overrides > 0 && !overrides)) {
        mrl_fail(err, MRL_EINVAL, "%s: error: bad override list", cfg->path);
        goto fail;
    }
    if (n_overrides > 0) {
        cfg->overrides = mrl_cfg_calloc(alloc, sizeof(char*) * (size_t)n_overrides);
        if (!cfg->overrides) {
            mrl_fail(err, MRL_ENOMEM, "%s: error: out of memory", cfg->path);
            goto fail;
        }
        for (int i = 0; i < n_overrides; i++) {
            const char* o = overrides[i] ? overrides[i] : "";
            cfg->overrides[i] = mrl_cfg_strndup(alloc, o, strlen(o));
            if (!cfg->overrides[i]) {
                mrl_fail(err, MRL_ENOMEM, "%s: error: out of memory", cfg->path);
                goto fail;
            }
            cfg->n_overrides = i + 1;
        }
    }
    MrlYamlSrc src = {.path = cfg->path, .override = NULL, .source = 0};
    if (mrl_yaml_parse(&cfg->root, &src, text, n, alloc, err) != MRL_OK) {
        goto fail;
    }
    if (!cfg->root) {
        cfg->root = mrl_node_new(alloc, MRL_NODE_MAP, 0, 1, 1);
        if (!cfg->root) {
            mrl_fail(err, MRL_ENOMEM, "%s: error: out of memory", cfg->path);
            goto fail;
        }
    }
    if (cfg->root->kind != MRL_NODE_MAP) {
        char got[200];
        describe(got, sizeof got, cfg->root);
        fail_at(cfg, cfg->root, 0, err, "the top level must be a map of keys, got %s", got);
        goto fail;
    }
    for (int k = 1; k <= cfg->n_overrides; k++) {
        if (apply_override(cfg, k, alloc, err) != MRL_OK) {
            goto fail;
        }
    }
    if (validate(cfg, err) != MRL_OK) {
        goto fail;
    }
    return cfg;
fail:
    mrl_config_free(cfg);
    return NULL;
}

MrlConfig* mrl_config_parse(const char* name, const char* text, const char* const* overrides,
                            int n_overrides, char* err) {
    return load_text(name, text ? text : "", text ? strlen(text) : 0, overrides, n_overrides, NULL,
                     err);
}

MrlConfig* mrl_config_parse_budget(const char* name, const char* text, const char* const* overrides,
                                   int n_overrides, long alloc_budget, char* err) {
    MrlCfgAlloc alloc = {.left = alloc_budget};
    return load_text(name, text ? text : "", text ? strlen(text) : 0, overrides, n_overrides,
                     &alloc, err);
}

MrlConfig* mrl_config_load(const char* path, const char* const* overrides, int n_overrides,
                           char* err) {
    if (!path) {
        mrl_fail(err, MRL_EINVAL, "error: no config path");
        return NULL;
    }
    char* text = NULL;
    size_t n = 0;
    if (mrl_file_read(path, &text, &n, err) != MRL_OK) {
        return NULL;
    }
    MrlConfig* cfg = load_text(path, text, n, overrides, n_overrides, NULL, err);
    free(text);
    return cfg;
}

void mrl_config_free(MrlConfig* cfg) {
    if (!cfg) {
        return;
    }
    mrl_node_free(cfg->root);
    if (cfg->overrides) {
        for (int i = 0; i < cfg->n_overrides; i++) {
            free(cfg->overrides[i]);
        }
        free(cfg->overrides);
    }
    free(cfg);
}

const MrlNode* mrl_config_find(const MrlConfig* cfg, const char* dotted) {
    if (!cfg || !dotted) {
        return NULL;
    }
    const MrlNode* node = cfg->root;
    if (dotted[0] == '\0') {
        return node;
    }
    const char* p = dotted;
    while (node) {
        const char* dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        const MrlNode* next = NULL;
        if (node->kind == MRL_NODE_MAP) {
            for (const MrlNode* c = node->child; c; c = c->next) {
                if (strlen(c->key) == n && strncmp(c->key, p, n) == 0) {
                    next = c;
                    break;
                }
            }
        }
        node = next;
        if (!dot) {
            break;
        }
        p = dot + 1;
    }
    return node;
}

// ---- plugin parameters ----

static const char* const dist_names[] = {"uniform", "int", "normal", "choice"};
static const int dist_codes[] = {MRL_DIST_UNIFORM, MRL_DIST_INT, MRL_DIST_NORMAL, MRL_DIST_CHOICE};

static void param_range_text(const MrlParamDef* def, char* out, size_t out_size) {
    char lo[40], hi[40];
    mrl_cfg_format_real(lo, sizeof lo, def->lo);
    mrl_cfg_format_real(hi, sizeof hi, def->hi);
    snprintf(out, out_size, "[%s, %s]", lo, hi);
}

static int n_choices(const MrlParamDef* def) {
    int n = 0;
    while (def->choices && def->choices[n]) {
        n++;
    }
    return n;
}

// Converts one constant of parameter `def` written at `node`.
static int param_value(const MrlConfig* cfg, const MrlParamDef* def, const MrlNode* node,
                       const char* display, double* out, char* err) {
    char range[100];
    param_range_text(def, range, sizeof range);
    switch (def->kind) {
    case MRL_PARAM_INT: {
        int64_t v = 0;
        int rc = node_int(node, &v);
        if (rc == -1) {
            return type_error(cfg, node, display, "an integer", err);
        }
        if (rc == -2 || (double)v < def->lo || (double)v > def->hi) {
            return range_error(cfg, node, display, range, err);
        }
        *out = (double)v;
        return MRL_OK;
    }
    case MRL_PARAM_REAL: {
        double v = 0;
        if (node_real(node, &v) != 0) {
            return type_error(cfg, node, display, "a number", err);
        }
        if (v < def->lo || v > def->hi) {
            return range_error(cfg, node, display, range, err);
        }
        *out = v;
        return MRL_OK;
    }
    case MRL_PARAM_BOOL: {
        int b = 0;
        if (node_bool(node, &b) != 0) {
            return type_error(cfg, node, display, "true or false", err);
        }
        *out = b;
        return MRL_OK;
    }
    case MRL_PARAM_CHOICE: {
        int n = n_choices(def);
        char list[300] = "";
        join_names(list, sizeof list, def->choices ? def->choices : dist_names, n);
        if (!node || node->kind != MRL_NODE_SCALAR || mrl_node_is_null(node)) {
            char exp[340];
            snprintf(exp, sizeof exp, "one of %s", list);
            return type_error(cfg, node, display, exp, err);
        }
        for (int i = 0; i < n; i++) {
            if (strcmp(node->value, def->choices[i]) == 0) {
                *out = i;
                return MRL_OK;
            }
        }
        char val[100];
        clean_copy(val, sizeof val, node->value, 40);
        const char* hint = n ? mrl_did_you_mean(node->value, def->choices, n) : NULL;
        if (hint) {
            return fail_at(cfg, node, 0, err, "'%s' = '%s' is not one of %s (did you mean '%s'?)",
                           display, val, list, hint);
        }
        return fail_at(cfg, node, 0, err, "'%s' = '%s' is not one of %s", display, val, list);
    }
    default:
        return fail_at(cfg, node, 0, err, "'%s' has an unknown parameter kind %d", display,
                       (int)def->kind);
    }
}

static const char* kind_word(int32_t kind) {
    switch (kind) {
    case MRL_PARAM_INT:
        return "an integer";
    case MRL_PARAM_REAL:
        return "a real";
    case MRL_PARAM_BOOL:
        return "a bool";
    case MRL_PARAM_CHOICE:
        return "a choice";
    default:
        return "an unknown";
    }
}

// Parses the value of one parameter: a constant or a one-key distribution map.
static int param_dist(const MrlConfig* cfg, const MrlEnvApi* api, const MrlParamDef* def,
                      const MrlNode* node, const char* display, MrlParamDist* out, char* err) {
    MrlParamDist d;
    memset(&d, 0, sizeof d);
    d.node = node;
    if (node->kind == MRL_NODE_SCALAR) {
        d.dist = MRL_DIST_CONST;
        int rc = param_value(cfg, def, node, display, &d.a, err);
        if (rc != MRL_OK) {
            return rc;
        }
        d.b = d.a;
        *out = d;
        return MRL_OK;
    }
    if (node->kind != MRL_NODE_MAP || mrl_node_count(node) != 1) {
        char got[200];
        describe(got, sizeof got, node);
        if (node->kind == MRL_NODE_MAP) {
            snprintf(got, sizeof got, "a map with %d keys", mrl_node_count(node));
        }
        return fail_at(cfg, node, 0, err,
                       "'%s' must be a constant or a distribution with one key ({uniform: [a, "
                       "b]}, {int: [a, b]}, {normal: [mu, sigma]} or {choice: [v, ...]}), got %s",
                       display, got);
    }
    const MrlNode* dn = node->child;
    int which = -1;
    for (int i = 0; i < 4; i++) {
        if (strcmp(dn->key, dist_names[i]) == 0) {
            which = i;
        }
    }
    char dkey[120];
    clean_copy(dkey, sizeof dkey, dn->key, 60);
    if (which < 0) {
        const char* hint = mrl_did_you_mean(dn->key, dist_names, 4);
        if (hint) {
            return fail_at(cfg, dn, 1, err,
                           "unknown distribution '%s' for '%s' (did you mean '%s'?)", dkey, display,
                           hint);
        }
        return fail_at(cfg, dn, 1, err,
                       "unknown distribution '%s' for '%s' (expected uniform, int, normal or "
                       "choice)",
                       dkey, display);
    }
    if (def->flags & MRL_PARAM_SHAPE) {
        return fail_at(cfg, node, 0, err,
                       "parameter '%s' of plugin '%s' changes the observation/action spaces, so "
                       "it must be a constant in each task set (got a '%s' distribution at '%s')",
                       def->name, api->name ? api->name : "?", dkey, display);
    }
    d.dist = dist_codes[which];
    // the distribution's kind must suit the parameter's kind
    int kind_ok =
        d.dist == MRL_DIST_CHOICE || (d.dist == MRL_DIST_INT && def->kind == MRL_PARAM_INT) ||
        ((d.dist == MRL_DIST_UNIFORM || d.dist == MRL_DIST_NORMAL) && def->kind == MRL_PARAM_REAL);
    if (!kind_ok) {
        const char* use = def->kind == MRL_PARAM_INT    ? "{int: [a, b]} or {choice: [...]}"
                          : def->kind == MRL_PARAM_REAL ? "{uniform: [a, b]}, {normal: [mu, "
                                                          "sigma]} or {choice: [...]}"
                                                        : "{choice: [...]}";
        return fail_at(cfg, dn, 1, err,
                       "'%s' is %s parameter, so {%s: ...} does not apply (use %s)", display,
                       kind_word(def->kind), dkey, use);
    }
    const MrlNode* args = dn;
    int n_args = mrl_node_count(args);
    int want = d.dist == MRL_DIST_CHOICE ? -1 : 2;
    if (args->kind != MRL_NODE_SEQ || (want > 0 && n_args != want) ||
        (want < 0 && (n_args < 1 || n_args > MRL_MAX_CHOICES))) {
        char got[200];
        describe(got, sizeof got, args);
        if (args->kind == MRL_NODE_SEQ) {
            snprintf(got, sizeof got, "%d values", n_args);
        }
        const char* form = d.dist == MRL_DIST_NORMAL ? "a list [mu, sigma]" : "a list [a, b]";
        if (want < 0) {
            return fail_at(cfg, args, 0, err,
                           "{choice: ...} for '%s' needs a list of 1 to %d values, got %s", display,
                           MRL_MAX_CHOICES, got);
        }
        return fail_at(cfg, args, 0, err, "{%s: ...} for '%s' needs %s, got %s", dkey, display,
                       form, got);
    }
    const MrlNode* e0 = args->child;
    const MrlNode* e1 = e0->next;
    int rc = MRL_OK;
    switch (d.dist) {
    case MRL_DIST_UNIFORM:
    case MRL_DIST_INT:
        rc = param_value(cfg, def, e0, display, &d.a, err);
        if (rc == MRL_OK) {
            rc = param_value(cfg, def, e1, display, &d.b, err);
        }
        if (rc == MRL_OK && d.a > d.b) {
            char a[40], b[40];
            mrl_cfg_format_real(a, sizeof a, d.a);
            mrl_cfg_format_real(b, sizeof b, d.b);
            rc = fail_at(cfg, args, 0, err, "'%s': {%s: [%s, %s]} needs a <= b", display, dkey, a,
                         b);
        } else if (rc == MRL_OK && d.dist == MRL_DIST_INT && d.b - d.a >= 4294967296.0) {
            rc = fail_at(cfg, args, 0, err, "'%s': {int: [a, b]} spans more than 2^32 values",
                         display);
        }
        break;
    case MRL_DIST_NORMAL:
        // the mean lies in the range (it is also the value `describe` sees); draws are clipped
        rc = param_value(cfg, def, e0, display, &d.a, err);
        if (rc != MRL_OK) {
            break;
        } else if (node_real(e1, &d.b) != 0) {
            rc = type_error(cfg, e1, display, "a number (the standard deviation)", err);
        } else if (d.b < 0) {
            char b[100];
            clean_copy(b, sizeof b, e1->value, 40);
            rc = fail_at(cfg, e1, 0, err, "'%s': {normal: [mu, sigma]} needs sigma >= 0, got %s",
                         display, b);
        }
        break;
    default: // choice
        d.n_values = n_args;
        int i = 0;
        for (const MrlNode* e = args->child; e && rc == MRL_OK; e = e->next) {
            rc = param_value(cfg, def, e, display, &d.values[i++], err);
        }
        break;
    }
    if (rc != MRL_OK) {
        return rc;
    }
    *out = d;
    return MRL_OK;
}

// Applies the parameter map `map` (written at `display`) onto `dists`.
static int bind_map(const MrlConfig* cfg, const MrlEnvApi* api, MrlParamDist* dists,
                    const MrlNode* map, const char* display, char* err) {
    if (!map || mrl_node_is_null(map)) {
        return MRL_OK;
    }
    if (map->kind != MRL_NODE_MAP) {
        return type_error(cfg, map, display, "a map of plugin parameters", err);
    }
    const char* names[MRL_MAX_PARAMS];
    for (int i = 0; i < api->n_params; i++) {
        names[i] = api->params[i].name ? api->params[i].name : "";
    }
    for (const MrlNode* c = map->child; c; c = c->next) {
        int idx = -1;
        for (int i = 0; i < api->n_params; i++) {
            if (strcmp(names[i], c->key) == 0) {
                idx = i;
                break;
            }
        }
        char pdisp[600];
        join_path(pdisp, sizeof pdisp, display, c->key);
        if (idx < 0) {
            char key[120];
            clean_copy(key, sizeof key, c->key, 60);
            const char* pname = api->name ? api->name : "?";
            const char* hint = mrl_did_you_mean(c->key, names, api->n_params);
            if (hint) {
                return fail_at(cfg, c, 1, err,
                               "unknown parameter '%s' of plugin '%s' in '%s' (did you mean "
                               "'%s'?)",
                               key, pname, display, hint);
            }
            char list[400] = "";
            join_names(list, sizeof list, names, api->n_params);
            return fail_at(cfg, c, 1, err,
                           "unknown parameter '%s' of plugin '%s' in '%s' (parameters: %s)", key,
                           pname, display, api->n_params ? list : "none");
        }
        int rc = param_dist(cfg, api, &api->params[idx], c, pdisp, &dists[idx], err);
        if (rc != MRL_OK) {
            return rc;
        }
    }
    return MRL_OK;
}

int mrl_config_bind_plugin(MrlConfig* cfg, const MrlEnvApi* api, char* err) {
    if (!cfg || !api) {
        return mrl_fail(err, MRL_EINVAL, "error: mrl_config_bind_plugin: NULL argument");
    }
    cfg->bound = 0;
    const char* pname = api->name ? api->name : "?";
    if (api->n_params < 0 || api->n_params > MRL_MAX_PARAMS ||
        (api->n_params > 0 && !api->params)) {
        return mrl_fail(err, MRL_EINVAL,
                        "%s: error: plugin '%s' declares %d parameters (0 to %d "
                        "allowed, with a table)",
                        cfg->path, pname, (int)api->n_params, MRL_MAX_PARAMS);
    }
    int n = api->n_params;
    MrlParamDist* base = calloc(MRL_MAX_PARAMS, sizeof *base);
    if (!base) {
        return mrl_fail(err, MRL_ENOMEM, "%s: error: out of memory", cfg->path);
    }
    for (int i = 0; i < n; i++) {
        base[i].dist = MRL_DIST_CONST;
        base[i].a = api->params[i].def;
        base[i].b = api->params[i].def;
        base[i].node = NULL;
    }
    MrlRunConfig* run = &cfg->run;
    int rc = bind_map(cfg, api, base, mrl_config_find(cfg, "env.params"), "env.params", err);
    if (rc != MRL_OK) {
        goto done;
    }
    // every set sees env.params first, then its own `params` map on top
    for (int s = -1; s < run->n_tests; s++) {
        MrlSetSpec* set = s < 0 ? &run->train : &run->tests[s];
        set->n_params = n;
        memcpy(set->params, base, sizeof(MrlParamDist) * (size_t)n);
        if (set->node) {
            char disp[300];
            if (s < 1) {
                snprintf(disp, sizeof disp, "tasks.%s.params", s < 0 ? "train" : "test");
            } else {
                snprintf(disp, sizeof disp, "tasks.test_sets.%s.params", set->name);
            }
            rc = bind_map(cfg, api, set->params, mrl_node_get(set->node, "params"), disp, err);
            if (rc != MRL_OK) {
                goto done;
            }
        }
    }
    cfg->bound = 1;
done:
    free(base);
    return rc;
}

// ---- emit and hash ----

static void indent(MrlBuf* buf, int n) {
    for (int i = 0; i < n; i++) {
        mrl_buf_append(buf, " ", 1);
    }
}

static void emit_leaf(MrlBuf* buf, const MrlSchemaRow* row, const void* field) {
    switch (row->kind) {
    case MRL_SK_INT:
        mrl_buf_printf(buf, "%lld", (long long)get_int(row, field));
        break;
    case MRL_SK_REAL: {
        double v;
        memcpy(&v, field, sizeof v);
        char tmp[40];
        mrl_cfg_format_real(tmp, sizeof tmp, v);
        mrl_buf_printf(buf, "%s", tmp);
        break;
    }
    case MRL_SK_BOOL: {
        int32_t v;
        memcpy(&v, field, sizeof v);
        mrl_buf_printf(buf, "%s", v ? "true" : "false");
        break;
    }
    default:
        mrl_yaml_emit_string(buf, (const char*)field, 0);
    }
}

static void emit_params(MrlBuf* buf, const MrlNode* params, int ind) {
    if (!params || params->kind != MRL_NODE_MAP || !params->child) {
        return;
    }
    indent(buf, ind);
    mrl_buf_printf(buf, "params:\n");
    for (const MrlNode* c = params->child; c; c = c->next) {
        indent(buf, ind + 2);
        mrl_yaml_emit_string(buf, c->key, 0);
        mrl_buf_append(buf, ": ", 2);
        mrl_node_emit_flow(buf, c);
        mrl_buf_append(buf, "\n", 1);
    }
}

// 1 when the field holds exactly the row's literal default (rows whose default is computed
// — the file's stem, another key — never count as default)
static int at_default(const MrlConfig* cfg, const MrlSchemaRow* row, const void* field) {
    if (!has_literal_default(row)) {
        return 0;
    }
    char tmp[MRL_PATH_MAX + 64];
    char err[MRL_MSG_MAX];
    if (row->size > sizeof tmp) {
        return 0;
    }
    memset(tmp, 0, sizeof tmp);
    MrlNode node = {.kind = MRL_NODE_SCALAR, .value = (char*)row->def};
    if (store_value(cfg, row, &node, row->path, tmp, err) != MRL_OK) {
        return 0;
    }
    if (row->kind == MRL_SK_STRING || row->kind == MRL_SK_CHOICE) {
        return strncmp(tmp, (const char*)field, row->size) == 0;
    }
    return memcmp(tmp, field, row->size) == 0;
}

// skip_defaults: leave out value rows at their literal default (the hash), so that a key
// added to the schema later, with a default that keeps the old behaviour, leaves the hash
// of every existing config unchanged
static void emit_rows(MrlBuf* buf, const MrlConfig* cfg, const char* parent, int ind,
                      const MrlSetSpec* set, int skip_defaults) {
    for (int i = 0; i < mrl_schema_n_rows; i++) {
        const MrlSchemaRow* row = &mrl_schema_rows[i];
        char p[256];
        parent_of(row->path, p, sizeof p);
        if (strcmp(p, parent) != 0) {
            continue;
        }
        const char* key = last_part(row->path);
        switch (row->kind) {
        case MRL_SK_MAP: {
            const MrlSetSpec* cs = set;
            if (strcmp(row->path, "tasks.train") == 0) {
                cs = &cfg->run.train;
            } else if (strcmp(row->path, "tasks.test") == 0) {
                cs = &cfg->run.tests[0];
            }
            indent(buf, ind);
            mrl_buf_printf(buf, "%s:\n", key);
            emit_rows(buf, cfg, row->path, ind + 2, cs, skip_defaults);
            break;
        }
        case MRL_SK_SETS:
            if (cfg->run.n_tests > 1) {
                indent(buf, ind);
                mrl_buf_printf(buf, "%s:\n", key);
                for (int s = 1; s < cfg->run.n_tests; s++) {
                    indent(buf, ind + 2);
                    mrl_buf_printf(buf, "%s:\n", cfg->run.tests[s].name);
                    char sp[300];
                    snprintf(sp, sizeof sp, "%s.*", row->path);
                    emit_rows(buf, cfg, sp, ind + 4, &cfg->run.tests[s], skip_defaults);
                }
            }
            break;
        case MRL_SK_PARAMS:
            emit_params(buf,
                        set ? mrl_node_get(set->node, "params") : mrl_config_find(cfg, row->path),
                        ind);
            break;
        default: {
            const char* base =
                (row->flags & MRL_SF_SET) ? (const char*)set : (const char*)&cfg->run;
            if (skip_defaults && at_default(cfg, row, base + row->offset)) {
                break;
            }
            indent(buf, ind);
            mrl_buf_printf(buf, "%s: ", key);
            emit_leaf(buf, row, base + row->offset);
            mrl_buf_append(buf, "\n", 1);
        }
        }
    }
}

void mrl_config_emit(const MrlConfig* cfg, MrlBuf* buf) {
    if (!cfg || !buf) {
        return;
    }
    mrl_buf_printf(buf, "# effective metarl config: every core key with its value after "
                        "overrides and defaults\n");
    emit_rows(buf, cfg, "", 0, NULL, 0);
}

uint64_t mrl_config_hash(const MrlConfig* cfg) {
    MrlBuf buf = {0};
    emit_rows(&buf, cfg, "", 0, NULL, 1);
    uint64_t h = mrl_hash_bytes(buf.data ? buf.data : "", buf.len, 0x6d726c636667ULL);
    if (buf.failed) {
        h = 0;
    }
    mrl_buf_free(&buf);
    return h;
}
