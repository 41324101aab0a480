/* fuzz_name.c - domain names as every part of scaidns reads them (sd_name_canon: lower case,
 * IDNA2008 A-labels, length limits; sd_name_absolute: relative owners under a zone). The
 * input is a zone name, a newline, and an owner name (either may be any bytes).
 *
 * Checked beyond "no crash, no leak, no undefined behaviour": a refused name says why; a
 * canonical name is absolute, written as PowerDNS writes names (printable ASCII as itself but
 * for the dot and the backslash, which are escaped by a backslash; other octets as \DDD),
 * with no upper case letter, labels of 1 to 63 octets, at most 255 octets on the wire, and
 * canonical again unchanged; an accepted owner lies inside its zone. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keystore/name.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts (a finding) naming what is wrong with name, read from input. */
static void broken(const char *why, const char *input, const char *name)
{
    fprintf(stderr, "fuzz_name: %s: \"%s\" -> \"%s\"\n", why, input, name);
    abort();
}

/* Checks that name (made from input) is canonical (see the top of the file). */
static void check_canonical(const char *input, const char *name)
{
    size_t n = strlen(name), wire = 1, label = 0;
    if (n == 0 || name[n - 1] != '.')
        broken("not absolute", input, name);
    if (strcmp(name, ".") == 0)
        return;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)name[i];
        if (c == '.') {
            if (label == 0)
                broken("an empty label", input, name);
            wire += 1 + label;
            label = 0;
            i++;
            continue;
        }
        if (c == '\\') {
            unsigned char d = (unsigned char)name[i + 1];
            if (d == '.' || d == '\\') {
                i += 2;
            } else if (d >= '0' && d <= '2' && name[i + 2] >= '0' && name[i + 2] <= '9' &&
                       name[i + 3] >= '0' && name[i + 3] <= '9') {
                int v = (d - '0') * 100 + (name[i + 2] - '0') * 10 + (name[i + 3] - '0');
                if (v > 255 || (v > 0x20 && v < 0x7f))
                    broken("a \\DDD escape of a printable octet or above 255", input, name);
                i += 4;
            } else {
                broken("an escape a canonical name cannot hold", input, name);
            }
        } else if (c <= 0x20 || c >= 0x7f || (c >= 'A' && c <= 'Z')) {
            broken("a character a canonical name cannot hold", input, name);
        } else {
            i++;
        }
        if (++label > 63)
            broken("a label over 63 octets", input, name);
    }
    if (wire > 255)
        broken("longer than 255 octets", input, name);
    char again[SD_NAME_MAX];
    sd_err e;
    if (sd_name_canon(name, again, sizeof again, &e) < 0 || strcmp(again, name) != 0)
        broken("not canonical again", input, name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *nl = memchr(data, '\n', size);
    size_t zl = nl ? (size_t)(nl - (const char *)data) : size;
    char *zone_in = strndup((const char *)data, zl); /* JSON strings and paths: cut at NUL */
    char *owner_in = nl ? strndup(nl + 1, size - zl - 1) : NULL;
    if (!zone_in || (nl && !owner_in))
        abort();
    char zone[SD_NAME_MAX], owner[SD_NAME_MAX];
    sd_err e;
    sd_err_clear(&e);
    if (sd_name_canon(zone_in, zone, sizeof zone, &e) < 0) {
        if (e.code != SD_EBADINPUT || !e.msg[0])
            broken("refused without a reason", zone_in, "");
    } else {
        check_canonical(zone_in, zone);
        if (owner_in && sd_name_absolute(owner_in, zone, owner, sizeof owner, &e) == 0) {
            check_canonical(owner_in, owner);
            if (!sd_name_in_zone(owner, zone))
                broken("an owner outside its zone", owner_in, owner);
        }
    }
    free(owner_in);
    free(zone_in);
    return 0;
}
