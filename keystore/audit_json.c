/* audit_json.c - reading a zone's audit rows back as JSON. */
#include "keystore/audit_json.h"

#include <string.h>

#include "keystore/db.h"
#include "keystore/timefmt.h"

int sd_audit_zone_json(sqlite3 *db, const char *zone, int64_t before, int limit, json_t **out,
                       int *more, sd_err *e)
{
    sqlite3_stmt *st;
    *out = NULL;
    *more = 0;
    if (limit <= 0)
        return sd_fail(e, SD_EBADINPUT, "limit must be positive");
    if (sd_db_prepare(db,
                      "SELECT id, at, actor, action, outcome, detail FROM audit "
                      "WHERE zone = ?1 AND (?2 = 0 OR id < ?2) ORDER BY id DESC LIMIT ?3",
                      &st, e) < 0)
        return -e->code;
    sqlite3_bind_text(st, 1, zone, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, before);
    sqlite3_bind_int(st, 3, limit + 1); /* one more tells whether older rows remain */
    json_t *arr = json_array();
    int rc, n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == limit) {
            *more = 1;
            continue;
        }
        n++;
        char when[32];
        sd_time_rfc3339(sqlite3_column_int64(st, 1), when, sizeof when);
        json_t *detail = NULL;
        if (sqlite3_column_type(st, 5) != SQLITE_NULL)
            detail = json_loads((const char *)sqlite3_column_text(st, 5), 0, NULL);
        if (!detail && sqlite3_column_type(st, 5) != SQLITE_NULL)
            detail = json_string((const char *)sqlite3_column_text(st, 5));
        json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:s, s:s, s:o}", "id",
                                             (json_int_t)sqlite3_column_int64(st, 0), "at", when,
                                             "actor", (const char *)sqlite3_column_text(st, 2),
                                             "action", (const char *)sqlite3_column_text(st, 3),
                                             "outcome", (const char *)sqlite3_column_text(st, 4),
                                             "detail", detail ? detail : json_null()));
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        json_decref(arr);
        return sd_db_fail(db, e, "read audit trail");
    }
    *out = arr;
    return 0;
}
