/* fuzz_name.c - domain names as every part of scaidns reads them (sd_name_canon: lower case,
 * IDNA2008 A-labels, length limits; sd_name_absolute: relative owners under a zone). The
 * input is a zone name, a newline, and an owner name (either may be any bytes).
 *
 * Checked beyond "no crash, no leak, no undefined behaviour": a refused name says why; a
 * canonical name is absolute, lower case ASCII of letters, digits, '-', '_' (and a leading
 * "*" label), at most 255 octets on the wire, and canonical again unchanged; an accepted
 * owner lies inside its zone. */
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
    size_t n = strlen(name);
    if (n == 0 || name[n - 1] != '.' || (n > 1 && n + 1 > 255))
        broken("not absolute, or too long", input, name);
    for (size_t i = 0; i + 1 < n; i++) {
        char c = name[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                 (c == '.' && i > 0 && name[i - 1] != '.') ||
                 (c == '*' && i == 0 && name[1] == '.');
        if (!ok)
            broken("a character a canonical name cannot hold", input, name);
    }
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
