/* test_import.c - lifecycle/import.c: a CSK and a KSK + ZSK pair adopted from another signer
 * land as the keys PowerDNS will serve (same tags, DS as dnssec-dsfromkey's, the private text
 * the backend hands out), with the status, timelines and the one audit row the issue asks
 * for; the CSK is split by the engine's ZSK activation; every refusal leaves the keystore
 * exactly as it was. */
#include "th.h"

#include <sodium.h>

#include "keystore/key.h"
#include "keystore/key_import.h"
#include "lifecycle/engine.h"
#include "lifecycle/import.h"
#include "lifecycle/timing.h"

#include "key_import_fixtures.h"

/* The audit rows of the zone with action. */
static int64_t audits(th_env *t, const char *action)
{
    return th_int(t->db, "SELECT count(*) FROM audit WHERE action = %Q", action);
}

/* The status as the admin view shows it (malloc'ed). */
static char *status(th_env *t, const sd_zone *z)
{
    return th_text(t->db, "SELECT status FROM dnssec_status WHERE zone_id = %lld",
                   (long long)z->id);
}

/* Opens the sealed private key of the zone's key with tag, as the backend does. */
static char *unseal_tag(th_env *t, const sd_zone *z, int tag)
{
    sd_seal_keys sk;
    sd_err e;
    char *text = NULL;
    th_assert_ok(sd_seal_load_secret(t->seal, &sk, &e), e);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(t->db,
                                        "SELECT kid, sealed_private FROM keys WHERE zone_id = ? "
                                        "AND key_tag = ? AND state <> 'removed'",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_int64(st, 1, z->id);
    sqlite3_bind_int(st, 2, tag);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    th_assert_ok(sd_unseal(&sk, z->name, (const char *)sqlite3_column_text(st, 0),
                           sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1), &text,
                           &e),
                 e);
    sqlite3_finalize(st);
    sd_seal_wipe(&sk);
    return text;
}

static void test_csk_import_and_split(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    json_t *detail = NULL;
    th_zone(t, "example.net", &z);
    int64_t before = audits(t, "dnssec-import");
    sd_import_key k = {SD_ROLE_CSK, KSK13_PRIVATE, KSK13_KEY, 0, 1, 1};
    th_assert_ok(sd_dnssec_import(&t->ctx, &z, &k, 1, 1, &detail, &e), e);
    assert_int_equal(audits(t, "dnssec-import"), before + 1);
    char *s = status(t, &z);
    assert_string_equal(s, "active");
    free(s);

    /* The CSK as BIND made it: tag 5846, flags 257, the DS the parent already holds. */
    assert_int_equal(th_int(t->db,
                            "SELECT count(*) FROM keys WHERE key_tag = 5846 AND flags = 257 AND "
                            "role = 'KSK' AND state = 'active' AND ds_seen_at = %lld AND "
                            "expires_at = %lld",
                            (long long)TH_NOW, (long long)(TH_NOW + t->policy.ksk_lifetime)),
                     1);
    /* The backend hands PowerDNS the v1.2 text of the same key. */
    char *text = unseal_tag(t, &z, 5846);
    sd_key want;
    th_assert_ok(sd_key_import(KSK13_PRIVATE, NULL, 0, SD_FLAGS_KSK, &want, &e), e);
    assert_string_equal(text, want.private_text);
    sodium_memzero(text, strlen(text));
    free(text);
    sd_key_free(&want);

    /* The split: a ZSK of algorithm 13, pre-published, signing after the publish wait. */
    int split = (int)json_integer_value(json_object_get(detail, "split_zsk"));
    json_decref(detail);
    sd_zone_ttls ttls;
    th_assert_ok(sd_zone_ttls_load(t->db, z.id, &ttls, &e), e);
    int64_t act = TH_NOW + sd_wait_publish(&t->policy, &ttls);
    assert_int_equal(th_int(t->db,
                            "SELECT count(*) FROM keys WHERE key_tag = %d AND role = 'ZSK' AND "
                            "algorithm = 13 AND state = 'published' AND activate_at = %lld",
                            split, (long long)act),
                     1);

    /* Nothing before the wait; at it, the ZSK signs and the CSK keeps only the DNSKEY set. */
    int steps;
    int64_t next;
    t->ctx.now = act - 1;
    th_assert_ok(sd_engine_run_zone(&t->ctx, &z, &steps, &next, &e), e);
    assert_int_equal(steps, 0);
    assert_int_equal(next, act);
    t->ctx.now = act;
    th_assert_ok(sd_engine_run_zone(&t->ctx, &z, &steps, &next, &e), e);
    assert_int_equal(steps, 1);
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM keys WHERE state = 'active'"), 2);
    assert_int_equal(
        th_int(t->db, "SELECT count(*) FROM keys WHERE key_tag = %d AND state = 'active'", split),
        1);
    s = status(t, &z);
    assert_string_equal(s, "active");
    free(s);

    /* The CSK's own rollover is a KSK rollover. */
    t->ctx.now = act + 10;
    th_assert_ok(sd_dnssec_rotate_ksk(&t->ctx, &z, &e), e);
    s = status(t, &z);
    assert_string_equal(s, "rotating_ksk");
    free(s);
}

static void test_ksk_zsk_pending_ds(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    th_zone(t, "example.net", &z);
    sd_import_key k[2] = {{SD_ROLE_ZSK, ZSK13_PRIVATE, ZSK13_KEY, 0, 1, 1},
                          {SD_ROLE_KSK, KSK13_PRIVATE, NULL, 13, 1, 1}};
    th_assert_ok(sd_dnssec_import(&t->ctx, &z, k, 2, 0, NULL, &e), e);
    char *s = status(t, &z);
    assert_string_equal(s, "pending_ds");
    free(s);
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM keys"), 2);
    assert_int_equal(th_int(t->db,
                            "SELECT count(*) FROM keys WHERE key_tag = 24522 AND role = 'ZSK' AND "
                            "state = 'active' AND expires_at = %lld AND roll_at IS NOT NULL",
                            (long long)(TH_NOW + t->policy.zsk_lifetime)),
                     1);
    /* dnssec-dsfromkey's DS of the KSK confirms it. */
    sd_ds ds;
    th_assert_ok(sd_ds_parse("example.net. IN DS 5846 13 2 "
                             "C21C5A54E3552C9763775389AF347401B1433CEFDA14FA1D2AAF27532BC24DB3",
                             &ds, &e),
                 e);
    th_assert_ok(sd_dnssec_confirm_ds(&t->ctx, &z, &ds, 1, &e), e);
    s = status(t, &z);
    assert_string_equal(s, "active");
    free(s);
}

/* The tag key k would have with flags. */
static int tag_as(const sd_key *k, uint16_t flags)
{
    uint8_t *rdata;
    size_t len;
    assert_int_equal(sd_dnskey_rdata(flags, k->algorithm, k->public_b64, &rdata, &len, NULL), 0);
    int tag = sd_key_tag(rdata, len);
    free(rdata);
    return tag;
}

/* Finds two Ed25519 keys, one as a KSK and the other as a ZSK, with the same key tag (a
 * birthday search: 1500 keys hold about 34 such pairs). */
static void same_tag_pair(sd_key *ksk, sd_key *zsk)
{
    enum { N = 1500 };
    sd_key *a = calloc(N, sizeof *a);
    int *as_ksk = malloc(65536 * sizeof(int)), *as_zsk = malloc(65536 * sizeof(int));
    assert_true(a && as_ksk && as_zsk);
    for (int i = 0; i < 65536; i++)
        as_ksk[i] = as_zsk[i] = -1;
    sd_err e;
    int ki = -1, zi = -1;
    for (int j = 0; j < N && ki < 0; j++) {
        th_assert_ok(sd_key_generate(15, 0, SD_FLAGS_KSK, &a[j], &e), e);
        int kt = tag_as(&a[j], SD_FLAGS_KSK), zt = tag_as(&a[j], SD_FLAGS_ZSK);
        if (as_ksk[zt] >= 0) {
            ki = as_ksk[zt];
            zi = j;
        } else if (as_zsk[kt] >= 0) {
            ki = j;
            zi = as_zsk[kt];
        }
        as_ksk[kt] = j;
        as_zsk[zt] = j;
    }
    if (ki < 0)
        fail_msg("no KSK/ZSK pair with one tag in %d keys", N);
    th_assert_ok(sd_key_import(a[ki].private_text, NULL, 15, SD_FLAGS_KSK, ksk, &e), e);
    th_assert_ok(sd_key_import(a[zi].private_text, NULL, 15, SD_FLAGS_ZSK, zsk, &e), e);
    for (int i = 0; i < N; i++)
        sd_key_free(&a[i]);
    free(a);
    free(as_ksk);
    free(as_zsk);
}

/* Asserts that importing keys into z is refused with code and needle, and that the keystore
 * (audit included) is byte for byte unchanged. */
static void refused(th_env *t, const sd_zone *z, const sd_import_key *k, size_t n, int code,
                    const char *needle)
{
    sd_err e;
    char *before = th_snapshot(t->db, 1);
    th_assert_fail(sd_dnssec_import(&t->ctx, z, k, n, 1, NULL, &e), e, code, needle);
    char *after = th_snapshot(t->db, 1);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

static void test_refusals_change_nothing(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    th_zone(t, "example.net", &z);
    sd_import_key one = {SD_ROLE_CSK, KSK13_PRIVATE, NULL, 0, 1, 1};

    sd_import_key bad = one;
    bad.private_key = ED448_PRIVATE;
    refused(t, &z, &bad, 1, 400, "key 1 (csk): DNSSEC algorithm 16 (ED448) is not supported");
    bad.private_key = RSA1024_PRIVATE;
    refused(t, &z, &bad, 1, 400, "RSA key of 1024 bits refused");
    bad.private_key = "Private-key-format: v1.2\nAlgorithm: 13 (ECDSAP256SHA256)\nPrivateKey: "
                      "KHV4UPL8RzH9DQhowL/fJCC20\n";
    refused(t, &z, &bad, 1, 400, "PrivateKey");
    bad.private_key = KSK13_PRIVATE;
    bad.public_key = ZSK13_KEY;
    refused(t, &z, &bad, 1, 400, "public/private mismatch");

    /* A KSK role on a key whose .key file says 256. */
    sd_import_key pair[2] = {{SD_ROLE_KSK, ZSK13_PRIVATE, ZSK13_KEY, 0, 1, 1},
                             {SD_ROLE_ZSK, KSK13_PRIVATE, NULL, 0, 1, 1}};
    refused(t, &z, pair, 2, 400, "key 1 (ksk): the DNSKEY record says flags 256");

    /* Sets the lifecycle cannot take over as they are. */
    sd_import_key lone = {SD_ROLE_KSK, KSK13_PRIVATE, NULL, 0, 1, 1};
    refused(t, &z, &lone, 1, 400, "one CSK, or one KSK and one ZSK");
    refused(t, &z, NULL, 0, 400, "at least one key");
    sd_import_key idle = one;
    idle.active = 0;
    refused(t, &z, &idle, 1, 400, "published and active");
    sd_import_key mixed[2] = {{SD_ROLE_KSK, KSK13_PRIVATE, NULL, 0, 1, 1},
                              {SD_ROLE_ZSK, ED15_PRIVATE, NULL, 0, 1, 1}};
    refused(t, &z, mixed, 2, 400, "algorithm rollover");

    /* Two keys with one tag. */
    sd_key ksk, zsk;
    same_tag_pair(&ksk, &zsk);
    assert_int_equal(ksk.key_tag, zsk.key_tag);
    sd_import_key twins[2] = {{SD_ROLE_KSK, ksk.private_text, NULL, 0, 1, 1},
                              {SD_ROLE_ZSK, zsk.private_text, NULL, 0, 1, 1}};
    refused(t, &z, twins, 2, 400, "the same key tag");
    sd_key_free(&ksk);
    sd_key_free(&zsk);

    /* 409 once DNSSEC is on, whether by enable or by an earlier import. */
    th_assert_ok(sd_dnssec_enable(&t->ctx, &z, 13, &e), e);
    refused(t, &z, &one, 1, 409, "already enabled");
    th_assert_ok(sd_dnssec_disable(&t->ctx, &z, &e), e);
    th_assert_ok(sd_dnssec_import(&t->ctx, &z, &one, 1, 1, NULL, &e), e);
    refused(t, &z, &one, 1, 409, "status: active");
}

#define T(f) cmocka_unit_test_setup_teardown(f, th_setup, th_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_csk_import_and_split),
        T(test_ksk_zsk_pending_ds),
        T(test_refusals_change_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
