/* name.c - canonical domain names. */
#include "keystore/name.h"

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

size_t sd_name_escape_len(const char *p)
{
    if (p[0] != '\\')
        return 1;
    if (p[1] >= '0' && p[1] <= '9')
        return p[2] && p[3] ? 4 : 1 + strlen(p + 1);
    return p[1] ? 2 : 1;
}

int sd_name_dot_escaped(const char *s, size_t i)
{
    /* Walks from the start: a backslash sequence is read whole, so "\\." ends in a real dot
     * and "\." does not. */
    size_t k = 0;
    while (k < i) {
        size_t l = sd_name_escape_len(s + k);
        if (k + l > i)
            return 1;
        k += l;
    }
    return 0;
}

/* Appends octet c of a label to out at *o in canonical presentation form (PowerDNS's
 * DNSName::toString: '.' and '\' escaped by a backslash, other printable ASCII as itself,
 * everything else as \DDD), ASCII letters lowered. */
static void put_octet(unsigned char c, char *out, size_t *o)
{
    if (c >= 'A' && c <= 'Z')
        c = (unsigned char)(c + 32);
    if (c == '.' || c == '\\') {
        out[(*o)++] = '\\';
        out[(*o)++] = (char)c;
    } else if (c > 0x20 && c < 0x7f) {
        out[(*o)++] = (char)c;
    } else {
        out[(*o)++] = '\\';
        out[(*o)++] = (char)('0' + c / 100);
        out[(*o)++] = (char)('0' + c / 10 % 10);
        out[(*o)++] = (char)('0' + c % 10);
    }
}

int sd_name_canon_text(const char *in, char *out, size_t outlen, const char **why)
{
    static _Thread_local char bad[80]; /* the reason that names a character */
    const char *w = NULL;
    size_t n = strlen(in), o = 0, wire = 1, label = 0;
    if (n == 0)
        w = "empty name";
    else if (strcmp(in, ".") == 0) {
        if (outlen < 2)
            w = "name buffer too small";
        else
            memcpy(out, ".", 2);
        if (why)
            *why = w;
        return w ? -1 : 0;
    }
    char tmp[SD_NAME_MAX]; /* at most 4 characters an octet (\DDD): 1004 and the NUL */
    for (size_t i = 0; !w && i < n;) {
        unsigned char c = (unsigned char)in[i];
        if (c == '.') {
            if (label == 0) {
                w = "empty label in name";
                break;
            }
            tmp[o++] = '.';
            label = 0;
            i++;
            continue;
        }
        if (c == '\\') {
            unsigned char d1 = (unsigned char)in[i + 1];
            if (d1 == '\0') {
                w = "a name cannot end in a lone backslash";
                break;
            }
            if (d1 >= '0' && d1 <= '9') {
                unsigned char d2 = (unsigned char)in[i + 2], d3 = d2 ? (unsigned char)in[i + 3] : 0;
                if (d2 < '0' || d2 > '9' || d3 < '0' || d3 > '9') {
                    w = "a backslash followed by a digit must start three digits (\\DDD)";
                    break;
                }
                int v = (d1 - '0') * 100 + (d2 - '0') * 10 + (d3 - '0');
                if (v > 255) {
                    w = "\\DDD escape above 255 in name";
                    break;
                }
                c = (unsigned char)v;
                i += 4;
            } else {
                c = d1;
                i += 2;
            }
        } else if (c <= 0x20 || c == 0x7f) {
            snprintf(bad, sizeof bad,
                     "character '\\%03u' not allowed unescaped in a name (write it \\%03u)", c, c);
            w = bad;
            break;
        } else {
            i++;
        }
        if (++label > 63) {
            w = "label longer than 63 octets in name";
            break;
        }
        if (label == 1)
            wire++;
        if (++wire > 255) {
            w = "name is longer than 255 octets";
            break;
        }
        put_octet(c, tmp, &o);
    }
    if (!w && label == 0 && (o == 0 || tmp[o - 1] != '.'))
        w = "empty label in name";
    if (!w && label != 0)
        tmp[o++] = '.';
    if (!w && o + 1 > outlen)
        w = "name buffer too small";
    if (!w) {
        memcpy(out, tmp, o);
        out[o] = '\0';
    }
    if (why)
        *why = w;
    return w ? -1 : 0;
}

/* Converts the U-labels of in to A-labels into a new string (caller frees). A name without a
 * backslash goes to libidn2 whole (as before: its dots, and those IDNA maps to dots, split
 * it); otherwise each label that holds a byte outside ASCII goes alone, and must not hold a
 * backslash. */
static int to_ace(const char *in, char **ace, sd_err *e)
{
    int rc;
    if (!strchr(in, '\\')) {
        rc = idn2_to_ascii_8z(in, ace, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
        if (rc != IDN2_OK) {
            free(*ace);
            *ace = NULL;
            return sd_fail(e, SD_EBADINPUT, "not a valid internationalised name: %s",
                           idn2_strerror(rc));
        }
        return 0;
    }
    size_t n = strlen(in), cap = n * 4 + 64, o = 0;
    char *buf = malloc(cap);
    if (!buf)
        return sd_fail(e, SD_EINTERNAL, "out of memory");
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && !(in[j] == '.' && !sd_name_dot_escaped(in, j)))
            j++;
        char *label = strndup(in + i, j - i), *a = NULL;
        if (!label) {
            free(buf);
            return sd_fail(e, SD_EINTERNAL, "out of memory");
        }
        if (has_non_ascii(label)) {
            if (strchr(label, '\\')) {
                free(label);
                free(buf);
                return sd_fail(e, SD_EBADINPUT,
                               "a label cannot mix characters outside ASCII with backslash "
                               "escapes: write it with \\DDD escapes or as an A-label");
            }
            rc = idn2_to_ascii_8z(label, &a, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
            if (rc != IDN2_OK) {
                free(a);
                free(label);
                free(buf);
                return sd_fail(e, SD_EBADINPUT, "not a valid internationalised name: %s",
                               idn2_strerror(rc));
            }
        }
        const char *part = a ? a : label;
        size_t pl = strlen(part);
        if (o + pl + 2 > cap) {
            free(a);
            free(label);
            free(buf);
            return sd_fail(e, SD_EBADINPUT, "name is longer than 255 octets");
        }
        memcpy(buf + o, part, pl);
        o += pl;
        if (j < n)
            buf[o++] = '.';
        free(a);
        free(label);
        i = j + 1;
    }
    buf[o] = '\0';
    *ace = buf;
    return 0;
}

int sd_name_canon(const char *in, char *out, size_t outlen, sd_err *e)
{
    if (!in)
        return sd_fail(e, SD_EBADINPUT, "missing name");
    if (strlen(in) > 1024)
        return sd_fail(e, SD_EBADINPUT, "name is longer than 255 octets");
    const char *why = NULL;
    if (!has_non_ascii(in)) {
        if (sd_name_canon_text(in, out, outlen, &why) < 0)
            return sd_fail(e, SD_EBADINPUT, "%s", why);
        return 0;
    }
    char *ace = NULL;
    int arc = to_ace(in, &ace, e); /* e may be NULL */
    if (arc < 0)
        return arc;
    int rc = sd_name_canon_text(ace, out, outlen, &why);
    free(ace);
    return rc < 0 ? sd_fail(e, SD_EBADINPUT, "%s", why) : 0;
}

int sd_name_in_zone(const char *name, const char *zone)
{
    if (strcmp(zone, ".") == 0)
        return 1;
    size_t n = strlen(name), z = strlen(zone);
    if (n < z || strcmp(name + n - z, zone) != 0)
        return 0;
    return n == z || (name[n - z - 1] == '.' && !sd_name_dot_escaped(name, n - z - 1));
}

int sd_name_absolute(const char *owner, const char *zone, char *out, size_t outlen, sd_err *e)
{
    if (!owner || !*owner)
        return sd_fail(e, SD_EBADINPUT, "missing owner name");
    if (strcmp(owner, "@") == 0)
        return sd_name_canon(zone, out, outlen, e);
    size_t n = strlen(owner);
    if (owner[n - 1] == '.' && !sd_name_dot_escaped(owner, n - 1)) {
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
