/* served.h - the served-data check: before the scheduler takes a zone's step, every
 * authoritative server of the zone is asked (over TCP, DO bit, no recursion) for the apex
 * DNSKEY, CDS and SOA, and the answers are compared with what the keystore says PowerDNS
 * serves now:
 *  - DNSKEY: the zone's keys in a published state (published, active, retired), compared by
 *    RDATA; a server that lacks one of them, still serves a key the keystore no longer
 *    publishes, or serves a key the keystore never had (in a keys-only zone: probably one
 *    that pdnsutil or PowerDNS's API put into the record backend) disagrees;
 *  - SOA serial: the keystore's apex SOA serial; not checked when soa-edit is set (PowerDNS then
 *    serves a serial of its own) or in a keys-only zone (the SOA lives elsewhere);
 *  - CDS: the keystore's CDS records (sd_served_expected_cds, compared as text, any case); not
 *    checked in a keys-only zone.
 * The servers are auth-servers (host[:port], port 53 by default) or, when that is empty, the
 * addresses of the zone's NS names (sd_served_servers).
 *
 * Config: served-check = auto (default: on when auth-servers is set), yes (on; the NS set when
 * auth-servers is empty) or no. */
#ifndef SCAIDNS_LIFECYCLE_SERVED_H
#define SCAIDNS_LIFECYCLE_SERVED_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>

#include "keystore/config.h"
#include "keystore/error.h"
#include "keystore/policy.h"
#include "keystore/zone.h"
#include "lifecycle/notes.h"

#define SD_SERVED_MAX 32 /* servers asked per zone, at most */

/* 1 when cfg turns the served-data check on (served-check yes, or auto with auth-servers). */
int sd_served_on(const sd_config *cfg);

/* Checks served-check and auth-servers; 400 with a message naming the bad value. */
int sd_served_check_config(const sd_config *cfg, sd_err *e);

/* Normalises one auth-servers entry ("192.0.2.1", "192.0.2.1:5300", "2001:db8::1",
 * "[2001:db8::1]:5300") into "addr:port" / "[addr]:port" in out. 400 when it is not an IP
 * address with an optional port 1..65535. */
int sd_served_parse_server(const char *s, char *out, size_t len, sd_err *e);

/* The servers to ask for z: *servers (new reference) is an array of "addr:port" strings, from
 * cfg's auth-servers or else from the NS RRset at z's apex (each NS name's A and AAAA records
 * in the keystore, any zone; else the system resolver; port 53); *unresolved (new reference)
 * an array of {"server": NS name, "error"} for names without an address. 400 for a malformed
 * auth-servers, 500/503 when the keystore cannot be read. */
int sd_served_servers(sqlite3 *db, const sd_config *cfg, const sd_zone *z, json_t **servers,
                      json_t **unresolved, sd_err *e);

/* The CDS RRset the keystore says PowerDNS serves for z now (sd_cds_records under the zone's
 * policy: the KSKs the parent should trust, the DELETE record while going insecure, none with
 * policy cds off), as an array of "tag alg type HEX" strings (new reference); NULL when the CDS
 * is not checked: a keys-only zone (PowerDNS makes its own) or a keystore error. */
json_t *sd_served_expected_cds(sqlite3 *db, const sd_config *cfg, const sd_zone *z);

/* What every server should serve for z now, read in one read transaction: *expected (new
 * reference) is {"dnskey": [key tags], "soa_serial": N|null, "cds": [...]|null, "unchecked":
 * {what: why}} (cds null when not checked), *keys (new reference) an array of {"key_tag", "rdata"
 * (hex), "published"} for every key of z the keystore has had (removed ones too), used by
 * sd_served_compare. */
int sd_served_expected(sqlite3 *db, const sd_config *cfg, const sd_zone *z, json_t **expected,
                       json_t **keys, sd_err *e);

/* Asks server ("addr:port") for z's apex DNSKEY, SOA and CDS; returns (new reference)
 * {"server", "dnskey": [{"key_tag", "rdata"}], "soa_serial", "cds": [...]} or
 * {"server", "error"}. */
json_t *sd_served_ask(const char *server, const char *zone, int timeout_ms);

/* Where a DNSKEY that scaidns never had probably comes from, in a keys-only zone. */
#define SD_FOREIGN_KEY_ORIGIN                                                                      \
    "probably the record backend's own keys (its cryptokeys table or bind-dnssec-db, written "     \
    "by pdnsutil secure-zone/add-zone-key/import-zone-key or PowerDNS's API cryptokeys: "          \
    "pdnsutil remove-zone-key) or a DNSKEY record among the zone's records there; a key "          \
    "scaidns does not know is never rolled and no DS vouches for it"

/* Compares one answer (sd_served_ask) with expected and keys (sd_served_expected) for a
 * zone that is keys_only or not: returns (new reference) the evidence of that server,
 * {"server", "agrees", "dnskey": [tags], "soa_serial", "cds", and when it disagrees
 * "differs": ["dnskey", ...] with "missing", "stale" or "unknown" key tags (a keys-only zone
 * also "unknown_origin": SD_FOREIGN_KEY_ORIGIN), or "error"}. A server that did not answer
 * never agrees. */
json_t *sd_served_compare(const json_t *answer, const json_t *expected, const json_t *keys,
                          int keys_only);

/* The whole check for z: asks every server and compares. *evidence (new reference) is
 * {"expected", "servers": [per-server evidence], "agree"}; *agree is 1 only when at least one
 * server was asked and every server (and every NS name) agrees. -code when the keystore
 * cannot be read or auth-servers is malformed. */
int sd_served_check(sqlite3 *db, const sd_config *cfg, const sd_zone *z, json_t **evidence,
                    int *agree, sd_err *e);

/* The scheduler's gate before z's due steps at now (served-check on): returns 1 when the
 * steps may run, 0 when they are held, -code on a keystore error. Audit rows (actor
 * "scheduler", action "served-check", detail = the evidence of sd_served_check):
 *  - "waiting" when a server disagrees, written only when the answers differ from the zone's
 *    last served-check row (not every pass); the steps are held;
 *  - "settling" when all agree after a wait: the steps stay held until "steps_after" = now +
 *    the longer of the publish and retire waits (timing.h), so that what resolvers fetched from
 *    the stale server has expired;
 *  - "ok" right before the steps run, with the answers that allowed them.
 * A newly held zone adds a warning to notes, for the caller to log. */
int sd_served_gate(sqlite3 *db, const sd_config *cfg, const sd_policy *defaults, const sd_zone *z,
                   int64_t now, sd_notes *notes, sd_err *e);

#endif
