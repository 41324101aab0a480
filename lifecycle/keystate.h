/* keystate.h - what a key's state means, and the one rule for a key's next step.
 *
 * A key row (table keys) is in one of five states. What each means for what PowerDNS serves:
 *
 *   state      DNSKEY RRset  signs (RRSIG)  PowerDNS flags         CDS/CDNSKEY
 *   published  yes           no             published, inactive   KSK: once cds_at is set
 *   active     yes           yes            published, active      KSK: once cds_at is set
 *   retired    yes           no             published, inactive   never
 *   signing    no            yes            unpublished, active    never (algorithm rollover)
 *   removed    no            no             not served             never (private key wiped)
 *
 * The timeline columns (activate_at, publish_at, unpublish_at, remove_at, roll_at,
 * ds_publish_at, cds_at) say when each key's next step falls due. sd_key_steps is the only
 * place that reads them to decide which steps a key has ahead: the engine takes them, the plan
 * lists them, and every commit that writes keys stores each key's next step in keys.next_step
 * and keys.next_at (sd_keystate_store), which the due-zone query, the dnssec_status and
 * dnssec_keys admin views and /metrics read. */
#ifndef SCAIDNS_LIFECYCLE_KEYSTATE_H
#define SCAIDNS_LIFECYCLE_KEYSTATE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "keystore/error.h"
#include "keystore/key.h"

typedef enum sd_key_state {
    SD_KEY_PUBLISHED = 0,
    SD_KEY_ACTIVE,
    SD_KEY_RETIRED,
    SD_KEY_SIGNING,
    SD_KEY_REMOVED,
    SD_KEY_STATE_COUNT
} sd_key_state;

/* What a state means for what PowerDNS serves (the table above). */
typedef struct sd_key_state_info {
    const char *name; /* as stored in keys.state */
    int in_dnskey;    /* the DNSKEY RRset holds the key (PowerDNS's "published") */
    int signs;        /* the key makes RRSIGs (PowerDNS's "active") */
} sd_key_state_info;

/* The meaning of state s (s < SD_KEY_STATE_COUNT). */
const sd_key_state_info *sd_key_state_info_of(sd_key_state s);

/* The stored name of state s ("published", ...). */
const char *sd_key_state_name(sd_key_state s);

/* Parses a stored state name; SD_KEY_STATE_COUNT for an unknown one. */
sd_key_state sd_key_state_parse(const char *name);

/* The steps a key can have ahead of it. */
typedef enum sd_key_step_kind {
    SD_STEP_DS_READY = 0, /* a KSK's DNSKEY is everywhere: CDS names it, its DS may go up */
    SD_STEP_ACTIVATE,     /* a pre-published ZSK starts signing, the signing one retires */
    SD_STEP_PUBLISH,      /* algorithm rollover: a signing key joins the DNSKEY RRset */
    SD_STEP_UNPUBLISH,    /* algorithm rollover: an old key leaves the DNSKEY RRset */
    SD_STEP_REMOVE,       /* the key leaves for good, its private key wiped */
    SD_STEP_ROLL,         /* the key's successor is started (before it expires) */
    SD_STEP_KIND_COUNT
} sd_key_step_kind;

/* One key as the lifecycle reads it (a row of keys; 0 for a NULL time). */
typedef struct sd_key_row {
    int64_t id;
    int ksk;
    int key_tag;
    sd_key_state state;
    int64_t publish_at, activate_at, retire_at, remove_at, roll_at, ds_seen_at, unpublish_at;
    int64_t ds_publish_at, cds_at;
} sd_key_row;

/* One step of one key: which, and when (unix time). */
typedef struct sd_key_step {
    sd_key_step_kind kind;
    int64_t at;
} sd_key_step;

/* The name a step has in audit rows, the plan and keys.next_step: "ksk-ds-ready",
 * "zsk-activate", "key-publish", "key-unpublish", "zsk-remove"/"ksk-remove",
 * "zsk-roll"/"ksk-roll". */
const char *sd_key_step_name(sd_key_step_kind kind, int ksk);

/* THE rule: the steps key k has ahead, in step-kind order, into out (room for
 * SD_STEP_KIND_COUNT); returns how many. A removed key has none. */
size_t sd_key_steps(const sd_key_row *k, sd_key_step *out);

/* The earliest of k's steps into *step (may be NULL); returns its time, 0 when none. */
int64_t sd_key_next(const sd_key_row *k, sd_key_step *step);

/* A new key's timeline as it is stored (a 0 time is stored as NULL). */
typedef struct sd_key_timeline {
    const char *state; /* "published", "active", "signing" */
    int64_t publish_at, activate_at, expires_at, roll_at, ds_submitted_at, ds_publish_at,
        ds_seen_at, cds_at;
} sd_key_timeline;

/* The one INSERT of a key row: key (flags, algorithm, bits, key tag, public key), its random
 * id kid and sealed private half, created at now, with timeline t, in zone_id; *id (may be
 * NULL) receives the row id. Inside the caller's transaction, which must store the next steps
 * (sd_keystate_store) before it commits. */
int sd_key_insert(sqlite3 *db, int64_t zone_id, int64_t now, const sd_key *key, const char *kid,
                  const uint8_t *sealed, size_t sealed_len, const sd_key_timeline *t, int64_t *id,
                  sd_err *e);

#define SD_ZONE_KEYS_MAX 16 /* live keys a zone can hold */

/* Reads zone_id's live (not removed) keys, at most SD_ZONE_KEYS_MAX, in id order. */
int sd_key_rows_load(sqlite3 *db, int64_t zone_id, sd_key_row *k, size_t *n, sd_err *e);

/* Stores each live key's next step (keys.next_step, keys.next_at: sd_key_next) for zone_id,
 * writing only rows whose values change. Called inside every transaction that writes keys,
 * before its commit; a zone id of 0 stores them for every zone (start-up, and after a keystore
 * was edited by hand). */
int sd_keystate_store(sqlite3 *db, int64_t zone_id, sd_err *e);

#endif
