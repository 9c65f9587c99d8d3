// args.h — shared argument handling for subcommands: positional arguments,
// `--opt value` options, `--flag` switches and `key=value` overrides.
#ifndef METARL_CLI_ARGS_H
#define METARL_CLI_ARGS_H

#define MRL_ARGS_MAX 64

typedef struct MrlArgs {
    int n_pos;
    const char* pos[MRL_ARGS_MAX];
    int n_overrides;
    const char* overrides[MRL_ARGS_MAX];
    char owned[MRL_ARGS_MAX][256]; // overrides synthesised from options
    int n_owned;
} MrlArgs;

// One accepted option: `name` ("--agent"), takes_value 1/0, and where the
// value goes: *value set to the argument (or "1" for a switch).
typedef struct MrlOpt {
    const char* name;
    int takes_value;
    const char** value;
} MrlOpt;

// Splits argv (argv[0] is the command name). Returns 0, or prints one line
// `metarl CMD: error: ...` to stderr and returns 2.
int mrl_args_parse(MrlArgs* a, int argc, char** argv, const MrlOpt* opts, int n_opts);

// Parses `s` as a whole decimal integer in [lo, hi] into *out. Returns 0, or -1 for an
// empty string, trailing characters or a value out of range (*out unchanged).
int mrl_args_int(const char* s, long lo, long hi, long* out);

// Appends an override "key=value" built from an option.
int mrl_args_add_override(MrlArgs* a, const char* key, const char* value);

#endif
