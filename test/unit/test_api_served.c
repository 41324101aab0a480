/* test_api_served.c - lifecycle/served*.c without a DNS server: auth-servers parsing and the config
 * check, the servers taken from the NS set (addresses from the keystore), what the keystore
 * expects (published keys, SOA serial, soa-edit), the comparison of one server's answers
 * (agrees, missing / stale / unknown keys, serial, error), and the gate against a server that
 * does not answer: held, one "waiting" row however many passes. */
#include "th.h"

#include "lifecycle/served.h"
#include "api/webhook.h"

static void test_parse_server(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } good[] = {
        {"192.0.2.1", "192.0.2.1:53"},
        {"192.0.2.1:5300", "192.0.2.1:5300"},
        {"2001:db8::1", "[2001:db8::1]:53"},
        {"[2001:db8::1]:5300", "[2001:db8::1]:5300"},
        {"[::1]", "[::1]:53"},
    };
    static const char *const bad[] = {
        "",     ":53",    "ns1.example.net", "192.0.2.1:0", "192.0.2.1:65536", "192.0.2.1:x",
        "[::1", "[::1]x", "[192.0.2.1:53",   "300.0.2.1",   "192.0.2.1:"};
    char out[80];
    sd_err e;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        th_assert_ok(sd_served_parse_server(good[i].in, out, sizeof out, &e), e);
        assert_string_equal(out, good[i].out);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (sd_served_parse_server(bad[i], out, sizeof out, &e) == 0)
            fail_msg("'%s' was accepted as %s", bad[i], out);
        assert_int_equal(e.code, SD_EBADINPUT);
    }
}

static void test_config(void **state)
{
    th_env *t = *state;
    sd_err e;
    assert_string_equal(t->cfg.served_check, "auto");
    assert_false(sd_served_on(&t->cfg)); /* auto without auth-servers: off */
    th_assert_ok(sd_served_check_config(&t->cfg, &e), e);
    th_assert_ok(sd_config_set(&t->cfg, "auth-servers", "127.0.0.1:5300, [::1]:5301", &e), e);
    assert_true(sd_served_on(&t->cfg));
    th_assert_ok(sd_served_check_config(&t->cfg, &e), e);
    th_assert_ok(sd_config_set(&t->cfg, "served-check", "no", &e), e);
    assert_false(sd_served_on(&t->cfg));
    th_assert_ok(sd_config_set(&t->cfg, "served-check", "maybe", &e), e);
    assert_true(sd_served_check_config(&t->cfg, &e) < 0);
    assert_non_null(strstr(e.msg, "served-check must be auto, yes or no"));
    th_assert_ok(sd_config_set(&t->cfg, "served-check", "yes", &e), e);
    th_assert_ok(sd_config_set(&t->cfg, "auth-servers", "", &e), e);
    assert_true(sd_served_on(&t->cfg)); /* yes: the NS set */
    th_assert_ok(sd_config_set(&t->cfg, "auth-servers", "127.0.0.1,ns1.example.net", &e), e);
    assert_true(sd_served_check_config(&t->cfg, &e) < 0);
    assert_non_null(strstr(e.msg, "ns1.example.net"));
}

/* The NS names' addresses come from the keystore (another zone holds them here). */
static void test_servers_from_ns(void **state)
{
    th_env *t = *state;
    sd_zone z, net;
    sd_err e;
    json_t *servers, *unresolved;
    th_zone(t, "example.com", &z);
    th_zone(t, "example.net", &net);
    const char *a[] = {"192.0.2.1"}, *aaaa[] = {"2001:db8::2"};
    th_assert_ok(sd_rrset_put(t->db, &net, "ns1", "A", 300, a, 1, 0, &e), e);
    th_assert_ok(sd_rrset_put(t->db, &net, "ns2", "AAAA", 300, aaaa, 1, 0, &e), e);
    th_assert_ok(sd_served_servers(t->db, &t->cfg, &z, &servers, &unresolved, &e), e);
    char *s = json_dumps(servers, JSON_COMPACT);
    assert_string_equal(s, "[\"192.0.2.1:53\",\"[2001:db8::2]:53\"]");
    free(s);
    assert_int_equal(json_array_size(unresolved), 0);
    json_decref(servers);
    json_decref(unresolved);
    /* auth-servers, when set, replaces the NS set. */
    th_assert_ok(sd_config_set(&t->cfg, "auth-servers", "127.0.0.1:5300 192.0.2.9", &e), e);
    th_assert_ok(sd_served_servers(t->db, &t->cfg, &z, &servers, &unresolved, &e), e);
    s = json_dumps(servers, JSON_COMPACT);
    assert_string_equal(s, "[\"127.0.0.1:5300\",\"192.0.2.9:53\"]");
    free(s);
    json_decref(servers);
    json_decref(unresolved);
}

/* An answer that serves exactly what expected/keys say. */
static json_t *answer_like(const json_t *expected, const json_t *keys)
{
    json_t *dnskey = json_array(), *k;
    size_t i;
    json_array_foreach(keys, i, k)
    {
        if (json_is_true(json_object_get(k, "published")))
            json_array_append_new(dnskey,
                                  json_pack("{s:O, s:O}", "key_tag", json_object_get(k, "key_tag"),
                                            "rdata", json_object_get(k, "rdata")));
    }
    return json_pack("{s:s, s:o, s:O, s:[]}", "server", "192.0.2.1:53", "dnskey", dnskey,
                     "soa_serial", json_object_get(expected, "soa_serial"), "cds");
}

/* The string array member name of o, compact ("" when absent). */
static char *member(const json_t *o, const char *name)
{
    json_t *v = json_object_get(o, name);
    return v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("");
}

static void assert_member(const json_t *o, const char *name, const char *want)
{
    char *got = member(o, name);
    if (strcmp(got, want) != 0)
        fail_msg("%s is %s, not %s", name, got, want);
    free(got);
}

static void test_expected_and_compare(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    json_t *expected, *keys;
    th_zone(t, "example.org", &z);
    th_assert_ok(sd_dnssec_enable(&t->ctx, &z, 13, &e), e);
    th_assert_ok(sd_served_expected(t->db, &t->cfg, &z, &expected, &keys, &e), e);
    assert_int_equal(json_array_size(json_object_get(expected, "dnskey")), 2);
    assert_true(json_integer_value(json_object_get(expected, "soa_serial")) > 0);
    /* The KSK is not ready for the parent yet: no CDS expected, and that is checked. */
    assert_member(expected, "cds", "[]");
    assert_null(json_object_get(json_object_get(expected, "unchecked"), "cds"));

    /* Exactly what the keystore says: agrees. */
    json_t *ans = answer_like(expected, keys), *o = sd_served_compare(ans, expected, keys, 0);
    assert_true(json_is_true(json_object_get(o, "agrees")));
    assert_null(json_object_get(o, "differs"));
    json_decref(o);

    /* A published key missing and a wrong serial. */
    json_t *first = json_array_get(json_object_get(ans, "dnskey"), 0);
    json_int_t tag = json_integer_value(json_object_get(first, "key_tag"));
    char want[32];
    snprintf(want, sizeof want, "[%lld]", (long long)tag);
    json_t *saved = json_deep_copy(first);
    json_array_remove(json_object_get(ans, "dnskey"), 0);
    json_object_set_new(ans, "soa_serial", json_integer(1));
    o = sd_served_compare(ans, expected, keys, 0);
    assert_false(json_is_true(json_object_get(o, "agrees")));
    assert_member(o, "differs", "[\"dnskey\",\"soa_serial\"]");
    assert_member(o, "missing", want);
    json_decref(o);

    /* The key back, and one the keystore no longer publishes (removed): stale. */
    json_array_append(json_object_get(ans, "dnskey"), saved);
    json_object_set(ans, "soa_serial", json_object_get(expected, "soa_serial"));
    json_t *old = json_deep_copy(saved);
    json_object_set_new(old, "rdata", json_string("0100030d00"));
    json_object_set_new(old, "key_tag", json_integer(4242));
    json_array_append(json_object_get(ans, "dnskey"), old);
    json_t *keys2 = json_deep_copy(keys);
    json_array_append_new(keys2, json_pack("{s:i, s:s, s:b}", "key_tag", 4242, "rdata",
                                           "0100030d00", "published", 0));
    o = sd_served_compare(ans, expected, keys2, 0);
    assert_member(o, "differs", "[\"dnskey\"]");
    assert_member(o, "stale", "[4242]");
    json_decref(o);

    /* A CDS the keystore does not expect (e.g. a stale server's old KSK). */
    json_t *cds = json_object_get(ans, "cds");
    json_array_append_new(cds, json_string("4242 13 2 AB12"));
    o = sd_served_compare(ans, expected, keys2, 0);
    assert_member(o, "differs", "[\"dnskey\",\"cds\"]");
    json_decref(o);
    json_array_clear(cds);

    /* A key the keystore never had: a difference, in a keys-only zone too (keys in two
     * places: the record backend's own), which says where it probably came from. */
    o = sd_served_compare(ans, expected, keys, 0);
    assert_member(o, "unknown", "[4242]");
    assert_false(json_is_true(json_object_get(o, "agrees")));
    assert_null(json_object_get(o, "unknown_origin"));
    json_decref(o);
    o = sd_served_compare(ans, expected, keys, 1);
    assert_false(json_is_true(json_object_get(o, "agrees")));
    assert_member(o, "unknown", "[4242]");
    assert_non_null(strstr(json_string_value(json_object_get(o, "unknown_origin")), "pdnsutil"));
    json_decref(o);

    /* No answer never agrees. */
    json_t *err = json_pack("{s:s, s:s}", "server", "192.0.2.1:53", "error", "timeout");
    o = sd_served_compare(err, expected, keys, 0);
    assert_false(json_is_true(json_object_get(o, "agrees")));
    assert_member(o, "error", "\"timeout\"");
    json_decref(o);
    json_decref(err);

    /* A keys-only zone: PowerDNS makes its own CDS, not checked. */
    sd_zone ko = z;
    ko.keys_only = 1;
    json_t *cds_ko = sd_served_expected_cds(t->db, &t->cfg, &ko);
    assert_null(cds_ko);

    /* soa-edit: the serial is not checked (PowerDNS serves its own). */
    json_decref(expected);
    json_decref(keys);
    th_assert_ok(sd_config_set(&t->cfg, "soa-edit", "INCEPTION-EPOCH", &e), e);
    th_assert_ok(sd_served_expected(t->db, &t->cfg, &z, &expected, &keys, &e), e);
    assert_true(json_is_null(json_object_get(expected, "soa_serial")));
    assert_non_null(json_object_get(json_object_get(expected, "unchecked"), "soa_serial"));
    json_object_set_new(ans, "soa_serial", json_integer(1));
    json_array_remove(json_object_get(ans, "dnskey"), 2);
    o = sd_served_compare(ans, expected, keys, 0);
    assert_true(json_is_true(json_object_get(o, "agrees")));
    json_decref(o);

    json_decref(old);
    json_decref(saved);
    json_decref(keys2);
    json_decref(ans);
    json_decref(expected);
    json_decref(keys);
}

/* A server that does not answer (nothing listens on 127.0.0.1:1): the steps are held, and
 * passes that see the same answers add no row. The waiting row becomes a rollover_held event. */
static void test_gate_held(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    th_zone(t, "example.org", &z);
    th_assert_ok(sd_dnssec_enable(&t->ctx, &z, 13, &e), e);
    th_assert_ok(sd_config_set(&t->cfg, "auth-servers", "127.0.0.1:1", &e), e);
    th_assert_ok(sd_config_set(&t->cfg, "webhook-url", "http://127.0.0.1:1/hook", &e), e);
    for (int pass = 0; pass < 3; pass++)
        assert_int_equal(sd_served_gate(t->db, &t->cfg, &t->policy, &z, TH_NOW + pass, NULL, &e),
                         0);
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM audit WHERE action = 'served-check'"), 1);
    char *outcome = th_text(t->db, "SELECT outcome || ' ' || actor || ' ' || "
                                   "json_extract(detail, '$.servers[0].server') || ' ' || "
                                   "json_extract(detail, '$.agree') FROM audit WHERE action = "
                                   "'served-check'");
    assert_string_equal(outcome, "waiting scheduler 127.0.0.1:1 0");
    free(outcome);
    assert_int_equal(api_webhook_from_audit(t->db, &t->cfg, 0), 1);
    char *ev = th_text(t->db, "SELECT event FROM webhook_outbox");
    assert_string_equal(ev, "rollover_held");
    free(ev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_server),
        cmocka_unit_test_setup_teardown(test_config, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_servers_from_ns, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_expected_and_compare, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_gate_held, th_setup, th_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
