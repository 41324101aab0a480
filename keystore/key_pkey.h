/* key_pkey.h - the bridge between an OpenSSL key and scaidns's key material, shared by key.c
 * (generated keys) and key_import.c (imported ones), so that both come out identical: the
 * same "Private-key-format: v1.2" text, DNSKEY RDATA and key tag. */
#ifndef SCAIDNS_KEY_PKEY_H
#define SCAIDNS_KEY_PKEY_H

#include <openssl/evp.h>

#include "keystore/key.h"

/* Fills *out from pkey, which must be a key of algorithm (RSA for 8 and 10, P-256 for 13,
 * P-384 for 14, Ed25519 for 15) holding its private half; bits is stored as given. Returns 0,
 * or a negative code with e filled (out is then empty). */
int sd_key_from_pkey(EVP_PKEY *pkey, int algorithm, uint16_t flags, int bits, sd_key *out,
                     sd_err *e);

/* Decodes base64 (whitespace ignored, padding checked) into a malloc'ed *out. 0 or -1. */
int sd_b64_decode(const char *in, uint8_t **out, size_t *outlen);

#endif
