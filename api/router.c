/* router.c - matching request paths against route patterns. */
#include "api/router.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int api_pct_decode(const char *s, size_t len, char *out, size_t outlen)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= len || !isxdigit((unsigned char)s[i + 1]) ||
                !isxdigit((unsigned char)s[i + 2]))
                return -1;
            char hex[3] = {s[i + 1], s[i + 2], 0};
            c = (char)strtol(hex, NULL, 16);
            if (c == '\0')
                return -1;
            i += 2;
        }
        if (o + 1 >= outlen)
            return -2;
        out[o++] = c;
    }
    out[o] = '\0';
    return (int)o;
}

/* Splits path into at most max segments (start, length); returns the count, or -1 when the
 * path does not start with '/' or has too many segments. "/" alone has zero segments. */
static int split(const char *path, const char **seg, size_t *len, int max)
{
    if (path[0] != '/')
        return -1;
    if (path[1] == '\0')
        return 0;
    int n = 0;
    const char *p = path + 1;
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t l = slash ? (size_t)(slash - p) : strlen(p);
        if (n == max)
            return -1;
        seg[n] = p;
        len[n] = l;
        n++;
        if (!slash)
            return n;
        p = slash + 1;
    }
}

/* Matches the segments against one pattern; fills params. Returns 1 on a match. */
static int match_pattern(const char *pattern, char dec[][API_SEG_MAX + 1], int nseg, api_match *m)
{
    const char *pseg[16];
    size_t plen[16];
    int np = split(pattern, pseg, plen, 16);
    if (np != nseg)
        return 0;
    size_t nparams = 0;
    for (int i = 0; i < np; i++) {
        if (plen[i] > 2 && pseg[i][0] == '{') {
            if (dec[i][0] == '\0' || nparams == API_MAX_PARAMS)
                return 0;
            memcpy(m->params[nparams++], dec[i], strlen(dec[i]) + 1);
            continue;
        }
        if (strlen(dec[i]) != plen[i] || strncmp(dec[i], pseg[i], plen[i]) != 0)
            return 0;
    }
    m->nparams = nparams;
    return 1;
}

int api_route_match(const api_route *table, size_t n, const char *method, const char *path,
                    api_match *m)
{
    memset(m, 0, sizeof *m);
    const char *seg[16];
    size_t len[16];
    int nseg = split(path, seg, len, 16);
    if (nseg < 0)
        return 404;
    char dec[16][API_SEG_MAX + 1];
    for (int i = 0; i < nseg; i++) {
        int r = api_pct_decode(seg[i], len[i], dec[i], sizeof dec[i]);
        if (r == -1)
            return 400;
        if (r == -2)
            return 404; /* longer than any id or name can be */
    }
    int path_found = 0;
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        api_match tmp;
        if (!match_pattern(table[i].pattern, dec, nseg, &tmp))
            continue;
        if (strcmp(table[i].method, method) == 0) {
            memcpy(m->params, tmp.params, sizeof m->params);
            m->nparams = tmp.nparams;
            m->route = &table[i];
            return 200;
        }
        path_found = 1;
        int w = snprintf(m->allow + used, sizeof m->allow - used, "%s%s", used ? ", " : "",
                         table[i].method);
        if (w > 0 && (size_t)w < sizeof m->allow - used)
            used += (size_t)w;
    }
    return path_found ? 405 : 404;
}
