/* test_audit.c - keystore/audit.c: every change leaves a row chained to the one before by a
 * hash; a row edited or removed with SQL behind scaidns's back is reported by verify. */
#include "th.h"

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
    tamper("UPDATE audit SET outcome = 'refused' WHERE id = 3", "row 3 was changed");
    tamper("UPDATE audit SET actor = 'someone-else' WHERE id = 1", "row 1 was changed");
    tamper("UPDATE audit SET at = at + 1 WHERE id = 6", "row 6 was changed");
    tamper("UPDATE audit SET zone = NULL WHERE id = 2", "row 2 was changed");
    tamper("UPDATE audit SET zone = 'example.com.' WHERE id = 4", "row 4 was changed");
    tamper("UPDATE audit SET detail = NULL WHERE id = 2", "row 2 was changed");
    tamper("UPDATE audit SET detail = '' WHERE id = 4", "row 4 was changed");
    tamper("UPDATE audit SET hash = (SELECT hash FROM audit WHERE id = 2) WHERE id = 5",
           "row 5 was changed");
    tamper("DELETE FROM audit WHERE id = 3", "row 4 does not follow");
    tamper("DELETE FROM audit WHERE id = 1", "row 2 does not follow");
    tamper("UPDATE audit SET id = 100 WHERE id = 2", "does not follow");
    tamper("INSERT INTO audit(id, at, actor, zone, action, outcome, detail, prev_hash, hash) "
           "SELECT 35, at, actor, zone, action, outcome, detail, prev_hash, hash FROM audit "
           "WHERE id = 3",
           "row 35 does not follow");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_chain_verifies, th_setup, th_teardown),
        cmocka_unit_test(test_tampering_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
