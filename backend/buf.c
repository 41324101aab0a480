/* buf.c - the growable reply buffer of buf.h. */
#include "backend/buf.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int sb_buf_reserve(sb_buf *b, size_t n)
{
    if (b->cap - b->len >= n)
        return 0;
    if (n > SIZE_MAX / 2 - b->len)
        return -1;
    size_t nc = b->cap ? b->cap : 256;
    while (nc - b->len < n)
        nc *= 2;
    char *p = malloc(nc);
    if (!p)
        return -1;
    if (b->p) {
        memcpy(p, b->p, b->len);
        sodium_memzero(b->p, b->cap);
        free(b->p);
    }
    b->p = p;
    b->cap = nc;
    return 0;
}

int sb_buf_put(sb_buf *b, const char *s, size_t n)
{
    if (sb_buf_reserve(b, n) < 0)
        return -1;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    return 0;
}

int sb_buf_puts(sb_buf *b, const char *s)
{
    return sb_buf_put(b, s, strlen(s));
}

int sb_buf_json_str(sb_buf *b, const char *s, size_t n)
{
    static const char HEX[] = "0123456789abcdef";
    if (n > SIZE_MAX / 8 || sb_buf_reserve(b, n * 6 + 2) < 0) /* worst case: all \u00XX */
        return -1;
    char *o = b->p + b->len;
    *o++ = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            *o++ = '\\';
            *o++ = (char)c;
        } else if (c == '\n') {
            *o++ = '\\';
            *o++ = 'n';
        } else if (c < 0x20 || c == 0x7f) {
            *o++ = '\\';
            *o++ = 'u';
            *o++ = '0';
            *o++ = '0';
            *o++ = HEX[c >> 4];
            *o++ = HEX[c & 15];
        } else {
            *o++ = (char)c;
        }
    }
    *o++ = '"';
    b->len = (size_t)(o - b->p);
    return 0;
}

int sb_buf_int(sb_buf *b, int64_t v)
{
    char tmp[24];
    size_t i = sizeof tmp;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        tmp[--i] = '-';
    return sb_buf_put(b, tmp + i, sizeof tmp - i);
}

void sb_buf_clear(sb_buf *b)
{
    if (b->p)
        sodium_memzero(b->p, b->len);
    b->len = 0;
}

void sb_buf_free(sb_buf *b)
{
    if (!b)
        return;
    if (b->p) {
        sodium_memzero(b->p, b->cap);
        free(b->p);
    }
    b->p = NULL;
    b->len = b->cap = 0;
}
