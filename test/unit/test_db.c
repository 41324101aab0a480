/* test_db.c - keystore/db.c: a new keystore gets the whole schema and its pragmas; a keystore
 * from a newer scaidns is refused with a clear message and left byte for byte as it was. */
#include "th.h"

#include <sys/stat.h>

/* Sets PRAGMA user_version of the file at path to v with a plain SQLite connection. */
static void set_user_version(const char *path, int v)
{
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
    th_exec(raw, "PRAGMA user_version = %d", v);
    assert_int_equal(sqlite3_close(raw), SQLITE_OK);
}

/* Asserts that the files path-wal and path-shm do not exist. */
static void assert_no_sidecars(const char *path)
{
    char buf[128];
    struct stat st;
    snprintf(buf, sizeof buf, "%s-wal", path);
    if (stat(buf, &st) == 0 && st.st_size > 0)
        fail_msg("%s was left behind with %lld bytes", buf, (long long)st.st_size);
}

static void test_new_keystore(void **state)
{
    (void)state;
    char path[64];
    sqlite3 *db;
    sd_err e;
    th_tmpfile(path, "db");
    unlink(path);
    /* Without SD_DB_CREATE a missing file is an error that says what to do. */
    th_assert_fail(sd_db_open(path, 0, &db, &e), e, SD_ENOTFOUND, "scaidnsctl init");
    assert_null(db);
    th_assert_ok(sd_db_open(path, SD_DB_CREATE, &db, &e), e);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_true(sd_db_schema_version() >= 1);
    assert_int_equal(th_int(db, "PRAGMA user_version"), sd_db_schema_version());
    char *mode = th_text(db, "PRAGMA journal_mode");
    assert_string_equal(mode, "wal");
    free(mode);
    assert_int_equal(th_int(db, "PRAGMA foreign_keys"), 1);
    assert_int_equal(th_int(db, "PRAGMA synchronous"), 2); /* FULL */
    static const char *const objects[] = {"zones",         "rrsets",     "records", "keys",
                                          "policies",      "tokens",     "audit",   "meta",
                                          "dnssec_status", "dnssec_keys"};
    for (size_t i = 0; i < sizeof objects / sizeof objects[0]; i++)
        if (th_int(db, "SELECT count(*) FROM sqlite_master WHERE name = %Q", objects[i]) != 1)
            fail_msg("the new keystore has no %s", objects[i]);
    /* Foreign keys are enforced: a key for a zone that does not exist is refused. */
    char *err = NULL;
    assert_int_not_equal(sqlite3_exec(db,
                                      "INSERT INTO keys(kid, zone_id, role, flags, algorithm, "
                                      "bits, key_tag, public_key, state, created_at, expires_at) "
                                      "VALUES ('x', 999, 'KSK', 257, 13, 256, 1, 'AA', 'active', "
                                      "0, 0)",
                                      NULL, NULL, &err),
                         SQLITE_OK);
    sqlite3_free(err);
    sd_db_close(db);
    /* Opening again applies nothing and keeps the data. */
    th_assert_ok(sd_db_open(path, 0, &db, &e), e);
    assert_int_equal(th_int(db, "PRAGMA user_version"), sd_db_schema_version());
    sd_db_close(db);
    /* Read-only, as the backend opens it: writes are refused. */
    th_assert_ok(sd_db_open(path, SD_DB_READONLY, &db, &e), e);
    assert_int_not_equal(sqlite3_exec(db, "INSERT INTO meta VALUES ('a', 'b')", NULL, NULL, &err),
                         SQLITE_OK);
    sqlite3_free(err);
    sd_db_close(db);
    th_unlink_db(path);
}

/* SD_DB_CREATE makes a new keystore exactly 0600 whatever the umask, its -wal and -shm
 * follow it, and an existing file keeps the mode it has. */
static void test_create_mode_ignores_umask(void **state)
{
    (void)state;
    char path[64], side[80];
    sqlite3 *db;
    sd_err e;
    struct stat st;
    static const mode_t masks[] = {0, 0277};
    for (size_t i = 0; i < sizeof masks / sizeof masks[0]; i++) {
        th_tmpfile(path, "db");
        unlink(path);
        mode_t old = umask(masks[i]);
        int rc = sd_db_open(path, SD_DB_CREATE, &db, &e);
        umask(old);
        th_assert_ok(rc, e);
        th_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES (1)");
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0600);
        static const char *const suffix[] = {"-wal", "-shm"};
        for (size_t j = 0; j < 2; j++) {
            snprintf(side, sizeof side, "%s%s", path, suffix[j]);
            assert_int_equal(stat(side, &st), 0);
            assert_int_equal(st.st_mode & 07777, 0600);
        }
        sd_db_close(db);
        th_unlink_db(path);
    }
    th_tmpfile(path, "db");
    assert_int_equal(chmod(path, 0640), 0);
    th_assert_ok(sd_db_open(path, SD_DB_CREATE, &db, &e), e);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);
    sd_db_close(db);
    th_unlink_db(path);
}

/* An empty file (what SD_DB_CREATE makes, or version 0 from an interrupted init) migrates. */
static void test_migrates_version_zero(void **state)
{
    (void)state;
    char path[64];
    sqlite3 *db;
    sd_err e;
    th_tmpfile(path, "db");
    /* The backend (read-only) does not migrate: it says who should. */
    th_assert_fail(sd_db_open(path, SD_DB_READONLY, &db, &e), e, SD_EINTERNAL, "migrate");
    th_assert_ok(sd_db_open(path, 0, &db, &e), e);
    assert_int_equal(th_int(db, "PRAGMA user_version"), sd_db_schema_version());
    sd_db_close(db);
    th_unlink_db(path);
}

/* A keystore written by a newer scaidns (made here by raising user_version) is refused by
 * every way of opening it, with a message naming both versions, and the file is unchanged. */
static void refuse_newer(const char *path)
{
    sqlite3 *db = NULL;
    sd_err e;
    int newer = sd_db_schema_version() + 1;
    char want[160];
    snprintf(want, sizeof want, "schema version %d", newer);
    size_t len0, len1;
    unsigned char *before = th_read_file(path, &len0);
    static const int flags[] = {0, SD_DB_CREATE, SD_DB_READONLY};
    for (size_t i = 0; i < 3; i++) {
        int rc = sd_db_open(path, flags[i], &db, &e);
        assert_null(db);
        th_assert_fail(rc, e, SD_EINTERNAL, want);
        th_assert_fail(rc, e, SD_EINTERNAL, path);
        char mine[32];
        snprintf(mine, sizeof mine, "%d", sd_db_schema_version());
        th_assert_fail(rc, e, SD_EINTERNAL, mine);
        th_assert_fail(rc, e, SD_EINTERNAL, "newer scaidns");
        unsigned char *after = th_read_file(path, &len1);
        if (len0 != len1 || memcmp(before, after, len0) != 0)
            fail_msg("opening (flags %d) a keystore from a newer version changed the file",
                     flags[i]);
        free(after);
        assert_no_sidecars(path);
    }
    free(before);
    /* And the version is still the newer one. */
    sqlite3 *raw;
    assert_int_equal(sqlite3_open_v2(path, &raw, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(th_int(raw, "PRAGMA user_version"), newer);
    sqlite3_close(raw);
}

static void test_refuses_newer_keystore(void **state)
{
    (void)state;
    char path[64];
    sqlite3 *db;
    sd_err e;
    th_tmpfile(path, "db");
    th_assert_ok(sd_db_open(path, SD_DB_CREATE, &db, &e), e);
    sd_zone z;
    sd_zone_init init = {0};
    init.ns = "ns1.example.net.";
    init.with_records = 1;
    th_assert_ok(sd_zone_create(db, "example.com", &init, "test", TH_NOW, &z, &e), e);
    sd_db_close(db);
    set_user_version(path, sd_db_schema_version() + 1);
    refuse_newer(path);
    th_unlink_db(path);
}

/* The same for a newer keystore that is not in WAL mode (a newer scaidns may choose another
 * journal mode, or a backup was restored with the sqlite3 shell): opening must not convert it. */
static void test_refuses_newer_rollback_journal(void **state)
{
    (void)state;
    char path[64];
    th_tmpfile(path, "db");
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
    th_exec(raw, "PRAGMA journal_mode = DELETE; CREATE TABLE future (x); "
                 "INSERT INTO future VALUES (1)");
    assert_int_equal(sqlite3_close(raw), SQLITE_OK);
    set_user_version(path, sd_db_schema_version() + 1);
    refuse_newer(path);
    th_unlink_db(path);
}

static void test_not_a_database(void **state)
{
    (void)state;
    char path[64];
    sqlite3 *db;
    sd_err e;
    th_write_file(path, "this is not an SQLite database, but a text file of some length......"
                        "................................................................");
    size_t len0, len1;
    unsigned char *before = th_read_file(path, &len0);
    int rc = sd_db_open(path, 0, &db, &e);
    assert_true(rc < 0);
    assert_null(db);
    assert_non_null(strstr(e.msg, path));
    unsigned char *after = th_read_file(path, &len1);
    assert_int_equal(len0, len1);
    assert_memory_equal(before, after, len0);
    free(before);
    free(after);
    th_unlink_db(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_keystore),
        cmocka_unit_test(test_create_mode_ignores_umask),
        cmocka_unit_test(test_migrates_version_zero),
        cmocka_unit_test(test_refuses_newer_keystore),
        cmocka_unit_test(test_refuses_newer_rollback_journal),
        cmocka_unit_test(test_not_a_database),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
