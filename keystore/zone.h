/* zone.h - zones, RRsets and records in the keystore. */
#ifndef SCAIDNS_ZONE_H
#define SCAIDNS_ZONE_H

#include <sqlite3.h>
#include <stdint.h>

#include "keystore/error.h"
#include "keystore/name.h"

typedef struct sd_zone {
    int64_t id;
    char public_id[24];     /* "d_" + 16 hex digits */
    char name[SD_NAME_MAX]; /* canonical */
    int keys_only;          /* records live in another PowerDNS backend */
    int64_t created_at;
} sd_zone;

/* How a new zone starts: SOA and NS either given here or taken from the defaults. */
typedef struct sd_zone_init {
    const char *soa_mname; /* NULL: first name in ns */
    const char *soa_rname; /* SOA RNAME (the caller passes default-soa-mail if none given) */
    const char *ns;        /* comma-separated NS names (the caller passes default-ns) */
    uint32_t ttl;          /* TTL of SOA and NS; 0 means 3600 */
    uint32_t soa_minimum;  /* 0 means 3600; PowerDNS serves DNSKEY with this TTL */
    int keys_only;
    int with_records; /* 0: create the zone row only (zone import adds its own SOA/NS) */
} sd_zone_init;

/* Creates a zone (one transaction, audited as actor). 409 if it exists, 400 on a bad name. */
int sd_zone_create(sqlite3 *db, const char *name, const sd_zone_init *init, const char *actor,
                   int64_t now, sd_zone *out, sd_err *e);

/* Inserts the zone row only (no records, no audit); call inside a transaction. */
int sd_zone_insert(sqlite3 *db, const char *name, int keys_only, int64_t now, sd_zone *z,
                   sd_err *e);

/* Finds a zone by its "d_..." id or by name (any case, with or without trailing dot). 404. */
int sd_zone_find(sqlite3 *db, const char *id_or_name, sd_zone *out, sd_err *e);

/* Deletes a zone with its records, keys and policy (one transaction, audited). 404. */
int sd_zone_delete(sqlite3 *db, const char *id_or_name, const char *actor, int64_t now, sd_err *e);

/* Calls fn for each zone in name order; stops early when fn returns non-zero. */
int sd_zone_foreach(sqlite3 *db, int (*fn)(const sd_zone *z, void *arg), void *arg, sd_err *e);

/* Replaces the RRset (name, type) of zone with ttl and the n records (presentation format).
 * name may be relative or absolute; type is upper-cased and must be known to ldns. Each
 * record is parsed with ldns and stored in its canonical presentation. Bumps the SOA serial
 * unless type is SOA. n == 0 deletes the RRset. Own transaction unless in_tx. */
int sd_rrset_put(sqlite3 *db, const sd_zone *zone, const char *name, const char *type, uint32_t ttl,
                 const char *const *records, size_t n, int in_tx, sd_err *e);

/* Deletes the RRset; 404 if absent. Bumps the SOA serial. */
int sd_rrset_delete(sqlite3 *db, const sd_zone *zone, const char *name, const char *type,
                    sd_err *e);

/* Adds one SOA serial step (RFC 1982 arithmetic). Call inside a transaction. */
int sd_zone_bump_serial(sqlite3 *db, int64_t zone_id, sd_err *e);

/* How sd_zone_import_opts treats data DNS servers differ on. */
typedef struct sd_import_opts {
    int strict;         /* refuse a record outside the zone (else: ignored, warned, counted) */
    int split_long_txt; /* split TXT/SPF character-strings over 255 octets (else: refused) */
    void (*warn)(const char *msg, void *arg); /* one call per ignored record; may be NULL */
    void *warn_arg;
} sd_import_opts;

/* What an import did. */
typedef struct sd_import_stats {
    size_t records;        /* stored, the SOA included */
    size_t dnssec_skipped; /* DNSKEY, RRSIG, NSEC... (made live by PowerDNS from our keys) */
    size_t out_of_zone;    /* ignored: their owner is outside the zone */
    size_t txt_split;      /* character-strings split in 255-octet pieces */
} sd_import_stats;

/* Imports an RFC 1035 zone file into a new zone named name (origin = name): every RR is
 * parsed by ldns (ALIAS too, PowerDNS's type: its data is one name); a syntax error aborts with
 * the line number and nothing is written. The file must hold exactly one SOA at the apex.
 * A record outside the zone is ignored, o->warn called with "FILE:LINE: ignoring out-of-zone
 * data NAME TYPE (zone Z)", unless o->strict refuses it; a TXT or SPF character-string over
 * 255 octets is refused naming the record and the length, unless o->split_long_txt. stats
 * (may be NULL) gets the counts, also written in the audit row. */
int sd_zone_import_opts(sqlite3 *db, const char *name, const char *path, const sd_import_opts *o,
                        const char *actor, int64_t now, sd_zone *out, sd_import_stats *stats,
                        sd_err *e);

/* sd_zone_import_opts with every option off and no warnings. */
int sd_zone_import(sqlite3 *db, const char *name, const char *path, const char *actor, int64_t now,
                   sd_zone *out, sd_err *e);

#endif
