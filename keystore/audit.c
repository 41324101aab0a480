/* audit.c - the audit trail, each row chained to the previous one by a BLAKE2b hash. */
#include "keystore/audit.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "keystore/db.h"

#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* Adds one field (NULL as a distinct marker) to the running hash, length-prefixed so that
 * no two different rows can serialise alike. */
static void feed(crypto_generichash_state *h, const char *s)
{
    char len[24];
    if (!s) {
        crypto_generichash_update(h, (const unsigned char *)"N", 1);
        return;
    }
    int n = snprintf(len, sizeof len, "S%zu:", strlen(s));
    crypto_generichash_update(h, (const unsigned char *)len, (unsigned long long)n);
    crypto_generichash_update(h, (const unsigned char *)s, strlen(s));
}

/* Computes the hex hash of a row from its fields and the previous row's hash. */
static void row_hash(const char *prev, int64_t at, const char *actor, const char *zone,
                     const char *action, const char *outcome, const char *detail, char hex[65])
{
    crypto_generichash_state h;
    unsigned char out[32];
    char when[24];
    snprintf(when, sizeof when, "%" PRId64, at);
    crypto_generichash_init(&h, NULL, 0, sizeof out);
    feed(&h, prev);
    feed(&h, when);
    feed(&h, actor);
    feed(&h, zone);
    feed(&h, action);
    feed(&h, outcome);
    feed(&h, detail);
    crypto_generichash_final(&h, out, sizeof out);
    sodium_bin2hex(hex, 65, out, sizeof out);
}

int sd_audit(sqlite3 *db, int64_t now, const char *actor, const char *zone, const char *action,
             const char *outcome, const char *detail, sd_err *e)
{
    char prev[65] = GENESIS, hash[65];
    sqlite3_stmt *st;
    if (sd_db_prepare(db, "SELECT hash FROM audit ORDER BY id DESC LIMIT 1", &st, e) < 0)
        return -e->code;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        snprintf(prev, sizeof prev, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sd_db_fail(db, e, "read audit trail");
    row_hash(prev, now, actor, zone, action, outcome, detail, hash);
    if (sd_db_prepare(db,
                      "INSERT INTO audit(at, actor, zone, action, outcome, detail, prev_hash, hash)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                      &st, e) < 0)
        return -e->code;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_text(st, 2, actor, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, zone, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, outcome, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, detail, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, prev, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, hash, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return sd_db_fail(db, e, "write audit row");
    return 0;
}

/* Returns column i as text, or NULL when it is NULL. */
static const char *col(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

int sd_audit_verify(sqlite3 *db, int64_t *rows, sd_err *e)
{
    sqlite3_stmt *st;
    if (sd_db_prepare(db,
                      "SELECT id, at, actor, zone, action, outcome, detail, prev_hash, hash "
                      "FROM audit ORDER BY id",
                      &st, e) < 0)
        return -e->code;
    char prev[65] = GENESIS, hash[65];
    int64_t n = 0;
    int rc, bad = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        const char *stored_prev = col(st, 7), *stored = col(st, 8);
        row_hash(prev, sqlite3_column_int64(st, 1), col(st, 2), col(st, 3), col(st, 4), col(st, 5),
                 col(st, 6), hash);
        if (!stored_prev || strcmp(stored_prev, prev) != 0) {
            sd_fail(e, SD_ECONFLICT,
                    "audit row %" PRId64 " does not follow the row before it "
                    "(a row was removed or reordered)",
                    id);
            bad = 1;
            break;
        }
        if (!stored || strcmp(stored, hash) != 0) {
            sd_fail(e, SD_ECONFLICT, "audit row %" PRId64 " was changed after it was written", id);
            bad = 1;
            break;
        }
        memcpy(prev, hash, sizeof prev);
        n++;
    }
    sqlite3_finalize(st);
    if (rows)
        *rows = n;
    if (bad)
        return -SD_ECONFLICT;
    if (rc != SQLITE_DONE)
        return sd_db_fail(db, e, "read audit trail");
    return 0;
}
