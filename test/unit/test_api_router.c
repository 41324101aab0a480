/* test_api_router.c - path matching: parameters, percent-decoding per segment, 404/405/400. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "api/router.h"

/* Matches method + path against the server's table; returns the status. */
static int m(const char *method, const char *path, api_match *out)
{
    size_t n;
    const api_route *t = api_routes(&n);
    return api_route_match(t, n, method, path, out);
}

static void test_literal_routes(void **state)
{
    (void)state;
    api_match r;
    assert_int_equal(m("GET", "/healthz", &r), 200);
    assert_string_equal(r.route->pattern, "/healthz");
    assert_null(r.route->scope);
    assert_int_equal(m("GET", "/api/v1/domains", &r), 200);
    assert_string_equal(r.route->scope, "zones:read");
    assert_int_equal(m("POST", "/api/v1/domains", &r), 200);
    assert_string_equal(r.route->scope, "zones:write");
    assert_int_equal(m("GET", "/api/v1/openapi.json", &r), 200);
}

static void test_params(void **state)
{
    (void)state;
    api_match r;
    assert_int_equal(m("PUT", "/api/v1/domains/example.com/rrsets/www/A", &r), 200);
    assert_int_equal(r.nparams, 3);
    assert_string_equal(r.params[0], "example.com");
    assert_string_equal(r.params[1], "www");
    assert_string_equal(r.params[2], "A");
    assert_int_equal(m("POST", "/api/v1/domains/d_0011223344556677/dnssec/enable", &r), 200);
    assert_string_equal(r.params[0], "d_0011223344556677");
    assert_string_equal(r.route->scope, "dnssec:enable");
    assert_int_equal(m("POST", "/api/v1/domains/x/dnssec/confirm-ds-published", &r), 200);
    assert_string_equal(r.route->scope_alt, "dnssec:rotate");
}

static void test_decoding_stays_in_segment(void **state)
{
    (void)state;
    api_match r;
    /* %2F is a '/' inside the id, not a new segment */
    assert_int_equal(m("GET", "/api/v1/domains/a%2Fb/dnssec", &r), 200);
    assert_string_equal(r.params[0], "a/b");
    /* %2e%2e is the id "..", never a step up */
    assert_int_equal(m("GET", "/api/v1/domains/%2e%2e/dnssec", &r), 200);
    assert_string_equal(r.params[0], "..");
    /* a literal ../ is just more segments: nothing matches */
    assert_int_equal(m("GET", "/api/v1/domains/../domains", &r), 404);
    assert_int_equal(m("GET", "/api/v1/%64omains", &r), 200);
}

static void test_errors(void **state)
{
    (void)state;
    api_match r;
    assert_int_equal(m("GET", "/nope", &r), 404);
    assert_int_equal(m("GET", "/", &r), 404);
    assert_int_equal(m("GET", "", &r), 404);
    assert_int_equal(m("GET", "api/v1/domains", &r), 404);
    assert_int_equal(m("GET", "/api/v1/domains/", &r), 404);
    assert_int_equal(m("GET", "/api/v1/domains//dnssec", &r), 404);
    assert_int_equal(m("GET", "/api/v1/domains/x/dnssec/enable", &r), 405);
    assert_string_equal(r.allow, "POST");
    assert_int_equal(m("PATCH", "/api/v1/domains/x", &r), 405);
    assert_string_equal(r.allow, "GET, DELETE");
    assert_int_equal(m("GET", "/api/v1/domains/%zz", &r), 400);
    assert_int_equal(m("GET", "/api/v1/domains/%2", &r), 400);
    assert_int_equal(m("GET", "/api/v1/domains/a%00b", &r), 400);
    char longp[4000] = "/api/v1/domains/";
    memset(longp + strlen(longp), 'a', 2000);
    assert_int_equal(m("GET", longp, &r), 404);
    assert_int_equal(m("GET", "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s", &r), 404);
}

static void test_pct_decode(void **state)
{
    (void)state;
    char out[8];
    assert_int_equal(api_pct_decode("a%41", 4, out, sizeof out), 2);
    assert_string_equal(out, "aA");
    assert_int_equal(api_pct_decode("%4", 2, out, sizeof out), -1);
    assert_int_equal(api_pct_decode("%", 1, out, sizeof out), -1);
    assert_int_equal(api_pct_decode("abcdefgh", 8, out, sizeof out), -2);
    assert_int_equal(api_pct_decode("", 0, out, sizeof out), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_literal_routes),
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_decoding_stays_in_segment),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_pct_decode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
