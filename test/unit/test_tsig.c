/* test_tsig.c - keystore/tsig.c: TSIG keys created with a random secret of the algorithm's
 * length, shown once and stored only sealed to the backend (bound to the key's name and
 * algorithm), names and algorithms as DNS software writes them, the per-zone allow-axfr list,
 * deletion refused while a zone uses the key, every change audited, and every refusal leaving
 * the keystore unchanged. */
#include "th.h"

#include <sodium.h>

#include "keystore/audit.h"
#include "keystore/tsig.h"

/* Creates key name with algorithm alg (NULL: default); the secret goes to secret. */
static void make_key(th_env *t, const char *name, const char *alg, char *secret, sd_tsig_key *k)
{
    sd_err e;
    th_assert_ok(sd_tsig_create(t->db, &t->keys, name, alg, "tester", TH_NOW, secret,
                                SD_TSIG_SECRET_B64_MAX, k, &e),
                 e);
}

/* Opens the sealed secret of key name (as stored) with the seal key's secret half. */
static int open_secret(th_env *t, const char *name, char *out, sd_err *e)
{
    sd_seal_keys sk;
    assert_int_equal(sd_seal_load_secret(t->seal, &sk, e), 0);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(t->db,
                                        "SELECT algorithm, sealed_secret FROM tsig_keys WHERE "
                                        "name = ?",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int rc = sd_tsig_unseal(&sk, name, (const char *)sqlite3_column_text(st, 0),
                            sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1), out,
                            SD_TSIG_SECRET_B64_MAX, e);
    sqlite3_finalize(st);
    sd_seal_wipe(&sk);
    return rc;
}

static void test_create_lengths_and_sealing(void **state)
{
    th_env *t = *state;
    struct {
        const char *alg, *stored;
        size_t bytes;
        int weak;
    } cases[] = {
        {NULL, "hmac-sha256", 32, 0},
        {"hmac-sha512", "hmac-sha512", 64, 0},
        {"HMAC-MD5.SIG-ALG.REG.INT.", "hmac-md5", 16, 1},
    };
    char names[3][16] = {"k0", "k1", "k2"};
    char secrets[3][SD_TSIG_SECRET_B64_MAX];
    for (int i = 0; i < 3; i++) {
        sd_tsig_key k;
        make_key(t, names[i], cases[i].alg, secrets[i], &k);
        assert_string_equal(k.algorithm, cases[i].stored);
        assert_int_equal(k.weak, cases[i].weak);
        unsigned char raw[64];
        size_t got = 0;
        assert_int_equal(sodium_base642bin(raw, sizeof raw, secrets[i], strlen(secrets[i]), NULL,
                                           &got, NULL, sodium_base64_VARIANT_ORIGINAL),
                         0);
        assert_int_equal(got, cases[i].bytes);
    }
    /* Two keys never share a secret. */
    assert_string_not_equal(secrets[0], secrets[1]);
    assert_string_not_equal(secrets[0], secrets[2]);

    /* The secrets are nowhere in the keystore; the backend's half of the seal key opens them. */
    char *dump = th_snapshot(t->db, 1);
    for (int i = 0; i < 3; i++)
        assert_null(strstr(dump, secrets[i]));
    free(dump);
    char opened[SD_TSIG_SECRET_B64_MAX];
    sd_err e;
    th_assert_ok(open_secret(t, "k1.", opened, &e), e);
    assert_string_equal(opened, secrets[1]);

    /* A box moved to another key's row does not open there. */
    th_exec(t->db, "UPDATE tsig_keys SET sealed_secret = (SELECT sealed_secret FROM tsig_keys "
                   "WHERE name = 'k1.') WHERE name = 'k0.'");
    assert_true(open_secret(t, "k0.", opened, &e) < 0);
    /* ... nor with its algorithm changed. */
    th_exec(t->db, "UPDATE tsig_keys SET algorithm = 'hmac-sha256' WHERE name = 'k1.'");
    assert_true(open_secret(t, "k1.", opened, &e) < 0);
    /* The public half alone cannot open anything. */
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(t->db,
                                        "SELECT sealed_secret FROM tsig_keys WHERE name = 'k2.'",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_true(sd_tsig_unseal(&t->keys, "k2.", "hmac-md5", sqlite3_column_blob(st, 0),
                               (size_t)sqlite3_column_bytes(st, 0), opened, sizeof opened, &e) < 0);
    sqlite3_finalize(st);
}

static void test_algorithms_and_names(void **state)
{
    (void)state;
    sd_err e;
    const char *c;
    int weak;
    size_t len;
    const char *good[][2] = {{"hmac-sha256", "hmac-sha256"},
                             {"HMAC-SHA256.", "hmac-sha256"},
                             {"hmac-sha512.", "hmac-sha512"},
                             {"hmac-md5", "hmac-md5"},
                             {"hmac-md5.sig-alg.reg.int", "hmac-md5"}};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        th_assert_ok(sd_tsig_algorithm(good[i][0], &c, &weak, &len, &e), e);
        assert_string_equal(c, good[i][1]);
    }
    assert_int_equal(sd_tsig_algorithm("hmac-sha1", &c, NULL, NULL, &e), -SD_EBADINPUT);
    assert_non_null(strstr(e.msg, "hmac-sha256"));
    assert_int_equal(sd_tsig_algorithm("", &c, NULL, NULL, &e), -SD_EBADINPUT);
    assert_int_equal(sd_tsig_algorithm("hmac-sha256..", &c, NULL, NULL, &e), -SD_EBADINPUT);
    assert_string_equal(sd_tsig_algorithm_dns("hmac-md5"), "hmac-md5.sig-alg.reg.int.");
    assert_string_equal(sd_tsig_algorithm_dns("hmac-sha256"), "hmac-sha256.");
    assert_null(sd_tsig_algorithm_dns("hmac-sha1"));

    char out[SD_TSIG_NAME_MAX];
    th_assert_ok(sd_tsig_name_canon("Xfr-Bind", out, sizeof out, &e), e);
    assert_string_equal(out, "xfr-bind.");
    th_assert_ok(sd_tsig_name_canon("a_b.example.", out, sizeof out, &e), e);
    assert_string_equal(out, "a_b.example.");
    char long_label[80], long_name[300];
    memset(long_label, 'a', 64);
    long_label[64] = '\0';
    for (int i = 0; i < 64; i++)
        memcpy(long_name + 4 * i, "abc.", 4);
    long_name[256] = '\0';
    const char *bad[] = {"",      ".", "a..b", ".a",       "x y",    "a/b",
                         "k\\.x", "*", "é",    long_label, long_name};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (sd_tsig_name_canon(bad[i], out, sizeof out, &e) != -SD_EBADINPUT)
            fail_msg("key name '%s' accepted", bad[i]);
    }
}

static void test_refusals_change_nothing(void **state)
{
    th_env *t = *state;
    sd_err e;
    char secret[SD_TSIG_SECRET_B64_MAX];
    make_key(t, "xfr", NULL, secret, NULL);
    char *before = th_snapshot(t->db, 1);
    assert_int_equal(sd_tsig_create(t->db, &t->keys, "XFR.", NULL, "tester", TH_NOW, secret,
                                    sizeof secret, NULL, &e),
                     -SD_ECONFLICT);
    assert_non_null(strstr(e.msg, "already exists"));
    assert_int_equal(sd_tsig_create(t->db, &t->keys, "other", "hmac-sha1", "tester", TH_NOW, secret,
                                    sizeof secret, NULL, &e),
                     -SD_EBADINPUT);
    assert_int_equal(sd_tsig_create(t->db, &t->keys, "bad name", NULL, "tester", TH_NOW, secret,
                                    sizeof secret, NULL, &e),
                     -SD_EBADINPUT);
    assert_int_equal(sd_tsig_delete(t->db, "nope", "tester", TH_NOW, &e), -SD_ENOTFOUND);
    char *after = th_snapshot(t->db, 1);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

/* Appends name to the comma-separated list in arg (a 512-byte buffer). */
static int collect(const char *name, void *arg)
{
    char *buf = arg;
    size_t n = strlen(buf);
    snprintf(buf + n, 512 - n, "%s%s", n ? "," : "", name);
    return 0;
}

static void test_allow_axfr_and_delete(void **state)
{
    th_env *t = *state;
    sd_err e;
    sd_zone z, other;
    char secret[SD_TSIG_SECRET_B64_MAX], list[512];
    sd_tsig_key bind, knot;
    th_zone(t, "example.com", &z);
    th_zone(t, "example.net", &other);
    make_key(t, "xfr-knot", "hmac-sha512", secret, &knot);
    make_key(t, "xfr-bind", NULL, secret, &bind);

    const char *both[] = {"xfr-knot", "XFR-BIND."};
    assert_int_equal(th_int(t->db, "SELECT kind = 'native' FROM zones WHERE id = %lld", z.id), 1);
    th_assert_ok(sd_tsig_allow_axfr_set(t->db, z.id, z.name, both, 2, "tester", TH_NOW, &e), e);
    /* Transferred zones are primaries: PowerDNS NOTIFYs their secondaries. */
    assert_int_equal(th_int(t->db, "SELECT kind = 'master' FROM zones WHERE id = %lld", z.id), 1);
    list[0] = '\0';
    th_assert_ok(sd_tsig_allow_axfr_foreach(t->db, z.id, collect, list, &e), e);
    assert_string_equal(list, "xfr-bind.,xfr-knot.");
    const char *one[] = {"xfr-bind"};
    th_assert_ok(sd_tsig_allow_axfr_set(t->db, other.id, other.name, one, 1, "tester", TH_NOW, &e),
                 e);
    list[0] = '\0';
    th_assert_ok(sd_tsig_key_zones(t->db, bind.id, collect, list, &e), e);
    assert_string_equal(list, "example.com.,example.net.");

    /* Refused, and nothing changes: an unknown key, a key named twice, too many keys, and
     * deleting a key that zones use (the message names them). */
    char *before = th_snapshot(t->db, 1);
    const char *unknown[] = {"xfr-bind", "nope"};
    assert_int_equal(sd_tsig_allow_axfr_set(t->db, z.id, z.name, unknown, 2, "t", TH_NOW, &e),
                     -SD_ENOTFOUND);
    assert_non_null(strstr(e.msg, "nope."));
    const char *twice[] = {"xfr-bind", "Xfr-Bind."};
    assert_int_equal(sd_tsig_allow_axfr_set(t->db, z.id, z.name, twice, 2, "t", TH_NOW, &e),
                     -SD_EBADINPUT);
    const char *many[SD_TSIG_MAX_PER_ZONE + 1];
    for (int i = 0; i <= SD_TSIG_MAX_PER_ZONE; i++)
        many[i] = "xfr-bind";
    assert_int_equal(sd_tsig_allow_axfr_set(t->db, z.id, z.name, many, SD_TSIG_MAX_PER_ZONE + 1,
                                            "t", TH_NOW, &e),
                     -SD_EBADINPUT);
    assert_int_equal(sd_tsig_delete(t->db, "xfr-bind", "t", TH_NOW, &e), -SD_ECONFLICT);
    assert_non_null(strstr(e.msg, "example.com., example.net."));
    char *after = th_snapshot(t->db, 1);
    assert_string_equal(before, after);
    free(before);
    free(after);

    /* Cleared lists (and a deleted zone) let the key go. */
    th_assert_ok(sd_tsig_allow_axfr_set(t->db, z.id, z.name, NULL, 0, "tester", TH_NOW, &e), e);
    th_assert_ok(sd_zone_delete(t->db, "example.net", "tester", TH_NOW, &e), e);
    th_assert_ok(sd_tsig_delete(t->db, "xfr-bind.", "tester", TH_NOW, &e), e);
    assert_int_equal(sd_tsig_find(t->db, "xfr-bind", &bind, &e), -SD_ENOTFOUND);
    th_assert_ok(sd_tsig_find(t->db, "XFR-KNOT", &knot, &e), e);
    assert_string_equal(knot.algorithm, "hmac-sha512");

    /* Every change has its audit row, and the chain holds. */
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM audit WHERE action = 'tsig-create' AND "
                                   "actor = 'tester'"),
                     2);
    char *d = th_text(t->db, "SELECT detail FROM audit WHERE action = 'tsig-allow-axfr' AND zone "
                             "= 'example.com.' ORDER BY id LIMIT 1");
    assert_string_equal(d, "{\"keys\":[\"xfr-knot.\",\"xfr-bind.\"]}");
    free(d);
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM audit WHERE action = 'tsig-allow-axfr'"),
                     3);
    d = th_text(t->db, "SELECT detail FROM audit WHERE action = 'tsig-delete'");
    assert_string_equal(d, "{\"algorithm\":\"hmac-sha256\",\"key\":\"xfr-bind.\"}");
    free(d);
    int64_t rows;
    th_assert_ok(sd_audit_verify(t->db, &rows, &e), e);
    /* The admin view shows keys and zones, never a secret. */
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM tsig_key_zones WHERE key = 'xfr-knot.' "
                                   "AND weak = 0 AND zones IS NULL"),
                     1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_lengths_and_sealing, th_setup, th_teardown),
        cmocka_unit_test(test_algorithms_and_names),
        cmocka_unit_test_setup_teardown(test_refusals_change_nothing, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_allow_axfr_and_delete, th_setup, th_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
