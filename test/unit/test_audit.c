/* test_audit.c - keystore/audit.c: every change leaves a row chained to the one before by a
 * hash; a row edited or removed with SQL behind scaidns's back is reported by verify. With the
 * audit key the hash is an HMAC (a row edited and the chain recomputed without the key is
 * reported), and the heads go to the anchor file once committed (rows cut from the end are
 * reported; a rolled-back row is never anchored). */
#include "th.h"

#include <sys/stat.h>

#include "keystore/audit.h"

/* Writes n audit rows in one transaction. */
static void write_rows(th_env *t, int n)
{
    sd_err e;
    th_assert_ok(sd_db_begin(t->db, &e), e);
    for (int i = 0; i < n; i++) {
        char detail[64];
        snprintf(detail, sizeof detail, "{\"n\": %d}", i);
        th_assert_ok(sd_audit(t->db, TH_NOW + i, i % 2 ? "scheduler" : "ci-token",
                              i % 3 ? "example.com." : NULL, "dnssec-enable", "ok",
                              i % 4 ? detail : NULL, &e),
                     e);
    }
    th_assert_ok(sd_db_commit(t->db, &e), e);
}

static void test_chain_verifies(void **state)
{
    th_env *t = *state;
    sd_err e;
    int64_t rows = -1;
    th_assert_ok(sd_audit_verify(t->db, &rows, &e), e);
    assert_int_equal(rows, 0);
    write_rows(t, 6);
    th_assert_ok(sd_audit_verify(t->db, &rows, &e), e);
    assert_int_equal(rows, 6);
    /* Each row names the one before; the first starts from zeros. */
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM audit a JOIN audit b ON b.id = a.id - 1 "
                                   "WHERE a.prev_hash = b.hash"),
                     5);
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM audit WHERE id = 1 AND prev_hash = "
                                   "printf('%%064d', 0)"),
                     1);
    assert_int_equal(th_int(t->db, "SELECT count(DISTINCT hash) FROM audit"), 6);
    char *row = th_text(t->db, "SELECT at || ' ' || actor || ' ' || coalesce(zone, '-') || ' ' || "
                               "action || ' ' || outcome FROM audit WHERE id = 2");
    assert_string_equal(row, "1776938401 scheduler example.com. dnssec-enable ok");
    free(row);
    /* Rows written by operations join the same chain. */
    sd_zone z;
    th_zone(t, "example.com", &z);
    th_assert_ok(sd_dnssec_enable(&t->ctx, &z, 13, &e), e);
    th_assert_ok(sd_audit_verify(t->db, &rows, &e), e);
    assert_int_equal(rows, 8);
}

/* Each tampering, done to a fresh copy of the same trail, is reported with the row. */
static void tamper(const char *sql, const char *want)
{
    th_env *t = th_env_new();
    sd_err e;
    int64_t rows;
    write_rows(t, 6);
    th_exec(t->db, "%s", sql);
    int rc = sd_audit_verify(t->db, &rows, &e);
    th_env_free(t);
    if (rc == 0)
        fail_msg("verify did not notice: %s", sql);
    assert_int_equal(rc, -SD_ECONFLICT);
    if (!strstr(e.msg, want))
        fail_msg("after \"%s\" verify said \"%s\", want \"%s\"", sql, e.msg, want);
}

static void test_tampering_reported(void **state)
{
    (void)state;
    tamper("UPDATE audit SET outcome = 'refused' WHERE id = 3", "row 3 altered");
    tamper("UPDATE audit SET actor = 'someone-else' WHERE id = 1", "row 1 altered");
    tamper("UPDATE audit SET at = at + 1 WHERE id = 6", "row 6 altered");
    tamper("UPDATE audit SET zone = NULL WHERE id = 2", "row 2 altered");
    tamper("UPDATE audit SET zone = 'example.com.' WHERE id = 4", "row 4 altered");
    tamper("UPDATE audit SET detail = NULL WHERE id = 2", "row 2 altered");
    tamper("UPDATE audit SET detail = '' WHERE id = 4", "row 4 altered");
    tamper("UPDATE audit SET hash = (SELECT hash FROM audit WHERE id = 2) WHERE id = 5",
           "row 5 altered");
    tamper("DELETE FROM audit WHERE id = 3", "1 row missing after sequence 2");
    tamper("DELETE FROM audit WHERE id = 1", "1 row missing after sequence 0");
    tamper("UPDATE audit SET id = 100 WHERE id = 2", "1 row missing after sequence 1");
    tamper("INSERT INTO audit(id, at, actor, zone, action, outcome, detail, prev_hash, hash) "
           "SELECT 35, at, actor, zone, action, outcome, detail, prev_hash, hash FROM audit "
           "WHERE id = 3",
           "28 rows missing after sequence 6");
}

/* A key file and an anchor path in /tmp for one test; removed by keyed_done. */
typedef struct keyed_env {
    char key[64], anchor[64];
} keyed_env;

static void keyed_setup(keyed_env *k)
{
    sd_err e;
    th_tmpfile(k->key, "akey");
    th_tmpfile(k->anchor, "anchor");
    unlink(k->key);
    unlink(k->anchor);
    th_assert_ok(sd_audit_key_create(k->key, &e), e);
    th_assert_ok(sd_audit_anchor_create(k->anchor, &e), e);
    int keyed = 0;
    th_assert_ok(sd_audit_setup(k->key, k->anchor, &keyed, &e), e);
    assert_int_equal(keyed, 1);
}

static void keyed_done(keyed_env *k)
{
    sd_err e;
    unlink(k->key);
    unlink(k->anchor);
    sd_audit_setup(NULL, NULL, NULL, &e);
}

/* Lines in the anchor file. */
static int anchor_lines(const keyed_env *k)
{
    size_t len;
    unsigned char *text = th_read_file(k->anchor, &len);
    int n = 0;
    for (size_t i = 0; i < len; i++)
        n += text[i] == '\n';
    free(text);
    return n;
}

/* The keyed chain verifies; its heads are anchored per transaction; a rolled-back row is
 * not anchored and its sequence number is used again. */
static void test_keyed_anchored(void **state)
{
    th_env *t = *state;
    keyed_env k;
    sd_err e;
    keyed_setup(&k);
    write_rows(t, 3);
    write_rows(t, 2);
    assert_int_equal(anchor_lines(&k), 2); /* one head per transaction */
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM audit WHERE hash LIKE 'k1:%%'"), 5);
    th_assert_ok(sd_db_begin(t->db, &e), e);
    th_assert_ok(sd_audit(t->db, TH_NOW, "x", NULL, "a", "ok", NULL, &e), e);
    sd_db_rollback(t->db);
    assert_int_equal(anchor_lines(&k), 2);
    write_rows(t, 1);
    assert_int_equal(anchor_lines(&k), 3);
    sd_audit_report r;
    th_assert_ok(sd_audit_verify_report(t->db, &r, &e), e);
    assert_int_equal(r.rows, 6);
    assert_int_equal(r.keyed, 6);
    assert_int_equal(r.anchored, 6);
    /* The newest rows cut: the anchor still shows them. */
    th_exec(t->db, "DELETE FROM audit WHERE id > 4");
    assert_int_equal(sd_audit_verify(t->db, NULL, &e), -SD_ECONFLICT);
    if (!strstr(e.msg, "2 rows missing after sequence 4"))
        fail_msg("verify said \"%s\"", e.msg);
    /* Without the key, keyed rows cannot be checked at all. */
    sd_audit_setup(NULL, k.anchor, NULL, &e);
    assert_int_equal(sd_audit_verify(t->db, NULL, &e), -SD_EBADINPUT);
    keyed_done(&k);
}

/* A row edited and the chain after it recomputed without the key (plain hashes, as verify
 * used to accept): reported at the edited row. And with plain hashes throughout from row 1,
 * the anchor shows the first rewritten row. */
static void test_keyed_rewrite(void **state)
{
    th_env *t = *state;
    keyed_env k;
    sd_err e;
    write_rows(t, 2); /* rows from before the key */
    keyed_setup(&k);
    write_rows(t, 4);
    th_assert_ok(sd_audit_verify(t->db, NULL, &e), e);
    /* What an attacker without the key can do: plain hashes from row 4 on. */
    sd_audit_setup(NULL, NULL, NULL, &e);
    th_exec(t->db, "UPDATE audit SET outcome = 'refused' WHERE id = 4");
    /* Recompute: re-insert each row from 4 on through sd_audit, which has no key now. */
    th_exec(t->db, "CREATE TEMP TABLE saved AS SELECT * FROM audit WHERE id >= 4");
    th_exec(t->db, "DELETE FROM audit WHERE id >= 4");
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(t->db,
                                        "SELECT at, actor, zone, action, outcome, detail FROM "
                                        "saved ORDER BY id",
                                        -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW)
        th_assert_ok(sd_audit(t->db, sqlite3_column_int64(st, 0),
                              (const char *)sqlite3_column_text(st, 1),
                              (const char *)sqlite3_column_text(st, 2),
                              (const char *)sqlite3_column_text(st, 3),
                              (const char *)sqlite3_column_text(st, 4),
                              (const char *)sqlite3_column_text(st, 5), &e),
                     e);
    sqlite3_finalize(st);
    int keyed = 0;
    th_assert_ok(sd_audit_setup(k.key, k.anchor, &keyed, &e), e);
    assert_int_equal(sd_audit_verify(t->db, NULL, &e), -SD_ECONFLICT);
    if (!strstr(e.msg, "row 4 altered"))
        fail_msg("verify said \"%s\"", e.msg);
    keyed_done(&k);
}

/* A key file open to others is refused; one that is not a key too. */
static void test_key_file_checked(void **state)
{
    (void)state;
    keyed_env k;
    sd_err e;
    keyed_setup(&k);
    assert_int_equal(sd_audit_key_create(k.key, &e), -SD_ECONFLICT); /* never overwritten */
    chmod(k.key, 0640);
    assert_int_equal(sd_audit_setup(k.key, k.anchor, NULL, &e), -SD_EBADINPUT);
    assert_non_null(strstr(e.msg, "mode 0640"));
    unlink(k.key);
    char path[64];
    th_write_file(path, "not a key\n");
    chmod(path, 0600);
    assert_int_equal(sd_audit_setup(path, k.anchor, NULL, &e), -SD_EBADINPUT);
    assert_non_null(strstr(e.msg, "64 hex digits"));
    unlink(path);
    keyed_done(&k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_chain_verifies, th_setup, th_teardown),
        cmocka_unit_test(test_tampering_reported),
        cmocka_unit_test_setup_teardown(test_keyed_anchored, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_keyed_rewrite, th_setup, th_teardown),
        cmocka_unit_test(test_key_file_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
