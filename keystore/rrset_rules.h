/* rrset_rules.h - what DNS can serve correctly: the rules on a zone's data that the RRset API
 * (sd_rrset_put, sd_rrset_delete) and the zone importer (sd_zone_import) both enforce, with a
 * 400 naming the RFC rule. Kept apart from the parsers so that what may be stored is decided in
 * one place:
 *   - a CNAME has no other data beside it, is alone in its RRset and is not at the apex
 *     (RFC 1034 section 3.6.2, RFC 2181 section 10.1);
 *   - DS belongs to the parent side of a delegation, never at the apex (RFC 4034 section 5);
 *   - DNAME is refused: PowerDNS 4.7 does not synthesise from it without dname-processing, and
 *     every name below it would answer a bogus NXDOMAIN (RFC 6672 section 2);
 *   - the apex keeps its SOA and its NS RRset (RFC 1035 section 5.2, RFC 1034 section 4.2.1);
 *   - DNSKEY, RRSIG, NSEC, NSEC3, NSEC3PARAM, CDS and CDNSKEY are made by scaidns and PowerDNS
 *     from the zone's keys, never stored by hand (RFC 4034, RFC 5155, RFC 7344). */
#ifndef SCAIDNS_KEYSTORE_RRSET_RULES_H
#define SCAIDNS_KEYSTORE_RRSET_RULES_H

#include <ldns/ldns.h>
#include <sqlite3.h>
#include <stddef.h>

#include "keystore/error.h"
#include "keystore/zone.h"

/* 400 for a type (canonical name utype) that is made from the keys, not stored. */
int sd_rrset_rule_type(ldns_rr_type t, const char *utype, sd_err *e);

/* 400 when replacing the RRset (owner, utype: canonical) of zone with n records would break a
 * rule, given what the zone holds now (read through db, inside the caller's transaction).
 * n == 0 is a deletion. */
int sd_rrset_rule_put(sqlite3 *db, const sd_zone *zone, const char *owner, const char *utype,
                      size_t n, sd_err *e);

/* 400 when the whole zone as stored breaks a rule (after an import, before its commit). */
int sd_rrset_rule_zone(sqlite3 *db, const sd_zone *zone, sd_err *e);

#endif
