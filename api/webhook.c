/* webhook.c - the delivery thread: POSTs pending outbox rows, oldest first, and records each
 * attempt's result (delivered, retry at, or given up) in the keystore. */
#include "api/webhook.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/log.h"
#include "api/worker.h"
#include "keystore/audit.h"
#include "keystore/db.h"

#define POLL_MS 1000 /* longest sleep: rows queued by other connections are seen this fast */

struct api_webhook {
    const sd_config *cfg;
    sqlite3 *db;
    unsigned char key[API_WEBHOOK_KEY_MAX];
    size_t keylen;
    api_worker *worker;
};

/* Unix milliseconds of the real-time clock. */
static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One pending row, as read for an attempt. */
typedef struct pending {
    int64_t id;
    int attempts;
    char event[64];
    char *zone; /* may be NULL */
    char *body;
} pending;

/* Reads the oldest pending row due at now; 1 if found, 0 if none (*next set to the earliest
 * later attempt, 0 when none), -code on error. */
static int next_due(sqlite3 *db, int64_t now, pending *p, int64_t *next, sd_err *e)
{
    sqlite3_stmt *st;
    *next = 0;
    if (sd_db_prepare(db,
                      "SELECT id, attempts, event, zone, body, coalesce(next_try_at, 0) "
                      "FROM webhook_outbox WHERE delivered_at IS NULL AND "
                      "(attempts = 0 OR next_try_at IS NOT NULL) ORDER BY id",
                      &st, e) < 0)
        return -e->code;
    int rc, found = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t at = sqlite3_column_int64(st, 5);
        if (at > now) {
            if (!*next || at < *next)
                *next = at;
            continue;
        }
        p->id = sqlite3_column_int64(st, 0);
        p->attempts = sqlite3_column_int(st, 1);
        if (snprintf(p->event, sizeof p->event, "%s", sqlite3_column_text(st, 2)) >=
            (int)sizeof p->event)
            p->event[0] = '\0';
        const char *zone = (const char *)sqlite3_column_text(st, 3);
        p->zone = zone ? strdup(zone) : NULL;
        p->body = strdup((const char *)sqlite3_column_text(st, 4));
        found = 1;
        break;
    }
    sqlite3_finalize(st);
    if (!found && rc != SQLITE_DONE)
        return sd_db_fail(db, e, "read webhook outbox");
    if (found && !p->body) {
        free(p->zone);
        return sd_fail(e, SD_EINTERNAL, "out of memory");
    }
    return found;
}

/* POSTs one row; 1 on a 2xx, 0 otherwise with the reason in e. */
static int attempt(const sd_config *cfg, const unsigned char *key, size_t keylen, const pending *p,
                   sd_err *e)
{
    char sig[65], headers[512];
    size_t len = strlen(p->body);
    api_webhook_sign(key, keylen, p->body, len, sig);
    int n = snprintf(headers, sizeof headers,
                     "Content-Type: application/json\r\nX-Scaidns-Event: %s\r\n"
                     "X-Scaidns-Signature: sha256=%s\r\nX-Scaidns-Delivery: %" PRId64 "\r\n",
                     p->event, sig, p->id);
    if (n < 0 || (size_t)n >= sizeof headers) {
        sd_fail(e, SD_EINTERNAL, "webhook headers too long");
        return 0;
    }
    int status = 0;
    if (api_http_post(cfg->webhook_url, headers, p->body, len, cfg->webhook_timeout, &status, e) <
        0)
        return 0;
    if (status >= 200 && status < 300)
        return 1;
    sd_fail(e, SD_EINTERNAL, "the webhook answered HTTP %d", status);
    return 0;
}

/* Records the result of an attempt on p made at now (ms): delivered, retry later, or given up
 * with an audit row. One transaction. */
static int record(sqlite3 *db, const sd_config *cfg, const pending *p, int ok, const char *why,
                  int64_t now, sd_err *e)
{
    int tries = p->attempts + 1;
    int give_up = !ok && tries > cfg->webhook_retries;
    if (sd_db_begin(db, e) < 0)
        return -e->code;
    sqlite3_stmt *st;
    if (sd_db_prepare(db,
                      "UPDATE webhook_outbox SET attempts = ?2, delivered_at = ?3, "
                      "next_try_at = ?4, last_error = ?5 WHERE id = ?1",
                      &st, e) < 0) {
        sd_db_rollback(db);
        return -e->code;
    }
    sqlite3_bind_int64(st, 1, p->id);
    sqlite3_bind_int(st, 2, tries);
    if (ok)
        sqlite3_bind_int64(st, 3, now / 1000);
    if (!ok && !give_up)
        sqlite3_bind_int64(st, 4, now + api_webhook_backoff_ms(tries));
    if (!ok)
        sqlite3_bind_text(st, 5, why, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        rc = sd_db_fail(db, e, "update webhook outbox");
        sd_db_rollback(db);
        return rc;
    }
    if (give_up) {
        char *detail = NULL;
        json_t *d = json_pack("{s:I, s:s, s:i, s:s}", "delivery", (json_int_t)p->id, "event",
                              p->event, "attempts", tries, "last_error", why);
        detail = d ? json_dumps(d, JSON_COMPACT) : NULL;
        json_decref(d);
        rc = sd_audit(db, now / 1000, "webhook", p->zone, "webhook", "failed", detail, e);
        free(detail);
        if (rc < 0) {
            sd_db_rollback(db);
            return rc;
        }
        api_log_msg(API_LOG_ERROR,
                    "webhook: delivery %" PRId64 " (%s) given up after %d attempts: %s", p->id,
                    p->event, tries, why);
    }
    return sd_db_commit(db, e);
}

int api_webhook_deliver_due(sqlite3 *db, const sd_config *cfg, const unsigned char *key,
                            size_t keylen, int64_t now, int64_t *next_ms, int (*stop)(void *),
                            void *stop_arg, sd_err *e)
{
    int n = 0, rc = 0;
    pending p;
    *next_ms = 0;
    while (!(stop && stop(stop_arg)) && (rc = next_due(db, now, &p, next_ms, e)) > 0) {
        sd_err why;
        sd_err_clear(&why);
        int ok = attempt(cfg, key, keylen, &p, &why);
        rc = record(db, cfg, &p, ok, why.msg, now, e);
        free(p.zone);
        free(p.body);
        if (rc < 0)
            return rc;
        n++;
    }
    if (stop && stop(stop_arg))
        return n;
    return rc < 0 ? rc : n;
}

/* Returns 1 once the worker is asked to stop. */
static int stopping(void *arg)
{
    api_webhook *w = arg;
    return api_worker_stopping(w->worker);
}

/* One delivery pass of the webhook's worker; returns the milliseconds to sleep: until the
 * next attempt is due by the wall clock the outbox times are kept in, at most POLL_MS. The
 * wait itself runs on the monotonic clock (worker.h): a wall clock stepped back delays
 * nothing by the size of the step. */
static int64_t pass_once(void *arg)
{
    api_webhook *w = arg;
    sd_err e;
    int64_t next = 0, now = now_ms();
    if (api_webhook_deliver_due(w->db, w->cfg, w->key, w->keylen, now, &next, stopping, w, &e) < 0)
        api_log_msg(API_LOG_ERROR, "webhook: delivery pass failed: %s", e.msg);
    int64_t left = POLL_MS;
    if (next) {
        int64_t until = next - now_ms();
        if (until < left)
            left = until;
    }
    return left;
}

int api_webhook_start(const sd_config *cfg, api_webhook **out, sd_err *e)
{
    *out = NULL;
    if (!cfg->webhook_url[0])
        return 0;
    if (api_webhook_check_url(cfg->webhook_url, e) < 0)
        return -e->code;
    api_webhook *w = calloc(1, sizeof *w);
    if (!w)
        return sd_fail(e, SD_EINTERNAL, "out of memory");
    w->cfg = cfg;
    if (api_webhook_load_secret(cfg->webhook_secret_file, w->key, sizeof w->key, &w->keylen, e) <
        0) {
        free(w);
        return -e->code;
    }
    if (sd_db_open(cfg->db, 0, &w->db, e) < 0) {
        sodium_memzero(w->key, sizeof w->key);
        free(w);
        return -e->code;
    }
    if (api_worker_start(pass_once, w, &w->worker, e) < 0) {
        sd_db_close(w->db);
        sodium_memzero(w->key, sizeof w->key);
        free(w);
        return -e->code;
    }
    *out = w;
    return 0;
}

void api_webhook_wake(api_webhook *w)
{
    if (w)
        api_worker_wake(w->worker);
}

void api_webhook_stop(api_webhook *w)
{
    if (!w)
        return;
    api_worker_stop(w->worker);
    sd_db_close(w->db);
    sodium_memzero(w->key, sizeof w->key);
    free(w);
}
