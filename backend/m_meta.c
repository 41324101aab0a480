/* m_meta.c - getAllDomainMetadata and getDomainMetadata: what PowerDNS needs to sign a zone
 * the way its policy says, derived from the policy rather than stored. */
#include <stdio.h>
#include <string.h>

#include "keystore/db.h"
#include "backend/methods.h"
#include "backend/params.h"

/* Adds {"kind": [value]} to obj. */
static int put(json_t *obj, const char *kind, const char *value)
{
    return json_object_set_new(obj, kind, json_pack("[s]", value));
}

/* Counts the zone's keys that are not removed. */
static int live_keys(sb_store *s, const sb_zone *z, int *n, sd_err *e)
{
    sqlite3_stmt *st = sb_store_stmt(s, SB_Q_LIVE_KEYS, e);
    if (!st)
        return -e->code;
    sqlite3_bind_int64(st, 1, z->id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return sd_db_fail(sb_store_db(s), e, "count keys");
    }
    *n = sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    return 0;
}

int sb_zone_metadata(sb_store *s, sb_zone *z, json_t **out, sd_err *e)
{
    const sd_policy *p = sb_store_policy(s, z, e);
    if (!p)
        return -e->code;
    int keys = 0;
    if (live_keys(s, z, &keys, e) < 0)
        return -e->code;
    json_t *m = json_object();
    if (!m)
        return sd_fail(e, SD_EINTERNAL, "out of memory");
    int bad = put(m, "PRESIGNED", "0");
    const char *soa_edit = sb_store_config(s)->soa_edit;
    if (soa_edit[0])
        bad |= put(m, "SOA-EDIT", soa_edit);
    if (keys > 0 && p->nsec3) {
        char v[200];
        const char *salt = p->nsec3_salt[0] ? p->nsec3_salt : "-";
        snprintf(v, sizeof v, "1 %d %d %s", p->nsec3_optout ? 1 : 0, p->nsec3_iterations, salt);
        bad |= put(m, "NSEC3PARAM", v);
        bad |= put(m, "NSEC3NARROW", "0");
    }
    /* CDS/CDNSKEY are zone records (zrecs.c), naming only the KSKs the parent should keep;
     * a zone whose records live in another backend can only have PowerDNS's own, which name
     * every KSK. */
    if (keys > 0 && p->cds && z->keys_only) {
        const char *digests = p->cds_digests == (SD_CDS_SHA256 | SD_CDS_SHA384) ? "2,4"
                              : p->cds_digests == SD_CDS_SHA384                 ? "4"
                                                                                : "2";
        bad |= put(m, "PUBLISH-CDS", digests);
        bad |= put(m, "PUBLISH-CDNSKEY", "1");
    }
    if (bad) {
        json_decref(m);
        return sd_fail(e, SD_EINTERNAL, "out of memory");
    }
    if (sb_tsig_allow_axfr_meta(s, z, m, e) < 0) {
        json_decref(m);
        return -e->code;
    }
    *out = m;
    return 0;
}

int sb_zone_param(sb_store *s, json_t *params, sb_zone **z, sd_err *e)
{
    const char *name;
    if (sb_param_str(params, "name", &name, e) < 0)
        return -e->code;
    char zname[SD_NAME_MAX];
    if (sb_dname_lower(name, zname, sizeof zname) < 0)
        return SB_FALSE;
    *z = sb_store_zone_by_name(s, zname, e);
    if (!*z)
        return e->code ? -e->code : SB_FALSE;
    return 0;
}

int sb_m_get_all_domain_metadata(sb_store *s, json_t *params, json_t **result, sd_err *e)
{
    sb_zone *z;
    int rc = sb_zone_param(s, params, &z, e);
    if (rc != 0)
        return rc;
    return sb_zone_metadata(s, z, result, e);
}

int sb_m_get_domain_metadata(sb_store *s, json_t *params, json_t **result, sd_err *e)
{
    const char *kind;
    if (sb_param_str(params, "kind", &kind, e) < 0)
        return -e->code;
    sb_zone *z;
    int rc = sb_zone_param(s, params, &z, e);
    if (rc != 0)
        return rc;
    json_t *all;
    if (sb_zone_metadata(s, z, &all, e) < 0)
        return -e->code;
    json_t *v = json_object_get(all, kind);
    *result = v ? json_incref(v) : json_array();
    json_decref(all);
    return *result ? 0 : sd_fail(e, SD_EINTERNAL, "out of memory");
}
