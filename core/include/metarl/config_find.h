// metarl/config_find.h — looking up nodes of a loaded config by dotted path,
// for checks made outside the config module that still want a file:line:col
// (e.g. the command checks agent.kind against the agent registry).
//
//     const MrlNode* n = mrl_config_find(cfg, "agent.kind");
//     char where[256];
//     mrl_config_where(cfg, n, where, sizeof where); // "configs/x.yaml:7:9" or path if n is NULL
#ifndef METARL_CONFIG_FIND_H
#define METARL_CONFIG_FIND_H

#include "metarl/config.h"

// Returns the node at `dotted` ("agent.kind", "tasks.test_sets.large") in the
// tree after overrides, or NULL if it was not written (a default applies) or
// a part of the path is not a map. "" returns the root. The node belongs to
// `cfg` and lives until mrl_config_free. `cfg` and `dotted` may be NULL
// (returns NULL).
const MrlNode* mrl_config_find(const MrlConfig* cfg, const char* dotted);

#endif // METARL_CONFIG_FIND_H
