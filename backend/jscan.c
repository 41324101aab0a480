/* jscan.c - the simple-request reader of jscan.h. */
#include "backend/jscan.h"

#include <string.h>

typedef struct {
    const char *p, *end;
} cur;

/* Skips JSON whitespace. */
static void ws(cur *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

/* Reads a string of printable ASCII without escapes; the cursor is on the opening quote. */
static int str(cur *c, const char **s, size_t *n)
{
    if (c->p >= c->end || *c->p != '"')
        return -1;
    const char *start = ++c->p;
    while (c->p < c->end && *c->p != '"') {
        unsigned char ch = (unsigned char)*c->p;
        if (ch < 0x20 || ch > 0x7e || ch == '\\')
            return -1;
        c->p++;
    }
    if (c->p >= c->end)
        return -1;
    *s = start;
    *n = (size_t)(c->p - start);
    c->p++;
    return 0;
}

/* Reads a literal word (true, false, null). */
static int word(cur *c, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, w, n) != 0)
        return -1;
    c->p += n;
    return 0;
}

/* Reads a scalar into v: a simple string, an integer of at most 15 digits, true, false or
 * null. A number with a fraction or exponent is not simple. */
static int scalar(cur *c, sb_jval *v)
{
    if (c->p >= c->end)
        return -1;
    char ch = *c->p;
    if (ch == '"') {
        v->type = SB_JV_STRING;
        return str(c, &v->str, &v->str_len);
    }
    if (ch == 't' || ch == 'f') {
        v->type = SB_JV_BOOL;
        v->num = ch == 't';
        return word(c, ch == 't' ? "true" : "false");
    }
    if (ch == 'n') {
        v->type = SB_JV_NULL;
        return word(c, "null");
    }
    int neg = 0;
    if (ch == '-') {
        neg = 1;
        c->p++;
    }
    const char *d = c->p;
    int64_t n = 0;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9' && c->p - d < 16)
        n = n * 10 + (*c->p++ - '0');
    size_t digits = (size_t)(c->p - d);
    if (digits == 0 || digits > 15 || (digits > 1 && *d == '0'))
        return -1;
    if (c->p < c->end && (*c->p == '.' || *c->p == 'e' || *c->p == 'E' || *c->p == '-' ||
                          *c->p == '+' || (*c->p >= '0' && *c->p <= '9')))
        return -1;
    v->type = SB_JV_INT;
    v->num = neg ? -n : n;
    return 0;
}

/* Reads the parameters object (scalars only) into r->params; the cursor is on its "{". */
static int params(cur *c, sb_jreq *r)
{
    c->p++;
    ws(c);
    if (c->p < c->end && *c->p == '}') {
        c->p++;
        return 0;
    }
    for (;;) {
        if (r->n_params == SB_JSCAN_MAX_PARAMS)
            return -1;
        sb_jval *v = &r->params[r->n_params];
        ws(c);
        if (str(c, &v->key, &v->key_len) < 0)
            return -1;
        for (size_t i = 0; i < r->n_params; i++)
            if (r->params[i].key_len == v->key_len &&
                memcmp(r->params[i].key, v->key, v->key_len) == 0)
                return -1; /* duplicates: leave the choice to jansson */
        ws(c);
        if (c->p >= c->end || *c->p++ != ':')
            return -1;
        ws(c);
        if (scalar(c, v) < 0)
            return -1;
        r->n_params++;
        ws(c);
        if (c->p >= c->end)
            return -1;
        if (*c->p == '}') {
            c->p++;
            return 0;
        }
        if (*c->p++ != ',')
            return -1;
    }
}

int sb_jscan(const char *line, size_t len, sb_jreq *r)
{
    cur c = {line, line + len};
    r->method = NULL;
    r->has_params = 0;
    r->n_params = 0;
    ws(&c);
    if (c.p >= c.end || *c.p++ != '{')
        return -1;
    for (;;) {
        const char *key;
        size_t klen;
        ws(&c);
        if (str(&c, &key, &klen) < 0)
            return -1;
        ws(&c);
        if (c.p >= c.end || *c.p++ != ':')
            return -1;
        ws(&c);
        if (klen == 6 && memcmp(key, "method", 6) == 0) {
            if (r->method || str(&c, &r->method, &r->method_len) < 0)
                return -1;
        } else if (klen == 10 && memcmp(key, "parameters", 10) == 0) {
            if (r->has_params || c.p >= c.end || *c.p != '{' || params(&c, r) < 0)
                return -1;
            r->has_params = 1;
        } else {
            return -1; /* other members: rare, leave them to jansson */
        }
        ws(&c);
        if (c.p >= c.end)
            return -1;
        if (*c.p == '}') {
            c.p++;
            break;
        }
        if (*c.p++ != ',')
            return -1;
    }
    ws(&c);
    return c.p == c.end && r->method ? 0 : -1;
}

const sb_jval *sb_jreq_param(const sb_jreq *r, const char *key)
{
    size_t n = strlen(key);
    for (size_t i = 0; i < r->n_params; i++)
        if (r->params[i].key_len == n && memcmp(r->params[i].key, key, n) == 0)
            return &r->params[i];
    return NULL;
}
