/* log.c - scaidns-api's one-line log messages on stderr (api/log.h). */
#include "api/log.h"

#include "lifecycle/notes.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The configured threshold: set once in main before any thread starts, read-only after. */
static int threshold = API_LOG_INFO;

static const char *const NAMES[] = {"error", "warning", "info", "debug"};

int api_log_set_level(const char *name)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(name, NAMES[i]) == 0) {
            threshold = i;
            return 0;
        }
    return -1;
}

int api_log_enabled(int level)
{
    return level <= threshold;
}

int api_log_request_level(const char *method, int status)
{
    if (status >= 500)
        return API_LOG_ERROR;
    if (status == 401 || status == 403)
        return API_LOG_WARNING;
    int reads = !method || strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0 ||
                strcmp(method, "OPTIONS") == 0;
    return !reads && status < 400 ? API_LOG_INFO : API_LOG_DEBUG;
}

/* The name of level (clamped to the known ones). */
static const char *level_name(int level)
{
    return NAMES[level < 0 ? 0 : level > 3 ? 3 : level];
}

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

size_t api_log_format(char *buf, size_t len, int level, const char *method, const char *path,
                      int status, double ms, const char *token_name)
{
    int n = snprintf(buf, len, "scaidns-api: %s: ", level_name(level));
    if (n < 0 || (size_t)n >= len)
        return 0;
    size_t used = (size_t)n;
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
    int level = api_log_request_level(method, status);
    if (!api_log_enabled(level))
        return;
    char line[1024];
    size_t n = api_log_format(line, sizeof line, level, method, path, status, ms, token_name);
    if (n > 0 && write(STDERR_FILENO, line, n) < 0) {
        /* nothing sensible to do when stderr is gone */
    }
}

void api_log_msg(int level, const char *fmt, ...)
{
    if (!api_log_enabled(level))
        return;
    char line[1024];
    int n = snprintf(line, sizeof line, "scaidns-api: %s: ", level_name(level));
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (m < 0)
        m = 0;
    size_t used =
        (size_t)n +
        ((size_t)m < sizeof line - (size_t)n - 1 ? (size_t)m : sizeof line - (size_t)n - 2);
    /* one event, one line: a newline inside the message (from an error text) becomes a space */
    for (size_t i = (size_t)n; i < used; i++)
        if (line[i] == '\n' || line[i] == '\r')
            line[i] = ' ';
    line[used++] = '\n';
    if (write(STDERR_FILENO, line, used) < 0) {
        /* nothing sensible to do when stderr is gone */
    }
}

void api_log_notes(const sd_notes *notes)
{
    static const int level[] = {API_LOG_ERROR, API_LOG_WARNING, API_LOG_INFO};
    for (size_t i = 0; i < notes->n; i++)
        api_log_msg(level[notes->v[i].level], "%s", notes->v[i].text);
    if (notes->dropped)
        api_log_msg(API_LOG_WARNING, "scheduler: %zu more notes dropped", notes->dropped);
}
