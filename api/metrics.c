/* metrics.c - lock-free counters for GET /metrics (see api/metrics.h). */
#include "api/metrics.h"

#include <stdatomic.h>
#include <stdlib.h>

#define NSTATUS 600 /* statuses 0..599; 0 stands for anything out of range */

struct api_metrics {
    /* requests[route + 1][status]: row 0 counts requests that matched no route */
    atomic_uint_fast64_t requests[API_METRICS_ROUTES + 1][NSTATUS];
    atomic_uint_fast64_t passes, steps, failures;
    atomic_uint_fast64_t auth_failed, auth_limited, deadline_closed;
    atomic_int_fast64_t lag, last_pass, planned, held, held_ttls;
};

api_metrics *api_metrics_new(void)
{
    api_metrics *m = malloc(sizeof *m);
    if (!m)
        return NULL;
    for (size_t r = 0; r <= API_METRICS_ROUTES; r++)
        for (size_t s = 0; s < NSTATUS; s++)
            atomic_init(&m->requests[r][s], 0);
    atomic_init(&m->passes, 0);
    atomic_init(&m->steps, 0);
    atomic_init(&m->failures, 0);
    atomic_init(&m->lag, 0);
    atomic_init(&m->last_pass, 0);
    atomic_init(&m->planned, 0);
    atomic_init(&m->held, 0);
    atomic_init(&m->auth_failed, 0);
    atomic_init(&m->auth_limited, 0);
    atomic_init(&m->deadline_closed, 0);
    atomic_init(&m->held_ttls, 0);
    return m;
}

void api_metrics_free(api_metrics *m)
{
    free(m);
}

void api_metrics_request(api_metrics *m, long route, int status)
{
    if (!m)
        return;
    if (route < -1 || route >= API_METRICS_ROUTES)
        route = -1;
    if (status < 100 || status >= NSTATUS)
        status = 0;
    atomic_fetch_add_explicit(&m->requests[route + 1][status], 1, memory_order_relaxed);
}

void api_metrics_sched_pass(api_metrics *m, int64_t now, int steps, int failures, int64_t next_at)
{
    if (!m)
        return;
    int64_t planned = atomic_exchange(&m->planned, next_at);
    atomic_store(&m->lag, planned > 0 && now > planned ? now - planned : 0);
    atomic_store(&m->last_pass, now);
    atomic_fetch_add(&m->passes, 1);
    atomic_fetch_add(&m->steps, steps > 0 ? (uint_fast64_t)steps : 0);
    atomic_fetch_add(&m->failures, failures > 0 ? (uint_fast64_t)failures : 0);
}

void api_metrics_sched_held(api_metrics *m, int held)
{
    if (m)
        atomic_store(&m->held, held > 0 ? held : 0);
}

void api_metrics_auth_failed(api_metrics *m)
{
    if (m)
        atomic_fetch_add(&m->auth_failed, 1);
}

void api_metrics_auth_limited(api_metrics *m)
{
    if (m)
        atomic_fetch_add(&m->auth_limited, 1);
}

void api_metrics_deadline_closed(api_metrics *m)
{
    if (m)
        atomic_fetch_add(&m->deadline_closed, 1);
}

void api_metrics_sched_held_ttls(api_metrics *m, int held)
{
    if (m)
        atomic_store(&m->held_ttls, held > 0 ? held : 0);
}

int api_metrics_label(FILE *f, const char *s)
{
    for (; *s; s++) {
        const char *esc = *s == '\\' ? "\\\\" : *s == '"' ? "\\\"" : *s == '\n' ? "\\n" : NULL;
        if ((esc ? fputs(esc, f) : fputc(*s, f)) == EOF)
            return -1;
    }
    return 0;
}

/* Writes the request counters of one row (route r of table, or none when r is NULL). */
static int write_row(const api_metrics *m, size_t row, const api_route *r, FILE *f)
{
    for (int s = 0; s < NSTATUS; s++) {
        uint_fast64_t v = atomic_load_explicit(&m->requests[row][s], memory_order_relaxed);
        if (v == 0)
            continue;
        if (fprintf(f, "scaidns_api_requests_total{method=\"%s\",route=\"", r ? r->method : "") <
                0 ||
            api_metrics_label(f, r ? r->pattern : "unmatched") < 0 ||
            fprintf(f, "\",code=\"%d\"} %llu\n", s, (unsigned long long)v) < 0)
            return -1;
    }
    return 0;
}

int api_metrics_write(const api_metrics *m, const api_route *table, size_t n, FILE *f)
{
    if (!m)
        return 0;
    if (fputs("# HELP scaidns_api_requests_total HTTP requests answered, by route and status.\n"
              "# TYPE scaidns_api_requests_total counter\n",
              f) == EOF)
        return -1;
    if (write_row(m, 0, NULL, f) < 0)
        return -1;
    for (size_t i = 0; i < n && i < API_METRICS_ROUTES; i++)
        if (write_row(m, i + 1, &table[i], f) < 0)
            return -1;
    int w = fprintf(
        f,
        "# HELP scaidns_scheduler_passes_total Scheduler passes over the due zones.\n"
        "# TYPE scaidns_scheduler_passes_total counter\n"
        "scaidns_scheduler_passes_total %llu\n"
        "# HELP scaidns_scheduler_steps_total Rollover steps the scheduler carried out.\n"
        "# TYPE scaidns_scheduler_steps_total counter\n"
        "scaidns_scheduler_steps_total %llu\n"
        "# HELP scaidns_scheduler_failed_steps_total Zones whose due step failed (retried).\n"
        "# TYPE scaidns_scheduler_failed_steps_total counter\n"
        "scaidns_scheduler_failed_steps_total %llu\n"
        "# HELP scaidns_scheduler_lag_seconds How late the last pass started after the step "
        "it was planned for.\n"
        "# TYPE scaidns_scheduler_lag_seconds gauge\n"
        "scaidns_scheduler_lag_seconds %lld\n"
        "# HELP scaidns_scheduler_last_pass_timestamp_seconds When the last pass started "
        "(scheduler clock).\n"
        "# TYPE scaidns_scheduler_last_pass_timestamp_seconds gauge\n"
        "scaidns_scheduler_last_pass_timestamp_seconds %lld\n"
        "# HELP scaidns_scheduler_held_zones Zones whose due steps the last pass held because "
        "a server did not serve what the keystore says.\n"
        "# TYPE scaidns_scheduler_held_zones gauge\n"
        "scaidns_scheduler_held_zones %lld\n"
        "# HELP scaidns_api_auth_failures_total Requests refused 401: a missing, malformed, "
        "unknown or revoked token.\n"
        "# TYPE scaidns_api_auth_failures_total counter\n"
        "scaidns_api_auth_failures_total %llu\n"
        "# HELP scaidns_api_auth_rate_limited_total Requests refused 429 because their address "
        "failed authentication too often.\n"
        "# TYPE scaidns_api_auth_rate_limited_total counter\n"
        "scaidns_api_auth_rate_limited_total %llu\n"
        "# HELP scaidns_api_request_deadline_closed_total Connections closed because their "
        "request (head and body) did not arrive within the request deadline.\n"
        "# TYPE scaidns_api_request_deadline_closed_total counter\n"
        "scaidns_api_request_deadline_closed_total %llu\n"
        "# HELP scaidns_scheduler_held_ttls_zones Keys-only zones whose due steps the last pass "
        "held because the TTLs PowerDNS serves could not be learned (AXFR from pdns-address) or "
        "it serves a DNSKEY scaidns did not publish.\n"
        "# TYPE scaidns_scheduler_held_ttls_zones gauge\n"
        "scaidns_scheduler_held_ttls_zones %lld\n",
        (unsigned long long)atomic_load(&m->passes), (unsigned long long)atomic_load(&m->steps),
        (unsigned long long)atomic_load(&m->failures), (long long)atomic_load(&m->lag),
        (long long)atomic_load(&m->last_pass), (long long)atomic_load(&m->held),
        (unsigned long long)atomic_load(&m->auth_failed),
        (unsigned long long)atomic_load(&m->auth_limited),
        (unsigned long long)atomic_load(&m->deadline_closed),
        (long long)atomic_load(&m->held_ttls));
    return w < 0 ? -1 : 0;
}
