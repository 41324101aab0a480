/* test_backend_fast.c - the hot path (backend/fast.c, jscan.c, buf.c, sarena.c): the simple
 * request reader accepts exactly what it claims to and nothing more, JSON strings are
 * escaped, and every answer of the fast path equals the general jansson path's answer to
 * the same request (a request is sent twice: as PowerDNS writes it, and with an extra
 * nested member that makes it "not simple"); cached replies follow keystore changes. */
#include "test_backend_fixture.h"

#include "backend/buf.h"
#include "backend/jscan.h"
#include "backend/sarena.h"

static void test_jscan(void **state)
{
    (void)state;
    sb_jreq r;
    /* PowerDNS's own spacing (json11). */
    const char *pdns = "{\"method\": \"lookup\", \"parameters\": {\"local\": \"0.0.0.0\", "
                       "\"qname\": \"www.example.com.\", \"qtype\": \"ANY\", \"real-remote\": "
                       "\"0.0.0.0/0\", \"remote\": \"0.0.0.0\", \"zone-id\": -1}}";
    assert_int_equal(sb_jscan(pdns, strlen(pdns), &r), 0);
    assert_int_equal(r.method_len, 6);
    assert_memory_equal(r.method, "lookup", 6);
    assert_int_equal(r.n_params, 6);
    const sb_jval *v = sb_jreq_param(&r, "zone-id");
    assert_non_null(v);
    assert_int_equal(v->type, SB_JV_INT);
    assert_int_equal(v->num, -1);
    v = sb_jreq_param(&r, "qname");
    assert_int_equal(v->type, SB_JV_STRING);
    assert_int_equal(v->str_len, strlen("www.example.com."));
    assert_null(sb_jreq_param(&r, "zone"));
    const char *ok[] = {
        "{\"method\":\"x\"}",
        " {\"parameters\":{},\"method\":\"x\"} ",
        "{\"method\":\"x\",\"parameters\":{\"a\":true,\"b\":false,\"c\":null,\"d\":0}}",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        assert_int_equal(sb_jscan(ok[i], strlen(ok[i]), &r), 0);
    const char *not_simple[] = {
        "",
        "{}",
        "[]",
        "{\"method\":42}",
        "{\"method\":\"x\",\"method\":\"y\"}",
        "{\"method\":\"x\",\"parameters\":{\"a\":1,\"a\":2}}",
        "{\"method\":\"x\",\"parameters\":{\"a\":[]}}",
        "{\"method\":\"x\",\"parameters\":{\"a\":{}}}",
        "{\"method\":\"x\",\"parameters\":[]}",
        "{\"method\":\"x\",\"parameters\":{\"a\":1.5}}",
        "{\"method\":\"x\",\"parameters\":{\"a\":1e3}}",
        "{\"method\":\"x\",\"parameters\":{\"a\":01}}",
        "{\"method\":\"x\",\"parameters\":{\"a\":1234567890123456}}",
        "{\"method\":\"x\",\"parameters\":{\"a\":-}}",
        "{\"method\":\"x\",\"parameters\":{\"a\":\"\\u0041\"}}",
        "{\"method\":\"x\",\"parameters\":{\"a\":\"\xc3\xa9\"}}",
        "{\"method\":\"x\",\"parameters\":{\"a\":tru}}",
        "{\"method\":\"x\",\"other\":1}",
        "{\"method\":\"x\"} x",
        "{\"method\":\"x\"",
        "{\"method\":\"x\",}",
        "{\"method\":\"x\",\"parameters\":{\"a\":1,}}",
        "{\"method\" \"x\"}",
    };
    for (size_t i = 0; i < sizeof not_simple / sizeof not_simple[0]; i++)
        if (sb_jscan(not_simple[i], strlen(not_simple[i]), &r) == 0)
            fail_msg("taken as simple: %s", not_simple[i]);
    const char nul[] = "{\"method\":\"x\0\"}";
    assert_int_equal(sb_jscan(nul, sizeof nul - 1, &r), -1);
    char many[1024] = "{\"method\":\"x\",\"parameters\":{";
    for (int i = 0; i <= SB_JSCAN_MAX_PARAMS; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "%s\"p%d\":1", i ? "," : "", i);
    snprintf(many + strlen(many), sizeof many - strlen(many), "}}");
    assert_int_equal(sb_jscan(many, strlen(many), &r), -1);
}

static void test_buf(void **state)
{
    (void)state;
    sb_buf b = {0};
    assert_int_equal(sb_buf_json_str(&b, "a\"b\\c\n\x01\x7f", 8), 0);
    assert_int_equal(sb_buf_put(&b, " ", 1), 0);
    assert_int_equal(sb_buf_int(&b, INT64_MIN), 0);
    assert_int_equal(sb_buf_put(&b, " ", 1), 0);
    assert_int_equal(sb_buf_int(&b, 0), 0);
    assert_int_equal(sb_buf_put(&b, " ", 1), 0);
    assert_int_equal(sb_buf_int(&b, 4294967295), 0);
    const char *want = "\"a\\\"b\\\\c\\n\\u0001\\u007f\" -9223372036854775808 0 4294967295";
    assert_int_equal(b.len, strlen(want));
    assert_memory_equal(b.p, want, b.len);
    json_error_t jerr;
    json_t *j = json_loadb(b.p, strchr(b.p + 1, ' ') - b.p, JSON_DECODE_ANY, &jerr);
    assert_non_null(j);
    assert_string_equal(json_string_value(j), "a\"b\\c\n\x01\x7f");
    json_decref(j);
    for (int i = 0; i < 2000; i++) /* growth keeps what was there */
        assert_int_equal(sb_buf_put(&b, "x", 1), 0);
    assert_memory_equal(b.p, want, strlen(want));
    sb_buf_clear(&b);
    assert_int_equal(b.len, 0);
    sb_buf_free(&b);
    assert_null(b.p);
}

static void test_sarena(void **state)
{
    (void)state;
    assert_true(sodium_init() >= 0);
    sb_sarena a = {0};
    char big[40000];
    memset(big, 'k', sizeof big);
    const char *p = sb_sarena_copy(&a, "secret", 6);
    const char *q = sb_sarena_copy(&a, big, sizeof big);
    const char *r = sb_sarena_copy(&a, "more", 4);
    assert_non_null(p);
    assert_non_null(q);
    assert_non_null(r);
    assert_memory_equal(p, "secret", 6);
    assert_memory_equal(q, big, sizeof big);
    assert_memory_equal(r, "more", 4);
    sb_sarena_reset(&a);
    assert_null(a.head);
    sb_sarena_reset(&a);
}

/* Sends req (a simple request whose parameters object ends in "}}") and the same request
 * made not simple, and requires equal replies; returns the raw fast reply (malloc'd). */
static char *same_both_ways(fx *f, const char *req)
{
    size_t n = strlen(req), fn = 0, sn = 0;
    assert_true(n > 2 && strcmp(req + n - 2, "}}") == 0);
    char slow_req[1024];
    snprintf(slow_req, sizeof slow_req, "%.*s,\"x-not-simple\":[]}}", (int)(n - 2), req);
    char *fast = sb_dispatch(f->store, req, n, &fn);
    char *slow = sb_dispatch(f->store, slow_req, strlen(slow_req), &sn);
    assert_non_null(fast);
    assert_non_null(slow);
    json_error_t jerr;
    json_t *a = json_loadb(fast, fn, 0, &jerr), *b = json_loadb(slow, sn, 0, &jerr);
    if (!a || !b || !json_equal(a, b))
        fail_msg("%s\nfast: %.*s\nslow: %.*s", req, (int)fn, fast, (int)sn, slow);
    json_decref(a);
    json_decref(b);
    free(slow);
    return fast;
}

static void test_fast_equals_slow(void **state)
{
    fx *f = *state;
    const char *names[] = {"example.com.",
                           "Example.COM.",
                           "www.example.com.",
                           "b.example.com.",
                           "a.b.example.com.",
                           "sub.example.com.",
                           "ns.sub.example.com.",
                           "x.sub.example.com.",
                           "*.wild.example.com.",
                           "nope.example.com.",
                           "example.",
                           "a.example.",
                           "ns1.a.example.",
                           "x.y.w.example.",
                           "y.w.example.",
                           "keys.test.",
                           "www.keys.test.",
                           "com.",
                           ".",
                           "bad..name."};
    const char *types[] = {"ANY", "A", "soa", "NS", "DS", "TXT", "MX", "AAAA"};
    const char *zone_ids[] = {"",
                              ",\"zone-id\":-1",
                              ",\"zone-id\":1",
                              ",\"zone-id\":2",
                              ",\"zone-id\":3",
                              ",\"zone-id\":99"};
    char req[512];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        for (size_t t = 0; t < sizeof types / sizeof types[0]; t++)
            for (size_t z = 0; z < sizeof zone_ids / sizeof zone_ids[0]; z++) {
                snprintf(req, sizeof req,
                         "{\"method\": \"lookup\", \"parameters\": {\"qtype\": \"%s\", \"qname\": "
                         "\"%s\", \"remote\": \"127.0.0.1\"%s}}",
                         types[t], names[i], zone_ids[z]);
                char *r = same_both_ways(f, req);
                /* The fast path did answer: its records start with qname. */
                assert_true(strncmp(r, "{\"result\":[", 11) == 0);
                assert_true(r[11] == ']' || strncmp(r + 11, "{\"qname\":", 9) == 0);
                free(r);
            }
    const char *zones[] = {"example.com.", "EXAMPLE.com", "example.",
                           "keys.test.",   "nope.",       "a..b"};
    for (int round = 0; round < 2; round++) /* the second round is answered from the caches */
        for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
            snprintf(req, sizeof req,
                     "{\"method\":\"getDomainKeys\",\"parameters\":{\"name\":\"%s\"}}", zones[i]);
            free(same_both_ways(f, req));
            snprintf(req, sizeof req,
                     "{\"method\":\"getAllDomainMetadata\",\"parameters\":{\"name\":\"%s\"}}",
                     zones[i]);
            free(same_both_ways(f, req));
        }
    const char *ids[] = {"1", "2", "3", "99"};
    const char *qnames[] = {".",
                            "www.",
                            "Www.",
                            "a.",
                            "b.",
                            "a.b.",
                            "zzz.",
                            "sub.",
                            "ns.sub.",
                            "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.",
                            "00000000000000000000000000000000",
                            "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv.",
                            "K8UDEMVP1J2F7EG6JEBPS17VP3N8I58H."};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        for (size_t q = 0; q < sizeof qnames / sizeof qnames[0]; q++) {
            snprintf(req, sizeof req,
                     "{\"method\": \"getBeforeAndAfterNamesAbsolute\", \"parameters\": {\"id\": "
                     "%s, \"qname\": \"%s\"}}",
                     ids[i], qnames[q]);
            free(same_both_ways(f, req));
        }
    /* Bad parameters still get the general path's precise errors. */
    json_t *j = fx_call(f, "{\"method\":\"lookup\",\"parameters\":{\"qtype\":\"A\",\"qname\":\"x."
                           "\",\"zone-id\":-2}}");
    fx_assert_error(j, "out of range");
    json_decref(j);
    j = fx_call(f, "{\"method\":\"getDomainKeys\",\"parameters\":{\"name\":1}}");
    fx_assert_error(j, "'name' must be a string");
    json_decref(j);
}

static void test_caches_follow_changes(void **state)
{
    fx *f = *state;
    const char *keys = "{\"method\":\"getDomainKeys\",\"parameters\":{\"name\":\"example.com.\"}}";
    const char *meta =
        "{\"method\":\"lookup\",\"parameters\":{\"qtype\":\"CDNSKEY\",\"qname\":\"example.com.\"}}";
    fx_exec(f->writer, "UPDATE keys SET cds_at = 1, public_key = "
                       "'AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nz"
                       "g5Ojs8PT4/QA==' WHERE kid = 'kid-ksk'");
    const char *www =
        "{\"method\":\"lookup\",\"parameters\":{\"qtype\":\"A\",\"qname\":\"www.example.com.\"}}";
    json_t *j = fx_call(f, keys);
    assert_int_equal(json_array_size(fx_result(j)), 3);
    json_decref(j);
    j = fx_call(f, meta);
    assert_int_equal(json_array_size(fx_result(j)), 1);
    json_decref(j);
    j = fx_call(f, www);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(fx_result(j), 0), "content")),
        "192.0.2.1");
    json_decref(j);
    fx_exec(f->writer, "UPDATE keys SET state = 'removed' WHERE zone_id = 1");
    fx_exec(f->writer, "UPDATE records SET content = '192.0.2.2' WHERE content = '192.0.2.1'");
    j = fx_call(f, keys);
    assert_int_equal(json_array_size(fx_result(j)), 0);
    json_decref(j);
    j = fx_call(f, meta); /* no live keys: no CDS */
    assert_int_equal(json_array_size(fx_result(j)), 0);
    json_decref(j);
    j = fx_call(f, www);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(fx_result(j), 0), "content")),
        "192.0.2.2");
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jscan),
        cmocka_unit_test(test_buf),
        cmocka_unit_test(test_sarena),
        cmocka_unit_test_setup_teardown(test_fast_equals_slow, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_caches_follow_changes, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
