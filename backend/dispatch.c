/* dispatch.c - request parsing, method table and reply encoding. */
#include "backend/dispatch.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "backend/fast.h"
#include "backend/jscan.h"
#include "backend/methods.h"
#include "backend/stats.h"

typedef struct {
    const char *name;
    sb_method_fn fn;
} method;

static const method METHODS[] = {
    {"initialize", sb_m_initialize},
    {"lookup", sb_m_lookup},
    {"list", sb_m_list},
    {"getDomainInfo", sb_m_get_domain_info},
    {"getAllDomains", sb_m_get_all_domains},
    {"getUpdatedMasters", sb_m_get_updated_masters},
    {"setNotified", sb_m_set_notified},
    {"getAllDomainMetadata", sb_m_get_all_domain_metadata},
    {"getDomainMetadata", sb_m_get_domain_metadata},
    {"getDomainKeys", sb_m_get_domain_keys},
    {"getBeforeAndAfterNamesAbsolute", sb_m_get_before_and_after},
    {"getTSIGKey", sb_m_get_tsig_key},
    {"getTSIGKeys", sb_m_get_tsig_keys},
    {"setTSIGKey", sb_m_set_tsig_key},
    {"deleteTSIGKey", sb_m_delete_tsig_key},
};

/* Allocation with a size header so that free can wipe the block. */
static void *wiping_malloc(size_t n)
{
    size_t *p = malloc(n + sizeof(max_align_t));
    if (!p)
        return NULL;
    *p = n;
    return (char *)p + sizeof(max_align_t);
}

static void wiping_free(void *ptr)
{
    if (!ptr)
        return;
    size_t *p = (size_t *)((char *)ptr - sizeof(max_align_t));
    sodium_memzero(ptr, *p);
    free(p);
}

void sb_json_wiping_alloc(void)
{
    json_set_alloc_funcs(wiping_malloc, wiping_free);
}

/* Appends reply (a reference taken) as one compact line to out. Returns 0, or -1 when out
 * of memory or reply is NULL. */
static int encode_into(json_t *reply, sb_buf *out)
{
    if (!reply)
        return -1;
    size_t n = json_dumpb(reply, NULL, 0, JSON_COMPACT);
    int rc = -1;
    if (n && sb_buf_reserve(out, n + 1) == 0 &&
        json_dumpb(reply, out->p + out->len, n, JSON_COMPACT) == n) {
        out->p[out->len + n] = '\n';
        out->len += n + 1;
        rc = 0;
    }
    json_decref(reply);
    return rc;
}

/* Encodes reply (a reference taken) as a malloc'd line; NULL when out of memory. */
static char *encode(json_t *reply, size_t *outlen)
{
    sb_buf b = {0};
    if (encode_into(reply, &b) < 0) {
        sb_buf_free(&b);
        return NULL;
    }
    *outlen = b.len;
    return b.p;
}

/* An error reply {"result": false, "log": [msg]} appended to out. jansson takes only UTF-8,
 * and msg may quote a request that is not UTF-8 (jansson's own parse errors do) or be cut
 * inside a character: such a msg is sent with every byte outside printable ASCII as '?'. */
static int error_into(const char *msg, sb_buf *out)
{
    json_t *reply = json_pack("{s:b, s:[s]}", "result", 0, "log", msg);
    if (!reply) {
        char clean[600];
        size_t i = 0;
        for (; msg[i] && i < sizeof clean - 1; i++)
            clean[i] = msg[i] >= 0x20 && msg[i] < 0x7f ? msg[i] : '?';
        clean[i] = '\0';
        reply = json_pack("{s:b, s:[s]}", "result", 0, "log", clean);
    }
    return encode_into(reply, out);
}

char *sb_error_reply(const char *msg, size_t *outlen)
{
    return encode(json_pack("{s:b, s:[s]}", "result", 0, "log", msg), outlen);
}

/* The general path: the whole request through jansson and the handlers of methods.h;
 * SB_STATS_METHOD answered from st (false when st is NULL). Fills *call. */
static int slow(sb_store *s, const sb_stats *st, const char *line, size_t len, sb_buf *out,
                sb_call *call)
{
    json_error_t jerr;
    json_t *req = json_loadb(line, len, 0, &jerr);
    char msg[600];
    call->method = SB_M_OTHER;
    call->error = 1; /* until a handler answers */
    if (!req) {
        snprintf(msg, sizeof msg, "malformed JSON at position %d: %s", jerr.position, jerr.text);
        return error_into(msg, out);
    }
    if (!json_is_object(req)) {
        json_decref(req);
        return error_into("a request must be a JSON object", out);
    }
    json_t *m = json_object_get(req, "method");
    json_t *params = json_object_get(req, "parameters");
    const char *err = NULL;
    if (!m)
        err = "missing 'method'";
    else if (!json_is_string(m))
        err = "'method' must be a string";
    else if (params && !json_is_object(params))
        err = "'parameters' must be an object";
    if (!err)
        call->method = sb_stats_method(json_string_value(m), json_string_length(m));
    if (err) {
        json_decref(req);
        return error_into(err, out);
    }
    call->error = 0;
    if (call->method == SB_M_UNCOUNTED) {
        json_decref(req);
        return st ? sb_stats_render(st, out) : encode_into(json_pack("{s:b}", "result", 0), out);
    }
    const method *found = NULL;
    for (size_t i = 0; i < sizeof METHODS / sizeof METHODS[0]; i++)
        if (strcmp(METHODS[i].name, json_string_value(m)) == 0)
            found = &METHODS[i];
    if (!found) {
        json_decref(req);
        return encode_into(json_pack("{s:b}", "result", 0), out);
    }
    json_t *empty = params ? NULL : json_object();
    sd_err e;
    sd_err_clear(&e);
    json_t *result = NULL;
    int rc = sb_store_begin(s, &e);
    if (rc == 0) {
        rc = found->fn(s, params ? params : empty, &result, &e);
        sb_store_end(s);
    }
    json_decref(empty);
    json_decref(req);
    if (rc < 0) {
        snprintf(msg, sizeof msg, "%s: %s", found->name, e.msg[0] ? e.msg : "failed");
        call->error = 1;
        return error_into(msg, out);
    }
    if (rc == SB_FALSE || !result)
        return encode_into(json_pack("{s:b}", "result", 0), out);
    return encode_into(json_pack("{s:o}", "result", result), out);
}

int sb_dispatch_counted(sb_store *s, const sb_stats *st, const char *line, size_t len, sb_buf *out,
                        sb_call *call)
{
    sb_call ignored;
    if (!call)
        call = &ignored;
    sb_jreq r;
    if (sb_jscan(line, len, &r) == 0) {
        int rc = sb_fast(s, &r, out);
        if (rc != 0) {
            call->method = sb_stats_method(r.method, r.method_len);
            call->error = 0;
            return rc < 0 ? -1 : 0;
        }
    }
    return slow(s, st, line, len, out, call);
}

int sb_dispatch_into(sb_store *s, const char *line, size_t len, sb_buf *out)
{
    return sb_dispatch_counted(s, NULL, line, len, out, NULL);
}

char *sb_dispatch(sb_store *s, const char *line, size_t len, size_t *outlen)
{
    sb_buf b = {0};
    if (sb_dispatch_into(s, line, len, &b) < 0) {
        sb_buf_free(&b);
        return NULL;
    }
    *outlen = b.len;
    return b.p;
}
