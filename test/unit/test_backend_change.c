/* test_backend_change.c - the backend's change detection without a transaction
 * (sb_store_unchanged) and its reply cache: every commit by another connection, in this
 * process or another, of any kind, must make the next check say "changed", and a reply kept
 * before a change must never be found after it. */
#include <sys/wait.h>

#include "test_backend_fixture.h"

#define LOOKUP_WWW                                                                                 \
    "{\"method\":\"lookup\",\"parameters\":{\"qtype\":\"ANY\",\"qname\":\"www.example.com.\","     \
    "\"zone-id\":1}}"

/* One request through the dispatcher, as scaidns-backend answers a cache miss. */
static void call(fx *f)
{
    json_decref(fx_call(f, LOOKUP_WWW));
}

/* Commits in a child process (another writer, as scaidns-api or sqlite3 would be). */
static void commit_elsewhere(fx *f, const char *sql)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        sqlite3 *db;
        int ok = sqlite3_open(f->db_path, &db) == SQLITE_OK &&
                 sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK;
        sqlite3_close(db);
        _exit(ok ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_unchanged_follows_every_commit(void **state)
{
    fx *f = *state;
    assert_false(sb_store_unchanged(f->store)); /* nothing read yet */
    call(f);
    call(f); /* the first transaction maps the wal-index; the second keeps its header */
    assert_true(sb_store_unchanged(f->store));
    assert_true(sb_store_unchanged(f->store)); /* checking changes nothing */
    for (int i = 0; i < 50; i++) {
        char sql[160];
        snprintf(sql, sizeof sql,
                 "UPDATE records SET content = '192.0.2.%d' WHERE rowid = (SELECT min(rowid) "
                 "FROM records WHERE content LIKE '192.0.2.%%')",
                 100 + i);
        fx_exec(f->writer, sql);
        assert_false(sb_store_unchanged(f->store));
        call(f);
        assert_true(sb_store_unchanged(f->store));
    }
    /* A key change, the kind that matters most. */
    fx_exec(f->writer, "UPDATE keys SET state = 'retired' WHERE kid = 'kid-zsk'");
    assert_false(sb_store_unchanged(f->store));
    call(f);
    /* Another process. */
    commit_elsewhere(f, "UPDATE keys SET state = 'active' WHERE kid = 'kid-zsk'");
    assert_false(sb_store_unchanged(f->store));
    call(f);
    assert_true(sb_store_unchanged(f->store));
    /* A checkpoint that empties the WAL, then a commit that restarts it from the start. */
    fx_exec(f->writer, "PRAGMA wal_checkpoint(TRUNCATE)");
    call(f);
    fx_exec(f->writer, "UPDATE zones SET updated_at = 1 WHERE id = 1");
    assert_false(sb_store_unchanged(f->store));
    call(f);
    commit_elsewhere(f, "PRAGMA wal_checkpoint(TRUNCATE); UPDATE zones SET updated_at = 2");
    assert_false(sb_store_unchanged(f->store));
    call(f);
    /* Our own write path forgets everything. */
    assert_true(sb_store_unchanged(f->store));
    sb_store_invalidate(f->store);
    assert_false(sb_store_unchanged(f->store));
}

static void test_reply_cache_dropped_on_change(void **state)
{
    fx *f = *state;
    size_t n;
    int method;
    call(f);
    call(f);
    assert_true(sb_store_unchanged(f->store));
    const char *line = LOOKUP_WWW;
    sb_store_reply_keep(f->store, line, strlen(line), "old\n", 4, 7);
    const char *r = sb_store_reply_find(f->store, line, strlen(line), &n, &method);
    assert_non_null(r);
    assert_int_equal(n, 4);
    assert_memory_equal(r, "old\n", 4);
    assert_int_equal(method, 7);
    assert_null(sb_store_reply_find(f->store, line, strlen(line) - 1, &n, &method));
    /* Another process changes a key: the next request must not get the kept reply. */
    commit_elsewhere(f, "UPDATE keys SET state = 'retired' WHERE kid = 'kid-zsk'");
    assert_false(sb_store_unchanged(f->store));
    call(f); /* what scaidns-backend does when the check fails: a request through the store */
    assert_null(sb_store_reply_find(f->store, line, strlen(line), &n, &method));
    /* Many distinct lines: the cache stays bounded and keeps working. */
    for (int i = 0; i < 10000; i++) {
        char l[64];
        int len = snprintf(l, sizeof l, "line %d", i);
        sb_store_reply_keep(f->store, l, (size_t)len, l, (size_t)len, 0);
        r = sb_store_reply_find(f->store, l, (size_t)len, &n, &method);
        assert_non_null(r);
        assert_memory_equal(r, l, (size_t)len);
    }
    sb_store_invalidate(f->store);
    assert_null(sb_store_reply_find(f->store, "line 9999", 9, &n, &method));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_unchanged_follows_every_commit, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_reply_cache_dropped_on_change, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
