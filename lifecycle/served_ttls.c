/* served_ttls.c - learning the TTLs a keys-only zone serves (see lifecycle/served_ttls.h). */
#include "lifecycle/served_ttls.h"

#include <stdio.h>
#include <string.h>

#include "keystore/db.h"
#include "keystore/timefmt.h"
#include "lifecycle/evidence.h"
#include "lifecycle/pdns_client.h"
#include "lifecycle/served.h"

#define ACTION "served-ttls"
#define KEYS_ACTION "served-keys"

/* The smaller of a and b. */
static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* The SQL of one TTL column c of the upsert below: the new value when it is not lower; else the
 * old one until c_until (set to now + the old value the first time it is seen lower). */
#define KEEP_HIGHER(c)                                                                             \
    c " = CASE WHEN excluded." c " >= " c " THEN excluded." c " WHEN " c "_until = 0 OR ?9 < " c   \
      "_until THEN " c " ELSE excluded." c " END, " c "_until = CASE WHEN excluded." c " >= " c    \
      " THEN 0 WHEN " c "_until = 0 THEN ?9 + " c " WHEN ?9 < " c "_until THEN " c                 \
      "_until ELSE 0 END"

/* The upsert of sd_served_ttls_store: ?1 zone, ?2 SOA TTL, ?3 SOA minimum, ?5 largest TTL,
 * ?6 its RRset, ?7 records, ?8 server, ?9 now. */
#define KEEP_HIGHER_TTLS                                                                           \
    KEEP_HIGHER("soa_ttl") ", " KEEP_HIGHER("soa_minimum") ", " KEEP_HIGHER("max_rrset_ttl")
static const char UPSERT[] =
    "INSERT INTO served_ttls (zone_id, soa_ttl, soa_minimum, negative_ttl, max_rrset_ttl, "
    "max_rrset, rrsets, server, learned_at) VALUES (?1, ?2, ?3, min(?2, ?3), ?5, ?6, ?7, ?8, ?9) "
    "ON CONFLICT (zone_id) DO UPDATE SET " KEEP_HIGHER_TTLS
    ", max_rrset = CASE WHEN excluded.max_rrset_ttl >= max_rrset_ttl THEN excluded.max_rrset "
    "ELSE max_rrset END, rrsets = excluded.rrsets, server = excluded.server, "
    "learned_at = excluded.learned_at";

int sd_served_ttls_store(sqlite3 *db, const sd_zone *z, const char *server, const sd_axfr_ttls *a,
                         int64_t now, sd_err *e)
{
    sqlite3_stmt *st;
    if (sd_db_begin(db, e) < 0)
        return -e->code;
    if (sd_db_prepare(db, UPSERT, &st, e) < 0) {
        sd_db_rollback(db);
        return -e->code;
    }
    sqlite3_bind_int64(st, 1, z->id);
    sqlite3_bind_int64(st, 2, a->soa_ttl);
    sqlite3_bind_int64(st, 3, a->soa_minimum);
    sqlite3_bind_int64(st, 5, a->max_rrset_ttl);
    sqlite3_bind_text(st, 6, a->max_rrset, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, a->rrs);
    sqlite3_bind_text(st, 8, server, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 9, now);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE) {
        rc = sd_db_prepare(db,
                           "UPDATE served_ttls SET negative_ttl = min(soa_ttl, soa_minimum) "
                           "WHERE zone_id = ?",
                           &st, e) < 0
                 ? SQLITE_ERROR
                 : SQLITE_OK;
        if (rc == SQLITE_OK) {
            sqlite3_bind_int64(st, 1, z->id);
            rc = sqlite3_step(st);
            sqlite3_finalize(st);
        }
    }
    if (rc != SQLITE_DONE) {
        sd_db_fail(db, e, "store the served TTLs");
        sd_db_rollback(db);
        return -e->code;
    }
    return sd_db_commit(db, e);
}

/* sd_served_ttls_learn, also handing back what the transfer showed in *a. */
static int learn(sqlite3 *db, const sd_config *cfg, const sd_zone *z, int64_t now,
                 sd_axfr_ttls *out, json_t **detail, sd_err *e)
{
    sd_axfr_ttls a_, *a = out ? out : &a_;
    if (detail)
        *detail = NULL;
    if (sd_pdns_axfr_ttls(cfg->pdns_address, z->name, SD_SERVED_TTLS_TIMEOUT_MS,
                          SD_SERVED_TTLS_MAX_RRS, a, e) < 0) {
        if (detail)
            *detail = json_pack("{s:s, s:s}", "server", cfg->pdns_address, "error", e->msg);
        return -e->code;
    }
    if (sd_served_ttls_store(db, z, cfg->pdns_address, a, now, e) < 0)
        return -e->code;
    if (detail)
        *detail = json_pack(
            "{s:s, s:I, s:I, s:I, s:I, s:s, s:I}", "server", cfg->pdns_address, "soa_ttl",
            (json_int_t)a->soa_ttl, "soa_minimum", (json_int_t)a->soa_minimum, "negative_ttl",
            (json_int_t)min64(a->soa_ttl, a->soa_minimum), "max_rrset_ttl",
            (json_int_t)a->max_rrset_ttl, "max_rrset", a->max_rrset, "rrsets", (json_int_t)a->rrs);
    return 0;
}

int sd_served_ttls_learn(sqlite3 *db, const sd_config *cfg, const sd_zone *z, int64_t now,
                         json_t **detail, sd_err *e)
{
    return learn(db, cfg, z, now, NULL, detail, e);
}

/* The DNSKEYs of the transfer a that the keystore never had for z (compared by key tag and
 * algorithm), as a new array of {"key_tag", "flags", "algorithm"}; empty when none. */
static json_t *foreign_keys(sqlite3 *db, const sd_zone *z, const sd_axfr_ttls *a)
{
    json_t *arr = json_array();
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT count(*) FROM keys WHERE zone_id = ? AND key_tag = ? AND "
                           "algorithm = ?",
                           -1, &st, NULL) != SQLITE_OK)
        return arr;
    for (size_t i = 0; i < a->dnskeys; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, z->id);
        sqlite3_bind_int(st, 2, a->dnskey[i].tag);
        sqlite3_bind_int(st, 3, a->dnskey[i].algorithm);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 0)
            json_array_append_new(arr, json_pack("{s:i, s:i, s:i}", "key_tag", a->dnskey[i].tag,
                                                 "flags", a->dnskey[i].flags, "algorithm",
                                                 a->dnskey[i].algorithm));
    }
    sqlite3_finalize(st);
    return arr;
}

/* Prepares the read of zone_id's served_ttls row: soa_ttl, soa_minimum, negative_ttl,
 * max_rrset_ttl, max_rrset, rrsets, server, learned_at. */
static int read_row(sqlite3 *db, int64_t zone_id, sqlite3_stmt **st, sd_err *e)
{
    if (sd_db_prepare(db,
                      "SELECT soa_ttl, soa_minimum, negative_ttl, max_rrset_ttl, max_rrset, "
                      "rrsets, server, learned_at FROM served_ttls WHERE zone_id = ?",
                      st, e) < 0)
        return -e->code;
    sqlite3_bind_int64(*st, 1, zone_id);
    return 0;
}

int sd_served_ttls_merge(sqlite3 *db, int64_t zone_id, sd_zone_ttls *t, sd_err *e)
{
    sqlite3_stmt *st;
    if (read_row(db, zone_id, &st, e) < 0)
        return -e->code;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        int64_t v[4];
        for (int i = 0; i < 4; i++)
            v[i] = sqlite3_column_int64(st, i);
        if (v[0] > t->soa_ttl)
            t->soa_ttl = v[0];
        if (v[1] > t->soa_minimum)
            t->soa_minimum = v[1];
        if (v[3] > t->max_rrset_ttl)
            t->max_rrset_ttl = v[3];
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sd_db_fail(db, e, "read the served TTLs");
    return 0;
}

json_t *sd_zone_ttls_json(sqlite3 *db, int64_t zone_id, const sd_zone_ttls *t)
{
    json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:I}", "source", "keystore", "soa_ttl",
                          (json_int_t)t->soa_ttl, "soa_minimum", (json_int_t)t->soa_minimum,
                          "negative_ttl", (json_int_t)min64(t->soa_ttl, t->soa_minimum),
                          "max_rrset_ttl", (json_int_t)t->max_rrset_ttl);
    sqlite3_stmt *st;
    sd_err e;
    if (!o || read_row(db, zone_id, &st, &e) < 0)
        return o;
    if (sqlite3_step(st) == SQLITE_ROW) {
        char when[32];
        sd_time_rfc3339(sqlite3_column_int64(st, 7), when, sizeof when);
        json_object_set_new(o, "source", json_string("served"));
        json_object_set_new(o, "served",
                            json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:s, s:I}", "server",
                                      (const char *)sqlite3_column_text(st, 6), "learned_at", when,
                                      "soa_ttl", (json_int_t)sqlite3_column_int64(st, 0),
                                      "soa_minimum", (json_int_t)sqlite3_column_int64(st, 1),
                                      "negative_ttl", (json_int_t)sqlite3_column_int64(st, 2),
                                      "max_rrset_ttl", (json_int_t)sqlite3_column_int64(st, 3),
                                      "max_rrset", (const char *)sqlite3_column_text(st, 4),
                                      "rrsets", (json_int_t)sqlite3_column_int64(st, 5)));
    }
    sqlite3_finalize(st);
    return o;
}

int sd_served_keys_gate(sqlite3 *db, const sd_config *cfg, const sd_zone *z, const sd_axfr_ttls *a,
                        int64_t now, sd_notes *notes, sd_err *e)
{
    json_t *foreign = foreign_keys(db, z, a);
    char last[32];
    json_t *prev;
    sd_evidence_last(db, z->name, KEYS_ACTION, last, sizeof last, &prev);
    json_decref(prev);
    int rc = 1;
    if (json_array_size(foreign)) {
        json_t *d = json_pack("{s:s, s:O, s:s}", "server", cfg->pdns_address, "foreign_keys",
                              foreign, "origin", SD_FOREIGN_KEY_ORIGIN);
        rc = 0;
        if (!sd_evidence_same(db, z->name, KEYS_ACTION, "waiting", d)) {
            rc = sd_evidence_write(db, now, z->name, KEYS_ACTION, "waiting", d, e);
            sd_note(notes, SD_NOTE_WARNING,
                    "scheduler: %s: steps held: PowerDNS serves DNSKEY %d that scaidns did not "
                    "publish (%s)",
                    z->name,
                    (int)json_integer_value(json_object_get(json_array_get(foreign, 0), "key_tag")),
                    SD_FOREIGN_KEY_ORIGIN);
        }
        json_decref(d);
        rc = rc < 0 ? rc : 0;
    } else if (strcmp(last, "waiting") == 0) {
        json_t *d = json_pack("{s:s, s:[]}", "server", cfg->pdns_address, "foreign_keys");
        rc = sd_evidence_write(db, now, z->name, KEYS_ACTION, "ok", d, e);
        json_decref(d);
        rc = rc < 0 ? rc : 1;
    }
    json_decref(foreign);
    return rc;
}

int sd_served_ttls_gate(sqlite3 *db, const sd_config *cfg, const sd_zone *z, int64_t now,
                        sd_notes *notes, sd_err *e)
{
    if (!z->keys_only)
        return 1;
    json_t *d;
    sd_err le;
    sd_axfr_ttls a;
    int learned = learn(db, cfg, z, now, &a, &d, &le);
    if (learned < 0 && !d) {
        /* A keystore error while storing what was learned. */
        *e = le;
        return -e->code;
    }
    int rc;
    if (learned < 0) {
        json_object_set_new(d, "reason",
                            json_string("the TTLs PowerDNS serves for this keys-only zone could "
                                        "not be learned: its steps wait, never run on guessed "
                                        "TTLs"));
        rc = 0;
        if (!sd_evidence_same(db, z->name, ACTION, "waiting", d)) {
            rc = sd_evidence_write(db, now, z->name, ACTION, "waiting", d, e);
            sd_note(notes, SD_NOTE_WARNING,
                    "scheduler: %s: steps held: cannot learn the TTLs PowerDNS serves: %s", z->name,
                    le.msg);
        }
        json_decref(d);
        return rc < 0 ? rc : 0;
    }
    rc = sd_evidence_same(db, z->name, ACTION, "ok", d)
             ? 0
             : sd_evidence_write(db, now, z->name, ACTION, "ok", d, e);
    json_decref(d);
    if (rc < 0)
        return rc;
    return sd_served_keys_gate(db, cfg, z, &a, now, notes, e);
}
