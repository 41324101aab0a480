/* rrset.c - RRsets and records of a zone, and the SOA serial. */
#include "keystore/zone.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keystore/db.h"
#include "keystore/rdata.h"
#include "keystore/rrset_rules.h"

/* Resolves owner and type of an RRset into canonical forms (sd_type_canon); refuses
 * managed types. */
static int resolve(const sd_zone *zone, const char *name, const char *type, char *owner,
                   char *utype, sd_err *e)
{
    if (sd_name_absolute(name, zone->name, owner, SD_NAME_MAX, e) < 0)
        return -SD_EBADINPUT;
    ldns_rr_type t;
    if (sd_type_canon(type, utype, 16, &t, e) < 0)
        return -SD_EBADINPUT;
    if (sd_type_is_managed(t))
        return sd_rrset_rule_type(t, utype, e);
    return 0;
}

/* Deletes the RRset (zone, owner, type); *gone set to the rows removed. */
static int drop(sqlite3 *db, int64_t zone_id, const char *owner, const char *type, int *gone,
                sd_err *e)
{
    sqlite3_stmt *st;
    if (sd_db_prepare(db, "DELETE FROM rrsets WHERE zone_id = ? AND name = ? AND type = ?", &st,
                      e) < 0)
        return -e->code;
    sqlite3_bind_int64(st, 1, zone_id);
    sqlite3_bind_text(st, 2, owner, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, type, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return sd_db_fail(db, e, "delete rrset");
    *gone = sqlite3_changes(db);
    return 0;
}

/* Inserts the RRset row and its records (already canonical). */
static int insert(sqlite3 *db, int64_t zone_id, const char *owner, const char *type, uint32_t ttl,
                  char *const *recs, size_t n, sd_err *e)
{
    sqlite3_stmt *st;
    if (sd_db_prepare(db, "INSERT INTO rrsets(zone_id, name, type, ttl) VALUES (?, ?, ?, ?)", &st,
                      e) < 0)
        return -e->code;
    sqlite3_bind_int64(st, 1, zone_id);
    sqlite3_bind_text(st, 2, owner, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, type, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, ttl);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return sd_db_fail(db, e, "insert rrset");
    int64_t id = sqlite3_last_insert_rowid(db);
    if (sd_db_prepare(db, "INSERT OR IGNORE INTO records(rrset_id, content) VALUES (?, ?)", &st,
                      e) < 0)
        return -e->code;
    for (size_t i = 0; i < n; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, recs[i], -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) {
            sqlite3_finalize(st);
            return sd_db_fail(db, e, "insert record");
        }
    }
    sqlite3_finalize(st);
    return 0;
}

int sd_zone_bump_serial(sqlite3 *db, int64_t zone_id, sd_err *e)
{
    sqlite3_stmt *st;
    if (sd_db_prepare(db,
                      "SELECT r.id, r.content FROM records r JOIN rrsets s ON s.id = r.rrset_id "
                      "WHERE s.zone_id = ? AND s.type = 'SOA'",
                      &st, e) < 0)
        return -e->code;
    sqlite3_bind_int64(st, 1, zone_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) { /* keys-only zones have no SOA here: nothing to bump */
        sqlite3_finalize(st);
        return 0;
    }
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        return sd_db_fail(db, e, "read SOA");
    }
    int64_t rid = sqlite3_column_int64(st, 0);
    char mname[SD_NAME_MAX], rname[SD_NAME_MAX], soa[2 * SD_NAME_MAX + 64];
    unsigned long serial, refresh, retry, expire, minimum;
    /* A name takes up to 1004 characters with \DDD escapes (SD_NAME_MAX). */
    int got = sscanf((const char *)sqlite3_column_text(st, 1), "%1023s %1023s %lu %lu %lu %lu %lu",
                     mname, rname, &serial, &refresh, &retry, &expire, &minimum);
    sqlite3_finalize(st);
    if (got != 7)
        return sd_fail(e, SD_EINTERNAL, "the zone's SOA record is malformed");
    serial = (serial + 1) & 0xffffffffUL;
    if (serial == 0)
        serial = 1;
    snprintf(soa, sizeof soa, "%s %s %lu %lu %lu %lu %lu", mname, rname, serial, refresh, retry,
             expire, minimum);
    if (sd_db_prepare(db, "UPDATE records SET content = ? WHERE id = ?", &st, e) < 0)
        return -e->code;
    sqlite3_bind_text(st, 1, soa, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, rid);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : sd_db_fail(db, e, "update SOA");
}

int sd_rrset_put(sqlite3 *db, const sd_zone *zone, const char *name, const char *type, uint32_t ttl,
                 const char *const *records, size_t n, int in_tx, sd_err *e)
{
    char owner[SD_NAME_MAX], utype[16];
    if (resolve(zone, name, type, owner, utype, e) < 0)
        return -SD_EBADINPUT;
    if (ttl > 2147483647u)
        return sd_fail(e, SD_EBADINPUT, "ttl must be between 0 and 2147483647");
    int is_soa = strcmp(utype, "SOA") == 0;
    if (is_soa && (n != 1 || strcmp(owner, zone->name) != 0))
        return sd_fail(e, SD_EBADINPUT, "a zone has exactly one SOA record, at its apex");
    if (n > 10000)
        return sd_fail(e, SD_EBADINPUT, "at most 10000 records in one RRset");
    char **canon = calloc(n ? n : 1, sizeof *canon);
    if (!canon)
        return sd_fail(e, SD_EINTERNAL, "out of memory");
    int rc = 0, gone = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = sd_rdata_canon(owner, utype, records[i], &canon[i], e);
    if (rc == 0 && !in_tx)
        rc = sd_db_begin(db, e);
    if (rc == 0)
        rc = sd_rrset_rule_put(db, zone, owner, utype, n, e);
    if (rc == 0)
        rc = drop(db, zone->id, owner, utype, &gone, e);
    if (rc == 0 && n > 0)
        rc = insert(db, zone->id, owner, utype, ttl, canon, n, e);
    if (rc == 0 && !is_soa)
        rc = sd_zone_bump_serial(db, zone->id, e);
    if (rc == 0 && !in_tx)
        rc = sd_db_commit(db, e);
    else if (rc < 0 && !in_tx)
        sd_db_rollback(db);
    for (size_t i = 0; i < n; i++)
        free(canon[i]);
    free(canon);
    return rc;
}

int sd_rrset_delete(sqlite3 *db, const sd_zone *zone, const char *name, const char *type, sd_err *e)
{
    char owner[SD_NAME_MAX], utype[16];
    int gone = 0;
    if (resolve(zone, name, type, owner, utype, e) < 0)
        return -SD_EBADINPUT;
    if (strcmp(utype, "SOA") == 0)
        return sd_fail(e, SD_EBADINPUT, "the SOA record cannot be deleted");
    if (sd_db_begin(db, e) < 0)
        return -e->code;
    if (sd_rrset_rule_put(db, zone, owner, utype, 0, e) < 0 ||
        drop(db, zone->id, owner, utype, &gone, e) < 0)
        goto fail;
    if (gone == 0) {
        sd_fail(e, SD_ENOTFOUND, "no %s RRset at %s", utype, owner);
        goto fail;
    }
    if (sd_zone_bump_serial(db, zone->id, e) < 0)
        goto fail;
    return sd_db_commit(db, e);
fail:
    sd_db_rollback(db);
    return -e->code;
}
