/* rrset_json.c - reading RRsets back as JSON. */
#include "keystore/rrset_json.h"

#include <stdio.h>
#include <string.h>

#include "keystore/db.h"

int sd_rrset_list_json(sqlite3 *db, const sd_zone *zone, const char *owner, const char *type,
                       json_t **out, sd_err *e)
{
    sqlite3_stmt *st;
    *out = NULL;
    if (sd_db_prepare(db,
                      "SELECT s.id, s.name, s.type, s.ttl, r.content FROM rrsets s "
                      "LEFT JOIN records r ON r.rrset_id = s.id WHERE s.zone_id = ?1 "
                      "AND (?2 IS NULL OR s.name = ?2) AND (?3 IS NULL OR s.type = ?3) "
                      "ORDER BY s.name, s.type, r.id",
                      &st, e) < 0)
        return -e->code;
    sqlite3_bind_int64(st, 1, zone->id);
    sqlite3_bind_text(st, 2, owner, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, type, -1, SQLITE_STATIC);
    json_t *arr = json_array(), *cur = NULL, *recs = NULL;
    int64_t cur_id = -1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        if (id != cur_id) {
            cur_id = id;
            recs = json_array();
            cur =
                json_pack("{s:s, s:s, s:I, s:o}", "name", (const char *)sqlite3_column_text(st, 1),
                          "type", (const char *)sqlite3_column_text(st, 2), "ttl",
                          (json_int_t)sqlite3_column_int64(st, 3), "records", recs);
            json_array_append_new(arr, cur);
        }
        if (sqlite3_column_type(st, 4) != SQLITE_NULL)
            json_array_append_new(recs, json_string((const char *)sqlite3_column_text(st, 4)));
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        json_decref(arr);
        return sd_db_fail(db, e, "read rrsets");
    }
    *out = arr;
    return 0;
}

int sd_zone_serial(sqlite3 *db, const sd_zone *zone, long long *serial, sd_err *e)
{
    sqlite3_stmt *st;
    *serial = 0;
    if (sd_db_prepare(db,
                      "SELECT r.content FROM rrsets s JOIN records r ON r.rrset_id = s.id "
                      "WHERE s.zone_id = ? AND s.type = 'SOA'",
                      &st, e) < 0)
        return -e->code;
    sqlite3_bind_int64(st, 1, zone->id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        unsigned long v; /* the names skipped whole: with \DDD escapes they reach 1004 chars */
        if (sscanf((const char *)sqlite3_column_text(st, 0), "%*s %*s %lu", &v) == 1)
            *serial = (long long)v;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sd_db_fail(db, e, "read SOA");
    return 0;
}
