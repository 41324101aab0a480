/* onoff.c - disable with its checks, shared by every route (onoff.h). */
#include "lifecycle/onoff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keystore/db.h"
#include "keystore/key.h"
#include "lifecycle/parent.h"

/* The parent check of a disable: 0 when disabling cannot break validation (no parent-servers,
 * or no parent server shows a DS), else the 409/503 in e (see onoff.h). */
static int parent_check(const sd_zone *z, const char *parent_servers, sd_disable_out *out,
                        sd_err *e)
{
    json_t *ev;
    int answered;
    int64_t ttl;
    if (!parent_servers || !parent_servers[0])
        return 0;
    if (sd_parent_ds(parent_servers, z->name, &ev, &answered, &ttl, e) < 0)
        return -e->code;
    if (!sd_parent_any_ds(ev) && answered) {
        json_decref(ev);
        return 0;
    }
    if (!answered) {
        json_decref(ev);
        out->retry_after = 10;
        return sd_fail(e, SD_EBUSY,
                       "a parent server did not answer: cannot tell whether the parent still "
                       "publishes a DS for %s (send {\"force\": true} to disable anyway)",
                       z->name);
    }
    out->parent = ev;
    return sd_fail(e, SD_ECONFLICT,
                   "the parent still publishes a DS for %s: remove it at the registrar and wait "
                   "for its TTL (%lld s) before disabling, or send {\"force\": true}",
                   z->name, (long long)ttl);
}

int sd_onoff_disable(const sd_ctx *c, const sd_zone *z, const char *parent_servers, int force,
                     sd_disable_out *out, sd_err *e)
{
    memset(out, 0, sizeof *out);
    sd_policy p;
    char status[32];
    if (sd_policy_load(c->db, z->id, c->defaults, &p, e) < 0 ||
        sd_dnssec_status(c->db, z->id, status, sizeof status, e) < 0)
        return -e->code;
    if (strcmp(status, "disabled") == 0)
        return sd_fail(e, SD_ECONFLICT, "DNSSEC is not enabled on this zone (status: disabled)");
    /* With CDS DELETE the parent is asked to drop the DS first: nothing to check yet. */
    int cds_delete = p.cds && p.cds_delete && strcmp(status, "disabling") != 0;
    if (!cds_delete && !force && parent_check(z, parent_servers, out, e) < 0)
        return -e->code;
    if (sd_dnssec_disable(c, z, e) < 0)
        return -e->code;
    /* The status says what happened (a concurrent call may have changed the policy's effect). */
    if (sd_dnssec_status(c->db, z->id, status, sizeof status, NULL) == 0)
        out->cds_delete = strcmp(status, "disabling") == 0;
    else
        out->cds_delete = cds_delete;
    return 0;
}

const char *sd_onoff_confirm_scope(const char *status)
{
    return strcmp(status, "rotating_ksk") == 0 ? "dnssec:rotate" : "dnssec:enable";
}

int sd_onoff_confirm_current(const sd_ctx *c, const sd_zone *z, sd_err *e)
{
    sqlite3_stmt *st;
    if (sd_db_prepare(c->db,
                      "SELECT key_tag, algorithm, flags, public_key FROM keys WHERE zone_id = ? "
                      "AND role = 'KSK' AND state IN ('published', 'active') AND remove_at IS "
                      "NULL ORDER BY id DESC LIMIT 1",
                      &st, e) < 0)
        return -e->code;
    sqlite3_bind_int64(st, 1, z->id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return sd_fail(e, SD_ECONFLICT, "DNSSEC is not enabled on %s: no DS to confirm", z->name);
    }
    sd_ds ds = {sqlite3_column_int(st, 0), sqlite3_column_int(st, 1), 2, ""};
    uint8_t *rdata = NULL;
    size_t len = 0;
    const char *pub = (const char *)sqlite3_column_text(st, 3);
    int rc = pub ? sd_dnskey_rdata((uint16_t)sqlite3_column_int(st, 2), ds.algorithm, pub, &rdata,
                                   &len, e)
                 : sd_fail(e, SD_EINTERNAL, "a KSK without a public key");
    if (rc == 0)
        rc = sd_ds_digest(z->name, rdata, len, 2, ds.digest, sizeof ds.digest, e);
    free(rdata);
    sqlite3_finalize(st);
    if (rc < 0)
        return -e->code;
    return sd_dnssec_confirm_ds(c, z, &ds, 1, e);
}
