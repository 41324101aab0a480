/* dnssec.c - the lifecycle transitions: enable, confirm DS, rotate ZSK/KSK, disable.
 * Keys are generated and sealed before the transaction; the transaction re-checks the
 * status, writes the keys and the audit row, and bumps the SOA serial so that secondaries
 * see the new DNSKEY set. */
#include "lifecycle/dnssec.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "keystore/audit.h"
#include "keystore/db.h"
#include "keystore/key.h"
#include "keystore/timefmt.h"
#include "lifecycle/keystate.h"
#include "lifecycle/timing.h"
#include "lifecycle/served_ttls.h"

/* A key made and sealed, ready to be inserted. */
typedef struct newkey {
    sd_key key;
    char kid[33];
    uint8_t *sealed;
    size_t sealed_len;
} newkey;

/* Frees a newkey (wipes its private text). */
static void newkey_free(newkey *k)
{
    sd_key_free(&k->key);
    free(k->sealed);
    memset(k, 0, sizeof *k);
}

/* Generates a key of algorithm/bits/flags for zone and seals it to the backend. */
static int newkey_make(const sd_ctx *c, const sd_zone *z, int alg, int bits, uint16_t flags,
                       newkey *k, sd_err *e)
{
    memset(k, 0, sizeof *k);
    unsigned char rnd[16];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(k->kid, sizeof k->kid, rnd, sizeof rnd);
    if (sd_key_generate(alg, bits, flags, &k->key, e) < 0)
        return -e->code;
    if (sd_seal(c->seal, z->name, k->kid, k->key.private_text, &k->sealed, &k->sealed_len, e) < 0) {
        newkey_free(k);
        return -e->code;
    }
    /* The clear private key is not needed any more: wipe it now. */
    sodium_memzero(k->key.private_text, strlen(k->key.private_text));
    return 0;
}

/* The timeline of a key to insert; 0 = NULL. */
typedef sd_key_timeline timeline;

/* Inserts k for zone z with timeline t; *id receives the row id. */
static int newkey_insert(const sd_ctx *c, const sd_zone *z, const newkey *k, const timeline *t,
                         int64_t *id, sd_err *e)
{
    return sd_key_insert(c->db, z->id, c->now, &k->key, k->kid, k->sealed, k->sealed_len, t, id, e);
}

int sd_dnssec_status(sqlite3 *db, int64_t zone_id, char *status, size_t len, sd_err *e)
{
    sqlite3_stmt *st;
    if (sd_db_prepare(db, "SELECT status FROM dnssec_status WHERE zone_id = ?", &st, e) < 0)
        return -e->code;
    sqlite3_bind_int64(st, 1, zone_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        snprintf(status, len, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc == SQLITE_DONE)
        return sd_fail(e, SD_ENOTFOUND, "domain not found");
    return sd_db_fail(db, e, "read status");
}

/* Inside a transaction: re-reads the status and refuses unless it is one of allowed
 * (comma separated), with the reference's 409 naming the current status. */
static int require_status(const sd_ctx *c, const sd_zone *z, const char *allowed,
                          const char *action, char *status, sd_err *e)
{
    if (sd_dnssec_status(c->db, z->id, status, 32, e) < 0)
        return -e->code;
    char list[128];
    snprintf(list, sizeof list, ",%s,", allowed);
    char needle[40];
    snprintf(needle, sizeof needle, ",%s,", status);
    if (strstr(list, needle))
        return 0;
    if (strcmp(action, "enable") == 0)
        return sd_fail(e, SD_ECONFLICT, "DNSSEC already enabled on this zone (status: %s)", status);
    if (strcmp(status, "disabled") == 0)
        return sd_fail(e, SD_ECONFLICT,
                       "cannot %s: DNSSEC is not enabled on this zone "
                       "(status: disabled)",
                       action);
    return sd_fail(e, SD_ECONFLICT, "cannot %s while the zone is %s (allowed when: %s)", action,
                   status, allowed);
}

int sd_zone_ttls_load(sqlite3 *db, int64_t zone_id, sd_zone_ttls *t, sd_err *e)
{
    memset(t, 0, sizeof *t);
    sqlite3_stmt *st;
    if (sd_db_prepare(db,
                      "SELECT coalesce(max(s.ttl), 0), "
                      "(SELECT s2.ttl FROM rrsets s2 WHERE s2.zone_id = ?1 AND s2.type = 'SOA'), "
                      "(SELECT r.content FROM rrsets s3 JOIN records r ON r.rrset_id = s3.id "
                      " WHERE s3.zone_id = ?1 AND s3.type = 'SOA'), "
                      "(SELECT keys_only FROM zones WHERE id = ?1) "
                      "FROM rrsets s WHERE s.zone_id = ?1",
                      &st, e) < 0)
        return -e->code;
    sqlite3_bind_int64(st, 1, zone_id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return sd_db_fail(db, e, "read zone TTLs");
    }
    t->max_rrset_ttl = sqlite3_column_int64(st, 0);
    t->soa_ttl = sqlite3_column_int64(st, 1);
    const char *soa = (const char *)sqlite3_column_text(st, 2);
    if (soa) {
        unsigned long v[5]; /* names skipped whole: with \DDD escapes they reach 1004 chars */
        if (sscanf(soa, "%*s %*s %lu %lu %lu %lu %lu", &v[0], &v[1], &v[2], &v[3], &v[4]) == 5)
            t->soa_minimum = (int64_t)v[4];
    }
    int keys_only = sqlite3_column_int(st, 3);
    sqlite3_finalize(st);
    /* keys-only: what PowerDNS serves (served_ttls.h); full mode reads nothing more */
    return keys_only ? sd_served_ttls_merge(db, zone_id, t, e) : 0;
}

/* Finishes a transition: the keys' next steps stored, serial bump, audit row, commit. */
static int finish(const sd_ctx *c, const sd_zone *z, const char *action, const char *detail,
                  sd_err *e)
{
    if (sd_keystate_store(c->db, z->id, e) < 0 || sd_zone_bump_serial(c->db, z->id, e) < 0 ||
        sd_audit(c->db, c->now, c->actor, z->name, action, "ok", detail, e) < 0) {
        sd_db_rollback(c->db);
        return -e->code;
    }
    return sd_db_commit(c->db, e);
}

/* Rolls back and passes the error code on. A refused call changes nothing, not even the audit
 * trail: bad input never changes state. */
static int abort_tx(const sd_ctx *c, const sd_zone *z, const char *action, sd_err *e)
{
    (void)z;
    (void)action;
    sd_db_rollback(c->db);
    return -e->code;
}

int sd_dnssec_enable(const sd_ctx *c, const sd_zone *z, int algorithm, sd_err *e)
{
    sd_policy p;
    if (sd_policy_load(c->db, z->id, c->defaults, &p, e) < 0)
        return -e->code;
    int alg = algorithm ? algorithm : p.algorithm;
    if (!sd_alg_supported(alg))
        return sd_fail(e, SD_EBADINPUT, "unsupported algorithm %d (supported: 8, 10, 13, 14, 15)",
                       alg);
    char status[32];
    /* Cheap check first so that a refused call does not pay for key generation. */
    if (sd_dnssec_status(c->db, z->id, status, sizeof status, e) < 0)
        return -e->code;
    if (strcmp(status, "disabled") != 0)
        return sd_fail(e, SD_ECONFLICT, "DNSSEC already enabled on this zone (status: %s)", status);
    newkey ksk, zsk;
    if (newkey_make(c, z, alg, p.ksk_bits, SD_FLAGS_KSK, &ksk, e) < 0)
        return -e->code;
    if (newkey_make(c, z, alg, p.zsk_bits, SD_FLAGS_ZSK, &zsk, e) < 0) {
        newkey_free(&ksk);
        return -e->code;
    }
    int rc = sd_db_begin(c->db, e);
    if (rc == 0) {
        sd_zone_ttls ttls = {0, 0, 0};
        int64_t kexp = c->now + p.ksk_lifetime, zexp = c->now + p.zsk_lifetime;
        int ok = sd_zone_ttls_load(c->db, z->id, &ttls, e) == 0;
        /* Going live: the DS may appear only once no resolver holds an unsigned answer or
         * a DNSKEY set without the new keys. */
        int64_t wait = sd_wait_publish(&p, &ttls) > sd_wait_retire(&p, &ttls)
                           ? sd_wait_publish(&p, &ttls)
                           : sd_wait_retire(&p, &ttls);
        timeline tk = {.state = "active",
                       .publish_at = c->now,
                       .activate_at = c->now,
                       .expires_at = kexp,
                       .ds_submitted_at = c->now,
                       .roll_at = sd_roll_ksk_at(&p, &ttls, kexp, c->now),
                       .ds_publish_at = c->now + wait};
        timeline tz = {.state = "active",
                       .publish_at = c->now,
                       .activate_at = c->now,
                       .expires_at = zexp,
                       .roll_at = sd_roll_zsk_at(&p, &ttls, zexp, c->now)};
        if (!ok || require_status(c, z, "disabled", "enable", status, e) < 0 ||
            newkey_insert(c, z, &ksk, &tk, NULL, e) < 0 ||
            newkey_insert(c, z, &zsk, &tz, NULL, e) < 0) {
            rc = abort_tx(c, z, "dnssec-enable", e);
        } else {
            char detail[96];
            snprintf(detail, sizeof detail, "{\"algorithm\": %d, \"ksk\": %u, \"zsk\": %u}", alg,
                     ksk.key.key_tag, zsk.key.key_tag);
            rc = finish(c, z, "dnssec-enable", detail, e);
        }
    }
    newkey_free(&ksk);
    newkey_free(&zsk);
    return rc;
}

/* Compares a DS against one KSK row (flags, algorithm, tag, public key). */
static int ds_matches(const sd_zone *z, const sd_ds *ds, int tag, int alg, int flags,
                      const char *pub)
{
    return ds->key_tag == tag && sd_ds_matches_key(ds, z->name, flags, alg, pub);
}

/* After the DS of an algorithm rollover's new KSK (new_ksk) is confirmed: the keys of every
 * other algorithm leave the DNSKEY RRset once no resolver holds the old DS, and stop signing
 * once no resolver holds a DNSKEY RRset with them (RFC 6781 section 4.1.4). No-op when the
 * zone has one algorithm. Inside the caller's transaction. */
static int schedule_old_algorithm(const sd_ctx *c, const sd_zone *z, const sd_policy *p,
                                  int64_t new_ksk, sd_err *e)
{
    sd_zone_ttls ttls;
    if (sd_zone_ttls_load(c->db, z->id, &ttls, e) < 0)
        return -e->code;
    int64_t unpublish = c->now + sd_wait_parent_ds(p);
    sqlite3_stmt *st;
    if (sd_db_prepare(c->db,
                      "UPDATE keys SET unpublish_at = ?1, remove_at = ?2 WHERE zone_id = ?3 "
                      "AND state <> 'removed' AND algorithm <> "
                      "(SELECT algorithm FROM keys WHERE id = ?4)",
                      &st, e) < 0)
        return -e->code;
    sqlite3_bind_int64(st, 1, unpublish);
    sqlite3_bind_int64(st, 2, unpublish + sd_wait_publish(p, &ttls));
    sqlite3_bind_int64(st, 3, z->id);
    sqlite3_bind_int64(st, 4, new_ksk);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : sd_db_fail(c->db, e, "schedule the old algorithm's keys");
}

/* Fills e with the 409 of a confirmation during a KSK rollover that names none of the KSKs
 * still waiting for their DS, listing those (key tag and ds_publish_after). Returns -409. */
static int awaited(const sd_ctx *c, const sd_zone *z, sd_err *e)
{
    char list[256] = "";
    size_t used = 0;
    sqlite3_stmt *st;
    if (sd_db_prepare(c->db,
                      "SELECT key_tag, coalesce(ds_publish_at, 0) FROM keys WHERE zone_id = ? "
                      "AND role = 'KSK' AND state <> 'removed' AND remove_at IS NULL AND "
                      "ds_seen_at IS NULL ORDER BY id",
                      &st, e) < 0)
        return -e->code;
    sqlite3_bind_int64(st, 1, z->id);
    while (sqlite3_step(st) == SQLITE_ROW && used < sizeof list - 64) {
        char when[32];
        sd_time_rfc3339(sqlite3_column_int64(st, 1), when, sizeof when);
        used += (size_t)snprintf(list + used, sizeof list - used, "%sKSK %d (ds_publish_after %s)",
                                 used ? ", " : "", sqlite3_column_int(st, 0), when);
    }
    sqlite3_finalize(st);
    return sd_fail(e, SD_ECONFLICT,
                   "DS publication not confirmed: every DS given is one the parent already had; "
                   "the zone is rotating_ksk and still awaits the DS of %s",
                   used ? list : "its new KSK");
}

int sd_dnssec_confirm_ds(const sd_ctx *c, const sd_zone *z, const sd_ds *ds, size_t n, sd_err *e)
{
    char status[32];
    if (sd_db_begin(c->db, e) < 0)
        return -e->code;
    if (require_status(c, z, "pending_ds,rotating_ksk", "confirm-ds-published", status, e) < 0)
        return abort_tx(c, z, "dnssec-confirm-ds", e);
    if (n == 0) {
        sd_fail(e, SD_EBADINPUT, "give at least one DS record in ds_records");
        return abort_tx(c, z, "dnssec-confirm-ds", e);
    }
    sqlite3_stmt *st;
    if (sd_db_prepare(c->db,
                      "SELECT id, key_tag, algorithm, flags, public_key, state, "
                      "coalesce(ds_publish_at, 0), ds_seen_at IS NULL FROM keys "
                      "WHERE zone_id = ? AND role = 'KSK' AND state <> 'removed' "
                      "AND remove_at IS NULL",
                      &st, e) < 0)
        return abort_tx(c, z, "dnssec-confirm-ds", e);
    int64_t seen[16];
    size_t nseen = 0;
    for (size_t i = 0; i < n; i++) {
        int found = 0;
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, z->id);
        while (sqlite3_step(st) == SQLITE_ROW) {
            if (ds_matches(z, &ds[i], sqlite3_column_int(st, 1), sqlite3_column_int(st, 2),
                           sqlite3_column_int(st, 3), (const char *)sqlite3_column_text(st, 4))) {
                found = 1;
                if (nseen < 16)
                    seen[nseen++] = sqlite3_column_int64(st, 0);
                if (strcmp((const char *)sqlite3_column_text(st, 5), "signing") == 0) {
                    sqlite3_finalize(st);
                    sd_fail(e, SD_ECONFLICT,
                            "the KSK %d is not in the DNSKEY RRset yet: its DS must not be at "
                            "the parent before its ds_publish_after time",
                            ds[i].key_tag);
                    return abort_tx(c, z, "dnssec-confirm-ds", e);
                }
                /* A rollover's new KSK: before ds_publish_after a resolver may still hold a
                 * DNSKEY RRset without it, and a DS naming it would make the zone bogus. */
                int64_t after = sqlite3_column_int64(st, 6);
                if (strcmp(status, "rotating_ksk") == 0 && sqlite3_column_int(st, 7) &&
                    c->now < after) {
                    char when[32];
                    sd_time_rfc3339(after, when, sizeof when);
                    sqlite3_finalize(st);
                    sd_fail(e, SD_ECONFLICT,
                            "the DS of the new KSK %d must not be at the parent before its "
                            "ds_publish_after time %s (%lld s from now): resolvers may still "
                            "hold a DNSKEY RRset without it; publish the DS from then on and "
                            "confirm again",
                            ds[i].key_tag, when, (long long)(after - c->now));
                    return abort_tx(c, z, "dnssec-confirm-ds", e);
                }
            }
        }
        if (!found) {
            sqlite3_finalize(st);
            sd_fail(e, SD_EBADINPUT, "DS %d %d %d %.16s... matches no current KSK of %s",
                    ds[i].key_tag, ds[i].algorithm, ds[i].digest_type, ds[i].digest, z->name);
            return abort_tx(c, z, "dnssec-confirm-ds", e);
        }
    }
    sqlite3_finalize(st);

    sd_policy p;
    if (sd_policy_load(c->db, z->id, c->defaults, &p, e) < 0)
        return abort_tx(c, z, "dnssec-confirm-ds", e);
    /* KSKs whose DS had been seen before this confirmation are the old ones of a KSK
     * rollover (whether or not the operator still lists them): they stay until no resolver
     * can hold the old DS any more. seen[] keeps only the KSKs confirmed for the first time. */
    int rotating = strcmp(status, "rotating_ksk") == 0;
    size_t nfresh = 0;
    /* A KSK whose DS the parent holds is one CDS names (cds.h), ready or not before. */
    const char *mark = "UPDATE keys SET ds_seen_at = ?1, cds_at = coalesce(cds_at, ?1) "
                       "WHERE id = ?2 AND ds_seen_at IS NULL";
    if (sd_db_prepare(c->db, mark, &st, e) < 0)
        return abort_tx(c, z, "dnssec-confirm-ds", e);
    for (size_t i = 0; i < nseen; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, c->now);
        sqlite3_bind_int64(st, 2, seen[i]);
        if (sqlite3_step(st) != SQLITE_DONE) {
            sqlite3_finalize(st);
            sd_db_fail(c->db, e, "mark DS seen");
            return abort_tx(c, z, "dnssec-confirm-ds", e);
        }
        if (sqlite3_changes(c->db) > 0)
            seen[nfresh++] = seen[i];
    }
    sqlite3_finalize(st);
    if (rotating) {
        /* Schedule removal of the KSKs not confirmed now, unless the new one is still
         * waiting (the operator confirmed only the old DS). */
        char after[32];
        if (sd_dnssec_status(c->db, z->id, after, sizeof after, e) < 0)
            return abort_tx(c, z, "dnssec-confirm-ds", e);
        if (strcmp(after, "rotating_ksk") == 0) {
            /* Only DS the parent already had: nothing would change. Say what is awaited. */
            awaited(c, z, e);
            return abort_tx(c, z, "dnssec-confirm-ds", e);
        }
        if (strcmp(after, "rotating_ksk") != 0 && nfresh > 0) {
            char sql[512], ids[16 * 24] = "";
            size_t used = 0;
            for (size_t i = 0; i < nfresh; i++)
                used += (size_t)snprintf(ids + used, sizeof ids - used, "%s%lld", i ? "," : "",
                                         (long long)seen[i]);
            snprintf(sql, sizeof sql,
                     "UPDATE keys SET remove_at = ? WHERE zone_id = ? AND role = 'KSK' "
                     "AND state <> 'removed' AND remove_at IS NULL AND id NOT IN (%s)",
                     ids);
            if (sd_db_prepare(c->db, sql, &st, e) < 0)
                return abort_tx(c, z, "dnssec-confirm-ds", e);
            sqlite3_bind_int64(st, 1, c->now + sd_wait_parent_ds(&p));
            sqlite3_bind_int64(st, 2, z->id);
            int rc = sqlite3_step(st);
            sqlite3_finalize(st);
            if (rc != SQLITE_DONE) {
                sd_db_fail(c->db, e, "schedule old KSK removal");
                return abort_tx(c, z, "dnssec-confirm-ds", e);
            }
            if (schedule_old_algorithm(c, z, &p, seen[0], e) < 0)
                return abort_tx(c, z, "dnssec-confirm-ds", e);
        }
    }
    char detail[64];
    snprintf(detail, sizeof detail, "{\"ds_confirmed\": %zu}", n);
    return finish(c, z, "dnssec-confirm-ds", detail, e);
}

/* Reads the algorithm and bits of the zone's live key of role, for a same-algorithm roll. */
static int current_alg(sqlite3 *db, const sd_zone *z, const char *role, int *alg, int *bits,
                       sd_err *e)
{
    sqlite3_stmt *st;
    if (sd_db_prepare(db,
                      "SELECT algorithm, bits FROM keys WHERE zone_id = ? AND role = ? "
                      "AND state = 'active' ORDER BY id DESC LIMIT 1",
                      &st, e) < 0)
        return -e->code;
    sqlite3_bind_int64(st, 1, z->id);
    sqlite3_bind_text(st, 2, role, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *alg = sqlite3_column_int(st, 0);
        *bits = sqlite3_column_int(st, 1);
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc == SQLITE_DONE)
        return sd_fail(e, SD_ECONFLICT, "the zone has no active %s", role);
    return sd_db_fail(db, e, "read keys");
}

/* Runs an update on the zone's keys with two int64 parameters (?1 = zone id, ?2 = v). */
static int keys_update(sqlite3 *db, const char *sql, int64_t zone_id, int64_t v, sd_err *e)
{
    sqlite3_stmt *st;
    if (sd_db_prepare(db, sql, &st, e) < 0)
        return -e->code;
    sqlite3_bind_int64(st, 1, zone_id);
    sqlite3_bind_int64(st, 2, v);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : sd_db_fail(db, e, "update keys");
}

static int zsk_rollover_under_way(sqlite3 *db, int64_t zone_id, sd_err *e);

/* rotate-zsk, allowed while the zone's status is one of allowed (comma separated) and no other
 * ZSK rollover is under way. */
static int rotate_zsk(const sd_ctx *c, const sd_zone *z, const char *allowed, int64_t *made,
                      sd_err *e)
{
    char status[32];
    int alg, bits;
    sd_policy p;
    if (require_status(c, z, allowed, "rotate-zsk", status, e) < 0)
        return -e->code;
    if (current_alg(c->db, z, "ZSK", &alg, &bits, e) < 0 ||
        sd_policy_load(c->db, z->id, c->defaults, &p, e) < 0)
        return -e->code;
    newkey zsk;
    if (newkey_make(c, z, alg, bits, SD_FLAGS_ZSK, &zsk, e) < 0)
        return -e->code;
    int rc = sd_db_begin(c->db, e);
    if (rc == 0) {
        sd_zone_ttls ttls = {0, 0, 0};
        int ok = require_status(c, z, allowed, "rotate-zsk", status, e) == 0 &&
                 sd_zone_ttls_load(c->db, z->id, &ttls, e) == 0;
        /* Outside active the status does not show a ZSK rollover: one at a time. */
        int busy = ok ? zsk_rollover_under_way(c->db, z->id, e) : 0;
        if (busy < 0)
            ok = 0;
        else if (busy)
            ok = sd_fail(e, SD_ECONFLICT,
                         "cannot rotate-zsk: a ZSK rollover is already under way in this zone "
                         "(status: %s)",
                         status) == 0;
        int64_t activate = c->now + sd_wait_publish(&p, &ttls);
        int64_t remove = activate + sd_wait_retire(&p, &ttls);
        int64_t exp = activate + p.zsk_lifetime;
        timeline t = {.state = "published",
                      .publish_at = c->now,
                      .activate_at = activate,
                      .expires_at = exp,
                      .roll_at = sd_roll_zsk_at(&p, &ttls, exp, activate)};
        if (!ok || newkey_insert(c, z, &zsk, &t, made, e) < 0 ||
            keys_update(c->db,
                        "UPDATE keys SET retire_at = ?2 WHERE zone_id = ?1 AND role = 'ZSK' "
                        "AND state = 'active'",
                        z->id, activate, e) < 0 ||
            keys_update(c->db,
                        "UPDATE keys SET remove_at = ?2 WHERE zone_id = ?1 AND role = 'ZSK' "
                        "AND state = 'active'",
                        z->id, remove, e) < 0) {
            rc = abort_tx(c, z, "dnssec-rotate-zsk", e);
        } else {
            char detail[96];
            snprintf(detail, sizeof detail, "{\"new_zsk\": %u, \"activate_at\": %lld}",
                     zsk.key.key_tag, (long long)activate);
            rc = finish(c, z, "dnssec-rotate-zsk", detail, e);
        }
    }
    newkey_free(&zsk);
    return rc;
}

int sd_dnssec_rotate_zsk(const sd_ctx *c, const sd_zone *z, sd_err *e)
{
    /* While the first DS is awaited too: nothing about the parent depends on the ZSK. */
    return rotate_zsk(c, z, "active,pending_ds", NULL, e);
}

int sd_dnssec_rotate_zsk_made(const sd_ctx *c, const sd_zone *z, int64_t *made, sd_err *e)
{
    return rotate_zsk(c, z, "active,pending_ds", made, e);
}

int sd_dnssec_roll_zsk_auto(const sd_ctx *c, const sd_zone *z, sd_err *e)
{
    return rotate_zsk(c, z, "active,rotating_ksk", NULL, e);
}

int sd_dnssec_rotate_ksk(const sd_ctx *c, const sd_zone *z, sd_err *e)
{
    return sd_dnssec_rotate_ksk_alg(c, z, 0, e);
}

/* Inserts the keys of an algorithm rollover (RFC 6781 section 4.1.4): a KSK and a ZSK of the
 * new algorithm that sign at once but join the DNSKEY RRset only when every cache holds the
 * new signatures (publish_at); their DS may be published a publish wait after that. Inside the
 * caller's transaction. */
static int insert_alg_roll(const sd_ctx *c, const sd_zone *z, const sd_policy *p,
                           const sd_zone_ttls *ttls, const newkey *ksk, const newkey *zsk,
                           int64_t *made, sd_err *e)
{
    int64_t publish = c->now + sd_wait_retire(p, ttls);
    int64_t kexp = publish + p->ksk_lifetime, zexp = publish + p->zsk_lifetime;
    timeline tk = {.state = "signing",
                   .publish_at = publish,
                   .activate_at = c->now,
                   .expires_at = kexp,
                   .ds_submitted_at = c->now,
                   .roll_at = sd_roll_ksk_at(p, ttls, kexp, publish),
                   .ds_publish_at = publish + sd_wait_publish(p, ttls)};
    timeline tz = {.state = "signing",
                   .publish_at = publish,
                   .activate_at = c->now,
                   .expires_at = zexp,
                   .roll_at = sd_roll_zsk_at(p, ttls, zexp, publish)};
    if (newkey_insert(c, z, ksk, &tk, made, e) < 0 || newkey_insert(c, z, zsk, &tz, NULL, e) < 0)
        return -e->code;
    return 0;
}

int sd_dnssec_rotate_ksk_alg(const sd_ctx *c, const sd_zone *z, int algorithm, sd_err *e)
{
    return sd_dnssec_rotate_ksk_made(c, z, algorithm, NULL, e);
}

int sd_dnssec_rotate_ksk_made(const sd_ctx *c, const sd_zone *z, int algorithm, int64_t *made,
                              sd_err *e)
{
    char status[32];
    int alg, bits, zalg, zbits;
    sd_policy p;
    if (sd_dnssec_status(c->db, z->id, status, sizeof status, e) < 0)
        return -e->code;
    if (strcmp(status, "active") != 0)
        return require_status(c, z, "active", "rotate-ksk", status, e);
    if (current_alg(c->db, z, "KSK", &alg, &bits, e) < 0 ||
        current_alg(c->db, z, "ZSK", &zalg, &zbits, e) < 0 ||
        sd_policy_load(c->db, z->id, c->defaults, &p, e) < 0)
        return -e->code;
    if (algorithm && !sd_alg_supported(algorithm))
        return sd_fail(e, SD_EBADINPUT, "unsupported algorithm %d (supported: 8, 10, 13, 14, 15)",
                       algorithm);
    int alg_roll = algorithm && algorithm != alg;
    newkey ksk, zsk;
    memset(&zsk, 0, sizeof zsk);
    if (newkey_make(c, z, alg_roll ? algorithm : alg, alg_roll ? p.ksk_bits : bits, SD_FLAGS_KSK,
                    &ksk, e) < 0)
        return -e->code;
    if (alg_roll && newkey_make(c, z, algorithm, p.zsk_bits, SD_FLAGS_ZSK, &zsk, e) < 0) {
        newkey_free(&ksk);
        return -e->code;
    }
    int rc = sd_db_begin(c->db, e);
    if (rc == 0) {
        sd_zone_ttls ttls = {0, 0, 0};
        int64_t exp = c->now + p.ksk_lifetime;
        int ok = sd_zone_ttls_load(c->db, z->id, &ttls, e) == 0 &&
                 require_status(c, z, "active", "rotate-ksk", status, e) == 0;
        /* Same algorithm (double-KSK): the new KSK signs the DNSKEY RRset at once; its DS may
         * replace the old one once every cached DNSKEY set holds the new KSK. */
        timeline t = {.state = "active",
                      .publish_at = c->now,
                      .activate_at = c->now,
                      .expires_at = exp,
                      .ds_submitted_at = c->now,
                      .roll_at = sd_roll_ksk_at(&p, &ttls, exp, c->now),
                      .ds_publish_at = c->now + sd_wait_publish(&p, &ttls)};
        if (ok && alg_roll)
            ok = insert_alg_roll(c, z, &p, &ttls, &ksk, &zsk, made, e) == 0;
        else if (ok)
            ok = newkey_insert(c, z, &ksk, &t, made, e) == 0;
        if (!ok) {
            rc = abort_tx(c, z, "dnssec-rotate-ksk", e);
        } else {
            char detail[128];
            if (alg_roll)
                snprintf(detail, sizeof detail,
                         "{\"new_ksk\": %u, \"new_zsk\": %u, \"algorithm\": %d, "
                         "\"from_algorithm\": %d}",
                         ksk.key.key_tag, zsk.key.key_tag, algorithm, alg);
            else
                snprintf(detail, sizeof detail, "{\"new_ksk\": %u}", ksk.key.key_tag);
            rc = finish(c, z, "dnssec-rotate-ksk", detail, e);
        }
    }
    newkey_free(&ksk);
    newkey_free(&zsk);
    return rc;
}

/* The newest live key of role that is not on its way out: the one a rollover brought. */
static int newest_key(sqlite3 *db, int64_t zone_id, const char *role, int64_t *id, char *state,
                      int *alg, int64_t *ds_publish_at, sd_err *e)
{
    sqlite3_stmt *st;
    if (sd_db_prepare(db,
                      "SELECT id, state, algorithm, coalesce(ds_publish_at, 0) FROM keys "
                      "WHERE zone_id = ? AND role = ? AND state <> 'removed' AND remove_at IS NULL "
                      "ORDER BY id DESC LIMIT 1",
                      &st, e) < 0)
        return -e->code;
    sqlite3_bind_int64(st, 1, zone_id);
    sqlite3_bind_text(st, 2, role, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        snprintf(state, 16, "%s", (const char *)sqlite3_column_text(st, 1));
        *alg = sqlite3_column_int(st, 2);
        *ds_publish_at = sqlite3_column_int64(st, 3);
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return 0;
    return rc == SQLITE_DONE ? sd_fail(e, SD_ECONFLICT, "no %s to abort", role)
                             : sd_db_fail(db, e, "read keys");
}

/* 1 when a ZSK rollover is under way in the zone: its newest live ZSK is not on its way out
 * and an older live ZSK of the same algorithm is beside it. A zone also shows rotating_zsk
 * while keys only leave (the ZSK of a rollover aborted before, the old algorithm's keys after
 * an algorithm rollover): then there is nothing to abort. 0 when not, -code on error. */
static int zsk_rollover_under_way(sqlite3 *db, int64_t zone_id, sd_err *e)
{
    sqlite3_stmt *st;
    if (sd_db_prepare(db,
                      "SELECT count(*) FROM keys n WHERE n.id = (SELECT max(id) FROM keys WHERE "
                      "zone_id = ?1 AND role = 'ZSK' AND state <> 'removed') AND "
                      "n.remove_at IS NULL AND n.unpublish_at IS NULL AND EXISTS (SELECT 1 FROM "
                      "keys o WHERE o.zone_id = ?1 AND o.role = 'ZSK' AND o.state <> 'removed' "
                      "AND o.id <> n.id AND o.algorithm = n.algorithm)",
                      &st, e) < 0)
        return -e->code;
    sqlite3_bind_int64(st, 1, zone_id);
    int rc = sqlite3_step(st);
    int found = rc == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return sd_db_fail(db, e, "read keys");
    return found;
}

/* Abort of a ZSK rollover (inside the transaction). */
static int abort_zsk(const sd_ctx *c, const sd_zone *z, const sd_policy *p,
                     const sd_zone_ttls *ttls, sd_err *e)
{
    int64_t id, dsp;
    char state[16];
    int alg;
    int under_way = zsk_rollover_under_way(c->db, z->id, e);
    if (under_way < 0)
        return under_way;
    if (!under_way)
        return sd_fail(e, SD_ECONFLICT,
                       "no ZSK rollover to abort: the zone's extra ZSK is already leaving (a "
                       "rollover aborted before, or the old algorithm after an algorithm "
                       "rollover)");
    if (newest_key(c->db, z->id, "ZSK", &id, state, &alg, &dsp, e) < 0)
        return -e->code;
    /* The old ZSK signs (again) and keeps its place; its own roll waits at least a day. */
    const char *restore = "UPDATE keys SET state = 'active', retire_at = NULL, remove_at = NULL, "
                          "roll_at = max(coalesce(roll_at, 0), ?2) WHERE zone_id = ?1 "
                          "AND role = 'ZSK' AND state IN ('active', 'retired') AND id <> "
                          "(SELECT max(id) FROM keys WHERE zone_id = ?1 AND role = 'ZSK')";
    if (keys_update(c->db, restore, z->id, c->now + 86400, e) < 0)
        return -e->code;
    if (strcmp(state, "published") == 0) /* never signed: nobody depends on it */
        return keys_update(c->db,
                           "UPDATE keys SET state = 'removed', sealed_private = NULL, "
                           "remove_at = ?2 WHERE id = ?1",
                           id, c->now, e);
    /* It signed: its signatures stay valid until they expire from caches. */
    if (keys_update(c->db, "UPDATE keys SET state = 'retired', retire_at = ?2 WHERE id = ?1", id,
                    c->now, e) < 0)
        return -e->code;
    return keys_update(c->db, "UPDATE keys SET remove_at = ?2 WHERE id = ?1", id,
                       c->now + sd_wait_retire(p, ttls), e);
}

/* Abort of a KSK or algorithm rollover (inside the transaction). */
static int abort_ksk(const sd_ctx *c, const sd_zone *z, const sd_policy *p,
                     const sd_zone_ttls *ttls, sd_err *e)
{
    int64_t id, dsp;
    char state[16];
    int alg, oldalg = 0;
    if (newest_key(c->db, z->id, "KSK", &id, state, &alg, &dsp, e) < 0)
        return -e->code;
    sqlite3_stmt *st;
    if (sd_db_prepare(c->db,
                      "SELECT algorithm FROM keys WHERE zone_id = ? AND role = 'KSK' AND "
                      "ds_seen_at IS NOT NULL AND state <> 'removed' ORDER BY id DESC LIMIT 1",
                      &st, e) < 0)
        return -e->code;
    sqlite3_bind_int64(st, 1, z->id);
    if (sqlite3_step(st) == SQLITE_ROW)
        oldalg = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    /* If the operator may already have published the new DS, the new KSK must outlive it. */
    int64_t ds_gone = c->now >= dsp ? c->now + sd_wait_parent_ds(p) : c->now;
    if (alg == oldalg) {
        if (ds_gone == c->now)
            return keys_update(c->db,
                               "UPDATE keys SET state = 'removed', sealed_private = NULL, "
                               "remove_at = ?2 WHERE id = ?1",
                               id, c->now, e);
        return keys_update(c->db, "UPDATE keys SET remove_at = ?2 WHERE id = ?1", id, ds_gone, e);
    }
    /* Algorithm rollover: the new algorithm's keys (KSK and ZSK) go back out in reverse. */
    if (strcmp(state, "signing") == 0) {
        /* Never published: a signature without a DNSKEY of its algorithm harms nobody. */
        return keys_update(c->db,
                           "UPDATE keys SET state = 'removed', sealed_private = NULL, "
                           "remove_at = ?2 WHERE zone_id = ?1 AND state <> 'removed' AND "
                           "algorithm = (SELECT algorithm FROM keys WHERE zone_id = ?1 AND "
                           "role = 'KSK' ORDER BY id DESC LIMIT 1)",
                           z->id, c->now, e);
    }
    int64_t unpublish = ds_gone, remove = ds_gone + sd_wait_publish(p, ttls);
    if (sd_db_prepare(c->db,
                      "UPDATE keys SET unpublish_at = ?1, remove_at = ?2 WHERE zone_id = ?3 AND "
                      "state <> 'removed' AND algorithm = ?4",
                      &st, e) < 0)
        return -e->code;
    sqlite3_bind_int64(st, 1, unpublish);
    sqlite3_bind_int64(st, 2, remove);
    sqlite3_bind_int64(st, 3, z->id);
    sqlite3_bind_int(st, 4, alg);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : sd_db_fail(c->db, e, "schedule the new keys' removal");
}

/* Starts going insecure at now (CDS/CDNSKEY DELETE from then on), or ends it (now = 0). */
static int zone_insecure_set(sqlite3 *db, int64_t zone_id, int64_t now, sd_err *e)
{
    sqlite3_stmt *st;
    if (sd_db_prepare(db, "UPDATE zones SET insecure_at = ?2, unsign_at = NULL WHERE id = ?1", &st,
                      e) < 0)
        return -e->code;
    sqlite3_bind_int64(st, 1, zone_id);
    if (now)
        sqlite3_bind_int64(st, 2, now);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : sd_db_fail(db, e, "mark the zone going insecure");
}

int sd_dnssec_unsign_due(const sd_ctx *c, const sd_zone *z, sd_err *e)
{
    sqlite3_stmt *st;
    if (sd_db_begin(c->db, e) < 0)
        return -e->code;
    if (sd_db_prepare(c->db,
                      "SELECT unsign_at FROM zones WHERE id = ? AND insecure_at IS NOT NULL "
                      "AND unsign_at IS NOT NULL",
                      &st, e) < 0)
        return abort_tx(c, z, "dnssec-unsign", e);
    sqlite3_bind_int64(st, 1, z->id);
    int due = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) <= c->now;
    sqlite3_finalize(st);
    if (!due) {
        sd_db_rollback(c->db);
        return 0;
    }
    if (zone_insecure_set(c->db, z->id, 0, e) < 0 ||
        keys_update(c->db,
                    "UPDATE keys SET state = 'removed', sealed_private = NULL, "
                    "remove_at = ?2 WHERE zone_id = ?1 AND state <> 'removed'",
                    z->id, c->now, e) < 0)
        return abort_tx(c, z, "dnssec-unsign", e);
    return finish(c, z, "dnssec-unsign", "{\"reason\": \"the parent removed the DS\"}", e) < 0
               ? -e->code
               : 1;
}

int sd_dnssec_abort(const sd_ctx *c, const sd_zone *z, sd_err *e)
{
    char status[32];
    sd_policy p;
    sd_zone_ttls ttls;
    if (sd_db_begin(c->db, e) < 0)
        return -e->code;
    if (sd_dnssec_status(c->db, z->id, status, sizeof status, e) < 0 ||
        sd_policy_load(c->db, z->id, c->defaults, &p, e) < 0 ||
        sd_zone_ttls_load(c->db, z->id, &ttls, e) < 0)
        return abort_tx(c, z, "dnssec-abort", e);
    int rc;
    if (strcmp(status, "rotating_zsk") == 0) {
        rc = abort_zsk(c, z, &p, &ttls, e);
    } else if (strcmp(status, "rotating_ksk") == 0) {
        rc = abort_ksk(c, z, &p, &ttls, e);
    } else if (strcmp(status, "disabling") == 0) {
        /* Back to the KSKs' CDS: a registry that already deleted the DS takes it up again. */
        rc = zone_insecure_set(c->db, z->id, 0, e);
    } else {
        rc = sd_fail(e, SD_ECONFLICT,
                     "cannot abort while the zone is %s: no rollover is under way, or it passed "
                     "its point of no return (the new DS was confirmed)",
                     status);
    }
    if (rc < 0)
        return abort_tx(c, z, "dnssec-abort", e);
    char detail[64];
    snprintf(detail, sizeof detail, "{\"aborted\": \"%s\"}", status);
    return finish(c, z, "dnssec-abort", detail, e);
}

int sd_dnssec_disable(const sd_ctx *c, const sd_zone *z, sd_err *e)
{
    char status[32];
    sd_policy p;
    if (sd_db_begin(c->db, e) < 0)
        return -e->code;
    if (sd_dnssec_status(c->db, z->id, status, sizeof status, e) < 0 ||
        sd_policy_load(c->db, z->id, c->defaults, &p, e) < 0)
        return abort_tx(c, z, "dnssec-disable", e);
    if (strcmp(status, "disabled") == 0) {
        sd_fail(e, SD_ECONFLICT, "DNSSEC is not enabled on this zone (status: disabled)");
        return abort_tx(c, z, "dnssec-disable", e);
    }
    if (p.cds && p.cds_delete && strcmp(status, "disabling") != 0) {
        /* RFC 8078: ask the parent to delete the DS, and keep signing until it has. */
        if (zone_insecure_set(c->db, z->id, c->now, e) < 0)
            return abort_tx(c, z, "dnssec-disable", e);
        return finish(c, z, "dnssec-disable", "{\"cds_delete\": true}", e);
    }
    if (zone_insecure_set(c->db, z->id, 0, e) < 0 ||
        keys_update(c->db,
                    "UPDATE keys SET state = 'removed', sealed_private = NULL, "
                    "remove_at = ?2 WHERE zone_id = ?1 AND state <> 'removed'",
                    z->id, c->now, e) < 0)
        return abort_tx(c, z, "dnssec-disable", e);
    return finish(c, z, "dnssec-disable", NULL, e);
}

int sd_dnssec_postpone_removal(const sd_ctx *c, const sd_zone *z, int64_t key_id, int64_t later,
                               const char *detail, sd_err *e)
{
    if (sd_db_begin(c->db, e) < 0)
        return -e->code;
    sqlite3_stmt *st;
    if (sd_db_prepare(c->db,
                      "UPDATE keys SET remove_at = ?2 WHERE id = ?1 AND zone_id = ?3 "
                      "AND remove_at IS NOT NULL AND remove_at < ?2",
                      &st, e) < 0)
        return abort_tx(c, z, "ksk-remove", e);
    sqlite3_bind_int64(st, 1, key_id);
    sqlite3_bind_int64(st, 2, later);
    sqlite3_bind_int64(st, 3, z->id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        sd_db_fail(c->db, e, "postpone a key's removal");
        return abort_tx(c, z, "ksk-remove", e);
    }
    if (sqlite3_changes(c->db) == 0) {
        sd_db_rollback(c->db);
        return 0;
    }
    if (sd_keystate_store(c->db, z->id, e) < 0 ||
        sd_audit(c->db, c->now, c->actor, z->name, "ksk-remove", "postponed", detail, e) < 0)
        return abort_tx(c, z, "ksk-remove", e);
    return sd_db_commit(c->db, e) < 0 ? -e->code : 1;
}

int sd_dnssec_set_unsign_at(const sd_ctx *c, const sd_zone *z, int64_t at, const char *detail,
                            sd_err *e)
{
    const char *action = at ? "parent-ds-gone" : "parent-ds-back";
    if (sd_db_begin(c->db, e) < 0)
        return -e->code;
    sqlite3_stmt *st;
    if (sd_db_prepare(c->db,
                      "UPDATE zones SET unsign_at = ?2 WHERE id = ?1 AND insecure_at IS NOT NULL",
                      &st, e) < 0)
        return abort_tx(c, z, action, e);
    sqlite3_bind_int64(st, 1, z->id);
    if (at)
        sqlite3_bind_int64(st, 2, at);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        sd_db_fail(c->db, e, "set the zone's unsign time");
        return abort_tx(c, z, action, e);
    }
    if (sd_audit(c->db, c->now, c->actor, z->name, action, "ok", detail, e) < 0)
        return abort_tx(c, z, action, e);
    return sd_db_commit(c->db, e) < 0 ? -e->code : 0;
}
