/* token.c - API tokens: random, shown once, stored as a BLAKE2b-256 hash. */
#include "keystore/token.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "keystore/db.h"
#include "keystore/name.h"

static const char *const SCOPES[] = {"dnssec:read",   "dnssec:enable", "dnssec:disable",
                                     "dnssec:rotate", "zones:read",    "zones:write",
                                     "tsig:read",     "tsig:write",    "metrics:read"};

int sd_scope_known(const char *scope)
{
    for (size_t i = 0; i < sizeof SCOPES / sizeof SCOPES[0]; i++)
        if (strcmp(scope, SCOPES[i]) == 0)
            return 1;
    return 0;
}

/* Returns 1 if the comma-separated list holds item exactly. */
static int list_has(const char *list, const char *item)
{
    size_t n = strlen(item);
    for (const char *p = list; *p;) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        if (len == n && strncmp(p, item, n) == 0)
            return 1;
        if (!c)
            break;
        p = c + 1;
    }
    return 0;
}

/* Checks each scope of a comma-separated list. */
static int check_scopes(const char *scopes, sd_err *e)
{
    char buf[256], *save = NULL;
    if (!scopes || !*scopes)
        return sd_fail(e, SD_EBADINPUT, "a token needs at least one scope");
    if (strlen(scopes) >= sizeof buf)
        return sd_fail(e, SD_EBADINPUT, "scope list too long");
    snprintf(buf, sizeof buf, "%s", scopes);
    int n = 0;
    for (char *s = strtok_r(buf, ",", &save); s; s = strtok_r(NULL, ",", &save), n++)
        if (!sd_scope_known(s))
            return sd_fail(e, SD_EBADINPUT,
                           "unknown scope '%s' (known: dnssec:read, dnssec:enable, "
                           "dnssec:disable, dnssec:rotate, zones:read, zones:write, tsig:read, "
                           "tsig:write, metrics:read)",
                           s);
    if (n == 0)
        return sd_fail(e, SD_EBADINPUT, "a token needs at least one scope");
    return 0;
}

/* Canonicalises a comma-separated zone list into out. */
static int canon_zones(const char *zones, char *out, size_t outlen, sd_err *e)
{
    char buf[4096], *save = NULL;
    size_t used = 0;
    out[0] = '\0';
    if (strlen(zones) >= sizeof buf)
        return sd_fail(e, SD_EBADINPUT, "zone list too long");
    snprintf(buf, sizeof buf, "%s", zones);
    for (char *s = strtok_r(buf, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
        char name[SD_NAME_MAX];
        if (sd_name_canon(s, name, sizeof name, e) < 0)
            return -SD_EBADINPUT;
        int n = snprintf(out + used, outlen - used, "%s%s", used ? "," : "", name);
        if (n < 0 || (size_t)n >= outlen - used)
            return sd_fail(e, SD_EBADINPUT, "zone list too long");
        used += (size_t)n;
    }
    if (used == 0)
        return sd_fail(e, SD_EBADINPUT, "empty zone list");
    return 0;
}

/* BLAKE2b-256 of the secret. */
static void token_hash(const char *secret, unsigned char out[32])
{
    crypto_generichash(out, 32, (const unsigned char *)secret, strlen(secret), NULL, 0);
}

int sd_token_create(sqlite3 *db, const char *name, const char *scopes, const char *zones,
                    int64_t now, char *secret, size_t secret_len, sd_err *e)
{
    char zlist[4096] = "";
    if (!name || !*name || strlen(name) >= sizeof(((sd_token *)0)->name))
        return sd_fail(e, SD_EBADINPUT, "a token needs a name of 1 to 127 bytes");
    if (check_scopes(scopes, e) < 0)
        return -SD_EBADINPUT;
    if (zones && canon_zones(zones, zlist, sizeof zlist, e) < 0)
        return -SD_EBADINPUT;
    if (secret_len <= SD_TOKEN_LEN)
        return sd_fail(e, SD_EINTERNAL, "token buffer too small");
    unsigned char raw[32], hash[32];
    randombytes_buf(raw, sizeof raw);
    memcpy(secret, "scai_", 5);
    sodium_bin2base64(secret + 5, secret_len - 5, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    token_hash(secret, hash);

    sqlite3_stmt *st;
    if (sd_db_prepare(db,
                      "INSERT INTO tokens(name, hash, scopes, zones, created_at) "
                      "VALUES (?, ?, ?, ?, ?)",
                      &st, e) < 0)
        goto fail;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, hash, sizeof hash, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, scopes, -1, SQLITE_STATIC);
    if (zones)
        sqlite3_bind_text(st, 4, zlist, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, now);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_CONSTRAINT || (sqlite3_extended_errcode(db) & 0xff) == SQLITE_CONSTRAINT) {
        sd_fail(e, SD_ECONFLICT, "a token named '%s' exists already", name);
        goto fail;
    }
    if (rc != SQLITE_DONE) {
        sd_db_fail(db, e, "store token");
        goto fail;
    }
    return 0;
fail:
    sodium_memzero(secret, secret_len);
    return -e->code;
}

/* Fills t from a row (id, name, scopes, zones). */
static void fill(sqlite3_stmt *st, sd_token *t)
{
    memset(t, 0, sizeof *t);
    t->id = sqlite3_column_int64(st, 0);
    snprintf(t->name, sizeof t->name, "%s", (const char *)sqlite3_column_text(st, 1));
    snprintf(t->scopes, sizeof t->scopes, "%s", (const char *)sqlite3_column_text(st, 2));
    if (sqlite3_column_type(st, 3) != SQLITE_NULL)
        snprintf(t->zones, sizeof t->zones, "%s", (const char *)sqlite3_column_text(st, 3));
}

int sd_token_check(sqlite3 *db, const char *secret, sd_token *out, sd_err *e)
{
    unsigned char hash[32];
    if (!secret || strlen(secret) != SD_TOKEN_LEN)
        return sd_fail(e, SD_ENOTFOUND, "unknown token");
    token_hash(secret, hash);
    sqlite3_stmt *st;
    if (sd_db_prepare(db,
                      "SELECT id, name, scopes, zones, hash FROM tokens "
                      "WHERE hash = ? AND revoked_at IS NULL",
                      &st, e) < 0)
        return -e->code;
    sqlite3_bind_blob(st, 1, hash, sizeof hash, SQLITE_STATIC);
    int rc = sqlite3_step(st), found = 0;
    if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 4) == (int)sizeof hash &&
        sodium_memcmp(sqlite3_column_blob(st, 4), hash, sizeof hash) == 0) {
        fill(st, out);
        found = 1;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sd_db_fail(db, e, "read tokens");
    return found ? 0 : sd_fail(e, SD_ENOTFOUND, "unknown token");
}

int sd_token_allows(const sd_token *t, const char *scope, const char *zone)
{
    if (!list_has(t->scopes, scope))
        return 0;
    if (zone && !sd_token_zone_allowed(t, zone))
        return 0;
    return 1;
}

int sd_token_zone_allowed(const sd_token *t, const char *zone)
{
    return t->zones[0] == '\0' || list_has(t->zones, zone);
}

int sd_token_revoke(sqlite3 *db, const char *name, int64_t now, sd_err *e)
{
    sqlite3_stmt *st;
    if (sd_db_prepare(db, "UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
                      &st, e) < 0)
        return -e->code;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return sd_db_fail(db, e, "revoke token");
    if (sqlite3_changes(db) == 0)
        return sd_fail(e, SD_ENOTFOUND, "no active token named '%s'", name);
    return 0;
}

int sd_token_foreach(sqlite3 *db,
                     int (*fn)(const sd_token *t, int64_t created, int64_t revoked, void *arg),
                     void *arg, sd_err *e)
{
    sqlite3_stmt *st;
    if (sd_db_prepare(db,
                      "SELECT id, name, scopes, zones, created_at, coalesce(revoked_at, 0) "
                      "FROM tokens ORDER BY name",
                      &st, e) < 0)
        return -e->code;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        sd_token t;
        fill(st, &t);
        if (fn(&t, sqlite3_column_int64(st, 4), sqlite3_column_int64(st, 5), arg))
            break;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sd_db_fail(db, e, "list tokens");
    return 0;
}
