/* m_records.c - lookup and list: records with PowerDNS's "auth" flag and empty
 * non-terminals. */
#include <stdint.h>
#include <string.h>

#include "keystore/db.h"
#include "backend/methods.h"
#include "backend/params.h"

/* Builds one record object as PowerDNS's RemoteBackend::get() reads it. "auth" must be a
 * number: PowerDNS reads it with intFromJson and would take a boolean as the default 1. */
static json_t *record(const char *qname, const char *type, int64_t ttl, const char *content,
                      int auth, int64_t zone_id)
{
    return json_pack("{s:s, s:s, s:s, s:I, s:i, s:I}", "qtype", type, "qname", qname, "content",
                     content, "ttl", (json_int_t)ttl, "auth", auth, "domain_id",
                     (json_int_t)zone_id);
}

/* What add_cds needs to append a CDS/CDNSKEY record. */
typedef struct cds_arg {
    json_t *arr;
    const sb_zindex *x;
    const sb_zone *z;
    const char *qname; /* as asked */
    const char *want;  /* one type, or NULL for both */
    int64_t ttl;
} cds_arg;

/* sd_cds_fn: appends one apex CDS/CDNSKEY record of the wanted type to the answer. */
static int add_one_cds(const char *type, const char *content, void *arg)
{
    cds_arg *a = arg;
    if (a->want && strcmp(a->want, type) != 0)
        return 0;
    json_t *r =
        record(a->qname, type, a->ttl, content, sb_zindex_auth(a->x, a->z->name, type), a->z->id);
    return !r || json_array_append_new(a->arr, r) < 0 ? -SD_EINTERNAL : 0;
}

/* Appends the zone's CDS and CDNSKEY records of type want (NULL: both), as the fast path's
 * zrecs.c serves them, shown with qname. */
static int add_cds(sb_store *s, sb_zone *z, const sb_zindex *x, const char *qname, const char *want,
                   json_t *arr, sd_err *e)
{
    if (want && strcmp(want, "CDS") != 0 && strcmp(want, "CDNSKEY") != 0)
        return 0;
    cds_arg a = {arr, x, z, qname, want, 0};
    return sb_store_cds(s, z, &a.ttl, add_one_cds, &a, e);
}

/* Appends the records of name (canonical; shown to PowerDNS as qname) in zone z to arr.
 * type NULL means all types, plus an ENT marker when name is an empty non-terminal. */
static int add_records(sb_store *s, sb_zone *z, const char *qname, const char *name,
                       const char *type, json_t *arr, sd_err *e)
{
    const sb_zindex *x = sb_store_index(s, z, e);
    if (!x)
        return -e->code;
    const sb_name *nm = sb_zindex_find(x, name);
    if (!nm)
        return 0;
    if (!(nm->flags & SB_N_RECORDS)) {
        if (!type) {
            json_t *r = record(qname, "ENT", 0, "", !(nm->flags & SB_N_OCCLUDED), z->id);
            if (!r || json_array_append_new(arr, r) < 0)
                return sd_fail(e, SD_EINTERNAL, "out of memory");
        }
        return 0;
    }
    sqlite3_stmt *st = sb_store_stmt(s, type ? SB_Q_RRSETS_NAME_TYPE : SB_Q_RRSETS_NAME, e);
    if (!st)
        return -e->code;
    sqlite3_bind_int64(st, 1, z->id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    if (type)
        sqlite3_bind_text(st, 3, type, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        const char *content = (const char *)sqlite3_column_text(st, 2);
        json_t *r = record(qname, t ? t : "", sqlite3_column_int64(st, 1), content ? content : "",
                           sb_zindex_auth(x, name, t ? t : ""), z->id);
        if (!r || json_array_append_new(arr, r) < 0) {
            sqlite3_reset(st);
            return sd_fail(e, SD_EINTERNAL, "out of memory");
        }
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return sd_db_fail(sb_store_db(s), e, "lookup");
    return strcmp(name, z->name) == 0 ? add_cds(s, z, x, qname, type, arr, e) : 0;
}

int sb_m_lookup(sb_store *s, json_t *params, json_t **result, sd_err *e)
{
    const char *qtype, *qname;
    int64_t zone_id;
    if (sb_param_str(params, "qtype", &qtype, e) < 0 ||
        sb_param_str(params, "qname", &qname, e) < 0 ||
        sb_param_int(params, "zone-id", 0, -1, -1, INT32_MAX, &zone_id, e) < 0)
        return -e->code;
    char type[32];
    size_t tl = strlen(qtype);
    if (tl == 0 || tl >= sizeof type)
        return sd_fail(e, SD_EBADINPUT, "parameter 'qtype' is not a record type");
    for (size_t i = 0; i <= tl; i++)
        type[i] = (char)(qtype[i] >= 'a' && qtype[i] <= 'z' ? qtype[i] - 32 : qtype[i]);
    const char *want = strcmp(type, "ANY") == 0 ? NULL : type;
    json_t *arr = json_array();
    if (!arr)
        return sd_fail(e, SD_EINTERNAL, "out of memory");
    char name[SD_NAME_MAX];
    if (sb_dname_lower(qname, name, sizeof name) < 0) {
        *result = arr; /* a name the keystore cannot hold: nothing here */
        return 0;
    }
    int rc = 0;
    if (zone_id != -1) {
        sb_zone *z = sb_store_zone_by_id(s, zone_id, e);
        if (!z && e->code)
            rc = -e->code;
        else if (z && !z->keys_only && sb_dname_in(name, z->name))
            rc = add_records(s, z, qname, name, want, arr, e);
    } else {
        /* Every zone the name falls in: a delegation's NS in the parent and the child's
         * apex may both be here, as with gsql's domain_id = -1. */
        for (const char *p = name; p && rc == 0; p = sb_dname_parent(p)) {
            sb_zone *z = sb_store_zone_by_name(s, p, e);
            if (!z && e->code)
                rc = -e->code;
            else if (z && !z->keys_only)
                rc = add_records(s, z, qname, name, want, arr, e);
        }
    }
    if (rc < 0) {
        json_decref(arr);
        return rc;
    }
    *result = arr;
    return 0;
}

/* Appends the empty non-terminals of zone z as PowerDNS's SQL backends list them (the rows
 * rectify-zone stores with no type and no content): an outgoing AXFR with
 * disable-axfr-rectify=yes takes them as they are, and an NSEC3 zone needs their NSEC3
 * records. "auth" says whether one gets an NSEC3: it is in the zone's NSEC3 chain (not below a
 * delegation, and with opt-out not only above insecure delegations); for NSEC, not below a
 * delegation (PowerDNS gives ENTs no NSEC). */
static int add_ents(const sb_zindex *x, const sb_zone *z, json_t *arr, sd_err *e)
{
    for (size_t i = 0; i < x->n; i++) {
        const sb_name *nm = &x->names[i];
        if (nm->flags & SB_N_RECORDS)
            continue;
        int auth = x->n_nsec3 ? (nm->flags & SB_N_NSEC3) != 0 : !(nm->flags & SB_N_OCCLUDED);
        json_t *r = record(nm->name, "ENT", 0, "", auth, z->id);
        if (!r || json_array_append_new(arr, r) < 0)
            return sd_fail(e, SD_EINTERNAL, "out of memory");
    }
    return 0;
}

int sb_m_list(sb_store *s, json_t *params, json_t **result, sd_err *e)
{
    const char *zonename;
    int64_t id;
    if (sb_param_str(params, "zonename", &zonename, e) < 0 ||
        sb_param_int(params, "domain_id", 0, -1, -1, INT32_MAX, &id, e) < 0)
        return -e->code;
    char zname[SD_NAME_MAX];
    if (sb_dname_lower(zonename, zname, sizeof zname) < 0)
        return sd_fail(e, SD_EBADINPUT, "parameter 'zonename' is not a domain name");
    sb_zone *z = id != -1 ? sb_store_zone_by_id(s, id, e) : sb_store_zone_by_name(s, zname, e);
    if (!z)
        return e->code ? -e->code : SB_FALSE;
    if (z->keys_only || strcmp(z->name, zname) != 0)
        return SB_FALSE;
    const sb_zindex *x = sb_store_index(s, z, e);
    if (!x)
        return -e->code;
    sqlite3_stmt *st = sb_store_stmt(s, SB_Q_LIST, e);
    if (!st)
        return -e->code;
    sqlite3_bind_int64(st, 1, z->id);
    json_t *arr = json_array();
    int rc = SQLITE_DONE;
    while (arr && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *n = (const char *)sqlite3_column_text(st, 0);
        const char *t = (const char *)sqlite3_column_text(st, 1);
        const char *content = (const char *)sqlite3_column_text(st, 3);
        char name[SD_NAME_MAX];
        if (!n || !t || sb_dname_lower(n, name, sizeof name) < 0)
            continue;
        json_t *r = record(name, t, sqlite3_column_int64(st, 2), content ? content : "",
                           sb_zindex_auth(x, name, t), z->id);
        if (!r || json_array_append_new(arr, r) < 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    sqlite3_reset(st);
    if (!arr)
        return sd_fail(e, SD_EINTERNAL, "out of memory");
    if (rc != SQLITE_DONE) {
        json_decref(arr);
        return sd_db_fail(sb_store_db(s), e, "list");
    }
    if (add_cds(s, z, x, z->name, NULL, arr, e) < 0 || add_ents(x, z, arr, e) < 0) {
        json_decref(arr);
        return -e->code;
    }
    *result = arr;
    return 0;
}
