/* m_domains.c - initialize, getDomainInfo, getAllDomains, getUpdatedMasters, setNotified. */
#include <stdint.h>
#include <string.h>

#include "keystore/db.h"
#include "backend/methods.h"
#include "backend/params.h"

int sb_m_initialize(sb_store *s, json_t *params, json_t **result, sd_err *e)
{
    (void)s;
    (void)params;
    (void)e;
    *result = json_true();
    return 0;
}

/* The DomainInfo object RemoteBackend::parseDomainInfo reads (z's SOA loaded). */
static json_t *domain_info(const sb_zone *z)
{
    return json_pack("{s:I, s:s, s:s, s:I, s:I, s:i, s:[]}", "id", (json_int_t)z->id, "zone",
                     z->name, "kind", z->master ? "master" : "native", "serial",
                     (json_int_t)(z->has_soa ? z->serial : 0), "notified_serial",
                     (json_int_t)(z->notified_serial < 0 ? 0 : z->notified_serial), "last_check", 0,
                     "masters");
}

int sb_m_get_domain_info(sb_store *s, json_t *params, json_t **result, sd_err *e)
{
    sb_zone *z;
    int rc = sb_zone_param(s, params, &z, e);
    if (rc != 0)
        return rc;
    if (z->keys_only) /* the backend that holds the records owns the zone */
        return SB_FALSE;
    if (sb_store_soa(s, z, e) < 0)
        return -e->code;
    *result = domain_info(z);
    return *result ? 0 : sd_fail(e, SD_EINTERNAL, "out of memory");
}

/* Lists zones with records; with only_updated, master zones whose serial was not yet
 * notified. */
static int zone_list(sb_store *s, int only_updated, json_t **result, sd_err *e)
{
    size_t n;
    if (sb_store_zone_count(s, &n, e) < 0)
        return -e->code;
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++) {
        sb_zone *z = sb_store_zone_at(s, i);
        if (z->keys_only || (only_updated && !z->master))
            continue;
        if (sb_store_soa(s, z, e) < 0) {
            json_decref(arr);
            return -e->code;
        }
        if (only_updated && (!z->has_soa || z->notified_serial == z->serial))
            continue;
        json_t *d = domain_info(z);
        if (!d || json_array_append_new(arr, d) < 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    if (!arr)
        return sd_fail(e, SD_EINTERNAL, "out of memory");
    *result = arr;
    return 0;
}

int sb_m_get_all_domains(sb_store *s, json_t *params, json_t **result, sd_err *e)
{
    (void)params;
    return zone_list(s, 0, result, e);
}

int sb_m_get_updated_masters(sb_store *s, json_t *params, json_t **result, sd_err *e)
{
    (void)params;
    return zone_list(s, 1, result, e);
}

int sb_m_set_notified(sb_store *s, json_t *params, json_t **result, sd_err *e)
{
    int64_t id, serial;
    if (sb_param_int(params, "id", 1, 0, 0, INT32_MAX, &id, e) < 0 ||
        sb_param_int(params, "serial", 1, 0, 0, UINT32_MAX, &serial, e) < 0)
        return -e->code;
    sb_zone *z = sb_store_zone_by_id(s, id, e);
    if (!z)
        return e->code ? -e->code : sd_fail(e, SD_ENOTFOUND, "no zone with id %lld", (long long)id);
    /* The one write the backend makes: leave the request's read transaction, lift
     * query_only for a single UPDATE, and start reading again. */
    sqlite3 *db = sb_store_db(s);
    sb_store_end(s);
    int rc = 0;
    if (sqlite3_exec(db, "PRAGMA query_only=OFF", NULL, NULL, NULL) != SQLITE_OK)
        rc = sd_db_fail(db, e, "setNotified");
    sqlite3_stmt *st = rc == 0 ? sb_store_stmt(s, SB_Q_SET_NOTIFIED, e) : NULL;
    if (rc == 0 && !st)
        rc = -e->code;
    if (st) {
        sqlite3_bind_int64(st, 1, serial);
        sqlite3_bind_int64(st, 2, id);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = sd_db_fail(db, e, "setNotified");
        sqlite3_reset(st);
    }
    sqlite3_exec(db, "PRAGMA query_only=ON", NULL, NULL, NULL);
    sb_store_invalidate(s);
    sd_err ignored;
    sb_store_begin(s, &ignored);
    if (rc < 0)
        return rc;
    *result = json_true();
    return 0;
}
