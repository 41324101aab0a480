/* seal.h - private keys sealed at rest (libsodium crypto_box_seal).
 *
 * The backend owns an X25519 key pair. Whoever creates DNSSEC keys (API, scaidnsctl) needs
 * only the public half; only the backend can open a sealed key. The sealed text binds the
 * zone name and the key's kid, and opening checks both, so a sealed blob moved to another
 * zone or key row is refused. */
#ifndef SCAIDNS_SEAL_H
#define SCAIDNS_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "keystore/error.h"

#define SD_SEAL_PK_LEN 32
#define SD_SEAL_SK_LEN 32

typedef struct sd_seal_keys {
    uint8_t pk[SD_SEAL_PK_LEN];
    uint8_t sk[SD_SEAL_SK_LEN]; /* all zero when only the public half was loaded */
    int have_secret;
} sd_seal_keys;

/* Creates a new key pair: the secret in path (mode 0600, created exclusively: refuses to
 * overwrite) and the public half in path + ".pub" (0644), both modes exact whatever the
 * umask. Files hold base64 text. */
int sd_seal_create(const char *path, sd_err *e);

/* Loads the public half from path + ".pub". */
int sd_seal_load_public(const char *path, sd_seal_keys *out, sd_err *e);

/* Loads both halves from path (and path + ".pub"); refuses a secret file that is readable or
 * writable by group or others. Wipe with sd_seal_wipe. */
int sd_seal_load_secret(const char *path, sd_seal_keys *out, sd_err *e);

/* Zeroes the secret half. */
void sd_seal_wipe(sd_seal_keys *k);

/* Seals text for (zone, kid) to keys->pk. Allocates *out (caller frees). */
int sd_seal(const sd_seal_keys *keys, const char *zone, const char *kid, const char *text,
            uint8_t **out, size_t *outlen, sd_err *e);

/* Opens a sealed blob; checks that it was sealed for exactly (zone, kid). Allocates *text
 * (NUL terminated; the caller wipes it with sodium_memzero and frees it). */
int sd_unseal(const sd_seal_keys *keys, const char *zone, const char *kid, const uint8_t *blob,
              size_t len, char **text, sd_err *e);

#endif
