/* changed.h - what follows every change the API makes to a zone's keys or records:
 * PowerDNS's caches for the zone are purged so the change is served at once, and the
 * scheduler looks at the zone's new timeline. */
#ifndef SCAIDNS_API_CHANGED_H
#define SCAIDNS_API_CHANGED_H

#include "api/api.h"
#include "keystore/zone.h"

/* Purges z in PowerDNS (when pdns-control-socket is set; a failure is logged, not returned:
 * the change is in the keystore and PowerDNS serves it when its caches expire) and wakes the
 * scheduler. */
void api_changed(const api_req *rq, const sd_zone *z);

#endif
