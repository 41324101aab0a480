/* test_dnssec.c - lifecycle/dnssec.c and dnssec_json.c: every transition the lifecycle allows
 * from each status (disabled, pending_ds, active, rotating_ksk, rotating_zsk) and every one it
 * refuses (409 naming the status, nothing changed); the keys each leaves behind and their
 * timeline; DS confirmation right and wrong; the state in the reference's JSON shape; DS
 * parsing. DS digests and key tags are checked against ldns, not against our own code. */
#include "th.h"

#include <ldns/ldns.h>
#include <sodium.h>

#include "keystore/audit.h"
#include "keystore/key.h"
#include "lifecycle/timing.h"

#define DAY 86400

typedef enum { OP_ENABLE, OP_CONFIRM, OP_ROTATE_ZSK, OP_ROTATE_KSK, OP_DISABLE } op_t;
static const char *const OP_NAMES[] = {"enable", "confirm-ds", "rotate-zsk", "rotate-ksk",
                                       "disable"};

/* ---- oracles ------------------------------------------------------------------------------ */

/* The DS (digest type 1, 2 or 4) and key tag that ldns computes for a DNSKEY. */
static void ldns_ds(const char *zone, int flags, int alg, const char *pub, int digest_type,
                    sd_ds *out)
{
    char line[4096];
    ldns_rr *key = NULL;
    snprintf(line, sizeof line, "%s 3600 IN DNSKEY %d 3 %d %s", zone, flags, alg, pub);
    assert_int_equal(ldns_rr_new_frm_str(&key, line, 0, NULL, NULL), LDNS_STATUS_OK);
    ldns_rr *ds = ldns_key_rr2ds(key, digest_type == 1   ? LDNS_SHA1
                                      : digest_type == 2 ? LDNS_SHA256
                                                         : LDNS_SHA384);
    assert_non_null(ds);
    ldns_rdf *d = ldns_rr_rdf(ds, 3);
    memset(out, 0, sizeof *out);
    out->key_tag = ldns_calc_keytag(key);
    out->algorithm = alg;
    out->digest_type = digest_type;
    for (size_t i = 0; i < ldns_rdf_size(d); i++)
        snprintf(out->digest + 2 * i, 3, "%02X", ldns_rdf_data(d)[i]);
    ldns_rr_free(ds);
    ldns_rr_free(key);
}

/* The DS of the zone's live key with row id, as ldns computes it. */
static void key_ds(th_env *t, const sd_zone *z, int64_t id, int digest_type, sd_ds *out)
{
    int flags = (int)th_int(t->db, "SELECT flags FROM keys WHERE id = %lld", (long long)id);
    int alg = (int)th_int(t->db, "SELECT algorithm FROM keys WHERE id = %lld", (long long)id);
    char *pub = th_text(t->db, "SELECT public_key FROM keys WHERE id = %lld", (long long)id);
    ldns_ds(z->name, flags, alg, pub, digest_type, out);
    free(pub);
}

/* Row id of the zone's newest live key of role ("KSK"/"ZSK"); 0 if none. */
static int64_t newest(th_env *t, const sd_zone *z, const char *role)
{
    return th_int(t->db,
                  "SELECT max(id) FROM keys WHERE zone_id = %lld AND role = %Q AND "
                  "state <> 'removed'",
                  (long long)z->id, role);
}

static int64_t oldest(th_env *t, const sd_zone *z, const char *role)
{
    return th_int(t->db,
                  "SELECT min(id) FROM keys WHERE zone_id = %lld AND role = %Q AND "
                  "state <> 'removed'",
                  (long long)z->id, role);
}

/* ---- driving the lifecycle ---------------------------------------------------------------- */

static char *status_of(th_env *t, const sd_zone *z)
{
    static char s[32];
    sd_err e;
    th_assert_ok(sd_dnssec_status(t->db, z->id, s, sizeof s, &e), e);
    /* The library and the admin view must agree. */
    char *v = th_text(t->db, "SELECT status FROM dnssec_status WHERE zone = %Q", z->name);
    assert_string_equal(v, s);
    free(v);
    return s;
}

static void assert_status(th_env *t, const sd_zone *z, const char *want)
{
    const char *got = status_of(t, z);
    if (strcmp(got, want) != 0)
        fail_msg("%s is %s, want %s", z->name, got, want);
}

/* Moves the clock to the newest KSK's ds_publish_after when that is later: during a KSK
 * rollover its DS may not be confirmed before. */
static void past_ds_publish_after(th_env *t, const sd_zone *z)
{
    int64_t after = th_int(t->db,
                           "SELECT coalesce(max(ds_publish_at), 0) FROM keys WHERE zone_id = %lld "
                           "AND role = 'KSK' AND ds_seen_at IS NULL AND state <> 'removed'",
                           (long long)z->id);
    if (t->ctx.now < after)
        t->ctx.now = after;
}

/* Confirms the DS (digest type) of the newest KSK, at its ds_publish_after at the earliest
 * during a KSK rollover. */
static int confirm_newest(th_env *t, const sd_zone *z, int digest_type, sd_err *e)
{
    sd_ds ds;
    if (strcmp(status_of(t, z), "rotating_ksk") == 0)
        past_ds_publish_after(t, z);
    key_ds(t, z, newest(t, z, "KSK"), digest_type, &ds);
    return sd_dnssec_confirm_ds(&t->ctx, z, &ds, 1, e);
}

/* Runs op on z. A confirm gives the DS of the newest KSK (or a made-up one if there is none). */
static int run(th_env *t, const sd_zone *z, op_t op, sd_err *e)
{
    switch (op) {
    case OP_ENABLE:
        return sd_dnssec_enable(&t->ctx, z, 13, e);
    case OP_CONFIRM:
        if (newest(t, z, "KSK"))
            return confirm_newest(t, z, 2, e);
        sd_ds ds = {12345, 13, 2,
                    "A1B2C3D4A1B2C3D4A1B2C3D4A1B2C3D4A1B2C3D4A1B2C3D4A1B2C3D4A1B2C3D4"};
        return sd_dnssec_confirm_ds(&t->ctx, z, &ds, 1, e);
    case OP_ROTATE_ZSK:
        return sd_dnssec_rotate_zsk(&t->ctx, z, e);
    case OP_ROTATE_KSK:
        return sd_dnssec_rotate_ksk(&t->ctx, z, e);
    case OP_DISABLE:
        return sd_dnssec_disable(&t->ctx, z, e);
    }
    return -1;
}

static void run_ok(th_env *t, const sd_zone *z, op_t op)
{
    sd_err e;
    if (run(t, z, op, &e) != 0)
        fail_msg("%s on %s (%s) failed: %s", OP_NAMES[op], z->name, status_of(t, z), e.msg);
}

/* Makes a zone called name and brings it to status. */
static void reach(th_env *t, const char *name, const char *status, sd_zone *z)
{
    th_zone(t, name, z);
    if (strcmp(status, "disabled") == 0)
        return;
    run_ok(t, z, OP_ENABLE);
    if (strcmp(status, "pending_ds") == 0)
        return;
    run_ok(t, z, OP_CONFIRM);
    if (strcmp(status, "rotating_zsk") == 0)
        run_ok(t, z, OP_ROTATE_ZSK);
    else if (strcmp(status, "rotating_ksk") == 0)
        run_ok(t, z, OP_ROTATE_KSK);
    assert_status(t, z, status);
}

/* Asserts that op is refused on z with 409, a message naming its status, and that nothing in
 * the keystore changed, the audit trail included. */
static void refused(th_env *t, const sd_zone *z, op_t op)
{
    char status[32];
    sd_err e;
    snprintf(status, sizeof status, "%s", status_of(t, z));
    char *before = th_snapshot(t->db, 1);
    sd_err_clear(&e);
    int rc = run(t, z, op, &e);
    char *after = th_snapshot(t->db, 1);
    if (rc == 0)
        fail_msg("%s was allowed on a zone in %s", OP_NAMES[op], status);
    if (rc != -SD_ECONFLICT || e.code != SD_ECONFLICT)
        fail_msg("%s in %s: got %d (%s), want 409", OP_NAMES[op], status, e.code, e.msg);
    char named1[64], named2[64];
    snprintf(named1, sizeof named1, "status: %s)", status);
    snprintf(named2, sizeof named2, "zone is %s ", status);
    if (!strstr(e.msg, named1) && !strstr(e.msg, named2))
        fail_msg("%s in %s: the message \"%s\" does not name the status", OP_NAMES[op], status,
                 e.msg);
    if (strcmp(before, after) != 0)
        fail_msg("refused %s in %s changed the keystore", OP_NAMES[op], status);
    assert_status(t, z, status);
    free(before);
    free(after);
    int64_t rows;
    th_assert_ok(sd_audit_verify(t->db, &rows, &e), e);
}

/* ---- enable -------------------------------------------------------------------------------- */

/* Checks the two keys enable made: roles, flags, algorithm, timeline, key tag (ldns), sealing
 * (opens with the backend's secret for this zone and key id only). */
static void check_enabled_keys(th_env *t, const sd_zone *z, int alg, int bits)
{
    sd_err e;
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM keys WHERE zone_id = %lld", z->id), 2);
    sd_seal_keys secret;
    th_assert_ok(sd_seal_load_secret(t->seal, &secret, &e), e);
    static const char *const roles[] = {"KSK", "ZSK"};
    for (int i = 0; i < 2; i++) {
        int64_t id = newest(t, z, roles[i]);
        int64_t life = i == 0 ? t->policy.ksk_lifetime : t->policy.zsk_lifetime;
        assert_true(id > 0);
        char *row = th_text(
            t->db,
            "SELECT role || ' ' || flags || ' ' || algorithm || ' ' || bits || ' ' || state || "
            "' ' || created_at || ' ' || publish_at || ' ' || activate_at || ' ' || expires_at || "
            "' ' || coalesce(retire_at, '-') || ' ' || coalesce(remove_at, '-') || ' ' || "
            "coalesce(ds_submitted_at, '-') || ' ' || coalesce(ds_seen_at, '-') "
            "FROM keys WHERE id = %lld",
            (long long)id);
        char want[300];
        snprintf(want, sizeof want, "%s %d %d %d active %lld %lld %lld %lld - - %s -", roles[i],
                 i == 0 ? 257 : 256, alg, bits, (long long)TH_NOW, (long long)TH_NOW,
                 (long long)TH_NOW, (long long)(TH_NOW + life), i == 0 ? "1776938400" : "-");
        assert_string_equal(row, want);
        free(row);
        /* The key tag is the one ldns computes from the DNSKEY. */
        sd_ds ds;
        key_ds(t, z, id, 2, &ds);
        assert_int_equal(th_int(t->db, "SELECT key_tag FROM keys WHERE id = %lld", id), ds.key_tag);
        /* The private key is sealed for exactly this zone and key. */
        char *kid = th_text(t->db, "SELECT kid FROM keys WHERE id = %lld", id);
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_prepare_v2(t->db, "SELECT sealed_private FROM keys WHERE id = ?",
                                            -1, &st, NULL),
                         SQLITE_OK);
        sqlite3_bind_int64(st, 1, id);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        const uint8_t *blob = sqlite3_column_blob(st, 0);
        size_t len = (size_t)sqlite3_column_bytes(st, 0);
        assert_non_null(blob);
        assert_true(len > 32);
        for (size_t k = 0; k + 18 <= len; k++)
            assert_memory_not_equal(blob + k, "Private-key-format", 18);
        char *text = NULL;
        th_assert_ok(sd_unseal(&secret, z->name, kid, blob, len, &text, &e), e);
        assert_non_null(strstr(text, "Private-key-format: v1.2"));
        char algline[64];
        snprintf(algline, sizeof algline, "Algorithm: %d ", alg);
        assert_non_null(strstr(text, algline));
        sodium_memzero(text, strlen(text));
        free(text);
        assert_true(sd_unseal(&secret, "other.example.", kid, blob, len, &text, &e) < 0);
        assert_true(sd_unseal(&secret, z->name, "0123456789abcdef0123456789abcdef", blob, len,
                              &text, &e) < 0);
        sqlite3_finalize(st);
        free(kid);
    }
    sd_seal_wipe(&secret);
}

static void test_enable_default(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    th_zone(t, "example.com", &z);
    assert_status(t, &z, "disabled");
    int64_t serial = th_serial(t->db, z.id);
    th_assert_ok(sd_dnssec_enable(&t->ctx, &z, 0, &e), e);
    assert_status(t, &z, "pending_ds");
    check_enabled_keys(t, &z, 13, 256);
    /* Secondaries see a new serial; the audit trail has the change. */
    assert_int_equal(th_serial(t->db, z.id), serial + 1);
    assert_int_equal(th_int(t->db,
                            "SELECT count(*) FROM audit WHERE zone = 'example.com.' AND "
                            "action = 'dnssec-enable' AND outcome = 'ok' AND actor = 'test'"),
                     1);
    /* The configured default algorithm is what "0" means. */
    sd_zone z2;
    th_zone(t, "example.org", &z2);
    t->policy.algorithm = 15;
    th_assert_ok(sd_dnssec_enable(&t->ctx, &z2, 0, &e), e);
    check_enabled_keys(t, &z2, 15, 256);
}

/* Enables alg on a fresh zone and checks the keys, the state and the DS. */
static void enable_alg(th_env *t, const char *name, int alg, int bits, size_t publen)
{
    sd_zone z;
    sd_err e;
    th_zone(t, name, &z);
    th_assert_ok(sd_dnssec_enable(&t->ctx, &z, alg, &e), e);
    assert_status(t, &z, "pending_ds");
    check_enabled_keys(t, &z, alg, bits);
    /* The public key has the size of its algorithm. */
    char *pub = th_text(t->db, "SELECT public_key FROM keys WHERE id = %lld",
                        (long long)newest(t, &z, "ZSK"));
    unsigned char bin[1024];
    size_t binlen = 0;
    assert_int_equal(sodium_base642bin(bin, sizeof bin, pub, strlen(pub), NULL, &binlen, NULL,
                                       sodium_base64_VARIANT_ORIGINAL),
                     0);
    if (publen)
        assert_int_equal(binlen, publen);
    else /* RSA: exponent length, exponent, modulus of bits/8 octets */
        assert_true(binlen > (size_t)bits / 8 && binlen < (size_t)bits / 8 + 8);
    free(pub);
    /* It can be confirmed with either digest. */
    th_assert_ok(confirm_newest(t, &z, alg == 15 ? 4 : 2, &e), e);
    assert_status(t, &z, "active");
}

static void test_enable_ecdsa_eddsa(void **state)
{
    th_env *t = *state;
    enable_alg(t, "p256.example", 13, 256, 64);
    enable_alg(t, "p384.example", 14, 384, 96);
    enable_alg(t, "ed25519.example", 15, 256, 32);
}

static void test_enable_rsasha256(void **state)
{
    enable_alg(*state, "rsa8.example", 8, 2048, 0);
}

static void test_enable_rsasha512(void **state)
{
    enable_alg(*state, "rsa10.example", 10, 2048, 0);
}

static void test_enable_unsupported(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    th_zone(t, "example.com", &z);
    char *before = th_snapshot(t->db, 1);
    static const int bad[] = {1, 3, 5, 6, 7, 9, 11, 12, 16, 17, 23, 252, 253, 255, 256, -1};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char num[16];
        snprintf(num, sizeof num, "%d", bad[i]);
        sd_err_clear(&e);
        int rc = sd_dnssec_enable(&t->ctx, &z, bad[i], &e);
        th_assert_fail(rc, e, SD_EBADINPUT, "unsupported algorithm");
        th_assert_fail(rc, e, SD_EBADINPUT, num);
    }
    /* A bad default algorithm in the policy is refused the same way. */
    t->policy.algorithm = 7;
    th_assert_fail(sd_dnssec_enable(&t->ctx, &z, 0, &e), e, SD_EBADINPUT, "unsupported");
    char *after = th_snapshot(t->db, 1);
    assert_string_equal(before, after);
    free(before);
    free(after);
    assert_status(t, &z, "disabled");
}

/* ---- refused and allowed transitions, status by status ------------------------------------ */

static void test_from_disabled(void **state)
{
    th_env *t = *state;
    sd_zone z;
    reach(t, "example.com", "disabled", &z);
    refused(t, &z, OP_CONFIRM);
    refused(t, &z, OP_ROTATE_ZSK);
    refused(t, &z, OP_ROTATE_KSK);
    refused(t, &z, OP_DISABLE);
    run_ok(t, &z, OP_ENABLE);
    assert_status(t, &z, "pending_ds");
}

static void test_from_pending_ds(void **state)
{
    th_env *t = *state;
    sd_zone z, z2;
    reach(t, "example.com", "pending_ds", &z);
    refused(t, &z, OP_ENABLE);
    refused(t, &z, OP_ROTATE_KSK);
    run_ok(t, &z, OP_CONFIRM);
    assert_status(t, &z, "active");
    assert_int_equal(th_int(t->db, "SELECT ds_seen_at FROM keys WHERE id = %lld",
                            (long long)newest(t, &z, "KSK")),
                     TH_NOW);
    reach(t, "example.org", "pending_ds", &z2);
    run_ok(t, &z2, OP_DISABLE);
    assert_status(t, &z2, "disabled");
}

static void test_from_active(void **state)
{
    th_env *t = *state;
    sd_zone a, b, c;
    reach(t, "a.example", "active", &a);
    refused(t, &a, OP_ENABLE);
    refused(t, &a, OP_CONFIRM);
    run_ok(t, &a, OP_ROTATE_ZSK);
    assert_status(t, &a, "rotating_zsk");
    reach(t, "b.example", "active", &b);
    run_ok(t, &b, OP_ROTATE_KSK);
    assert_status(t, &b, "rotating_ksk");
    reach(t, "c.example", "active", &c);
    run_ok(t, &c, OP_DISABLE);
    assert_status(t, &c, "disabled");
}

static void test_from_rotating_zsk(void **state)
{
    th_env *t = *state;
    sd_zone z;
    reach(t, "example.com", "rotating_zsk", &z);
    refused(t, &z, OP_ENABLE);
    refused(t, &z, OP_CONFIRM);
    refused(t, &z, OP_ROTATE_ZSK);
    refused(t, &z, OP_ROTATE_KSK);
    run_ok(t, &z, OP_DISABLE);
    assert_status(t, &z, "disabled");
}

static void test_from_rotating_ksk(void **state)
{
    th_env *t = *state;
    sd_zone z, z2;
    reach(t, "example.com", "rotating_ksk", &z);
    refused(t, &z, OP_ENABLE);
    refused(t, &z, OP_ROTATE_ZSK);
    refused(t, &z, OP_ROTATE_KSK);
    run_ok(t, &z, OP_CONFIRM);
    assert_status(t, &z, "active");
    reach(t, "example.org", "rotating_ksk", &z2);
    run_ok(t, &z2, OP_DISABLE);
    assert_status(t, &z2, "disabled");
}

/* While the first DS is awaited a ZSK rollover may run (nothing about the parent depends on
 * the ZSK), one at a time; the zone still shows pending_ds until its DS is confirmed. */
static void test_rotate_zsk_pending_ds(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    reach(t, "example.com", "pending_ds", &z);
    int64_t old_zsk = newest(t, &z, "ZSK");
    th_assert_ok(sd_dnssec_rotate_zsk(&t->ctx, &z, &e), e);
    assert_status(t, &z, "pending_ds");
    int64_t new_zsk = newest(t, &z, "ZSK");
    assert_true(new_zsk > old_zsk);
    assert_int_equal(th_int(t->db,
                            "SELECT state = 'published' AND activate_at > %lld FROM keys "
                            "WHERE id = %lld",
                            (long long)TH_NOW, (long long)new_zsk),
                     1);
    assert_int_equal(th_int(t->db,
                            "SELECT retire_at IS NOT NULL AND remove_at IS NOT NULL FROM "
                            "keys WHERE id = %lld",
                            (long long)old_zsk),
                     1);
    /* A second one while the first runs: 409, nothing changed. */
    char *before = th_snapshot(t->db, 1);
    int rc = sd_dnssec_rotate_zsk(&t->ctx, &z, &e);
    char *after = th_snapshot(t->db, 1);
    th_assert_fail(rc, e, SD_ECONFLICT, "already under way");
    assert_string_equal(before, after);
    free(before);
    free(after);
    /* The DS of the KSK still confirms; the ZSK rollover then shows. */
    run_ok(t, &z, OP_CONFIRM);
    assert_status(t, &z, "rotating_zsk");
}

/* After a full cycle a zone can start again, and the cycle can repeat. */
static void test_cycles(void **state)
{
    th_env *t = *state;
    sd_zone z;
    reach(t, "example.com", "active", &z);
    for (int i = 0; i < 2; i++) {
        run_ok(t, &z, OP_ROTATE_KSK);
        run_ok(t, &z, OP_CONFIRM);
        assert_status(t, &z, "active");
    }
    run_ok(t, &z, OP_DISABLE);
    run_ok(t, &z, OP_ENABLE);
    assert_status(t, &z, "pending_ds");
    assert_int_equal(th_int(t->db,
                            "SELECT count(*) FROM keys WHERE zone_id = %lld AND state <> 'removed'",
                            z.id),
                     2);
    int64_t rows;
    sd_err e;
    th_assert_ok(sd_audit_verify(t->db, &rows, &e), e);
}

/* ---- races ---------------------------------------------------------------------------------
 * enable and the rotations check the status before they generate keys (cheap refusals), then
 * again inside their transaction, because another writer (the API, the scheduler, scaidnsctl)
 * may have changed it meanwhile. To run a transition exactly in that gap, a second connection
 * holds the write lock; when the call under test waits for it, its busy handler releases it
 * and makes the other transition through that second connection first. */

typedef struct race {
    th_env *t;
    sqlite3 *other;
    const sd_zone *z;
    op_t op;   /* what the other writer does */
    int fired; /* the handler ran the other transition */
    int rc;    /* and how it ended */
    sd_err e;
} race;

static int race_busy(void *arg, int n)
{
    race *r = arg;
    (void)n;
    if (r->fired)
        return 0;
    r->fired = 1;
    sqlite3_exec(r->other, "ROLLBACK", NULL, NULL, NULL);
    sqlite3 *mine = r->t->db;
    r->t->db = r->t->ctx.db = r->other;
    r->rc = run(r->t, r->z, r->op, &r->e);
    r->t->db = r->t->ctx.db = mine;
    return 1; /* try again: the lock is free now */
}

/* Runs mine on z while other is made by a concurrent writer in the gap; returns mine's result. */
static int race_run(th_env *t, const sd_zone *z, op_t mine, op_t other, sd_err *e)
{
    race r = {t, NULL, z, other, 0, 0, {0, ""}};
    sd_err oe;
    th_assert_ok(sd_db_open(t->path, 0, &r.other, &oe), oe);
    th_exec(r.other, "BEGIN IMMEDIATE");
    sqlite3_busy_handler(t->db, race_busy, &r);
    int rc = run(t, z, mine, e);
    sqlite3_busy_timeout(t->db, 5000);
    sd_db_close(r.other);
    if (!r.fired)
        fail_msg("%s never waited for the write lock: the race was not run", OP_NAMES[mine]);
    if (r.rc != 0)
        fail_msg("the concurrent %s failed: %s", OP_NAMES[other], r.e.msg);
    return rc;
}

static void test_race_enable(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    th_zone(t, "example.com", &z);
    int rc = race_run(t, &z, OP_ENABLE, OP_ENABLE, &e);
    th_assert_fail(rc, e, SD_ECONFLICT, "status: pending_ds");
    /* One KSK and one ZSK: the late enable added none. */
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM keys WHERE zone_id = %lld", z.id), 2);
    assert_status(t, &z, "pending_ds");
}

static void test_race_rotate(void **state)
{
    th_env *t = *state;
    sd_zone a, b;
    sd_err e;
    reach(t, "a.example", "active", &a);
    int rc = race_run(t, &a, OP_ROTATE_ZSK, OP_DISABLE, &e);
    th_assert_fail(rc, e, SD_ECONFLICT, "disabled");
    assert_int_equal(th_int(t->db,
                            "SELECT count(*) FROM keys WHERE zone_id = %lld AND state <> 'removed'",
                            a.id),
                     0);
    reach(t, "b.example", "active", &b);
    rc = race_run(t, &b, OP_ROTATE_KSK, OP_ROTATE_ZSK, &e);
    th_assert_fail(rc, e, SD_ECONFLICT, "rotating_zsk");
    assert_int_equal(th_int(t->db,
                            "SELECT count(*) FROM keys WHERE zone_id = %lld AND role = 'KSK' AND "
                            "state <> 'removed'",
                            b.id),
                     1);
    assert_status(t, &b, "rotating_zsk");
}

/* ---- confirm-ds ---------------------------------------------------------------------------- */

static void test_confirm_digest_types(void **state)
{
    th_env *t = *state;
    sd_zone a, b, c;
    sd_err e;
    reach(t, "a.example", "pending_ds", &a);
    th_assert_ok(confirm_newest(t, &a, 2, &e), e);
    assert_status(t, &a, "active");
    reach(t, "b.example", "pending_ds", &b);
    th_assert_ok(confirm_newest(t, &b, 4, &e), e);
    assert_status(t, &b, "active");
    /* Hex digits in any case; a DS line as a registrar shows it. */
    reach(t, "c.example", "pending_ds", &c);
    sd_ds ds, parsed;
    key_ds(t, &c, newest(t, &c, "KSK"), 2, &ds);
    char line[300];
    snprintf(line, sizeof line, "c.example. 3600 IN DS %d %d %d %.32s %s", ds.key_tag, ds.algorithm,
             ds.digest_type, ds.digest, ds.digest + 32);
    for (char *p = line; *p; p++)
        if (*p >= 'A' && *p <= 'F')
            *p = (char)(*p - 'A' + 'a');
    th_assert_ok(sd_ds_parse(line, &parsed, &e), e);
    th_assert_ok(sd_dnssec_confirm_ds(&t->ctx, &c, &parsed, 1, &e), e);
    assert_status(t, &c, "active");
}

/* Asserts that confirming with the n DS records ds is refused with 400, why in the message,
 * and no change at all (the audit trail included). */
static void confirm_bad(th_env *t, const sd_zone *z, const sd_ds *ds, size_t n, const char *why)
{
    sd_err e;
    char status[32];
    snprintf(status, sizeof status, "%s", status_of(t, z));
    char *before = th_snapshot(t->db, 1);
    int rc = sd_dnssec_confirm_ds(&t->ctx, z, ds, n, &e);
    char *after = th_snapshot(t->db, 1);
    th_assert_fail(rc, e, SD_EBADINPUT, why);
    if (strcmp(before, after) != 0)
        fail_msg("a refused confirm (%s) changed the keystore", e.msg);
    assert_status(t, z, status);
    free(before);
    free(after);
}

/* Every way a DS can be wrong, in one status. */
static void confirm_wrong_ones(th_env *t, const sd_zone *z, const sd_zone *other)
{
    sd_ds good, bad;
    int64_t ksk = newest(t, z, "KSK");
    key_ds(t, z, ksk, 2, &good);

    bad = good;
    bad.digest[10] = bad.digest[10] == '0' ? '1' : '0';
    confirm_bad(t, z, &bad, 1, "matches no current KSK");
    bad = good;
    bad.digest[63] = '\0'; /* one hex digit short */
    confirm_bad(t, z, &bad, 1, "matches no current KSK");
    bad = good;
    bad.key_tag = (good.key_tag + 1) % 65536;
    confirm_bad(t, z, &bad, 1, "matches no current KSK");
    bad = good;
    bad.algorithm = 8;
    confirm_bad(t, z, &bad, 1, "matches no current KSK");
    bad = good;
    bad.algorithm = 14;
    confirm_bad(t, z, &bad, 1, "matches no current KSK");
    /* Digest types other than 2 and 4 (SHA-1 is not accepted). */
    bad = good;
    bad.digest_type = 1;
    confirm_bad(t, z, &bad, 1, "matches no current KSK");
    char *kpub = th_text(t->db, "SELECT public_key FROM keys WHERE id = %lld", (long long)ksk);
    ldns_ds(z->name, 257, 13, kpub, 1, &bad); /* a real SHA-1 DS of the right key */
    free(kpub);
    assert_int_equal(strlen(bad.digest), 40);
    confirm_bad(t, z, &bad, 1, "matches no current KSK");
    bad = good;
    bad.digest_type = 4; /* a SHA-256 digest labelled as SHA-384 */
    confirm_bad(t, z, &bad, 1, "matches no current KSK");
    /* The ZSK's DS: not a key the parent may point at. */
    key_ds(t, z, newest(t, z, "ZSK"), 2, &bad);
    confirm_bad(t, z, &bad, 1, "matches no current KSK");
    /* Another zone's KSK, and this KSK hashed under another owner name. */
    key_ds(t, other, newest(t, other, "KSK"), 2, &bad);
    confirm_bad(t, z, &bad, 1, "matches no current KSK");
    char *pub = th_text(t->db, "SELECT public_key FROM keys WHERE id = %lld", (long long)ksk);
    ldns_ds("www.example.net.", 257, 13, pub, 2, &bad);
    free(pub);
    confirm_bad(t, z, &bad, 1, "matches no current KSK");
    /* One good and one bad: all or nothing. */
    sd_ds two[2] = {good, good};
    two[1].digest[0] = two[1].digest[0] == 'F' ? 'E' : 'F';
    confirm_bad(t, z, two, 2, "matches no current KSK");
    /* None at all. */
    confirm_bad(t, z, &good, 0, "at least one DS");
}

static void test_confirm_wrong_pending(void **state)
{
    th_env *t = *state;
    sd_zone z, other;
    reach(t, "example.net", "pending_ds", &z);
    reach(t, "example.org", "pending_ds", &other);
    confirm_wrong_ones(t, &z, &other);
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM keys WHERE ds_seen_at IS NOT NULL"), 0);
    sd_err e;
    th_assert_ok(confirm_newest(t, &z, 2, &e), e); /* the right one still works */
    assert_status(t, &z, "active");
}

static void test_confirm_wrong_rotating(void **state)
{
    th_env *t = *state;
    sd_zone z, other;
    reach(t, "example.net", "rotating_ksk", &z);
    reach(t, "example.org", "pending_ds", &other);
    past_ds_publish_after(t, &z); /* else every confirmation is refused for its timing */
    confirm_wrong_ones(t, &z, &other);
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM keys WHERE remove_at IS NOT NULL"), 0);
}

/* ---- rollovers ----------------------------------------------------------------------------- */

static void test_rotate_zsk(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    reach(t, "example.com", "active", &z);
    /* The zone serves a record with a long TTL: old signatures live that long. */
    const char *a[] = {"192.0.2.1"};
    th_assert_ok(sd_rrset_put(t->db, &z, "long", "A", 2 * DAY, a, 1, 0, &e), e);
    int64_t old_zsk = newest(t, &z, "ZSK"), ksk = newest(t, &z, "KSK");
    char *ksk_before = th_text(t->db, "SELECT group_concat(id || state || coalesce(retire_at, '') "
                                      "|| coalesce(remove_at, '')) FROM keys WHERE role = 'KSK'");
    int64_t serial = th_serial(t->db, z.id);
    th_assert_ok(sd_dnssec_rotate_zsk(&t->ctx, &z, &e), e);
    assert_status(t, &z, "rotating_zsk");
    int64_t new_zsk = newest(t, &z, "ZSK");
    assert_true(new_zsk > old_zsk);
    assert_int_equal(th_serial(t->db, z.id), serial + 1);

    /* Expected times, from the policy and what the zone serves (SOA minimum 3600). */
    sd_zone_ttls ttls = {2 * DAY, 3600, 3600};
    int64_t activate = TH_NOW + sd_wait_publish(&t->policy, &ttls);
    int64_t remove = activate + sd_wait_retire(&t->policy, &ttls);
    assert_true(remove - activate >= 2 * DAY);
    char want[300];
    char *row = th_text(t->db,
                        "SELECT state || ' ' || algorithm || ' ' || publish_at || ' ' || "
                        "activate_at || ' ' || coalesce(retire_at, '-') || ' ' || "
                        "coalesce(remove_at, '-') || ' ' || expires_at || ' ' || "
                        "(sealed_private IS NOT NULL) FROM keys WHERE id = %lld",
                        (long long)new_zsk);
    snprintf(want, sizeof want, "published 13 %lld %lld - - %lld 1", (long long)TH_NOW,
             (long long)activate, (long long)(activate + t->policy.zsk_lifetime));
    assert_string_equal(row, want);
    free(row);
    row = th_text(t->db,
                  "SELECT state || ' ' || retire_at || ' ' || remove_at FROM keys WHERE id = %lld",
                  (long long)old_zsk);
    snprintf(want, sizeof want, "active %lld %lld", (long long)activate, (long long)remove);
    assert_string_equal(row, want);
    free(row);
    /* The KSK is not touched. */
    char *ksk_after = th_text(t->db, "SELECT group_concat(id || state || coalesce(retire_at, '') "
                                     "|| coalesce(remove_at, '')) FROM keys WHERE role = 'KSK'");
    assert_string_equal(ksk_before, ksk_after);
    free(ksk_before);
    free(ksk_after);
    (void)ksk;
    /* The admin view says what happens next, and when. */
    char *next = th_text(t->db, "SELECT next_step_at FROM dnssec_status WHERE zone = %Q", z.name);
    char *want_next = th_text(t->db, "SELECT datetime(%lld, 'unixepoch')", (long long)activate);
    assert_string_equal(next, want_next);
    free(next);
    free(want_next);
    assert_int_equal(th_int(t->db, "SELECT zsks FROM dnssec_status WHERE zone = %Q", z.name), 2);
    assert_int_equal(th_int(t->db,
                            "SELECT count(*) FROM dnssec_keys WHERE zone = %Q AND role = 'ZSK' "
                            "AND published AND NOT active",
                            z.name),
                     1);
}

static void test_rotate_ksk_then_confirm(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    reach(t, "example.com", "active", &z);
    int64_t old_ksk = newest(t, &z, "KSK");
    int64_t old_seen = th_int(t->db, "SELECT ds_seen_at FROM keys WHERE id = %lld", old_ksk);
    t->ctx.now = TH_NOW + 100;
    th_assert_ok(sd_dnssec_rotate_ksk(&t->ctx, &z, &e), e);
    assert_status(t, &z, "rotating_ksk");
    int64_t new_ksk = newest(t, &z, "KSK");
    assert_true(new_ksk > old_ksk);
    /* Both KSKs sign the DNSKEY set; the new one waits for its DS. */
    char want[300];
    char *row = th_text(t->db,
                        "SELECT state || ' ' || algorithm || ' ' || flags || ' ' || publish_at || "
                        "' ' || activate_at || ' ' || ds_submitted_at || ' ' || "
                        "coalesce(ds_seen_at, '-') || ' ' || coalesce(remove_at, '-') "
                        "FROM keys WHERE id = %lld",
                        (long long)new_ksk);
    snprintf(want, sizeof want, "active 13 257 %lld %lld %lld - -", (long long)(TH_NOW + 100),
             (long long)(TH_NOW + 100), (long long)(TH_NOW + 100));
    assert_string_equal(row, want);
    free(row);
    assert_int_equal(th_int(t->db,
                            "SELECT state = 'active' AND remove_at IS NULL FROM keys "
                            "WHERE id = %lld",
                            old_ksk),
                     1);
    /* The parent is given both DS (old and new) while the rollover runs. */
    json_t *ds;
    th_assert_ok(sd_dnssec_ds_json(t->db, &z, &ds, &e), e);
    assert_int_equal(json_array_size(ds), 4);
    json_decref(ds);

    /* Confirming the old DS again changes nothing: 409 naming the DS still awaited, and the
     * keystore (audit trail too) as it was. */
    sd_ds old_ds;
    key_ds(t, &z, old_ksk, 2, &old_ds);
    t->ctx.now = TH_NOW + 200;
    char *before = th_snapshot(t->db, 1);
    int rc = sd_dnssec_confirm_ds(&t->ctx, &z, &old_ds, 1, &e);
    char *after = th_snapshot(t->db, 1);
    assert_string_equal(before, after);
    free(before);
    free(after);
    char awaited[64];
    snprintf(awaited, sizeof awaited, "awaits the DS of KSK %d (ds_publish_after",
             (int)th_int(t->db, "SELECT key_tag FROM keys WHERE id = %lld", (long long)new_ksk));
    th_assert_fail(rc, e, SD_ECONFLICT, awaited);
    assert_status(t, &z, "rotating_ksk");
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM keys WHERE remove_at IS NOT NULL"), 0);
    assert_int_equal(th_int(t->db, "SELECT ds_seen_at FROM keys WHERE id = %lld", old_ksk),
                     old_seen);

    /* The new DS before the new KSK's ds_publish_after: a resolver may still hold the old
     * DNSKEY RRset, so 409 naming ds_publish_after, and nothing changes. */
    int64_t ready =
        th_int(t->db, "SELECT ds_publish_at FROM keys WHERE id = %lld", (long long)new_ksk);
    sd_zone_ttls ttls;
    th_assert_ok(sd_zone_ttls_load(t->db, z.id, &ttls, &e), e);
    assert_int_equal(ready, TH_NOW + 100 + sd_wait_publish(&t->policy, &ttls));
    sd_ds new_ds;
    key_ds(t, &z, new_ksk, 4, &new_ds);
    t->ctx.now = ready - 1;
    before = th_snapshot(t->db, 1);
    rc = sd_dnssec_confirm_ds(&t->ctx, &z, &new_ds, 1, &e);
    after = th_snapshot(t->db, 1);
    th_assert_fail(rc, e, SD_ECONFLICT, "ds_publish_after");
    assert_non_null(strstr(e.msg, "(1 s from now)"));
    assert_string_equal(before, after);
    free(before);
    free(after);
    assert_status(t, &z, "rotating_ksk");

    /* From ds_publish_after the new DS ends the rollover; the old KSK goes once the old DS has
     * expired from every cache. */
    t->ctx.now = ready;
    th_assert_ok(sd_dnssec_confirm_ds(&t->ctx, &z, &new_ds, 1, &e), e);
    assert_status(t, &z, "active");
    assert_int_equal(th_int(t->db, "SELECT ds_seen_at FROM keys WHERE id = %lld", new_ksk), ready);
    assert_int_equal(th_int(t->db, "SELECT remove_at FROM keys WHERE id = %lld", old_ksk),
                     ready + sd_wait_parent_ds(&t->policy));
    assert_int_equal(th_int(t->db, "SELECT remove_at IS NULL FROM keys WHERE id = %lld", new_ksk),
                     1);
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM keys WHERE role = 'ZSK' AND "
                                   "remove_at IS NOT NULL"),
                     0);
    /* The DS to keep at the parent is now the new one only. */
    th_assert_ok(sd_dnssec_ds_json(t->db, &z, &ds, &e), e);
    assert_int_equal(json_array_size(ds), 2);
    sd_ds want_ds;
    key_ds(t, &z, new_ksk, 2, &want_ds);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(ds, 0), "key_tag")),
                     want_ds.key_tag);
    json_decref(ds);
    char *next = th_text(t->db, "SELECT next_step_at FROM dnssec_status WHERE zone = %Q", z.name);
    assert_string_not_equal(next, "");
    free(next);
    assert_int_equal(oldest(t, &z, "KSK"), old_ksk);
}

/* The operator lists every DS the parent holds, old and new: the rollover still ends and the
 * old KSK is still scheduled for removal (a stale DS at the parent is harmless; a KSK kept
 * forever is not what a rollover is for). */
static void test_rotate_ksk_confirm_both(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    reach(t, "example.com", "active", &z);
    int64_t old_ksk = newest(t, &z, "KSK");
    run_ok(t, &z, OP_ROTATE_KSK);
    int64_t new_ksk = newest(t, &z, "KSK");
    sd_ds both[2];
    key_ds(t, &z, old_ksk, 2, &both[0]);
    key_ds(t, &z, new_ksk, 2, &both[1]);
    past_ds_publish_after(t, &z);
    int64_t at = t->ctx.now;
    th_assert_ok(sd_dnssec_confirm_ds(&t->ctx, &z, both, 2, &e), e);
    assert_status(t, &z, "active");
    assert_int_equal(th_int(t->db, "SELECT remove_at FROM keys WHERE id = %lld", old_ksk),
                     at + sd_wait_parent_ds(&t->policy));
    assert_int_equal(th_int(t->db, "SELECT remove_at IS NULL FROM keys WHERE id = %lld", new_ksk),
                     1);
}

/* ---- disable ------------------------------------------------------------------------------ */

static void disable_from(th_env *t, const char *name, const char *status)
{
    sd_zone z;
    sd_err e;
    reach(t, name, status, &z);
    int64_t keys = th_int(t->db, "SELECT count(*) FROM keys WHERE zone_id = %lld", z.id);
    assert_true(keys >= 2);
    int64_t serial = th_serial(t->db, z.id);
    t->ctx.now = TH_NOW + 500;
    th_assert_ok(sd_dnssec_disable(&t->ctx, &z, &e), e);
    t->ctx.now = TH_NOW;
    assert_status(t, &z, "disabled");
    assert_int_equal(th_serial(t->db, z.id), serial + 1);
    /* Every key removed, its private key wiped. */
    assert_int_equal(th_int(t->db,
                            "SELECT count(*) FROM keys WHERE zone_id = %lld AND "
                            "state = 'removed' AND sealed_private IS NULL AND remove_at = %lld",
                            z.id, (long long)(TH_NOW + 500)),
                     keys);
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM dnssec_keys WHERE zone = %Q", z.name), 0);
    json_t *j;
    th_assert_ok(sd_dnssec_state_json(t->db, &z, &j, &e), e);
    assert_true(json_is_false(json_object_get(j, "enabled")));
    assert_int_equal(json_array_size(json_object_get(j, "ksk")), 0);
    assert_int_equal(json_array_size(json_object_get(j, "zsk")), 0);
    assert_int_equal(json_array_size(json_object_get(j, "ds_records")), 0);
    json_decref(j);
}

static void test_disable_from_each(void **state)
{
    th_env *t = *state;
    disable_from(t, "a.example", "pending_ds");
    disable_from(t, "b.example", "active");
    disable_from(t, "c.example", "rotating_zsk");
    disable_from(t, "d.example", "rotating_ksk");
}

/* ---- state JSON --------------------------------------------------------------------------- */

/* Asserts that key object k has the reference's fields with the values of key row id. */
static void check_key_json(th_env *t, const sd_zone *z, json_t *k, int64_t id, const char *type,
                           const char *created, const char *expires, int active)
{
    assert_true(json_is_object(k));
    assert_int_equal(json_integer_value(json_object_get(k, "key_tag")),
                     th_int(t->db, "SELECT key_tag FROM keys WHERE id = %lld", id));
    assert_true(json_is_integer(json_object_get(k, "key_tag")));
    assert_int_equal(json_integer_value(json_object_get(k, "algorithm")), 13);
    char *pub = th_text(t->db, "SELECT public_key FROM keys WHERE id = %lld", id);
    assert_string_equal(json_string_value(json_object_get(k, "public_key")), pub);
    free(pub);
    assert_string_equal(json_string_value(json_object_get(k, "key_type")), type);
    assert_string_equal(json_string_value(json_object_get(k, "created_at")), created);
    assert_string_equal(json_string_value(json_object_get(k, "expires_at")), expires);
    assert_true(json_is_boolean(json_object_get(k, "active")));
    assert_int_equal(json_is_true(json_object_get(k, "active")), active);
    (void)z;
}

static void test_state_json(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    json_t *j;
    th_zone(t, "example.com", &z);
    th_assert_ok(sd_dnssec_state_json(t->db, &z, &j, &e), e);
    assert_true(json_is_false(json_object_get(j, "enabled")));
    assert_string_equal(json_string_value(json_object_get(j, "status")), "disabled");
    assert_true(json_is_array(json_object_get(j, "ksk")));
    assert_true(json_is_array(json_object_get(j, "zsk")));
    assert_true(json_is_array(json_object_get(j, "ds_records")));
    assert_int_equal(json_array_size(json_object_get(j, "ksk")), 0);
    json_decref(j);

    run_ok(t, &z, OP_ENABLE);
    th_assert_ok(sd_dnssec_state_json(t->db, &z, &j, &e), e);
    assert_true(json_is_true(json_object_get(j, "enabled")));
    assert_string_equal(json_string_value(json_object_get(j, "status")), "pending_ds");
    assert_int_equal(json_integer_value(json_object_get(j, "algorithm")), 13);
    assert_string_equal(json_string_value(json_object_get(j, "domain_id")), z.public_id);
    json_t *ksk = json_object_get(j, "ksk"), *zsk = json_object_get(j, "zsk");
    assert_int_equal(json_array_size(ksk), 1);
    assert_int_equal(json_array_size(zsk), 1);
    check_key_json(t, &z, json_array_get(ksk, 0), newest(t, &z, "KSK"), "KSK",
                   "2026-04-23T10:00:00Z", "2027-04-23T10:00:00Z", 1);
    check_key_json(t, &z, json_array_get(zsk, 0), newest(t, &z, "ZSK"), "ZSK",
                   "2026-04-23T10:00:00Z", "2026-05-23T10:00:00Z", 1);
    /* DS records: both digest types of the KSK, exactly as ldns computes them. */
    json_t *ds = json_object_get(j, "ds_records");
    assert_int_equal(json_array_size(ds), 2);
    for (size_t i = 0; i < 2; i++) {
        json_t *d = json_array_get(ds, i);
        int type = (int)json_integer_value(json_object_get(d, "digest_type"));
        assert_true(type == 2 || type == 4);
        sd_ds want;
        key_ds(t, &z, newest(t, &z, "KSK"), type, &want);
        assert_int_equal(json_integer_value(json_object_get(d, "key_tag")), want.key_tag);
        assert_int_equal(json_integer_value(json_object_get(d, "algorithm")), 13);
        assert_string_equal(json_string_value(json_object_get(d, "digest")), want.digest);
    }
    assert_int_not_equal(json_integer_value(json_object_get(json_array_get(ds, 0), "digest_type")),
                         json_integer_value(json_object_get(json_array_get(ds, 1), "digest_type")));
    json_decref(j);

    /* During a ZSK rollover the new ZSK is listed, not yet active. */
    run_ok(t, &z, OP_CONFIRM);
    run_ok(t, &z, OP_ROTATE_ZSK);
    th_assert_ok(sd_dnssec_state_json(t->db, &z, &j, &e), e);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "rotating_zsk");
    zsk = json_object_get(j, "zsk");
    assert_int_equal(json_array_size(zsk), 2);
    check_key_json(t, &z, json_array_get(zsk, 0), oldest(t, &z, "ZSK"), "ZSK",
                   "2026-04-23T10:00:00Z", "2026-05-23T10:00:00Z", 1);
    assert_true(json_is_false(json_object_get(json_array_get(zsk, 1), "active")));
    json_decref(j);

    /* One key alone; an unknown id is 404. */
    th_assert_ok(sd_dnssec_key_json(t->db, &z, newest(t, &z, "KSK"), &j, &e), e);
    check_key_json(t, &z, j, newest(t, &z, "KSK"), "KSK", "2026-04-23T10:00:00Z",
                   "2027-04-23T10:00:00Z", 1);
    json_decref(j);
    th_assert_fail(sd_dnssec_key_json(t->db, &z, 9999, &j, &e), e, SD_ENOTFOUND, "not found");
    /* A key of another zone is not this zone's. */
    sd_zone other;
    reach(t, "example.org", "pending_ds", &other);
    th_assert_fail(sd_dnssec_key_json(t->db, &z, newest(t, &other, "KSK"), &j, &e), e, SD_ENOTFOUND,
                   "not found");
}

/* A zone deleted after it was looked up: every call says 404, not 500. */
static void test_deleted_zone(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    th_zone(t, "example.com", &z);
    th_assert_ok(sd_zone_delete(t->db, "example.com", "test", TH_NOW, &e), e);
    for (int op = OP_ENABLE; op <= OP_DISABLE; op++) {
        sd_err_clear(&e);
        int rc = run(t, &z, (op_t)op, &e);
        if (rc != -SD_ENOTFOUND)
            fail_msg("%s on a deleted zone: %d %s", OP_NAMES[op], e.code, e.msg);
    }
    json_t *j;
    th_assert_fail(sd_dnssec_state_json(t->db, &z, &j, &e), e, SD_ENOTFOUND, "not found");
}

/* ---- DS parsing --------------------------------------------------------------------------- */

static void test_ds_parse(void **state)
{
    (void)state;
    sd_ds ds;
    sd_err e;
    th_assert_ok(sd_ds_parse("12345 13 2 A1B2C3", &ds, &e), e);
    assert_int_equal(ds.key_tag, 12345);
    assert_int_equal(ds.algorithm, 13);
    assert_int_equal(ds.digest_type, 2);
    assert_string_equal(ds.digest, "A1B2C3");
    th_assert_ok(sd_ds_parse("example.com. 3600 IN DS 0 8 4 aabb ccdd\teeff", &ds, &e), e);
    assert_int_equal(ds.key_tag, 0);
    assert_int_equal(ds.algorithm, 8);
    assert_int_equal(ds.digest_type, 4);
    assert_string_equal(ds.digest, "aabbccddeeff");
    th_assert_ok(sd_ds_parse("example.com. ds 65535 15 2 00", &ds, &e), e);
    assert_int_equal(ds.key_tag, 65535);
    th_assert_ok(sd_ds_parse("example.com. IN DS 1 13 2 ff", &ds, &e), e);
    /* A SHA-256 digest pasted in 16 groups of four, as some registrars show it: every group
     * counts (found by fuzz_ds: words past the 16th of the line were dropped). */
    th_assert_ok(sd_ds_parse("example.net. 3600 IN DS 12345 15 2 1F98 7CC6 583E 92DF 0890 718C "
                             "42F8 6D32 E5FF 6E3A 0AB2 7A04 C49E C8D0 D2D7 9F26",
                             &ds, &e),
                 e);
    assert_string_equal(ds.digest,
                        "1F987CC6583E92DF0890718C42F86D32E5FF6E3A0AB27A04C49EC8D0D2D79F26");

    static const struct {
        const char *text, *why;
    } bad[] = {
        {"", "invalid DS"},
        {"12345 13 2", "invalid DS"},
        {"example.com. IN DS 12345 13 2", "invalid DS"},
        {"65536 13 2 AA", "numbers"},
        {"-1 13 2 AA", "numbers"},
        {"12345 256 2 AA", "numbers"},
        {"12345 13 256 AA", "numbers"},
        {"x 13 2 AA", "numbers"},
        {"12345 13x 2 AA", "numbers"},
        {"12345 13 2 XYZ", "hex"},
        {"12345 13 2 AA-BB", "hex"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sd_err_clear(&e);
        int rc = sd_ds_parse(bad[i].text, &ds, &e);
        if (rc == 0)
            fail_msg("DS \"%s\" was accepted", bad[i].text);
        th_assert_fail(rc, e, SD_EBADINPUT, bad[i].why);
    }
    th_assert_fail(sd_ds_parse(NULL, &ds, &e), e, SD_EBADINPUT, "invalid DS");
    /* A digest longer than any real one. */
    char big[400] = "1 13 2 ";
    for (int i = 0; i < 150; i++)
        strcat(big, "AB");
    th_assert_fail(sd_ds_parse(big, &ds, &e), e, SD_EBADINPUT, "invalid DS");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, th_setup, th_teardown)
    const struct CMUnitTest tests[] = {
        T(test_enable_default),
        T(test_enable_ecdsa_eddsa),
        T(test_enable_rsasha256),
        T(test_enable_rsasha512),
        T(test_enable_unsupported),
        T(test_from_disabled),
        T(test_from_pending_ds),
        T(test_from_active),
        T(test_from_rotating_zsk),
        T(test_from_rotating_ksk),
        T(test_cycles),
        T(test_rotate_zsk_pending_ds),
        T(test_race_enable),
        T(test_race_rotate),
        T(test_confirm_digest_types),
        T(test_confirm_wrong_pending),
        T(test_confirm_wrong_rotating),
        T(test_rotate_zsk),
        T(test_rotate_ksk_then_confirm),
        T(test_rotate_ksk_confirm_both),
        T(test_disable_from_each),
        T(test_state_json),
        T(test_deleted_zone),
        cmocka_unit_test(test_ds_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
