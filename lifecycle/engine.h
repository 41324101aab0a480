/* engine.h - the timed steps of the lifecycle, in the spirit of Knot's key events: the keys'
 * timelines (activate_at, retire_at, remove_at, roll_at) are the plan; the engine carries out
 * whatever is due at ctx->now, one transaction and one audit row per step, and says when the
 * next step falls due. Every step re-checks its condition inside its transaction, so a step
 * runs once even if two schedulers race or a scheduler restarts. */
#ifndef SCAIDNS_ENGINE_H
#define SCAIDNS_ENGINE_H

#include <jansson.h>
#include <stdint.h>

#include "lifecycle/dnssec.h"

/* Runs every step of zone z due at c->now (c->actor is usually "scheduler"):
 *  - a published ZSK whose activate_at has come starts signing and the active ZSK stops
 *    (one transaction, so the zone never has no signing ZSK); if the TTLs the zone serves
 *    grew since the plan was made, the step is postponed to the new safe time instead;
 *  - a key whose remove_at has come is removed (private key wiped), postponed likewise for a
 *    ZSK whose signatures may still be cached; never the last active key of its role;
 *  - a key whose roll_at has come is rolled (ZSK: rotate-zsk; KSK: rotate-ksk, which then
 *    waits for the operator's DS) when the zone is active.
 * *steps receives the number of steps taken, *next_at the zone's next step time (0: none). */
int sd_engine_run_zone(const sd_ctx *c, const sd_zone *z, int *steps, int64_t *next_at, sd_err *e);

/* The time of zone_id's next step as the lifecycle stored it (dnssec_status.next_step_unix:
 * its keys' next_at and its unsign_at), 0 when nothing is planned. */
int sd_engine_zone_next(sqlite3 *db, int64_t zone_id, int64_t *next_at, sd_err *e);

/* Calls fn for each zone with a step due at or before now, in id order; stops when fn
 * returns non-zero. */
int sd_engine_due_zones(sqlite3 *db, int64_t now, int (*fn)(const sd_zone *z, void *arg), void *arg,
                        sd_err *e);

/* The earliest step time over all zones, or 0 when nothing is planned. */
int sd_engine_next_at(sqlite3 *db, int64_t *next_at, sd_err *e);

/* The zone's future schedule as JSON: an array of {"step", "key_tag", "key_type", "at",
 * "terms"} in time order, with the arithmetic that produced each time. */
int sd_engine_plan_json(sqlite3 *db, const sd_zone *z, const sd_policy *defaults, json_t **out,
                        sd_err *e);

#endif
