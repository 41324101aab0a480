/* pdns_client.h - talking to PowerDNS: its control socket (cache purges) and DNS (what it
 * serves). Both are bounded by a timeout and report failures through sd_err. */
#ifndef SCAIDNS_LIFECYCLE_PDNS_CLIENT_H
#define SCAIDNS_LIFECYCLE_PDNS_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <ldns/ldns.h>

#include "keystore/error.h"

/* Sends one command line (e.g. "purge example.com$") to PowerDNS's control socket at path and
 * reads its answer (until PowerDNS closes) into reply. 503 when PowerDNS cannot be reached or
 * does not answer within timeout_ms. */
int sd_pdns_control(const char *path, const char *command, int timeout_ms, char *reply, size_t len,
                    sd_err *e);

/* Drops every cache entry of zone (canonical name) and its DNSSEC key and metadata caches:
 * "purge zone$". */
int sd_pdns_purge_zone(const char *path, const char *zone, int timeout_ms, sd_err *e);

/* Asks the server at address ("host:port") for name/type over TCP, without recursion, with
 * the DO bit. *out is the answer (caller frees with ldns_pkt_free) when the rcode is NOERROR or
 * NXDOMAIN. 503 when it does not answer, 500 for another rcode. */
int sd_dns_query(const char *address, const char *name, int type, int timeout_ms, ldns_pkt **out,
                 sd_err *e);

/* Asks PowerDNS at address ("host:port") for zone's DNSKEY RRset over TCP, without recursion;
 * writes up to max key tags into tags and their count into *n. 503 when it does not answer,
 * 500 for a SERVFAIL or malformed answer. */
int sd_pdns_dnskey_tags(const char *address, const char *zone, int timeout_ms, uint16_t *tags,
                        size_t max, size_t *n, sd_err *e);

/* What an AXFR of a zone shows about its TTLs (sd_pdns_axfr_ttls). */
typedef struct sd_axfr_ttls {
    int64_t soa_ttl, soa_minimum;
    int64_t max_rrset_ttl; /* the largest TTL of any record transferred */
    char max_rrset[300];   /* "name TYPE" of a record with that TTL */
    int64_t rrs;           /* records transferred (the closing SOA not counted) */
    size_t dnskeys;        /* the apex DNSKEYs transferred (at most SD_AXFR_DNSKEYS kept) */
    struct {
        uint16_t tag, flags;
        uint8_t algorithm;
    } dnskey[16];
} sd_axfr_ttls;
#define SD_AXFR_DNSKEYS 16

/* Transfers zone (AXFR over TCP) from the server at address ("host:port") and reads the TTLs
 * it serves into *out. Gives up after timeout_ms without a message and after max_rrs records
 * (0: no limit). 503 when the server cannot be reached, does not answer in time, refuses the
 * transfer (the message says which allow-axfr-ips line lets it), or ends it early; 500 for a
 * malformed transfer (no SOA first). */
int sd_pdns_axfr_ttls(const char *address, const char *zone, int timeout_ms, int64_t max_rrs,
                      sd_axfr_ttls *out, sd_err *e);

#endif
