// host.c — finds and loads plugins (dlopen), checks the ABI version and the
// function table before anything else is called. See metarl/host.h.
// Tested by tests/test_host.c (with the broken plugins of tests/plugins/).
#include "metarl/host.h"

#include <dirent.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "metarl/util.h"

#ifndef MRL_BUILD_PLUGIN_DIR
#define MRL_BUILD_PLUGIN_DIR "plugins"
#endif

void mrl_plugin_search_path(char* out, size_t out_size) {
    const char* env = getenv("METARL_PLUGIN_PATH");
    if (env && *env) {
        snprintf(out, out_size, "%s:%s", MRL_BUILD_PLUGIN_DIR, env);
    } else {
        snprintf(out, out_size, "%s", MRL_BUILD_PLUGIN_DIR);
    }
}

static int is_file(const char* path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int looks_like_path(const char* s) {
    size_t n = strlen(s);
    return strchr(s, '/') != NULL || (n > 3 && strcmp(s + n - 3, ".so") == 0);
}

// resolve a plugin name over the search path into `out`; 1 if found
static int find_plugin(const char* name, char* out, size_t out_size) {
    char path[4096];
    mrl_plugin_search_path(path, sizeof path);
    char* save = NULL;
    for (char* dir = strtok_r(path, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        if (!*dir) {
            continue;
        }
        snprintf(out, out_size, "%s/%s.so", dir, name);
        if (is_file(out)) {
            return 1;
        }
        snprintf(out, out_size, "%s/lib%s.so", dir, name);
        if (is_file(out)) {
            return 1;
        }
    }
    return 0;
}

int mrl_plugin_validate_table(const MrlEnvApi* api, const char* file, char* err) {
    if (api->abi_major != MRL_ABI_MAJOR) {
        return mrl_fail(err, MRL_EINVAL,
                        "%s: error: plugin ABI major %u, this metarl needs %u (rebuild the plugin "
                        "against this metarl/plugin.h)",
                        file, (unsigned)api->abi_major, (unsigned)MRL_ABI_MAJOR);
    }
    size_t v1_end = offsetof(MrlEnvApi, oracle) + sizeof(api->oracle);
    if (api->struct_size < v1_end || api->struct_size > 65536) {
        return mrl_fail(err, MRL_EINVAL,
                        "%s: error: malformed plugin table: struct_size %u (ABI %u.0 needs at "
                        "least %zu)",
                        file, (unsigned)api->struct_size, (unsigned)MRL_ABI_MAJOR, v1_end);
    }
    if (!mrl_is_ident(api->name)) {
        return mrl_fail(err, MRL_EINVAL,
                        "%s: error: malformed plugin table: name must match [a-z0-9_]+", file);
    }
    if (!api->version || !*api->version || !api->summary || !*api->summary) {
        return mrl_fail(err, MRL_EINVAL,
                        "%s: error: malformed plugin table: version and summary are required",
                        file);
    }
    const struct {
        const char* field;
        const void* fn;
    } required[] = {
        {"describe", (const void*)api->describe}, {"task_sample", (const void*)api->task_sample},
        {"init", (const void*)api->init},         {"reset", (const void*)api->reset},
        {"step", (const void*)api->step},
    };
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        if (!required[i].fn) {
            return mrl_fail(err, MRL_EINVAL,
                            "%s: error: malformed plugin table: required entry '%s' is NULL", file,
                            required[i].field);
        }
    }
    if (api->reserved0 != 0 || api->reserved1 != 0) {
        return mrl_fail(err, MRL_EINVAL,
                        "%s: error: malformed plugin table: reserved fields must be zero", file);
    }
    if (api->render_rgb && !api->render_size) {
        return mrl_fail(err, MRL_EINVAL,
                        "%s: error: malformed plugin table: render_rgb needs render_size", file);
    }
    if (api->n_params < 0 || api->n_params > MRL_MAX_PARAMS ||
        (api->n_params > 0) != (api->params != NULL)) {
        return mrl_fail(err, MRL_EINVAL,
                        "%s: error: malformed plugin table: n_params %d with params %s", file,
                        (int)api->n_params, api->params ? "set" : "NULL");
    }
    for (int32_t i = 0; i < api->n_params; i++) {
        const MrlParamDef* p = &api->params[i];
        if (!mrl_is_ident(p->name)) {
            return mrl_fail(err, MRL_EINVAL,
                            "%s: error: malformed parameter table: parameter %d has a bad name",
                            file, (int)i);
        }
        for (int32_t j = 0; j < i; j++) {
            if (strcmp(api->params[j].name, p->name) == 0) {
                return mrl_fail(err, MRL_EINVAL,
                                "%s: error: malformed parameter table: duplicate parameter '%s'",
                                file, p->name);
            }
        }
        if ((p->flags & ~MRL_PARAM_SHAPE) != 0) {
            return mrl_fail(err, MRL_EINVAL,
                            "%s: error: malformed parameter table: '%s' has unknown flag bits 0x%x",
                            file, p->name, (unsigned)p->flags);
        }
        if (p->kind < MRL_PARAM_INT || p->kind > MRL_PARAM_CHOICE) {
            return mrl_fail(err, MRL_EINVAL,
                            "%s: error: malformed parameter table: '%s' has unknown kind %d", file,
                            p->name, (int)p->kind);
        }
        if (p->kind == MRL_PARAM_CHOICE) {
            int n = 0;
            while (p->choices && p->choices[n]) {
                n++;
            }
            if (n == 0 || p->def < 0 || p->def >= n || p->def != (double)(int)p->def) {
                return mrl_fail(err, MRL_EINVAL,
                                "%s: error: malformed parameter table: choice '%s' needs choices "
                                "and a default index inside them",
                                file, p->name);
            }
        } else if (p->kind == MRL_PARAM_BOOL) {
            if (p->def != 0.0 && p->def != 1.0) {
                return mrl_fail(err, MRL_EINVAL,
                                "%s: error: malformed parameter table: bool '%s' default must be 0 "
                                "or 1",
                                file, p->name);
            }
        } else if (!(p->lo <= p->hi) || !(p->def >= p->lo && p->def <= p->hi) ||
                   (p->kind == MRL_PARAM_INT && p->def != (double)(long long)p->def)) {
            return mrl_fail(err, MRL_EINVAL,
                            "%s: error: malformed parameter table: '%s' default %g is outside "
                            "[%g, %g]",
                            file, p->name, p->def, p->lo, p->hi);
        }
    }
    return MRL_OK;
}

int mrl_plugin_open(MrlPlugin* pl, const char* name_or_path, const char* where, char* err) {
    memset(pl, 0, sizeof *pl);
    char path[MRL_PATH_MAX];
    const char* at = where ? where : name_or_path;
    if (looks_like_path(name_or_path)) {
        snprintf(path, sizeof path, "%s", name_or_path);
        if (!is_file(path)) {
            return mrl_fail(err, MRL_EIO, "%s: error: plugin file '%s' not found", at, path);
        }
    } else if (!find_plugin(name_or_path, path, sizeof path)) {
        char sp[2048];
        mrl_plugin_search_path(sp, sizeof sp);
        return mrl_fail(err, MRL_EINVAL,
                        "%s: error: unknown plugin '%s' (searched %s; set METARL_PLUGIN_PATH or "
                        "give a path to the .so)",
                        at, name_or_path, sp);
    }
    // a bare relative file name would make dlopen search the library path
    char dlpath[MRL_PATH_MAX + 2];
    snprintf(dlpath, sizeof dlpath, "%s%s", strchr(path, '/') ? "" : "./", path);
    void* h = dlopen(dlpath, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char* why = dlerror();
        return mrl_fail(err, MRL_EINVAL, "%s: error: cannot load plugin: %s", path,
                        why ? why : "dlopen failed");
    }
    MrlPluginEntryFn entry;
    *(void**)(&entry) = dlsym(h, MRL_PLUGIN_ENTRY_SYMBOL);
    if (!entry) {
        dlclose(h);
        return mrl_fail(err, MRL_EINVAL, "%s: error: not a metarl plugin: no symbol '%s'", path,
                        MRL_PLUGIN_ENTRY_SYMBOL);
    }
    const MrlEnvApi* api = entry();
    if (!api) {
        dlclose(h);
        return mrl_fail(err, MRL_EINVAL, "%s: error: %s() returned NULL", path,
                        MRL_PLUGIN_ENTRY_SYMBOL);
    }
    // read the version words first; nothing else is touched on a major mismatch
    if (api->abi_major != MRL_ABI_MAJOR) {
        int rc = mrl_plugin_validate_table(api, path, err);
        dlclose(h);
        return rc;
    }
    MrlEnvApi copy;
    memset(&copy, 0, sizeof copy);
    size_t n = api->struct_size < sizeof copy ? api->struct_size : sizeof copy;
    if (api->struct_size >= offsetof(MrlEnvApi, struct_size) + sizeof(uint32_t)) {
        memcpy(&copy, api, n);
    }
    copy.struct_size = api->struct_size;
    int rc = mrl_plugin_validate_table(&copy, path, err);
    if (rc != MRL_OK) {
        dlclose(h);
        return rc;
    }
    pl->handle = h;
    snprintf(pl->path, sizeof pl->path, "%s", path);
    pl->api = copy;
    return MRL_OK;
}

void mrl_plugin_close(MrlPlugin* pl) {
    if (pl->handle) {
        dlclose(pl->handle);
    }
    memset(pl, 0, sizeof *pl);
}

static int cmp_str(const void* a, const void* b) {
    return strcmp(*(const char* const*)a, *(const char* const*)b);
}

void mrl_plugin_list(void (*fn)(const char* path, void* ctx), void* ctx) {
    char sp[4096];
    mrl_plugin_search_path(sp, sizeof sp);
    char seen[256][64];
    int n_seen = 0;
    char* save = NULL;
    for (char* dir = strtok_r(sp, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        DIR* d = opendir(dir);
        if (!d) {
            continue;
        }
        char* names[512];
        int n = 0;
        struct dirent* e;
        while ((e = readdir(d)) != NULL && n < 512) {
            size_t len = strlen(e->d_name);
            if (len > 3 && strcmp(e->d_name + len - 3, ".so") == 0) {
                names[n] = strdup(e->d_name);
                if (names[n]) {
                    n++;
                }
            }
        }
        closedir(d);
        qsort(names, (size_t)n, sizeof names[0], cmp_str);
        for (int i = 0; i < n; i++) {
            char stem[64];
            const char* base = strncmp(names[i], "lib", 3) == 0 ? names[i] + 3 : names[i];
            snprintf(stem, sizeof stem, "%.*s", (int)(strlen(base) - 3), base);
            int dup = 0;
            for (int j = 0; j < n_seen; j++) {
                dup |= strcmp(seen[j], stem) == 0;
            }
            if (!dup && n_seen < 256) {
                snprintf(seen[n_seen++], sizeof seen[0], "%s", stem);
                char full[MRL_PATH_MAX];
                snprintf(full, sizeof full, "%s/%s", dir, names[i]);
                fn(full, ctx);
            }
            free(names[i]);
        }
    }
}

void mrl_plugin_defaults(const MrlEnvApi* api, double* params) {
    for (int32_t i = 0; i < api->n_params; i++) {
        params[i] = api->params[i].def;
    }
}
