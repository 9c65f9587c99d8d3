// yaml_tree.c — libyaml events -> MrlNode tree with 1-based line:col marks on
// every node and every map key; scalar parsing helpers; YAML flow emission of
// a subtree. Private to the config module (see config_internal.h).
// Tested through tests/test_config.c (syntax errors, duplicates, anchors,
// malformed bytes, depth limits, round trips).
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "config_internal.h"

// ---- allocation ----

void* mrl_cfg_calloc(MrlCfgAlloc* a, size_t n) {
    if (a && a->left >= 0) {
        if (a->left == 0) {
            return NULL;
        }
        a->left--;
    }
    return calloc(1, n ? n : 1);
}

char* mrl_cfg_strndup(MrlCfgAlloc* a, const char* s, size_t n) {
    char* p = mrl_cfg_calloc(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

// ---- nodes ----

MrlNode* mrl_node_new(MrlCfgAlloc* alloc, int32_t kind, int32_t source, int32_t line, int32_t col) {
    MrlNode* n = mrl_cfg_calloc(alloc, sizeof *n);
    if (n) {
        n->kind = kind;
        n->source = source;
        n->line = line;
        n->col = col;
    }
    return n;
}

void mrl_node_free_one(MrlNode* node) {
    if (!node) {
        return;
    }
    mrl_node_free(node->child);
    free(node->key);
    free(node->value);
    free(node);
}

void mrl_node_free(MrlNode* node) {
    // siblings iteratively, children recursively (depth is bounded by the parser)
    while (node) {
        MrlNode* next = node->next;
        mrl_node_free_one(node);
        node = next;
    }
}

const MrlNode* mrl_node_get(const MrlNode* map, const char* key) {
    if (!map || map->kind != MRL_NODE_MAP) {
        return NULL;
    }
    for (const MrlNode* c = map->child; c; c = c->next) {
        if (c->key && strcmp(c->key, key) == 0) {
            return c;
        }
    }
    return NULL;
}

int mrl_node_is_null(const MrlNode* node) {
    if (!node || node->kind != MRL_NODE_SCALAR || node->quoted) {
        return 0;
    }
    const char* v = node->value ? node->value : "";
    return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
           strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

int mrl_node_count(const MrlNode* node) {
    int n = 0;
    if (node && node->kind != MRL_NODE_SCALAR) {
        for (const MrlNode* c = node->child; c; c = c->next) {
            n++;
        }
    }
    return n;
}

// ---- message helpers ----

void mrl_cfg_append_clean(char* out, size_t out_size, const char* s, size_t max) {
    if (out_size == 0) {
        return;
    }
    size_t len = strlen(out);
    size_t used = 0;
    for (const unsigned char* p = (const unsigned char*)s; *p; p++) {
        char tmp[8];
        if (used >= max) {
            snprintf(tmp, sizeof tmp, "...");
        } else if (*p < 0x20 || *p == 0x7f) {
            snprintf(tmp, sizeof tmp, "\\x%02x", *p);
        } else {
            tmp[0] = (char)*p;
            tmp[1] = '\0';
        }
        size_t t = strlen(tmp);
        if (len + t + 1 > out_size) {
            break;
        }
        memcpy(out + len, tmp, t + 1);
        len += t;
        used++;
        if (used > max) {
            break;
        }
    }
}

// Writes "path:line:col" or "override '...'" into `out`.
static void src_where(char* out, size_t out_size, const MrlYamlSrc* src, long line, long col) {
    if (src->override) {
        snprintf(out, out_size, "override '");
        mrl_cfg_append_clean(out, out_size, src->override, 200);
        size_t len = strlen(out);
        if (len + 2 <= out_size) {
            out[len] = '\'';
            out[len + 1] = '\0';
        }
    } else {
        snprintf(out, out_size, "%s:%ld:%ld", src->path, line, col);
    }
}

// ---- parser: events -> tree ----

typedef struct Frame {
    MrlNode* node;    // the open map or sequence
    MrlNode* last;    // its last child (for O(1) append)
    char* key;        // MAP: the pending key text (owned), or NULL when a key is expected
    int32_t key_line; // MAP: the pending key's mark
    int32_t key_col;
} Frame;

typedef struct Builder {
    const MrlYamlSrc* src;
    MrlCfgAlloc* alloc;
    char* err;
    MrlNode* root;
    Frame stack[MRL_CFG_MAX_DEPTH + 1];
    int depth;
    int n_docs;
    long n_nodes;
} Builder;

static int fail_at(Builder* b, const yaml_mark_t* mark, int code, const char* fmt, const char* a,
                   const char* c) {
    char where[512];
    src_where(where, sizeof where, b->src, (long)mark->line + 1, (long)mark->column + 1);
    char what[600] = "";
    snprintf(what, sizeof what, fmt, a ? a : "", c ? c : "");
    return mrl_fail(b->err, code, "%s: error: %s", where, what);
}

static int oom(Builder* b) {
    char where[512];
    src_where(where, sizeof where, b->src, 1, 1);
    if (b->src->override) {
        return mrl_fail(b->err, MRL_ENOMEM, "%s: error: out of memory", where);
    }
    return mrl_fail(b->err, MRL_ENOMEM, "%s: error: out of memory", b->src->path);
}

// Checks anchors and tags of a node event. Sets *quoted for an explicit !!str.
static int check_props(Builder* b, const yaml_event_t* ev, const yaml_char_t* anchor,
                       const yaml_char_t* tag, int* quoted) {
    if (anchor) {
        char a[80] = "";
        mrl_cfg_append_clean(a, sizeof a, (const char*)anchor, 40);
        return fail_at(b, &ev->start_mark, MRL_EFORMAT,
                       "anchors are not supported ('&%s'); repeat the value instead", a, NULL);
    }
    if (tag) {
        const char* t = (const char*)tag;
        static const char core[] = "tag:yaml.org,2002:";
        if (strcmp(t, "tag:yaml.org,2002:str") == 0) {
            *quoted = 1;
        } else if (strncmp(t, core, sizeof core - 1) != 0 ||
                   (strcmp(t + sizeof core - 1, "int") != 0 &&
                    strcmp(t + sizeof core - 1, "float") != 0 &&
                    strcmp(t + sizeof core - 1, "bool") != 0 &&
                    strcmp(t + sizeof core - 1, "null") != 0 &&
                    strcmp(t + sizeof core - 1, "map") != 0 &&
                    strcmp(t + sizeof core - 1, "seq") != 0)) {
            char a[80] = "";
            mrl_cfg_append_clean(a, sizeof a, t, 40);
            return fail_at(b, &ev->start_mark, MRL_EFORMAT, "tag '%s' is not supported", a, NULL);
        }
    }
    return MRL_OK;
}

// Attaches a finished or opening node to the current container (or as root).
// For a key position, consumes `node` (a scalar) into the frame's pending key.
static int attach(Builder* b, MrlNode* node, const yaml_event_t* ev) {
    if (b->depth == 0) {
        b->root = node;
        return MRL_OK;
    }
    Frame* f = &b->stack[b->depth - 1];
    if (f->node->kind == MRL_NODE_MAP) {
        if (!f->key) {
            // this node is a key
            if (node->kind != MRL_NODE_SCALAR) {
                mrl_node_free_one(node);
                return fail_at(b, &ev->start_mark, MRL_EFORMAT,
                               "a map key must be a plain scalar, not a %s",
                               ev->type == YAML_MAPPING_START_EVENT ? "map" : "sequence", NULL);
            }
            for (const MrlNode* c = f->node->child; c; c = c->next) {
                if (strcmp(c->key, node->value) == 0) {
                    char k[120] = "";
                    mrl_cfg_append_clean(k, sizeof k, node->value, 60);
                    char first[64];
                    snprintf(first, sizeof first, "first at line %ld col %ld", (long)c->key_line,
                             (long)c->key_col);
                    mrl_node_free_one(node);
                    return fail_at(b, &ev->start_mark, MRL_EFORMAT, "duplicate key '%s' (%s)", k,
                                   first);
                }
            }
            f->key = node->value;
            f->key_line = node->line;
            f->key_col = node->col;
            node->value = NULL;
            mrl_node_free_one(node);
            return MRL_OK;
        }
        node->key = f->key;
        node->key_line = f->key_line;
        node->key_col = f->key_col;
        f->key = NULL;
    }
    if (f->last) {
        f->last->next = node;
    } else {
        f->node->child = node;
    }
    f->last = node;
    return MRL_OK;
}

static int on_node(Builder* b, const yaml_event_t* ev) {
    const yaml_char_t* anchor = NULL;
    const yaml_char_t* tag = NULL;
    int kind = MRL_NODE_SCALAR;
    int quoted = 0;
    if (ev->type == YAML_SCALAR_EVENT) {
        anchor = ev->data.scalar.anchor;
        tag = ev->data.scalar.tag;
        quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
    } else if (ev->type == YAML_SEQUENCE_START_EVENT) {
        anchor = ev->data.sequence_start.anchor;
        tag = ev->data.sequence_start.tag;
        kind = MRL_NODE_SEQ;
    } else {
        anchor = ev->data.mapping_start.anchor;
        tag = ev->data.mapping_start.tag;
        kind = MRL_NODE_MAP;
    }
    int rc = check_props(b, ev, anchor, tag, &quoted);
    if (rc != MRL_OK) {
        return rc;
    }
    if (++b->n_nodes > MRL_CFG_MAX_NODES) {
        char lim[32];
        snprintf(lim, sizeof lim, "%d", MRL_CFG_MAX_NODES);
        return fail_at(b, &ev->start_mark, MRL_EFORMAT, "too many nodes (more than %s)", lim, NULL);
    }
    if (kind == MRL_NODE_SCALAR && memchr(ev->data.scalar.value, '\0', ev->data.scalar.length)) {
        return fail_at(b, &ev->start_mark, MRL_EFORMAT, "a NUL character in a scalar%s%s", "", "");
    }
    if (kind != MRL_NODE_SCALAR && b->depth >= MRL_CFG_MAX_DEPTH) {
        char lim[32];
        snprintf(lim, sizeof lim, "%d", MRL_CFG_MAX_DEPTH);
        return fail_at(b, &ev->start_mark, MRL_EFORMAT, "nesting deeper than %s levels", lim, NULL);
    }
    MrlNode* node = mrl_node_new(b->alloc, kind, b->src->source, (int32_t)ev->start_mark.line + 1,
                                 (int32_t)ev->start_mark.column + 1);
    if (!node) {
        return oom(b);
    }
    node->quoted = quoted;
    if (kind == MRL_NODE_SCALAR) {
        node->value =
            mrl_cfg_strndup(b->alloc, (const char*)ev->data.scalar.value, ev->data.scalar.length);
        if (!node->value) {
            free(node);
            return oom(b);
        }
    }
    rc = attach(b, node, ev);
    if (rc != MRL_OK) {
        return rc;
    }
    if (kind != MRL_NODE_SCALAR) {
        Frame* f = &b->stack[b->depth++];
        memset(f, 0, sizeof *f);
        f->node = node;
    }
    return MRL_OK;
}

// Formats a libyaml error into b->err.
static int syntax_error(Builder* b, const yaml_parser_t* p, const char* text, size_t n) {
    if (p->error == YAML_MEMORY_ERROR) {
        return oom(b);
    }
    const char* problem = p->problem ? p->problem : "malformed YAML";
    char where[512];
    if (p->error == YAML_READER_ERROR) {
        // reader errors carry a byte offset, not a mark: count lines ourselves
        long line = 1, col = 1;
        size_t off = p->problem_offset < n ? p->problem_offset : n;
        for (size_t i = 0; i < off; i++) {
            if (text[i] == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        src_where(where, sizeof where, b->src, line, col);
        if (p->problem_value >= 0) {
            return mrl_fail(b->err, MRL_EFORMAT, "%s: error: %s (byte 0x%02x)", where, problem,
                            (unsigned)p->problem_value & 0xffu);
        }
        return mrl_fail(b->err, MRL_EFORMAT, "%s: error: %s", where, problem);
    }
    src_where(where, sizeof where, b->src, (long)p->problem_mark.line + 1,
              (long)p->problem_mark.column + 1);
    if (p->context && b->src->override) {
        return mrl_fail(b->err, MRL_EFORMAT, "%s: error: %s (%s)", where, problem, p->context);
    }
    if (p->context) {
        return mrl_fail(b->err, MRL_EFORMAT, "%s: error: %s (%s at line %ld col %ld)", where,
                        problem, p->context, (long)p->context_mark.line + 1,
                        (long)p->context_mark.column + 1);
    }
    return mrl_fail(b->err, MRL_EFORMAT, "%s: error: %s", where, problem);
}

int mrl_yaml_parse(MrlNode** out, const MrlYamlSrc* src, const char* text, size_t n,
                   MrlCfgAlloc* alloc, char* err) {
    *out = NULL;
    Builder* b = mrl_cfg_calloc(alloc, sizeof *b);
    if (!b) {
        if (src->override) {
            char where[512];
            src_where(where, sizeof where, src, 1, 1);
            return mrl_fail(err, MRL_ENOMEM, "%s: error: out of memory", where);
        }
        return mrl_fail(err, MRL_ENOMEM, "%s: error: out of memory", src->path);
    }
    b->src = src;
    b->alloc = alloc;
    b->err = err;
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        free(b);
        return mrl_fail(err, MRL_ENOMEM, "%s: error: out of memory", src->path);
    }
    yaml_parser_set_input_string(&parser, (const unsigned char*)text, n);
    int rc = MRL_OK;
    int done = 0;
    while (!done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = syntax_error(b, &parser, text, n);
            break;
        }
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++b->n_docs > 1) {
                rc =
                    fail_at(b, &ev.start_mark, MRL_EFORMAT,
                            "only one YAML document is allowed (found a second '---')%s%s", "", "");
            }
            break;
        case YAML_ALIAS_EVENT: {
            char a[80] = "";
            mrl_cfg_append_clean(a, sizeof a, (const char*)ev.data.alias.anchor, 40);
            rc = fail_at(b, &ev.start_mark, MRL_EFORMAT,
                         "aliases are not supported ('*%s'); repeat the value instead", a, NULL);
            break;
        }
        case YAML_SCALAR_EVENT:
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            rc = on_node(b, &ev);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (b->depth > 0) {
                b->depth--;
            }
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
        if (rc != MRL_OK) {
            break;
        }
    }
    yaml_parser_delete(&parser);
    // pending keys of open frames are owned by the frames
    for (int i = 0; i < b->depth; i++) {
        free(b->stack[i].key);
    }
    if (rc == MRL_OK) {
        *out = b->root;
    } else {
        mrl_node_free(b->root);
    }
    free(b);
    return rc;
}

// ---- scalar parsing ----

// Copies the digits of s[0..n) into out without '_', checking that every '_'
// sits between two digits (hex digits when `hex`). Returns 0 or -1.
static int strip_underscores(char* out, size_t out_size, const char* s, size_t n, int hex) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '_') {
            int prev = i > 0 &&
                       (hex ? isxdigit((unsigned char)s[i - 1]) : isdigit((unsigned char)s[i - 1]));
            int next = i + 1 < n &&
                       (hex ? isxdigit((unsigned char)s[i + 1]) : isdigit((unsigned char)s[i + 1]));
            if (!prev || !next) {
                return -1;
            }
            continue;
        }
        if (k + 1 >= out_size) {
            return -1;
        }
        out[k++] = s[i];
    }
    out[k] = '\0';
    return 0;
}

int mrl_cfg_parse_int(const char* s, int64_t* out) {
    const char* p = s;
    int neg = 0;
    if (*p == '+' || *p == '-') {
        neg = *p == '-';
        p++;
    }
    int hex = p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
    if (hex) {
        p += 2;
    }
    size_t n = strlen(p);
    if (n == 0) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        int ok = hex ? isxdigit((unsigned char)p[i]) : isdigit((unsigned char)p[i]);
        if (!ok && p[i] != '_') {
            return -1;
        }
    }
    char digits[128];
    if (strip_underscores(digits, sizeof digits, p, n, hex) != 0 || digits[0] == '\0') {
        return -1;
    }
    errno = 0;
    char* end = NULL;
    unsigned long long u = strtoull(digits, &end, hex ? 16 : 10);
    if (errno == ERANGE || *end != '\0') {
        return -2;
    }
    if (neg) {
        if (u > (unsigned long long)INT64_MAX + 1ull) {
            return -2;
        }
        *out = u == (unsigned long long)INT64_MAX + 1ull ? INT64_MIN : -(int64_t)u;
    } else {
        if (u > (unsigned long long)INT64_MAX) {
            return -2;
        }
        *out = (int64_t)u;
    }
    return 0;
}

int mrl_cfg_parse_real(const char* s, double* out) {
    // [-+]? (digits [. digits?]? | . digits) ([eE] [-+]? digits)?
    const char* p = s;
    if (*p == '+' || *p == '-') {
        p++;
    }
    size_t mant_digits = 0;
    const char* q = p;
    while (isdigit((unsigned char)*q) || *q == '_') {
        mant_digits += *q != '_';
        q++;
    }
    if (*q == '.') {
        q++;
        while (isdigit((unsigned char)*q) || *q == '_') {
            mant_digits += *q != '_';
            q++;
        }
    }
    if (mant_digits == 0) {
        return -1;
    }
    if (*q == 'e' || *q == 'E') {
        q++;
        if (*q == '+' || *q == '-') {
            q++;
        }
        if (!isdigit((unsigned char)*q)) {
            return -1;
        }
        while (isdigit((unsigned char)*q)) {
            q++;
        }
    }
    if (*q != '\0') {
        return -1;
    }
    char clean[128];
    size_t n = strlen(s);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '_') {
            int prev = i > 0 && isdigit((unsigned char)s[i - 1]);
            int next = i + 1 < n && isdigit((unsigned char)s[i + 1]);
            if (!prev || !next) {
                return -1;
            }
            continue;
        }
        if (k + 1 >= sizeof clean) {
            return -1;
        }
        clean[k++] = s[i];
    }
    clean[k] = '\0';
    errno = 0;
    char* end = NULL;
    double x = strtod(clean, &end);
    if (*end != '\0' || !isfinite(x)) {
        return -1;
    }
    *out = x;
    return 0;
}

void mrl_cfg_format_real(char* out, size_t out_size, double x) {
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(out, out_size, "%.*g", prec, x);
        if (strtod(out, NULL) == x) {
            break;
        }
    }
}

// ---- emission ----

// Returns 1 if `s` can be written plain (in block or flow context) and reads
// back as the same plain text.
static int plain_safe(const char* s) {
    if (s[0] == '\0' || strcmp(s, "-") == 0) {
        return 0;
    }
    for (const unsigned char* p = (const unsigned char*)s; *p; p++) {
        if (!(isalnum(*p) || *p == '_' || *p == '.' || *p == '+' || *p == '-' || *p == '/' ||
              *p == '~')) {
            return 0;
        }
    }
    return 1;
}

// Returns 1 if plain `s` would read as something other than a string.
static int looks_typed(const char* s) {
    static const char* const words[] = {"true", "false", "True", "False", "TRUE", "FALSE", "yes",
                                        "no",   "Yes",   "No",   "YES",   "NO",   "on",    "off",
                                        "On",   "Off",   "ON",   "OFF",   "y",    "n",     "Y",
                                        "N",    "null",  "Null", "NULL",  "~",    NULL};
    for (int i = 0; words[i]; i++) {
        if (strcmp(s, words[i]) == 0) {
            return 1;
        }
    }
    int64_t iv;
    double dv;
    if (mrl_cfg_parse_int(s, &iv) != -1 || mrl_cfg_parse_real(s, &dv) == 0) {
        return 1;
    }
    // starts with something number-like (".5", "-.inf", "1_")
    return s[0] == '.' || isdigit((unsigned char)s[0]) ||
           ((s[0] == '-' || s[0] == '+') && (isdigit((unsigned char)s[1]) || s[1] == '.'));
}

static void emit_quoted(MrlBuf* buf, const char* s) {
    mrl_buf_append(buf, "\"", 1);
    for (const unsigned char* p = (const unsigned char*)s; *p; p++) {
        switch (*p) {
        case '"':
            mrl_buf_append(buf, "\\\"", 2);
            break;
        case '\\':
            mrl_buf_append(buf, "\\\\", 2);
            break;
        case '\n':
            mrl_buf_append(buf, "\\n", 2);
            break;
        case '\t':
            mrl_buf_append(buf, "\\t", 2);
            break;
        case '\r':
            mrl_buf_append(buf, "\\r", 2);
            break;
        default:
            if (*p < 0x20 || *p == 0x7f) {
                mrl_buf_printf(buf, "\\x%02x", *p);
            } else {
                mrl_buf_append(buf, (const char*)p, 1);
            }
        }
    }
    mrl_buf_append(buf, "\"", 1);
}

void mrl_yaml_emit_string(MrlBuf* buf, const char* s, int force_quote) {
    if (!force_quote && plain_safe(s) && !looks_typed(s)) {
        mrl_buf_append(buf, s, strlen(s));
    } else {
        emit_quoted(buf, s);
    }
}

void mrl_node_emit_flow(MrlBuf* buf, const MrlNode* node) {
    if (!node) {
        mrl_buf_append(buf, "~", 1);
        return;
    }
    switch (node->kind) {
    case MRL_NODE_SCALAR: {
        const char* v = node->value ? node->value : "";
        if (node->quoted) {
            emit_quoted(buf, v);
        } else if (mrl_node_is_null(node)) {
            mrl_buf_append(buf, "~", 1);
        } else if (plain_safe(v)) {
            mrl_buf_append(buf, v, strlen(v));
        } else {
            emit_quoted(buf, v);
        }
        break;
    }
    case MRL_NODE_MAP:
        mrl_buf_append(buf, "{", 1);
        for (const MrlNode* c = node->child; c; c = c->next) {
            mrl_yaml_emit_string(buf, c->key ? c->key : "", 0);
            mrl_buf_append(buf, ": ", 2);
            mrl_node_emit_flow(buf, c);
            if (c->next) {
                mrl_buf_append(buf, ", ", 2);
            }
        }
        mrl_buf_append(buf, "}", 1);
        break;
    case MRL_NODE_SEQ:
        mrl_buf_append(buf, "[", 1);
        for (const MrlNode* c = node->child; c; c = c->next) {
            mrl_node_emit_flow(buf, c);
            if (c->next) {
                mrl_buf_append(buf, ", ", 2);
            }
        }
        mrl_buf_append(buf, "]", 1);
        break;
    default:
        mrl_buf_append(buf, "~", 1);
    }
}
