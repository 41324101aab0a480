/* parent.c - asking the parent's servers for a zone's DS, and the scheduler's decisions on it. */
#include "lifecycle/parent.h"

#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lifecycle/evidence.h"
#include "lifecycle/notes.h"
#include "lifecycle/pdns_client.h"
#include "keystore/audit.h"
#include "keystore/db.h"
#include "lifecycle/dnssec.h"
#include "keystore/key.h"
#include "keystore/rdata.h"
#include "lifecycle/timing.h"
#include "lifecycle/ds.h"

#define PARENT_TIMEOUT_MS 2000

/* Appends one server's answer (or error) to evidence. */
static void ask_one(const char *server, const char *zone, json_t *evidence, int *answered,
                    int64_t *max_ttl)
{
    ldns_pkt *pkt;
    sd_err e;
    if (sd_dns_query(server, zone, LDNS_RR_TYPE_DS, PARENT_TIMEOUT_MS, &pkt, &e) < 0) {
        *answered = 0;
        json_array_append_new(evidence, json_pack("{s:s, s:s}", "server", server, "error", e.msg));
        return;
    }
    json_t *ds = json_array();
    int64_t ttl = 0;
    ldns_rr_list *ans = ldns_pkt_answer(pkt);
    for (size_t i = 0; i < ldns_rr_list_rr_count(ans); i++) {
        ldns_rr *rr = ldns_rr_list_rr(ans, i);
        if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_DS)
            continue;
        char *text = sd_rdata_text(rr);
        if (text)
            json_array_append_new(ds, json_string(text));
        free(text);
        if ((int64_t)ldns_rr_ttl(rr) > ttl)
            ttl = ldns_rr_ttl(rr);
    }
    ldns_pkt_free(pkt);
    if (ttl > *max_ttl)
        *max_ttl = ttl;
    json_array_append_new(
        evidence, json_pack("{s:s, s:o, s:I}", "server", server, "ds", ds, "ttl", (json_int_t)ttl));
}

int sd_parent_ds(const char *servers, const char *zone, json_t **evidence, int *answered,
                 int64_t *max_ttl, sd_err *e)
{
    char buf[1024], *save = NULL;
    if (strlen(servers) >= sizeof buf)
        return sd_fail(e, SD_EBADINPUT, "parent-servers is too long");
    snprintf(buf, sizeof buf, "%s", servers);
    *evidence = json_array();
    *answered = 1;
    *max_ttl = 0;
    size_t n = 0;
    for (char *s = strtok_r(buf, ", ", &save); s; s = strtok_r(NULL, ", ", &save), n++)
        ask_one(s, zone, *evidence, answered, max_ttl);
    if (n == 0) {
        json_decref(*evidence);
        *evidence = NULL;
        return sd_fail(e, SD_EBADINPUT, "parent-servers lists no server");
    }
    return 0;
}

int sd_parent_count_showing(json_t *evidence, const char *zone, int flags, int algorithm,
                            const char *public_b64)
{
    int count = 0;
    size_t i, j;
    json_t *server, *line;
    json_array_foreach(evidence, i, server)
    {
        int shows = 0;
        json_array_foreach(json_object_get(server, "ds"), j, line)
        {
            sd_ds ds;
            if (sd_ds_parse(json_string_value(line), &ds, NULL) == 0 &&
                sd_ds_matches_key(&ds, zone, flags, algorithm, public_b64))
                shows = 1;
        }
        count += shows;
    }
    return count;
}

int sd_parent_any_ds(json_t *evidence)
{
    size_t i;
    json_t *server;
    json_array_foreach(evidence, i, server)
    {
        if (json_array_size(json_object_get(server, "ds")) > 0)
            return 1;
    }
    return 0;
}

/* One KSK the parent check looks at. */
typedef struct pkey {
    int64_t id, zone_id, remove_at, ds_publish_at;
    int flags, algorithm, key_tag;
    char zone[SD_NAME_MAX];
    char public_key[1024];
} pkey;

/* A KSK whose DS should be at the parent by now (ds_publish_after + the parent's propagation
 * delay) but is not at every parent server: the rollover (or go-live) is held. Writes one
 * "parent-ds-wait" row (outcome "waiting", the webhook's rollover_held) per change of the
 * parent's answers. */
static void tell_waiting(sqlite3 *db, const sd_policy *p, int64_t now, const pkey *k, json_t *ev,
                         int showing, sd_notes *notes)
{
    if (now < k->ds_publish_at + p->parent_propagation_delay)
        return;
    json_t *detail =
        json_pack("{s:i, s:s, s:i, s:O}", "key_tag", k->key_tag, "reason",
                  "the DS of this KSK is not at every parent server: publish it at the "
                  "registrar; the rollover waits (and the old KSK stays) until it is there",
                  "servers_showing", showing, "parent", ev);
    sd_err e;
    if (!sd_evidence_same(db, k->zone, "parent-ds-wait", "waiting", detail) &&
        sd_evidence_write(db, now, k->zone, "parent-ds-wait", "waiting", detail, &e) < 0)
        sd_note(notes, SD_NOTE_WARNING, "parent check: %s: %s", k->zone, e.msg);
    json_decref(detail);
}

/* A waiting KSK: confirm its DS once every parent server shows it; while not, tell_waiting.
 * Returns 1 if confirmed. */
static int check_waiting(sqlite3 *db, const sd_config *cfg, const sd_ctx *ctx, const sd_policy *p,
                         const pkey *k, sd_notes *notes)
{
    json_t *ev;
    int answered;
    int64_t ttl;
    sd_err e;
    if (sd_parent_ds(cfg->parent_servers, k->zone, &ev, &answered, &ttl, &e) < 0) {
        sd_note(notes, SD_NOTE_WARNING, "parent check: %s", e.msg);
        return 0;
    }
    int showing = sd_parent_count_showing(ev, k->zone, k->flags, k->algorithm, k->public_key);
    int confirmed = 0;
    if (answered && showing == (int)json_array_size(ev)) {
        sd_zone z;
        json_t *ds_json;
        if (sd_zone_find(db, k->zone, &z, &e) == 0 &&
            sd_dnssec_ds_json(db, &z, &ds_json, &e) == 0) {
            sd_ds list[2];
            size_t n = 0, i;
            json_t *d;
            json_array_foreach(ds_json, i, d)
            {
                if (n < 2 && json_integer_value(json_object_get(d, "key_tag")) == k->key_tag &&
                    json_integer_value(json_object_get(d, "algorithm")) == k->algorithm)
                    sd_ds_parse(json_string_value(json_object_get(d, "ds")), &list[n++], NULL);
            }
            json_decref(ds_json);
            json_t *detail = json_pack("{s:i, s:O}", "key_tag", k->key_tag, "parent", ev);
            if (sd_evidence_write(db, ctx->now, k->zone, "parent-ds-seen", "ok", detail, &e) < 0)
                sd_note(notes, SD_NOTE_WARNING, "parent check: %s: %s", k->zone, e.msg);
            json_decref(detail);
            if (sd_dnssec_confirm_ds(ctx, &z, list, n, &e) == 0)
                confirmed = 1;
            else
                sd_note(notes, SD_NOTE_ERROR, "parent check: %s: confirm failed: %s", k->zone,
                        e.msg);
        }
    }
    if (!confirmed)
        tell_waiting(db, p, ctx->now, k, ev, showing, notes);
    json_decref(ev);
    return confirmed;
}

/* A KSK on its way out: keep it while any parent server still shows its DS. 1 if postponed. */
static int check_leaving(const sd_ctx *ctx, const sd_config *cfg, const sd_policy *p, const pkey *k)
{
    int64_t now = ctx->now;
    json_t *ev;
    int answered;
    int64_t ttl;
    sd_err e;
    if (sd_parent_ds(cfg->parent_servers, k->zone, &ev, &answered, &ttl, &e) < 0)
        return 0;
    int showing = sd_parent_count_showing(ev, k->zone, k->flags, k->algorithm, k->public_key);
    int postponed = 0;
    /* A server that does not answer may still serve the old DS: treat it as showing it. */
    if (showing > 0 || !answered) {
        if (ttl < p->parent_ds_ttl)
            ttl = p->parent_ds_ttl;
        int64_t later = now + ttl + p->parent_propagation_delay + p->retire_safety;
        sd_zone z;
        if (later > k->remove_at && sd_zone_find(ctx->db, k->zone, &z, &e) == 0) {
            json_t *detail = json_pack("{s:i, s:s, s:I, s:O}", "key_tag", k->key_tag, "reason",
                                       answered ? "the parent still shows this KSK's DS"
                                                : "a parent server did not answer",
                                       "postponed_to", (json_int_t)later, "parent", ev);
            char *text = json_dumps(detail, JSON_COMPACT | JSON_PRESERVE_ORDER);
            postponed = sd_dnssec_postpone_removal(ctx, &z, k->id, later, text, &e) == 1;
            free(text);
            json_decref(detail);
        }
    }
    json_decref(ev);
    return postponed;
}

/* Sets (or clears, at = 0) a going-insecure zone's unsign_at with an audit row of the
 * parent's answers (sd_dnssec_set_unsign_at). */
static void set_unsign_at(const sd_ctx *ctx, const char *zone, int64_t at, json_t *detail)
{
    sd_err e;
    sd_zone z;
    if (sd_zone_find(ctx->db, zone, &z, &e) < 0)
        return;
    char *text = json_dumps(detail, JSON_COMPACT | JSON_PRESERVE_ORDER);
    sd_dnssec_set_unsign_at(ctx, &z, at, text, &e);
    free(text);
}

/* Zones going insecure (CDS DELETE published): once no parent server shows a DS, the keys may
 * go after the DS TTL the parent answered (at least the policy's) and the parent propagation
 * delay; if a DS shows again, or a server does not answer, they stay. */
static int check_insecure(const sd_ctx *ctx, const sd_config *cfg, sd_err *e)
{
    sqlite3 *db = ctx->db;
    const sd_policy *defaults = ctx->defaults;
    int64_t now = ctx->now;
    sqlite3_stmt *st;
    if (sd_db_prepare(db,
                      "SELECT id, name, coalesce(unsign_at, 0) FROM zones WHERE insecure_at IS "
                      "NOT NULL ORDER BY id LIMIT 64",
                      &st, e) < 0)
        return -e->code;
    struct {
        int64_t id, unsign_at;
        char name[SD_NAME_MAX];
    } z[64];
    size_t n = 0;
    while (n < 64 && sqlite3_step(st) == SQLITE_ROW) {
        z[n].id = sqlite3_column_int64(st, 0);
        snprintf(z[n].name, sizeof z[n].name, "%s", (const char *)sqlite3_column_text(st, 1));
        z[n].unsign_at = sqlite3_column_int64(st, 2);
        n++;
    }
    sqlite3_finalize(st);
    for (size_t i = 0; i < n; i++) {
        json_t *ev;
        int answered;
        int64_t ttl;
        sd_policy p;
        if (sd_policy_load(db, z[i].id, defaults, &p, e) < 0)
            return -e->code;
        if (sd_parent_ds(cfg->parent_servers, z[i].name, &ev, &answered, &ttl, e) < 0)
            return -e->code;
        int gone = answered && !sd_parent_any_ds(ev);
        if (gone && !z[i].unsign_at) {
            int64_t at =
                now + (ttl > p.parent_ds_ttl ? ttl : p.parent_ds_ttl) + p.parent_propagation_delay;
            json_t *d = json_pack("{s:I, s:O}", "unsign_at", (json_int_t)at, "parent", ev);
            set_unsign_at(ctx, z[i].name, at, d);
            json_decref(d);
        } else if (!gone && z[i].unsign_at) {
            json_t *d = json_pack("{s:s, s:O}", "reason",
                                  answered ? "a parent server shows a DS again"
                                           : "a parent server did not answer",
                                  "parent", ev);
            set_unsign_at(ctx, z[i].name, 0, d);
            json_decref(d);
        }
        json_decref(ev);
    }
    return 0;
}

int sd_parent_pass(sqlite3 *db, const sd_config *cfg, const sd_seal_keys *seal,
                   const sd_policy *defaults, int64_t now, int *changed, sd_notes *notes, sd_err *e)
{
    *changed = 0;
    if (!cfg->parent_servers[0])
        return 0;
    sqlite3_stmt *st;
    /* KSKs waiting for their DS (and allowed to have it now), and KSKs on their way out whose
     * removal is near (within a scheduler interval). */
    if (sd_db_prepare(db,
                      "SELECT k.id, k.zone_id, coalesce(k.remove_at, 0), k.flags, k.algorithm, "
                      "k.key_tag, z.name, k.public_key, coalesce(k.ds_publish_at, 0) "
                      "FROM keys k JOIN zones z ON z.id = "
                      "k.zone_id WHERE k.role = 'KSK' AND k.state = 'active' AND ("
                      "(k.ds_seen_at IS NULL AND k.remove_at IS NULL AND k.ds_publish_at <= ?1) "
                      "OR (k.remove_at IS NOT NULL AND k.remove_at <= ?1 + ?2)) ORDER BY k.id",
                      &st, e) < 0)
        return -e->code;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int64(st, 2, cfg->scheduler_interval);
    pkey keys[64];
    size_t n = 0;
    while (n < 64 && sqlite3_step(st) == SQLITE_ROW) {
        pkey *k = &keys[n++];
        k->id = sqlite3_column_int64(st, 0);
        k->zone_id = sqlite3_column_int64(st, 1);
        k->remove_at = sqlite3_column_int64(st, 2);
        k->flags = sqlite3_column_int(st, 3);
        k->algorithm = sqlite3_column_int(st, 4);
        k->key_tag = sqlite3_column_int(st, 5);
        snprintf(k->zone, sizeof k->zone, "%s", (const char *)sqlite3_column_text(st, 6));
        snprintf(k->public_key, sizeof k->public_key, "%s",
                 (const char *)sqlite3_column_text(st, 7));
        k->ds_publish_at = sqlite3_column_int64(st, 8);
    }
    sqlite3_finalize(st);
    sd_ctx ctx = {db, seal, defaults, "scheduler", now};
    if (check_insecure(&ctx, cfg, e) < 0)
        return -e->code;
    for (size_t i = 0; i < n; i++) {
        sd_policy p;
        if (sd_policy_load(db, keys[i].zone_id, defaults, &p, e) < 0)
            return -e->code;
        if (!keys[i].remove_at)
            *changed += check_waiting(db, cfg, &ctx, &p, &keys[i], notes);
        else
            *changed += check_leaving(&ctx, cfg, &p, &keys[i]);
    }
    return 0;
}
