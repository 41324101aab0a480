/* test_api_openapi.c - the embedded OpenAPI document lists exactly the server's routes:
 * every (path, method) of the route table is in it with the same scopes, and every
 * operation in it is a route. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/openapi_doc.h"
#include "api/router.h"

static const char *const METHODS[] = {"get",   "put",  "post",    "delete",
                                      "patch", "head", "options", "trace"};

/* The document, parsed. */
static json_t *doc(void)
{
    json_error_t err;
    json_t *d = json_loadb(api_openapi_doc, api_openapi_doc_len, JSON_REJECT_DUPLICATES, &err);
    if (!d)
        fail_msg("openapi.json does not parse: %s (line %d)", err.text, err.line);
    return d;
}

static void test_document_shape(void **state)
{
    (void)state;
    json_t *d = doc();
    assert_int_equal(strlen(api_openapi_doc), api_openapi_doc_len);
    assert_string_equal(json_string_value(json_object_get(d, "openapi")), "3.0.3");
    assert_non_null(json_object_get(json_object_get(d, "info"), "title"));
    assert_non_null(json_object_get(json_object_get(json_object_get(d, "components"), "schemas"),
                                    "DnssecState"));
    json_decref(d);
}

static void test_every_route_documented(void **state)
{
    (void)state;
    json_t *d = doc();
    json_t *paths = json_object_get(d, "paths");
    size_t n;
    const api_route *r = api_routes(&n);
    for (size_t i = 0; i < n; i++) {
        char m[16];
        size_t k;
        for (k = 0; r[i].method[k] && k < sizeof m - 1; k++)
            m[k] = (char)tolower((unsigned char)r[i].method[k]);
        m[k] = '\0';
        json_t *op = json_object_get(json_object_get(paths, r[i].pattern), m);
        if (!op)
            fail_msg("route %s %s is not in openapi.json", r[i].method, r[i].pattern);
        json_t *scopes = json_object_get(op, "x-scopes");
        if (!r[i].scope) {
            assert_null(scopes);
            assert_int_equal(json_array_size(json_object_get(op, "security")), 0);
            continue;
        }
        if (!scopes)
            fail_msg("%s %s: no x-scopes", r[i].method, r[i].pattern);
        assert_string_equal(json_string_value(json_array_get(scopes, 0)), r[i].scope);
        if (r[i].scope_alt)
            assert_string_equal(json_string_value(json_array_get(scopes, 1)), r[i].scope_alt);
        else
            assert_int_equal(json_array_size(scopes), 1);
    }
    json_decref(d);
}

static void test_every_operation_is_a_route(void **state)
{
    (void)state;
    json_t *d = doc();
    json_t *paths = json_object_get(d, "paths"), *item;
    const char *path;
    size_t n, ops = 0;
    const api_route *r = api_routes(&n);
    json_object_foreach(paths, path, item)
    {
        for (size_t j = 0; j < sizeof METHODS / sizeof METHODS[0]; j++) {
            if (!json_object_get(item, METHODS[j]))
                continue;
            ops++;
            int found = 0;
            for (size_t i = 0; i < n; i++)
                if (strcmp(r[i].pattern, path) == 0 && strcasecmp(r[i].method, METHODS[j]) == 0)
                    found = 1;
            if (!found)
                fail_msg("openapi.json documents %s %s, which the server does not have", METHODS[j],
                         path);
        }
    }
    assert_int_equal(ops, n);
    json_decref(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_document_shape),
        cmocka_unit_test(test_every_route_documented),
        cmocka_unit_test(test_every_operation_is_a_route),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
