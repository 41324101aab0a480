/* log.c - stderr logging with a level threshold. */
#include "backend/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The configured threshold: set once at start-up, read-only afterwards. */
static int threshold = SB_LOG_INFO;

static const char *const NAMES[] = {"error", "warning", "info", "debug"};

int sb_log_set_level(const char *name)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(name, NAMES[i]) == 0) {
            threshold = i;
            return 0;
        }
    return -1;
}

void sb_log(int level, const char *fmt, ...)
{
    if (level > threshold)
        return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fprintf(stderr, "scaidns-backend: %s: %s\n", NAMES[level], buf);
}
