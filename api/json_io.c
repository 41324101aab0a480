/* json_io.c - request bodies in, JSON responses and errors out. */
#include "api/json_io.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int api_parse_body(const char *buf, size_t len, json_t **out, sd_err *e)
{
    *out = NULL;
    size_t i = 0;
    while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
        i++;
    if (i == len)
        return 0;
    json_error_t je;
    json_t *j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
    if (!j)
        return sd_fail(e, SD_EBADINPUT, "invalid JSON body: %s (at byte %d)", je.text, je.position);
    if (!json_is_object(j)) {
        json_decref(j);
        return sd_fail(e, SD_EBADINPUT, "the request body must be a JSON object");
    }
    *out = j;
    return 0;
}

/* Length of the valid UTF-8 sequence at s (1 to 4), or 0 if the bytes there are not one. */
static size_t utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    size_t n;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    unsigned cp = c & (0x3f >> (n - 1));
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

json_t *api_str(const char *s)
{
    if (!s)
        return json_null();
    json_t *j = json_string(s);
    if (j)
        return j;
    size_t len = strlen(s);
    char *copy = malloc(len + 1);
    if (!copy)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_len((const unsigned char *)s + i);
        if (n == 0) {
            copy[o++] = '?';
            i++;
            continue;
        }
        memcpy(copy + o, s + i, n);
        o += n;
        i += n;
    }
    copy[o] = '\0';
    j = json_string(copy);
    free(copy);
    return j;
}

void api_reply(api_resp *rs, int status, json_t *body)
{
    json_decref(rs->body);
    rs->status = status;
    rs->body = body;
}

void api_error(api_resp *rs, int status, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n < 0)
        snprintf(msg, sizeof msg, "error");
    json_t *o = json_object();
    json_object_set_new(o, "error", api_str(msg));
    json_object_set_new(o, "code", json_integer(status));
    api_reply(rs, status, o);
}

void api_fail(api_resp *rs, const sd_err *e)
{
    int code = e->code;
    if (code != SD_EBADINPUT && code != SD_ENOTFOUND && code != SD_ECONFLICT && code != SD_EBUSY)
        code = SD_EINTERNAL;
    api_error(rs, code, "%s", e->msg[0] ? e->msg : "internal error");
    if (code == SD_EBUSY)
        rs->retry_after = 1;
}

int api_only_fields(const json_t *body, const char *const *allowed, api_resp *rs)
{
    if (!body)
        return 0;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)body, key, v)
    {
        int ok = 0;
        for (size_t i = 0; allowed && allowed[i]; i++)
            if (strcmp(key, allowed[i]) == 0)
                ok = 1;
        if (!ok) {
            api_error(rs, 400, "unknown field '%.64s' in the request body", key);
            return -1;
        }
    }
    return 0;
}

int api_int_field(const json_t *obj, const char *key, int required, long long lo, long long hi,
                  long long *out, int *present, api_resp *rs)
{
    json_t *v = obj ? json_object_get(obj, key) : NULL;
    if (present)
        *present = v != NULL;
    if (!v) {
        if (required) {
            api_error(rs, 400, "missing field '%s'", key);
            return -1;
        }
        return 0;
    }
    if (!json_is_integer(v)) {
        api_error(rs, 400, "field '%s' must be an integer", key);
        return -1;
    }
    long long x = json_integer_value(v);
    if (x < lo || x > hi) {
        api_error(rs, 400, "field '%s' must be between %lld and %lld", key, lo, hi);
        return -1;
    }
    *out = x;
    return 0;
}

int api_str_field(const json_t *obj, const char *key, int required, size_t maxlen, const char **out,
                  api_resp *rs)
{
    json_t *v = obj ? json_object_get(obj, key) : NULL;
    *out = NULL;
    if (!v) {
        if (required) {
            api_error(rs, 400, "missing field '%s'", key);
            return -1;
        }
        return 0;
    }
    if (!json_is_string(v)) {
        api_error(rs, 400, "field '%s' must be a string", key);
        return -1;
    }
    size_t len = json_string_length(v);
    if (len == 0 || len > maxlen) {
        api_error(rs, 400, "field '%s' must be 1 to %zu bytes long", key, maxlen);
        return -1;
    }
    *out = json_string_value(v);
    return 0;
}

int api_query_int(const api_req *rq, const char *key, long long lo, long long hi, long long def,
                  long long *out, api_resp *rs)
{
    const char *v = rq->query ? rq->query(rq->qctx, key) : NULL;
    *out = def;
    if (!v)
        return 0;
    char *end = NULL;
    errno = 0;
    long long x = isdigit((unsigned char)v[0]) ? strtoll(v, &end, 10) : 0;
    if (!isdigit((unsigned char)v[0]) || errno || *end || x < lo || x > hi) {
        api_error(rs, 400, "query parameter '%s' must be a whole number between %lld and %lld", key,
                  lo, hi);
        return -1;
    }
    *out = x;
    return 0;
}
