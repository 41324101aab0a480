/* name.c - canonical domain names. */
#include "keystore/name.h"

#include <ctype.h>
#include <idn2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Returns 1 if s holds a byte outside ASCII. */
static int has_non_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return 1;
    return 0;
}

/* Checks and lower-cases an ASCII name in place; adds the trailing dot into out. */
static int check_ascii(const char *in, char *out, size_t outlen, sd_err *e)
{
    size_t n = strlen(in);
    if (n == 0)
        return sd_fail(e, SD_EBADINPUT, "empty name");
    if (strcmp(in, ".") == 0) {
        if (outlen < 2)
            return sd_fail(e, SD_EBADINPUT, "name buffer too small");
        strcpy(out, ".");
        return 0;
    }
    if (in[n - 1] == '.')
        n--;
    /* Wire length: one length octet per label + the label bytes + the root octet = n + 2. */
    if (n + 2 > 255)
        return sd_fail(e, SD_EBADINPUT, "name is longer than 255 octets");
    if (n + 2 > outlen)
        return sd_fail(e, SD_EBADINPUT, "name buffer too small");
    size_t label = 0;
    int first_label = 1;
    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        if (c == '.') {
            if (label == 0)
                return sd_fail(e, SD_EBADINPUT, "empty label in name");
            label = 0;
            first_label = 0;
            out[i] = '.';
            continue;
        }
        if (++label > 63)
            return sd_fail(e, SD_EBADINPUT, "label longer than 63 octets in name");
        int ok = isalnum((unsigned char)c) || c == '-' || c == '_';
        if (c == '*' && first_label && i == 0 && (n == 1 || in[1] == '.'))
            ok = 1;
        if (!ok)
            return sd_fail(e, SD_EBADINPUT, "character '%s%c' not allowed in a name",
                           isprint((unsigned char)c) ? "" : "\\",
                           isprint((unsigned char)c) ? c : '?');
        out[i] = (char)tolower((unsigned char)c);
    }
    if (label == 0)
        return sd_fail(e, SD_EBADINPUT, "empty label in name");
    out[n] = '.';
    out[n + 1] = '\0';
    return 0;
}

int sd_name_canon(const char *in, char *out, size_t outlen, sd_err *e)
{
    if (!in)
        return sd_fail(e, SD_EBADINPUT, "missing name");
    if (strlen(in) > 1024)
        return sd_fail(e, SD_EBADINPUT, "name is longer than 255 octets");
    if (!has_non_ascii(in))
        return check_ascii(in, out, outlen, e);
    char *ace = NULL;
    int rc = idn2_to_ascii_8z(in, &ace, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
    if (rc != IDN2_OK) {
        free(ace);
        return sd_fail(e, SD_EBADINPUT, "not a valid internationalised name: %s",
                       idn2_strerror(rc));
    }
    rc = check_ascii(ace, out, outlen, e);
    free(ace);
    return rc;
}

int sd_name_in_zone(const char *name, const char *zone)
{
    if (strcmp(zone, ".") == 0)
        return 1;
    size_t n = strlen(name), z = strlen(zone);
    if (n < z || strcmp(name + n - z, zone) != 0)
        return 0;
    return n == z || name[n - z - 1] == '.';
}

int sd_name_absolute(const char *owner, const char *zone, char *out, size_t outlen, sd_err *e)
{
    if (!owner || !*owner)
        return sd_fail(e, SD_EBADINPUT, "missing owner name");
    if (strcmp(owner, "@") == 0)
        return sd_name_canon(zone, out, outlen, e);
    size_t n = strlen(owner);
    if (owner[n - 1] == '.') {
        if (sd_name_canon(owner, out, outlen, e) < 0)
            return -SD_EBADINPUT;
    } else {
        char buf[1100];
        if (n + strlen(zone) + 2 > sizeof buf)
            return sd_fail(e, SD_EBADINPUT, "name is longer than 255 octets");
        int w = snprintf(buf, sizeof buf, "%s.%s", owner, strcmp(zone, ".") == 0 ? "" : zone);
        if (w < 0 || (size_t)w >= sizeof buf)
            return sd_fail(e, SD_EBADINPUT, "name is longer than 255 octets");
        if (sd_name_canon(buf, out, outlen, e) < 0)
            return -SD_EBADINPUT;
    }
    if (!sd_name_in_zone(out, zone))
        return sd_fail(e, SD_EBADINPUT, "name %s is not inside zone %s", out, zone);
    return 0;
}
