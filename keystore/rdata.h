/* rdata.h - record content through ldns: parsing and canonical presentation. */
#ifndef SCAIDNS_RDATA_H
#define SCAIDNS_RDATA_H

#include <ldns/ldns.h>
#include <stddef.h>

#include "keystore/error.h"

/* PowerDNS's ALIAS (its own type number; data: one name, resolved by PowerDNS with
 * expand-alias and resolver). ldns does not know it: scaidns reads it as a CNAME. */
#define SD_TYPE_ALIAS ((ldns_rr_type)65401)

/* The mnemonic of t ("ALIAS" for SD_TYPE_ALIAS, ldns's otherwise) as a new string (caller
 * frees); NULL when out of memory. */
char *sd_type_name(ldns_rr_type t);

/* Returns 1 for types that PowerDNS and scaidns manage (DNSKEY, RRSIG, NSEC, NSEC3,
 * NSEC3PARAM, CDS, CDNSKEY) and that a user may therefore not store. */
int sd_type_is_managed(ldns_rr_type t);

/* Returns 1 for types a zone can hold as data; 0 for the reserved types 0 and 65535, OPT and
 * the query and meta types 128 to 255 (RFC 6895 section 3.1: TSIG, IXFR, AXFR, ANY ...). */
int sd_type_is_data(ldns_rr_type t);

/* Reads a record type as a user gives it (any case): a mnemonic ldns knows, ALIAS, or the generic
 * TYPEnnn of RFC 3597. Writes its canonical name into out (size >= 16; the mnemonic when
 * there is one, so "type1" gives "A") and its number into *t (may be NULL). 400 for
 * anything else ("TYPE1x" too) and for a type that is not data (sd_type_is_data). */
int sd_type_canon(const char *type, char *out, size_t outlen, ldns_rr_type *t, sd_err *e);

/* Writes the rdata of rr in presentation format, fields joined by single spaces, into a
 * new string (caller frees). NULL on allocation failure. */
char *sd_rdata_text(const ldns_rr *rr);

/* Parses one record "content" of type (canonical, see sd_type_canon) for owner into canonical
 * presentation (new string), which reads back as itself. 400 with ldns's reason when the
 * content does not parse; when it has no data or fewer or more fields than the type has
 * (possible in the generic form); and when ldns cannot read back what it makes of it. */
int sd_rdata_canon(const char *owner, const char *type, const char *content, char **out, sd_err *e);

#endif
