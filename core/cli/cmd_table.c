// cmd_table.c — the command table. Add a command: write cmd_<name>.c with
// its run function and usage, declare it here, add a row.
#include <stddef.h>

#include "cli.h"

const MrlCommand mrl_commands[] = {
    {NULL, NULL, NULL, NULL},
};
