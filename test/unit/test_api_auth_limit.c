/* test_api_auth_limit.c - api/auth_limit.c: the key an address is counted under (IPv4 as is,
 * IPv6 per /64, IPv4-mapped as IPv4, a Unix socket not at all), the burst, the 429 wait,
 * one log per burst, the refill, and a full table that still limits the newest guesser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "api/auth_limit.h"

static void test_peer_keys(void **state)
{
    (void)state;
    char out[API_AUTH_LIMIT_PEER];
    struct sockaddr_in a4 = {.sin_family = AF_INET};
    inet_pton(AF_INET, "192.0.2.7", &a4.sin_addr);
    api_auth_limit_peer((struct sockaddr *)&a4, out);
    assert_string_equal(out, "192.0.2.7");
    struct sockaddr_in6 a6 = {.sin6_family = AF_INET6};
    inet_pton(AF_INET6, "2001:db8:1:2:aaaa:bbbb:cccc:dddd", &a6.sin6_addr);
    api_auth_limit_peer((struct sockaddr *)&a6, out);
    assert_string_equal(out, "2001:db8:1:2::/64");
    inet_pton(AF_INET6, "::ffff:198.51.100.9", &a6.sin6_addr);
    api_auth_limit_peer((struct sockaddr *)&a6, out);
    assert_string_equal(out, "198.51.100.9");
    struct sockaddr_un un = {.sun_family = AF_UNIX};
    api_auth_limit_peer((struct sockaddr *)&un, out);
    assert_string_equal(out, "");
    api_auth_limit_peer(NULL, out);
    assert_string_equal(out, "");
}

static void test_burst_then_429(void **state)
{
    (void)state;
    api_auth_limit *l = api_auth_limit_new(3, 1);
    assert_non_null(l);
    unsigned long n;
    assert_int_equal(api_auth_limit_check(l, "192.0.2.1"), 0);
    assert_int_equal(api_auth_limit_fail(l, "192.0.2.1", &n), 0);
    assert_int_equal(api_auth_limit_fail(l, "192.0.2.1", &n), 0);
    assert_int_equal(api_auth_limit_check(l, "192.0.2.1"), 0);
    assert_int_equal(api_auth_limit_fail(l, "192.0.2.1", &n), 1); /* the burst: logged once */
    assert_int_equal(n, 3);
    assert_int_equal(api_auth_limit_check(l, "192.0.2.1"), 1); /* wait one interval */
    assert_int_equal(api_auth_limit_check(l, "192.0.2.2"), 0); /* another address is free */
    assert_int_equal(api_auth_limit_check(l, ""), 0);          /* the Unix socket */
    assert_int_equal(api_auth_limit_fail(l, "", &n), 0);
    usleep(1100 * 1000);
    assert_int_equal(api_auth_limit_check(l, "192.0.2.1"), 0);    /* one more try */
    assert_int_equal(api_auth_limit_fail(l, "192.0.2.1", &n), 0); /* same burst: no new log */
    assert_int_equal(n, 4);
    assert_true(api_auth_limit_check(l, "192.0.2.1") >= 1);
    api_auth_limit_free(l);
    assert_int_equal(api_auth_limit_check(NULL, "192.0.2.1"), 0);
    api_auth_limit_free(NULL);
}

/* Many more addresses than slots: the newest guesser is still counted and limited. */
static void test_full_table(void **state)
{
    (void)state;
    api_auth_limit *l = api_auth_limit_new(2, 60);
    unsigned long n;
    char peer[32];
    for (int i = 0; i < 3 * API_AUTH_LIMIT_SLOTS; i++) {
        snprintf(peer, sizeof peer, "10.%d.%d.%d", (i >> 16) & 255, (i >> 8) & 255, i & 255);
        api_auth_limit_fail(l, peer, &n);
    }
    api_auth_limit_fail(l, "203.0.113.5", &n);
    assert_int_equal(api_auth_limit_check(l, "203.0.113.5"), 0);
    assert_int_equal(api_auth_limit_fail(l, "203.0.113.5", &n), 1);
    assert_true(api_auth_limit_check(l, "203.0.113.5") > 0);
    api_auth_limit_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_peer_keys),
        cmocka_unit_test(test_burst_then_429),
        cmocka_unit_test(test_full_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
