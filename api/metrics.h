/* metrics.h - the counters that scaidns-api keeps for GET /metrics: requests by route
 * and status (the dispatcher counts them) and what the scheduler's passes did (steps, failed
 * steps, lag). All updates are lock-free atomics, safe from any thread; the gauges that come
 * from the keystore (zones by status, keys by state, next steps) are read at scrape time by
 * the /metrics handler, not kept here. Every function accepts m == NULL and then does nothing
 * (tests run without metrics). */
#ifndef SCAIDNS_API_METRICS_H
#define SCAIDNS_API_METRICS_H

#include <stdint.h>
#include <sqlite3.h>
#include <stdio.h>

#include "api/router.h"

#define API_METRICS_ROUTES 64 /* routes counted one by one; the table must not be longer */

typedef struct api_metrics api_metrics;

/* A new, zeroed set of counters, or NULL when out of memory. */
api_metrics *api_metrics_new(void);

/* Frees m. NULL-safe. */
void api_metrics_free(api_metrics *m);

/* Counts one answered request: route is the index of the matched route in the route table,
 * or -1 when none matched (404, 405, 400, 413 before routing); status is the HTTP status
 * sent. Statuses outside 100..599 are counted as 0. */
void api_metrics_request(api_metrics *m, long route, int status);

/* Records one scheduler pass that started at now (scheduler clock): the steps it took, the
 * zones whose step failed, and next_at, the earliest next step it found (0: none). The lag is
 * how late the pass started after the earliest step the previous pass had planned (0 when
 * nothing was due). */
void api_metrics_sched_pass(api_metrics *m, int64_t now, int steps, int failures, int64_t next_at);

/* Records how many zones the last scheduler pass held because their servers did not serve
 * what the keystore says (the served-data check). */
void api_metrics_sched_held(api_metrics *m, int held);

/* Counts one request refused 401 (missing, malformed, unknown or revoked token). */
void api_metrics_auth_failed(api_metrics *m);

/* Counts one request refused 429 because its address failed authentication too often. */
void api_metrics_auth_limited(api_metrics *m);

/* Counts one connection closed because its request was not received within the deadline. */
void api_metrics_deadline_closed(api_metrics *m);

/* Records how many keys-only zones the last scheduler pass held because the TTLs PowerDNS
 * serves for them could not be learned or it serves a DNSKEY scaidns did not publish
 * (lifecycle/served_ttls.h). */
void api_metrics_sched_held_ttls(api_metrics *m, int held);

/* Writes the counters in Prometheus text format 0.0.4 (HELP, TYPE, samples) to f, labelling
 * requests with the method and pattern of the n routes of table. Returns 0, or -1 when a
 * write failed. */
int api_metrics_write(const api_metrics *m, const api_route *table, size_t n, FILE *f);

/* Writes the keystore gauges (zones by status, keys by role and state, each zone's seconds
 * until its next step as the lifecycle stored it) at now to f, in one read transaction.
 * Returns 0 or -1. */
int api_metrics_keystore(sqlite3 *db, int64_t now, FILE *f);

/* Writes s to f as a Prometheus label value (backslash, double quote and newline escaped).
 * Returns 0 or -1. */
int api_metrics_label(FILE *f, const char *s);

#endif
