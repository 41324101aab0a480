/* import.h - adopting a zone that another signer (pdnsutil secure-zone, BIND, Knot) already
 * signs: its keys come into the keystore as they are, so that resolvers and the parent's DS
 * see no change, and are rolled from then on by scaidns's own schedule. */
#ifndef SCAIDNS_IMPORT_H
#define SCAIDNS_IMPORT_H

#include <stddef.h>

#include "lifecycle/dnssec.h"

/* The most keys one import takes. */
#define SD_IMPORT_MAX_KEYS 4

/* The role a key had in the old signer. */
typedef enum sd_import_role {
    SD_ROLE_CSK, /* flags 257, signs everything (pdnsutil secure-zone's default in 4.7) */
    SD_ROLE_KSK, /* flags 257, signs the DNSKEY RRset */
    SD_ROLE_ZSK, /* flags 256, signs the rest */
} sd_import_role;

/* One key to import. */
typedef struct sd_import_key {
    sd_import_role role;
    const char *private_key; /* ISC "Private-key-format" text or PEM (key_import.h) */
    const char *public_key;  /* NULL, or the BIND .key file / DNSKEY record / PEM public key */
    int algorithm;           /* 0, or the algorithm expected (RSA PEM: 8 unless 10 is given) */
    int published;           /* in the DNSKEY RRset the old signer serves */
    int active;              /* signing */
} sd_import_key;

/* Parses "csk", "ksk" or "zsk" (any case). 0, or -400 with e filled. */
int sd_import_role_parse(const char *text, sd_import_role *role, sd_err *e);

/* import: the zone's keys as the old signer serves them, in one transaction with one audit
 * row, allowed only while DNSSEC is disabled for the zone in scaidns (409 otherwise).
 *
 * Accepted sets: one CSK; or one KSK and one ZSK; every key published and active, all of one
 * algorithm, no two with one key tag. Each key is sealed to the backend like a generated one,
 * is active from now, and expires after the policy's lifetime counted from now (so the engine
 * rolls it on schedule). ds_published: the parent already holds the DS of the KSK/CSK ->
 * active; otherwise pending_ds, the DS to publish once the keys are served.
 *
 * A CSK is served as it is and split at once by the normal pre-publication: a new ZSK of its
 * algorithm (policy size for RSA) is published now and takes over the zone's signatures after
 * the publish wait (the engine's ZSK activation); the CSK then signs the DNSKEY RRset only,
 * and its own rollover is a KSK rollover.
 *
 * Refused with 400 and nothing stored: an empty or too long list, unpublished or inactive
 * keys, another set of roles, mixed algorithms, duplicate key tags, and every refusal of
 * sd_key_import (prefixed with "key N: "). detail, if not NULL, receives the key tags:
 * {"keys": [{"role", "key_tag", "algorithm", "flags"}...], "split_zsk": tag or absent}. */
int sd_dnssec_import(const sd_ctx *c, const sd_zone *z, const sd_import_key *keys, size_t n,
                     int ds_published, json_t **detail, sd_err *e);

#endif
