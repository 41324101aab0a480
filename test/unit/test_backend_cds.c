/* test_backend_cds.c - the CDS and CDNSKEY records scaidns-backend serves at a zone's apex:
 * only the KSKs the parent should trust, the RFC 8078 DELETE pair while the zone goes insecure,
 * none when the policy publishes none; in lookup and in list (AXFR) alike. */
#include "test_backend_fixture.h"

#include <regex.h>

/* Two well-formed P-256 public keys (64 bytes each). */
#define K1                                                                                         \
    "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5Ojs8PT4/QA=="
#define K2                                                                                         \
    "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVpbXF1eX2BhYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ent8fX5/gA=="

/* lookup of qtype at example.com.'s apex, as an array (new reference). */
static json_t *apex(fx *f, const char *qtype)
{
    char line[200];
    snprintf(line, sizeof line,
             "{\"method\":\"lookup\",\"parameters\":{\"qtype\":\"%s\",\"qname\":"
             "\"example.com.\",\"zone-id\":-1}}",
             qtype);
    json_t *j = fx_call(f, line);
    json_t *r = json_incref(fx_result(j));
    json_decref(j);
    return r;
}

/* The contents of records of type in arr, joined by '|'. */
static void contents(json_t *arr, const char *type, char *out, size_t len)
{
    size_t i;
    json_t *r;
    out[0] = '\0';
    json_array_foreach(arr, i, r)
    {
        if (strcmp(json_string_value(json_object_get(r, "qtype")), type) != 0)
            continue;
        size_t used = strlen(out);
        snprintf(out + used, len - used, "%s%s", used ? "|" : "",
                 json_string_value(json_object_get(r, "content")));
        assert_int_equal(json_integer_value(json_object_get(r, "ttl")), 3600); /* SOA minimum */
    }
}

/* Whether text matches the extended regular expression re. */
static int matches(const char *text, const char *re)
{
    regex_t rx;
    assert_int_equal(regcomp(&rx, re, REG_EXTENDED | REG_NOSUB), 0);
    int ok = regexec(&rx, text, 0, NULL, 0) == 0;
    regfree(&rx);
    return ok;
}

/* fx_setup, with a well-formed public key on example.com.'s KSK. */
static int setup(void **state)
{
    int rc = fx_setup(state);
    fx *f = *state;
    fx_exec(f->writer, "UPDATE keys SET public_key = '" K1 "' WHERE kid = 'kid-ksk'");
    return rc;
}

static void test_cds_names_ready_ksks_only(void **state)
{
    fx *f = *state;
    char c[1024];
    json_t *r = apex(f, "CDS"); /* the KSK's DNSKEY is not everywhere yet */
    assert_int_equal(json_array_size(r), 0);
    json_decref(r);
    /* A KSK whose DNSKEY cannot be built is never named, and the zone still answers. */
    fx_exec(f->writer, "UPDATE keys SET cds_at = 1, public_key = 'AAAA' WHERE kid = 'kid-ksk'");
    r = apex(f, "ANY");
    assert_true(json_array_size(r) >= 3);
    contents(r, "CDS", c, sizeof c);
    assert_string_equal(c, "");
    json_decref(r);
    fx_exec(f->writer,
            "UPDATE keys SET cds_at = NULL, public_key = '" K1 "' WHERE kid = 'kid-ksk'");
    fx_exec(f->writer, "UPDATE keys SET cds_at = 1 WHERE kid = 'kid-ksk'");
    r = apex(f, "CDNSKEY");
    contents(r, "CDNSKEY", c, sizeof c);
    assert_string_equal(c, "257 3 13 " K1);
    json_decref(r);
    r = apex(f, "CDS");
    contents(r, "CDS", c, sizeof c);
    assert_true(matches(c, "^[0-9]+ 13 2 [0-9A-F]{64}$"));
    json_decref(r);
    /* ANY holds them too, beside SOA and NS. */
    r = apex(f, "ANY");
    contents(r, "CDS", c, sizeof c);
    assert_true(matches(c, "^[0-9]+ 13 2 [0-9A-F]{64}$"));
    json_decref(r);
}

static void test_new_ksk_replaces_old_then_leaving_one_is_dropped(void **state)
{
    fx *f = *state;
    char c[1024];
    fx_exec(f->writer, "UPDATE keys SET cds_at = 1, ds_seen_at = 1 WHERE kid = 'kid-ksk'");
    fx_key(f, 1, "example.com.", "kid-ksk2", 257, "active", FX_KSK_TEXT);
    fx_exec(f->writer, "UPDATE keys SET public_key = '" K2 "' WHERE kid = 'kid-ksk2'");
    json_t *r = apex(f, "CDNSKEY"); /* new KSK not ready: the old one stays named */
    contents(r, "CDNSKEY", c, sizeof c);
    assert_string_equal(c, "257 3 13 " K1);
    json_decref(r);
    fx_exec(f->writer, "UPDATE keys SET cds_at = 2 WHERE kid = 'kid-ksk2'");
    r = apex(f, "CDNSKEY"); /* ready: the parent should move to it alone */
    contents(r, "CDNSKEY", c, sizeof c);
    assert_string_equal(c, "257 3 13 " K2);
    json_decref(r);
    fx_exec(f->writer, "UPDATE keys SET ds_seen_at = 3 WHERE kid = 'kid-ksk2'");
    fx_exec(f->writer, "UPDATE keys SET remove_at = 9 WHERE kid = 'kid-ksk'");
    r = apex(f, "CDNSKEY"); /* the old one is leaving: never named again */
    contents(r, "CDNSKEY", c, sizeof c);
    assert_string_equal(c, "257 3 13 " K2);
    json_decref(r);
}

static void test_digest_types_per_policy(void **state)
{
    fx *f = *state;
    char c[1024];
    fx_exec(f->writer, "UPDATE keys SET cds_at = 1 WHERE kid = 'kid-ksk'");
    fx_exec(f->writer, "INSERT INTO policies(zone_id, cds_digests) VALUES (1, 3)");
    json_t *r = apex(f, "CDS");
    contents(r, "CDS", c, sizeof c);
    assert_true(matches(c, "^[0-9]+ 13 2 [0-9A-F]{64}\\|[0-9]+ 13 4 [0-9A-F]{96}$"));
    json_decref(r);
    fx_exec(f->writer, "UPDATE policies SET cds = 0 WHERE zone_id = 1");
    r = apex(f, "ANY");
    contents(r, "CDS", c, sizeof c);
    assert_string_equal(c, "");
    contents(r, "CDNSKEY", c, sizeof c);
    assert_string_equal(c, "");
    json_decref(r);
}

static void test_delete_while_going_insecure(void **state)
{
    fx *f = *state;
    char c[1024];
    fx_exec(f->writer, "UPDATE keys SET cds_at = 1 WHERE kid = 'kid-ksk'");
    fx_exec(f->writer, "UPDATE zones SET insecure_at = 5 WHERE id = 1");
    json_t *r = apex(f, "ANY");
    contents(r, "CDS", c, sizeof c);
    assert_string_equal(c, "0 0 0 00");
    contents(r, "CDNSKEY", c, sizeof c);
    assert_string_equal(c, "0 3 0 AA==");
    json_decref(r);
    /* AXFR carries the same. */
    json_t *j = fx_call(f, "{\"method\":\"list\",\"parameters\":{\"zonename\":\"example.com.\","
                           "\"domain_id\":1}}");
    contents(fx_result(j), "CDS", c, sizeof c);
    assert_string_equal(c, "0 0 0 00");
    json_decref(j);
    /* Once the keys are gone the zone is unsigned: no DELETE either. */
    fx_exec(f->writer, "UPDATE keys SET state = 'removed', sealed_private = NULL");
    r = apex(f, "ANY");
    contents(r, "CDS", c, sizeof c);
    assert_string_equal(c, "");
    json_decref(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cds_names_ready_ksks_only, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_new_ksk_replaces_old_then_leaving_one_is_dropped,
                                        setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_digest_types_per_policy, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_delete_while_going_insecure, setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
