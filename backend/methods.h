/* methods.h - one handler per remote-backend method (PowerDNS 4.7,
 * modules/remotebackend/remotebackend.cc gives the shapes).
 *
 * Every handler gets the request's "parameters" object (never NULL; {} when the request had
 * none) inside an open store transaction, and returns:
 *   0         *result set to a new reference: the reply is {"result": <result>}
 *   SB_FALSE  the reply is {"result": false} (not ours / nothing to say; PowerDNS moves on)
 *   < 0       e filled: the reply is {"result": false, "log": [e->msg]}
 * Bad parameters are errors (400), never crashes. */
#ifndef SCAIDNS_BACKEND_METHODS_H
#define SCAIDNS_BACKEND_METHODS_H

#include <jansson.h>

#include "keystore/error.h"
#include "backend/store.h"

#define SB_FALSE 1

typedef int (*sb_method_fn)(sb_store *s, json_t *params, json_t **result, sd_err *e);

/* Finds the zone named by the request's "name" parameter: 0 with *z set, SB_FALSE when it is
 * not a zone of ours (or not a valid name), < 0 with e filled for a missing parameter or a
 * database error. Shared by the handlers that take a zone name. */
int sb_zone_param(sb_store *s, json_t *params, sb_zone **z, sd_err *e);

/* initialize: accepts the connection string's options; always true. */
int sb_m_initialize(sb_store *s, json_t *params, json_t **result, sd_err *e);

/* lookup {qtype, qname, zone-id}: the matching records of every zone we serve (one zone
 * when zone-id is not -1), ANY meaning all types plus an ENT marker for empty
 * non-terminals. Keys-only zones have no records here. */
int sb_m_lookup(sb_store *s, json_t *params, json_t **result, sd_err *e);

/* list {zonename, domain_id}: every record of the zone (AXFR). */
int sb_m_list(sb_store *s, json_t *params, json_t **result, sd_err *e);

/* getDomainInfo {name}: id, zone, kind, serial, notified_serial of a zone with records. */
int sb_m_get_domain_info(sb_store *s, json_t *params, json_t **result, sd_err *e);

/* getAllDomains {include_disabled}: the same for every zone with records (zone cache). */
int sb_m_get_all_domains(sb_store *s, json_t *params, json_t **result, sd_err *e);

/* getUpdatedMasters: master zones whose SOA serial differs from notified_serial. */
int sb_m_get_updated_masters(sb_store *s, json_t *params, json_t **result, sd_err *e);

/* setNotified {id, serial}: records that PowerDNS sent NOTIFY for serial. */
int sb_m_set_notified(sb_store *s, json_t *params, json_t **result, sd_err *e);

/* getAllDomainMetadata {name}: {"KIND": ["value", ...], ...} from the zone's policy. */
int sb_m_get_all_domain_metadata(sb_store *s, json_t *params, json_t **result, sd_err *e);

/* getDomainMetadata {name, kind}: ["value", ...] for one kind. */
int sb_m_get_domain_metadata(sb_store *s, json_t *params, json_t **result, sd_err *e);

/* getDomainKeys {name}: [{id, flags, active, published, content}] with content unsealed. */
int sb_m_get_domain_keys(sb_store *s, json_t *params, json_t **result, sd_err *e);

/* getBeforeAndAfterNamesAbsolute {id, qname}: {before, after, unhashed} in the zone's NSEC
 * chain (qname relative to the zone) or NSEC3 chain (qname = the hash label). */
int sb_m_get_before_and_after(sb_store *s, json_t *params, json_t **result, sd_err *e);

/* getTSIGKey {name}: {algorithm, content} (algorithm as RFC 8945 names it, e.g.
 * "hmac-sha256.", content the base64 secret unsealed); SB_FALSE for a key we do not hold. */
int sb_m_get_tsig_key(sb_store *s, json_t *params, json_t **result, sd_err *e);

/* getTSIGKeys: [{name, algorithm, content}] for every key, in name order. */
int sb_m_get_tsig_keys(sb_store *s, json_t *params, json_t **result, sd_err *e);

/* setTSIGKey, deleteTSIGKey: refused with a message (keys are managed through scaidns). */
int sb_m_set_tsig_key(sb_store *s, json_t *params, json_t **result, sd_err *e);
int sb_m_delete_tsig_key(sb_store *s, json_t *params, json_t **result, sd_err *e);

/* Adds "TSIG-ALLOW-AXFR": [key names] to meta when keys may transfer zone z (nothing
 * otherwise). Returns 0, or < 0 with e filled. Used by sb_zone_metadata. */
int sb_tsig_allow_axfr_meta(sb_store *s, const sb_zone *z, json_t *meta, sd_err *e);

/* The neighbours of qname (as getBeforeAndAfterNamesAbsolute receives it) in the NSEC or
 * NSEC3 chain of zone z (not keys-only): *before and *after are chain members, *nsec3 says
 * which chain. Returns 0, or < 0 with e filled (a qname that is not a name or hash label,
 * an empty chain, a database failure). Shared by m_nsec.c and fast.c. */
int sb_nsec_neighbours(sb_store *s, sb_zone *z, const char *qname, const sb_name **before,
                       const sb_name **after, int *nsec3, sd_err *e);

/* The metadata of zone z as {"KIND": ["value"]}; exposed for getDomainMetadata. */
int sb_zone_metadata(sb_store *s, sb_zone *z, json_t **out, sd_err *e);

#endif
