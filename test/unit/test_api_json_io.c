/* test_api_json_io.c - request bodies, field checks, error bodies, Bearer parsing, log lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "api/auth.h"
#include "api/json_io.h"
#include "api/log.h"

/* Parses text as a body; returns the status (0 ok, 400 refused). */
static int parse(const char *text, size_t len, json_t **out)
{
    sd_err e;
    return -api_parse_body(text, len, out, &e);
}

static void test_parse_body(void **state)
{
    (void)state;
    json_t *j;
    assert_int_equal(parse("", 0, &j), 0);
    assert_null(j);
    assert_int_equal(parse(" \r\n\t", 4, &j), 0);
    assert_null(j);
    assert_int_equal(parse("{\"a\":1}", 7, &j), 0);
    assert_non_null(j);
    json_decref(j);
    assert_int_equal(parse("{", 1, &j), 400);
    assert_int_equal(parse("[1]", 3, &j), 400);
    assert_int_equal(parse("1", 1, &j), 400);
    assert_int_equal(parse("null", 4, &j), 400);
    assert_int_equal(parse("{\"a\":1,\"a\":2}", 13, &j), 400);
    assert_int_equal(parse("{\"a\":99999999999999999999999}", 29, &j), 400);
    assert_int_equal(parse("{\"a\":\"\\u0000\"}", 14, &j), 400);
    assert_int_equal(parse("{\"a\":\"\xff\"}", 8, &j), 400);
    assert_int_equal(parse("{\"a\":1} x", 9, &j), 400);
    const char nul[] = {'{', '}', '\0', ' '};
    assert_int_equal(parse(nul, sizeof nul, &j), 400);
}

static void test_fields(void **state)
{
    (void)state;
    api_resp rs = {0};
    json_t *o = json_pack("{s:i, s:s, s:f, s:b, s:n}", "n", 13, "s", "x", "r", 13.0, "b", 1, "z");
    long long v;
    int present;
    const char *s;
    assert_int_equal(api_int_field(o, "n", 1, 0, 255, &v, &present, &rs), 0);
    assert_int_equal(v, 13);
    assert_int_equal(api_int_field(o, "n", 1, 0, 10, &v, &present, &rs), -1);
    assert_int_equal(rs.status, 400);
    assert_int_equal(api_int_field(o, "r", 1, 0, 255, &v, &present, &rs), -1);
    assert_int_equal(api_int_field(o, "b", 1, 0, 255, &v, &present, &rs), -1);
    assert_int_equal(api_int_field(o, "z", 1, 0, 255, &v, &present, &rs), -1);
    assert_int_equal(api_int_field(o, "s", 1, 0, 255, &v, &present, &rs), -1);
    assert_int_equal(api_int_field(o, "missing", 0, 0, 255, &v, &present, &rs), 0);
    assert_int_equal(present, 0);
    assert_int_equal(api_int_field(o, "missing", 1, 0, 255, &v, &present, &rs), -1);
    assert_int_equal(api_str_field(o, "s", 1, 10, &s, &rs), 0);
    assert_string_equal(s, "x");
    assert_int_equal(api_str_field(o, "n", 1, 10, &s, &rs), -1);
    static const char *const ok[] = {"n", "s", "r", "b", "z", NULL};
    static const char *const few[] = {"n", NULL};
    assert_int_equal(api_only_fields(o, ok, &rs), 0);
    assert_int_equal(api_only_fields(o, few, &rs), -1);
    assert_int_equal(api_only_fields(NULL, NULL, &rs), 0);
    assert_int_equal(api_only_fields(o, NULL, &rs), -1);
    json_decref(o);
    json_decref(rs.body);
}

static void test_errors(void **state)
{
    (void)state;
    api_resp rs = {0};
    api_error(&rs, 404, "no %s", "such");
    assert_int_equal(rs.status, 404);
    assert_string_equal(json_string_value(json_object_get(rs.body, "error")), "no such");
    assert_int_equal(json_integer_value(json_object_get(rs.body, "code")), 404);
    /* invalid UTF-8 in a message never makes the body disappear */
    api_error(&rs, 400, "bad \xff\xfe name \xc3\xa9");
    assert_string_equal(json_string_value(json_object_get(rs.body, "error")),
                        "bad ?? name \xc3\xa9");
    sd_err e;
    sd_fail(&e, SD_EBUSY, "busy");
    api_fail(&rs, &e);
    assert_int_equal(rs.status, 503);
    assert_int_equal(rs.retry_after, 1);
    sd_fail(&e, 7, "odd");
    api_fail(&rs, &e);
    assert_int_equal(rs.status, 500);
    json_decref(rs.body);
}

static void test_bearer(void **state)
{
    (void)state;
    char t[64];
    assert_int_equal(api_bearer("Bearer abc", t, sizeof t), 0);
    assert_string_equal(t, "abc");
    assert_int_equal(api_bearer("bearer   abc  ", t, sizeof t), 0);
    assert_string_equal(t, "abc");
    assert_int_equal(api_bearer("Basic abc", t, sizeof t), -1);
    assert_int_equal(api_bearer("Bearer ", t, sizeof t), -1);
    assert_int_equal(api_bearer(NULL, t, sizeof t), -1);
    char big[200];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    memcpy(big, "Bearer ", 7);
    assert_int_equal(api_bearer(big, t, sizeof t), -1);
}

static void test_log_line(void **state)
{
    (void)state;
    char line[512];
    size_t n =
        api_log_format(line, sizeof line, API_LOG_DEBUG, "GET", "/a b\x01\\", 200, 1.25, "ops");
    assert_true(n > 0 && line[n - 1] == '\n');
    assert_string_equal(line, "scaidns-api: debug: GET /a\\x20b\\x01\\x5c 200 1.2ms token=ops\n");
    n = api_log_format(line, sizeof line, API_LOG_WARNING, "GET", "/", 401, 0, NULL);
    assert_string_equal(line, "scaidns-api: warning: GET / 401 0.0ms token=-\n");
    char path[2000];
    memset(path, 'p', sizeof path - 1);
    path[sizeof path - 1] = '\0';
    n = api_log_format(line, 64, API_LOG_INFO, "GET", path, 200, 0, "x");
    assert_true(n < 64);
    assert_null(memchr(line, '\n', n > 0 ? n - 1 : 0));
}

/* Requests: 5xx error, 401/403 warning, changes info, the rest debug. */
static void test_log_levels(void **state)
{
    (void)state;
    assert_int_equal(api_log_request_level("GET", 503), API_LOG_ERROR);
    assert_int_equal(api_log_request_level("POST", 500), API_LOG_ERROR);
    assert_int_equal(api_log_request_level("GET", 401), API_LOG_WARNING);
    assert_int_equal(api_log_request_level("DELETE", 403), API_LOG_WARNING);
    assert_int_equal(api_log_request_level("POST", 201), API_LOG_INFO);
    assert_int_equal(api_log_request_level("PUT", 200), API_LOG_INFO);
    assert_int_equal(api_log_request_level("PATCH", 200), API_LOG_INFO);
    assert_int_equal(api_log_request_level("DELETE", 204), API_LOG_INFO);
    assert_int_equal(api_log_request_level("GET", 200), API_LOG_DEBUG);
    assert_int_equal(api_log_request_level("HEAD", 200), API_LOG_DEBUG);
    assert_int_equal(api_log_request_level("POST", 400), API_LOG_DEBUG);
    assert_int_equal(api_log_request_level("POST", 409), API_LOG_DEBUG);
    assert_int_equal(api_log_request_level("GET", 404), API_LOG_DEBUG);
    assert_int_equal(api_log_request_level(NULL, 404), API_LOG_DEBUG);
    assert_int_equal(api_log_set_level("warn"), -1);
    assert_int_equal(api_log_set_level(""), -1);
    assert_int_equal(api_log_set_level("error"), 0);
    assert_true(api_log_enabled(API_LOG_ERROR));
    assert_false(api_log_enabled(API_LOG_WARNING));
    assert_int_equal(api_log_set_level("debug"), 0);
    assert_true(api_log_enabled(API_LOG_DEBUG));
    assert_int_equal(api_log_set_level("info"), 0);
    assert_true(api_log_enabled(API_LOG_INFO));
    assert_false(api_log_enabled(API_LOG_DEBUG));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_body), cmocka_unit_test(test_fields),
        cmocka_unit_test(test_errors),     cmocka_unit_test(test_bearer),
        cmocka_unit_test(test_log_line),   cmocka_unit_test(test_log_levels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
