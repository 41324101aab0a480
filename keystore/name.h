/* name.h - canonical domain names: lower case, A-labels for IDN, trailing dot, RFC 1035
 * length limits (63 octets a label, 255 octets on the wire). */
#ifndef SCAIDNS_NAME_H
#define SCAIDNS_NAME_H

#include <stddef.h>

#include "keystore/error.h"

#define SD_NAME_MAX 256 /* buffer size that holds any canonical name and its NUL */

/* Canonicalises a zone or owner name into out (size >= SD_NAME_MAX): U-labels become
 * A-labels (IDNA2008), letters lower case, a trailing dot added. "." is the root. Refuses
 * (400, with the reason) empty labels, labels over 63 octets, names over 255 wire octets,
 * and characters other than letters, digits, '-', '_' and a leading "*" label. */
int sd_name_canon(const char *in, char *out, size_t outlen, sd_err *e);

/* Returns 1 if canonical name is zone itself or below it, else 0. */
int sd_name_in_zone(const char *name, const char *zone);

/* Makes a relative owner (no trailing dot, "@" for the apex) absolute under zone, then
 * canonicalises it. An owner that already ends in '.' must lie inside zone. */
int sd_name_absolute(const char *owner, const char *zone, char *out, size_t outlen, sd_err *e);

#endif
