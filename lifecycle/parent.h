/* parent.h - what the parent shows: a zone's DS RRset at each of the parent's servers
 * (config parent-servers), kept as evidence for the decisions taken on it. */
#ifndef SCAIDNS_LIFECYCLE_PARENT_H
#define SCAIDNS_LIFECYCLE_PARENT_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>

#include "keystore/config.h"
#include "keystore/error.h"
#include "keystore/policy.h"
#include "keystore/seal.h"
#include "keystore/zone.h"
#include "lifecycle/notes.h"

/* Asks every server of the comma-separated list for zone's DS RRset. *evidence (new
 * reference) is an array of {"server", "ds": ["tag alg type HEX", ...], "ttl"} or
 * {"server", "error"}; *answered is 1 when every server answered; *max_ttl the largest DS TTL
 * seen. 400 for a malformed list. */
int sd_parent_ds(const char *servers, const char *zone, json_t **evidence, int *answered,
                 int64_t *max_ttl, sd_err *e);

/* Counts the servers of evidence whose DS RRset holds a DS of the DNSKEY (flags, algorithm,
 * base64 public key) of zone, digest type 2 or 4. */
int sd_parent_count_showing(json_t *evidence, const char *zone, int flags, int algorithm,
                            const char *public_b64);

/* 1 when some server of evidence shows any DS at all. */
int sd_parent_any_ds(json_t *evidence);

/* The scheduler's parent checks at now, for every zone (a no-op when parent-servers is empty):
 * a KSK waiting for its DS whose ds_publish_after has passed is confirmed (as
 * confirm-ds-published would, actor "scheduler") once every parent server shows its DS; a KSK
 * on its way out is kept while any parent server still shows its DS (its removal postponed by
 * the DS TTL answered + the parent propagation delay + safety). Each decision is audited with
 * the answers as evidence; a KSK whose DS is still missing once ds_publish_after + the parent
 * propagation delay has passed gets a "parent-ds-wait" row (outcome "waiting": the rollover is
 * held, the webhook says rollover_held), one per change of the parent's answers. *changed counts
 * zones whose keys changed; what the operator should read (a server that did not answer, a
 * failed confirm) is added to notes for the caller to log. */
int sd_parent_pass(sqlite3 *db, const sd_config *cfg, const sd_seal_keys *seal,
                   const sd_policy *defaults, int64_t now, int *changed, sd_notes *notes,
                   sd_err *e);

#endif
