/* test_backend_stats.c - backend/stats.c and the dispatcher's part in it: method names map
 * to their counters (the stats request itself is not counted), latencies land in the right
 * bucket at each boundary, the stats reply is one JSON line with every method, and
 * sb_dispatch_counted says which method a request was for and whether its reply was an error,
 * on the fast path and the slow one, and answers the stats request only when given stats. */
#include "test_backend_fixture.h"

#include "backend/stats.h"

static void test_method_names(void **state)
{
    (void)state;
    for (int i = 0; i < SB_M_OTHER; i++) {
        const char *n = sb_stats_method_name(i);
        assert_int_equal(sb_stats_method(n, strlen(n)), i);
    }
    assert_string_equal(sb_stats_method_name(SB_M_OTHER), "other");
    assert_string_equal(sb_stats_method_name(SB_M_GET_BEFORE_AND_AFTER),
                        "getBeforeAndAfterNamesAbsolute");
    assert_int_equal(sb_stats_method("lookupX", 7), SB_M_OTHER);
    assert_int_equal(sb_stats_method("lookup", 4), SB_M_OTHER); /* "look" */
    assert_int_equal(sb_stats_method("", 0), SB_M_OTHER);
    assert_int_equal(sb_stats_method("other", 5), SB_M_OTHER);
    assert_int_equal(sb_stats_method("setNotified", 11), SB_M_OTHER);
    assert_int_equal(sb_stats_method("scaidnsStats", 12), SB_M_UNCOUNTED);
    assert_int_equal(sb_stats_method("scaidnsstats", 12), SB_M_OTHER);
}

static void test_buckets(void **state)
{
    (void)state;
    sb_stats st = {0};
    sb_call lookup = {SB_M_LOOKUP, 0}, failed = {SB_M_LOOKUP, 1};
    sb_stats_record(&st, &lookup, 0);
    sb_stats_record(&st, &lookup, 25000);    /* le 25 us: the bound itself is inside */
    sb_stats_record(&st, &lookup, 25001);    /* le 50 us */
    sb_stats_record(&st, &failed, 1000000);  /* le 1 ms */
    sb_stats_record(&st, &lookup, 25000000); /* le 25 ms */
    sb_stats_record(&st, &lookup, 25000001); /* +Inf */
    const sb_method_stats *m = &st.m[SB_M_LOOKUP];
    assert_int_equal(m->requests, 6);
    assert_int_equal(m->errors, 1);
    assert_int_equal(m->sum_ns, 0 + 25000 + 25001 + 1000000 + 25000000 + 25000001);
    const uint64_t want[SB_STATS_BUCKETS] = {2, 1, 0, 0, 0, 1, 0, 1, 1};
    for (int b = 0; b < SB_STATS_BUCKETS; b++)
        assert_int_equal(m->buckets[b], want[b]);
    sb_call stats = {SB_M_UNCOUNTED, 0}, wild = {SB_M_COUNT, 0};
    sb_stats_record(&st, &stats, 5);
    sb_stats_record(&st, &wild, 5);
    for (int i = 0; i < SB_M_COUNT; i++)
        assert_int_equal(st.m[i].requests, i == SB_M_LOOKUP ? 6 : 0);
}

/* The stats reply of st parsed; fails unless it is one line. */
static json_t *rendered(const sb_stats *st)
{
    sb_buf b = {0};
    assert_int_equal(sb_stats_render(st, &b), 0);
    assert_true(b.len > 0 && b.p[b.len - 1] == '\n');
    assert_null(memchr(b.p, '\n', b.len - 1));
    json_error_t jerr;
    json_t *j = json_loadb(b.p, b.len, 0, &jerr);
    if (!j)
        fail_msg("not JSON: %.*s", (int)b.len, b.p);
    sb_buf_free(&b);
    return j;
}

static void test_render(void **state)
{
    (void)state;
    sb_stats st = {0};
    sb_call keys = {SB_M_GET_DOMAIN_KEYS, 1}, other = {SB_M_OTHER, 0};
    sb_stats_record(&st, &keys, 70000);
    sb_stats_record(&st, &other, 3);
    json_t *j = rendered(&st);
    json_t *r = json_object_get(j, "result");
    json_t *le = json_object_get(r, "le_us"), *ms = json_object_get(r, "methods");
    assert_int_equal(json_array_size(le), SB_STATS_BUCKETS - 1);
    assert_int_equal(json_integer_value(json_array_get(le, 0)), 25);
    assert_int_equal(json_integer_value(json_array_get(le, 7)), 25000);
    assert_int_equal(json_object_size(ms), SB_M_COUNT);
    for (int i = 0; i < SB_M_COUNT; i++) {
        json_t *m = json_object_get(ms, sb_stats_method_name(i));
        assert_non_null(m);
        assert_int_equal(json_array_size(json_object_get(m, "buckets")), SB_STATS_BUCKETS);
    }
    json_t *k = json_object_get(ms, "getDomainKeys");
    assert_int_equal(json_integer_value(json_object_get(k, "requests")), 1);
    assert_int_equal(json_integer_value(json_object_get(k, "errors")), 1);
    assert_int_equal(json_integer_value(json_object_get(k, "sum_ns")), 70000);
    assert_int_equal(json_integer_value(json_array_get(json_object_get(k, "buckets"), 2)), 1);
    json_t *o = json_object_get(ms, "other");
    assert_int_equal(json_integer_value(json_array_get(json_object_get(o, "buckets"), 0)), 1);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(ms, "lookup"), "requests")),
                     0);
    json_decref(j);
}

/* Runs line through sb_dispatch_counted with st; returns the parsed reply, fills *call. */
static json_t *counted(fx *f, const sb_stats *st, const char *line, sb_call *call)
{
    sb_buf b = {0};
    call->method = 99;
    call->error = 99;
    assert_int_equal(sb_dispatch_counted(f->store, st, line, strlen(line), &b, call), 0);
    json_error_t jerr;
    json_t *j = json_loadb(b.p, b.len, 0, &jerr);
    if (!j)
        fail_msg("not JSON: %.*s", (int)b.len, b.p);
    sb_buf_free(&b);
    return j;
}

/* Asserts what the dispatcher said about line. */
static void expect_call(fx *f, const char *line, int method, int error)
{
    sb_call c;
    json_decref(counted(f, NULL, line, &c));
    if (c.method != method || c.error != error)
        fail_msg("%s: method %d error %d, wanted %d %d", line, c.method, c.error, method, error);
}

static void test_dispatch_counted(void **state)
{
    fx *f = *state;
    expect_call(f, "{\"method\":\"initialize\",\"parameters\":{}}", SB_M_INITIALIZE, 0);
    /* fast path */
    expect_call(f,
                "{\"method\":\"lookup\",\"parameters\":{\"qtype\":\"ANY\",\"qname\":\"www."
                "example.com.\",\"zone-id\":-1}}",
                SB_M_LOOKUP, 0);
    expect_call(f, "{\"method\":\"getDomainKeys\",\"parameters\":{\"name\":\"example.com.\"}}",
                SB_M_GET_DOMAIN_KEYS, 0);
    expect_call(f, "{\"method\":\"getAllDomainMetadata\",\"parameters\":{\"name\":\"nope.\"}}",
                SB_M_GET_ALL_DOMAIN_METADATA, 0);
    /* slow path: an escape makes the line "not simple" */
    expect_call(f,
                "{\"method\":\"lookup\",\"parameters\":{\"qtype\":\"A\",\"qname\":\"w\\u0077w."
                "example.com.\",\"zone-id\":-1}}",
                SB_M_LOOKUP, 0);
    expect_call(f,
                "{\"method\":\"list\",\"parameters\":{\"zonename\":\"example.com.\","
                "\"domain_id\":1}}",
                SB_M_LIST, 0);
    expect_call(f, "{\"method\":\"getDomainInfo\",\"parameters\":{\"name\":\"example.com.\"}}",
                SB_M_GET_DOMAIN_INFO, 0);
    expect_call(f, "{\"method\":\"getAllDomains\",\"parameters\":{}}", SB_M_GET_ALL_DOMAINS, 0);
    expect_call(f,
                "{\"method\":\"getDomainMetadata\",\"parameters\":{\"name\":\"example.com.\","
                "\"kind\":\"NSEC3PARAM\"}}",
                SB_M_GET_DOMAIN_METADATA, 0);
    /* errors */
    expect_call(f, "{\"method\":\"getDomainKeys\",\"parameters\":{}}", SB_M_GET_DOMAIN_KEYS, 1);
    expect_call(f,
                "{\"method\":\"getBeforeAndAfterNamesAbsolute\",\"parameters\":{\"id\":1,"
                "\"qname\":\"a..b\"}}",
                SB_M_GET_BEFORE_AND_AFTER, 1);
    expect_call(f, "garbage", SB_M_OTHER, 1);
    expect_call(f, "[1]", SB_M_OTHER, 1);
    expect_call(f, "{\"method\":7}", SB_M_OTHER, 1);
    expect_call(f, "{\"method\":\"lookup\",\"parameters\":[]}", SB_M_OTHER, 1);
    /* an unknown method is not an error: {"result": false} */
    expect_call(f, "{\"method\":\"feedRecord\",\"parameters\":{}}", SB_M_OTHER, 0);
}

static void test_stats_request(void **state)
{
    fx *f = *state;
    sb_stats st = {0};
    sb_call c = {SB_M_LOOKUP, 0};
    sb_stats_record(&st, &c, 100);
    /* without stats (tests, tools): like any unknown method */
    json_t *j = counted(f, NULL, "{\"method\":\"scaidnsStats\"}", &c);
    assert_true(json_is_false(json_object_get(j, "result")));
    assert_int_equal(c.method, SB_M_UNCOUNTED);
    json_decref(j);
    j = counted(f, &st, "{\"method\":\"scaidnsStats\",\"parameters\":{}}", &c);
    assert_int_equal(c.method, SB_M_UNCOUNTED);
    assert_int_equal(c.error, 0);
    json_t *l = json_object_get(json_object_get(json_object_get(j, "result"), "methods"), "lookup");
    assert_int_equal(json_integer_value(json_object_get(l, "requests")), 1);
    json_decref(j);
    /* a malformed stats request is an error like any other, and counted */
    j = counted(f, &st, "{\"method\":\"scaidnsStats\",\"parameters\":5}", &c);
    assert_true(json_is_false(json_object_get(j, "result")));
    assert_non_null(json_object_get(j, "log"));
    assert_int_equal(c.method, SB_M_OTHER);
    assert_int_equal(c.error, 1);
    json_decref(j);
    /* sb_dispatch_into never answers it */
    j = fx_call(f, "{\"method\":\"scaidnsStats\"}");
    assert_true(json_is_false(json_object_get(j, "result")));
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_method_names),
        cmocka_unit_test(test_buckets),
        cmocka_unit_test(test_render),
        cmocka_unit_test_setup_teardown(test_dispatch_counted, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_stats_request, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
