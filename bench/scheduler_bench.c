/* scheduler_bench.c - the scheduler's side of issue 5's figures, on a virtual clock:
 *   1. how long each rollover takes from start to its last step, with the default policy and
 *      with the test policy of the rollover tests (the zone: TTL 3600 / SOA minimum 3600 for
 *      the default policy, TTL 3 / minimum 2 for the test policy; the operator publishes the DS
 *      as soon as scaidns says it may);
 *   2. how many zones one scheduler pass advances per second when N zones roll at once.
 * Usage: scaidns-bench-scheduler DIR [ZONES]   (default 10000) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/scheduler.h"
#include "keystore/db.h"
#include "lifecycle/dnssec.h"
#include "lifecycle/engine.h"
#include "keystore/seal.h"
#include "keystore/zone.h"

/* Seconds on a monotonic clock. */
static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Dies with e's message when rc < 0. */
static void check(int rc, const sd_err *e, const char *what)
{
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", what, e->msg);
        exit(1);
    }
}

/* Returns the status of z. */
static const char *status(sqlite3 *db, const sd_zone *z)
{
    static char s[32];
    sd_err e;
    check(sd_dnssec_status(db, z->id, s, sizeof s, &e), &e, "status");
    return s;
}

/* Confirms the DS (digest 2) of the KSK waiting for it, once it may be published. */
static void operator_confirms(sd_ctx *c, const sd_zone *z)
{
    sd_err e;
    json_t *ds;
    check(sd_dnssec_ds_json(c->db, z, &ds, &e), &e, "ds");
    sd_ds list[4];
    size_t n = 0, i;
    json_t *d;
    json_array_foreach(ds, i, d)
    {
        if (n < 4 && json_integer_value(json_object_get(d, "digest_type")) == 2)
            sd_ds_parse(json_string_value(json_object_get(d, "ds")), &list[n++], &e);
    }
    json_decref(ds);
    check(sd_dnssec_confirm_ds(c, z, list, n, &e), &e, "confirm");
}

/* The earliest ds_publish_at of a KSK still waiting for its DS (0: none). */
static int64_t waiting_ds(sqlite3 *db, const sd_zone *z)
{
    sqlite3_stmt *st;
    int64_t v = 0;
    sqlite3_prepare_v2(db,
                       "SELECT coalesce(min(ds_publish_at), 0) FROM keys WHERE zone_id = ? AND "
                       "role = 'KSK' AND state <> 'removed' AND ds_seen_at IS NULL AND "
                       "remove_at IS NULL",
                       -1, &st, NULL);
    sqlite3_bind_int64(st, 1, z->id);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Runs the engine on a virtual clock until z is active with two keys again; returns the
 * virtual seconds it took. */
static int64_t settle(sd_ctx *c, const sd_zone *z)
{
    int64_t start = c->now;
    sd_err e;
    for (int guard = 0; guard < 100; guard++) {
        int steps;
        int64_t next = 0, pub = waiting_ds(c->db, z);
        check(sd_engine_run_zone(c, z, &steps, &next, &e), &e, "engine");
        if (strcmp(status(c->db, z), "active") == 0 && !next)
            break;
        if (pub && (!next || pub < next)) {
            c->now = pub > c->now ? pub : c->now;
            operator_confirms(c, z);
            continue;
        }
        /* the next step that is not an expiry roll (those are months away) */
        if (!next || next - c->now > 20 * 86400)
            break;
        c->now = next;
    }
    return c->now - start;
}

/* Prints the length of each kind of rollover for a policy and zone TTLs. */
static void lengths(const char *dir, const char *label, const sd_policy *pol, uint32_t ttl,
                    uint32_t minimum)
{
    char path[4200], key[4200];
    snprintf(path, sizeof path, "%s/len-%s.db", dir, label);
    snprintf(key, sizeof key, "%s/seal.key", dir);
    sd_err e;
    sqlite3 *db;
    sd_seal_keys seal;
    check(sd_seal_load_public(key, &seal, &e), &e, "seal");
    check(sd_db_open(path, SD_DB_CREATE, &db, &e), &e, "open");
    sd_zone z;
    sd_zone_init init = {.ns = "ns1.example.net.",
                         .soa_rname = "h.example.net.",
                         .ttl = ttl,
                         .soa_minimum = minimum,
                         .with_records = 1};
    sd_ctx c = {db, &seal, pol, "bench", 1800000000};
    check(sd_zone_create(db, "example.com", &init, "bench", c.now, &z, &e), &e, "zone");
    check(sd_dnssec_enable(&c, &z, 8, &e), &e, "enable");
    int64_t live = settle(&c, &z);
    check(sd_dnssec_rotate_zsk(&c, &z, &e), &e, "rotate-zsk");
    int64_t zsk = settle(&c, &z);
    check(sd_dnssec_rotate_ksk(&c, &z, &e), &e, "rotate-ksk");
    int64_t ksk = settle(&c, &z);
    check(sd_dnssec_rotate_ksk_alg(&c, &z, 13, &e), &e, "algorithm rollover");
    int64_t alg = settle(&c, &z);
    printf("%-14s go-live (DS may be published) %7lld s | ZSK rollover %7lld s | KSK rollover "
           "%7lld s | algorithm rollover %7lld s\n",
           label, (long long)live, (long long)zsk, (long long)ksk, (long long)alg);
    sd_db_close(db);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR [ZONES]\n", argv[0]);
        return 2;
    }
    int n = argc > 2 ? atoi(argv[2]) : 10000;
    char path[4200], key[4200];
    snprintf(key, sizeof key, "%s/seal.key", argv[1]);
    sd_err e;
    check(sd_seal_create(key, &e), &e, "seal key");

    sd_config cfg;
    sd_policy def, test;
    sd_config_defaults(&cfg);
    sd_policy_from_config(&cfg, &def);
    test = def;
    test.dnskey_ttl = 2;
    test.propagation_delay = 2;
    test.publish_safety = 1;
    test.retire_safety = 1;
    test.parent_ds_ttl = 3;
    test.parent_propagation_delay = 1;
    lengths(argv[1], "default policy", &def, 3600, 3600);
    lengths(argv[1], "test policy", &test, 3, 2);

    snprintf(path, sizeof path, "%s/many.db", argv[1]);
    sqlite3 *db;
    sd_seal_keys seal;
    check(sd_seal_load_public(key, &seal, &e), &e, "seal");
    check(sd_db_open(path, SD_DB_CREATE, &db, &e), &e, "open");
    sd_ctx c = {db, &seal, &def, "bench", 1800000000};
    sd_zone_init init = {
        .ns = "ns1.example.net.", .soa_rname = "h.example.net.", .with_records = 1};
    for (int i = 0; i < n; i++) {
        char name[64];
        sd_zone z;
        snprintf(name, sizeof name, "zone%06d.bench.", i);
        check(sd_zone_create(db, name, &init, "bench", c.now, &z, &e), &e, "zone");
        check(sd_dnssec_enable(&c, &z, 13, &e), &e, "enable");
        sqlite3_exec(db, "UPDATE keys SET ds_seen_at = 1 WHERE role = 'KSK'", NULL, NULL, NULL);
        check(sd_dnssec_rotate_zsk(&c, &z, &e), &e, "rotate-zsk");
    }
    /* Every zone's new ZSK falls due at the same virtual moment: one pass advances them all
     * (no PowerDNS configured here: the purge is not part of this figure). */
    cfg.pdns_control_socket[0] = '\0';
    int64_t due = 0;
    check(sd_engine_next_at(db, &due, &e), &e, "next");
    api_sched_pass pass;
    double t0 = mono();
    check(api_scheduler_pass(db, &cfg, &seal, &def, due, &pass, &e), &e, "pass");
    double t1 = mono();
    printf("scheduler: %d zones rolling at once, one pass: %d zones, %d steps in %.2f s = %.0f "
           "zones/s (%.0f steps/s)\n",
           n, pass.zones, pass.steps, t1 - t0, pass.zones / (t1 - t0), pass.steps / (t1 - t0));
    sd_db_close(db);
    return 0;
}
