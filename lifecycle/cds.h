/* cds.h - the CDS and CDNSKEY records a zone's apex carries (RFC 7344, RFC 8078), derived from
 * its keys and policy: they name exactly the KSKs the parent should trust, or ask the parent to
 * delete the DS while the zone goes insecure. scaidns-backend serves them as zone records
 * (PowerDNS needs direct-dnskey=yes), and scaidns-api checks that the servers show them. */
#ifndef SCAIDNS_CDS_H
#define SCAIDNS_CDS_H

#include <sqlite3.h>
#include <stdint.h>

#include "keystore/error.h"
#include "keystore/policy.h"

/* Receives one record: type "CDS" or "CDNSKEY" and its content in presentation format.
 * Returns 0 to go on, non-zero to stop (sd_cds_records then returns that value). */
typedef int (*sd_cds_fn)(const char *type, const char *content, void *arg);

/* The DELETE records of RFC 8078 section 4, as PowerDNS writes them. */
#define SD_CDS_DELETE "0 0 0 00"
#define SD_CDNSKEY_DELETE "0 3 0 AA=="

/* Calls fn for each CDS/CDNSKEY record of zone (zone_id, canonical name zone) under policy p,
 * CDNSKEY first:
 *  - none when p->cds is off or the zone has no keys;
 *  - the DELETE pair while the zone goes insecure (zones.insecure_at);
 *  - else the KSKs the parent should trust: live, not leaving (remove_at unset) and ready
 *    (cds_at set: their DNSKEY is everywhere). While a new KSK is ready and its DS not yet
 *    confirmed, it alone is named, so that a registry that follows CDS replaces the DS. CDS
 *    carries one record per KSK and digest type of p->cds_digests.
 * Returns 0, fn's non-zero value, or < 0 with e filled. */
int sd_cds_records(sqlite3 *db, int64_t zone_id, const char *zone, const sd_policy *p, sd_cds_fn fn,
                   void *arg, sd_err *e);

#endif
