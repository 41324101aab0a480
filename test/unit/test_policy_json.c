/* test_policy_json.c - PUT/GET of a zone's policy: validation and persistence. */
#include "th.h"

#include "lifecycle/policy_json.h"

/* PUTs the JSON text for zone z; returns the result code and fills e. */
static int put(th_env *t, const sd_zone *z, const char *text, sd_policy *out, sd_err *e)
{
    json_error_t je;
    json_t *body = json_loads(text, 0, &je);
    assert_non_null(body);
    int rc = sd_policy_put(t->db, z->id, z->name, &t->policy, body, "test", TH_NOW, out, e);
    json_decref(body);
    return rc;
}

static void test_defaults_are_valid(void **state)
{
    th_env *t = *state;
    sd_zone_ttls ttls = {3600, 3600, 3600};
    sd_err e;
    assert_int_equal(sd_policy_check(&t->policy, &ttls, &e), 0);
    json_t *j = sd_policy_json(&t->policy);
    assert_int_equal(json_integer_value(json_object_get(j, "zsk_lifetime")), 30 * 86400);
    assert_true(json_is_null(json_object_get(j, "nsec3")));
    assert_true(json_is_true(json_object_get(j, "cds")));
    json_decref(j);
}

static void test_put_overrides_and_load(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    sd_policy p, loaded;
    th_zone(t, "example.com", &z);
    assert_int_equal(put(t, &z,
                         "{\"dnskey_ttl\": 600, \"nsec3\": {\"iterations\": 0, \"salt\": \"ab\", "
                         "\"optout\": true}, \"cds\": false}",
                         &p, &e),
                     0);
    assert_int_equal(sd_policy_load(t->db, z.id, &t->policy, &loaded, &e), 0);
    assert_int_equal(loaded.dnskey_ttl, 600);
    assert_int_equal(loaded.nsec3, 1);
    assert_int_equal(loaded.nsec3_optout, 1);
    assert_string_equal(loaded.nsec3_salt, "ab");
    assert_int_equal(loaded.cds, 0);
    assert_int_equal(loaded.zsk_lifetime, t->policy.zsk_lifetime); /* left out: default */
    /* A second PUT replaces: dnskey_ttl goes back to the default. */
    assert_int_equal(put(t, &z, "{\"cds\": true}", &p, &e), 0);
    assert_int_equal(sd_policy_load(t->db, z.id, &t->policy, &loaded, &e), 0);
    assert_int_equal(loaded.dnskey_ttl, t->policy.dnskey_ttl);
    assert_int_equal(loaded.nsec3, 0);
}

static void test_bad_policies_change_nothing(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    sd_policy p;
    th_zone(t, "example.org", &z);
    char *before = th_snapshot(t->db, 1);
    static const char *const bad[][2] = {
        {"{\"zsk_lifetime\": 3600}", "too short"},
        {"{\"ksk_lifetime\": 86400}", "too short"},
        {"{\"dnskey_ttl\": \"3600\"}", "whole number"},
        {"{\"dnskey_ttl\": 0}", "between"},
        {"{\"algorithm\": 7}", "unsupported algorithm"},
        {"{\"ksk_bits\": 1024}", "2048"},
        {"{\"nsec3\": {\"iterations\": 500}}", "iterations"},
        {"{\"nsec3\": {\"salt\": \"xyz\"}}", "hex"},
        {"{\"nsec3\": {\"salt\": \"abc\"}}", "even"},
        {"{\"nsec3\": {\"color\": 1}}", "unknown field"},
        {"{\"nsec3\": 3}", "object or null"},
        {"{\"cds\": 1}", "true or false"},
        {"{\"bogus\": 1}", "unknown policy field"},
        {"[]", "JSON object"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_true(put(t, &z, bad[i][0], &p, &e) < 0);
        assert_int_equal(e.code, 400);
        if (!strstr(e.msg, bad[i][1]))
            fail_msg("%s: message '%s' lacks '%s'", bad[i][0], e.msg, bad[i][1]);
    }
    char *after = th_snapshot(t->db, 1);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

/* The check counts the TTLs the zone really serves: a long SOA minimum makes a short ZSK
 * lifetime too short. */
static void test_check_uses_zone_ttls(void **state)
{
    th_env *t = *state;
    sd_policy p = t->policy;
    sd_err e;
    p.zsk_lifetime = 8 * 3600;
    sd_zone_ttls small = {300, 300, 300}, big = {86400, 3600, 3600};
    assert_int_equal(sd_policy_check(&p, &small, &e), 0);
    assert_true(sd_policy_check(&p, &big, &e) < 0);
    assert_non_null(strstr(e.msg, "zsk_lifetime"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_defaults_are_valid, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_put_overrides_and_load, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_bad_policies_change_nothing, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_check_uses_zone_ttls, th_setup, th_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
