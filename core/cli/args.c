// args.c — see args.h.
#include "args.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mrl_args_parse(MrlArgs* a, int argc, char** argv, const MrlOpt* opts, int n_opts) {
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        const char* s = argv[i];
        if (s[0] == '-' && s[1] == '-') {
            int found = 0;
            for (int k = 0; k < n_opts; k++) {
                if (strcmp(opts[k].name, s) == 0) {
                    found = 1;
                    if (opts[k].takes_value) {
                        if (i + 1 >= argc) {
                            fprintf(stderr, "metarl %s: error: option '%s' needs a value\n", argv[0], s);
                            return 2;
                        }
                        *opts[k].value = argv[++i];
                    } else {
                        *opts[k].value = "1";
                    }
                }
            }
            if (!found) {
                fprintf(stderr, "metarl %s: error: unknown option '%s' (see 'metarl help %s')\n",
                        argv[0], s, argv[0]);
                return 2;
            }
        } else if (strchr(s, '=') && a->n_pos > 0) {
            if (a->n_overrides >= MRL_ARGS_MAX) {
                fprintf(stderr, "metarl %s: error: too many overrides\n", argv[0]);
                return 2;
            }
            a->overrides[a->n_overrides++] = s;
        } else {
            if (a->n_pos >= MRL_ARGS_MAX) {
                fprintf(stderr, "metarl %s: error: too many arguments\n", argv[0]);
                return 2;
            }
            a->pos[a->n_pos++] = s;
        }
    }
    return 0;
}

int mrl_args_add_override(MrlArgs* a, const char* key, const char* value) {
    if (a->n_owned >= MRL_ARGS_MAX || a->n_overrides >= MRL_ARGS_MAX) {
        return 2;
    }
    char* o = a->owned[a->n_owned++];
    snprintf(o, sizeof a->owned[0], "%s=%s", key, value);
    a->overrides[a->n_overrides++] = o;
    return 0;
}

int mrl_args_int(const char* s, long lo, long hi, long* out) {
    char* end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno == ERANGE || v < lo || v > hi) {
        return -1;
    }
    *out = v;
    return 0;
}
