/* evidence.c - the scheduler's observations as audit rows (see lifecycle/evidence.h). */
#include "lifecycle/evidence.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keystore/audit.h"
#include "keystore/db.h"

int sd_evidence_write(sqlite3 *db, int64_t now, const char *zone, const char *action,
                      const char *outcome, const json_t *detail, sd_err *e)
{
    char *text = detail ? json_dumps(detail, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    if (detail && !text)
        return sd_fail(e, SD_EINTERNAL, "out of memory");
    int rc = sd_db_begin(db, e);
    if (rc == 0 && (rc = sd_audit(db, now, "scheduler", zone, action, outcome, text, e)) == 0)
        rc = sd_db_commit(db, e);
    else if (rc < 0)
        sd_db_rollback(db);
    free(text);
    return rc;
}

int sd_evidence_last(sqlite3 *db, const char *zone, const char *action, char *outcome, size_t len,
                     json_t **detail)
{
    sqlite3_stmt *st;
    *detail = NULL;
    if (len)
        outcome[0] = '\0';
    if (sqlite3_prepare_v2(db,
                           "SELECT outcome, detail FROM audit WHERE zone = ? AND action = ? "
                           "ORDER BY id DESC LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, zone, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, action, -1, SQLITE_STATIC);
    int found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        snprintf(outcome, len, "%s", (const char *)sqlite3_column_text(st, 0));
        const char *text = (const char *)sqlite3_column_text(st, 1);
        *detail = text ? json_loads(text, 0, NULL) : NULL;
    }
    sqlite3_finalize(st);
    return found;
}

int sd_evidence_same(sqlite3 *db, const char *zone, const char *action, const char *outcome,
                     const json_t *detail)
{
    char last[32];
    json_t *prev;
    int same = sd_evidence_last(db, zone, action, last, sizeof last, &prev) &&
               strcmp(last, outcome) == 0 && prev && detail && json_equal(prev, detail);
    json_decref(prev);
    return same;
}
