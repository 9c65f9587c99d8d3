// testbandit.c — the in-process test bandit (tests/support/bandit_env.h) as a
// plugin, for end-to-end tests of `metarl train` (tests/test_cli_train.c).
#include "../support/bandit_env.h"

MRL_EXPORT const MrlEnvApi* mrl_plugin_entry(void) {
    return &tb_api;
}
