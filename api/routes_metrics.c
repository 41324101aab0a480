/* routes_metrics.c - GET /metrics (scope metrics:read; the per-zone series name every zone,
 * so a token limited to zones is refused): Prometheus text format 0.0.4.
 * The counters come from the server's api_metrics (requests, scheduler passes) and from
 * scaidns-backend (requests by method, latency; api/backend_client.h); the gauges
 * are read from the keystore at scrape time, in one read transaction: zones by DNSSEC status
 * (the dnssec_status view), keys by role and state, and the seconds until each zone's next
 * step (the MAX_NEXT_SERIES zones whose steps come first, so the label set stays bounded). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/backend_client.h"
#include "api/json_io.h"
#include "api/log.h"
#include "api/metrics.h"
#include "api/router.h"
#include "api/routes.h"
#include "lifecycle/engine.h"

#define MAX_NEXT_SERIES 1000

/* Writes "# HELP" and "# TYPE" lines. Returns 0 or -1. */
static int head(FILE *f, const char *name, const char *type, const char *help)
{
    return fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type) < 0 ? -1 : 0;
}

/* Zones by status; the five statuses always appear (0 when no zone has it). */
static int zones_by_status(sqlite3 *db, FILE *f)
{
    static const char *const names[] = {"disabled", "pending_ds", "active", "rotating_ksk",
                                        "rotating_zsk"};
    long long counts[5] = {0};
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT status, count(*) FROM dnssec_status GROUP BY status", -1,
                           &st, NULL) != SQLITE_OK)
        return -1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *s = (const char *)sqlite3_column_text(st, 0);
        for (size_t i = 0; s && i < 5; i++)
            if (strcmp(s, names[i]) == 0)
                counts[i] = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE ||
        head(f, "scaidns_zones", "gauge", "Zones by DNSSEC status (keystore, at scrape time).") < 0)
        return -1;
    for (size_t i = 0; i < 5; i++)
        if (fprintf(f, "scaidns_zones{status=\"%s\"} %lld\n", names[i], counts[i]) < 0)
            return -1;
    return 0;
}

/* Keys by role and state (removed keys are not counted). */
static int keys_by_state(sqlite3 *db, FILE *f)
{
    sqlite3_stmt *st;
    if (head(f, "scaidns_keys", "gauge", "Keys by role and state (keystore, at scrape time).") <
            0 ||
        sqlite3_prepare_v2(db,
                           "SELECT role, state, count(*) FROM keys WHERE state <> 'removed' "
                           "GROUP BY role, state ORDER BY role, state",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    int rc = SQLITE_DONE, w = 0;
    while (w >= 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *role = (const char *)sqlite3_column_text(st, 0);
        const char *state = (const char *)sqlite3_column_text(st, 1);
        if ((w = fputs("scaidns_keys{role=\"", f)) < 0 ||
            api_metrics_label(f, role ? role : "") < 0 || (w = fputs("\",state=\"", f)) < 0 ||
            api_metrics_label(f, state ? state : "") < 0 ||
            (w = fprintf(f, "\"} %lld\n", (long long)sqlite3_column_int64(st, 2))) < 0)
            w = -1;
    }
    sqlite3_finalize(st);
    return w < 0 || rc != SQLITE_DONE ? -1 : 0;
}

/* Seconds from now until each zone's next step (negative: overdue), for the zones whose
 * steps come first: the next step the lifecycle stored (dnssec_status.next_step_unix). */
static int next_steps(sqlite3 *db, int64_t now, FILE *f)
{
    sqlite3_stmt *st;
    if (head(f, "scaidns_zone_next_step_seconds", "gauge",
             "Seconds until the zone's next lifecycle step (zones with a planned step, the "
             "1000 soonest).") < 0 ||
        sqlite3_prepare_v2(db,
                           "SELECT next_step_unix, zone FROM dnssec_status WHERE next_step_unix IS "
                           "NOT NULL ORDER BY next_step_unix, zone LIMIT ?",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int(st, 1, MAX_NEXT_SERIES);
    int rc = SQLITE_DONE, w = 0;
    while (w >= 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t at = sqlite3_column_int64(st, 0);
        const char *zone = (const char *)sqlite3_column_text(st, 1);
        if (at == 0 || !zone)
            continue;
        if (fputs("scaidns_zone_next_step_seconds{zone=\"", f) < 0 ||
            api_metrics_label(f, zone) < 0 || fprintf(f, "\"} %lld\n", (long long)(at - now)) < 0)
            w = -1;
    }
    sqlite3_finalize(st);
    return w < 0 || rc != SQLITE_DONE ? -1 : 0;
}

int api_metrics_keystore(sqlite3 *db, int64_t now, FILE *f)
{
    if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        return -1;
    int rc = zones_by_status(db, f) < 0 || keys_by_state(db, f) < 0 || next_steps(db, now, f) < 0
                 ? -1
                 : 0;
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    return rc;
}

/* Asks scaidns-backend for its counters and writes them (scaidns_backend_up 0 when it does
 * not answer: the scrape goes on). Returns 0 or -1 when a write failed. */
static int backend(const api_req *rq, FILE *f)
{
    json_t *stats = NULL;
    sd_err e;
    if (api_backend_stats_fetch(rq->srv->cfg.backend_socket, API_BACKEND_STATS_TIMEOUT_MS, &stats,
                                &e) < 0)
        api_log_msg(API_LOG_DEBUG, "metrics: %s", e.msg);
    int rc = api_backend_stats_write(stats, f);
    json_decref(stats);
    return rc;
}

/* 200 with the metrics as text/plain; version=0.0.4, 403 for a token limited to zones, or
 * 503 when the keystore cannot be read (500 when out of memory). */
void api_h_metrics(api_req *rq, api_resp *rs)
{
    if (rq->token && rq->token->zones[0]) {
        api_error(rs, 403,
                  "a token limited to zones cannot read /metrics (its series name every zone)");
        return;
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        api_error(rs, 500, "out of memory");
        return;
    }
    size_t n;
    const api_route *table = api_routes(&n);
    int ok = api_metrics_write(rq->srv->metrics, table, n, f) == 0 && backend(rq, f) == 0;
    int db_ok = ok && api_metrics_keystore(rq->db, rq->now, f) == 0;
    if (fclose(f) != 0)
        ok = 0;
    if (!ok || !db_ok) {
        free(buf);
        if (!ok) {
            api_error(rs, 500, "out of memory");
        } else {
            api_error(rs, 503, "the keystore does not answer: %s", sqlite3_errmsg(rq->db));
            rs->retry_after = 1;
        }
        return;
    }
    rs->status = 200;
    rs->text = buf;
    rs->text_len = len;
    rs->content_type = "text/plain; version=0.0.4; charset=utf-8";
}
