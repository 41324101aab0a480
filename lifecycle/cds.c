/* cds.c - which CDS and CDNSKEY records a zone publishes. */
#include "lifecycle/cds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keystore/db.h"
#include "keystore/key.h"
#include "lifecycle/ds.h"

#define CDS_MAX_KSK 8

/* One KSK that may be named. */
typedef struct cksk {
    int flags, algorithm, fresh;
    char public_key[1400];
} cksk;

/* Whether the zone goes insecure (*insecure) and has live keys (*live). */
static int zone_flags(sqlite3 *db, int64_t zone_id, int *insecure, int *live, sd_err *e)
{
    sqlite3_stmt *st;
    if (sd_db_prepare(db,
                      "SELECT insecure_at IS NOT NULL, (SELECT count(*) FROM keys k WHERE "
                      "k.zone_id = z.id AND k.state <> 'removed') FROM zones z WHERE z.id = ?",
                      &st, e) < 0)
        return -e->code;
    sqlite3_bind_int64(st, 1, zone_id);
    int rc = sqlite3_step(st);
    *insecure = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
    *live = rc == SQLITE_ROW ? sqlite3_column_int(st, 1) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sd_db_fail(db, e, "read zone");
}

/* Loads the ready KSKs that are not leaving, in id order. */
static int ready_ksks(sqlite3 *db, int64_t zone_id, cksk *k, size_t *n, sd_err *e)
{
    sqlite3_stmt *st;
    *n = 0;
    if (sd_db_prepare(db,
                      "SELECT flags, algorithm, public_key, ds_seen_at IS NULL FROM keys "
                      "WHERE zone_id = ? AND role = 'KSK' AND state <> 'removed' "
                      "AND remove_at IS NULL AND cds_at IS NOT NULL ORDER BY id",
                      &st, e) < 0)
        return -e->code;
    sqlite3_bind_int64(st, 1, zone_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < CDS_MAX_KSK) {
        cksk *x = &k[*n];
        x->flags = sqlite3_column_int(st, 0);
        x->algorithm = sqlite3_column_int(st, 1);
        snprintf(x->public_key, sizeof x->public_key, "%s",
                 (const char *)sqlite3_column_text(st, 2));
        x->fresh = sqlite3_column_int(st, 3);
        /* A key whose DNSKEY cannot be built is not named (and PowerDNS cannot use it). */
        uint8_t *rdata = NULL;
        size_t len;
        if (sd_dnskey_rdata((uint16_t)x->flags, x->algorithm, x->public_key, &rdata, &len, NULL) ==
            0)
            (*n)++;
        free(rdata);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sd_db_fail(db, e, "read KSKs");
    return 0;
}

/* Emits the CDS records of one KSK, one per digest type of p. */
static int emit_cds(const char *zone, const cksk *k, const sd_policy *p, sd_cds_fn fn, void *arg,
                    sd_err *e)
{
    int rc = 0;
    static const int types[2] = {2, 4};
    for (int i = 0; i < 2 && rc == 0; i++) {
        if (!(p->cds_digests & (i == 0 ? SD_CDS_SHA256 : SD_CDS_SHA384)))
            continue;
        sd_ds ds;
        char content[200];
        if (sd_ds_of_key(zone, k->flags, k->algorithm, k->public_key, types[i], &ds, e) < 0)
            return -e->code;
        snprintf(content, sizeof content, "%d %d %d %s", ds.key_tag, k->algorithm, types[i],
                 ds.digest);
        rc = fn("CDS", content, arg);
    }
    return rc;
}

int sd_cds_records(sqlite3 *db, int64_t zone_id, const char *zone, const sd_policy *p, sd_cds_fn fn,
                   void *arg, sd_err *e)
{
    int insecure, live, rc;
    if (!p->cds)
        return 0;
    if (zone_flags(db, zone_id, &insecure, &live, e) < 0)
        return -e->code;
    if (!live)
        return 0;
    if (insecure) {
        rc = fn("CDNSKEY", SD_CDNSKEY_DELETE, arg);
        return rc ? rc : fn("CDS", SD_CDS_DELETE, arg);
    }
    cksk k[CDS_MAX_KSK];
    size_t n;
    if (ready_ksks(db, zone_id, k, &n, e) < 0)
        return -e->code;
    int any_fresh = 0;
    for (size_t i = 0; i < n; i++)
        any_fresh |= k[i].fresh;
    for (size_t i = 0; i < n; i++) {
        if (any_fresh && !k[i].fresh)
            continue;
        char content[1500];
        snprintf(content, sizeof content, "%d 3 %d %s", k[i].flags, k[i].algorithm,
                 k[i].public_key);
        if ((rc = fn("CDNSKEY", content, arg)) != 0)
            return rc;
    }
    for (size_t i = 0; i < n; i++) {
        if (any_fresh && !k[i].fresh)
            continue;
        if ((rc = emit_cds(zone, &k[i], p, fn, arg, e)) != 0)
            return rc;
    }
    return 0;
}
