/* test_cds.c - CDS/CDNSKEY in the lifecycle: when a KSK becomes the one the parent should
 * trust, how a rollover moves CDS to the new KSK, and going insecure through CDS DELETE. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "lifecycle/cds.h"
#include "lifecycle/engine.h"
#include "keystore/key.h"
#include "lifecycle/policy_json.h"
#include "th.h"

/* sd_cds_fn: appends "TYPE content;" to a buffer. */
static int collect(const char *type, const char *content, void *arg)
{
    char *buf = arg;
    size_t used = strlen(buf);
    snprintf(buf + used, 4096 - used, "%s %s;", type, content);
    return 0;
}

/* The zone's CDS/CDNSKEY records now, as "TYPE content;..." into buf (4096 bytes). */
static void cds_now(th_env *t, const sd_zone *z, char *buf)
{
    sd_policy p;
    sd_err e;
    buf[0] = '\0';
    th_assert_ok(sd_policy_load(t->db, z->id, &t->policy, &p, &e), e);
    th_assert_ok(sd_cds_records(t->db, z->id, z->name, &p, collect, buf, &e), e);
}

/* Runs the engine at now; returns the steps taken. */
static int engine_at(th_env *t, const sd_zone *z, int64_t now)
{
    int steps;
    int64_t next;
    sd_err e;
    t->ctx.now = now;
    th_assert_ok(sd_engine_run_zone(&t->ctx, z, &steps, &next, &e), e);
    return steps;
}

/* The KSK tag named in CDNSKEY (by recomputing it from the CDNSKEY content), or -1. */
static int named_tag(th_env *t, const sd_zone *z)
{
    char buf[4096];
    cds_now(t, z, buf);
    int flags, alg;
    char pub[1024];
    if (sscanf(buf, "CDNSKEY %d 3 %d %1023[^;];", &flags, &alg, pub) != 3)
        return -1;
    if (strstr(buf + 1, "CDNSKEY ") != NULL && strstr(buf + 1, "CDNSKEY ") != buf)
        return -2; /* more than one KSK named */
    uint8_t *rdata = NULL;
    size_t len;
    sd_err e;
    th_assert_ok(sd_dnskey_rdata((uint16_t)flags, alg, pub, &rdata, &len, &e), e);
    int tag = sd_key_tag(rdata, len);
    free(rdata);
    return tag;
}

static void test_go_live_names_ksk_once_ready(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    char buf[4096];
    th_zone(t, "example.com", &z);
    th_assert_ok(sd_dnssec_enable(&t->ctx, &z, 13, &e), e);
    int64_t ready = th_int(t->db, "SELECT ds_publish_at FROM keys WHERE role = 'KSK'");
    int ksk = (int)th_int(t->db, "SELECT key_tag FROM keys WHERE role = 'KSK'");
    cds_now(t, &z, buf);
    assert_string_equal(buf, ""); /* the zone is not signed everywhere yet */
    int64_t next;
    th_assert_ok(sd_engine_zone_next(t->db, z.id, &next, &e), e);
    assert_int_equal(next, ready);
    assert_int_equal(engine_at(t, &z, ready - 1), 0);
    assert_int_equal(engine_at(t, &z, ready), 1);
    assert_int_equal(named_tag(t, &z), ksk);
    cds_now(t, &z, buf);
    char want[32];
    snprintf(want, sizeof want, "CDS %d 13 2 ", ksk);
    assert_non_null(strstr(buf, want));
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM audit WHERE action = 'ksk-ds-ready'"), 1);
}

static void test_ksk_rollover_moves_cds(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    th_zone(t, "example.com", &z);
    th_assert_ok(sd_dnssec_enable(&t->ctx, &z, 13, &e), e);
    th_exec(t->db, "UPDATE keys SET ds_seen_at = %lld, cds_at = %lld WHERE role = 'KSK'",
            (long long)TH_NOW, (long long)TH_NOW);
    int old = (int)th_int(t->db, "SELECT key_tag FROM keys WHERE role = 'KSK'");
    t->ctx.now = TH_NOW + 86400;
    th_assert_ok(sd_dnssec_rotate_ksk(&t->ctx, &z, &e), e);
    int fresh = (int)th_int(t->db, "SELECT key_tag FROM keys WHERE role = 'KSK' AND "
                                   "ds_seen_at IS NULL");
    int64_t ready = th_int(t->db, "SELECT ds_publish_at FROM keys WHERE ds_seen_at IS NULL AND "
                                  "role = 'KSK'");
    assert_int_equal(named_tag(t, &z), old); /* the new DNSKEY is not everywhere yet */
    engine_at(t, &z, ready);
    assert_int_equal(named_tag(t, &z), fresh); /* the parent should move to the new KSK alone */
    /* The new DS confirmed: the old KSK leaves and is never named again. */
    json_t *ds;
    th_assert_ok(sd_dnssec_ds_json(t->db, &z, &ds, &e), e);
    sd_ds d;
    size_t i;
    json_t *x;
    json_array_foreach(ds, i, x)
    {
        if (json_integer_value(json_object_get(x, "key_tag")) == fresh &&
            json_integer_value(json_object_get(x, "digest_type")) == 2)
            th_assert_ok(sd_ds_parse(json_string_value(json_object_get(x, "ds")), &d, &e), e);
    }
    json_decref(ds);
    th_assert_ok(sd_dnssec_confirm_ds(&t->ctx, &z, &d, 1, &e), e);
    assert_int_equal(named_tag(t, &z), fresh);
}

/* Sets the zone's policy to publish CDS DELETE before going insecure. */
static void policy_cds_delete(th_env *t, const sd_zone *z)
{
    sd_err e;
    sd_policy p;
    json_t *body = json_pack("{s:b, s:[i, i]}", "cds_delete", 1, "cds_digest_types", 2, 4);
    th_assert_ok(sd_policy_put(t->db, z->id, z->name, &t->policy, body, "test", TH_NOW, &p, &e), e);
    json_decref(body);
    assert_true(p.cds_delete);
    assert_int_equal(p.cds_digests, SD_CDS_SHA256 | SD_CDS_SHA384);
}

static void test_going_insecure_with_cds_delete(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    char buf[4096], status[32];
    th_zone(t, "example.com", &z);
    policy_cds_delete(t, &z);
    th_assert_ok(sd_dnssec_enable(&t->ctx, &z, 13, &e), e);
    th_exec(t->db, "UPDATE keys SET ds_seen_at = %lld, cds_at = %lld WHERE role = 'KSK'",
            (long long)TH_NOW, (long long)TH_NOW);
    cds_now(t, &z, buf); /* both digest types of the policy */
    assert_non_null(strstr(buf, " 13 2 "));
    assert_non_null(strstr(buf, " 13 4 "));
    t->ctx.now = TH_NOW + 100;
    th_assert_ok(sd_dnssec_disable(&t->ctx, &z, &e), e);
    th_assert_ok(sd_dnssec_status(t->db, z.id, status, sizeof status, &e), e);
    assert_string_equal(status, "disabling");
    cds_now(t, &z, buf);
    assert_string_equal(buf, "CDNSKEY " SD_CDNSKEY_DELETE ";CDS " SD_CDS_DELETE ";");
    /* Every key keeps signing: nothing is removed while the parent may hold the DS. */
    engine_at(t, &z, TH_NOW + 30 * 86400);
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM keys WHERE state = 'active'"), 2);
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM keys"), 2); /* no rollover either */
    th_assert_ok(sd_dnssec_status(t->db, z.id, status, sizeof status, &e), e);
    assert_string_equal(status, "disabling");
    /* Other transitions wait. */
    th_assert_fail(sd_dnssec_rotate_zsk(&t->ctx, &z, &e), e, SD_ECONFLICT, "disabling");
    /* The parent check saw the DS gone: the keys go at unsign_at, not before. */
    int64_t at = TH_NOW + 31 * 86400;
    th_exec(t->db, "UPDATE zones SET unsign_at = %lld WHERE id = %lld", (long long)at,
            (long long)z.id);
    int64_t next;
    th_assert_ok(sd_engine_zone_next(t->db, z.id, &next, &e), e);
    assert_true(next > 0 && next <= at);
    engine_at(t, &z, at - 1);
    th_assert_ok(sd_dnssec_status(t->db, z.id, status, sizeof status, &e), e);
    assert_string_equal(status, "disabling");
    th_exec(t->db, "UPDATE keys SET roll_at = NULL"); /* only the unsign step is left */
    th_assert_ok(sd_engine_zone_next(t->db, z.id, &next, &e), e);
    assert_int_equal(next, at);
    th_assert_ok(sd_engine_next_at(t->db, &next, &e), e);
    assert_int_equal(next, at);
    assert_int_equal(engine_at(t, &z, at), 1);
    th_assert_ok(sd_dnssec_status(t->db, z.id, status, sizeof status, &e), e);
    assert_string_equal(status, "disabled");
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM keys WHERE sealed_private IS NOT NULL"),
                     0);
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM audit WHERE action = 'dnssec-unsign'"), 1);
    cds_now(t, &z, buf);
    assert_string_equal(buf, "");
}

static void test_abort_and_second_disable_while_disabling(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    char status[32];
    th_zone(t, "example.com", &z);
    policy_cds_delete(t, &z);
    th_assert_ok(sd_dnssec_enable(&t->ctx, &z, 13, &e), e);
    th_exec(t->db, "UPDATE keys SET ds_seen_at = %lld, cds_at = %lld WHERE role = 'KSK'",
            (long long)TH_NOW, (long long)TH_NOW);
    int ksk = (int)th_int(t->db, "SELECT key_tag FROM keys WHERE role = 'KSK'");
    th_assert_ok(sd_dnssec_disable(&t->ctx, &z, &e), e);
    th_assert_ok(sd_dnssec_abort(&t->ctx, &z, &e), e); /* changed my mind */
    th_assert_ok(sd_dnssec_status(t->db, z.id, status, sizeof status, &e), e);
    assert_string_equal(status, "active");
    assert_int_equal(named_tag(t, &z), ksk);
    th_assert_ok(sd_dnssec_disable(&t->ctx, &z, &e), e);
    th_assert_ok(sd_dnssec_disable(&t->ctx, &z, &e), e); /* the operator saw the DS gone */
    th_assert_ok(sd_dnssec_status(t->db, z.id, status, sizeof status, &e), e);
    assert_string_equal(status, "disabled");
    th_assert_fail(sd_dnssec_disable(&t->ctx, &z, &e), e, SD_ECONFLICT, "not enabled");
}

static void test_policy_fields_checked(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    sd_policy p;
    th_zone(t, "example.com", &z);
    const char *bad[] = {"{\"cds_digest_types\": [3]}", "{\"cds_digest_types\": []}",
                         "{\"cds_digest_types\": 2}", "{\"cds_delete\": 1}"};
    char *before = th_snapshot(t->db, 1);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *body = json_loads(bad[i], 0, NULL);
        assert_int_equal(
            sd_policy_put(t->db, z.id, z.name, &t->policy, body, "test", TH_NOW, &p, &e),
            -SD_EBADINPUT);
        json_decref(body);
    }
    char *after = th_snapshot(t->db, 1);
    assert_string_equal(before, after);
    free(before);
    free(after);
    json_t *j = sd_policy_json(&t->policy);
    assert_false(json_is_true(json_object_get(j, "cds_delete")));
    assert_int_equal(json_integer_value(json_array_get(json_object_get(j, "cds_digest_types"), 0)),
                     2);
    json_decref(j);
    int bits;
    assert_int_equal(sd_cds_digests_parse("2,4", &bits, &e), 0);
    assert_int_equal(bits, SD_CDS_SHA256 | SD_CDS_SHA384);
    assert_true(sd_cds_digests_parse("1", &bits, &e) < 0);
    assert_true(sd_config_set(&t->cfg, "policy-cds-digest-types", "5", &e) < 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_go_live_names_ksk_once_ready, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_ksk_rollover_moves_cds, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_going_insecure_with_cds_delete, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_abort_and_second_disable_while_disabling, th_setup,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_policy_fields_checked, th_setup, th_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
