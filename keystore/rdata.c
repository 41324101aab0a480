/* rdata.c - record content through ldns. */
#include "keystore/rdata.h"

#include "keystore/charstr.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sd_type_is_managed(ldns_rr_type t)
{
    switch (t) {
    case LDNS_RR_TYPE_DNSKEY:
    case LDNS_RR_TYPE_RRSIG:
    case LDNS_RR_TYPE_NSEC:
    case LDNS_RR_TYPE_NSEC3:
    case LDNS_RR_TYPE_NSEC3PARAM:
    case LDNS_RR_TYPE_CDS:
    case LDNS_RR_TYPE_CDNSKEY:
        return 1;
    default:
        return 0;
    }
}

char *sd_type_name(ldns_rr_type t)
{
    return t == SD_TYPE_ALIAS ? strdup("ALIAS") : ldns_rr_type2str(t);
}

int sd_type_is_data(ldns_rr_type t)
{
    return t != 0 && t != 65535 && t != LDNS_RR_TYPE_OPT && !(t >= 128 && t <= 255);
}

int sd_type_canon(const char *type, char *out, size_t outlen, ldns_rr_type *t, sd_err *e)
{
    char up[16];
    size_t n = type ? strlen(type) : 0;
    if (n == 0 || n >= sizeof up)
        return sd_fail(e, SD_EBADINPUT, "missing or invalid record type");
    for (size_t i = 0; i <= n; i++)
        up[i] = (char)toupper((unsigned char)type[i]);
    if (strcmp(up, "ALIAS") == 0 || strcmp(up, "TYPE65401") == 0) {
        if (outlen < 6)
            return sd_fail(e, SD_EBADINPUT, "unknown record type '%s'", type);
        snprintf(out, outlen, "ALIAS");
        if (t)
            *t = SD_TYPE_ALIAS;
        return 0;
    }
    ldns_rr_type v = ldns_get_rr_type_by_name(up);
    char *name = v ? ldns_rr_type2str(v) : NULL;
    /* ldns reads "TYPE" and then atoi: only the exact TYPEnnn spelling is generic. */
    int generic = strncmp(up, "TYPE", 4) == 0 && n > 4 && strspn(up + 4, "0123456789") == n - 4 &&
                  strtol(up + 4, NULL, 10) == (long)v;
    int ok =
        name && (strcmp(name, up) == 0 || generic) && sd_type_is_data(v) && strlen(name) < outlen;
    if (ok)
        snprintf(out, outlen, "%s", name);
    free(name);
    if (!ok)
        return sd_fail(e, SD_EBADINPUT, "unknown record type '%s'", type);
    if (t)
        *t = v;
    return 0;
}

char *sd_rdata_text(const ldns_rr *rr)
{
    ldns_buffer *b = ldns_buffer_new(256);
    if (!b)
        return NULL;
    for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
        const ldns_rdf *f = ldns_rr_rdf(rr, i);
        /* ldns 1.8.3 writes the key names of SVCB and HTTPS parameters without making room
         * for them: when the text ends near the buffer's end, an assertion aborts the
         * process (Debian's build) or memory past the buffer is overwritten. Room for the
         * most any field prints, 8 characters an octet ("no-default-alpn," for 2), comes
         * first. */
        if (!ldns_buffer_reserve(b, 8 * ldns_rdf_size(f) + 64)) {
            ldns_buffer_free(b);
            return NULL;
        }
        if (i)
            ldns_buffer_printf(b, " ");
        ldns_rdf2buffer_str(b, f);
    }
    char *s = ldns_buffer_export2str(b);
    ldns_buffer_free(b);
    return s;
}

/* Returns 1 unless the first field of content (a CERT's certificate type) is a mnemonic or
 * plain digits worth 1 to 65535. ldns 1.8 leaks the field it read when it reads the type as 0
 * (reserved, RFC 4398), and it cuts fields its own way (a ')' ends one, a '(' inside one is
 * dropped, a sign is taken): a long-running scaidns-api must not leak on bad requests, so
 * sd_rdata_canon refuses anything but a plain type before ldns sees it. */
static int cert_type_bad(const char *content)
{
    const char *p = content + strspn(content, " \t(");
    if (isalpha((unsigned char)*p))
        return 0; /* a mnemonic, or not a number to ldns either */
    long v = 0;
    size_t digits = 0;
    for (; *p && !strchr(" \t;", *p); p++) {
        if (!isdigit((unsigned char)*p) || ++digits > 5)
            return 1;
        v = v * 10 + (*p - '0');
    }
    return v < 1 || v > 65535;
}

/* One reading of content by ldns (see sd_rdata_canon): 0 and its presentation in *out, or
 * 400 (500 out of memory) with *out NULL. */
static int canon_once(const char *owner, const char *type, const char *content, char **out,
                      sd_err *e)
{
    *out = NULL;
    if (!content || !*content)
        return sd_fail(e, SD_EBADINPUT, "empty record content");
    if (strlen(content) > 65535)
        return sd_fail(e, SD_EBADINPUT, "record content longer than 65535 bytes");
    if (strchr(content, '\n') || strchr(content, '\r'))
        return sd_fail(e, SD_EBADINPUT, "record content must be one line");
    if (strcmp(type, "CERT") == 0 && cert_type_bad(content))
        return sd_fail(e, SD_EBADINPUT,
                       "record '%s': a CERT type is a mnemonic or a number from 1 to 65535",
                       content);
    /* The owner does not change how data reads; the root stands in for it, since ldns would
     * take a ';' or '(' of an owner name as zone file syntax. ALIAS data is one name, read as
     * a CNAME's. */
    int alias = strcmp(type, "ALIAS") == 0;
    size_t len = strlen(type) + strlen(content) + 32;
    char *line = malloc(len);
    if (!line)
        return sd_fail(e, SD_EINTERNAL, "out of memory");
    snprintf(line, len, ". 3600 IN %s %s", alias ? "CNAME" : type, content);
    ldns_rr *rr = NULL;
    ldns_status s = ldns_rr_new_frm_str(&rr, line, 3600, NULL, NULL);
    free(line);
    size_t longest = 0;
    if (s != LDNS_STATUS_OK && (strcmp(type, "TXT") == 0 || strcmp(type, "SPF") == 0) &&
        (longest = sd_charstr_longest(content)) > SD_CHARSTR_MAX)
        return sd_fail(e, SD_EBADINPUT,
                       "%s record of %s: a character-string of %zu octets, more than %d (write "
                       "it as several quoted strings of at most %d)",
                       type, owner, longest, SD_CHARSTR_MAX, SD_CHARSTR_MAX);
    if (s != LDNS_STATUS_OK)
        return sd_fail(e, SD_EBADINPUT, "record '%s' is not valid %s content: %s", content, type,
                       ldns_get_errorstr_by_id(s));
    /* ldns takes the generic form (\# len hex) of any type without checking that the data
     * holds the type's fields: "SRV \# 2 0000" gives an SRV of one field, "\# 0" none. */
    const ldns_rr_descriptor *d = ldns_rr_descript(ldns_rr_get_type(rr));
    size_t n = ldns_rr_rd_count(rr);
    if (n == 0 || n < ldns_rr_descriptor_minimum(d) || n > ldns_rr_descriptor_maximum(d)) {
        ldns_rr_free(rr);
        return sd_fail(e, SD_EBADINPUT, "record '%s' is not valid %s content: %s", content, type,
                       n ? "fields missing" : "no data");
    }
    *out = sd_rdata_text(rr);
    ldns_rr_free(rr);
    if (!*out)
        return sd_fail(e, SD_EINTERNAL, "out of memory");
    return 0;
}

int sd_rdata_canon(const char *owner, const char *type, const char *content, char **out, sd_err *e)
{
    char *again = NULL;
    int rc = canon_once(owner, type, content, out, e);
    if (rc < 0)
        return rc;
    /* ldns prints some data it reads in a form it cannot read back (an APL item of family 0
     * prints as nothing): such content could not be served either. */
    rc = canon_once(owner, type, *out, &again, NULL);
    if (rc == 0 && strcmp(again, *out) == 0) {
        free(again);
        return 0;
    }
    rc = rc == -SD_EINTERNAL ? sd_fail(e, SD_EINTERNAL, "out of memory")
                             : sd_fail(e, SD_EBADINPUT,
                                       "record '%s' is not valid %s content: it reads as '%s', "
                                       "which does not read back as itself",
                                       content, type, *out);
    free(again);
    free(*out);
    *out = NULL;
    return rc;
}
