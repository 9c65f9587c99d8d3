// cmd_conform.c — `metarl plugins --check NAME|PATH`: the conformance checker
// (metarl/conform.h) on one plugin, one line per check.
#include <stdio.h>

#include "cli.h"
#include "metarl/conform.h"

int mrl_plugins_check(const char* target) {
    MrlConformReport rep;
    int rc = mrl_conform_check_file(target, NULL, &rep);
    mrl_conform_print(stdout, &rep, 0);
    const MrlConformCheck* load = mrl_conform_find(&rep, "load");
    if (load && load->status == MRL_CONFORM_FAIL) {
        return MRL_EXIT_BAD_INPUT; // not a loadable plugin at all
    }
    return rc == MRL_OK ? MRL_EXIT_OK : MRL_EXIT_FAILED;
}
