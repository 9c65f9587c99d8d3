// metarl/host.h — loading plugins: search path, dlopen, ABI and table checks.
//
//     MrlPlugin pl;
//     if (mrl_plugin_open(&pl, "maze", NULL, err) != MRL_OK) { puts(err); return 2; }
//     ... pl.api.describe(...) ...
//     mrl_plugin_close(&pl);
#ifndef METARL_HOST_H
#define METARL_HOST_H

#include "metarl/config.h"
#include "metarl/plugin.h"

// A loaded plugin. `api` is the plugin's table copied up to its struct_size
// (later fields NULL), so the host reads it safely whatever minor it was built with.
typedef struct MrlPlugin {
    void* handle;             // dlopen handle
    char path[MRL_PATH_MAX];  // the file that was loaded
    MrlEnvApi api;            // copy of the table
} MrlPlugin;

// Returns the plugin search path: $METARL_PLUGIN_PATH entries (':'-separated)
// are searched after the build's plugin directory. Written into `out`.
void mrl_plugin_search_path(char* out, size_t out_size);

// Opens the plugin `name_or_path`: a path (contains '/' or ends in ".so") is
// loaded as is; a name is looked up as <dir>/<name>.so and <dir>/lib<name>.so
// over the search path. `where` names the place for messages (e.g.
// "configs/x.yaml:3:11"), or NULL. Refuses a missing file, a missing
// mrl_plugin_entry symbol, an ABI major mismatch or a malformed table
// (NULL required entries, bad names, bad parameter table) with one line in `err`.
int mrl_plugin_open(MrlPlugin* pl, const char* name_or_path, const char* where, char* err);

// Validates a table without loading anything (used by mrl_plugin_open and tests).
// `file` names the plugin in messages.
int mrl_plugin_validate_table(const MrlEnvApi* api, const char* file, char* err);

// Closes the plugin. Safe on a zeroed struct.
void mrl_plugin_close(MrlPlugin* pl);

// Lists plugin files found on the search path: calls `fn(path, ctx)` for each
// *.so (first match of each name wins).
void mrl_plugin_list(void (*fn)(const char* path, void* ctx), void* ctx);

// Fills `params` (n_params doubles) with the table's defaults.
void mrl_plugin_defaults(const MrlEnvApi* api, double* params);

#endif // METARL_HOST_H
