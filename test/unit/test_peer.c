/* test_peer.c - keystore/peer.c: parsing backend-allowed-uids / api-socket-allowed-uids
 * (names, numbers, "*", what is always allowed, what is an error) and SO_PEERCRED. */
#include "th.h"

#include <pwd.h>
#include <sys/socket.h>

#include "keystore/peer.h"

#define KEY "backend-allowed-uids"

/* Parses spec, which must succeed. */
static void parse_ok(const char *spec, sd_uidlist *l)
{
    sd_err e;
    th_assert_ok(sd_uidlist_parse(KEY, spec, l, &e), e);
}

static void test_always_self_and_root(void **state)
{
    (void)state;
    sd_uidlist l;
    static const char *const specs[] = {"", "   ", "root", "0", " 0 "};
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        parse_ok(specs[i], &l);
        assert_false(l.any);
        assert_true(sd_uidlist_allows(&l, 0));
        assert_true(sd_uidlist_allows(&l, getuid()));
        assert_false(sd_uidlist_allows(&l, 12345));
        assert_false(sd_uidlist_allows(&l, (uid_t)-1));
        assert_int_equal(l.n, getuid() == 0 ? 1 : 2);
        assert_string_equal(l.unknown, "");
    }
}

static void test_names_and_numbers(void **state)
{
    (void)state;
    sd_uidlist l;
    parse_ok("12345, 4294967294 ,7,7,12345", &l);
    assert_true(sd_uidlist_allows(&l, 12345));
    assert_true(sd_uidlist_allows(&l, 4294967294u));
    assert_true(sd_uidlist_allows(&l, 7));
    assert_false(sd_uidlist_allows(&l, 8));
    assert_int_equal(l.n, (getuid() == 0 ? 1 : 2) + 3); /* duplicates kept once */

    struct passwd *pw = getpwnam("nobody");
    if (pw) {
        uid_t nobody = pw->pw_uid;
        parse_ok("nobody", &l);
        assert_true(sd_uidlist_allows(&l, nobody));
        assert_false(sd_uidlist_allows(&l, nobody + 1));
        parse_ok(" root , nobody ", &l);
        assert_true(sd_uidlist_allows(&l, nobody));
    }
}

static void test_star(void **state)
{
    (void)state;
    sd_uidlist l;
    parse_ok("*", &l);
    assert_true(l.any);
    assert_true(sd_uidlist_allows(&l, 12345));
    assert_true(sd_uidlist_allows(&l, (uid_t)-1));
    parse_ok("  *  ", &l);
    assert_true(l.any);
}

/* A name the system does not know is skipped (not allowed) and reported. */
static void test_unknown_names(void **state)
{
    (void)state;
    sd_uidlist l;
    parse_ok("scaidns-no-such-user,12345, scaidns-nor-this ", &l);
    assert_string_equal(l.unknown, "scaidns-no-such-user,scaidns-nor-this");
    assert_true(sd_uidlist_allows(&l, 12345));
    assert_false(l.any);
    /* Many long unknown names: the report is cut with "...", never overflows. */
    char spec[1024] = "";
    for (int i = 0; i < 20; i++) {
        char item[64];
        snprintf(item, sizeof item, "%sscaidns-unknown-user-number-%02d", i ? "," : "", i);
        strcat(spec, item);
    }
    parse_ok(spec, &l);
    size_t n = strlen(l.unknown);
    assert_true(n < sizeof l.unknown);
    assert_string_equal(l.unknown + n - 3, "...");
    assert_non_null(strstr(l.unknown, "scaidns-unknown-user-number-00,"));
}

static void test_errors(void **state)
{
    (void)state;
    sd_uidlist l;
    sd_err e;
    static const struct {
        const char *spec, *needle;
    } bad[] = {
        {"root,,0", "an empty item"},
        {"root,", "an empty item"},
        {",root", "an empty item"},
        {" , ", "an empty item"},
        {"*,root", "'*' must stand alone"},
        {"root,*", "'*' must stand alone"},
        {"*,*", "'*' must stand alone"},
        {"-1", "'-1' is not a uid"},
        {"4294967295", "'4294967295' is not a uid"},
        {"99999999999999999999", "is not a uid"},
        {"12abc", "'12abc' is not a uid"},
        {"1 2", "'1 2' is not a uid"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = sd_uidlist_parse(KEY, bad[i].spec, &l, &e);
        th_assert_fail(rc, e, SD_EBADINPUT, bad[i].needle);
        assert_non_null(strstr(e.msg, KEY ": "));
    }
    char long_name[400];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    th_assert_fail(sd_uidlist_parse(KEY, long_name, &l, &e), e, SD_EBADINPUT, "too long");
}

/* At most SD_UIDS_MAX uids, the two always allowed included. */
static void test_limit(void **state)
{
    (void)state;
    sd_uidlist l;
    sd_err e;
    char spec[1024] = "";
    size_t room = SD_UIDS_MAX - (getuid() == 0 ? 1 : 2);
    for (size_t i = 0; i < room; i++) {
        char item[32];
        snprintf(item, sizeof item, "%s%zu", i ? "," : "", 100000 + i);
        strcat(spec, item);
    }
    parse_ok(spec, &l);
    assert_int_equal(l.n, SD_UIDS_MAX);
    assert_true(sd_uidlist_allows(&l, (uid_t)(100000 + room - 1)));
    strcat(spec, ",99");
    th_assert_fail(sd_uidlist_parse(KEY, spec, &l, &e), e, SD_EBADINPUT, "more than 32 users");
}

static void test_peer_cred(void **state)
{
    (void)state;
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    uid_t uid = (uid_t)-1;
    pid_t pid = -1;
    assert_int_equal(sd_peer_cred(sv[0], &uid, &pid), 0);
    assert_int_equal(uid, getuid());
    assert_int_equal(pid, getpid());
    close(sv[0]);
    close(sv[1]);
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(sd_peer_cred(p[0], &uid, &pid), -1);
    close(p[0]);
    close(p[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_always_self_and_root),
        cmocka_unit_test(test_names_and_numbers),
        cmocka_unit_test(test_star),
        cmocka_unit_test(test_unknown_names),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_limit),
        cmocka_unit_test(test_peer_cred),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
