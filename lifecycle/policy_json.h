/* policy_json.h - a zone's policy as the API shows and takes it (GET/PUT .../dnssec/policy). */
#ifndef SCAIDNS_POLICY_JSON_H
#define SCAIDNS_POLICY_JSON_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>

#include "keystore/error.h"
#include "keystore/policy.h"
#include "lifecycle/timing.h"

/* The policy as JSON: durations in seconds; nsec3 an object {iterations, salt, optout} or
 * null; cds a boolean. New reference. */
json_t *sd_policy_json(const sd_policy *p);

/* Checks that p can work for a zone serving ttls: every field in range, the algorithm
 * supported, and lifetimes long enough for the policy's own waits (a ZSK must outlive two
 * publish waits and a retire wait; a KSK its publish wait, the parent's DS wait and time for
 * the operator). 400 naming the field and the arithmetic otherwise. */
int sd_policy_check(const sd_policy *p, const sd_zone_ttls *ttls, sd_err *e);

/* PUT: replaces zone_id's overrides with the fields of body (a field left out takes the
 * configured default). Checks the resulting policy with the zone's TTLs before writing
 * anything; unknown fields and wrong types are 400. On success *out is the new policy. Runs
 * in its own transaction with an audit row. */
int sd_policy_put(sqlite3 *db, int64_t zone_id, const char *zone_name, const sd_policy *defaults,
                  json_t *body, const char *actor, int64_t now, sd_policy *out, sd_err *e);

#endif
