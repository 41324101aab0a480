/* dname.h - the little DNS name arithmetic the backend needs: lower-casing what PowerDNS
 * sends, DNSSEC canonical ordering (RFC 4034 section 6.1), parents, and NSEC3 owner hashes
 * (RFC 5155) in base32hex.
 *
 * All names here are absolute text names with a trailing dot ("." is the root), lower case,
 * in the canonical presentation form of keystore/name.h (PowerDNS's own: '.' and '\' inside a
 * label escaped by a backslash, octets outside printable ASCII as \DDD). */
#ifndef SCAIDNS_BACKEND_DNAME_H
#define SCAIDNS_BACKEND_DNAME_H

#include <stddef.h>

#define SB_NSEC3_HASH_LEN 32 /* base32hex characters of a SHA-1 NSEC3 hash */

/* Copies in into out (size outlen, SD_NAME_MAX) with ASCII letters lowered and a trailing
 * dot added when missing ("" becomes "."); a name with escapes is rewritten in the canonical
 * form (sd_name_canon_text). Returns 0, or -1 when in is longer than a DNS name can be (255
 * octets on the wire), holds an empty label, a label over 63 octets, a bad escape, or an
 * unescaped byte outside printable ASCII. */
int sb_dname_lower(const char *in, char *out, size_t outlen);

/* Compares two names in DNSSEC canonical order: <0, 0 or >0 like strcmp. */
int sb_dname_cmp(const char *a, const char *b);

/* Returns 1 when name equals zone or lies below it, else 0. */
int sb_dname_in(const char *name, const char *zone);

/* Returns the parent of name ("a.b." -> "b.", "b." -> "."), or NULL for the root. The result
 * points into name. */
const char *sb_dname_parent(const char *name);

/* Hashes name (RFC 5155: SHA-1 over the wire form and the salt, iterated) into out as
 * lower-case base32hex, NUL terminated (outlen >= SB_NSEC3_HASH_LEN + 1). salt_hex is ""
 * or "-" for no salt. Returns 0, or -1 on a bad salt or name. */
int sb_nsec3_hash(const char *name, const char *salt_hex, int iterations, char *out, size_t outlen);

#endif
