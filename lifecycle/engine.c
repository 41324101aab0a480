/* engine.c - carrying out the timed steps of rollovers. */
#include "lifecycle/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keystore/audit.h"
#include "keystore/db.h"
#include "keystore/timefmt.h"
#include "lifecycle/keystate.h"
#include "lifecycle/served_ttls.h"

/* The engine works on the rows of keystate.h. */
typedef sd_key_row ekey;

#define MAX_KEYS SD_ZONE_KEYS_MAX

/* The key of k[0..n) with a step of kind due at now (the first in id order), or NULL. */
static const ekey *due_key(const ekey *k, size_t n, sd_key_step_kind kind, int64_t now)
{
    for (size_t i = 0; i < n; i++) {
        sd_key_step s[SD_STEP_KIND_COUNT];
        size_t m = sd_key_steps(&k[i], s);
        for (size_t j = 0; j < m; j++)
            if (s[j].kind == kind && s[j].at <= now)
                return &k[i];
    }
    return NULL;
}

/* Runs sql with ?1 = v1, ?2 = v2 (both int64). */
static int exec2(sqlite3 *db, const char *sql, int64_t v1, int64_t v2, sd_err *e)
{
    sqlite3_stmt *st;
    if (sd_db_prepare(db, sql, &st, e) < 0)
        return -e->code;
    sqlite3_bind_int64(st, 1, v1);
    sqlite3_bind_int64(st, 2, v2);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : sd_db_fail(db, e, "update key");
}

/* Ends a step's transaction: serial bump (when the zone changed), audit, commit. */
static int commit_step(const sd_ctx *c, const sd_zone *z, const char *action, int changed,
                       json_t *detail, sd_err *e)
{
    char *text = json_dumps(detail, JSON_COMPACT | JSON_PRESERVE_ORDER);
    int rc = sd_keystate_store(c->db, z->id, e);
    if (rc == 0 && changed)
        rc = sd_zone_bump_serial(c->db, z->id, e);
    if (rc == 0)
        rc = sd_audit(c->db, c->now, c->actor, z->name, action, changed ? "ok" : "postponed", text,
                      e);
    free(text);
    json_decref(detail);
    if (rc < 0) {
        sd_db_rollback(c->db);
        return rc;
    }
    return sd_db_commit(c->db, e);
}

/* The step that swaps ZSKs: the due published ZSK starts signing, the active one retires.
 * Returns 1 if a step was taken (or postponed), 0 if nothing was due. */
static int step_activate(const sd_ctx *c, const sd_zone *z, const sd_policy *p,
                         const sd_zone_ttls *t, const ekey *k, size_t n, sd_err *e)
{
    const ekey *nk = due_key(k, n, SD_STEP_ACTIVATE, c->now);
    if (!nk)
        return 0;
    char terms[160];
    int64_t safe = nk->publish_at + sd_wait_publish(p, t);
    json_t *d = json_pack("{s:i, s:s}", "key_tag", nk->key_tag, "terms",
                          sd_terms_publish(p, t, terms, sizeof terms));
    json_object_set_new(d, "ttls", sd_zone_ttls_json(c->db, z->id, t)); /* the evidence */
    if (safe > c->now) {
        /* The zone's DNSKEY TTL grew since the plan was made: wait for the new safe time. */
        json_object_set_new(d, "postponed_to", json_integer(safe));
        if (exec2(c->db, "UPDATE keys SET activate_at = ?2 WHERE id = ?1", nk->id, safe, e) < 0 ||
            exec2(c->db,
                  "UPDATE keys SET retire_at = ?2 WHERE role = 'ZSK' AND state = 'active' "
                  "AND zone_id = ?1",
                  z->id, safe, e) < 0 ||
            exec2(c->db,
                  "UPDATE keys SET remove_at = max(coalesce(remove_at, 0), ?2) WHERE role = 'ZSK' "
                  "AND state = 'active' AND zone_id = ?1",
                  z->id, safe + sd_wait_retire(p, t), e) < 0) {
            json_decref(d);
            return -e->code;
        }
        return commit_step(c, z, "zsk-activate", 0, d, e) < 0 ? -e->code : 1;
    }
    int64_t remove = c->now + sd_wait_retire(p, t);
    if (exec2(c->db,
              "UPDATE keys SET state = 'retired', retire_at = ?2 WHERE zone_id = ?1 "
              "AND role = 'ZSK' AND state = 'active'",
              z->id, c->now, e) < 0 ||
        exec2(c->db,
              "UPDATE keys SET remove_at = max(coalesce(remove_at, 0), ?2) WHERE zone_id = ?1 "
              "AND role = 'ZSK' AND state = 'retired'",
              z->id, remove, e) < 0 ||
        exec2(c->db, "UPDATE keys SET state = 'active', activate_at = ?2 WHERE id = ?1", nk->id,
              c->now, e) < 0) {
        json_decref(d);
        return -e->code;
    }
    return commit_step(c, z, "zsk-activate", 1, d, e) < 0 ? -e->code : 1;
}

/* Algorithm rollovers: keys that signed unpublished join the DNSKEY RRset at publish_at, and
 * the old algorithm's keys leave it at unpublish_at (still signing until removed). 1 if a step
 * was taken. */
static int step_publication(const sd_ctx *c, const sd_zone *z, const ekey *k, size_t n, sd_err *e)
{
    for (size_t i = 0; i < n; i++) {
        const ekey *x = &k[i];
        int join = due_key(x, 1, SD_STEP_PUBLISH, c->now) != NULL;
        int leave = due_key(x, 1, SD_STEP_UNPUBLISH, c->now) != NULL;
        if (!join && !leave)
            continue;
        json_t *d =
            json_pack("{s:i, s:s}", "key_tag", x->key_tag, "key_type", x->ksk ? "KSK" : "ZSK");
        if (exec2(c->db,
                  join ? "UPDATE keys SET state = 'active', publish_at = ?2 WHERE id = ?1"
                       : "UPDATE keys SET state = 'signing', unpublish_at = ?2 WHERE id = ?1",
                  x->id, c->now, e) < 0) {
            json_decref(d);
            return -e->code;
        }
        return commit_step(c, z, join ? "key-publish" : "key-unpublish", 1, d, e) < 0 ? -e->code
                                                                                      : 1;
    }
    return 0;
}

/* A KSK whose DNSKEY is everywhere becomes the one the parent should trust: named in CDS and
 * CDNSKEY from now on (cds.h). 1 if a step was taken. */
static int step_ds_ready(const sd_ctx *c, const sd_zone *z, const sd_policy *p,
                         const sd_zone_ttls *t, const ekey *k, size_t n, sd_err *e)
{
    const ekey *x = due_key(k, n, SD_STEP_DS_READY, c->now);
    if (!x)
        return 0;
    json_t *d = json_pack("{s:i, s:b}", "key_tag", x->key_tag, "cds", p->cds);
    json_object_set_new(d, "ttls", sd_zone_ttls_json(c->db, z->id, t));
    int64_t safe = x->publish_at + sd_wait_publish(p, t);
    if (x->publish_at && safe > c->now) {
        /* The DNSKEY TTL grew since the plan was made (a keys-only zone's served TTLs
         * learned late, an SOA minimum raised): the DNSKEY is not everywhere yet. */
        char terms[160];
        json_object_set_new(d, "postponed_to", json_integer(safe));
        json_object_set_new(d, "terms", json_string(sd_terms_publish(p, t, terms, sizeof terms)));
        if (exec2(c->db, "UPDATE keys SET ds_publish_at = ?2 WHERE id = ?1", x->id, safe, e) < 0) {
            json_decref(d);
            return -e->code;
        }
        return commit_step(c, z, "ksk-ds-ready", 0, d, e) < 0 ? -e->code : 1;
    }
    if (exec2(c->db, "UPDATE keys SET cds_at = ?2 WHERE id = ?1", x->id, c->now, e) < 0) {
        json_decref(d);
        return -e->code;
    }
    /* The CDS/CDNSKEY RRsets change only when the policy publishes them. */
    return commit_step(c, z, "ksk-ds-ready", p->cds, d, e) < 0 ? -e->code : 1;
}

/* Removes one key whose remove_at has come, or postpones it. 1 if a step was taken. */
static int step_remove(const sd_ctx *c, const sd_zone *z, const sd_policy *p, const sd_zone_ttls *t,
                       const ekey *k, size_t n, sd_err *e)
{
    const ekey *old = due_key(k, n, SD_STEP_REMOVE, c->now);
    if (!old)
        return 0;
    /* Never remove the last signing key of a role. */
    int others = 0;
    for (size_t i = 0; i < n; i++)
        if (&k[i] != old && k[i].ksk == old->ksk && k[i].state == SD_KEY_ACTIVE)
            others++;
    char terms[160];
    const char *why = old->ksk ? sd_terms_parent_ds(p, terms, sizeof terms)
                               : sd_terms_retire(p, t, terms, sizeof terms);
    json_t *d = json_pack("{s:i, s:s, s:s}", "key_tag", old->key_tag, "key_type",
                          old->ksk ? "KSK" : "ZSK", "terms", why);
    json_object_set_new(d, "ttls", sd_zone_ttls_json(c->db, z->id, t));
    int64_t safe = old->ksk || !old->retire_at ? 0 : old->retire_at + sd_wait_retire(p, t);
    if (!others || safe > c->now) {
        int64_t later = safe > c->now ? safe : c->now + 3600;
        json_object_set_new(d, "postponed_to", json_integer(later));
        if (!others)
            json_object_set_new(d, "reason",
                                json_string("it is the last active key of its "
                                            "type"));
        if (exec2(c->db, "UPDATE keys SET remove_at = ?2 WHERE id = ?1", old->id, later, e) < 0) {
            json_decref(d);
            return -e->code;
        }
        return commit_step(c, z, old->ksk ? "ksk-remove" : "zsk-remove", 0, d, e) < 0 ? -e->code
                                                                                      : 1;
    }
    if (exec2(c->db,
              "UPDATE keys SET state = 'removed', sealed_private = NULL, remove_at = ?2 "
              "WHERE id = ?1",
              old->id, c->now, e) < 0) {
        json_decref(d);
        return -e->code;
    }
    return commit_step(c, z, old->ksk ? "ksk-remove" : "zsk-remove", 1, d, e) < 0 ? -e->code : 1;
}

/* Starts the rollover of a key whose roll_at has come: a ZSK while the zone is active or
 * waits for a KSK's DS, a KSK while the zone is active. A roll that must wait for another
 * rollover to finish is postponed to that rollover's next step. 1 if a step was taken.
 * Runs outside a transaction (the rotate calls and the postponement have their own). */
static int step_roll(const sd_ctx *c, const sd_zone *z, const ekey *k, size_t n, sd_err *e)
{
    char status[32];
    if (sd_dnssec_status(c->db, z->id, status, sizeof status, e) < 0)
        return -e->code;
    int64_t other = 0; /* the earliest step of the zone that is not a roll or a DS-ready */
    for (size_t i = 0; i < n; i++) {
        sd_key_step st[SD_STEP_KIND_COUNT];
        size_t m = sd_key_steps(&k[i], st);
        for (size_t j = 0; j < m; j++)
            if (st[j].kind != SD_STEP_ROLL && st[j].kind != SD_STEP_DS_READY &&
                (!other || st[j].at < other))
                other = st[j].at;
    }
    for (int ksk = 1; ksk >= 0; ksk--) {
        int live = 0;
        const ekey *due = NULL;
        for (size_t i = 0; i < n; i++) {
            if (k[i].ksk != ksk)
                continue;
            live++;
            if (due_key(&k[i], 1, SD_STEP_ROLL, c->now))
                due = &k[i];
        }
        if (!due)
            continue;
        int can = live == 1 &&
                  (strcmp(status, "active") == 0 || (!ksk && strcmp(status, "rotating_ksk") == 0));
        if (can) {
            int rc = ksk ? sd_dnssec_rotate_ksk(c, z, e) : sd_dnssec_roll_zsk_auto(c, z, e);
            return rc < 0 ? rc : 1;
        }
        int64_t later = other > c->now ? other : c->now + 3600;
        json_t *d = json_pack("{s:i, s:s, s:I, s:s}", "key_tag", due->key_tag, "key_type",
                              ksk ? "KSK" : "ZSK", "postponed_to", (json_int_t)later, "reason",
                              "another rollover is under way");
        if (sd_db_begin(c->db, e) < 0 ||
            exec2(c->db, "UPDATE keys SET roll_at = ?2 WHERE id = ?1", due->id, later, e) < 0) {
            json_decref(d);
            sd_db_rollback(c->db);
            return -e->code;
        }
        return commit_step(c, z, ksk ? "ksk-roll" : "zsk-roll", 0, d, e) < 0 ? -e->code : 1;
    }
    return 0;
}

int sd_engine_zone_next(sqlite3 *db, int64_t zone_id, int64_t *next_at, sd_err *e)
{
    sqlite3_stmt *st;
    *next_at = 0;
    if (sd_db_prepare(db, "SELECT next_step_unix FROM dnssec_status WHERE zone_id = ?", &st, e) < 0)
        return -e->code;
    sqlite3_bind_int64(st, 1, zone_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *next_at = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sd_db_fail(db, e, "read the next step");
}

int sd_engine_run_zone(const sd_ctx *c, const sd_zone *z, int *steps, int64_t *next_at, sd_err *e)
{
    *steps = 0;
    *next_at = 0;
    /* Each pass takes at most one step; a zone has few keys, so few passes. */
    for (int pass = 0; pass < 4 * MAX_KEYS; pass++) {
        sd_policy p;
        sd_zone_ttls t;
        ekey k[MAX_KEYS];
        size_t n;
        if (sd_db_begin(c->db, e) < 0)
            return -e->code;
        int rc = 0;
        if (sd_policy_load(c->db, z->id, c->defaults, &p, e) < 0 ||
            sd_zone_ttls_load(c->db, z->id, &t, e) < 0 ||
            sd_key_rows_load(c->db, z->id, k, &n, e) < 0)
            rc = -e->code;
        if (rc == 0)
            rc = step_ds_ready(c, z, &p, &t, k, n, e);
        if (rc == 0)
            rc = step_activate(c, z, &p, &t, k, n, e);
        if (rc == 0)
            rc = step_publication(c, z, k, n, e);
        if (rc == 0)
            rc = step_remove(c, z, &p, &t, k, n, e);
        if (rc == 0) {
            sd_db_rollback(c->db); /* nothing written: end the read transaction */
            rc = sd_dnssec_unsign_due(c, z, e);
        }
        if (rc == 0)
            rc = step_roll(c, z, k, n, e);
        if (rc < 0) {
            sd_db_rollback(c->db);
            return rc;
        }
        if (rc == 0)
            break;
        (*steps)++;
    }
    return sd_engine_zone_next(c->db, z->id, next_at, e);
}

/* A zone's public id ("d_" + 16 hex digits). */
typedef char zone_pid[sizeof((sd_zone *)0)->public_id];

/* The public ids of the zones with a step due at or before now, in id order, into a new
 * array (*ids, *n; free it). */
static int due_zone_ids(sqlite3 *db, int64_t now, zone_pid **ids, size_t *n, sd_err *e)
{
    sqlite3_stmt *st;
    *ids = NULL;
    *n = 0;
    if (sd_db_prepare(db,
                      "SELECT public_id FROM zones WHERE id IN (SELECT zone_id FROM keys "
                      "WHERE next_at <= ?1) OR unsign_at <= ?1 ORDER BY id",
                      &st, e) < 0)
        return -e->code;
    sqlite3_bind_int64(st, 1, now);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            size_t ncap = cap ? 2 * cap : 64;
            zone_pid *bigger = realloc(*ids, ncap * sizeof **ids);
            if (!bigger) {
                rc = SQLITE_NOMEM;
                break;
            }
            *ids = bigger;
            cap = ncap;
        }
        snprintf((*ids)[(*n)++], sizeof **ids, "%s", (const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return 0;
    free(*ids);
    *ids = NULL;
    *n = 0;
    return rc == SQLITE_NOMEM ? sd_fail(e, SD_EINTERNAL, "out of memory listing due zones")
                              : sd_db_fail(db, e, "find due zones");
}

int sd_engine_due_zones(sqlite3 *db, int64_t now, int (*fn)(const sd_zone *z, void *arg), void *arg,
                        sd_err *e)
{
    /* The list is read whole first: a statement still reading holds its snapshot, and the
     * steps' write transactions cannot begin from it once another program has written. */
    zone_pid *ids;
    size_t n;
    if (due_zone_ids(db, now, &ids, &n, e) < 0)
        return -e->code;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        sd_zone z;
        if (sd_zone_find(db, ids[i], &z, e) < 0) {
            if (e->code == SD_ENOTFOUND)
                continue; /* deleted since the list was read */
            rc = -e->code;
            break;
        }
        if (fn(&z, arg))
            break;
    }
    free(ids);
    return rc;
}

int sd_engine_next_at(sqlite3 *db, int64_t *next_at, sd_err *e)
{
    sqlite3_stmt *st;
    *next_at = 0;
    if (sd_db_prepare(db,
                      "SELECT min(coalesce((SELECT min(next_at) FROM keys), 9e18), "
                      "coalesce((SELECT min(unsign_at) FROM zones), 9e18))",
                      &st, e) < 0)
        return -e->code;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        double v = sqlite3_column_double(st, 0);
        if (v < 9e18)
            *next_at = (int64_t)v;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : sd_db_fail(db, e, "find next step");
}

/* Appends one planned step to arr. */
static void plan_add(json_t *arr, const char *step, const ekey *k, int64_t at, const char *terms)
{
    char when[32];
    sd_time_rfc3339(at, when, sizeof when);
    json_array_append_new(arr, json_pack("{s:s, s:i, s:s, s:s, s:I, s:s}", "step", step, "key_tag",
                                         k->key_tag, "key_type", k->ksk ? "KSK" : "ZSK", "at", when,
                                         "at_unix", (json_int_t)at, "terms", terms));
}

/* Writes into terms (len bytes) the arithmetic behind step kind of key x. */
static void plan_terms(const sd_policy *p, const sd_zone_ttls *t, const ekey *x,
                       sd_key_step_kind kind, char *terms, size_t len)
{
    char base[160], pub[32];
    switch (kind) {
    case SD_STEP_DS_READY:
        if (x->ds_publish_at) {
            sd_time_rfc3339(x->publish_at ? x->publish_at : x->ds_publish_at, pub, sizeof pub);
            snprintf(terms, len,
                     "DNSKEY everywhere (published %s + %s): CDS names it, its DS may go "
                     "to the parent",
                     pub, sd_terms_publish(p, t, base, sizeof base));
        } else {
            snprintf(terms, len, "DNSKEY everywhere: CDS names it, its DS may go to the parent");
        }
        break;
    case SD_STEP_ACTIVATE:
        sd_time_rfc3339(x->publish_at, pub, sizeof pub);
        snprintf(terms, len, "published %s + %s", pub, sd_terms_publish(p, t, base, sizeof base));
        break;
    case SD_STEP_PUBLISH:
        snprintf(terms, len, "new algorithm's signatures everywhere: %s",
                 sd_terms_retire(p, t, base, sizeof base));
        break;
    case SD_STEP_UNPUBLISH:
        snprintf(terms, len,
                 "old algorithm leaves the DNSKEY RRset once the old DS has expired: %s",
                 sd_terms_parent_ds(p, base, sizeof base));
        break;
    case SD_STEP_REMOVE:
        if (x->unpublish_at)
            snprintf(terms, len, "left the DNSKEY RRset + %s",
                     sd_terms_publish(p, t, base, sizeof base));
        else if (x->ksk)
            snprintf(terms, len, "DS confirmed + %s", sd_terms_parent_ds(p, base, sizeof base));
        else
            snprintf(terms, len, "stops signing + %s", sd_terms_retire(p, t, base, sizeof base));
        break;
    case SD_STEP_ROLL:
        if (x->ksk)
            snprintf(terms, len,
                     "before expiry: publish wait + parent DS wait + time for the operator to "
                     "publish the DS");
        else
            snprintf(terms, len, "before expiry: two publish waits (%s)",
                     sd_terms_publish(p, t, base, sizeof base));
        break;
    default:
        snprintf(terms, len, "-");
    }
}

/* Orders plan entries by time. */
static int by_time(const void *a, const void *b)
{
    json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "at_unix"));
    json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "at_unix"));
    return (x > y) - (x < y);
}

int sd_engine_plan_json(sqlite3 *db, const sd_zone *z, const sd_policy *defaults, json_t **out,
                        sd_err *e)
{
    sd_policy p;
    sd_zone_ttls t;
    ekey k[MAX_KEYS];
    size_t n;
    *out = NULL;
    if (sd_policy_load(db, z->id, defaults, &p, e) < 0 || sd_zone_ttls_load(db, z->id, &t, e) < 0 ||
        sd_key_rows_load(db, z->id, k, &n, e) < 0)
        return -e->code;
    json_t *items[SD_STEP_KIND_COUNT * MAX_KEYS];
    size_t m = 0;
    json_t *tmp = json_array();
    for (size_t i = 0; i < n; i++) {
        const ekey *x = &k[i];
        sd_key_step st[SD_STEP_KIND_COUNT];
        size_t ns = sd_key_steps(x, st);
        for (size_t j = 0; j < ns; j++) {
            char terms[256];
            plan_terms(&p, &t, x, st[j].kind, terms, sizeof terms);
            plan_add(tmp, sd_key_step_name(st[j].kind, x->ksk), x, st[j].at, terms);
        }
    }
    size_t i;
    json_t *v;
    json_array_foreach(tmp, i, v)
    {
        if (m < sizeof items / sizeof items[0])
            items[m++] = json_incref(v);
    }
    json_decref(tmp);
    qsort(items, m, sizeof items[0], by_time);
    json_t *arr = json_array();
    for (size_t j = 0; j < m; j++)
        json_array_append_new(arr, items[j]);
    *out = arr;
    return 0;
}
