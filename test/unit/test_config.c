/* test_config.c - keystore/config.c: the key=value file, its errors (with file and line), and
 * --key=value overrides on the command line. */
#include "th.h"

/* Loads text as a configuration file into c; returns the result, e filled. */
static int load_text(sd_config *c, const char *text, char *path, sd_err *e)
{
    th_write_file(path, text);
    int rc = sd_config_load_file(c, path, e);
    unlink(path);
    return rc;
}

static void test_defaults(void **state)
{
    (void)state;
    sd_config c;
    sd_config_defaults(&c);
    assert_string_equal(c.api_listen, "127.0.0.1:8053");
    assert_string_equal(c.db, "scaidns.db");
    assert_int_equal(c.policy_algorithm, 13);
    assert_int_equal(c.policy_zsk_lifetime, 30L * 86400);
    assert_int_equal(c.policy_ksk_lifetime, 365L * 86400);
    assert_true(sd_config_known("db"));
    assert_true(sd_config_known("api-listen"));
    assert_true(sd_config_known("seal-key"));
    assert_true(sd_config_known("pdns-control-socket"));
    assert_true(sd_config_known("pdns-address"));
    assert_true(sd_config_known("backend-socket"));
    assert_true(sd_config_known("policy-dnskey-ttl"));
    assert_false(sd_config_known("dbx"));
    assert_false(sd_config_known("d"));
    assert_false(sd_config_known(""));
}

static void test_file(void **state)
{
    (void)state;
    sd_config c;
    sd_err e;
    char path[64];
    sd_config_defaults(&c);
    int rc = load_text(&c,
                       "# a comment\n"
                       "\n"
                       "db = /var/lib/x.db   \n"
                       "  api-listen=127.0.0.1:9999 # trailing comment\n"
                       "\t\n"
                       "policy-algorithm=15\n"
                       "policy-zsk-lifetime =  86400\n"
                       "soa-edit=\n"
                       "seal-key=/k",
                       path, &e);
    th_assert_ok(rc, e);
    assert_string_equal(c.db, "/var/lib/x.db");
    assert_string_equal(c.api_listen, "127.0.0.1:9999");
    assert_int_equal(c.policy_algorithm, 15);
    assert_int_equal(c.policy_zsk_lifetime, 86400);
    assert_string_equal(c.soa_edit, "");
    assert_string_equal(c.seal_key, "/k"); /* last line without a newline */
    /* Untouched keys keep their defaults. */
    assert_string_equal(c.pdns_address, "127.0.0.1:53");
}

/* Each bad file names the file and the line of the fault, and says what is wrong. */
static void test_file_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int line;
        const char *why;
    } cases[] = {
        {"db=x\nno equals sign here\n", 2, "expected key=value"},
        {"# c\n\ndb=x\nfrobnicate=1\n", 4, "unknown configuration key 'frobnicate'"},
        {"policy-dnskey-ttl=abc\n", 1, "whole number"},
        {"db=x\npolicy-dnskey-ttl=12abc\n", 2, "whole number"},
        {"policy-dnskey-ttl=0\n", 1, "between 1 and 604800"},
        {"policy-algorithm=16\n", 1, "between 8 and 15"},
        {"policy-nsec3=2\n", 1, "between 0 and 1"},
        {"db=a\ndb=b\npolicy-zsk-lifetime=-5\n", 3, "between"},
        {"policy-dnskey-ttl=99999999999999999999999\n", 1, "whole number"},
        {"=value\n", 1, "unknown configuration key ''"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sd_config c;
        sd_err e;
        char path[64], want[128];
        sd_config_defaults(&c);
        int rc = load_text(&c, cases[i].text, path, &e);
        snprintf(want, sizeof want, "%s:%d: ", path, cases[i].line);
        th_assert_fail(rc, e, SD_EBADINPUT, want);
        th_assert_fail(rc, e, SD_EBADINPUT, cases[i].why);
    }
}

static void test_file_too_long_value(void **state)
{
    (void)state;
    sd_config c;
    sd_err e;
    char path[64], text[600];
    sd_config_defaults(&c);
    /* log-level holds at most 15 bytes; api-listen 255. */
    snprintf(text, sizeof text, "log-level=%s\n", "debugdebugdebugdebug");
    int rc = load_text(&c, text, path, &e);
    th_assert_fail(rc, e, SD_EBADINPUT, "too long");
    th_assert_fail(rc, e, SD_EBADINPUT, ":1:");
    assert_string_equal(c.log_level, "info");
    /* A line longer than the reader's buffer is an error, not two lines. */
    char *big = malloc(20000);
    memset(big, 'a', 19990);
    memcpy(big, "db=", 3);
    strcpy(big + 19990, "\n");
    rc = load_text(&c, big, path, &e);
    free(big);
    th_assert_fail(rc, e, SD_EBADINPUT, ":1: line too long");
}

static void test_missing_file(void **state)
{
    (void)state;
    sd_config c;
    sd_err e;
    sd_config_defaults(&c);
    int rc = sd_config_load_file(&c, "/nonexistent/scaidns.conf", &e);
    th_assert_fail(rc, e, SD_EBADINPUT, "/nonexistent/scaidns.conf");
}

static void test_set(void **state)
{
    (void)state;
    sd_config c;
    sd_err e;
    sd_config_defaults(&c);
    th_assert_ok(sd_config_set(&c, "policy-algorithm", "8", &e), e);
    assert_int_equal(c.policy_algorithm, 8);
    th_assert_fail(sd_config_set(&c, "policy-algorithm", "7", &e), e, SD_EBADINPUT, "between");
    th_assert_fail(sd_config_set(&c, "policy-algorithm", "", &e), e, SD_EBADINPUT, "whole");
    th_assert_fail(sd_config_set(&c, "policy-algorithm", "8x", &e), e, SD_EBADINPUT, "whole");
    th_assert_fail(sd_config_set(&c, "no-such-key", "1", &e), e, SD_EBADINPUT, "no-such-key");
    assert_int_equal(c.policy_algorithm, 8); /* unchanged by the refused calls */
}

static void test_from_args(void **state)
{
    (void)state;
    char path[64];
    th_write_file(path, "db=/from/file.db\napi-listen=10.0.0.1:80\nlog-level=debug\n");
    char cfgarg[80];
    snprintf(cfgarg, sizeof cfgarg, "--config=%s", path);
    /* The override stands before --config and still wins; other arguments stay in order. */
    char *v[] = {"scaidnsctl", "--db=/from/args.db", "dnssec", "--config",    path,
                 "enable",     "--algorithm=8",      "x.",     "--unknown=1", NULL};
    int argc = 9;
    sd_config c;
    sd_err e;
    sd_config_defaults(&c);
    th_assert_ok(sd_config_from_args(&c, &argc, v, &e), e);
    assert_string_equal(c.db, "/from/args.db");
    assert_string_equal(c.api_listen, "10.0.0.1:80");
    assert_string_equal(c.log_level, "debug");
    assert_int_equal(argc, 6);
    assert_string_equal(v[0], "scaidnsctl");
    assert_string_equal(v[1], "dnssec");
    assert_string_equal(v[2], "enable");
    assert_string_equal(v[3], "--algorithm=8"); /* not a configuration key: the program's */
    assert_string_equal(v[4], "x.");
    assert_string_equal(v[5], "--unknown=1");
    assert_null(v[6]);

    /* --config=FILE form, and a numeric override. */
    char *w[] = {"p", cfgarg, "--policy-algorithm=14", "--log-level=error", NULL};
    argc = 4;
    sd_config_defaults(&c);
    th_assert_ok(sd_config_from_args(&c, &argc, w, &e), e);
    assert_int_equal(argc, 1);
    assert_string_equal(c.db, "/from/file.db");
    assert_string_equal(c.log_level, "error");
    assert_int_equal(c.policy_algorithm, 14);
    unlink(path);
}

static void test_from_args_errors(void **state)
{
    (void)state;
    sd_config c;
    sd_err e;
    {
        char *v[] = {"p", "--config", NULL};
        int argc = 2;
        sd_config_defaults(&c);
        th_assert_fail(sd_config_from_args(&c, &argc, v, &e), e, SD_EBADINPUT,
                       "--config needs a file name");
    }
    {
        char *v[] = {"p", "--config=/nonexistent/x.conf", NULL};
        int argc = 2;
        sd_config_defaults(&c);
        th_assert_fail(sd_config_from_args(&c, &argc, v, &e), e, SD_EBADINPUT,
                       "/nonexistent/x.conf");
    }
    {
        char *v[] = {"p", "--policy-algorithm=abc", NULL};
        int argc = 2;
        sd_config_defaults(&c);
        th_assert_fail(sd_config_from_args(&c, &argc, v, &e), e, SD_EBADINPUT, "policy-algorithm");
        assert_int_equal(c.policy_algorithm, 13);
    }
    {
        char path[64];
        th_write_file(path, "db=ok\nbogus line\n");
        char *v[] = {"p", "--config", path, NULL};
        int argc = 3;
        sd_config_defaults(&c);
        int rc = sd_config_from_args(&c, &argc, v, &e);
        unlink(path);
        th_assert_fail(rc, e, SD_EBADINPUT, ":2:");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),     cmocka_unit_test(test_file),
        cmocka_unit_test(test_file_errors),  cmocka_unit_test(test_file_too_long_value),
        cmocka_unit_test(test_missing_file), cmocka_unit_test(test_set),
        cmocka_unit_test(test_from_args),    cmocka_unit_test(test_from_args_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
