/* test_timing.c - keystore/timing.c: the waits of a rollover (RFC 7583) from the policy and
 * the TTLs a zone serves; each term is shown to count by making it the largest. */
#include "th.h"

#include "lifecycle/timing.h"

/* A policy with distinct, recognisable numbers. */
static sd_policy policy(void)
{
    sd_policy p;
    memset(&p, 0, sizeof p);
    p.dnskey_ttl = 3600;
    p.propagation_delay = 300;
    p.publish_safety = 1000;
    p.retire_safety = 2000;
    p.parent_ds_ttl = 86400;
    p.parent_propagation_delay = 7200;
    return p;
}

static void test_dnskey_ttl(void **state)
{
    (void)state;
    sd_policy p = policy();
    sd_zone_ttls t = {600, 300, 120};
    /* The policy's DNSKEY TTL when it is larger than the SOA minimum ... */
    assert_int_equal(sd_wait_dnskey_ttl(&p, &t), 3600);
    /* ... and the SOA minimum, with which PowerDNS really serves the DNSKEY, when larger. */
    t.soa_minimum = 7200;
    assert_int_equal(sd_wait_dnskey_ttl(&p, &t), 7200);
}

static void test_publish(void **state)
{
    (void)state;
    sd_policy p = policy();
    sd_zone_ttls t = {600, 300, 120};
    assert_int_equal(sd_wait_publish(&p, &t), 3600 + 300 + 1000);
    t.soa_minimum = 86400;
    assert_int_equal(sd_wait_publish(&p, &t), 86400 + 300 + 1000);
    p.propagation_delay = 0;
    p.publish_safety = 0;
    assert_int_equal(sd_wait_publish(&p, &t), 86400);
}

static void test_retire(void **state)
{
    (void)state;
    sd_policy p = policy();
    /* The DNSKEY TTL dominates. */
    sd_zone_ttls t = {600, 300, 120};
    assert_int_equal(sd_wait_retire(&p, &t), 3600 + 300 + 2000);
    /* The largest RRset TTL dominates. */
    t.max_rrset_ttl = 172800;
    assert_int_equal(sd_wait_retire(&p, &t), 172800 + 300 + 2000);
    /* The SOA TTL dominates. */
    t.max_rrset_ttl = 10;
    t.soa_ttl = 50000;
    assert_int_equal(sd_wait_retire(&p, &t), 50000 + 300 + 2000);
    /* The SOA minimum (negative answers and the DNSKEY as PowerDNS serves it). */
    t.soa_ttl = 100;
    t.soa_minimum = 40000;
    assert_int_equal(sd_wait_retire(&p, &t), 40000 + 300 + 2000);
    /* Every term zero: only the policy's delays remain. */
    sd_zone_ttls zero = {0, 0, 0};
    p.dnskey_ttl = 1;
    assert_int_equal(sd_wait_retire(&p, &zero), 1 + 300 + 2000);
}

static void test_parent_ds(void **state)
{
    (void)state;
    sd_policy p = policy();
    assert_int_equal(sd_wait_parent_ds(&p), 86400 + 7200 + 2000);
    p.parent_ds_ttl = 3600;
    assert_int_equal(sd_wait_parent_ds(&p), 3600 + 7200 + 2000);
}

static void test_defaults_from_config(void **state)
{
    (void)state;
    sd_config c;
    sd_policy p;
    sd_config_defaults(&c);
    c.policy_propagation_delay = 11;
    c.policy_retire_safety = 22;
    c.policy_parent_ds_ttl = 33;
    c.policy_parent_propagation_delay = 44;
    snprintf(c.policy_nsec3_salt, sizeof c.policy_nsec3_salt, "-");
    sd_policy_from_config(&c, &p);
    assert_int_equal(sd_wait_parent_ds(&p), 33 + 44 + 22);
    assert_string_equal(p.nsec3_salt, ""); /* "-" means no salt */
    assert_int_equal(p.algorithm, 13);
}

/* Per-zone overrides in the policies table win over the defaults, column by column. */
static void test_policy_overrides(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    sd_policy p;
    th_zone(t, "example.com", &z);
    th_assert_ok(sd_policy_load(t->db, z.id, &t->policy, &p, &e), e);
    assert_int_equal(p.zsk_lifetime, t->policy.zsk_lifetime);
    th_exec(t->db,
            "INSERT INTO policies(zone_id, parent_ds_ttl, algorithm, nsec3_salt) "
            "VALUES (%lld, 60, 15, 'ab')",
            (long long)z.id);
    th_assert_ok(sd_policy_load(t->db, z.id, &t->policy, &p, &e), e);
    assert_int_equal(p.parent_ds_ttl, 60);
    assert_int_equal(p.algorithm, 15);
    assert_string_equal(p.nsec3_salt, "ab");
    assert_int_equal(p.zsk_lifetime, t->policy.zsk_lifetime); /* NULL column: the default */
    assert_int_equal(p.dnskey_ttl, t->policy.dnskey_ttl);
    /* enable with algorithm 0 takes the zone's algorithm. */
    th_assert_ok(sd_dnssec_enable(&t->ctx, &z, 0, &e), e);
    assert_int_equal(th_int(t->db,
                            "SELECT count(*) FROM keys WHERE zone_id = %lld AND "
                            "algorithm = 15",
                            (long long)z.id),
                     2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dnskey_ttl),
        cmocka_unit_test(test_publish),
        cmocka_unit_test(test_retire),
        cmocka_unit_test(test_parent_ds),
        cmocka_unit_test(test_defaults_from_config),
        cmocka_unit_test_setup_teardown(test_policy_overrides, th_setup, th_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
