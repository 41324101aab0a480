/* name.h - canonical domain names: RFC 1035 presentation format as PowerDNS writes it (any
 * octet; '.' and '\' escaped by a backslash, printable ASCII as itself, other octets as
 * \DDD), ASCII letters lower case, A-labels for IDN, a trailing dot, and RFC 1035 length
 * limits (63 octets a label, 255 octets on the wire). */
#ifndef SCAIDNS_NAME_H
#define SCAIDNS_NAME_H

#include <stddef.h>

#include "keystore/error.h"

/* Buffer size that holds any canonical name and its NUL: 255 wire octets written with \DDD
 * escapes take at most 1004 characters. */
#define SD_NAME_MAX 1024

/* Canonicalises a zone or owner name into out (size >= SD_NAME_MAX): U-labels become
 * A-labels (IDNA2008; a label holding bytes outside ASCII must not also hold backslash
 * escapes), escapes are read (\X is the octet X, \DDD the octet DDD) and written back in the
 * canonical form above, letters lower case, a trailing dot added. "." is the root. Every
 * octet is allowed, "host.*.sub" and "0/26.2.0.192.in-addr.arpa" included. Refuses (400,
 * with the reason) empty labels, labels over 63 octets, names over 255 wire octets, bad
 * escapes (\DDD above 255, a backslash followed by fewer than three digits or by nothing),
 * and spaces and control characters that are not escaped. */
int sd_name_canon(const char *in, char *out, size_t outlen, sd_err *e);

/* sd_name_canon without IDN (in is ASCII presentation text, as PowerDNS sends names) and
 * without sd_err: returns 0, or -1 with *why (may be NULL) set to a static reason. */
int sd_name_canon_text(const char *in, char *out, size_t outlen, const char **why);

/* The length of the character or escape sequence at p (1, 2 for \X, 4 for \DDD; shorter
 * when the string ends first). */
size_t sd_name_escape_len(const char *p);

/* Returns 1 when the '.' at s[i] is part of an escape (a dot inside a label), 0 when it
 * separates labels. */
int sd_name_dot_escaped(const char *s, size_t i);

/* Returns 1 if canonical name is zone itself or below it, else 0. */
int sd_name_in_zone(const char *name, const char *zone);

/* Makes a relative owner (no trailing unescaped dot, "@" for the apex) absolute under zone,
 * then canonicalises it. An owner that already ends in '.' must lie inside zone. */
int sd_name_absolute(const char *owner, const char *zone, char *out, size_t outlen, sd_err *e);

#endif
