/* dispatch.c - request parsing, method table and reply encoding. */
#include "dispatch.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "methods.h"

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

/* Encodes {"result": result} (result stolen) as one line. */
static char *encode(json_t *reply, size_t *outlen)
{
    if (!reply)
        return NULL;
    size_t n = json_dumpb(reply, NULL, 0, JSON_COMPACT);
    char *buf = n ? malloc(n + 1) : NULL;
    if (buf && json_dumpb(reply, buf, n, JSON_COMPACT) == n) {
        buf[n] = '\n';
        *outlen = n + 1;
    } else {
        free(buf);
        buf = NULL;
    }
    json_decref(reply);
    return buf;
}

char *sb_error_reply(const char *msg, size_t *outlen)
{
    return encode(json_pack("{s:b, s:[s]}", "result", 0, "log", msg), outlen);
}

char *sb_dispatch(sb_store *s, const char *line, size_t len, size_t *outlen)
{
    json_error_t jerr;
    json_t *req = json_loadb(line, len, 0, &jerr);
    char msg[600];
    if (!req) {
        snprintf(msg, sizeof msg, "malformed JSON at position %d: %s", jerr.position, jerr.text);
        return sb_error_reply(msg, outlen);
    }
    if (!json_is_object(req)) {
        json_decref(req);
        return sb_error_reply("a request must be a JSON object", outlen);
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
    if (err) {
        json_decref(req);
        return sb_error_reply(err, outlen);
    }
    const method *found = NULL;
    for (size_t i = 0; i < sizeof METHODS / sizeof METHODS[0]; i++)
        if (strcmp(METHODS[i].name, json_string_value(m)) == 0)
            found = &METHODS[i];
    if (!found) {
        json_decref(req);
        return encode(json_pack("{s:b}", "result", 0), outlen);
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
        return sb_error_reply(msg, outlen);
    }
    if (rc == SB_FALSE || !result)
        return encode(json_pack("{s:b}", "result", 0), outlen);
    return encode(json_pack("{s:o}", "result", result), outlen);
}
