// config_internal.h — private interface shared by yaml_tree.c (libyaml ->
// MrlNode tree), schema.c (the core key table) and config.c (load, overrides,
// validation, plugin binding, emit). Not installed; only the config module
// and tests/test_config.c include it.
#ifndef METARL_CONFIG_INTERNAL_H
#define METARL_CONFIG_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "metarl/config.h"

// Deepest nesting of maps/sequences accepted in a config or an override.
#define MRL_CFG_MAX_DEPTH 64
// Most nodes accepted in one parsed text (keeps duplicate-key checks cheap).
#define MRL_CFG_MAX_NODES 20000

// ---- allocation with an optional failure budget (for fault-injection tests) ----

// Counts allocations of one load. `left` < 0: unlimited; otherwise the number
// of allocations that still succeed before every later one fails.
typedef struct MrlCfgAlloc {
    long left;
} MrlCfgAlloc;

// Returns zeroed memory of `n` bytes, or NULL (out of memory or budget spent).
// `a` may be NULL (unlimited).
void* mrl_cfg_calloc(MrlCfgAlloc* a, size_t n);

// Returns a copy of `n` bytes of `s` plus a NUL, or NULL.
char* mrl_cfg_strndup(MrlCfgAlloc* a, const char* s, size_t n);

// ---- YAML tree ----

// Where a text comes from, for messages and node marks.
typedef struct MrlYamlSrc {
    const char* path;     // the config file name (messages: "path:line:col")
    const char* override; // the override "key=value", or NULL for the file
    int32_t source;       // written into every node: 0 file, k > 0 override k
} MrlYamlSrc;

// Parses `n` bytes of YAML into a tree (*out; NULL for a text with no
// document). Rejects syntax errors, more than one document, anchors,
// aliases, unknown tags, non-scalar keys, duplicate keys, NUL characters in
// scalars, nesting deeper than MRL_CFG_MAX_DEPTH and more than
// MRL_CFG_MAX_NODES nodes. Returns MRL_OK, MRL_EFORMAT or MRL_ENOMEM with one
// line in `err`. The caller frees *out with mrl_node_free.
int mrl_yaml_parse(MrlNode** out, const MrlYamlSrc* src, const char* text, size_t n,
                   MrlCfgAlloc* alloc, char* err);

// Returns a new node of `kind` (all other fields zero except the marks), or NULL.
MrlNode* mrl_node_new(MrlCfgAlloc* alloc, int32_t kind, int32_t source, int32_t line, int32_t col);

// Frees `node`, its children and its following siblings. NULL is allowed.
void mrl_node_free(MrlNode* node);

// Frees `node` and its children but not its siblings. NULL is allowed.
void mrl_node_free_one(MrlNode* node);

// Returns the child of map `map` with key `key`, or NULL.
const MrlNode* mrl_node_get(const MrlNode* map, const char* key);

// Returns 1 if `node` is a plain scalar meaning null ("", "~", "null").
int mrl_node_is_null(const MrlNode* node);

// Returns the number of children of a map or sequence.
int mrl_node_count(const MrlNode* node);

// Appends `node` as YAML flow text ({k: v}, [a, b], scalars quoted when needed).
void mrl_node_emit_flow(MrlBuf* buf, const MrlNode* node);

// Appends `s` as a YAML scalar: plain when that reads back as the same
// string, otherwise double-quoted with escapes. `force_quote` always quotes.
void mrl_yaml_emit_string(MrlBuf* buf, const char* s, int force_quote);

// Appends at most `max` bytes of `s` with control characters and quotes
// escaped so a message stays on one line ("..." marks a cut).
void mrl_cfg_append_clean(char* out, size_t out_size, const char* s, size_t max);

// ---- scalar parsing (YAML 1.1 subset used by configs) ----

// Parses a plain integer: [-+]?digits with single '_' between digits, or
// 0x hex. Returns 0, -1 (not an integer) or -2 (outside int64).
int mrl_cfg_parse_int(const char* s, int64_t* out);

// Parses a plain real: an integer or a decimal with optional exponent ('_'
// allowed between digits). Returns 0, or -1 (not a finite real).
int mrl_cfg_parse_real(const char* s, double* out);

// ---- the core schema ----

#define MRL_SK_INT 1    // integer (stored as int32 or int64 by `size`)
#define MRL_SK_REAL 2   // double
#define MRL_SK_BOOL 3   // true/false stored as int32 0/1
#define MRL_SK_STRING 4 // char[size]
#define MRL_SK_CHOICE 5 // one of `choices`, stored as char[size]
#define MRL_SK_MAP 6    // a section (its rows follow)
#define MRL_SK_PARAMS 7 // a map of plugin parameters (checked by mrl_config_bind_plugin)
#define MRL_SK_SETS 8   // a map of named test sets (rows "<path>.*...")

#define MRL_SF_REQUIRED 1   // no default: must be written
#define MRL_SF_LO_OPEN 2    // range excludes lo
#define MRL_SF_HI_OPEN 4    // range excludes hi
#define MRL_SF_NAME_CHARS 8 // STRING: [A-Za-z0-9_.-]+
#define MRL_SF_IDENT 16     // STRING: [a-z0-9_]+
#define MRL_SF_NONEMPTY 32  // STRING: not empty
#define MRL_SF_SET 64       // offset is into MrlSetSpec (a tasks.* row)
#define MRL_SF_DEF_STEM 128 // default: the config file's stem
#define MRL_SF_DEF_FROM 256 // default: the value of row `def` (a path)

// One key of the core schema.
typedef struct MrlSchemaRow {
    const char* path;           // dotted; '*' stands for a test set name
    int32_t kind;               // MRL_SK_*
    int32_t flags;              // MRL_SF_*
    const char* def;            // default as YAML text; with DEF_FROM the source path
    double lo, hi;              // range (INT, REAL); inclusive unless *_OPEN
    const char* const* choices; // CHOICE: NULL-terminated names
    size_t offset;              // into MrlRunConfig, or MrlSetSpec with MRL_SF_SET
    size_t size;                // bytes of the field
    const char* help;           // one line
} MrlSchemaRow;

// The table, parents before children, in emit order.
extern const MrlSchemaRow mrl_schema_rows[];
extern const int mrl_schema_n_rows;

// Returns the row with exactly this (pattern) path, or NULL.
const MrlSchemaRow* mrl_schema_find(const char* path);

// Writes a row's range as text ("[0, 1]", "(0, 10]", "[1, inf)") or "".
void mrl_schema_range_text(const MrlSchemaRow* row, char* out, size_t out_size);

// Formats a double so it reads back exactly (shortest of %.15g..%.17g).
void mrl_cfg_format_real(char* out, size_t out_size, double x);

// ---- testing hooks ----

// mrl_config_parse with an allocation budget (see MrlCfgAlloc): after
// `alloc_budget` successful allocations every allocation of the config
// module fails. Used by tests to prove every error path frees what it took.
MrlConfig* mrl_config_parse_budget(const char* name, const char* text, const char* const* overrides,
                                   int n_overrides, long alloc_budget, char* err);

#endif // METARL_CONFIG_INTERNAL_H
