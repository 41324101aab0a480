/* test_backend_handlers.c - backend/dispatch.c and the method handlers: request shapes and
 * bad input, lookup (ANY, auth for delegations and glue, ENTs, zone-id, case), list,
 * domain info, metadata from the policy, keys unsealed, setNotified, and a keystore change
 * seen by the next request. */
#include "test_backend_fixture.h"

/* Finds the record of type in a lookup result array; NULL if absent. */
static json_t *find_type(json_t *arr, const char *type)
{
    size_t i;
    json_t *r;
    json_array_foreach(arr, i, r)
    {
        if (strcmp(json_string_value(json_object_get(r, "qtype")), type) == 0)
            return r;
    }
    return NULL;
}

static int jint(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_integer(v))
        fail_msg("member %s is not an integer", k);
    return (int)json_integer_value(v);
}

static const char *jstr(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_string(v))
        fail_msg("member %s is not a string", k);
    return json_string_value(v);
}

static void test_initialize(void **state)
{
    json_t *j = fx_call(*state, "{\"method\":\"initialize\",\"parameters\":{\"path\":\"/x\","
                                "\"timeout\":\"2000\"}}");
    assert_true(json_is_true(fx_result(j)));
    json_decref(j);
}

static void test_bad_requests(void **state)
{
    fx *f = *state;
    struct {
        const char *line, *needle;
    } cases[] = {
        {"{\"method\":", "malformed JSON"},
        {"not json at all", "malformed JSON"},
        {"[1,2,3]", "must be a JSON object"},
        {"\"lookup\"", "malformed JSON"}, /* jansson refuses bare strings by default */
        /* jansson's message quotes where it stopped, which need not be UTF-8: still an error
         * reply, not "out of memory" (found by fuzz_backend) */
        {"{\"method\":\"lookup\",\"parameters\":{\"qname\":\"w\\u058\xce\x88\xd1\x9a.x.\"}}",
         "malformed JSON"},
        {"{\"method\":\"lookup\",\"parameters\":{\"qname\":\"x\xff.\"}}", "malformed JSON"},
        {"{}", "missing 'method'"},
        {"{\"method\":42}", "'method' must be a string"},
        {"{\"method\":\"lookup\",\"parameters\":[]}", "'parameters' must be an object"},
        {"{\"method\":\"lookup\"}", "missing parameter 'qtype'"},
        {"{\"method\":\"lookup\",\"parameters\":{\"qtype\":\"A\"}}", "missing parameter 'qname'"},
        {"{\"method\":\"lookup\",\"parameters\":{\"qtype\":1,\"qname\":\"x.\"}}",
         "'qtype' must be a string"},
        {"{\"method\":\"lookup\",\"parameters\":{\"qtype\":\"A\",\"qname\":[]}}",
         "'qname' must be a string"},
        {"{\"method\":\"lookup\",\"parameters\":{\"qtype\":\"A\",\"qname\":\"x.\",\"zone-id\":"
         "\"1\"}}",
         "'zone-id' must be a number"},
        {"{\"method\":\"lookup\",\"parameters\":{\"qtype\":\"A\",\"qname\":\"x.\",\"zone-id\":1.5}"
         "}",
         "whole number"},
        {"{\"method\":\"lookup\",\"parameters\":{\"qtype\":\"A\",\"qname\":\"x.\",\"zone-id\":"
         "1e300}}",
         "whole number"},
        {"{\"method\":\"lookup\",\"parameters\":{\"qtype\":\"\",\"qname\":\"x.\"}}",
         "not a record type"},
        {"{\"method\":\"getDomainKeys\",\"parameters\":{}}", "missing parameter 'name'"},
        {"{\"method\":\"getDomainMetadata\",\"parameters\":{\"name\":\"example.com.\"}}",
         "missing parameter 'kind'"},
        {"{\"method\":\"getBeforeAndAfterNamesAbsolute\",\"parameters\":{\"id\":-5,\"qname\":"
         "\"a.\"}}",
         "out of range"},
        {"{\"method\":\"getBeforeAndAfterNamesAbsolute\",\"parameters\":{\"id\":2,\"qname\":"
         "\"not-a-hash.\"}}",
         "not an NSEC3 hash label"},
        {"{\"method\":\"setNotified\",\"parameters\":{\"id\":1,\"serial\":true}}",
         "'serial' must be a number"},
        {"{\"method\":\"setNotified\",\"parameters\":{\"id\":77,\"serial\":1}}", "no zone"},
        {"{\"method\":\"list\",\"parameters\":{\"zonename\":\"a..b\"}}", "not a domain name"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *j = fx_call(f, cases[i].line);
        fx_assert_error(j, cases[i].needle);
        json_decref(j);
    }
    /* Unknown methods: a plain false, so PowerDNS treats them as not implemented. */
    json_t *j = fx_call(f, "{\"method\":\"addDomainKey\",\"parameters\":{}}");
    assert_true(json_is_false(fx_result(j)));
    assert_null(json_object_get(j, "log"));
    json_decref(j);
    /* Embedded NUL bytes, deep nesting and binary garbage are refused, not crashed on. */
    size_t n;
    char *r = sb_dispatch(f->store, "{\"method\":\"lookup\0\"}", 21, &n);
    assert_non_null(r);
    assert_non_null(strstr(r, "\"result\":false"));
    free(r);
    char deep[40001];
    memset(deep, '[', 20000);
    memset(deep + 20000, ']', 20000);
    deep[40000] = '\0';
    r = sb_dispatch(f->store, deep, 40000, &n);
    assert_non_null(r);
    assert_non_null(strstr(r, "\"result\":false"));
    free(r);
    unsigned char garbage[256];
    for (int i = 0; i < 256; i++)
        garbage[i] = (unsigned char)(i * 37 + 11);
    r = sb_dispatch(f->store, (const char *)garbage, sizeof garbage, &n);
    assert_non_null(r);
    assert_non_null(strstr(r, "\"result\":false"));
    free(r);
}

static void test_lookup_soa_any(void **state)
{
    fx *f = *state;
    json_t *j = fx_call(f, "{\"method\":\"lookup\",\"parameters\":{\"qtype\":\"SOA\",\"qname\":"
                           "\"example.com.\",\"zone-id\":-1}}");
    json_t *res = fx_result(j);
    assert_int_equal(json_array_size(res), 1);
    json_t *soa = json_array_get(res, 0);
    assert_string_equal(jstr(soa, "qtype"), "SOA");
    assert_string_equal(jstr(soa, "qname"), "example.com.");
    assert_string_equal(
        jstr(soa, "content"),
        "ns1.example.com. hostmaster.example.com. 2024010101 10800 3600 604800 3600");
    assert_int_equal(jint(soa, "ttl"), 3600);
    assert_int_equal(jint(soa, "auth"), 1);
    assert_int_equal(jint(soa, "domain_id"), 1);
    json_decref(j);
    /* ANY at the apex holds every RRset, SOA included; case is PowerDNS's own. */
    j = fx_call(f, "{\"method\":\"lookup\",\"parameters\":{\"qtype\":\"ANY\",\"qname\":"
                   "\"Example.COM.\",\"zone-id\":1}}");
    res = fx_result(j);
    assert_int_equal(json_array_size(res), 3);
    assert_non_null(find_type(res, "SOA"));
    assert_string_equal(jstr(find_type(res, "NS"), "qname"), "Example.COM.");
    json_decref(j);
    /* A name in no zone of ours, or a zone-id that is not ours: nothing. */
    j = fx_call(f, "{\"method\":\"lookup\",\"parameters\":{\"qtype\":\"ANY\",\"qname\":"
                   "\"www.example.org.\",\"zone-id\":-1}}");
    assert_int_equal(json_array_size(fx_result(j)), 0);
    json_decref(j);
    j = fx_call(f, "{\"method\":\"lookup\",\"parameters\":{\"qtype\":\"ANY\",\"qname\":"
                   "\"www.example.com.\",\"zone-id\":2}}");
    assert_int_equal(json_array_size(fx_result(j)), 0);
    json_decref(j);
    j = fx_call(f, "{\"method\":\"lookup\",\"parameters\":{\"qtype\":\"MX\",\"qname\":"
                   "\"mail.example.com\"}}");
    assert_string_equal(jstr(json_array_get(fx_result(j), 0), "content"), "10 mail.example.com.");
    json_decref(j);
}

static void test_lookup_delegation_glue_ent(void **state)
{
    fx *f = *state;
    json_t *j = fx_call(f, "{\"method\":\"lookup\",\"parameters\":{\"qtype\":\"ANY\",\"qname\":"
                           "\"sub.example.com.\",\"zone-id\":1}}");
    json_t *res = fx_result(j);
    assert_int_equal(json_array_size(res), 2);
    assert_int_equal(jint(find_type(res, "NS"), "auth"), 0);
    assert_int_equal(jint(find_type(res, "DS"), "auth"), 1);
    json_decref(j);
    j = fx_call(f, "{\"method\":\"lookup\",\"parameters\":{\"qtype\":\"A\",\"qname\":"
                   "\"ns.sub.example.com.\",\"zone-id\":1}}");
    assert_int_equal(jint(json_array_get(fx_result(j), 0), "auth"), 0);
    json_decref(j);
    /* b.example.com. exists only as the parent of a.b: an ENT marker for ANY. */
    j = fx_call(f, "{\"method\":\"lookup\",\"parameters\":{\"qtype\":\"ANY\",\"qname\":"
                   "\"b.example.com.\",\"zone-id\":-1}}");
    res = fx_result(j);
    assert_int_equal(json_array_size(res), 1);
    assert_string_equal(jstr(json_array_get(res, 0), "qtype"), "ENT");
    assert_string_equal(jstr(json_array_get(res, 0), "content"), "");
    assert_int_equal(jint(json_array_get(res, 0), "auth"), 1);
    json_decref(j);
    j = fx_call(f, "{\"method\":\"lookup\",\"parameters\":{\"qtype\":\"A\",\"qname\":"
                   "\"b.example.com.\",\"zone-id\":-1}}");
    assert_int_equal(json_array_size(fx_result(j)), 0);
    json_decref(j);
    /* Names PowerDNS may send that the keystore cannot hold: empty answer, no error. */
    j = fx_call(f, "{\"method\":\"lookup\",\"parameters\":{\"qtype\":\"A\",\"qname\":"
                   "\"we\\\\032ird.example.com.\",\"zone-id\":-1}}");
    assert_true(json_is_array(fx_result(j)));
    json_decref(j);
    j = fx_call(f, "{\"method\":\"lookup\",\"parameters\":{\"qtype\":\"A\",\"qname\":"
                   "\"a\\u0000b.example.com.\"}}");
    fx_assert_error(j, "malformed JSON"); /* jansson refuses NUL inside strings */
    json_decref(j);
}

static void test_keys_only_zone(void **state)
{
    fx *f = *state;
    json_t *j = fx_call(f, "{\"method\":\"lookup\",\"parameters\":{\"qtype\":\"ANY\",\"qname\":"
                           "\"keys.test.\",\"zone-id\":-1}}");
    assert_int_equal(json_array_size(fx_result(j)), 0);
    json_decref(j);
    j = fx_call(f, "{\"method\":\"getDomainInfo\",\"parameters\":{\"name\":\"keys.test.\"}}");
    assert_true(json_is_false(fx_result(j)));
    json_decref(j);
    j = fx_call(f, "{\"method\":\"getDomainKeys\",\"parameters\":{\"name\":\"keys.test.\"}}");
    assert_int_equal(json_array_size(fx_result(j)), 1);
    json_decref(j);
    j = fx_call(f,
                "{\"method\":\"getAllDomainMetadata\",\"parameters\":{\"name\":\"keys.test.\"}}");
    assert_non_null(json_object_get(fx_result(j), "PRESIGNED"));
    /* Its records live in another backend: only PowerDNS's own CDS can exist. */
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(fx_result(j), "PUBLISH-CDS"), 0)), "2");
    json_decref(j);
    j = fx_call(f, "{\"method\":\"list\",\"parameters\":{\"zonename\":\"keys.test.\","
                   "\"domain_id\":3}}");
    assert_true(json_is_false(fx_result(j)));
    json_decref(j);
}

static void test_list(void **state)
{
    json_t *j = fx_call(*state, "{\"method\":\"list\",\"parameters\":{\"zonename\":"
                                "\"example.com.\",\"domain_id\":1,\"include_disabled\":false}}");
    json_t *res = fx_result(j);
    /* 10 records and the 2 empty non-terminals, as gsql lists its ENT rows: an AXFR with
     * disable-axfr-rectify=yes needs them (issue 18). */
    assert_int_equal(json_array_size(res), 12);
    size_t i, ents = 0;
    json_t *r;
    json_array_foreach(res, i, r)
    {
        const char *name = jstr(r, "qname");
        if (strcmp(jstr(r, "qtype"), "ENT") == 0) {
            assert_true(strcmp(name, "b.example.com.") == 0 ||
                        strcmp(name, "wild.example.com.") == 0);
            assert_string_equal(jstr(r, "content"), "");
            ents++;
        }
        int want =
            !(strcmp(name, "ns.sub.example.com.") == 0 ||
              (strcmp(name, "sub.example.com.") == 0 && strcmp(jstr(r, "qtype"), "NS") == 0));
        assert_int_equal(jint(r, "auth"), want);
        assert_int_equal(jint(r, "domain_id"), 1);
    }
    json_decref(j);
    /* The name decides when domain_id is -1; a mismatch is not ours. */
    assert_int_equal(ents, 2);
    j = fx_call(*state, "{\"method\":\"list\",\"parameters\":{\"zonename\":\"example.\","
                        "\"domain_id\":-1}}");
    /* RFC 5155's zone: its ENTs w and y.w are in the NSEC3 chain (auth 1). */
    assert_int_equal(json_array_size(fx_result(j)), 22);
    ents = 0;
    json_array_foreach(fx_result(j), i, r)
    {
        if (strcmp(jstr(r, "qtype"), "ENT") == 0) {
            assert_true(strcmp(jstr(r, "qname"), "w.example.") == 0 ||
                        strcmp(jstr(r, "qname"), "y.w.example.") == 0);
            assert_int_equal(jint(r, "auth"), 1);
            ents++;
        }
    }
    assert_int_equal(ents, 2);
    json_decref(j);
    j = fx_call(*state, "{\"method\":\"list\",\"parameters\":{\"zonename\":\"example.\","
                        "\"domain_id\":1}}");
    assert_true(json_is_false(fx_result(j)));
    json_decref(j);
}

static void test_domains(void **state)
{
    fx *f = *state;
    json_t *j =
        fx_call(f, "{\"method\":\"getDomainInfo\",\"parameters\":{\"name\":\"EXAMPLE.com\"}}");
    json_t *d = fx_result(j);
    assert_int_equal(jint(d, "id"), 1);
    assert_string_equal(jstr(d, "zone"), "example.com.");
    assert_string_equal(jstr(d, "kind"), "master");
    assert_int_equal(json_integer_value(json_object_get(d, "serial")), 2024010101);
    json_decref(j);
    j = fx_call(f, "{\"method\":\"getDomainInfo\",\"parameters\":{\"name\":\"nope.\"}}");
    assert_true(json_is_false(fx_result(j)));
    json_decref(j);
    j = fx_call(f, "{\"method\":\"getAllDomains\",\"parameters\":{\"include_disabled\":false}}");
    assert_int_equal(json_array_size(fx_result(j)), 2); /* keys.test. belongs to bind */
    json_decref(j);
    /* NOTIFY bookkeeping: the master zone is due until setNotified records its serial. */
    j = fx_call(f, "{\"method\":\"getUpdatedMasters\",\"parameters\":{}}");
    assert_int_equal(json_array_size(fx_result(j)), 1);
    assert_int_equal(jint(json_array_get(fx_result(j), 0), "id"), 1);
    json_decref(j);
    j = fx_call(f,
                "{\"method\":\"setNotified\",\"parameters\":{\"id\":1.0,\"serial\":2024010101}}");
    assert_true(json_is_true(fx_result(j)));
    json_decref(j);
    j = fx_call(f, "{\"method\":\"getUpdatedMasters\",\"parameters\":{}}");
    assert_int_equal(json_array_size(fx_result(j)), 0);
    json_decref(j);
    fx_exec(f->writer,
            "UPDATE records SET content = 'ns1.example.com. hostmaster.example.com. "
            "2024010102 10800 3600 604800 3600' WHERE content LIKE 'ns1.example.com. %'");
    j = fx_call(f, "{\"method\":\"getUpdatedMasters\"}");
    assert_int_equal(json_array_size(fx_result(j)), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(fx_result(j), 0), "serial")),
                     2024010102);
    assert_int_equal(
        json_integer_value(json_object_get(json_array_get(fx_result(j), 0), "notified_serial")),
        2024010101);
    json_decref(j);
}

static void test_metadata(void **state)
{
    fx *f = *state;
    json_t *j = fx_call(f, "{\"method\":\"getAllDomainMetadata\",\"parameters\":{\"name\":"
                           "\"example.com.\"}}");
    json_t *m = fx_result(j);
    assert_string_equal(json_string_value(json_array_get(json_object_get(m, "PRESIGNED"), 0)), "0");
    assert_string_equal(json_string_value(json_array_get(json_object_get(m, "SOA-EDIT"), 0)),
                        "INCEPTION-INCREMENT");
    /* CDS/CDNSKEY are the zone's own records (test_backend_cds.c), not PowerDNS's. */
    assert_null(json_object_get(m, "PUBLISH-CDS"));
    assert_null(json_object_get(m, "PUBLISH-CDNSKEY"));
    assert_null(json_object_get(m, "NSEC3PARAM"));
    json_decref(j);
    j = fx_call(f, "{\"method\":\"getDomainMetadata\",\"parameters\":{\"name\":\"example.\","
                   "\"kind\":\"NSEC3PARAM\"}}");
    assert_string_equal(json_string_value(json_array_get(fx_result(j), 0)), "1 1 12 aabbccdd");
    json_decref(j);
    j = fx_call(f, "{\"method\":\"getDomainMetadata\",\"parameters\":{\"name\":\"example.\","
                   "\"kind\":\"PUBLISH-CDS\"}}");
    assert_int_equal(json_array_size(fx_result(j)), 0); /* cds = 0 in its policy */
    json_decref(j);
    j = fx_call(f, "{\"method\":\"getDomainMetadata\",\"parameters\":{\"name\":\"example.\","
                   "\"kind\":\"ALSO-NOTIFY\"}}");
    assert_int_equal(json_array_size(fx_result(j)), 0);
    json_decref(j);
    j = fx_call(f, "{\"method\":\"getAllDomainMetadata\",\"parameters\":{\"name\":\"nope.\"}}");
    assert_true(json_is_false(fx_result(j)));
    json_decref(j);
    /* Without keys the zone is unsigned: no NSEC3PARAM, no CDS. */
    fx_exec(f->writer,
            "UPDATE keys SET state = 'removed', sealed_private = NULL WHERE zone_id = 2");
    j = fx_call(f, "{\"method\":\"getAllDomainMetadata\",\"parameters\":{\"name\":\"example.\"}}");
    assert_null(json_object_get(fx_result(j), "NSEC3PARAM"));
    json_decref(j);
}

static void test_keys(void **state)
{
    fx *f = *state;
    json_t *j =
        fx_call(f, "{\"method\":\"getDomainKeys\",\"parameters\":{\"name\":\"example.com.\"}}");
    json_t *res = fx_result(j);
    assert_int_equal(json_array_size(res), 3); /* the removed key is gone */
    json_t *k0 = json_array_get(res, 0), *k2 = json_array_get(res, 2);
    assert_int_equal(jint(k0, "flags"), 257);
    assert_true(json_is_true(json_object_get(k0, "active")));
    assert_true(json_is_true(json_object_get(k0, "published")));
    assert_string_equal(jstr(k0, "content"), FX_KSK_TEXT);
    assert_true(json_is_false(json_object_get(k2, "active")));
    assert_true(json_is_true(json_object_get(k2, "published")));
    json_decref(j);
    /* A blob moved to another key row does not open: an error, never a wrong key. */
    fx_exec(f->writer, "UPDATE keys SET sealed_private = (SELECT sealed_private FROM keys WHERE "
                       "kid = 'kid-zsk') WHERE kid = 'kid-ksk'");
    j = fx_call(f, "{\"method\":\"getDomainKeys\",\"parameters\":{\"name\":\"example.com.\"}}");
    fx_assert_error(j, "getDomainKeys");
    json_decref(j);
    j = fx_call(f, "{\"method\":\"getDomainKeys\",\"parameters\":{\"name\":\"nope.\"}}");
    assert_true(json_is_false(fx_result(j)));
    json_decref(j);
}

static void test_change_seen(void **state)
{
    fx *f = *state;
    json_t *j = fx_call(f, "{\"method\":\"lookup\",\"parameters\":{\"qtype\":\"A\",\"qname\":"
                           "\"new.example.com.\"}}");
    assert_int_equal(json_array_size(fx_result(j)), 0);
    json_decref(j);
    fx_rr(f->writer, 1, "new.example.com.", "A", 60, "192.0.2.77");
    j = fx_call(f, "{\"method\":\"lookup\",\"parameters\":{\"qtype\":\"A\",\"qname\":"
                   "\"new.example.com.\"}}");
    assert_int_equal(json_array_size(fx_result(j)), 1);
    json_decref(j);
    /* The NSEC chain follows too. */
    j = fx_call(f, "{\"method\":\"getBeforeAndAfterNamesAbsolute\",\"parameters\":{\"id\":1,"
                   "\"qname\":\"new.\"}}");
    assert_string_equal(jstr(fx_result(j), "before"), "new");
    json_decref(j);
    fx_exec(f->writer, "UPDATE keys SET state = 'retired' WHERE kid = 'kid-zsk'");
    j = fx_call(f, "{\"method\":\"getDomainKeys\",\"parameters\":{\"name\":\"example.com.\"}}");
    assert_true(json_is_false(json_object_get(json_array_get(fx_result(j), 1), "active")));
    json_decref(j);
    fx_exec(f->writer, "INSERT INTO zones(id, public_id, name, created_at, updated_at) VALUES "
                       "(9, 'd_0000000000000009', 'late.test.', 0, 0)");
    j = fx_call(f, "{\"method\":\"getDomainInfo\",\"parameters\":{\"name\":\"late.test.\"}}");
    assert_int_equal(jint(fx_result(j), "id"), 9);
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_initialize, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_bad_requests, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_lookup_soa_any, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_lookup_delegation_glue_ent, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_keys_only_zone, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_list, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_domains, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_metadata, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_keys, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_change_seen, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
