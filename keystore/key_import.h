/* key_import.h - existing DNSSEC keys read from the formats other signers write: the ISC
 * "Private-key-format" text (v1.2 and v1.3: BIND's K*.private files, `pdnsutil
 * export-zone-key`, PowerDNS's REST API) and PEM (PKCS#8 as OpenSSL and Knot's keymgr write
 * it, or the traditional RSA/EC forms). An imported key comes out exactly as a generated one
 * (key.h): the same v1.2 private text that the backend hands to PowerDNS, DNSKEY RDATA, key
 * tag. No database here. */
#ifndef SCAIDNS_KEY_IMPORT_H
#define SCAIDNS_KEY_IMPORT_H

#include <stdint.h>

#include "keystore/key.h"

/* Smallest RSA modulus scaidns accepts, in bits. */
#define SD_IMPORT_RSA_MIN_BITS 2048
/* Largest RSA modulus scaidns accepts, in bits (what PowerDNS signs with in reasonable time). */
#define SD_IMPORT_RSA_MAX_BITS 4096

/* Reads one private key into *out (free with sd_key_free), as a key with DNSKEY flags (256 or
 * 257: what it is imported as).
 *
 * private_text: ISC text or PEM. A PEM text may also hold a "PUBLIC KEY" block, which must
 * belong to the private key.
 * public_text: NULL, or what the source says of the public half: a BIND .key file (or any
 * DNSKEY record line), whose algorithm, public key and flags must agree with the private key
 * and with flags; or a PEM public key.
 * algorithm: 0, or the algorithm the caller expects; needed only for an RSA PEM key, which
 * does not name its DNSSEC algorithm (0 means 8, RSASHA256), checked against the text
 * otherwise.
 *
 * Returns 0, or -400 with e saying what is wrong (unsupported algorithm, malformed or
 * truncated text, public/private mismatch, RSA under 2048 bits, flags disagreeing with the
 * .key file), or -500 on an internal failure. Never copies secret bytes into e. */
int sd_key_import(const char *private_text, const char *public_text, int algorithm, uint16_t flags,
                  sd_key *out, sd_err *e);

#endif
