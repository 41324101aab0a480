/* dnssec.h - the DNSSEC lifecycle as library calls. Each call is one BEGIN IMMEDIATE
 * transaction with its audit row: a crash leaves the old state or the new one.
 *
 * Status (derived from the keys, as the dnssec_status view does): disabled, pending_ds,
 * active, rotating_ksk, rotating_zsk, and disabling (going insecure through CDS DELETE). Refused
 * transitions fail with 409 and name the status. */
#ifndef SCAIDNS_DNSSEC_H
#define SCAIDNS_DNSSEC_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "keystore/error.h"
#include "keystore/policy.h"
#include "keystore/seal.h"
#include "lifecycle/timing.h"
#include "keystore/zone.h"
#include "lifecycle/ds.h"

/* What every lifecycle call needs to know besides its arguments. */
typedef struct sd_ctx {
    sqlite3 *db;
    const sd_seal_keys *seal;  /* public half is enough */
    const sd_policy *defaults; /* the configured default policy */
    const char *actor;         /* token name, "scaidnsctl" or "scheduler": for the audit row */
    int64_t now;               /* Unix seconds */
} sd_ctx;

/* Reads the TTLs that zone_id serves (largest RRset TTL, SOA TTL, SOA minimum). */
int sd_zone_ttls_load(sqlite3 *db, int64_t zone_id, sd_zone_ttls *t, sd_err *e);

/* The zone's status string (see above). */
int sd_dnssec_status(sqlite3 *db, int64_t zone_id, char *status, size_t len, sd_err *e);

/* enable: creates a KSK and a ZSK of algorithm (0 = policy default), both published and
 * active -> pending_ds. 400 for an unsupported algorithm, 409 unless disabled. */
int sd_dnssec_enable(const sd_ctx *c, const sd_zone *z, int algorithm, sd_err *e);

/* confirm-ds-published: every DS given must match a current KSK of the zone (key tag,
 * algorithm, digest type 2 or 4, digest); at least one must be given. Marks those KSKs'
 * DS as seen -> active. 400 on a mismatch, 409 unless pending_ds or rotating_ksk. During a
 * KSK rollover also 409 for the DS of a new KSK before its ds_publish_after (a resolver may
 * still hold a DNSKEY RRset without that KSK), and 409 naming the KSK still awaited when every
 * DS given was confirmed before (nothing would change). */
int sd_dnssec_confirm_ds(const sd_ctx *c, const sd_zone *z, const sd_ds *ds, size_t n, sd_err *e);

/* rotate-zsk (pre-publication): a new ZSK published but not signing; the timed steps that
 * follow are recorded on the keys (activate_at, retire_at, remove_at). 409 unless active or
 * pending_ds (nothing about the parent depends on the ZSK), or while another ZSK rollover is
 * under way. */
int sd_dnssec_rotate_zsk(const sd_ctx *c, const sd_zone *z, sd_err *e);

/* The engine's rotate-zsk for an expiring ZSK: also allowed while a KSK rollover waits for
 * the operator's DS (a ZSK must not expire meanwhile). The caller checks that no other ZSK
 * rollover is under way. */
int sd_dnssec_roll_zsk_auto(const sd_ctx *c, const sd_zone *z, sd_err *e);

/* rotate-ksk (double-KSK): a new KSK published and signing beside the old one ->
 * rotating_ksk until its DS is confirmed. 409 unless active. */
int sd_dnssec_rotate_ksk(const sd_ctx *c, const sd_zone *z, sd_err *e);

/* rotate-ksk with an algorithm: when it differs from the zone's, an algorithm rollover
 * (RFC 6781 section 4.1.4): a KSK and a ZSK of the new algorithm sign everything first, join
 * the DNSKEY RRset once their signatures are everywhere, then wait for the new DS; after the
 * DS is confirmed the old keys leave the DNSKEY RRset first and their signatures last.
 * algorithm 0 or the zone's own: the double-KSK rollover above. 400 for an unsupported one. */
int sd_dnssec_rotate_ksk_alg(const sd_ctx *c, const sd_zone *z, int algorithm, sd_err *e);

/* As sd_dnssec_rotate_zsk and sd_dnssec_rotate_ksk_alg; *made receives the row id of the key
 * the call made (its new ZSK / KSK), for a reply that must name that key and not one another
 * call made a moment later. */
int sd_dnssec_rotate_zsk_made(const sd_ctx *c, const sd_zone *z, int64_t *made, sd_err *e);
int sd_dnssec_rotate_ksk_made(const sd_ctx *c, const sd_zone *z, int algorithm, int64_t *made,
                              sd_err *e);

/* abort: stops the rollover under way and returns the zone to the keys it had, with the same
 * waits backwards: a new key nobody can depend on yet goes at once; one that may be cached
 * (a signing ZSK, a KSK whose DS the operator may have published, published keys of a new
 * algorithm) leaves on the schedule that keeps every cache valid. 409 when no rollover is
 * under way or it passed its point of no return (its new DS was confirmed). */
int sd_dnssec_abort(const sd_ctx *c, const sd_zone *z, sd_err *e);

/* disable: every key removed (private keys wiped) -> disabled. 409 when already disabled.
 * When the policy asks for CDS DELETE (cds and cds_delete) and the zone is not yet disabling,
 * the zone goes to disabling instead: its CDS/CDNSKEY become the RFC 8078 DELETE records and
 * every key keeps signing until the parent check has seen the DS gone (sd_dnssec_unsign_due)
 * or disable is called again. abort while disabling returns the zone to its KSKs' CDS. */
int sd_dnssec_disable(const sd_ctx *c, const sd_zone *z, sd_err *e);

/* The engine's step for a zone going insecure whose unsign_at has come: every key removed ->
 * disabled. Returns 1 if done, 0 if not due, or < 0 with e filled. */
int sd_dnssec_unsign_due(const sd_ctx *c, const sd_zone *z, sd_err *e);

/* The state as the API's GET .../dnssec shows it (the reference's shape: enabled, status,
 * algorithm, ksk[], zsk[], ds_records[]). New reference on success. */
int sd_dnssec_state_json(sqlite3 *db, const sd_zone *z, json_t **out, sd_err *e);

/* One key (row id) in the reference's key shape. */
int sd_dnssec_key_json(sqlite3 *db, const sd_zone *z, int64_t key_id, json_t **out, sd_err *e);

/* DS records (digest types 2 and 4) for the zone's KSKs that the parent should hold. */
int sd_dnssec_ds_json(sqlite3 *db, const sd_zone *z, json_t **out, sd_err *e);

/* Parses "tag alg type hex" or a whole DS line ("name [ttl] [IN] DS tag alg type hex"). */
int sd_ds_parse(const char *text, sd_ds *out, sd_err *e);

/* The parent check's hold on a leaving KSK: moves key_id's remove_at (set) of zone z to later
 * when that is later, with an audit row (action "ksk-remove", outcome "postponed", detail as
 * given), in one transaction. 1 when postponed, 0 when the key was already due later (nothing
 * written), -code on error. */
int sd_dnssec_postpone_removal(const sd_ctx *c, const sd_zone *z, int64_t key_id, int64_t later,
                               const char *detail, sd_err *e);

/* The parent check's answer for a zone going insecure: sets its unsign_at (at > 0, audit
 * action "parent-ds-gone") or clears it (at = 0, "parent-ds-back"), with detail in the audit
 * row, in one transaction. */
int sd_dnssec_set_unsign_at(const sd_ctx *c, const sd_zone *z, int64_t at, const char *detail,
                            sd_err *e);

#endif
