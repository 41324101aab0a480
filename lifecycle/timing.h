/* timing.h - the waits of a rollover, as pure functions of the TTLs a zone serves and its
 * policy (RFC 7583). No I/O: the lifecycle reads the inputs, these compute. */
#ifndef SCAIDNS_TIMING_H
#define SCAIDNS_TIMING_H

#include <stddef.h>
#include <stdint.h>

#include "keystore/policy.h"

/* The TTLs that a zone really serves, read from its records. */
typedef struct sd_zone_ttls {
    int64_t max_rrset_ttl; /* the largest TTL of any RRset in the zone */
    int64_t soa_ttl;
    int64_t soa_minimum; /* PowerDNS serves DNSKEY, CDS, CDNSKEY with this TTL */
} sd_zone_ttls;

/* The TTL a resolver may cache the DNSKEY RRset for: PowerDNS uses the SOA minimum, the
 * policy may say more; the larger counts. */
int64_t sd_wait_dnskey_ttl(const sd_policy *p, const sd_zone_ttls *t);

/* Seconds from publishing a new key until every resolver has seen it:
 * DNSKEY TTL + propagation delay + publish safety. */
int64_t sd_wait_publish(const sd_policy *p, const sd_zone_ttls *t);

/* Seconds from a ZSK's last signature until no cached RRSIG needs it any more: the largest
 * TTL of anything it signed (RRsets, SOA, negative answers = min(SOA TTL, SOA minimum))
 * + propagation delay + retire safety. */
int64_t sd_wait_retire(const sd_policy *p, const sd_zone_ttls *t);

/* Seconds from the parent's switch to the new DS until no resolver holds the old one:
 * parent DS TTL + parent propagation delay + retire safety. */
int64_t sd_wait_parent_ds(const sd_policy *p);

/* When the engine starts the successor of a ZSK that expires at expires_at: early enough
 * that the successor signs (one publish wait) a whole publish wait before the expiry. Never
 * before not_before (the key's activation). */
int64_t sd_roll_zsk_at(const sd_policy *p, const sd_zone_ttls *t, int64_t expires_at,
                       int64_t not_before);

/* When the engine starts the rollover of a KSK that expires at expires_at: leaves the publish
 * wait, the parent's DS wait and a tenth of the lifetime (at most 7 days) for the operator to
 * publish the new DS. Never before not_before. */
int64_t sd_roll_ksk_at(const sd_policy *p, const sd_zone_ttls *t, int64_t expires_at,
                       int64_t not_before);

/* Writes the terms of sd_wait_publish, e.g. "DNSKEY TTL 3600 + propagation 300 + safety 3600".
 * Returns buf. */
const char *sd_terms_publish(const sd_policy *p, const sd_zone_ttls *t, char *buf, size_t len);

/* Writes the terms of sd_wait_retire. Returns buf. */
const char *sd_terms_retire(const sd_policy *p, const sd_zone_ttls *t, char *buf, size_t len);

/* Writes the terms of sd_wait_parent_ds. Returns buf. */
const char *sd_terms_parent_ds(const sd_policy *p, char *buf, size_t len);

#endif
