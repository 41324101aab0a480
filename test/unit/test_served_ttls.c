/* test_served_ttls.c - lifecycle/served_ttls.c without a DNS server: a keys-only zone's waits
 * come from its stored served TTLs (merged into sd_zone_ttls_load, shown as evidence), a
 * full-mode zone passes the gate at once, and a keys-only zone whose PowerDNS does not answer
 * the transfer is held: one "served-ttls" waiting row however many passes, turned into a
 * rollover_held event, and no step taken. */
#include "th.h"

#include "api/webhook.h"
#include "lifecycle/engine.h"
#include "lifecycle/served_ttls.h"

/* Makes a keys-only zone named name. */
static void keys_only_zone(th_env *t, const char *name, sd_zone *z)
{
    sd_err e;
    sd_zone_init init = {
        .soa_rname = "hostmaster.example.net.", .ns = "ns1.example.net.", .keys_only = 1};
    th_assert_ok(sd_zone_create(t->db, name, &init, "test", TH_NOW, z, &e), e);
}

static void test_merge_and_evidence(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    sd_zone_ttls ttl;
    keys_only_zone(t, "ko.example", &z);
    th_assert_ok(sd_zone_ttls_load(t->db, z.id, &ttl, &e), e);
    assert_int_equal(ttl.soa_minimum, 0); /* nothing known yet: the keystore has no records */
    json_t *j = sd_zone_ttls_json(t->db, z.id, &ttl);
    assert_string_equal(json_string_value(json_object_get(j, "source")), "keystore");
    json_decref(j);
    th_exec(t->db,
            "INSERT INTO served_ttls (zone_id, soa_ttl, soa_minimum, negative_ttl, max_rrset_ttl, "
            "max_rrset, rrsets, server, learned_at) VALUES (%lld, 900, 600, 600, 86400, "
            "'big.ko.example. TXT', "
            "12, '127.0.0.1:53', %lld)",
            (long long)z.id, (long long)TH_NOW);
    th_assert_ok(sd_zone_ttls_load(t->db, z.id, &ttl, &e), e);
    assert_int_equal(ttl.soa_ttl, 900);
    assert_int_equal(ttl.soa_minimum, 600);
    assert_int_equal(ttl.max_rrset_ttl, 86400);
    /* The policy's DNSKEY TTL (3600 by default) is larger than 600: the policy counts. */
    assert_int_equal(sd_wait_dnskey_ttl(&t->policy, &ttl),
                     t->policy.dnskey_ttl > 600 ? t->policy.dnskey_ttl : 600);
    j = sd_zone_ttls_json(t->db, z.id, &ttl);
    assert_string_equal(json_string_value(json_object_get(j, "source")), "served");
    assert_int_equal(json_integer_value(json_object_get(j, "negative_ttl")), 600);
    json_t *served = json_object_get(j, "served");
    assert_string_equal(json_string_value(json_object_get(served, "max_rrset")),
                        "big.ko.example. TXT");
    assert_string_equal(json_string_value(json_object_get(served, "learned_at")),
                        "2026-04-23T10:00:00Z");
    json_decref(j);
    /* The waits of a rollover started now count the served TTLs. */
    th_assert_ok(sd_dnssec_enable(&t->ctx, &z, 13, &e), e);
    int64_t ds_at = th_int(t->db, "SELECT ds_publish_at FROM keys WHERE role = 'KSK'");
    assert_true(ds_at >= TH_NOW + 86400);
}

static void test_gate(void **state)
{
    th_env *t = *state;
    sd_zone full, ko;
    sd_err e;
    th_zone(t, "full.example", &full);
    keys_only_zone(t, "ko.example", &ko);
    th_assert_ok(sd_dnssec_enable(&t->ctx, &ko, 13, &e), e);
    th_assert_ok(sd_config_set(&t->cfg, "pdns-address", "127.0.0.1:1", &e), e);
    th_assert_ok(sd_config_set(&t->cfg, "webhook-url", "http://127.0.0.1:1/hook", &e), e);
    assert_int_equal(sd_served_ttls_gate(t->db, &t->cfg, &full, TH_NOW, NULL, &e), 1);
    sd_notes notes = {0};
    for (int pass = 0; pass < 3; pass++)
        assert_int_equal(sd_served_ttls_gate(t->db, &t->cfg, &ko, TH_NOW + pass, &notes, &e), 0);
    assert_int_equal(notes.n, 1); /* one warning, for the pass that first held the zone */
    assert_non_null(strstr(notes.v[0].text, "steps held"));
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM audit WHERE action = 'served-ttls'"), 1);
    char *row = th_text(t->db, "SELECT outcome || ' ' || actor || ' ' || "
                               "json_extract(detail, '$.server') FROM audit WHERE action = "
                               "'served-ttls'");
    assert_string_equal(row, "waiting scheduler 127.0.0.1:1");
    free(row);
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM served_ttls"), 0);
    assert_int_equal(api_webhook_from_audit(t->db, &t->cfg, 0), 1);
    char *ev = th_text(t->db, "SELECT event FROM webhook_outbox");
    assert_string_equal(ev, "rollover_held");
    free(ev);
    /* A bad pdns-address is a held step too, with the reason. */
    th_assert_ok(sd_config_set(&t->cfg, "pdns-address", "not-an-address", &e), e);
    assert_int_equal(sd_served_ttls_gate(t->db, &t->cfg, &ko, TH_NOW + 10, NULL, &e), 0);
    row = th_text(t->db, "SELECT json_extract(detail, '$.error') FROM audit WHERE action = "
                         "'served-ttls' ORDER BY id DESC LIMIT 1");
    assert_non_null(strstr(row, "not-an-address"));
    free(row);
}

/* Keys in two places: a DNSKEY PowerDNS serves that the keystore never had holds the steps
 * (one row per distinct set, a warning, a rollover_held event naming where it came from);
 * once it is gone an "ok" row lets them run. The keystore's own keys never hold. */
static void test_foreign_keys(void **state)
{
    th_env *t = *state;
    sd_zone ko;
    sd_err e;
    keys_only_zone(t, "ko.example", &ko);
    th_assert_ok(sd_dnssec_enable(&t->ctx, &ko, 13, &e), e);
    th_assert_ok(sd_config_set(&t->cfg, "webhook-url", "http://127.0.0.1:1/hook", &e), e);
    sd_axfr_ttls a = {0};
    a.dnskeys = 2;
    a.dnskey[0].tag = (uint16_t)th_int(t->db, "SELECT key_tag FROM keys WHERE role = 'KSK'");
    a.dnskey[0].flags = 257;
    a.dnskey[0].algorithm = 13;
    a.dnskey[1].tag = (uint16_t)th_int(t->db, "SELECT key_tag FROM keys WHERE role = 'ZSK'");
    a.dnskey[1].flags = 256;
    a.dnskey[1].algorithm = 13;
    assert_int_equal(sd_served_keys_gate(t->db, &t->cfg, &ko, &a, TH_NOW, NULL, &e), 1);
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM audit WHERE action = 'served-keys'"), 0);
    a.dnskeys = 3;
    a.dnskey[2].tag = (uint16_t)(a.dnskey[1].tag ^ 0x5a5a);
    a.dnskey[2].flags = 256;
    a.dnskey[2].algorithm = 13;
    sd_notes notes = {0};
    for (int pass = 0; pass < 3; pass++)
        assert_int_equal(sd_served_keys_gate(t->db, &t->cfg, &ko, &a, TH_NOW + pass, &notes, &e),
                         0);
    assert_int_equal(notes.n, 1);
    assert_non_null(strstr(notes.v[0].text, "did not publish"));
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM audit WHERE action = 'served-keys'"), 1);
    assert_int_equal(th_int(t->db,
                            "SELECT json_extract(detail, '$.foreign_keys[0].key_tag') FROM audit "
                            "WHERE action = 'served-keys'"),
                     a.dnskey[2].tag);
    char *origin = th_text(t->db, "SELECT json_extract(detail, '$.origin') FROM audit WHERE "
                                  "action = 'served-keys'");
    assert_non_null(strstr(origin, "pdnsutil"));
    free(origin);
    assert_int_equal(api_webhook_from_audit(t->db, &t->cfg, 0), 1);
    char *ev = th_text(t->db, "SELECT event || ' ' || json_extract(body, '$.message') FROM "
                              "webhook_outbox");
    assert_non_null(strstr(ev, "rollover_held"));
    assert_non_null(strstr(ev, "did not publish"));
    free(ev);
    a.dnskeys = 2; /* removed from the record backend */
    assert_int_equal(sd_served_keys_gate(t->db, &t->cfg, &ko, &a, TH_NOW + 5, NULL, &e), 1);
    char *last = th_text(t->db, "SELECT outcome FROM audit WHERE action = 'served-keys' ORDER "
                                "BY id DESC LIMIT 1");
    assert_string_equal(last, "ok");
    free(last);
}

/* A TTL lowered in the record backend still counts at its old value until the old value has
 * passed since the transfer that first showed it lower; a raised one counts at once. */
static void test_lowered_ttls_linger(void **state)
{
    th_env *t = *state;
    sd_zone ko;
    sd_err e;
    sd_zone_ttls ttl;
    keys_only_zone(t, "ko.example", &ko);
    sd_axfr_ttls a = {.soa_ttl = 900, .soa_minimum = 600, .max_rrset_ttl = 86400, .rrs = 5};
    snprintf(a.max_rrset, sizeof a.max_rrset, "big.ko.example. TXT");
    th_assert_ok(sd_served_ttls_store(t->db, &ko, "127.0.0.1:53", &a, TH_NOW, &e), e);
    sd_axfr_ttls low = {.soa_ttl = 300, .soa_minimum = 300, .max_rrset_ttl = 300, .rrs = 5};
    const int64_t L = TH_NOW + 10; /* first seen lower */
    const struct {
        int64_t at, soa_ttl, soa_minimum, max;
    } want[] = {
        {L, 900, 600, 86400},       {L + 599, 900, 600, 86400}, {L + 600, 900, 300, 86400},
        {L + 900, 300, 300, 86400}, {L + 86400, 300, 300, 300},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        th_assert_ok(sd_served_ttls_store(t->db, &ko, "127.0.0.1:53", &low, want[i].at, &e), e);
        th_assert_ok(sd_zone_ttls_load(t->db, ko.id, &ttl, &e), e);
        assert_int_equal(ttl.soa_ttl, want[i].soa_ttl);
        assert_int_equal(ttl.soa_minimum, want[i].soa_minimum);
        assert_int_equal(ttl.max_rrset_ttl, want[i].max);
    }
    assert_int_equal(th_int(t->db, "SELECT negative_ttl FROM served_ttls"), 300);
    /* Raised: at once. */
    a.max_rrset_ttl = 172800;
    th_assert_ok(sd_served_ttls_store(t->db, &ko, "127.0.0.1:53", &a, L + 86401, &e), e);
    th_assert_ok(sd_zone_ttls_load(t->db, ko.id, &ttl, &e), e);
    assert_int_equal(ttl.max_rrset_ttl, 172800);
    assert_int_equal(ttl.soa_minimum, 600);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_merge_and_evidence, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_gate, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_foreign_keys, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_lowered_ttls_linger, th_setup, th_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
