/* tsig.c - TSIG keys: random secrets shown once and sealed to the backend, and the per-zone
 * list of keys that may transfer the zone. A secret is sealed as its base64 text, bound to
 * ("tsig:" + key name, algorithm) so that a box copied to another key row is refused. */
#include "keystore/tsig.h"

#include <ctype.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "keystore/audit.h"
#include "keystore/db.h"

typedef struct algo {
    const char *name; /* short name, as stored */
    const char *dns;  /* RFC 8945 name, absolute */
    size_t secret_len;
    int weak;
} algo;

static const algo ALGOS[] = {
    {"hmac-sha256", "hmac-sha256.", 32, 0},
    {"hmac-sha512", "hmac-sha512.", 64, 0},
    {"hmac-md5", "hmac-md5.sig-alg.reg.int.", 16, 1},
};

/* Whether in (case-insensitively, one trailing dot allowed) is word. */
static int same_name(const char *in, const char *word)
{
    size_t n = strlen(word), m = strlen(in);
    if (m > 0 && in[m - 1] == '.')
        m--;
    if (n > 0 && word[n - 1] == '.')
        n--;
    return m == n && strncasecmp(in, word, n) == 0;
}

int sd_tsig_algorithm(const char *in, const char **canon, int *weak, size_t *secret_len, sd_err *e)
{
    for (size_t i = 0; in && i < sizeof ALGOS / sizeof ALGOS[0]; i++) {
        if (same_name(in, ALGOS[i].name) || same_name(in, ALGOS[i].dns)) {
            if (canon)
                *canon = ALGOS[i].name;
            if (weak)
                *weak = ALGOS[i].weak;
            if (secret_len)
                *secret_len = ALGOS[i].secret_len;
            return 0;
        }
    }
    return sd_fail(e, SD_EBADINPUT,
                   "unknown TSIG algorithm '%.64s' (known: hmac-sha256, hmac-sha512, and "
                   "hmac-md5, weak, for old secondaries)",
                   in ? in : "");
}

const char *sd_tsig_algorithm_dns(const char *canon)
{
    for (size_t i = 0; canon && i < sizeof ALGOS / sizeof ALGOS[0]; i++)
        if (strcmp(canon, ALGOS[i].name) == 0)
            return ALGOS[i].dns;
    return NULL;
}

int sd_tsig_name_canon(const char *in, char *out, size_t outlen, sd_err *e)
{
    if (!in || !*in || strcmp(in, ".") == 0)
        return sd_fail(e, SD_EBADINPUT, "a TSIG key needs a name (such as xfr-secondary1)");
    size_t n = strlen(in);
    if (in[n - 1] == '.')
        n--;
    if (n > 253 || n + 2 > outlen)
        return sd_fail(e, SD_EBADINPUT, "TSIG key name is longer than 253 characters");
    size_t label = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '.') {
            if (label == 0)
                return sd_fail(e, SD_EBADINPUT, "TSIG key name '%.64s' has an empty label", in);
            label = 0;
            out[i] = '.';
            continue;
        }
        if (!isalnum(c) && c != '-' && c != '_')
            return sd_fail(e, SD_EBADINPUT,
                           "TSIG key name '%.64s': only letters, digits, '-', '_' and dots "
                           "between labels are allowed",
                           in);
        if (++label > 63)
            return sd_fail(e, SD_EBADINPUT, "TSIG key name '%.64s' has a label over 63 octets", in);
        out[i] = (char)tolower(c);
    }
    if (label == 0)
        return sd_fail(e, SD_EBADINPUT, "TSIG key name '%.64s' has an empty label", in);
    out[n] = '.';
    out[n + 1] = '\0';
    return 0;
}

/* The seal binding of a key: "tsig:<name>" into buf. */
static void seal_zone(const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "tsig:%s", name);
}

/* Writes an audit row with detail {"key": name, ...extra} (extra taken; may be NULL). */
static int audit_key(sqlite3 *db, int64_t now, const char *actor, const char *zone,
                     const char *action, json_t *detail, sd_err *e)
{
    char *text = detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(detail);
    if (detail && !text)
        return sd_fail(e, SD_EINTERNAL, "out of memory");
    int rc = sd_audit(db, now, actor ? actor : "unknown", zone, action, "ok", text, e);
    free(text);
    return rc;
}

int sd_tsig_create(sqlite3 *db, const sd_seal_keys *seal, const char *name, const char *algorithm,
                   const char *actor, int64_t now, char *secret, size_t secret_len,
                   sd_tsig_key *out, sd_err *e)
{
    char canon[SD_TSIG_NAME_MAX], binding[SD_TSIG_NAME_MAX + 8];
    const char *alg;
    size_t raw_len;
    int weak;
    if (!seal || !secret || secret_len < SD_TSIG_SECRET_B64_MAX)
        return sd_fail(e, SD_EINTERNAL, "sd_tsig_create: missing argument");
    if (sd_tsig_name_canon(name, canon, sizeof canon, e) < 0 ||
        sd_tsig_algorithm(algorithm ? algorithm : "hmac-sha256", &alg, &weak, &raw_len, e) < 0)
        return -SD_EBADINPUT;
    if (sodium_init() < 0)
        return sd_fail(e, SD_EINTERNAL, "libsodium failed to initialise");
    unsigned char raw[64];
    randombytes_buf(raw, raw_len);
    sodium_bin2base64(secret, secret_len, raw, raw_len, sodium_base64_VARIANT_ORIGINAL);
    sodium_memzero(raw, sizeof raw);

    uint8_t *blob = NULL;
    size_t blen = 0;
    seal_zone(canon, binding, sizeof binding);
    int rc = sd_seal(seal, binding, alg, secret, &blob, &blen, e);
    if (rc < 0)
        goto wipe;
    if ((rc = sd_db_begin(db, e)) < 0)
        goto wipe;
    sqlite3_stmt *st = NULL;
    rc = sd_db_prepare(db,
                       "INSERT INTO tsig_keys(name, algorithm, sealed_secret, created_at) "
                       "VALUES (?, ?, ?, ?)",
                       &st, e);
    if (rc == 0) {
        sqlite3_bind_text(st, 1, canon, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, alg, -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 3, blob, (int)blen, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, now);
        int s = sqlite3_step(st);
        if ((s & 0xff) == SQLITE_CONSTRAINT)
            rc = sd_fail(e, SD_ECONFLICT, "TSIG key %s already exists", canon);
        else if (s != SQLITE_DONE)
            rc = sd_db_fail(db, e, "create TSIG key");
        sqlite3_finalize(st);
    }
    int64_t id = sqlite3_last_insert_rowid(db);
    if (rc == 0)
        rc = audit_key(db, now, actor, NULL, "tsig-create",
                       json_pack("{s:s, s:s}", "key", canon, "algorithm", alg), e);
    if (rc == 0)
        rc = sd_db_commit(db, e);
    else
        sd_db_rollback(db);
    if (rc == 0 && out) {
        memset(out, 0, sizeof *out);
        out->id = id;
        snprintf(out->name, sizeof out->name, "%s", canon);
        snprintf(out->algorithm, sizeof out->algorithm, "%s", alg);
        out->weak = weak;
        out->created_at = now;
    }
wipe:
    free(blob);
    if (rc < 0)
        sodium_memzero(secret, secret_len);
    return rc;
}

/* Fills k from a row (id, name, algorithm, created_at). */
static void key_from_row(sqlite3_stmt *st, sd_tsig_key *k)
{
    memset(k, 0, sizeof *k);
    k->id = sqlite3_column_int64(st, 0);
    const char *n = (const char *)sqlite3_column_text(st, 1);
    const char *a = (const char *)sqlite3_column_text(st, 2);
    snprintf(k->name, sizeof k->name, "%s", n ? n : "");
    snprintf(k->algorithm, sizeof k->algorithm, "%s", a ? a : "");
    k->weak = strcmp(k->algorithm, "hmac-md5") == 0;
    k->created_at = sqlite3_column_int64(st, 3);
}

int sd_tsig_find(sqlite3 *db, const char *name, sd_tsig_key *out, sd_err *e)
{
    char canon[SD_TSIG_NAME_MAX];
    if (sd_tsig_name_canon(name, canon, sizeof canon, e) < 0)
        return -SD_EBADINPUT;
    sqlite3_stmt *st;
    if (sd_db_prepare(db, "SELECT id, name, algorithm, created_at FROM tsig_keys WHERE name = ?",
                      &st, e) < 0)
        return -e->code;
    sqlite3_bind_text(st, 1, canon, -1, SQLITE_STATIC);
    int s = sqlite3_step(st), rc = 0;
    if (s == SQLITE_ROW)
        key_from_row(st, out);
    else if (s == SQLITE_DONE)
        rc = sd_fail(e, SD_ENOTFOUND, "TSIG key %s not found", canon);
    else
        rc = sd_db_fail(db, e, "find TSIG key");
    sqlite3_finalize(st);
    return rc;
}

int sd_tsig_foreach(sqlite3 *db, int (*fn)(const sd_tsig_key *k, void *arg), void *arg, sd_err *e)
{
    sqlite3_stmt *st;
    if (sd_db_prepare(db, "SELECT id, name, algorithm, created_at FROM tsig_keys ORDER BY name",
                      &st, e) < 0)
        return -e->code;
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        sd_tsig_key k;
        key_from_row(st, &k);
        if (fn(&k, arg) != 0) {
            s = SQLITE_DONE;
            break;
        }
    }
    int rc = s == SQLITE_DONE ? 0 : sd_db_fail(db, e, "list TSIG keys");
    sqlite3_finalize(st);
    return rc;
}

/* Runs sql (one int64 parameter) and calls fn with column 0 of each row as text. */
static int each_name(sqlite3 *db, const char *sql, int64_t param,
                     int (*fn)(const char *name, void *arg), void *arg, const char *what, sd_err *e)
{
    sqlite3_stmt *st;
    if (sd_db_prepare(db, sql, &st, e) < 0)
        return -e->code;
    sqlite3_bind_int64(st, 1, param);
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        const char *n = (const char *)sqlite3_column_text(st, 0);
        if (fn(n ? n : "", arg) != 0) {
            s = SQLITE_DONE;
            break;
        }
    }
    int rc = s == SQLITE_DONE ? 0 : sd_db_fail(db, e, what);
    sqlite3_finalize(st);
    return rc;
}

int sd_tsig_key_zones(sqlite3 *db, int64_t key_id, int (*fn)(const char *zone, void *arg),
                      void *arg, sd_err *e)
{
    return each_name(db,
                     "SELECT z.name FROM zone_tsig_axfr a JOIN zones z ON z.id = a.zone_id "
                     "WHERE a.tsig_key_id = ? ORDER BY z.name",
                     key_id, fn, arg, "list the zones of a TSIG key", e);
}

int sd_tsig_allow_axfr_foreach(sqlite3 *db, int64_t zone_id, int (*fn)(const char *key, void *arg),
                               void *arg, sd_err *e)
{
    return each_name(db,
                     "SELECT t.name FROM zone_tsig_axfr a JOIN tsig_keys t ON t.id = "
                     "a.tsig_key_id WHERE a.zone_id = ? ORDER BY t.name",
                     zone_id, fn, arg, "list the TSIG keys of a zone", e);
}

/* Appends zone to the comma-separated list in arg (a 400-byte buffer; "..." once full). */
static int join_zone(const char *zone, void *arg)
{
    char *buf = arg;
    size_t used = strlen(buf);
    if (used + strlen(zone) + 3 >= 400) {
        if (used + 4 < 400)
            strcat(buf, ", ...");
        return 1;
    }
    snprintf(buf + used, 400 - used, "%s%s", used ? ", " : "", zone);
    return 0;
}

int sd_tsig_delete(sqlite3 *db, const char *name, const char *actor, int64_t now, sd_err *e)
{
    sd_tsig_key k;
    int rc = sd_db_begin(db, e);
    if (rc < 0)
        return rc;
    char zones[400] = "";
    if ((rc = sd_tsig_find(db, name, &k, e)) == 0 &&
        (rc = sd_tsig_key_zones(db, k.id, join_zone, zones, e)) == 0 && zones[0])
        rc = sd_fail(e, SD_ECONFLICT,
                     "TSIG key %s may still transfer %s: take it out of their allow-axfr lists "
                     "first",
                     k.name, zones);
    if (rc == 0) {
        sqlite3_stmt *st;
        if ((rc = sd_db_prepare(db, "DELETE FROM tsig_keys WHERE id = ?", &st, e)) == 0) {
            sqlite3_bind_int64(st, 1, k.id);
            if (sqlite3_step(st) != SQLITE_DONE)
                rc = sd_db_fail(db, e, "delete TSIG key");
            sqlite3_finalize(st);
        }
    }
    if (rc == 0)
        rc = audit_key(db, now, actor, NULL, "tsig-delete",
                       json_pack("{s:s, s:s}", "key", k.name, "algorithm", k.algorithm), e);
    if (rc == 0)
        return sd_db_commit(db, e);
    sd_db_rollback(db);
    return rc;
}

int sd_tsig_allow_axfr_set(sqlite3 *db, int64_t zone_id, const char *zone, const char *const *names,
                           size_t n, const char *actor, int64_t now, sd_err *e)
{
    if (n > SD_TSIG_MAX_PER_ZONE)
        return sd_fail(e, SD_EBADINPUT, "at most %d TSIG keys may transfer a zone",
                       SD_TSIG_MAX_PER_ZONE);
    int64_t ids[SD_TSIG_MAX_PER_ZONE];
    json_t *list = json_array();
    if (!list)
        return sd_fail(e, SD_EINTERNAL, "out of memory");
    int rc = sd_db_begin(db, e);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        sd_tsig_key k;
        if ((rc = sd_tsig_find(db, names[i], &k, e)) < 0)
            break;
        for (size_t j = 0; j < i; j++)
            if (ids[j] == k.id)
                rc = sd_fail(e, SD_EBADINPUT, "TSIG key %s is named twice", k.name);
        ids[i] = k.id;
        json_array_append_new(list, json_string(k.name));
    }
    sqlite3_stmt *del = NULL, *ins = NULL;
    if (rc == 0 &&
        (rc = sd_db_prepare(db, "DELETE FROM zone_tsig_axfr WHERE zone_id = ?", &del, e)) == 0) {
        sqlite3_bind_int64(del, 1, zone_id);
        if (sqlite3_step(del) != SQLITE_DONE)
            rc = sd_db_fail(db, e, "set allow-axfr");
    }
    if (rc == 0)
        rc = sd_db_prepare(db, "INSERT INTO zone_tsig_axfr(zone_id, tsig_key_id) VALUES (?, ?)",
                           &ins, e);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        sqlite3_reset(ins);
        sqlite3_bind_int64(ins, 1, zone_id);
        sqlite3_bind_int64(ins, 2, ids[i]);
        if (sqlite3_step(ins) != SQLITE_DONE)
            rc = sd_db_fail(db, e, "set allow-axfr");
    }
    sqlite3_finalize(del);
    sqlite3_finalize(ins);
    /* A zone that secondaries transfer is a primary: PowerDNS NOTIFYs only those. */
    sqlite3_stmt *kind = NULL;
    if (rc == 0 && n > 0 &&
        (rc = sd_db_prepare(db, "UPDATE zones SET kind = 'master' WHERE id = ?", &kind, e)) == 0) {
        sqlite3_bind_int64(kind, 1, zone_id);
        if (sqlite3_step(kind) != SQLITE_DONE)
            rc = sd_db_fail(db, e, "set allow-axfr");
        sqlite3_finalize(kind);
    }
    if (rc == 0) {
        rc =
            audit_key(db, now, actor, zone, "tsig-allow-axfr", json_pack("{s:O}", "keys", list), e);
    }
    json_decref(list);
    if (rc == 0)
        return sd_db_commit(db, e);
    sd_db_rollback(db);
    return rc;
}

int sd_tsig_unseal(const sd_seal_keys *seal, const char *name, const char *algorithm,
                   const uint8_t *blob, size_t len, char *secret, size_t secret_len, sd_err *e)
{
    char binding[SD_TSIG_NAME_MAX + 8];
    char *text = NULL;
    seal_zone(name, binding, sizeof binding);
    if (sd_unseal(seal, binding, algorithm, blob, len, &text, e) < 0)
        return -e->code;
    size_t n = strlen(text);
    int rc = 0;
    if (n + 1 > secret_len)
        rc = sd_fail(e, SD_EINTERNAL, "the secret of TSIG key %s is too long", name);
    else
        memcpy(secret, text, n + 1);
    sodium_memzero(text, n);
    free(text);
    return rc;
}
