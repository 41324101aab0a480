/* test_token.c - keystore/token.c: tokens created and shown once, stored only as a hash,
 * checked by hash with a constant-time compare, scoped, limited to zones, revoked. */
#include "th.h"

#include <sodium.h>

#include "keystore/token.h"

static void test_create_check(void **state)
{
    th_env *t = *state;
    sd_err e;
    sd_token tok;
    char secret[SD_TOKEN_LEN + 1], other[SD_TOKEN_LEN + 1];
    th_assert_ok(sd_token_create(t->db, "ci", "dnssec:read,dnssec:enable", NULL, TH_NOW, secret,
                                 sizeof secret, &e),
                 e);
    assert_int_equal(strlen(secret), SD_TOKEN_LEN);
    assert_memory_equal(secret, "scai_", 5);
    for (size_t i = 5; i < SD_TOKEN_LEN; i++)
        assert_non_null(
            strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", secret[i]));
    th_assert_ok(
        sd_token_create(t->db, "other", "zones:read", NULL, TH_NOW, other, sizeof other, &e), e);
    assert_string_not_equal(secret, other);

    memset(&tok, 0, sizeof tok);
    th_assert_ok(sd_token_check(t->db, secret, &tok, &e), e);
    assert_string_equal(tok.name, "ci");
    assert_string_equal(tok.scopes, "dnssec:read,dnssec:enable");
    assert_string_equal(tok.zones, "");
    th_assert_ok(sd_token_check(t->db, other, &tok, &e), e);
    assert_string_equal(tok.name, "other");

    /* The secret is not in the keystore; its BLAKE2b-256 hash is, and that is what a check
     * looks up (so no comparison ever runs over the secret itself). */
    char *dump = th_snapshot(t->db, 1);
    assert_null(strstr(dump, secret));
    assert_null(strstr(dump, secret + 5));
    free(dump);
    unsigned char h[32];
    char hex[65];
    crypto_generichash(h, sizeof h, (const unsigned char *)secret, strlen(secret), NULL, 0);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    assert_int_equal(th_int(t->db,
                            "SELECT count(*) FROM tokens WHERE name = 'ci' AND "
                            "lower(hex(hash)) = %Q",
                            hex),
                     1);
    sodium_memzero(secret, sizeof secret);
}

static void test_check_refuses(void **state)
{
    th_env *t = *state;
    sd_err e;
    sd_token tok;
    char secret[SD_TOKEN_LEN + 1], bad[SD_TOKEN_LEN + 2];
    th_assert_ok(
        sd_token_create(t->db, "ci", "dnssec:read", NULL, TH_NOW, secret, sizeof secret, &e), e);
    /* One character changed, anywhere. */
    static const size_t where[] = {0, 5, 20, SD_TOKEN_LEN - 1};
    for (size_t i = 0; i < 4; i++) {
        memcpy(bad, secret, sizeof secret);
        bad[where[i]] = bad[where[i]] == 'A' ? 'B' : 'A';
        th_assert_fail(sd_token_check(t->db, bad, &tok, &e), e, SD_ENOTFOUND, "unknown token");
    }
    /* Wrong lengths, empty, NULL. */
    memcpy(bad, secret, sizeof secret);
    bad[SD_TOKEN_LEN - 1] = '\0';
    th_assert_fail(sd_token_check(t->db, bad, &tok, &e), e, SD_ENOTFOUND, "unknown token");
    memcpy(bad, secret, sizeof secret);
    bad[SD_TOKEN_LEN] = 'x';
    bad[SD_TOKEN_LEN + 1] = '\0';
    th_assert_fail(sd_token_check(t->db, bad, &tok, &e), e, SD_ENOTFOUND, "unknown token");
    th_assert_fail(sd_token_check(t->db, "", &tok, &e), e, SD_ENOTFOUND, "unknown token");
    th_assert_fail(sd_token_check(t->db, NULL, &tok, &e), e, SD_ENOTFOUND, "unknown token");
    /* The stored hash itself is not a token. */
    char *hex = th_text(t->db, "SELECT hex(hash) FROM tokens");
    th_assert_fail(sd_token_check(t->db, hex, &tok, &e), e, SD_ENOTFOUND, "unknown token");
    free(hex);
    th_assert_ok(sd_token_check(t->db, secret, &tok, &e), e);
}

static void test_scopes(void **state)
{
    th_env *t = *state;
    sd_err e;
    sd_token tok;
    char secret[SD_TOKEN_LEN + 1];
    static const char *const known[] = {"dnssec:read",   "dnssec:enable", "dnssec:disable",
                                        "dnssec:rotate", "zones:read",    "zones:write"};
    for (size_t i = 0; i < 6; i++)
        assert_true(sd_scope_known(known[i]));
    assert_false(sd_scope_known("dnssec:*"));
    assert_false(sd_scope_known("dnssec"));
    assert_false(sd_scope_known("DNSSEC:READ"));
    assert_false(sd_scope_known(""));

    th_assert_ok(sd_token_create(t->db, "rot", "dnssec:read,dnssec:rotate", NULL, TH_NOW, secret,
                                 sizeof secret, &e),
                 e);
    th_assert_ok(sd_token_check(t->db, secret, &tok, &e), e);
    assert_true(sd_token_allows(&tok, "dnssec:read", "example.com."));
    assert_true(sd_token_allows(&tok, "dnssec:rotate", "anything.example."));
    assert_true(sd_token_allows(&tok, "dnssec:read", NULL));
    assert_false(sd_token_allows(&tok, "dnssec:enable", "example.com."));
    assert_false(sd_token_allows(&tok, "dnssec:disable", NULL));
    assert_false(sd_token_allows(&tok, "zones:write", NULL));
    /* No prefix or substring matches. */
    assert_false(sd_token_allows(&tok, "dnssec:rea", NULL));
    assert_false(sd_token_allows(&tok, "dnssec", NULL));
    assert_false(sd_token_allows(&tok, "read", NULL));
    assert_false(sd_token_allows(&tok, "", NULL));

    /* Unknown scopes are refused and nothing is written. */
    char *before = th_snapshot(t->db, 1);
    static const char *const bad[] = {"dnssec:admin", "dnssec:read,bogus", "dnssec:*", "", ",",
                                      "DNSSEC:READ"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = sd_token_create(t->db, "new", bad[i], NULL, TH_NOW, secret, sizeof secret, &e);
        if (rc == 0)
            fail_msg("scopes \"%s\" were accepted", bad[i]);
        assert_int_equal(e.code, SD_EBADINPUT);
        assert_true(strstr(e.msg, "scope") != NULL);
    }
    th_assert_fail(
        sd_token_create(t->db, "new", "dnssec:read,bogus", NULL, TH_NOW, secret, sizeof secret, &e),
        e, SD_EBADINPUT, "unknown scope 'bogus'");
    th_assert_fail(sd_token_create(t->db, "new", NULL, NULL, TH_NOW, secret, sizeof secret, &e), e,
                   SD_EBADINPUT, "at least one scope");
    char *after = th_snapshot(t->db, 1);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

static void test_zone_limits(void **state)
{
    th_env *t = *state;
    sd_err e;
    sd_token tok;
    char secret[SD_TOKEN_LEN + 1];
    th_assert_ok(sd_token_create(t->db, "limited", "dnssec:read,dnssec:enable",
                                 "Example.COM,münchen.de.", TH_NOW, secret, sizeof secret, &e),
                 e);
    th_assert_ok(sd_token_check(t->db, secret, &tok, &e), e);
    assert_string_equal(tok.zones, "example.com.,xn--mnchen-3ya.de.");
    assert_true(sd_token_allows(&tok, "dnssec:read", "example.com."));
    assert_true(sd_token_allows(&tok, "dnssec:enable", "xn--mnchen-3ya.de."));
    assert_false(sd_token_allows(&tok, "dnssec:read", "example.org."));
    assert_false(sd_token_allows(&tok, "dnssec:read", "sub.example.com."));
    assert_false(sd_token_allows(&tok, "dnssec:read", "com."));
    assert_false(sd_token_allows(&tok, "dnssec:read", "ample.com."));
    assert_false(sd_token_allows(&tok, "dnssec:rotate", "example.com."));
    /* A call that is not about one zone (listing) needs only the scope. */
    assert_true(sd_token_allows(&tok, "dnssec:read", NULL));

    char *before = th_snapshot(t->db, 1);
    th_assert_fail(sd_token_create(t->db, "bad", "dnssec:read", "example..com", TH_NOW, secret,
                                   sizeof secret, &e),
                   e, SD_EBADINPUT, "empty label");
    th_assert_fail(
        sd_token_create(t->db, "bad", "dnssec:read", ",", TH_NOW, secret, sizeof secret, &e), e,
        SD_EBADINPUT, "empty zone list");
    char *after = th_snapshot(t->db, 1);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

static void test_names(void **state)
{
    th_env *t = *state;
    sd_err e;
    char secret[SD_TOKEN_LEN + 1];
    th_assert_ok(
        sd_token_create(t->db, "ci", "zones:read", NULL, TH_NOW, secret, sizeof secret, &e), e);
    char *before = th_snapshot(t->db, 1);
    th_assert_fail(
        sd_token_create(t->db, "ci", "zones:write", NULL, TH_NOW, secret, sizeof secret, &e), e,
        SD_ECONFLICT, "exists");
    /* A refused create does not leave a usable secret behind in the caller's buffer. */
    for (size_t i = 0; i < sizeof secret; i++)
        assert_int_equal(secret[i], 0);
    th_assert_fail(
        sd_token_create(t->db, "", "zones:write", NULL, TH_NOW, secret, sizeof secret, &e), e,
        SD_EBADINPUT, "name");
    char longname[200];
    memset(longname, 'n', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    th_assert_fail(
        sd_token_create(t->db, longname, "zones:write", NULL, TH_NOW, secret, sizeof secret, &e), e,
        SD_EBADINPUT, "name");
    char *after = th_snapshot(t->db, 1);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

/* Collects "name:revoked|" for each token. */
static int list_fn(const sd_token *tok, int64_t created, int64_t revoked, void *arg)
{
    char *buf = arg;
    char line[200];
    snprintf(line, sizeof line, "%s:%lld:%lld|", tok->name, (long long)(created - TH_NOW),
             (long long)(revoked ? revoked - TH_NOW : -1));
    strcat(buf, line);
    return 0;
}

static void test_revoke_list(void **state)
{
    th_env *t = *state;
    sd_err e;
    sd_token tok;
    char s1[SD_TOKEN_LEN + 1], s2[SD_TOKEN_LEN + 1];
    th_assert_ok(sd_token_create(t->db, "b-token", "zones:read", NULL, TH_NOW, s1, sizeof s1, &e),
                 e);
    th_assert_ok(
        sd_token_create(t->db, "a-token", "zones:read", NULL, TH_NOW + 1, s2, sizeof s2, &e), e);
    th_assert_ok(sd_token_revoke(t->db, "b-token", TH_NOW + 10, &e), e);
    th_assert_fail(sd_token_check(t->db, s1, &tok, &e), e, SD_ENOTFOUND, "unknown token");
    th_assert_ok(sd_token_check(t->db, s2, &tok, &e), e); /* the other still works */
    th_assert_fail(sd_token_revoke(t->db, "b-token", TH_NOW + 11, &e), e, SD_ENOTFOUND, "b-token");
    th_assert_fail(sd_token_revoke(t->db, "nobody", TH_NOW, &e), e, SD_ENOTFOUND, "nobody");
    /* The name stays taken: a revoked token cannot be revived by re-creating its name. */
    th_assert_fail(sd_token_create(t->db, "b-token", "zones:read", NULL, TH_NOW, s1, sizeof s1, &e),
                   e, SD_ECONFLICT, "exists");
    char buf[512] = "";
    th_assert_ok(sd_token_foreach(t->db, list_fn, buf, &e), e);
    assert_string_equal(buf, "a-token:1:-1|b-token:0:10|");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_check, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_check_refuses, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_scopes, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_zone_limits, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_names, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_revoke_list, th_setup, th_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
