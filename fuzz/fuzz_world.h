/* fuzz_world.h - the scratch keystore the fuzzers run against, built once per fuzzer process
 * (in LLVMFuzzerInitialize) through the keystore's own calls, so that requests reach the real
 * code paths: zones with records of many types, a delegation with DS and glue, a wildcard, an
 * empty non-terminal, NSEC and NSEC3 (opt-out) zones, a keys-only zone, a master zone, CDS of
 * both digest types and the CDS DELETE pair of an unsigned zone, keys in every status
 * (pending_ds: keys.test., active: example., rotating_zsk: example.com.) sealed to a fresh
 * seal key pair, and API tokens. A fuzzer cannot run without its world, so every failure here
 * ends the process with a message (fz_die). */
#ifndef SCAIDNS_FUZZ_WORLD_H
#define SCAIDNS_FUZZ_WORLD_H

#include <sqlite3.h>
#include <stddef.h>

#include "keystore/config.h"
#include "keystore/policy.h"
#include "keystore/seal.h"
#include "keystore/token.h"

typedef struct fz_world {
    char dir[192];      /* the scratch directory, removed at exit */
    sd_config cfg;      /* db and seal-key point into dir; no PowerDNS, no parent servers */
    sd_policy defaults; /* the default policy of cfg */
    sd_seal_keys seal;  /* both halves */
    char tok_all[SD_TOKEN_LEN + 8];  /* every scope, every zone */
    char tok_read[SD_TOKEN_LEN + 8]; /* dnssec:read and zones:read */
    char tok_only[SD_TOKEN_LEN + 8]; /* every scope, zone example.com. only */
} fz_world;

/* Prints "fuzz: " and the message to stderr and exits with status 1. */
void fz_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Builds the world: a new directory under $TMPDIR (or /tmp) named after tag, a seal key pair,
 * the keystore filled as described above (when fill is non-zero; else left empty but
 * migrated), and cfg set up for it. The directory and everything in it go at exit. */
void fz_world_init(fz_world *w, const char *tag, int fill);

/* Opens the world's keystore for writing with synchronous=OFF (fuzzers commit often; the
 * scratch keystore needs no durability). Dies on failure. */
sqlite3 *fz_world_open(const fz_world *w);

/* Copies the whole database src into dst (sqlite3_backup); dies on failure. Used to give
 * every input the same starting keystore. */
void fz_db_copy(sqlite3 *dst, sqlite3 *src);

#endif
