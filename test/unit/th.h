/* th.h - helpers shared by the keystore unit tests (header only: every test_*.c is its own
 * program). A test environment is a fresh keystore in a temporary file (mkstemp in /tmp) and a
 * seal key pair made with sd_seal_create in a temporary directory; everything is removed by
 * th_env_free, also when an assertion failed (call it from a cmocka teardown). */
#ifndef SCAIDNS_TEST_TH_H
#define SCAIDNS_TEST_TH_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keystore/config.h"
#include "keystore/db.h"
#include "lifecycle/dnssec.h"
#include "keystore/policy.h"
#include "keystore/seal.h"
#include "keystore/zone.h"

/* 2026-04-23T10:00:00Z, the reference's example time. */
#define TH_NOW ((int64_t)1776938400)

typedef struct th_env {
    char dir[64];   /* holds the seal key pair */
    char path[64];  /* the keystore */
    char seal[128]; /* seal key file (secret); seal + ".pub" is the public half */
    sqlite3 *db;
    sd_seal_keys keys;
    sd_config cfg;
    sd_policy policy;
    sd_ctx ctx;
} th_env;

/* Removes path, path-wal and path-shm. */
static inline void th_unlink_db(const char *path)
{
    char buf[128];
    unlink(path);
    snprintf(buf, sizeof buf, "%s-wal", path);
    unlink(buf);
    snprintf(buf, sizeof buf, "%s-shm", path);
    unlink(buf);
    snprintf(buf, sizeof buf, "%s-journal", path);
    unlink(buf);
}

/* A new empty temporary file in /tmp; its name goes to path (size >= 64). */
static inline void th_tmpfile(char *path, const char *tag)
{
    snprintf(path, 64, "/tmp/scaidns-%s-XXXXXX", tag);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
}

/* Makes a keystore and a seal key pair; the context acts as "test" at TH_NOW. */
static inline th_env *th_env_new(void)
{
    th_env *t = calloc(1, sizeof *t);
    sd_err e;
    assert_non_null(t);
    snprintf(t->dir, sizeof t->dir, "/tmp/scaidns-seal-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    snprintf(t->seal, sizeof t->seal, "%s/seal.key", t->dir);
    assert_int_equal(sd_seal_create(t->seal, &e), 0);
    assert_int_equal(sd_seal_load_public(t->seal, &t->keys, &e), 0);
    th_tmpfile(t->path, "db");
    if (sd_db_open(t->path, SD_DB_CREATE, &t->db, &e) < 0)
        fail_msg("sd_db_open: %s", e.msg);
    sd_config_defaults(&t->cfg);
    sd_policy_from_config(&t->cfg, &t->policy);
    t->ctx.db = t->db;
    t->ctx.seal = &t->keys;
    t->ctx.defaults = &t->policy;
    t->ctx.actor = "test";
    t->ctx.now = TH_NOW;
    return t;
}

/* Closes the keystore and removes every file of t. NULL-safe. */
static inline void th_env_free(th_env *t)
{
    char buf[160];
    if (!t)
        return;
    sd_db_close(t->db);
    th_unlink_db(t->path);
    unlink(t->seal);
    snprintf(buf, sizeof buf, "%s.pub", t->seal);
    unlink(buf);
    rmdir(t->dir);
    free(t);
}

/* cmocka setup/teardown that keep a th_env in *state. */
static inline int th_setup(void **state)
{
    *state = th_env_new();
    return 0;
}

static inline int th_teardown(void **state)
{
    th_env_free(*state);
    *state = NULL;
    return 0;
}

/* Runs a statement built with sqlite3_mprintf's format (%q, %Q, %lld ...); fails the test on
 * an error. */
static inline void th_exec(sqlite3 *db, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *sql = sqlite3_vmprintf(fmt, ap);
    va_end(ap);
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fail_msg("%s: %s", sql, msg ? msg : "?");
    sqlite3_free(sql);
}

/* The integer in the first column of the first row of a query (0 when there is no row). */
static inline int64_t th_int(sqlite3 *db, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *sql = sqlite3_vmprintf(fmt, ap);
    va_end(ap);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    int64_t v = 0;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    else if (rc != SQLITE_DONE)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    sqlite3_finalize(st);
    sqlite3_free(sql);
    return v;
}

/* The text in the first column of the first row of a query, as a new string ("" for NULL or
 * no row). Caller frees. */
static inline char *th_text(sqlite3 *db, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *sql = sqlite3_vmprintf(fmt, ap);
    va_end(ap);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    char *v = NULL;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = strdup((const char *)sqlite3_column_text(st, 0));
    else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    sqlite3_finalize(st);
    sqlite3_free(sql);
    return v ? v : strdup("");
}

/* Every row of every table, as one text: two snapshots are equal when nothing was written.
 * The audit table is left out when with_audit is 0 (refused calls may record a refusal). */
static inline char *th_snapshot(sqlite3 *db, int with_audit)
{
    static const char *const tables[] = {
        "SELECT id, public_id, name, kind, keys_only, notified_serial, created_at, updated_at "
        "FROM zones ORDER BY id",
        "SELECT id, zone_id, name, type, ttl FROM rrsets ORDER BY id",
        "SELECT id, rrset_id, content FROM records ORDER BY id",
        "SELECT id, kid, zone_id, role, flags, algorithm, bits, key_tag, public_key, "
        "hex(sealed_private), state, created_at, publish_at, activate_at, retire_at, remove_at, "
        "expires_at, ds_submitted_at, ds_seen_at FROM keys ORDER BY id",
        "SELECT * FROM policies ORDER BY zone_id",
        "SELECT id, name, hex(hash), scopes, zones, created_at, revoked_at FROM tokens "
        "ORDER BY id",
        "SELECT * FROM meta ORDER BY key",
        "SELECT * FROM audit ORDER BY id",
    };
    size_t ntables = sizeof tables / sizeof tables[0] - (with_audit ? 0 : 1);
    char *out = sqlite3_mprintf("%s", "");
    for (size_t i = 0; i < ntables; i++) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(db, tables[i], -1, &st, NULL) != SQLITE_OK)
            fail_msg("%s: %s", tables[i], sqlite3_errmsg(db));
        while (sqlite3_step(st) == SQLITE_ROW) {
            for (int c = 0; c < sqlite3_column_count(st); c++) {
                const char *v = (const char *)sqlite3_column_text(st, c);
                char *next = sqlite3_mprintf("%s%s|", out, v ? v : "NULL");
                sqlite3_free(out);
                out = next;
            }
            char *next = sqlite3_mprintf("%s\n", out);
            sqlite3_free(out);
            out = next;
        }
        sqlite3_finalize(st);
        char *next = sqlite3_mprintf("%s--\n", out);
        sqlite3_free(out);
        out = next;
    }
    char *copy = strdup(out);
    sqlite3_free(out);
    return copy;
}

/* The SOA serial of zone_id (-1 when the zone has no SOA). */
static inline int64_t th_serial(sqlite3 *db, int64_t zone_id)
{
    char *soa = th_text(db,
                        "SELECT r.content FROM records r JOIN rrsets s ON s.id = r.rrset_id "
                        "WHERE s.zone_id = %lld AND s.type = 'SOA'",
                        (long long)zone_id);
    char a[300], b[300];
    unsigned long serial;
    int64_t v = sscanf(soa, "%299s %299s %lu", a, b, &serial) == 3 ? (int64_t)serial : -1;
    free(soa);
    return v;
}

/* Creates zone name with SOA and NS records (SOA minimum 3600). */
static inline void th_zone(th_env *t, const char *name, sd_zone *z)
{
    sd_zone_init init = {0};
    sd_err e;
    init.ns = "ns1.example.net.,ns2.example.net.";
    init.soa_rname = "hostmaster.example.net.";
    init.with_records = 1;
    if (sd_zone_create(t->db, name, &init, "test", TH_NOW, z, &e) < 0)
        fail_msg("sd_zone_create %s: %s", name, e.msg);
}

/* Writes text into a new temporary file; its name goes to path (size >= 64). */
static inline void th_write_file(char *path, const char *text)
{
    th_tmpfile(path, "file");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Reads a whole file (binary); *len gets its size. Caller frees. */
static inline unsigned char *th_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* Asserts that a call failed with code and that its message contains needle. */
#define th_assert_fail(rc, e, want_code, needle)                                                   \
    do {                                                                                           \
        int th_rc_ = (rc);                                                                         \
        if (th_rc_ != -(want_code) || (e).code != (want_code))                                     \
            fail_msg("expected error %d, got rc %d code %d: %s", (want_code), th_rc_, (e).code,    \
                     (e).msg);                                                                     \
        if (!strstr((e).msg, (needle)))                                                            \
            fail_msg("message \"%s\" does not mention \"%s\"", (e).msg, (needle));                 \
    } while (0)

/* Asserts that a call succeeded, printing its error otherwise. */
#define th_assert_ok(rc, e)                                                                        \
    do {                                                                                           \
        if ((rc) != 0)                                                                             \
            fail_msg("unexpected error %d: %s", (e).code, (e).msg);                                \
    } while (0)

#endif
