/* scheduler.h - the scheduler inside scaidns-api: a thread that carries out the timed
 * steps of rollovers when they fall due (sd_engine_run_zone), then purges the zone in
 * PowerDNS's caches. It keeps nothing in memory that the keystore does not have: after a
 * restart it finds what is due from the keys' timelines, and a step that fell due while it was
 * down runs at once, once. */
#ifndef SCAIDNS_API_SCHEDULER_H
#define SCAIDNS_API_SCHEDULER_H

#include <stdint.h>

#include "keystore/config.h"
#include "keystore/error.h"
#include "keystore/policy.h"
#include "keystore/seal.h"

typedef struct api_scheduler api_scheduler;
struct api_metrics;

/* What one pass did. */
typedef struct api_sched_pass {
    int zones;        /* zones that had a step due */
    int steps;        /* steps taken */
    int failures;     /* zones whose step failed (logged, retried next pass) */
    int purge_errors; /* PowerDNS purges that failed (logged) */
    int held;         /* zones whose steps the served-data check held */
    int held_ttls;    /* keys-only zones held by sd_served_ttls_gate (TTLs unknown, foreign key) */
    int64_t next_at;  /* earliest next step over all zones (0: none) */
} api_sched_pass;

/* Runs every step due at now, over all zones, on db, each zone's only once its servers agree
 * with the keystore when cfg turns the served-data check on (sd_served_gate); purges each
 * changed zone through the control socket in cfg (when set). Used by the thread and by tests
 * with a virtual now. */
int api_scheduler_pass(sqlite3 *db, const sd_config *cfg, const sd_seal_keys *seal,
                       const sd_policy *defaults, int64_t now, api_sched_pass *out, sd_err *e);

/* Starts the scheduler thread with its own keystore connection; each pass is counted in
 * metrics (NULL: not counted). cfg, seal, defaults and metrics must outlive it. */
int api_scheduler_start(const sd_config *cfg, const sd_seal_keys *seal, const sd_policy *defaults,
                        struct api_metrics *metrics, api_scheduler **out, sd_err *e);

/* Makes the thread look for due steps now (after an API call changed a zone's keys). */
void api_scheduler_wake(api_scheduler *s);

/* Stops the thread (finishing the step under way) and frees s. NULL-safe. */
void api_scheduler_stop(api_scheduler *s);

/* The scheduler's clock: the system time plus cfg's clock-offset. */
int64_t api_scheduler_now(const sd_config *cfg);

#endif
