/* audit.h - the audit trail: one row per change, each chained to the one before by a hash,
 * keyed when the audit key exists, and its heads anchored outside the keystore.
 *
 * Keyed rows (hash "k1:<hex>") carry an HMAC-SHA256, under the audit key, of their sequence
 * number (id), the previous row's hash and their fields: whoever can write the keystore but
 * does not hold the key cannot edit a row and recompute the chain after it. Rows written
 * while no key existed (older keystores) carry a plain BLAKE2b hash; once a keyed row is in
 * the chain every later row must be keyed.
 *
 * After each transaction that wrote audit rows commits, the new head, "SEQ HASH\n", is
 * appended to the anchor file (and scaidns-api sends it with each webhook event): rows
 * deleted from the end of the trail are then still missed. An anchor line is written only
 * after its row is committed, so the anchor never runs ahead of the keystore. */
#ifndef SCAIDNS_AUDIT_H
#define SCAIDNS_AUDIT_H

#include <sqlite3.h>
#include <stdint.h>

#include "keystore/error.h"

#define SD_AUDIT_HASH_MAX 72 /* a stored hash, "k1:" + 64 hex, NUL included */
#define SD_AUDIT_KEY_BYTES 32

/* Where the key and the anchor are, for this process; the key is loaded when its file
 * exists (it is looked for again at each row while it does not, so that a key created by
 * `scaidnsctl audit init-key` is taken up without a restart). NULL or "" switches either
 * off. -SD_EBADINPUT when the key file exists but cannot be read, is open to group or
 * others, or is not 64 hex digits. *keyed (may be NULL) tells whether a key was loaded. */
int sd_audit_setup(const char *key_path, const char *anchor_path, int *keyed, sd_err *e);

/* Where problems that cannot fail the change go (an anchor line that could not be written):
 * fn gets one line of text. NULL: stderr. */
void sd_audit_set_warn(void (*fn)(const char *msg));

/* Creates a new random audit key at path (mode 0600, 64 hex digits and a newline); refuses
 * to overwrite a file. */
int sd_audit_key_create(const char *path, sd_err *e);

/* Creates the anchor file at path, empty, mode 0600, when it does not exist yet. */
int sd_audit_anchor_create(const char *path, sd_err *e);

/* Appends a row (call inside the transaction of the change it records). zone and detail
 * (a JSON text) may be NULL. The row's hash covers its fields and the previous row's hash
 * (and, keyed, its sequence number); its head goes to the anchor once the transaction
 * commits through sd_db_commit (at once when no transaction is open). */
int sd_audit(sqlite3 *db, int64_t now, const char *actor, const char *zone, const char *action,
             const char *outcome, const char *detail, sd_err *e);

/* The newest row's sequence number and hash (0 and "" when the trail is empty). */
int sd_audit_head(sqlite3 *db, int64_t *seq, char hash[SD_AUDIT_HASH_MAX], sd_err *e);

/* Called by sd_db_commit after a COMMIT succeeded on db: anchors the head this thread wrote
 * on db, if any. And by sd_db_rollback: forgets it. */
void sd_audit_committed(sqlite3 *db);
void sd_audit_rolled_back(sqlite3 *db);

/* What sd_audit_verify found. */
typedef struct sd_audit_report {
    int64_t rows;     /* rows checked */
    int64_t keyed;    /* of them keyed */
    int64_t anchored; /* the highest sequence number the anchor holds (0: none) */
    int anchor_found; /* the anchor file exists */
} sd_audit_report;

/* Checks the whole chain and compares it with the anchor. On a break returns -SD_ECONFLICT
 * with e naming the first problem: "N rows missing after sequence S" (rows deleted at the
 * end, which the anchor shows, or in the middle) or "row S altered" (its fields, hash or
 * link changed, or a plain hash after keyed rows); -SD_EBADINPUT when keyed rows cannot be
 * checked because the key is not loaded. r may be NULL. */
int sd_audit_verify_report(sqlite3 *db, sd_audit_report *r, sd_err *e);

/* sd_audit_verify_report with only the count of rows checked (rows may be NULL). */
int sd_audit_verify(sqlite3 *db, int64_t *rows, sd_err *e);

#endif
