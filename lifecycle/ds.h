/* ds.h - a KSK's DS records, rendered from its key row in one place: every DS or CDS that
 * scaidns shows, sends, serves or compares with what a parent holds comes from sd_ds_of_key. */
#ifndef SCAIDNS_LIFECYCLE_DS_H
#define SCAIDNS_LIFECYCLE_DS_H

#include <jansson.h>

#include "keystore/error.h"

/* A DS record: ours (sd_ds_of_key), or one an operator or a parent server gave us. */
typedef struct sd_ds {
    int key_tag;
    int algorithm;
    int digest_type;
    char digest[129]; /* hex; ours upper case, theirs any case */
} sd_ds;

/* The DS (digest type 2 = SHA-256 or 4 = SHA-384) of zone's DNSKEY with flags, algorithm and
 * base64 public key into *out. Returns 0, or < 0 with e filled (400 for a bad key or another
 * digest type); e may be NULL. */
int sd_ds_of_key(const char *zone, int flags, int algorithm, const char *public_b64,
                 int digest_type, sd_ds *out, sd_err *e);

/* 1 when ds is a DS (digest type 2 or 4) of that DNSKEY of zone, 0 otherwise. */
int sd_ds_matches_key(const sd_ds *ds, const char *zone, int flags, int algorithm,
                      const char *public_b64);

/* Appends the key's DS records for digest types 2 and 4 to arr, each as {"key_tag",
 * "algorithm", "digest_type", "digest", "ds": "zone. IN DS tag alg type HEX"}. */
int sd_ds_json_append(json_t *arr, const char *zone, int flags, int algorithm,
                      const char *public_b64, sd_err *e);

#endif
