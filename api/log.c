/* log.c - request and startup log lines on stderr. */
#include "api_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Appends s to buf at *used, escaping bytes outside printable ASCII, at most max source
 * bytes ("..." when cut). */
static void put_clean(char *buf, size_t len, size_t *used, const char *s, size_t max)
{
    size_t i;
    for (i = 0; s[i] && i < max; i++) {
        unsigned char c = (unsigned char)s[i];
        if (*used + 5 >= len)
            return;
        if (c < 0x21 || c > 0x7e || c == '\\')
            *used += (size_t)snprintf(buf + *used, len - *used, "\\x%02x", c);
        else
            buf[(*used)++] = (char)c;
    }
    if (s[i] && *used + 4 < len) {
        memcpy(buf + *used, "...", 3);
        *used += 3;
    }
    buf[*used] = '\0';
}

size_t api_log_format(char *buf, size_t len, const char *method, const char *path, int status,
                      double ms, const char *token_name)
{
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    size_t used = 0;
    int n = snprintf(buf, len, "%s ", when);
    if (n < 0 || (size_t)n >= len)
        return 0;
    used = (size_t)n;
    put_clean(buf, len, &used, method ? method : "-", 16);
    if (used + 1 < len)
        buf[used++] = ' ';
    put_clean(buf, len, &used, path ? path : "-", 256);
    n = snprintf(buf + used, len - used, " %d %.1fms token=", status, ms);
    if (n < 0 || (size_t)n >= len - used)
        return used;
    used += (size_t)n;
    put_clean(buf, len, &used, token_name && *token_name ? token_name : "-", 128);
    if (used + 1 < len) {
        buf[used++] = '\n';
        buf[used] = '\0';
    }
    return used;
}

void api_log_request(const char *method, const char *path, int status, double ms,
                     const char *token_name)
{
    char line[1024];
    size_t n = api_log_format(line, sizeof line, method, path, status, ms, token_name);
    if (n > 0 && write(STDERR_FILENO, line, n) < 0) {
        /* nothing sensible to do when stderr is gone */
    }
}

void api_log_msg(const char *fmt, ...)
{
    char line[1024];
    int n = snprintf(line, sizeof line, "scaidns-api: ");
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (m < 0)
        m = 0;
    size_t used =
        (size_t)n +
        ((size_t)m < sizeof line - (size_t)n - 1 ? (size_t)m : sizeof line - (size_t)n - 2);
    line[used++] = '\n';
    if (write(STDERR_FILENO, line, used) < 0) {
        /* nothing sensible to do when stderr is gone */
    }
}
