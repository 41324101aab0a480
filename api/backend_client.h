/* backend_client.h - scaidns-backend's request counters on GET /metrics. At scrape time
 * scaidns-api asks the backend for them on its socket (backend-socket) with
 * {"method":"scaidnsStats"}, a method PowerDNS never sends (backend/stats.h has the reply's
 * shape), and renders them as Prometheus series. When the backend does not answer, the
 * scrape still succeeds and says so with scaidns_backend_up 0. */
#ifndef SCAIDNS_API_BACKEND_STATS_H
#define SCAIDNS_API_BACKEND_STATS_H

#include <jansson.h>
#include <stdio.h>

#include "keystore/error.h"

#define API_BACKEND_STATS_TIMEOUT_MS 1000 /* a scrape waits at most this for the backend */
#define API_BACKEND_STATS_MAX_REPLY 65536 /* a longer reply is refused */

/* Connects to the backend socket at path, sends the stats request and reads the one-line
 * reply, all within timeout_ms. Returns 0 with *stats set to the reply's "result" object (a
 * new reference), or < 0 with e filled: the socket cannot be reached, no complete answer in
 * time, a reply over API_BACKEND_STATS_MAX_REPLY, or a reply without a stats object (a
 * backend that does not know the method answers {"result": false}). */
int api_backend_stats_fetch(const char *path, int timeout_ms, json_t **stats, sd_err *e);

/* Writes, in Prometheus text format 0.0.4, scaidns_backend_up (1 when stats is a well-formed
 * stats object, else 0: NULL or malformed) and, when up, per method:
 * scaidns_backend_requests_total, scaidns_backend_errors_total and the histogram
 * scaidns_backend_request_duration_seconds (cumulative _bucket series with le in seconds and
 * "+Inf", _sum in seconds, _count). Returns 0, or -1 when a write failed. */
int api_backend_stats_write(const json_t *stats, FILE *f);

#endif
