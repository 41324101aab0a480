/* test_engine.c - the timed steps of rollovers, on a virtual clock, and a model resolver
 * that caches everything for as long as it may: at no moment may what it can hold together
 * fail to validate. */
#include "th.h"

#include "api/metrics.h"
#include "lifecycle/engine.h"
#include "lifecycle/keystate.h"
#include "lifecycle/timing.h"

/* What the zone serves (and the parent holds) from time `at` on; sets are key ids. */
typedef struct served {
    int64_t at;
    uint64_t published, zsk_sign, ksk_sign, ds;
    uint32_t published_algs, zsk_sign_algs; /* bit per algorithm number */
} served;

typedef struct history {
    served s[4096];
    size_t n;
    uint64_t parent_ds; /* what the test's "operator" keeps at the parent */
} history;

/* The bit of key id (ids stay small in these tests). */
static uint64_t bit(int64_t id)
{
    assert_true(id > 0 && id < 64);
    return (uint64_t)1 << id;
}

/* Records what the zone serves at time at. */
static void snap(th_env *t, const sd_zone *z, history *h, int64_t at)
{
    served s = {.at = at, .ds = h->parent_ds};
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(t->db,
                                        "SELECT id, role, state, algorithm FROM keys WHERE "
                                        "zone_id = ? AND state <> 'removed'",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_int64(st, 1, z->id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        uint64_t b = bit(sqlite3_column_int64(st, 0));
        int ksk = strcmp((const char *)sqlite3_column_text(st, 1), "KSK") == 0;
        const char *state = (const char *)sqlite3_column_text(st, 2);
        int active = strcmp(state, "active") == 0 || strcmp(state, "signing") == 0;
        uint32_t alg = (uint32_t)1 << sqlite3_column_int(st, 3);
        if (strcmp(state, "signing") != 0) {
            s.published |= b;
            s.published_algs |= alg;
        }
        if (active && ksk)
            s.ksk_sign |= b;
        if (active && !ksk) {
            s.zsk_sign |= b;
            s.zsk_sign_algs |= alg;
        }
    }
    sqlite3_finalize(st);
    assert_true(h->n < sizeof h->s / sizeof h->s[0]);
    h->s[h->n++] = s;
}

/* Counts (and prints) every combination a resolver may hold at time T that fails: a DNSKEY
 * set cached within wd, an RRSIG within wr, a DS within wds. */
static int check_at(const history *h, int64_t T, int64_t wd, int64_t wr, int64_t wds)
{
    int bad = 0;
    for (size_t i = 0; i < h->n; i++) {
        int64_t end_i = i + 1 < h->n ? h->s[i + 1].at : INT64_MAX;
        if (h->s[i].at > T || end_i <= T - wd)
            continue; /* this DNSKEY set cannot be in a cache at T */
        const served *d = &h->s[i];
        for (size_t j = 0; j < h->n; j++) {
            int64_t end_j = j + 1 < h->n ? h->s[j + 1].at : INT64_MAX;
            const served *r = &h->s[j];
            if (r->at <= T && end_j > T - wr && r->zsk_sign && d->published &&
                !(r->zsk_sign & d->published))
                bad +=
                    printf("at %lld a DNSKEY set from %lld lacks every ZSK that signed at %lld\n",
                           (long long)(T - TH_NOW), (long long)(d->at - TH_NOW),
                           (long long)(r->at - TH_NOW));
            /* RFC 4035 section 2.2: every algorithm of the DNSKEY RRset signs every RRset. */
            if (r->at <= T && end_j > T - wr && r->zsk_sign &&
                (d->published_algs & ~r->zsk_sign_algs))
                bad += printf("at %lld a DNSKEY set from %lld has an algorithm that did not sign "
                              "at %lld\n",
                              (long long)(T - TH_NOW), (long long)(d->at - TH_NOW),
                              (long long)(r->at - TH_NOW));
            if (r->at <= T && end_j > T - wds && r->ds && !(r->ds & d->ksk_sign & d->published))
                bad += printf("at %lld the DS from %lld matches no KSK signing the DNSKEY set "
                              "from %lld\n",
                              (long long)(T - TH_NOW), (long long)(r->at - TH_NOW),
                              (long long)(d->at - TH_NOW));
            if (r->at <= T && end_j > T - wds && r->ds && !d->zsk_sign && !d->published)
                bad += printf("at %lld a DS exists while an unsigned answer from %lld may be "
                              "cached\n",
                              (long long)(T - TH_NOW), (long long)(d->at - TH_NOW));
        }
    }
    return bad > 0;
}

/* Checks the whole history at each change and just before the next; returns the number of
 * moments at which some cache combination fails. */
static int check_history(th_env *t, const sd_zone *z, const history *h)
{
    sd_policy p;
    sd_zone_ttls ttl;
    sd_err e;
    assert_int_equal(sd_policy_load(t->db, z->id, &t->policy, &p, &e), 0);
    assert_int_equal(sd_zone_ttls_load(t->db, z->id, &ttl, &e), 0);
    /* What a resolver may cache: the TTLs themselves plus the propagation delay; no safety. */
    int64_t wd = sd_wait_dnskey_ttl(&p, &ttl) + p.propagation_delay;
    int64_t wr = sd_wait_retire(&p, &ttl) - p.retire_safety;
    int64_t wds = p.parent_ds_ttl + p.parent_propagation_delay;
    int bad = 0;
    for (size_t i = 0; i < h->n; i++) {
        bad += check_at(h, h->s[i].at, wd, wr, wds);
        if (i + 1 < h->n && h->s[i + 1].at - 1 > h->s[i].at)
            bad += check_at(h, h->s[i + 1].at - 1, wd, wr, wds);
    }
    return bad + check_at(h, h->s[h->n - 1].at + wds + wd + wr, wd, wr, wds);
}

/* The status of z. */
static void status_is(th_env *t, const sd_zone *z, const char *want)
{
    char s[32];
    sd_err e;
    assert_int_equal(sd_dnssec_status(t->db, z->id, s, sizeof s, &e), 0);
    assert_string_equal(s, want);
}

/* The earliest ds_publish_after of a KSK still waiting for its DS (0: none). */
static int64_t ds_publish_at(th_env *t, const sd_zone *z)
{
    return th_int(
        t->db,
        "SELECT coalesce(min(ds_publish_at), 0) FROM keys WHERE zone_id = %lld AND "
        "role = 'KSK' AND state <> 'removed' AND ds_seen_at IS NULL AND remove_at IS NULL",
        (long long)z->id);
}

/* Prints every key's state and times relative to now (for a failing test's log). */
static void dump_keys(th_env *t)
{
    sqlite3_stmt *st;
    sqlite3_prepare_v2(t->db,
                       "SELECT id, role, state, algorithm, publish_at - ?1, activate_at - ?1, "
                       "retire_at - ?1, remove_at - ?1, unpublish_at - ?1, roll_at - ?1, "
                       "ds_publish_at - ?1 FROM keys",
                       -1, &st, NULL);
    sqlite3_bind_int64(st, 1, t->ctx.now);
    while (sqlite3_step(st) == SQLITE_ROW) {
        printf("key");
        for (int i = 0; i < 11; i++)
            printf(" %s", sqlite3_column_type(st, i) == SQLITE_NULL
                              ? "-"
                              : (const char *)sqlite3_column_text(st, i));
        printf("\n");
    }
    sqlite3_finalize(st);
}

/* The operator: publishes the DS of the waiting KSK (replacing the old DS) at the time scaidns
 * says, then confirms. */
static void operator_publishes(th_env *t, const sd_zone *z, history *h)
{
    sd_err e;
    json_t *ds;
    assert_int_equal(sd_dnssec_ds_json(t->db, z, &ds, &e), 0);
    sd_ds list[8];
    size_t n = 0;
    size_t i;
    json_t *d;
    int64_t newest = th_int(t->db,
                            "SELECT max(key_tag) FROM keys WHERE zone_id = %lld AND role = 'KSK' "
                            "AND state <> 'removed' AND ds_seen_at IS NULL AND remove_at IS NULL",
                            (long long)z->id);
    json_array_foreach(ds, i, d)
    {
        if (json_integer_value(json_object_get(d, "digest_type")) == 2 &&
            json_integer_value(json_object_get(d, "key_tag")) == newest)
            assert_int_equal(
                sd_ds_parse(json_string_value(json_object_get(d, "ds")), &list[n++], &e), 0);
    }
    json_decref(ds);
    assert_int_equal(n, 1);
    h->parent_ds = bit(th_int(t->db,
                              "SELECT id FROM keys WHERE zone_id = %lld AND role = 'KSK' AND "
                              "key_tag = %lld AND state <> 'removed'",
                              (long long)z->id, (long long)newest));
    if (sd_dnssec_confirm_ds(&t->ctx, z, list, n, &e) < 0) {
        dump_keys(t);
        fail_msg("confirm: %s", e.msg);
    }
}

/* The seconds /metrics gives for zone (scaidns_zone_next_step_seconds), or INT64_MIN when it
 * has no such line. */
static int64_t metrics_next(th_env *t, const sd_zone *z)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    assert_int_equal(api_metrics_keystore(t->db, t->ctx.now, f), 0);
    fclose(f);
    char needle[SD_NAME_MAX + 64];
    snprintf(needle, sizeof needle, "scaidns_zone_next_step_seconds{zone=\"%s\"} ", z->name);
    const char *at = strstr(text, needle);
    int64_t v = at ? strtoll(at + strlen(needle), NULL, 10) : INT64_MIN;
    free(text);
    return v;
}

/* The one next-step rule, seen from everywhere it is read: the plan's first step, the engine's
 * zone_next (the stored next steps), the dnssec_status view, /metrics, and every key's stored
 * next_at against sd_key_next on its row all agree. */
static void check_agreement(th_env *t, const sd_zone *z)
{
    sd_err e;
    json_t *plan;
    assert_int_equal(sd_engine_plan_json(t->db, z, &t->policy, &plan, &e), 0);
    int64_t first = json_array_size(plan)
                        ? json_integer_value(json_object_get(json_array_get(plan, 0), "at_unix"))
                        : 0;
    const char *step = json_array_size(plan)
                           ? json_string_value(json_object_get(json_array_get(plan, 0), "step"))
                           : NULL;
    int64_t next;
    assert_int_equal(sd_engine_zone_next(t->db, z->id, &next, &e), 0);
    if (first != next) {
        dump_keys(t);
        fail_msg("plan says %s at %lld, the engine's next step is at %lld", step ? step : "-",
                 (long long)first, (long long)next);
    }
    int64_t view = th_int(t->db,
                          "SELECT coalesce(strftime('%%s', next_step_at), 0) FROM dnssec_status "
                          "WHERE zone_id = %lld",
                          (long long)z->id);
    assert_int_equal(view, next);
    if (step) {
        char *vstep = th_text(t->db, "SELECT next_step FROM dnssec_status WHERE zone_id = %lld",
                              (long long)z->id);
        /* Two steps at the same second may be listed in either order. */
        if (strcmp(vstep, step) != 0)
            assert_true(th_int(t->db,
                               "SELECT count(*) FROM keys WHERE zone_id = %lld AND next_at = %lld",
                               (long long)z->id, (long long)next) > 1);
        free(vstep);
    }
    assert_int_equal(metrics_next(t, z), next ? next - t->ctx.now : INT64_MIN);
    sd_key_row k[SD_ZONE_KEYS_MAX];
    size_t n;
    assert_int_equal(sd_key_rows_load(t->db, z->id, k, &n, &e), 0);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(th_int(t->db, "SELECT coalesce(next_at, 0) FROM keys WHERE id = %lld",
                                (long long)k[i].id),
                         sd_key_next(&k[i], NULL));
    json_decref(plan);
}

/* Advances the virtual clock through every step until end; the operator acts when asked.
 * Before each step, the plan, the engine, the admin view and /metrics must agree on it, and
 * the engine must take nothing a second before it. */
static void run_until(th_env *t, const sd_zone *z, history *h, int64_t end, int *zsk_rolls,
                      int *ksk_rolls)
{
    sd_err e;
    t->ctx.actor = "scheduler";
    for (int guard = 0; guard < 2000; guard++) {
        int64_t next = 0, pub = ds_publish_at(t, z);
        assert_int_equal(sd_engine_next_at(t->db, &next, &e), 0);
        if (pub && (!next || pub < next))
            next = pub;
        if (!next || next > end)
            return;
        if (next < t->ctx.now) {
            dump_keys(t);
            fail_msg("a step due at %lld was not taken", (long long)(next - TH_NOW));
        }
        check_agreement(t, z);
        int64_t zone_next;
        assert_int_equal(sd_engine_zone_next(t->db, z->id, &zone_next, &e), 0);
        if (zone_next > t->ctx.now + 1 && zone_next <= next) {
            int none = 0;
            int64_t ignored;
            t->ctx.now = zone_next - 1;
            assert_int_equal(sd_engine_run_zone(&t->ctx, z, &none, &ignored, &e), 0);
            if (none) {
                dump_keys(t);
                fail_msg("the engine took a step before the plan's first one");
            }
        }
        t->ctx.now = next;
        if (pub && pub <= t->ctx.now) {
            operator_publishes(t, z, h);
            snap(t, z, h, t->ctx.now);
        }
        int64_t before_zsk = th_int(t->db, "SELECT count(*) FROM keys WHERE role = 'ZSK'");
        int64_t before_ksk = th_int(t->db, "SELECT count(*) FROM keys WHERE role = 'KSK'");
        int steps = 0;
        if (sd_engine_run_zone(&t->ctx, z, &steps, &zone_next, &e) < 0)
            fail_msg("engine: %s", e.msg);
        if (next == zone_next && !steps && !(pub && pub <= t->ctx.now)) {
            dump_keys(t);
            fail_msg("the plan's step at %lld was not taken", (long long)(next - TH_NOW));
        }
        if (steps)
            snap(t, z, h, t->ctx.now);
        *zsk_rolls +=
            (int)(th_int(t->db, "SELECT count(*) FROM keys WHERE role = 'ZSK'") - before_zsk);
        *ksk_rolls +=
            (int)(th_int(t->db, "SELECT count(*) FROM keys WHERE role = 'KSK'") - before_ksk);
    }
    fail_msg("the engine did not settle (now +%lld)", (long long)(t->ctx.now - TH_NOW));
}

/* A zone with a few records of TTL 300 and DNSSEC (algorithm alg) enabled at TH_NOW, its
 * history begun. */
static void setup_zone_alg(th_env *t, sd_zone *z, history *h, int alg)
{
    sd_err e;
    th_zone(t, "example.com", z);
    const char *a[] = {"192.0.2.1"};
    assert_int_equal(sd_rrset_put(t->db, z, "www", "A", 300, a, 1, 0, &e), 0);
    memset(h, 0, sizeof *h);
    snap(t, z, h, TH_NOW - 86400); /* unsigned before */
    assert_int_equal(sd_dnssec_enable(&t->ctx, z, alg, &e), 0);
    snap(t, z, h, TH_NOW);
}

/* setup_zone_alg with algorithm 13. */
static void setup_zone(th_env *t, sd_zone *z, history *h)
{
    setup_zone_alg(t, z, h, 13);
}

/* setup_zone_alg, then a day of the engine: the DS is published and confirmed; the zone is
 * active at TH_NOW + 1 day. */
static void live_zone(th_env *t, sd_zone *z, history *h, int alg)
{
    int zsk = 0, ksk = 0;
    setup_zone_alg(t, z, h, alg);
    run_until(t, z, h, TH_NOW + 86400, &zsk, &ksk);
    status_is(t, z, "active");
}

/* A year of a zone's life with the default policy: ZSKs roll monthly, the KSK once, and no
 * moment breaks validation. */
static void test_year_of_rollovers(void **state)
{
    th_env *t = *state;
    sd_zone z;
    history *h = calloc(1, sizeof *h);
    setup_zone(t, &z, h);
    int zsk = 0, ksk = 0;
    run_until(t, &z, h, TH_NOW + 372 * 86400LL, &zsk, &ksk);
    assert_int_equal(check_history(t, &z, h), 0);
    assert_true(zsk >= 12 && zsk <= 13);
    assert_int_equal(ksk, 1);
    status_is(t, &z, "active");
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM keys WHERE state <> 'removed'"), 2);
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM keys WHERE state = 'removed' AND "
                                   "sealed_private IS NOT NULL"),
                     0);
    free(h);
}

/* The model notices a broken rollover: removing the old ZSK at once is caught. */
static void test_model_catches_early_removal(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    history *h = calloc(1, sizeof *h);
    setup_zone(t, &z, h);
    int zsk = 0, ksk = 0;
    run_until(t, &z, h, TH_NOW + 86400, &zsk, &ksk); /* DS published and confirmed */
    assert_int_equal(check_history(t, &z, h), 0);
    t->ctx.now = TH_NOW + 2 * 86400;
    assert_int_equal(sd_dnssec_rotate_zsk(&t->ctx, &z, &e), 0);
    /* Wrong order: the new ZSK signs at once and the old one disappears. */
    th_exec(t->db, "UPDATE keys SET state = 'removed' WHERE role = 'ZSK' AND state = 'active'");
    th_exec(t->db, "UPDATE keys SET state = 'active' WHERE role = 'ZSK' AND state = 'published'");
    snap(t, &z, h, t->ctx.now);
    assert_true(check_history(t, &z, h) > 0);
    free(h);
}

/* The model notices a DS published as soon as DNSSEC is enabled, before unsigned answers
 * and DNSKEY-less caches have expired; and an old KSK removed while its DS may be cached. */
static void test_model_catches_early_ds_and_ksk_removal(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    history *h = calloc(1, sizeof *h);
    setup_zone(t, &z, h);
    operator_publishes(t, &z, h); /* at TH_NOW: too early */
    snap(t, &z, h, t->ctx.now);
    assert_true(check_history(t, &z, h) > 0);

    uint64_t ds = h->parent_ds;
    memset(h, 0, sizeof *h);
    h->parent_ds = ds; /* a fresh history that starts from the published DS */
    int zsk = 0, ksk = 0;
    snap(t, &z, h, TH_NOW);
    t->ctx.now = TH_NOW + 10 * 86400;
    int steps;
    int64_t next;
    /* The engine's first pass in ten days: the KSK becomes the one CDS names. */
    assert_int_equal(sd_engine_run_zone(&t->ctx, &z, &steps, &next, &e), 0);
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM keys WHERE cds_at IS NOT NULL"), 1);
    assert_int_equal(sd_dnssec_rotate_ksk(&t->ctx, &z, &e), 0);
    snap(t, &z, h, t->ctx.now);
    run_until(t, &z, h, TH_NOW + 11 * 86400, &zsk, &ksk); /* new DS confirmed in time */
    assert_int_equal(check_history(t, &z, h), 0);
    th_exec(t->db, "UPDATE keys SET state = 'removed' WHERE role = 'KSK' AND remove_at IS NOT "
                   "NULL AND state <> 'removed'");
    snap(t, &z, h, t->ctx.now);
    assert_true(check_history(t, &z, h) > 0);
    free(h);
}

/* A ZSK rollover step by step: nothing before its time, each step exactly at it, once. */
static void test_zsk_steps_on_time(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    th_zone(t, "example.org", &z);
    assert_int_equal(sd_dnssec_enable(&t->ctx, &z, 13, &e), 0);
    th_exec(t->db, "UPDATE keys SET ds_seen_at = %lld, cds_at = %lld WHERE role = 'KSK'",
            (long long)TH_NOW, (long long)TH_NOW);
    assert_int_equal(sd_dnssec_rotate_zsk(&t->ctx, &z, &e), 0);
    int64_t act = th_int(t->db, "SELECT activate_at FROM keys WHERE state = 'published'");
    /* default policy: DNSKEY TTL 3600 + propagation 300 + safety 3600 */
    assert_int_equal(act, TH_NOW + 3600 + 300 + 3600);
    int steps;
    int64_t next;
    t->ctx.now = act - 1;
    assert_int_equal(sd_engine_run_zone(&t->ctx, &z, &steps, &next, &e), 0);
    assert_int_equal(steps, 0);
    assert_int_equal(next, act);
    t->ctx.now = act;
    assert_int_equal(sd_engine_run_zone(&t->ctx, &z, &steps, &next, &e), 0);
    assert_int_equal(steps, 1);
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM keys WHERE role='ZSK' AND state='active'"),
                     1);
    int64_t rm = th_int(t->db, "SELECT remove_at FROM keys WHERE state = 'retired'");
    /* largest TTL 3600 (SOA) + propagation 300 + safety 3600 */
    assert_int_equal(rm, act + 3600 + 300 + 3600);
    assert_int_equal(next, rm);
    assert_int_equal(sd_engine_run_zone(&t->ctx, &z, &steps, &next, &e), 0);
    assert_int_equal(steps, 0); /* never twice */
    t->ctx.now = rm;
    assert_int_equal(sd_engine_run_zone(&t->ctx, &z, &steps, &next, &e), 0);
    assert_int_equal(steps, 1);
    status_is(t, &z, "active");
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM audit WHERE actor = 'test' AND action "
                                   "IN ('zsk-activate', 'zsk-remove')"),
                     2);
}

/* The largest TTL grows in the middle of a rollover: the old ZSK stays longer. */
static void test_ttl_grows_mid_rollover(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    th_zone(t, "example.net", &z);
    assert_int_equal(sd_dnssec_enable(&t->ctx, &z, 13, &e), 0);
    th_exec(t->db, "UPDATE keys SET ds_seen_at = %lld WHERE role = 'KSK'", (long long)TH_NOW);
    assert_int_equal(sd_dnssec_rotate_zsk(&t->ctx, &z, &e), 0);
    int64_t act = th_int(t->db, "SELECT activate_at FROM keys WHERE state = 'published'");
    int steps;
    int64_t next;
    t->ctx.now = act;
    assert_int_equal(sd_engine_run_zone(&t->ctx, &z, &steps, &next, &e), 0);
    int64_t rm = th_int(t->db, "SELECT remove_at FROM keys WHERE state = 'retired'");
    /* Now a record with TTL 86400 appears: signatures by the old ZSK made before the swap
     * could not have it, but the engine keeps the old key for the larger TTL anyway. */
    const char *txt[] = {"\"long\""};
    assert_int_equal(sd_rrset_put(t->db, &z, "big", "TXT", 86400, txt, 1, 0, &e), 0);
    t->ctx.now = rm;
    assert_int_equal(sd_engine_run_zone(&t->ctx, &z, &steps, &next, &e), 0);
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM keys WHERE state = 'retired'"), 1);
    assert_int_equal(next, act + 86400 + 300 + 3600);
    t->ctx.now = next;
    assert_int_equal(sd_engine_run_zone(&t->ctx, &z, &steps, &next, &e), 0);
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM keys WHERE state = 'retired'"), 0);
}

/* The SOA minimum (PowerDNS's DNSKEY TTL) grows before activation: activation waits. */
static void test_dnskey_ttl_grows_before_activation(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    th_zone(t, "example.edu", &z);
    assert_int_equal(sd_dnssec_enable(&t->ctx, &z, 13, &e), 0);
    th_exec(t->db, "UPDATE keys SET ds_seen_at = %lld WHERE role = 'KSK'", (long long)TH_NOW);
    assert_int_equal(sd_dnssec_rotate_zsk(&t->ctx, &z, &e), 0);
    int64_t act = th_int(t->db, "SELECT activate_at FROM keys WHERE state = 'published'");
    const char *soa[] = {"ns1.example.net. hostmaster.example.net. 5 10800 3600 604800 14400"};
    assert_int_equal(sd_rrset_put(t->db, &z, "@", "SOA", 3600, soa, 1, 0, &e), 0);
    int steps;
    int64_t next;
    t->ctx.now = act;
    assert_int_equal(sd_engine_run_zone(&t->ctx, &z, &steps, &next, &e), 0);
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM keys WHERE state = 'published'"), 1);
    assert_int_equal(next, TH_NOW + 14400 + 300 + 3600);
    assert_int_equal(th_int(t->db, "SELECT activate_at FROM keys WHERE state = 'published'"), next);
}

/* A plan names each step with its arithmetic. */
static void test_plan_shows_terms(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    th_zone(t, "example.info", &z);
    assert_int_equal(sd_dnssec_enable(&t->ctx, &z, 13, &e), 0);
    th_exec(t->db, "UPDATE keys SET ds_seen_at = %lld WHERE role = 'KSK'", (long long)TH_NOW);
    assert_int_equal(sd_dnssec_rotate_zsk(&t->ctx, &z, &e), 0);
    json_t *plan;
    assert_int_equal(sd_engine_plan_json(t->db, &z, &t->policy, &plan, &e), 0);
    /* The new KSK's DS-ready step (CDS names it once its DNSKEY is everywhere) is a step the
     * engine takes, so the plan lists it too. */
    json_t *ready = json_array_get(plan, 0);
    assert_string_equal(json_string_value(json_object_get(ready, "step")), "ksk-ds-ready");
    json_t *first = json_array_get(plan, 1);
    assert_string_equal(json_string_value(json_object_get(first, "step")), "zsk-activate");
    assert_non_null(strstr(json_string_value(json_object_get(first, "terms")),
                           "DNSKEY TTL 3600 + propagation 300 + safety 3600"));
    json_t *second = json_array_get(plan, 2);
    assert_string_equal(json_string_value(json_object_get(second, "step")), "zsk-remove");
    json_decref(plan);
}

/* An algorithm rollover 8 -> 13: new signatures first, new keys, the DS, old keys, old
 * signatures last; the model (strict: every published algorithm signs) never fails. */
static void test_algorithm_rollover(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    history *h = calloc(1, sizeof *h);
    int zsk = 0, ksk = 0;
    live_zone(t, &z, h, 8);
    t->ctx.now = TH_NOW + 2 * 86400;
    assert_int_equal(sd_dnssec_rotate_ksk_alg(&t->ctx, &z, 13, &e), 0);
    snap(t, &z, h, t->ctx.now);
    status_is(t, &z, "rotating_ksk");
    /* The zone's next step (C) and the keystore's next step (SQL) agree: the new keys join. */
    int64_t zone_next, all_next;
    assert_int_equal(sd_engine_zone_next(t->db, z.id, &zone_next, &e), 0);
    assert_int_equal(sd_engine_next_at(t->db, &all_next, &e), 0);
    assert_int_equal(zone_next, all_next);
    assert_int_equal(zone_next, th_int(t->db, "SELECT max(publish_at) FROM keys"));
    /* The new KSK is not in the DNSKEY RRset yet: a DS for it is refused. */
    json_t *ds;
    assert_int_equal(sd_dnssec_ds_json(t->db, &z, &ds, &e), 0);
    sd_ds early;
    size_t i;
    json_t *d;
    json_array_foreach(ds, i, d)
    {
        if (json_integer_value(json_object_get(d, "algorithm")) == 13 &&
            json_integer_value(json_object_get(d, "digest_type")) == 2)
            assert_int_equal(sd_ds_parse(json_string_value(json_object_get(d, "ds")), &early, &e),
                             0);
    }
    json_decref(ds);
    assert_true(sd_dnssec_confirm_ds(&t->ctx, &z, &early, 1, &e) < 0);
    assert_int_equal(e.code, 409);
    run_until(t, &z, h, TH_NOW + 10 * 86400, &zsk, &ksk);
    assert_int_equal(check_history(t, &z, h), 0);
    status_is(t, &z, "active");
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM keys WHERE state <> 'removed'"), 2);
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM keys WHERE state <> 'removed' AND "
                                   "algorithm = 13 AND state = 'active'"),
                     2);
    free(h);
}

/* The same rollover in the wrong order (new keys published at once, without signatures
 * first) is caught by the model. */
static void test_model_catches_wrong_algorithm_order(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    history *h = calloc(1, sizeof *h);
    live_zone(t, &z, h, 13);
    t->ctx.now = TH_NOW + 2 * 86400;
    assert_int_equal(sd_dnssec_rotate_ksk_alg(&t->ctx, &z, 15, &e), 0);
    th_exec(t->db, "UPDATE keys SET state = 'active' WHERE state = 'signing'");
    snap(t, &z, h, t->ctx.now);
    assert_true(check_history(t, &z, h) > 0);
    free(h);
}

/* Abort: a ZSK rollover before and after the new key signs, a KSK rollover, an algorithm
 * rollover; each returns to the old keys without a moment the model rejects; and abort is
 * refused when nothing can be aborted. */
static void test_abort(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    history *h = calloc(1, sizeof *h);
    int zsk = 0, ksk = 0;
    live_zone(t, &z, h, 13);
    int64_t old_zsk = th_int(t->db, "SELECT id FROM keys WHERE role = 'ZSK' AND state = 'active'");
    assert_true(sd_dnssec_abort(&t->ctx, &z, &e) < 0);
    assert_int_equal(e.code, 409);

    /* ZSK rollover aborted before the new key signs: it goes at once. */
    t->ctx.now += 86400;
    assert_int_equal(sd_dnssec_rotate_zsk(&t->ctx, &z, &e), 0);
    snap(t, &z, h, t->ctx.now);
    t->ctx.now += 60;
    assert_int_equal(sd_dnssec_abort(&t->ctx, &z, &e), 0);
    snap(t, &z, h, t->ctx.now);
    status_is(t, &z, "active");

    /* ZSK rollover aborted after the new key signed: the old one signs again at once, the
     * new one stays published until its signatures expire. */
    t->ctx.now += 86400;
    assert_int_equal(sd_dnssec_rotate_zsk(&t->ctx, &z, &e), 0);
    snap(t, &z, h, t->ctx.now);
    int64_t act = th_int(t->db, "SELECT activate_at FROM keys WHERE state = 'published'");
    run_until(t, &z, h, act, &zsk, &ksk);
    assert_int_equal(
        th_int(t->db, "SELECT state = 'retired' FROM keys WHERE id = %lld", (long long)old_zsk), 1);
    t->ctx.now = act + 60;
    assert_int_equal(sd_dnssec_abort(&t->ctx, &z, &e), 0);
    snap(t, &z, h, t->ctx.now);
    assert_int_equal(
        th_int(t->db, "SELECT state = 'active' FROM keys WHERE id = %lld", (long long)old_zsk), 1);
    run_until(t, &z, h, t->ctx.now + 86400, &zsk, &ksk);
    status_is(t, &z, "active");

    /* KSK rollover aborted after its DS could have been published: the new KSK stays until a
     * DS for it has expired everywhere. */
    assert_int_equal(sd_dnssec_rotate_ksk(&t->ctx, &z, &e), 0);
    snap(t, &z, h, t->ctx.now);
    t->ctx.now = th_int(t->db, "SELECT max(ds_publish_at) FROM keys") + 10;
    assert_int_equal(sd_dnssec_abort(&t->ctx, &z, &e), 0);
    snap(t, &z, h, t->ctx.now);
    status_is(t, &z, "active");
    assert_true(th_int(t->db, "SELECT max(remove_at) FROM keys WHERE role = 'KSK' AND state "
                              "<> 'removed'") > t->ctx.now + 86400);
    run_until(t, &z, h, t->ctx.now + 3 * 86400, &zsk, &ksk);

    /* Algorithm rollover aborted after the new keys were published. */
    assert_int_equal(sd_dnssec_rotate_ksk_alg(&t->ctx, &z, 15, &e), 0);
    snap(t, &z, h, t->ctx.now);
    int64_t pub = th_int(t->db, "SELECT max(publish_at) FROM keys WHERE state = 'signing'");
    run_until(t, &z, h, pub, &zsk, &ksk);
    t->ctx.now = pub + 60;
    assert_int_equal(sd_dnssec_abort(&t->ctx, &z, &e), 0);
    snap(t, &z, h, t->ctx.now);
    run_until(t, &z, h, t->ctx.now + 5 * 86400, &zsk, &ksk);
    status_is(t, &z, "active");
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM keys WHERE state <> 'removed' AND "
                                   "algorithm = 15"),
                     0);
    assert_int_equal(check_history(t, &z, h), 0);
    free(h);
}

/* An abort while the zone shows rotating_zsk only because keys are leaving: after a ZSK
 * rollover already aborted (the aborted ZSK still retiring), and after an algorithm rollover
 * (the old algorithm's keys leaving). Each is refused (409) and changes nothing; a ZSK keeps
 * signing throughout. The load test of issue 9 found a second abort retiring the only signing
 * ZSK. */
static void test_abort_when_nothing_is_left(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    history *h = calloc(1, sizeof *h);
    int zsk = 0, ksk = 0;
    live_zone(t, &z, h, 13);
    t->ctx.now += 86400;
    assert_int_equal(sd_dnssec_rotate_zsk(&t->ctx, &z, &e), 0);
    snap(t, &z, h, t->ctx.now);
    int64_t act = th_int(t->db, "SELECT activate_at FROM keys WHERE state = 'published'");
    run_until(t, &z, h, act, &zsk, &ksk);
    t->ctx.now = act + 60;
    assert_int_equal(sd_dnssec_abort(&t->ctx, &z, &e), 0);
    snap(t, &z, h, t->ctx.now);
    status_is(t, &z, "rotating_zsk"); /* the aborted ZSK stays published until it is safe */
    char *before = th_snapshot(t->db, 1);
    t->ctx.now += 60;
    assert_true(sd_dnssec_abort(&t->ctx, &z, &e) < 0);
    assert_int_equal(e.code, 409);
    char *after = th_snapshot(t->db, 1);
    assert_string_equal(before, after);
    free(before);
    free(after);
    run_until(t, &z, h, t->ctx.now + 86400, &zsk, &ksk);
    status_is(t, &z, "active");

    /* An algorithm rollover 13 -> 15 up to the new DS: then the old algorithm's keys leave. */
    assert_int_equal(sd_dnssec_rotate_ksk_alg(&t->ctx, &z, 15, &e), 0);
    snap(t, &z, h, t->ctx.now);
    run_until(t, &z, h, ds_publish_at(t, &z), &zsk, &ksk);
    status_is(t, &z, "rotating_zsk");
    before = th_snapshot(t->db, 1);
    t->ctx.now += 60;
    assert_true(sd_dnssec_abort(&t->ctx, &z, &e) < 0);
    assert_int_equal(e.code, 409);
    after = th_snapshot(t->db, 1);
    assert_string_equal(before, after);
    free(before);
    free(after);
    run_until(t, &z, h, t->ctx.now + 5 * 86400, &zsk, &ksk);
    status_is(t, &z, "active");
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM keys WHERE state = 'active' AND "
                                   "algorithm = 15"),
                     2);
    assert_int_equal(check_history(t, &z, h), 0);
    free(h);
}

/* What the due-zones callback of test_due_zones_with_other_writers carries. */
typedef struct due_run {
    th_env *t;
    sqlite3 *other; /* a second connection to the keystore: another program writing */
    int zones, failures;
} due_run;

/* Takes the zone's due steps, as the scheduler does, after the other connection committed a
 * write (the API serving a request meanwhile). */
static int due_step(const sd_zone *z, void *arg)
{
    due_run *r = arg;
    sd_err e;
    int steps;
    int64_t next;
    th_exec(r->other, "UPDATE zones SET updated_at = updated_at + 1 WHERE id = %lld",
            (long long)z->id);
    r->zones++;
    if (sd_engine_run_zone(&r->t->ctx, z, &steps, &next, &e) < 0 || steps != 1) {
        printf("zone %s: %d steps: %s\n", z->name, steps, e.msg);
        r->failures++;
    }
    return 0;
}

/* The scheduler's pass while other programs write the keystore: every due zone's step is
 * taken, none refused as "busy". The load test of issue 9 found the steps of all but the first
 * due zone failing when another connection committed during the pass: the list of due zones
 * was still being read, so the pass held an old snapshot it could not write from. */
static void test_due_zones_with_other_writers(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    const char *names[] = {"a.example", "b.example", "c.example"};
    for (size_t i = 0; i < 3; i++) {
        th_zone(t, names[i], &z);
        assert_int_equal(sd_dnssec_enable(&t->ctx, &z, 13, &e), 0);
        th_exec(t->db, "UPDATE keys SET ds_seen_at = %lld, cds_at = %lld WHERE role = 'KSK'",
                (long long)TH_NOW, (long long)TH_NOW);
        assert_int_equal(sd_dnssec_rotate_zsk(&t->ctx, &z, &e), 0);
    }
    due_run r = {t, NULL, 0, 0};
    assert_int_equal(sd_db_open(t->path, 0, &r.other, &e), 0);
    t->ctx.now = th_int(t->db, "SELECT max(activate_at) FROM keys WHERE state = 'published'");
    assert_int_equal(sd_engine_due_zones(t->db, t->ctx.now, due_step, &r, &e), 0);
    sqlite3_close(r.other);
    assert_int_equal(r.zones, 3);
    assert_int_equal(r.failures, 0);
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM keys WHERE role = 'ZSK' AND state = "
                                   "'retired'"),
                     3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_zsk_steps_on_time, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_ttl_grows_mid_rollover, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_dnskey_ttl_grows_before_activation, th_setup,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_plan_shows_terms, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_year_of_rollovers, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_model_catches_early_removal, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_model_catches_early_ds_and_ksk_removal, th_setup,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_algorithm_rollover, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_model_catches_wrong_algorithm_order, th_setup,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_abort, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_abort_when_nothing_is_left, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_due_zones_with_other_writers, th_setup, th_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
