/* tsig.h - TSIG keys (RFC 8945) for zone transfers, and which keys may transfer which zone
 * (PowerDNS's TSIG-ALLOW-AXFR metadata).
 *
 * A key's secret is random (as long as its HMAC's output: 16, 32 or 64 bytes), shown once in
 * base64 when the key is created and then stored only sealed to the backend's public seal key
 * (seal.h), bound to the key's name and algorithm: the API and scaidnsctl can create keys but
 * never read a secret back; scaidns-backend opens it to answer PowerDNS's getTSIGKey.
 *
 * Key names are DNS names of letters, digits, '-' and '_' (they end up in named.conf and
 * knot.conf), stored in canonical form: lower case with a trailing dot. Algorithms:
 * hmac-sha256 (the default), hmac-sha512, and hmac-md5 for old secondaries, flagged as weak. */
#ifndef SCAIDNS_TSIG_H
#define SCAIDNS_TSIG_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "keystore/error.h"
#include "keystore/seal.h"

#define SD_TSIG_NAME_MAX 256      /* canonical key name with its trailing dot and NUL */
#define SD_TSIG_SECRET_B64_MAX 92 /* base64 of 64 bytes (88) + NUL, rounded up */
#define SD_TSIG_MAX_PER_ZONE 16   /* keys that may transfer one zone */

typedef struct sd_tsig_key {
    int64_t id;
    char name[SD_TSIG_NAME_MAX]; /* canonical */
    char algorithm[16];          /* "hmac-sha256", "hmac-sha512" or "hmac-md5" */
    int weak;                    /* 1 for hmac-md5 */
    int64_t created_at;
} sd_tsig_key;

/* Reads an algorithm as users and DNS software write it ("hmac-sha256", "HMAC-SHA256.",
 * "hmac-md5.sig-alg.reg.int", ...) into its short name (static, e.g. "hmac-sha256"). *weak
 * (may be NULL) is set for hmac-md5, *secret_len (may be NULL) to the secret's length in bytes.
 * Returns 0, or 400 naming the algorithms accepted. */
int sd_tsig_algorithm(const char *in, const char **canon, int *weak, size_t *secret_len, sd_err *e);

/* The algorithm's name as PowerDNS and the wire protocol want it (RFC 8945 table 3, absolute):
 * "hmac-sha256.", "hmac-sha512.", "hmac-md5.sig-alg.reg.int."; NULL for an unknown one. */
const char *sd_tsig_algorithm_dns(const char *canon);

/* Canonicalises a key name into out (size >= SD_TSIG_NAME_MAX): lower case, trailing dot.
 * 400 for an empty name, the root, an empty label, a label over 63 octets, a name over 253
 * characters, or a character other than letters, digits, '-' and '_'. */
int sd_tsig_name_canon(const char *in, char *out, size_t outlen, sd_err *e);

/* Creates a key (one transaction, audited as actor, action tsig-create): a random secret,
 * sealed to seal's public half. The base64 secret goes to secret (size >=
 * SD_TSIG_SECRET_B64_MAX; the caller shows it once and wipes it), the key to *out (may be
 * NULL). algorithm NULL means hmac-sha256. 409 if the name is taken, 400 on a bad name or
 * algorithm. */
int sd_tsig_create(sqlite3 *db, const sd_seal_keys *seal, const char *name, const char *algorithm,
                   const char *actor, int64_t now, char *secret, size_t secret_len,
                   sd_tsig_key *out, sd_err *e);

/* Finds a key by name (any case, with or without the trailing dot). 404 when there is none,
 * 400 when name is not a key name. */
int sd_tsig_find(sqlite3 *db, const char *name, sd_tsig_key *out, sd_err *e);

/* Calls fn for each key in name order; stops early when fn returns non-zero. */
int sd_tsig_foreach(sqlite3 *db, int (*fn)(const sd_tsig_key *k, void *arg), void *arg, sd_err *e);

/* Calls fn with the name of each zone key_id may transfer, in name order. */
int sd_tsig_key_zones(sqlite3 *db, int64_t key_id, int (*fn)(const char *zone, void *arg),
                      void *arg, sd_err *e);

/* Deletes a key (one transaction, audited: tsig-delete). 404 when there is none; 409, naming
 * the zones, while a zone lets it transfer (remove it from their allow-axfr lists first). */
int sd_tsig_delete(sqlite3 *db, const char *name, const char *actor, int64_t now, sd_err *e);

/* Replaces the keys that may transfer zone_id (zone: its canonical name, for the audit row)
 * with the n keys named (0 to SD_TSIG_MAX_PER_ZONE; 0 clears the list). One transaction,
 * audited: tsig-allow-axfr with the key names. A non-empty list also makes the zone a primary
 * (kind 'master'), since PowerDNS sends NOTIFY only for those; clearing it leaves the kind. 404
 * naming the first key that does not exist, 400 for a bad or repeated name; nothing changes
 * then. */
int sd_tsig_allow_axfr_set(sqlite3 *db, int64_t zone_id, const char *zone, const char *const *names,
                           size_t n, const char *actor, int64_t now, sd_err *e);

/* Calls fn with the canonical name of each key that may transfer zone_id, in name order. */
int sd_tsig_allow_axfr_foreach(sqlite3 *db, int64_t zone_id, int (*fn)(const char *key, void *arg),
                               void *arg, sd_err *e);

/* Opens the sealed secret of key (name, algorithm as stored) with seal's secret half: the
 * base64 secret into secret (size >= SD_TSIG_SECRET_B64_MAX; the caller wipes it). A blob
 * sealed for another key name or algorithm is refused. */
int sd_tsig_unseal(const sd_seal_keys *seal, const char *name, const char *algorithm,
                   const uint8_t *blob, size_t len, char *secret, size_t secret_len, sd_err *e);

#endif
