/* webhook_outbox.c - writing events to the webhook outbox: from the API routes after a
 * lifecycle call, and from the scheduler's audit rows after a pass. */
#include "api/webhook.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/log.h"
#include "keystore/audit.h"
#include "keystore/db.h"
#include "lifecycle/dnssec.h"
#include "lifecycle/ds.h"
#include "keystore/key.h"
#include "keystore/timefmt.h"

int api_webhook_enqueue(sqlite3 *db, int64_t now, const char *event, const char *zone,
                        const char *message, const json_t *fields, int64_t *id, sd_err *e)
{
    char at[32];
    sd_time_rfc3339(now, at, sizeof at);
    json_t *o = json_pack("{s:s, s:s?, s:s, s:s}", "event", event, "zone", zone, "at", at,
                          "message", message);
    if (!o)
        return sd_fail(e, SD_EINTERNAL, "out of memory");
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)fields, k, v)
    {
        json_object_set(o, k, v);
    }
    /* The audit head, so that the receiver holds a copy of it outside the keystore. */
    int64_t seq;
    char hash[SD_AUDIT_HASH_MAX];
    if (sd_audit_head(db, &seq, hash, e) < 0) {
        json_decref(o);
        return -e->code;
    }
    if (seq > 0)
        json_object_set_new(o, "audit_head",
                            json_pack("{s:I, s:s}", "seq", (json_int_t)seq, "hash", hash));
    char *body = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!body)
        return sd_fail(e, SD_EINTERNAL, "out of memory");
    sqlite3_stmt *st;
    if (sd_db_prepare(db,
                      "INSERT INTO webhook_outbox(created_at, event, zone, body) "
                      "VALUES (?, ?, ?, ?)",
                      &st, e) < 0) {
        free(body);
        return -e->code;
    }
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_text(st, 2, event, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, zone, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, body, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    free(body);
    if (rc != SQLITE_DONE)
        return sd_db_fail(db, e, "queue webhook event");
    if (id)
        *id = sqlite3_last_insert_rowid(db);
    return 0;
}

/* The DS records of the KSKs leaving z at now: on their way out after a rollover's
 * confirmation, or removed at now (disable). */
static int leaving_ds(sqlite3 *db, const sd_zone *z, int64_t now, json_t **out, sd_err *e)
{
    sqlite3_stmt *st;
    if (sd_db_prepare(db,
                      "SELECT key_tag, algorithm, flags, public_key FROM keys WHERE zone_id = ?1 "
                      "AND role = 'KSK' AND remove_at IS NOT NULL "
                      "AND (state <> 'removed' OR remove_at = ?2) ORDER BY id",
                      &st, e) < 0)
        return -e->code;
    sqlite3_bind_int64(st, 1, z->id);
    sqlite3_bind_int64(st, 2, now);
    json_t *arr = json_array();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (sd_ds_json_append(arr, z->name, sqlite3_column_int(st, 2), sqlite3_column_int(st, 1),
                              (const char *)sqlite3_column_text(st, 3), e) < 0)
            break;
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        json_decref(arr);
        return rc == SQLITE_ROW ? -e->code : sd_db_fail(db, e, "read leaving KSKs");
    }
    *out = arr;
    return 0;
}

/* The latest ds_publish_after of z's current KSKs as RFC 3339, or JSON null. */
static json_t *publish_after(sqlite3 *db, const sd_zone *z)
{
    sqlite3_stmt *st;
    json_t *v = json_null();
    if (sqlite3_prepare_v2(db,
                           "SELECT max(ds_publish_at) FROM keys WHERE zone_id = ? AND role = "
                           "'KSK' AND state <> 'removed' AND remove_at IS NULL",
                           -1, &st, NULL) != SQLITE_OK)
        return v;
    sqlite3_bind_int64(st, 1, z->id);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        char buf[32];
        sd_time_rfc3339(sqlite3_column_int64(st, 0), buf, sizeof buf);
        v = json_string(buf);
    }
    sqlite3_finalize(st);
    return v;
}

/* Builds the fields and message of a route event; 0 with *fields NULL when there is nothing
 * to tell. */
static int route_event(sqlite3 *db, int64_t now, const sd_zone *z, const char *event,
                       json_t **fields, const char **message, sd_err *e)
{
    json_t *ds = NULL;
    *fields = NULL;
    if (strcmp(event, "ds_to_publish") == 0) {
        if (sd_dnssec_ds_json(db, z, &ds, e) < 0)
            return -e->code;
        *message = "publish these DS records at the parent (after ds_publish_after), then call "
                   "confirm-ds-published";
        *fields =
            json_pack("{s:o, s:o}", "ds_records", ds, "ds_publish_after", publish_after(db, z));
        return 0;
    }
    if (strcmp(event, "ds_to_remove") == 0) {
        if (leaving_ds(db, z, now, &ds, e) < 0)
            return -e->code;
        if (json_array_size(ds) == 0) {
            json_decref(ds);
            return 0;
        }
        *message = "remove these DS records at the parent";
        *fields = json_pack("{s:o}", "ds_records", ds);
        return 0;
    }
    return sd_fail(e, SD_EINTERNAL, "unknown webhook event '%s'", event);
}

void api_notify(const api_req *rq, const sd_zone *z, const char *event)
{
    if (!rq->srv->cfg.webhook_url[0])
        return;
    sd_err e;
    json_t *fields;
    const char *message = "";
    if (route_event(rq->db, rq->now, z, event, &fields, &message, &e) < 0 ||
        (fields &&
         api_webhook_enqueue(rq->db, rq->now, event, z->name, message, fields, NULL, &e) < 0))
        api_log_msg(API_LOG_ERROR, "webhook: %s: cannot queue %s: %s", z->name, event, e.msg);
    json_decref(fields);
    api_webhook_wake(rq->srv->webhook);
}

int64_t api_webhook_audit_mark(sqlite3 *db)
{
    sqlite3_stmt *st;
    int64_t id = 0;
    if (sqlite3_prepare_v2(db, "SELECT coalesce(max(id), 0) FROM audit", -1, &st, NULL) !=
        SQLITE_OK)
        return 0;
    if (sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return id;
}

/* Queues the event of one scheduler audit row (id, at, zone, action, outcome, detail).
 * Returns 1 when queued, 0 when the row is no event, -code on error. */
static int audit_event(sqlite3 *db, sqlite3_stmt *row, sd_err *e)
{
    const char *zone = (const char *)sqlite3_column_text(row, 2);
    const char *action = (const char *)sqlite3_column_text(row, 3);
    const char *outcome = (const char *)sqlite3_column_text(row, 4);
    const char *text = (const char *)sqlite3_column_text(row, 5);
    int held = strcmp(outcome, "postponed") == 0 || strcmp(outcome, "waiting") == 0;
    /* A served-data check that passed (or is settling) is evidence, not an event. */
    if ((strcmp(action, "served-check") == 0 || strcmp(action, "served-ttls") == 0 ||
         strcmp(action, "served-keys") == 0) &&
        !held)
        return 0;
    json_t *detail = text ? json_loads(text, 0, NULL) : NULL;
    json_t *fields = json_pack("{s:s, s:s, s:I, s:o}", "action", action, "outcome", outcome,
                               "audit_id", (json_int_t)sqlite3_column_int64(row, 0), "detail",
                               detail ? detail : json_null());
    char msg[256];
    if (strcmp(action, "served-check") == 0)
        snprintf(msg, sizeof msg,
                 "rollover held: not every authoritative server serves what "
                 "the keystore says (see detail.servers)");
    else if (strcmp(action, "served-ttls") == 0)
        snprintf(msg, sizeof msg,
                 "rollover held: the TTLs PowerDNS serves for this keys-only zone cannot be "
                 "learned (see detail.error; PowerDNS needs allow-axfr-ips for scaidns-api)");
    else if (strcmp(action, "served-keys") == 0)
        snprintf(msg, sizeof msg,
                 "rollover held: PowerDNS serves a DNSKEY that scaidns did not publish "
                 "(detail.foreign_keys; detail.origin says where it probably came from)");
    else if (strcmp(action, "parent-ds-wait") == 0)
        snprintf(msg, sizeof msg,
                 "rollover held: the parent does not show the DS of KSK %lld "
                 "yet; publish it at the registrar",
                 (long long)json_integer_value(json_object_get(detail, "key_tag")));
    else if (snprintf(msg, sizeof msg, held ? "rollover held: step %s postponed" : "step %s taken",
                      action) >= (int)sizeof msg)
        msg[sizeof msg - 1] = '\0';
    int64_t at = sqlite3_column_int64(row, 1);
    int rc = api_webhook_enqueue(db, at, held ? "rollover_held" : "step_completed", zone, msg,
                                 fields, NULL, e);
    json_decref(fields);
    /* A KSK rollover the scheduler started (expiry) needs the operator's DS as much as one
     * started through the API; a DS the scheduler confirmed (parent check) may free an old one. */
    const char *tell = held                                       ? NULL
                       : strcmp(action, "dnssec-rotate-ksk") == 0 ? "ds_to_publish"
                       : strcmp(action, "dnssec-confirm-ds") == 0 ? "ds_to_remove"
                                                                  : NULL;
    sd_zone z;
    if (rc == 0 && tell && zone && sd_zone_find(db, zone, &z, NULL) == 0) {
        const char *message = "";
        json_t *more = NULL;
        rc = route_event(db, at, &z, tell, &more, &message, e);
        if (rc == 0 && more)
            rc = api_webhook_enqueue(db, at, tell, zone, message, more, NULL, e);
        json_decref(more);
    }
    return rc < 0 ? rc : 1;
}

int api_webhook_from_audit(sqlite3 *db, const sd_config *cfg, int64_t mark)
{
    if (!cfg->webhook_url[0])
        return 0;
    sqlite3_stmt *st;
    sd_err e;
    int n = 0, rc;
    if (sd_db_prepare(db,
                      "SELECT id, at, zone, action, outcome, detail FROM audit "
                      "WHERE id > ? AND actor = 'scheduler' ORDER BY id",
                      &st, &e) < 0) {
        api_log_msg(API_LOG_ERROR, "webhook: cannot read the scheduler's audit rows: %s", e.msg);
        return 0;
    }
    sqlite3_bind_int64(st, 1, mark);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int r = audit_event(db, st, &e);
        if (r < 0)
            api_log_msg(API_LOG_ERROR, "webhook: cannot queue a scheduler event: %s", e.msg);
        else
            n += r;
    }
    if (rc != SQLITE_DONE)
        api_log_msg(API_LOG_ERROR, "webhook: reading the scheduler's audit rows failed: %s",
                    sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return n;
}
