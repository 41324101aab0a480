/* rrset_json.h - a zone's RRsets as JSON, for the API's GET .../rrsets and PUT replies.
 * (Added for scaidns-api; reads only.) */
#ifndef SCAIDNS_RRSET_JSON_H
#define SCAIDNS_RRSET_JSON_H

#include <jansson.h>
#include <sqlite3.h>

#include "keystore/error.h"
#include "keystore/zone.h"

/* The RRsets of zone as a new JSON array of {"name", "type", "ttl", "records": [...]},
 * ordered by name then type, records in stored (canonical) order. owner and type (both
 * canonical: absolute lower-case name, upper-case type) narrow the list when not NULL. */
int sd_rrset_list_json(sqlite3 *db, const sd_zone *zone, const char *owner, const char *type,
                       json_t **out, sd_err *e);

/* The zone's SOA serial, or 0 when it has no SOA (keys-only zones). */
int sd_zone_serial(sqlite3 *db, const sd_zone *zone, long long *serial, sd_err *e);

#endif
