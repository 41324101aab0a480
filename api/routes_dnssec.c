/* routes_dnssec.c - /api/v1/domains/{domain_id}/dnssec and its actions, as the reference
 * (reference-dnssec.md) describes them. Each action is one keystore lifecycle call (one
 * transaction with its audit row, actor = the token's name); the replies are read back
 * from the keystore afterwards. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "keystore/audit_json.h"
#include "api/auth.h"
#include "api/changed.h"
#include "lifecycle/onoff.h"
#include "lifecycle/pdns_client.h"
#include "lifecycle/served.h"
#include "lifecycle/served_ttls.h"
#include "api/log.h"
#include "api/webhook.h"
#include "lifecycle/engine.h"
#include "lifecycle/policy_json.h"
#include "lifecycle/dnssec.h"
#include "api/json_io.h"
#include "api/routes.h"
#include "api/scheduler.h"

/* The lifecycle context of this request: the API seals to the backend's public key only. */
static sd_ctx ctx_of(const api_req *rq)
{
    sd_ctx c = {rq->db, &rq->srv->seal, &rq->srv->defaults, rq->token->name, rq->now};
    return c;
}

/* A keys-only zone's waits come from what PowerDNS serves: learn it (AXFR from pdns-address)
 * before a transition plans them. A failure is logged, not refused: the timed steps learn the
 * TTLs again and are held until they can (lifecycle/served_ttls.h). */
static void learn_served_ttls(const api_req *rq, const sd_zone *z)
{
    sd_err e;
    if (z->keys_only && sd_served_ttls_learn(rq->db, &rq->srv->cfg, z, rq->now, NULL, &e) < 0)
        api_log_msg(API_LOG_WARNING,
                    "%s: the TTLs PowerDNS serves could not be learned (%s); the zone's timed "
                    "steps wait until they can",
                    z->name, e.msg);
}

/* The zone's state JSON, read in one transaction so that keys, status and DS agree. */
static int snapshot(const api_req *rq, const sd_zone *z, json_t **out, sd_err *e)
{
    if (sqlite3_exec(rq->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        return sd_fail(e, SD_EBUSY, "the keystore is busy, try again");
    int rc = sd_dnssec_state_json(rq->db, z, out, e);
    sqlite3_exec(rq->db, "COMMIT", NULL, NULL, NULL);
    return rc;
}

/* Sets rs from e; a 409 also carries the zone's current "status". */
static void fail_status(const api_req *rq, const sd_zone *z, const sd_err *e, api_resp *rs)
{
    api_fail(rs, e);
    char status[32];
    if (e->code == SD_ECONFLICT &&
        sd_dnssec_status(rq->db, z->id, status, sizeof status, NULL) == 0)
        json_object_set_new(rs->body, "status", json_string(status));
}

/* Starts a reply {"domain_id", "action", "message", "status"} with the zone's status now. */
static json_t *action_reply(const api_req *rq, const sd_zone *z, const char *action,
                            const char *message)
{
    char status[32] = "unknown";
    sd_dnssec_status(rq->db, z->id, status, sizeof status, NULL);
    return json_pack("{s:s, s:s, s:s, s:s}", "domain_id", z->public_id, "action", action, "message",
                     message, "status", status);
}

/* The key of keys (an array of key objects) with the highest "id", or NULL. */
static json_t *newest(json_t *keys)
{
    json_t *best = NULL, *k;
    size_t i;
    json_array_foreach(keys, i, k)
    {
        if (!best || json_integer_value(json_object_get(k, "id")) >
                         json_integer_value(json_object_get(best, "id")))
            best = k;
    }
    return best;
}

/* The newest key of keys other than skip that is not on its way out (remove_at null). */
static json_t *current_other(json_t *keys, const json_t *skip)
{
    json_t *best = NULL, *k;
    size_t i;
    json_array_foreach(keys, i, k)
    {
        if (k == skip || !json_is_null(json_object_get(k, "remove_at")))
            continue;
        if (!best || json_integer_value(json_object_get(k, "id")) >
                         json_integer_value(json_object_get(best, "id")))
            best = k;
    }
    return best;
}

/* The newest key of keys other than skip whose "state" is state, or NULL. */
static json_t *other_with_state(json_t *keys, const json_t *skip, const char *state)
{
    json_t *best = NULL, *k;
    size_t i;
    json_array_foreach(keys, i, k)
    {
        const char *s = json_string_value(json_object_get(k, "state"));
        if (k == skip || !s || strcmp(s, state) != 0)
            continue;
        if (!best || json_integer_value(json_object_get(k, "id")) >
                         json_integer_value(json_object_get(best, "id")))
            best = k;
    }
    return best;
}

/* The key of keys whose "id" is id, or NULL. */
static json_t *by_id(json_t *keys, int64_t id)
{
    json_t *k;
    size_t i;
    json_array_foreach(keys, i, k)
    {
        if (json_integer_value(json_object_get(k, "id")) == id)
            return k;
    }
    return NULL;
}

/* The key this request made (row id made), from state's keys of kind (a call made a moment
 * later by another client may have added a newer one); when another call removed it meanwhile,
 * read alone and appended to state's keys of kind. NULL when it cannot be read. */
static json_t *made_key(const api_req *rq, const sd_zone *z, json_t *state, const char *kind,
                        int64_t made)
{
    sd_err e;
    json_t *k = made ? by_id(json_object_get(state, kind), made) : NULL;
    if (k || !made || sd_dnssec_key_json(rq->db, z, made, &k, &e) < 0)
        return k;
    json_array_append_new(json_object_get(state, kind), k);
    return k;
}

/* Copies v (or null) into o as key. */
static void set_copy(json_t *o, const char *key, json_t *v)
{
    json_object_set_new(o, key, v ? json_deep_copy(v) : json_null());
}

/* GET .../dnssec: the state in the reference's shape. */
void api_h_dnssec_get(api_req *rq, api_resp *rs)
{
    sd_zone z;
    sd_err e;
    json_t *state;
    if (api_zone_lookup(rq, "dnssec:read", &z, rs) < 0)
        return;
    if (snapshot(rq, &z, &state, &e) < 0) {
        api_fail(rs, &e);
        return;
    }
    api_reply(rs, 200, state);
}

/* POST .../dnssec/enable {"algorithm"?: 8|10|13|14|15}: KSK + ZSK -> pending_ds; replies
 * with both keys and the DS records to publish. */
void api_h_dnssec_enable(api_req *rq, api_resp *rs)
{
    static const char *const fields[] = {"algorithm", NULL};
    sd_zone z;
    sd_err e;
    long long alg = 0;
    int given = 0;
    if (api_zone_lookup(rq, "dnssec:enable", &z, rs) < 0 ||
        api_only_fields(rq->body, fields, rs) < 0)
        return;
    json_t *a = json_object_get(rq->body, "algorithm");
    if (a && !json_is_integer(a)) {
        api_error(rs, 400, "field 'algorithm' must be an integer (8, 10, 13, 14 or 15)");
        return;
    }
    if (a) {
        given = 1;
        alg = json_integer_value(a);
    }
    if (given && alg != 8 && alg != 10 && alg != 13 && alg != 14 && alg != 15) {
        api_error(rs, 400, "unsupported algorithm %lld (supported: 8, 10, 13, 14, 15)", alg);
        return;
    }
    learn_served_ttls(rq, &z);
    sd_ctx c = ctx_of(rq);
    if (sd_dnssec_enable(&c, &z, (int)alg, &e) < 0) {
        fail_status(rq, &z, &e, rs);
        return;
    }
    api_changed(rq, &z);
    api_notify(rq, &z, "ds_to_publish");
    json_t *state, *o = action_reply(rq, &z, "enable", "DNSSEC enabled");
    if (snapshot(rq, &z, &state, &e) == 0) {
        json_object_set(o, "algorithm", json_object_get(state, "algorithm"));
        set_copy(o, "ksk", newest(json_object_get(state, "ksk")));
        set_copy(o, "zsk", newest(json_object_get(state, "zsk")));
        json_object_set(o, "ds_records", json_object_get(state, "ds_records"));
        json_decref(state);
    }
    api_reply(rs, 200, o);
}

/* POST .../dnssec/disable: every key removed -> disabled. */
void api_h_dnssec_disable(api_req *rq, api_resp *rs)
{
    sd_zone z;
    sd_err e;
    static const char *const fields[] = {"force", NULL};
    if (api_zone_lookup(rq, "dnssec:disable", &z, rs) < 0 ||
        api_only_fields(rq->body, fields, rs) < 0)
        return;
    json_t *force = json_object_get(rq->body, "force");
    if (force && !json_is_boolean(force)) {
        api_error(rs, 400, "field 'force' must be true or false");
        return;
    }
    sd_ctx c = ctx_of(rq);
    sd_disable_out out;
    if (sd_onoff_disable(&c, &z, rq->srv->cfg.parent_servers, json_is_true(force), &out, &e) < 0) {
        fail_status(rq, &z, &e, rs);
        if (out.parent)
            json_object_set_new(rs->body, "parent", out.parent);
        if (out.retry_after)
            rs->retry_after = out.retry_after;
        return;
    }
    int cds_delete = out.cds_delete;
    api_changed(rq, &z);
    api_notify(rq, &z, "ds_to_remove");
    api_reply(rs, 200,
              action_reply(rq, &z, "disable",
                           cds_delete ? "CDS/CDNSKEY DELETE published: the zone stays signed until "
                                        "the parent has removed the DS (the scheduler checks "
                                        "when parent-servers is set; else call disable again "
                                        "once the DS is gone)"
                                      : "DNSSEC disabled"));
}

/* POST .../dnssec/rotate-zsk: a new ZSK, published, signing after the DNSKEY TTL; the old
 * one marked for retirement. Replies with new_key (also as zsk) and old_key. */
void api_h_dnssec_rotate_zsk(api_req *rq, api_resp *rs)
{
    sd_zone z;
    sd_err e;
    if (api_zone_lookup(rq, "dnssec:rotate", &z, rs) < 0 || api_only_fields(rq->body, NULL, rs) < 0)
        return;
    learn_served_ttls(rq, &z);
    sd_ctx c = ctx_of(rq);
    int64_t made = 0;
    if (sd_dnssec_rotate_zsk_made(&c, &z, &made, &e) < 0) {
        fail_status(rq, &z, &e, rs);
        return;
    }
    api_changed(rq, &z);
    json_t *state, *o = action_reply(rq, &z, "rotate-zsk",
                                     "ZSK rollover started: the new ZSK signs after the DNSKEY "
                                     "TTL, the old one is then retired and removed");
    if (snapshot(rq, &z, &state, &e) == 0) {
        json_t *zsk = json_object_get(state, "zsk"), *nk = made_key(rq, &z, state, "zsk", made);
        set_copy(o, "new_key", nk);
        set_copy(o, "old_key", other_with_state(zsk, nk, "active"));
        set_copy(o, "zsk", nk);
        json_decref(state);
    }
    api_reply(rs, 200, o);
}

/* The ds_publish_at of the KSK with row id as a JSON integer (null when there is none). */
static json_t *ksk_ds_publish_at(const api_req *rq, int64_t id)
{
    sqlite3_stmt *st;
    json_t *v = NULL;
    if (sqlite3_prepare_v2(rq->db,
                           "SELECT ds_publish_at FROM keys WHERE id = ? AND ds_publish_at IS NOT "
                           "NULL",
                           -1, &st, NULL) != SQLITE_OK)
        return json_null();
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = json_integer(sqlite3_column_int64(st, 0));
    sqlite3_finalize(st);
    return v ? v : json_null();
}

/* POST .../dnssec/rotate-ksk: a new KSK beside the old one -> rotating_ksk; replies with
 * old_key, new_key, the DS records of the new key and when they may go to the parent
 * (ds_publish_after, ds_publish_after_unix). */
void api_h_dnssec_rotate_ksk(api_req *rq, api_resp *rs)
{
    sd_zone z;
    sd_err e;
    static const char *const fields[] = {"algorithm", NULL};
    if (api_zone_lookup(rq, "dnssec:rotate", &z, rs) < 0 ||
        api_only_fields(rq->body, fields, rs) < 0)
        return;
    json_t *a = json_object_get(rq->body, "algorithm");
    long long alg = a && json_is_integer(a) ? json_integer_value(a) : 0;
    if (a &&
        (!json_is_integer(a) || (alg != 8 && alg != 10 && alg != 13 && alg != 14 && alg != 15))) {
        api_error(rs, 400, "field 'algorithm' must be a supported algorithm (8, 10, 13, 14, 15)");
        return;
    }
    learn_served_ttls(rq, &z);
    sd_ctx c = ctx_of(rq);
    int64_t made = 0;
    if (sd_dnssec_rotate_ksk_made(&c, &z, (int)alg, &made, &e) < 0) {
        fail_status(rq, &z, &e, rs);
        return;
    }
    api_changed(rq, &z);
    api_notify(rq, &z, "ds_to_publish");
    json_t *state, *o = action_reply(rq, &z, "rotate-ksk",
                                     "KSK rollover started: publish the new DS at the parent "
                                     "from ds_publish_after on (not before: resolvers may still "
                                     "hold the DNSKEY RRset without the new KSK), then call "
                                     "confirm-ds-published");
    if (snapshot(rq, &z, &state, &e) == 0) {
        json_t *ksk = json_object_get(state, "ksk"), *nk = made_key(rq, &z, state, "ksk", made);
        set_copy(o, "old_key", current_other(ksk, nk));
        set_copy(o, "new_key", nk);
        /* When the DS may go to the parent, as RFC 3339 and as Unix seconds (as plan's at and
         * at_unix). */
        set_copy(o, "ds_publish_after", nk ? json_object_get(nk, "ds_publish_after") : NULL);
        json_object_set_new(o, "ds_publish_after_unix", ksk_ds_publish_at(rq, made));
        json_t *ds = json_array(), *d;
        size_t i;
        json_array_foreach(json_object_get(state, "ds_records"), i, d)
        {
            if (nk && json_equal(json_object_get(d, "key_tag"), json_object_get(nk, "key_tag")) &&
                json_equal(json_object_get(d, "algorithm"), json_object_get(nk, "algorithm")))
                json_array_append(ds, d);
        }
        json_object_set_new(o, "ds_records", ds);
        json_decref(state);
    }
    api_reply(rs, 200, o);
}

/* Returns 1 if s is 1 to 128 hex digits. */
static int is_hex(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 128)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

/* Reads one DS object: the four fields, or only "ds" (a presentation line). 400 in rs. */
static int ds_from_json(const json_t *o, size_t idx, sd_ds *ds, api_resp *rs)
{
    static const char *const fields[] = {"key_tag", "algorithm", "digest_type",
                                         "digest",  "ds",        NULL};
    if (!json_is_object(o)) {
        api_error(rs, 400, "ds_records[%zu] must be an object", idx);
        return -1;
    }
    if (api_only_fields(o, fields, rs) < 0)
        return -1;
    memset(ds, 0, sizeof *ds);
    const char *line = NULL, *digest = NULL;
    if (api_str_field(o, "ds", 0, 1000, &line, rs) < 0)
        return -1;
    int has_fields = json_object_get(o, "key_tag") || json_object_get(o, "algorithm") ||
                     json_object_get(o, "digest_type") || json_object_get(o, "digest");
    if (!has_fields && line) {
        sd_err e;
        if (sd_ds_parse(line, ds, &e) < 0) {
            api_fail(rs, &e);
            return -1;
        }
    } else {
        long long tag, alg, type;
        if (api_int_field(o, "key_tag", 1, 0, 65535, &tag, NULL, rs) < 0 ||
            api_int_field(o, "algorithm", 1, 1, 255, &alg, NULL, rs) < 0 ||
            api_int_field(o, "digest_type", 1, 1, 255, &type, NULL, rs) < 0 ||
            api_str_field(o, "digest", 1, 128, &digest, rs) < 0)
            return -1;
        if (!is_hex(digest)) {
            api_error(rs, 400, "ds_records[%zu].digest must be hexadecimal", idx);
            return -1;
        }
        ds->key_tag = (int)tag;
        ds->algorithm = (int)alg;
        ds->digest_type = (int)type;
        snprintf(ds->digest, sizeof ds->digest, "%s", digest);
    }
    if (ds->digest_type != 2 && ds->digest_type != 4) {
        api_error(rs, 400, "ds_records[%zu]: digest_type must be 2 (SHA-256) or 4 (SHA-384)", idx);
        return -1;
    }
    return 0;
}

/* POST .../dnssec/confirm-ds-published {"ds_records": [1..16 DS]}: pending_ds or
 * rotating_ksk -> active. Needs dnssec:enable while pending_ds, dnssec:rotate while
 * rotating_ksk. Every DS must match a current KSK (400 otherwise). The scope is chosen from
 * the status read before the keystore call, which re-checks the status in its own
 * transaction: a zone cannot pass from pending_ds to rotating_ksk without a confirmation in
 * between, so the scope checked is the one the transition needs. */
void api_h_dnssec_confirm_ds(api_req *rq, api_resp *rs)
{
    static const char *const fields[] = {"ds_records", NULL};
    sd_zone z;
    sd_err e;
    char status[32];
    if (api_zone_lookup(rq, NULL, &z, rs) < 0)
        return;
    if (sd_dnssec_status(rq->db, z.id, status, sizeof status, &e) < 0) {
        api_fail(rs, &e);
        return;
    }
    const char *scope = sd_onoff_confirm_scope(status);
    if (strcmp(status, "pending_ds") == 0 || strcmp(status, "rotating_ksk") == 0) {
        if (!sd_token_allows(rq->token, scope, z.name)) {
            api_error(rs, 403, "confirming DS while the zone is %s needs the scope %s", status,
                      scope);
            return;
        }
    }
    if (api_only_fields(rq->body, fields, rs) < 0)
        return;
    json_t *arr = json_object_get(rq->body, "ds_records");
    size_t n = json_array_size(arr);
    if (!json_is_array(arr) || n < 1 || n > 16) {
        api_error(rs, 400, "field 'ds_records' must be an array of 1 to 16 DS records");
        return;
    }
    sd_ds ds[16];
    for (size_t i = 0; i < n; i++)
        if (ds_from_json(json_array_get(arr, i), i, &ds[i], rs) < 0)
            return;
    sd_ctx c = ctx_of(rq);
    if (sd_dnssec_confirm_ds(&c, &z, ds, n, &e) < 0) {
        fail_status(rq, &z, &e, rs);
        return;
    }
    api_changed(rq, &z);
    api_notify(rq, &z, "ds_to_remove");
    api_reply(rs, 200, action_reply(rq, &z, "confirm-ds-published", "DS publication confirmed"));
}

/* Adds to state what PowerDNS serves for z: "served_key_tags" (null when PowerDNS could not be
 * asked), "in_sync" (it serves exactly the keys the keystore publishes and, when the served-data
 * check is on, every authoritative server agrees), "unknown_served_keys" (tags it serves that
 * the keystore does not have: another backend's keys; in a keys-only zone also
 * "unknown_served_keys_origin", where they probably came from), with the served-data check on
 * "servers"
 * (each server's answers, sd_served_compare) and, on failure, "powerdns_error" or
 * "servers_error". */
static int add_served(const api_req *rq, const sd_zone *z, json_t *state)
{
    uint16_t tags[64];
    size_t n = 0;
    sd_err e;
    json_t *expected = json_array(), *unknown = json_array(), *served = json_array(), *k;
    size_t i;
    const char *sets[] = {"ksk", "zsk"};
    for (int s = 0; s < 2; s++)
        json_array_foreach(json_object_get(state, sets[s]), i, k)
        {
            if (json_is_true(json_object_get(k, "published")))
                json_array_append(expected, json_object_get(k, "key_tag"));
        }
    int rc = sd_pdns_dnskey_tags(rq->srv->cfg.pdns_address, z->name, 2000, tags, 64, &n, &e);
    int in_sync = rc == 0 && n == json_array_size(expected);
    for (size_t t = 0; rc == 0 && t < n; t++) {
        int known = 0;
        json_array_append_new(served, json_integer(tags[t]));
        json_array_foreach(expected, i, k)
        {
            known |= json_integer_value(k) == tags[t];
        }
        if (!known) {
            in_sync = 0;
            json_array_append_new(unknown, json_integer(tags[t]));
        }
    }
    json_object_set_new(state, "served_key_tags", rc == 0 ? served : json_null());
    if (rc != 0) {
        json_decref(served);
        json_object_set_new(state, "powerdns_error", json_string(e.msg));
    }
    json_decref(expected);
    /* With the served-data check on, every authoritative server counts too: one the API
     * cannot purge may still serve an old key set. */
    json_t *ev;
    int agree;
    if (sd_served_on(&rq->srv->cfg)) {
        if (sd_served_check(rq->db, &rq->srv->cfg, z, &ev, &agree, &e) == 0) {
            json_object_set(state, "servers", json_object_get(ev, "servers"));
            json_decref(ev);
        } else {
            agree = 0;
            json_object_set_new(state, "servers", json_null());
            json_object_set_new(state, "servers_error", json_string(e.msg));
        }
        in_sync &= agree;
    }
    json_object_set_new(state, "in_sync", json_boolean(in_sync));
    if (z->keys_only && json_array_size(unknown))
        json_object_set_new(state, "unknown_served_keys_origin",
                            json_string(SD_FOREIGN_KEY_ORIGIN));
    json_object_set_new(state, "unknown_served_keys", unknown);
    return rc;
}

/* POST .../dnssec/sync: purges the zone in PowerDNS's caches, asks PowerDNS over DNS which
 * DNSKEYs it serves, and returns the state with that comparison (add_served). 502 naming the
 * reason when PowerDNS could not be purged or asked: the sync did not happen. */
void api_h_dnssec_sync(api_req *rq, api_resp *rs)
{
    sd_zone z;
    sd_err e;
    json_t *state;
    if (api_zone_lookup(rq, "dnssec:rotate", &z, rs) < 0 || api_only_fields(rq->body, NULL, rs) < 0)
        return;
    const sd_config *cfg = &rq->srv->cfg;
    if (cfg->pdns_control_socket[0] &&
        sd_pdns_purge_zone(cfg->pdns_control_socket, z.name, 2000, &e) < 0) {
        api_error(rs, 502,
                  "the sync did not happen: PowerDNS's caches could not be purged through %s: %s",
                  cfg->pdns_control_socket, e.msg);
        return;
    }
    api_scheduler_wake(rq->srv->sched);
    if (snapshot(rq, &z, &state, &e) < 0) {
        api_fail(rs, &e);
        return;
    }
    if (add_served(rq, &z, state) != 0) {
        api_error(rs, 502, "the sync did not happen: PowerDNS at %s did not answer: %s",
                  cfg->pdns_address, json_string_value(json_object_get(state, "powerdns_error")));
        json_decref(state);
        return;
    }
    api_reply(rs, 200, state);
}

/* GET .../dnssec/events?limit=1..1000 (50)&before=ID: the zone's audit rows, newest first;
 * next_before is the "before" of the next page, or null on the last one. */
void api_h_dnssec_events(api_req *rq, api_resp *rs)
{
    sd_zone z;
    sd_err e;
    long long limit, before;
    if (api_zone_lookup(rq, "dnssec:read", &z, rs) < 0 ||
        api_query_int(rq, "limit", 1, 1000, 50, &limit, rs) < 0 ||
        api_query_int(rq, "before", 1, 9007199254740991LL, 0, &before, rs) < 0)
        return;
    json_t *events;
    int more;
    if (sd_audit_zone_json(rq->db, z.name, before, (int)limit, &events, &more, &e) < 0) {
        api_fail(rs, &e);
        return;
    }
    json_t *last = json_array_get(events, json_array_size(events) - 1);
    json_t *next = more && last ? json_incref(json_object_get(last, "id")) : json_null();
    api_reply(rs, 200,
              json_pack("{s:s, s:s, s:o, s:o}", "domain_id", z.public_id, "name", z.name, "events",
                        events, "next_before", next));
}

/* POST .../dnssec/abort: stops the rollover under way, back to the old keys (engine.h and
 * sd_dnssec_abort say how safely); 409 when there is none or it passed its point of no return. */
void api_h_dnssec_abort(api_req *rq, api_resp *rs)
{
    sd_zone z;
    sd_err e;
    if (api_zone_lookup(rq, "dnssec:rotate", &z, rs) < 0 || api_only_fields(rq->body, NULL, rs) < 0)
        return;
    sd_ctx c = ctx_of(rq);
    if (sd_dnssec_abort(&c, &z, &e) < 0) {
        fail_status(rq, &z, &e, rs);
        return;
    }
    api_changed(rq, &z);
    json_t *state, *o = action_reply(rq, &z, "abort",
                                     "rollover aborted: the old keys stay; keys that may be "
                                     "cached leave on a safe schedule (see plan)");
    if (snapshot(rq, &z, &state, &e) == 0)
        json_object_set_new(o, "state", state);
    api_reply(rs, 200, o);
}

/* GET .../dnssec/policy: the zone's policy (defaults from scaidns.conf, overrides applied). */
void api_h_dnssec_policy_get(api_req *rq, api_resp *rs)
{
    sd_zone z;
    sd_err e;
    sd_policy p;
    if (api_zone_lookup(rq, "dnssec:read", &z, rs) < 0)
        return;
    if (sd_policy_load(rq->db, z.id, &rq->srv->defaults, &p, &e) < 0) {
        api_fail(rs, &e);
        return;
    }
    api_reply(rs, 200, sd_policy_json(&p));
}

/* PUT .../dnssec/policy: replaces the zone's overrides (a field left out takes the default);
 * 400 with the reason for a policy whose lifetimes cannot hold its own waits. */
void api_h_dnssec_policy_put(api_req *rq, api_resp *rs)
{
    sd_zone z;
    sd_err e;
    sd_policy p;
    if (api_zone_lookup(rq, "dnssec:rotate", &z, rs) < 0)
        return;
    json_t *empty = rq->body ? NULL : json_object();
    int rc = sd_policy_put(rq->db, z.id, z.name, &rq->srv->defaults, rq->body ? rq->body : empty,
                           rq->token->name, rq->now, &p, &e);
    json_decref(empty);
    if (rc < 0) {
        api_fail(rs, &e);
        return;
    }
    api_changed(rq, &z);
    api_reply(rs, 200, sd_policy_json(&p));
}

/* GET .../dnssec/plan: the zone's future steps with their earliest times and the arithmetic
 * that produced each ("DNSKEY TTL 3600 + propagation 300 + safety 3600"). */
void api_h_dnssec_plan(api_req *rq, api_resp *rs)
{
    sd_zone z;
    sd_err e;
    json_t *plan;
    char status[32] = "unknown";
    if (api_zone_lookup(rq, "dnssec:read", &z, rs) < 0)
        return;
    if (sd_engine_plan_json(rq->db, &z, &rq->srv->defaults, &plan, &e) < 0) {
        api_fail(rs, &e);
        return;
    }
    sd_dnssec_status(rq->db, z.id, status, sizeof status, NULL);
    sd_zone_ttls t;
    json_t *ttls =
        sd_zone_ttls_load(rq->db, z.id, &t, &e) == 0 ? sd_zone_ttls_json(rq->db, z.id, &t) : NULL;
    api_reply(rs, 200,
              json_pack("{s:s, s:s, s:s, s:o, s:o}", "domain_id", z.public_id, "name", z.name,
                        "status", status, "steps", plan, "ttls", ttls ? ttls : json_null()));
}
