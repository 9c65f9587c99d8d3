// machine.c — what machine a benchmark ran on (see cli.h).
#include <stdio.h>
#include <string.h>

#include "cli.h"

void mrl_cli_cpu_model(char* out, size_t n) {
    snprintf(out, n, "unknown CPU");
    FILE* f = fopen("/proc/cpuinfo", "r");
    if (!f) {
        return;
    }
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) == 0) {
            const char* c = strchr(line, ':');
            if (c) {
                snprintf(out, n, "%s", c + 2);
                out[strcspn(out, "\n")] = '\0';
            }
            break;
        }
    }
    fclose(f);
}
