/* pdns_rest.h - reading a zone's keys (and records) from a running PowerDNS's REST API, for
 * scaidnsctl dnssec import --from-pdns-api. A minimal HTTP/1.1 GET over plain TCP: PowerDNS's
 * webserver is meant to be reached on loopback or a management network, never through a
 * proxy, so no TLS and no new dependency. */
#ifndef SCAIDNS_PDNS_REST_H
#define SCAIDNS_PDNS_REST_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "keystore/error.h"
#include "lifecycle/import.h"

/* What was read from PowerDNS for one zone. */
typedef struct sd_pdns_zone_dump {
    char zone[256];     /* canonical, trailing dot */
    json_t *cryptokeys; /* array of the zone's cryptokeys, each with its "privatekey" (secret) */
    json_t *zone_json;  /* the zone with its "rrsets" (only when records were asked for) */
    char *dnskeys[SD_IMPORT_MAX_KEYS]; /* "zone. IN DNSKEY ..." per key, for the checks */
    size_t skipped; /* keys neither active nor published, left out by sd_pdns_import_keys */
} sd_pdns_zone_dump;

/* Reads the cryptokeys of zone (and, with records, its RRsets) from the PowerDNS REST API at
 * url ("http://host:port", a path after it is ignored) with the api-key read from key_file.
 * 400 for a bad URL or key file, 503 when PowerDNS cannot be reached or answers an error
 * (its message included), 404 when PowerDNS does not know the zone. Free with
 * sd_pdns_zone_dump_free. */
int sd_pdns_zone_fetch(const char *url, const char *key_file, const char *zone, int records,
                       sd_pdns_zone_dump *out, sd_err *e);

/* Full mode: creates the zone in the keystore from the dump's RRsets (the DNSSEC records,
 * which PowerDNS makes itself, left out), as `zone import` does from a file: one transaction,
 * 409 if the zone exists already. */
int sd_pdns_records_import(sqlite3 *db, const sd_pdns_zone_dump *d, const char *actor, int64_t now,
                           sd_err *e);

/* Maps the dump's cryptokeys to keys to import (role from keytype, published, active; the
 * DNSKEY that PowerDNS serves as the public half to check against). A key neither active nor
 * published is left out (counted in d->skipped): nobody depends on it. Strings stay owned by
 * the dump. 400 when PowerDNS holds no key for the zone or more than an import takes. */
int sd_pdns_import_keys(sd_pdns_zone_dump *d, sd_import_key *keys, size_t *n, sd_err *e);

/* Wipes the private keys and frees the dump. NULL-safe, idempotent. */
void sd_pdns_zone_dump_free(sd_pdns_zone_dump *d);

#endif
