/* zone.c - zone rows: create, find, delete, list. */
#include "keystore/zone.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "keystore/audit.h"
#include "keystore/db.h"

/* Fills z from a row (id, public_id, name, keys_only, created_at). */
static void fill(sqlite3_stmt *st, sd_zone *z)
{
    memset(z, 0, sizeof *z);
    z->id = sqlite3_column_int64(st, 0);
    snprintf(z->public_id, sizeof z->public_id, "%s", (const char *)sqlite3_column_text(st, 1));
    snprintf(z->name, sizeof z->name, "%s", (const char *)sqlite3_column_text(st, 2));
    z->keys_only = sqlite3_column_int(st, 3);
    z->created_at = sqlite3_column_int64(st, 4);
}

#define ZONE_COLS "id, public_id, name, keys_only, created_at"

int sd_zone_find(sqlite3 *db, const char *id_or_name, sd_zone *out, sd_err *e)
{
    char name[SD_NAME_MAX];
    int by_id = id_or_name && strncmp(id_or_name, "d_", 2) == 0;
    if (!id_or_name || !*id_or_name)
        return sd_fail(e, SD_ENOTFOUND, "domain not found");
    if (!by_id && sd_name_canon(id_or_name, name, sizeof name, NULL) < 0)
        return sd_fail(e, SD_ENOTFOUND, "domain not found");
    sqlite3_stmt *st;
    if (sd_db_prepare(db,
                      by_id ? "SELECT " ZONE_COLS " FROM zones WHERE public_id = ?"
                            : "SELECT " ZONE_COLS " FROM zones WHERE name = ?",
                      &st, e) < 0)
        return -e->code;
    sqlite3_bind_text(st, 1, by_id ? id_or_name : name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        fill(st, out);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc == SQLITE_DONE)
        return sd_fail(e, SD_ENOTFOUND, "domain not found");
    return sd_db_fail(db, e, "find domain");
}

/* Writes the SOA and NS RRsets of a new zone from init. */
static int initial_records(sqlite3 *db, const sd_zone *z, const sd_zone_init *init, sd_err *e)
{
    if (!init->ns || !*init->ns)
        return sd_fail(e, SD_EBADINPUT, "a new zone needs at least one NS name");
    char nsbuf[1024], *save = NULL;
    const char *ns[16];
    char names[16][SD_NAME_MAX];
    size_t n = 0;
    if (strlen(init->ns) >= sizeof nsbuf)
        return sd_fail(e, SD_EBADINPUT, "NS list too long");
    snprintf(nsbuf, sizeof nsbuf, "%s", init->ns);
    for (char *s = strtok_r(nsbuf, ", ", &save); s; s = strtok_r(NULL, ", ", &save)) {
        if (n == 16)
            return sd_fail(e, SD_EBADINPUT, "at most 16 NS names");
        if (sd_name_canon(s, names[n], sizeof names[n], e) < 0)
            return -SD_EBADINPUT;
        ns[n] = names[n];
        n++;
    }
    if (n == 0)
        return sd_fail(e, SD_EBADINPUT, "a new zone needs at least one NS name");
    char mname[SD_NAME_MAX], rname[SD_NAME_MAX], soa[2 * SD_NAME_MAX + 64];
    if (sd_name_canon(init->soa_mname ? init->soa_mname : ns[0], mname, sizeof mname, e) < 0)
        return -SD_EBADINPUT;
    if (sd_name_canon(init->soa_rname ? init->soa_rname : "hostmaster.invalid.", rname,
                      sizeof rname, e) < 0)
        return -SD_EBADINPUT;
    uint32_t ttl = init->ttl ? init->ttl : 3600;
    uint32_t minimum = init->soa_minimum ? init->soa_minimum : 3600;
    snprintf(soa, sizeof soa, "%s %s 1 10800 3600 604800 %u", mname, rname, minimum);
    const char *soa_rec[] = {soa};
    if (sd_rrset_put(db, z, "@", "SOA", ttl, soa_rec, 1, 1, e) < 0)
        return -e->code;
    return sd_rrset_put(db, z, "@", "NS", ttl, ns, n, 1, e);
}

int sd_zone_insert(sqlite3 *db, const char *name, int keys_only, int64_t now, sd_zone *z, sd_err *e)
{
    memset(z, 0, sizeof *z);
    if (sd_name_canon(name, z->name, sizeof z->name, e) < 0)
        return -SD_EBADINPUT;
    if (strcmp(z->name, ".") == 0 || z->name[0] == '*')
        return sd_fail(e, SD_EBADINPUT, "'%s' cannot be a zone name", z->name);
    unsigned char rnd[8];
    randombytes_buf(rnd, sizeof rnd);
    memcpy(z->public_id, "d_", 2);
    sodium_bin2hex(z->public_id + 2, sizeof z->public_id - 2, rnd, sizeof rnd);
    z->keys_only = keys_only;
    z->created_at = now;
    sqlite3_stmt *st;
    if (sd_db_prepare(db,
                      "INSERT INTO zones(public_id, name, keys_only, created_at, updated_at) "
                      "VALUES (?, ?, ?, ?, ?)",
                      &st, e) < 0)
        return -e->code;
    sqlite3_bind_text(st, 1, z->public_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, z->name, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, keys_only);
    sqlite3_bind_int64(st, 4, now);
    sqlite3_bind_int64(st, 5, now);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if ((sqlite3_extended_errcode(db) & 0xff) == SQLITE_CONSTRAINT)
        return sd_fail(e, SD_ECONFLICT, "domain %s exists already", z->name);
    if (rc != SQLITE_DONE)
        return sd_db_fail(db, e, "create domain");
    z->id = sqlite3_last_insert_rowid(db);
    return 0;
}

int sd_zone_create(sqlite3 *db, const char *name, const sd_zone_init *init, const char *actor,
                   int64_t now, sd_zone *out, sd_err *e)
{
    sd_zone z;
    if (sd_db_begin(db, e) < 0)
        return -e->code;
    if (sd_zone_insert(db, name, init ? init->keys_only : 0, now, &z, e) < 0)
        goto fail;
    if (init && init->with_records && !z.keys_only && initial_records(db, &z, init, e) < 0)
        goto fail;
    if (sd_audit(db, now, actor, z.name, "zone-create", "ok", NULL, e) < 0)
        goto fail;
    if (sd_db_commit(db, e) < 0)
        return -e->code;
    if (out)
        *out = z;
    return 0;
fail:
    sd_db_rollback(db);
    return -e->code;
}

int sd_zone_delete(sqlite3 *db, const char *id_or_name, const char *actor, int64_t now, sd_err *e)
{
    sd_zone z;
    if (sd_db_begin(db, e) < 0)
        return -e->code;
    if (sd_zone_find(db, id_or_name, &z, e) < 0)
        goto fail;
    sqlite3_stmt *st;
    if (sd_db_prepare(db, "DELETE FROM zones WHERE id = ?", &st, e) < 0)
        goto fail;
    sqlite3_bind_int64(st, 1, z.id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        sd_db_fail(db, e, "delete domain");
        goto fail;
    }
    if (sd_audit(db, now, actor, z.name, "zone-delete", "ok", NULL, e) < 0)
        goto fail;
    return sd_db_commit(db, e);
fail:
    sd_db_rollback(db);
    return -e->code;
}

int sd_zone_foreach(sqlite3 *db, int (*fn)(const sd_zone *z, void *arg), void *arg, sd_err *e)
{
    sqlite3_stmt *st;
    if (sd_db_prepare(db, "SELECT " ZONE_COLS " FROM zones ORDER BY name", &st, e) < 0)
        return -e->code;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        sd_zone z;
        fill(st, &z);
        if (fn(&z, arg))
            break;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sd_db_fail(db, e, "list domains");
    return 0;
}
