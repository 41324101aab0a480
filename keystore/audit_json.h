/* audit_json.h - a zone's audit trail as JSON, newest first, for the API's
 * GET .../dnssec/events. (Added for scaidns-api; reads only.) */
#ifndef SCAIDNS_AUDIT_JSON_H
#define SCAIDNS_AUDIT_JSON_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>

#include "keystore/error.h"

/* The audit rows of zone (canonical name) with id < before (0: from the newest), at most
 * limit of them, newest first, as a new JSON array of {"id", "at" (RFC 3339), "actor",
 * "action", "outcome", "detail"} where detail is the stored JSON (parsed) or null.
 * *more is set to 1 when older rows remain. */
int sd_audit_zone_json(sqlite3 *db, const char *zone, int64_t before, int limit, json_t **out,
                       int *more, sd_err *e);

#endif
