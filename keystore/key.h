/* key.h - DNSSEC key material: generation (OpenSSL 3), DNSKEY RDATA, key tag, DS, and the
 * "Private-key-format: v1.2" text that PowerDNS's getDomainKeys expects. No database here. */
#ifndef SCAIDNS_KEY_H
#define SCAIDNS_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "keystore/error.h"

#define SD_FLAGS_ZSK 256
#define SD_FLAGS_KSK 257

typedef struct sd_key {
    int algorithm;    /* 8, 10, 13, 14 or 15 */
    uint16_t flags;   /* 256 (ZSK) or 257 (KSK) */
    int bits;         /* RSA modulus bits; the curve size for the others (256, 384, 256) */
    uint16_t key_tag; /* RFC 4034 appendix B */
    uint8_t *rdata;   /* DNSKEY RDATA in wire format (flags, protocol 3, algorithm, key) */
    size_t rdata_len;
    char *public_b64;   /* base64 of the public key field alone, as in presentation format */
    char *private_text; /* secret: v1.2 private-key text, NUL terminated; wiped by sd_key_free */
} sd_key;

/* Returns 1 when algorithm is one scaidns signs with (8, 10, 13, 14, 15), else 0. */
int sd_alg_supported(int algorithm);

/* The mnemonic of a supported algorithm ("ECDSAP256SHA256", ...), or "UNKNOWN". */
const char *sd_alg_name(int algorithm);

/* Generates a fresh key. bits is used for RSA only (2048, 3072 or 4096; 0 means 2048) and is
 * otherwise ignored. On success fills *out (free with sd_key_free) and returns 0; on failure
 * returns a negative code with e filled (400 for an unsupported algorithm or size). */
int sd_key_generate(int algorithm, int bits, uint16_t flags, sd_key *out, sd_err *e);

/* Wipes the private text and frees everything *k owns; k itself may be reused. NULL-safe. */
void sd_key_free(sd_key *k);

/* The RFC 4034 appendix B key tag of a DNSKEY RDATA. */
uint16_t sd_key_tag(const uint8_t *rdata, size_t len);

/* Builds DNSKEY RDATA wire format from flags, algorithm and the base64 public key.
 * Allocates *rdata (caller frees). Returns 0, or negative with e filled on bad base64. */
int sd_dnskey_rdata(uint16_t flags, int algorithm, const char *public_b64, uint8_t **rdata,
                    size_t *len, sd_err *e);

/* Computes the DS digest over owner name (canonical, trailing dot) and DNSKEY RDATA, for
 * digest type 2 (SHA-256) or 4 (SHA-384), as upper-case hex into hex (size >= 97).
 * Returns 0, or negative with e filled (400 for another digest type or a bad name). */
int sd_ds_digest(const char *zone, const uint8_t *rdata, size_t len, int digest_type, char *hex,
                 size_t hexlen, sd_err *e);

/* Writes "zone. IN DNSKEY flags 3 alg base64" into buf. Returns the length, or -1 if too small. */
int sd_dnskey_presentation(const char *zone, uint16_t flags, int algorithm, const char *public_b64,
                           char *buf, size_t buflen);

/* Writes "zone. IN DS tag alg type HEX" into buf. Returns the length, or -1 if too small. */
int sd_ds_presentation(const char *zone, uint16_t key_tag, int algorithm, int digest_type,
                       const char *hex, char *buf, size_t buflen);

#endif
