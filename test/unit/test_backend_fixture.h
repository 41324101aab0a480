/* test_backend_fixture.h - a keystore for the backend's unit tests, filled with plain SQL so
 * that the tests depend on the schema only: an NSEC zone (example.com.), the RFC 5155
 * appendix A zone (example., NSEC3 opt-out, salt aabbccdd, 12 iterations), and a keys-only
 * zone (keys.test.), with keys sealed to a fresh seal key pair. Header only. */
#ifndef SCAIDNS_TEST_BACKEND_FIXTURE_H
#define SCAIDNS_TEST_BACKEND_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keystore/db.h"
#include "backend/dispatch.h"
#include "keystore/seal.h"
#include "backend/store.h"

#define FX_KSK_TEXT "Private-key-format: v1.2\nAlgorithm: 13 (ECDSAP256SHA256)\nPrivateKey: ksk=\n"
#define FX_ZSK_TEXT "Private-key-format: v1.2\nAlgorithm: 13 (ECDSAP256SHA256)\nPrivateKey: zsk=\n"

typedef struct fx {
    char dir[64];
    char db_path[128];
    char seal_path[128];
    sd_config cfg;
    sd_seal_keys keys;
    sqlite3 *writer; /* a second connection, as scaidns-api would hold */
    sb_store *store;
} fx;

/* Runs SQL on db, failing the test on error. */
static inline void fx_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg ? msg : "?");
}

/* Adds one RRset with one or more records (contents separated by '|'). */
static inline void fx_rr(sqlite3 *db, int zone, const char *name, const char *type, int ttl,
                         const char *contents)
{
    char *sql = sqlite3_mprintf("INSERT INTO rrsets(zone_id, name, type, ttl) VALUES (%d, %Q, "
                                "%Q, %d)",
                                zone, name, type, ttl);
    fx_exec(db, sql);
    sqlite3_free(sql);
    sqlite3_int64 id = sqlite3_last_insert_rowid(db);
    char *copy = strdup(contents), *save = NULL;
    for (char *c = strtok_r(copy, "|", &save); c; c = strtok_r(NULL, "|", &save)) {
        sql = sqlite3_mprintf("INSERT INTO records(rrset_id, content) VALUES (%lld, %Q)", id, c);
        fx_exec(db, sql);
        sqlite3_free(sql);
    }
    free(copy);
}

/* Adds a key with its private text sealed for (zone name, kid). */
static inline void fx_key(fx *f, int zone, const char *zname, const char *kid, int flags,
                          const char *state, const char *text)
{
    uint8_t *blob = NULL;
    size_t len = 0;
    sd_err e;
    if (text && sd_seal(&f->keys, zname, kid, text, &blob, &len, &e) < 0)
        fail_msg("sd_seal: %s", e.msg);
    sqlite3_stmt *st;
    assert_int_equal(
        sqlite3_prepare_v2(f->writer,
                           "INSERT INTO keys(kid, zone_id, role, flags, algorithm, bits, key_tag, "
                           "public_key, sealed_private, state, created_at, expires_at) VALUES "
                           "(?, ?, ?, ?, 13, 256, 1234, 'AAAA', ?, ?, 0, 9999999999)",
                           -1, &st, NULL),
        SQLITE_OK);
    sqlite3_bind_text(st, 1, kid, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, zone);
    sqlite3_bind_text(st, 3, flags == 257 ? "KSK" : "ZSK", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, flags);
    if (blob)
        sqlite3_bind_blob(st, 5, blob, (int)len, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, state, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    free(blob);
}

static inline void fx_fill(fx *f)
{
    sqlite3 *db = f->writer;
    fx_exec(db, "INSERT INTO zones(id, public_id, name, kind, keys_only, created_at, updated_at) "
                "VALUES (1, 'd_0000000000000001', 'example.com.', 'master', 0, 0, 0), "
                "(2, 'd_0000000000000002', 'example.', 'native', 0, 0, 0), "
                "(3, 'd_0000000000000003', 'keys.test.', 'native', 1, 0, 0)");
    fx_rr(db, 1, "example.com.", "SOA", 3600,
          "ns1.example.com. hostmaster.example.com. 2024010101 10800 3600 604800 3600");
    fx_rr(db, 1, "example.com.", "NS", 3600, "ns1.example.com.|ns2.example.com.");
    fx_rr(db, 1, "www.example.com.", "A", 300, "192.0.2.1");
    fx_rr(db, 1, "a.b.example.com.", "TXT", 300, "\"in an empty non-terminal\"");
    fx_rr(db, 1, "mail.example.com.", "MX", 300, "10 mail.example.com.");
    fx_rr(db, 1, "sub.example.com.", "NS", 3600, "ns.sub.example.com.");
    fx_rr(db, 1, "sub.example.com.", "DS", 3600,
          "12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF");
    fx_rr(db, 1, "ns.sub.example.com.", "A", 3600, "192.0.2.53");
    fx_rr(db, 1, "*.wild.example.com.", "A", 300, "192.0.2.99");
    /* RFC 5155 appendix A, without its odd hash-named A record. */
    fx_rr(db, 2, "example.", "SOA", 3600, "ns1.example. bugs.x.w.example. 1 3600 300 3600000 3600");
    fx_rr(db, 2, "example.", "NS", 3600, "ns1.example.|ns2.example.");
    fx_rr(db, 2, "example.", "MX", 3600, "1 xx.example.");
    fx_rr(db, 2, "a.example.", "NS", 3600, "ns1.a.example.|ns2.a.example.");
    fx_rr(db, 2, "a.example.", "DS", 3600, "58470 5 1 3079F1593EBAD6DC121E202A8B766A6A4837206C");
    fx_rr(db, 2, "ns1.a.example.", "A", 3600, "192.0.2.5");
    fx_rr(db, 2, "ns2.a.example.", "A", 3600, "192.0.2.6");
    fx_rr(db, 2, "ai.example.", "A", 3600, "192.0.2.9");
    fx_rr(db, 2, "c.example.", "NS", 3600, "ns1.c.example.|ns2.c.example.");
    fx_rr(db, 2, "ns1.c.example.", "A", 3600, "192.0.2.7");
    fx_rr(db, 2, "ns2.c.example.", "A", 3600, "192.0.2.8");
    fx_rr(db, 2, "ns1.example.", "A", 3600, "192.0.2.1");
    fx_rr(db, 2, "ns2.example.", "A", 3600, "192.0.2.2");
    fx_rr(db, 2, "*.w.example.", "MX", 3600, "1 ai.example.");
    fx_rr(db, 2, "x.w.example.", "MX", 3600, "1 xx.example.");
    fx_rr(db, 2, "x.y.w.example.", "MX", 3600, "1 xx.example.");
    fx_rr(db, 2, "xx.example.", "A", 3600, "192.0.2.10");
    fx_exec(db, "INSERT INTO policies(zone_id, nsec3, nsec3_iterations, nsec3_salt, nsec3_optout, "
                "cds) VALUES (2, 1, 12, 'aabbccdd', 1, 0)");
    fx_key(f, 1, "example.com.", "kid-ksk", 257, "active", FX_KSK_TEXT);
    fx_key(f, 1, "example.com.", "kid-zsk", 256, "active", FX_ZSK_TEXT);
    fx_key(f, 1, "example.com.", "kid-next", 256, "published", FX_ZSK_TEXT);
    fx_key(f, 1, "example.com.", "kid-gone", 256, "removed", NULL);
    fx_key(f, 2, "example.", "kid-ex", 257, "active", FX_KSK_TEXT);
    fx_key(f, 3, "keys.test.", "kid-keys", 257, "active", FX_KSK_TEXT);
}

/* Creates the keystore and opens the store the way scaidns-backend does. */
static inline int fx_setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    sd_err e;
    assert_non_null(f);
    assert_true(sodium_init() >= 0);
    snprintf(f->dir, sizeof f->dir, "/tmp/scaidns-backend-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db_path, sizeof f->db_path, "%s/k.db", f->dir);
    snprintf(f->seal_path, sizeof f->seal_path, "%s/seal.key", f->dir);
    assert_int_equal(sd_seal_create(f->seal_path, &e), 0);
    assert_int_equal(sd_seal_load_secret(f->seal_path, &f->keys, &e), 0);
    if (sd_db_open(f->db_path, SD_DB_CREATE, &f->writer, &e) < 0)
        fail_msg("sd_db_open: %s", e.msg);
    fx_fill(f);
    sd_config_defaults(&f->cfg);
    snprintf(f->cfg.db, sizeof f->cfg.db, "%s", f->db_path);
    snprintf(f->cfg.seal_key, sizeof f->cfg.seal_key, "%s", f->seal_path);
    snprintf(f->cfg.soa_edit, sizeof f->cfg.soa_edit, "INCEPTION-INCREMENT");
    if (sb_store_open(&f->cfg, &f->store, &e) < 0)
        fail_msg("sb_store_open: %s", e.msg);
    *state = f;
    return 0;
}

static inline int fx_teardown(void **state)
{
    fx *f = *state;
    char path[160];
    sb_store_close(f->store);
    sd_db_close(f->writer);
    sd_seal_wipe(&f->keys);
    const char *files[] = {"k.db", "k.db-wal", "k.db-shm", "seal.key", "seal.key.pub"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", f->dir, files[i]);
        unlink(path);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

/* Sends one request line through the dispatcher and returns the parsed reply. */
static inline json_t *fx_call(fx *f, const char *line)
{
    size_t n = 0;
    char *reply = sb_dispatch(f->store, line, strlen(line), &n);
    assert_non_null(reply);
    assert_true(n > 0 && reply[n - 1] == '\n');
    assert_null(memchr(reply, '\n', n - 1)); /* one line */
    json_error_t jerr;
    json_t *j = json_loadb(reply, n, 0, &jerr);
    if (!j)
        fail_msg("reply is not JSON: %.*s", (int)n, reply);
    free(reply);
    assert_non_null(json_object_get(j, "result"));
    return j;
}

/* The reply's "result" member (borrowed). */
#define fx_result(j) json_object_get((j), "result")

/* Asserts that the reply is {"result": false, "log": [...]} whose first log line holds needle. */
static inline void fx_assert_error(json_t *j, const char *needle)
{
    assert_true(json_is_false(fx_result(j)));
    json_t *log = json_object_get(j, "log");
    if (!json_is_array(log) || !json_is_string(json_array_get(log, 0)))
        fail_msg("no log in error reply");
    const char *msg = json_string_value(json_array_get(log, 0));
    if (!strstr(msg, needle))
        fail_msg("log \"%s\" does not mention \"%s\"", msg, needle);
}

#endif
