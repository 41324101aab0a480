/* served_ttls.h - the TTLs a keys-only zone really serves. Its records live in another
 * PowerDNS backend, so the keystore cannot read them: the lifecycle transfers the zone (AXFR)
 * from pdns-address when DNSSEC is enabled or a rollover starts (sd_served_ttls_learn) and
 * again before each timed step (sd_served_ttls_gate), keeps the last ones learned in the
 * served_ttls table, and every wait of the zone is computed from them (sd_zone_ttls_load
 * takes the larger of the keystore's and the served ones). When they cannot be learned the
 * steps are held: the waits never run on guessed numbers. PowerDNS must allow the transfer:
 * allow-axfr-ips=127.0.0.1,::1 (the address scaidns-api connects from). Full-mode zones keep
 * reading their TTLs from the keystore. */
#ifndef SCAIDNS_LIFECYCLE_SERVED_TTLS_H
#define SCAIDNS_LIFECYCLE_SERVED_TTLS_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>

#include "keystore/config.h"
#include "keystore/error.h"
#include "keystore/zone.h"
#include "lifecycle/notes.h"
#include "lifecycle/pdns_client.h"
#include "lifecycle/timing.h"

#define SD_SERVED_TTLS_TIMEOUT_MS 5000 /* per read of the transfer */
#define SD_SERVED_TTLS_MAX_RRS 5000000 /* records transferred, at most */

/* Transfers z from cfg's pdns-address and stores what it serves as z's served_ttls row
 * (its own transaction: the caller must hold none). *detail (new reference, may be NULL) is
 * the evidence: {"server", "soa_ttl", "soa_minimum", "negative_ttl", "max_rrset_ttl",
 * "max_rrset", "rrsets"} on success, {"server", "error"} on failure. 503 when PowerDNS cannot
 * be asked or refuses (the message names allow-axfr-ips), 500 on a keystore error. */
int sd_served_ttls_learn(sqlite3 *db, const sd_config *cfg, const sd_zone *z, int64_t now,
                         json_t **detail, sd_err *e);

/* Stores what a transfer a from server showed at now as z's served_ttls row (its own
 * transaction). A TTL lower than the stored one keeps the stored value until that many
 * seconds have passed since the transfer that first showed it lower (resolvers may hold what
 * they fetched before). 500 on a keystore error. */
int sd_served_ttls_store(sqlite3 *db, const sd_zone *z, const char *server, const sd_axfr_ttls *a,
                         int64_t now, sd_err *e);

/* Raises each TTL in *t to the stored served TTL when zone_id has a served_ttls row. Inside
 * any transaction. */
int sd_served_ttls_merge(sqlite3 *db, int64_t zone_id, sd_zone_ttls *t, sd_err *e);

/* The TTLs t the waits of zone_id use, as evidence for a step's audit row or the plan (new
 * reference): {"source": "served"|"keystore", "soa_ttl", "soa_minimum", "negative_ttl",
 * "max_rrset_ttl"} plus, when zone_id has a served_ttls row, "served": that row ({"server",
 * "learned_at" (RFC 3339), "max_rrset", "rrsets", ...}). */
json_t *sd_zone_ttls_json(sqlite3 *db, int64_t zone_id, const sd_zone_ttls *t);

/* The scheduler's gate before a keys-only zone's due steps at now: transfers the zone again
 * (sd_served_ttls_learn). Returns 1 when the steps may run, 0 when they are held because the
 * TTLs could not be learned, -code on a keystore error. Audit rows (actor "scheduler", action
 * "served-ttls"): "waiting" with {"server", "error", "reason"} when held (written once per
 * distinct failure, not per pass; a newly held zone adds a warning to notes), "ok" with the
 * TTLs learned when they differ from the zone's last "ok" row. The same transfer shows the
 * DNSKEYs PowerDNS serves: one the keystore never had (keys in two places: pdnsutil or
 * PowerDNS's API wrote it into the record backend) holds the steps too, with rows
 * "served-keys" / "waiting" {"server", "foreign_keys": [{"key_tag", "flags", "algorithm"}],
 * "origin"} (once per distinct set) and "ok" once it is gone. 1 at once for a full-mode zone. */
int sd_served_ttls_gate(sqlite3 *db, const sd_config *cfg, const sd_zone *z, int64_t now,
                        sd_notes *notes, sd_err *e);

/* The second half of the gate: holds z's steps while the transfer a shows a DNSKEY the
 * keystore never had for z (compared by key tag and algorithm): rows "served-keys" /
 * "waiting" (once per distinct set, with a warning in notes) and "ok" once they are gone.
 * 1 when the steps may run, 0 when held, -code on a keystore error. */
int sd_served_keys_gate(sqlite3 *db, const sd_config *cfg, const sd_zone *z, const sd_axfr_ttls *a,
                        int64_t now, sd_notes *notes, sd_err *e);

#endif
