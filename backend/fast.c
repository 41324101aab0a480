/* fast.c - lookup, getDomainKeys, getAllDomainMetadata and getBeforeAndAfterNamesAbsolute
 * without jansson (fast.h). Each
 * answer must be exactly what the handler of the same name in m_*.c would give. */
#include "backend/fast.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "backend/methods.h"
#include "lifecycle/keystate.h"

#define NOT_FAST 0
#define ANSWERED 1

/* Copies a string parameter into dst (size n) NUL terminated. Returns 0, or -1 when it is
 * missing, not a string or too long. */
static int str_param(const sb_jreq *r, const char *key, char *dst, size_t n)
{
    const sb_jval *v = sb_jreq_param(r, key);
    if (!v || v->type != SB_JV_STRING || v->str_len >= n)
        return -1;
    memcpy(dst, v->str, v->str_len);
    dst[v->str_len] = '\0';
    return 0;
}

/* Appends the records of name in z, as m_records.c's add_records does, each preceded by a
 * comma unless *first. qname is the name as asked (printable ASCII without quotes or
 * backslashes, so it needs no escaping). */
static int add_records(sb_store *s, sb_zone *z, const char *qname, const char *name,
                       const char *want, sb_buf *out, int *first, sd_err *e)
{
    const sb_zindex *x = sb_store_index(s, z, e);
    const sb_zrecs *rs = x ? sb_store_records(s, z, e) : NULL;
    if (!rs)
        return -1;
    const sb_name *nm = sb_zindex_find(x, name);
    if (!nm)
        return 0;
    size_t idx = (size_t)(nm - x->names);
    size_t ql = strlen(qname);
    if (!(nm->flags & SB_N_RECORDS)) {
        if (want)
            return 0;
        if ((!*first && sb_buf_put(out, ",", 1) < 0) || sb_buf_puts(out, "{\"qname\":\"") < 0 ||
            sb_buf_put(out, qname, ql) < 0 ||
            sb_buf_puts(out, "\",\"qtype\":\"ENT\",\"content\":\"\",\"ttl\":0,\"auth\":") < 0 ||
            sb_buf_puts(out, (nm->flags & SB_N_OCCLUDED) ? "0" : "1") < 0 ||
            sb_buf_puts(out, ",\"domain_id\":") < 0 || sb_buf_int(out, z->id) < 0 ||
            sb_buf_put(out, "}", 1) < 0)
            return sd_fail(e, SD_EINTERNAL, "out of memory");
        *first = 0;
        return 0;
    }
    for (size_t i = rs->first[idx]; i < rs->first[idx + 1]; i++) {
        const sb_rec *rec = &rs->recs[i];
        if (want && strcmp(rec->type, want) != 0)
            continue;
        if (sb_buf_reserve(out, ql + rec->frag_len + 16) < 0)
            return sd_fail(e, SD_EINTERNAL, "out of memory");
        if (!*first)
            sb_buf_put(out, ",", 1);
        sb_buf_put(out, "{\"qname\":\"", 10);
        sb_buf_put(out, qname, ql);
        sb_buf_put(out, "\"", 1);
        sb_buf_put(out, rec->frag, rec->frag_len);
        *first = 0;
    }
    return 0;
}

/* lookup: see sb_m_lookup. */
static int lookup(sb_store *s, const sb_jreq *r, sb_buf *out, sd_err *e)
{
    char qtype[32], qname[1024], name[SD_NAME_MAX];
    if (str_param(r, "qtype", qtype, sizeof qtype) < 0 || qtype[0] == '\0' ||
        str_param(r, "qname", qname, sizeof qname) < 0)
        return NOT_FAST;
    int64_t zone_id = -1;
    const sb_jval *zv = sb_jreq_param(r, "zone-id");
    if (zv && (zv->type != SB_JV_INT || zv->num < -1 || zv->num > INT32_MAX))
        return NOT_FAST;
    if (zv)
        zone_id = zv->num;
    for (char *p = qtype; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 32);
    const char *want = strcmp(qtype, "ANY") == 0 ? NULL : qtype;
    if (sb_buf_puts(out, "{\"result\":[") < 0)
        return -1;
    int first = 1;
    if (sb_dname_lower(qname, name, sizeof name) == 0) {
        if (zone_id != -1) {
            sb_zone *z = sb_store_zone_by_id(s, zone_id, e);
            if (!z && e->code)
                return NOT_FAST;
            if (z && !z->keys_only && sb_dname_in(name, z->name) &&
                add_records(s, z, qname, name, want, out, &first, e) < 0)
                return NOT_FAST;
        } else {
            for (const char *p = name; p; p = sb_dname_parent(p)) {
                sb_zone *z = sb_store_zone_by_name(s, p, e);
                if (!z && e->code)
                    return NOT_FAST;
                if (z && !z->keys_only && add_records(s, z, qname, name, want, out, &first, e) < 0)
                    return NOT_FAST;
            }
        }
    }
    return sb_buf_puts(out, "]}\n") < 0 ? -1 : ANSWERED;
}

/* Finds the zone named by the "name" parameter. Returns ANSWERED with *z NULL when it is
 * not ours (the reply is then false), NOT_FAST on bad parameters or a database error. */
static int zone_param(sb_store *s, const sb_jreq *r, sb_zone **z, sd_err *e)
{
    char name[1024], zname[SD_NAME_MAX];
    *z = NULL;
    if (str_param(r, "name", name, sizeof name) < 0)
        return NOT_FAST;
    if (sb_dname_lower(name, zname, sizeof zname) < 0)
        return ANSWERED;
    *z = sb_store_zone_by_name(s, zname, e);
    return !*z && e->code ? NOT_FAST : ANSWERED;
}

/* Renders the zone's keys as sb_m_get_domain_keys does into tmp (which the caller wipes). */
static int render_keys(sb_store *s, sb_zone *z, sb_buf *tmp, sd_err *e)
{
    const sd_seal_keys *seal = sb_store_seal(s);
    sqlite3_stmt *st = seal ? sb_store_stmt(s, SB_Q_KEYS, e) : NULL;
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, z->id);
    int rc = SQLITE_DONE, fail = sb_buf_put(tmp, "[", 1);
    while (!fail && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *kid = (const char *)sqlite3_column_text(st, 1);
        const char *state = (const char *)sqlite3_column_text(st, 3);
        const void *blob = sqlite3_column_blob(st, 4);
        int blen = sqlite3_column_bytes(st, 4);
        char *text = NULL;
        if (!kid || !state || !blob || blen <= 0 ||
            sd_unseal(seal, z->name, kid, blob, (size_t)blen, &text, e) < 0) {
            fail = -1;
            break;
        }
        const sd_key_state_info *si = sd_key_state_info_of(sd_key_state_parse(state));
        int active = si->signs, published = si->in_dnskey;
        fail = (tmp->len > 1 && sb_buf_put(tmp, ",", 1) < 0) || sb_buf_puts(tmp, "{\"id\":") < 0 ||
               sb_buf_int(tmp, sqlite3_column_int64(st, 0)) < 0 ||
               sb_buf_puts(tmp, ",\"flags\":") < 0 ||
               sb_buf_int(tmp, sqlite3_column_int(st, 2)) < 0 ||
               sb_buf_puts(tmp, active ? ",\"active\":true" : ",\"active\":false") < 0 ||
               sb_buf_puts(tmp, published ? ",\"published\":true" : ",\"published\":false") < 0 ||
               sb_buf_puts(tmp, ",\"content\":") < 0 ||
               sb_buf_json_str(tmp, text, strlen(text)) < 0 || sb_buf_put(tmp, "}", 1) < 0;
        sodium_memzero(text, strlen(text));
        free(text);
    }
    sqlite3_reset(st);
    if (fail || rc != SQLITE_DONE || sb_buf_put(tmp, "]", 1) < 0)
        return -1;
    return 0;
}

/* getDomainKeys: see sb_m_get_domain_keys. The rendered reply is kept in the store's secret
 * arena until the keystore changes (sarena.h). */
static int domain_keys(sb_store *s, const sb_jreq *r, sb_buf *out, sd_err *e)
{
    sb_zone *z;
    int rc = zone_param(s, r, &z, e);
    if (rc != ANSWERED)
        return rc;
    if (!z)
        return sb_buf_puts(out, "{\"result\":false}\n") < 0 ? -1 : ANSWERED;
    if (!z->keys) {
        sb_buf tmp = {0};
        if (render_keys(s, z, &tmp, e) == 0)
            z->keys = sb_store_keep_secret(s, tmp.p, tmp.len);
        z->keys_len = z->keys ? tmp.len : 0;
        sb_buf_free(&tmp);
        if (!z->keys)
            return NOT_FAST;
    }
    if (sb_buf_reserve(out, z->keys_len + 16) < 0)
        return -1;
    sb_buf_puts(out, "{\"result\":");
    sb_buf_put(out, z->keys, z->keys_len);
    sb_buf_puts(out, "}\n");
    return ANSWERED;
}

/* getAllDomainMetadata: see sb_m_get_all_domain_metadata; rendered once per zone. */
static int all_metadata(sb_store *s, const sb_jreq *r, sb_buf *out, sd_err *e)
{
    sb_zone *z;
    int rc = zone_param(s, r, &z, e);
    if (rc != ANSWERED)
        return rc;
    if (!z)
        return sb_buf_puts(out, "{\"result\":false}\n") < 0 ? -1 : ANSWERED;
    if (!z->meta) {
        json_t *m;
        if (sb_zone_metadata(s, z, &m, e) < 0)
            return NOT_FAST;
        size_t n = json_dumpb(m, NULL, 0, JSON_COMPACT);
        z->meta = n ? malloc(n) : NULL;
        if (z->meta && json_dumpb(m, z->meta, n, JSON_COMPACT) != n) {
            free(z->meta);
            z->meta = NULL;
        }
        json_decref(m);
        if (!z->meta)
            return NOT_FAST;
        z->meta_len = n;
    }
    if (sb_buf_reserve(out, z->meta_len + 16) < 0)
        return -1;
    sb_buf_puts(out, "{\"result\":");
    sb_buf_put(out, z->meta, z->meta_len);
    sb_buf_puts(out, "}\n");
    return ANSWERED;
}

/* Appends the form of name relative to zone as a JSON string: "" for the apex, else name
 * without ".zone." (what m_nsec.c's relative() gives). */
static int put_relative(sb_buf *out, const char *name, const char *zone)
{
    if (strcmp(name, zone) == 0)
        return sb_buf_puts(out, "\"\"");
    size_t n = strlen(name), z = strcmp(zone, ".") == 0 ? 0 : strlen(zone);
    return sb_buf_json_str(out, name, n - z - 1);
}

/* getBeforeAndAfterNamesAbsolute: see sb_m_get_before_and_after. */
static int before_after(sb_store *s, const sb_jreq *r, sb_buf *out, sd_err *e)
{
    char qname[1024];
    const sb_jval *id = sb_jreq_param(r, "id");
    if (!id || id->type != SB_JV_INT || id->num < 0 || id->num > INT32_MAX ||
        str_param(r, "qname", qname, sizeof qname) < 0)
        return NOT_FAST;
    sb_zone *z = sb_store_zone_by_id(s, id->num, e);
    if (!z && e->code)
        return NOT_FAST;
    if (!z || z->keys_only)
        return sb_buf_puts(out, "{\"result\":false}\n") < 0 ? -1 : ANSWERED;
    const sb_name *before, *after;
    int is_nsec3;
    if (sb_nsec_neighbours(s, z, qname, &before, &after, &is_nsec3, e) < 0)
        return NOT_FAST;
    int fail = sb_buf_puts(out, "{\"result\":{\"before\":") < 0;
    if (is_nsec3)
        fail = fail || sb_buf_json_str(out, before->hash, strlen(before->hash)) < 0 ||
               sb_buf_puts(out, ",\"after\":") < 0 ||
               sb_buf_json_str(out, after->hash, strlen(after->hash)) < 0;
    else
        fail = fail || put_relative(out, before->name, z->name) < 0 ||
               sb_buf_puts(out, ",\"after\":") < 0 || put_relative(out, after->name, z->name) < 0;
    fail = fail || sb_buf_puts(out, ",\"unhashed\":") < 0 ||
           sb_buf_json_str(out, before->name, strlen(before->name)) < 0 ||
           sb_buf_puts(out, "}}\n") < 0;
    return fail ? -1 : ANSWERED;
}

/* Whether the method of r is name. */
static int is(const sb_jreq *r, const char *name)
{
    size_t n = strlen(name);
    return r->method_len == n && memcmp(r->method, name, n) == 0;
}

int sb_fast(sb_store *s, const sb_jreq *r, sb_buf *out)
{
    int (*fn)(sb_store *, const sb_jreq *, sb_buf *, sd_err *);
    if (is(r, "lookup"))
        fn = lookup;
    else if (is(r, "getDomainKeys"))
        fn = domain_keys;
    else if (is(r, "getAllDomainMetadata"))
        fn = all_metadata;
    else if (is(r, "getBeforeAndAfterNamesAbsolute"))
        fn = before_after;
    else
        return NOT_FAST;
    sd_err e;
    sd_err_clear(&e);
    if (sb_store_begin(s, &e) < 0)
        return NOT_FAST;
    size_t start = out->len;
    int rc = fn(s, r, out, &e);
    sb_store_end(s);
    if (rc != ANSWERED && out->len > start) {
        sodium_memzero(out->p + start, out->len - start);
        out->len = start;
    }
    return rc;
}
