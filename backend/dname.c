/* dname.c - name arithmetic and NSEC3 hashing for the backend. */
#include "backend/dname.h"

#include "keystore/name.h"

#include <openssl/evp.h>
#include <stdint.h>
#include <string.h>

int sb_dname_lower(const char *in, char *out, size_t outlen)
{
    size_t n = strlen(in);
    if (n == 0 || (n == 1 && in[0] == '.')) {
        if (outlen < 2)
            return -1;
        memcpy(out, ".", 2);
        return 0;
    }
    int dotted = in[n - 1] == '.';
    if (n + !dotted > 254 || n + !dotted + 1 > outlen)
        return sd_name_canon_text(in, out, outlen, NULL); /* escapes may make it shorter */
    size_t label = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)in[i];
        if (ch <= 0x20 || ch >= 0x7f || ch == '\\') /* an escape: the general reader */
            return sd_name_canon_text(in, out, outlen, NULL);
        if (ch == '.') {
            if (label == 0)
                return -1;
            label = 0;
        } else if (++label > 63) {
            return -1;
        }
        out[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
    }
    if (!dotted)
        out[n++] = '.';
    out[n] = '\0';
    return 0;
}

/* Splits name (canonical text) into labels at the dots that are not escaped; returns their
 * count (0 for the root), or -1 if over max. */
static int split(const char *name, const char **lab, size_t *len, int max)
{
    int n = 0;
    const char *p = name;
    if (p[0] == '.' && p[1] == '\0')
        return 0;
    while (*p) {
        size_t l = 0;
        while (p[l] && p[l] != '.')
            l += sd_name_escape_len(p + l);
        if (n == max)
            return -1;
        lab[n] = p;
        len[n++] = l;
        p += l + (p[l] ? 1 : 0);
    }
    return n;
}

/* Writes the octets of label text p (len characters, escapes read, ASCII letters lowered)
 * into out (64 bytes); returns their count, or -1 past 63. */
static int octets(const char *p, size_t len, unsigned char *out)
{
    int n = 0;
    for (size_t i = 0; i < len; n++) {
        if (n == 63)
            return -1;
        unsigned char c = (unsigned char)p[i];
        if (c == '\\' && i + 3 < len && p[i + 1] >= '0' && p[i + 1] <= '9') {
            c = (unsigned char)((p[i + 1] - '0') * 100 + (p[i + 2] - '0') * 10 + (p[i + 3] - '0'));
            i += 4;
        } else if (c == '\\' && i + 1 < len) {
            c = (unsigned char)p[i + 1];
            i += 2;
        } else {
            i++;
        }
        out[n] = (unsigned char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    return n;
}

int sb_dname_cmp(const char *a, const char *b)
{
    const char *la[128], *lb[128];
    size_t na[128], nb[128];
    int ca = split(a, la, na, 128), cb = split(b, lb, nb, 128);
    if (ca < 0 || cb < 0)
        return strcmp(a, b);
    for (int i = ca - 1, j = cb - 1; i >= 0 && j >= 0; i--, j--) {
        const unsigned char *pa = (const unsigned char *)la[i], *pb = (const unsigned char *)lb[j];
        size_t ma = na[i], mb = nb[j];
        unsigned char oa[64], ob[64];
        if (memchr(pa, '\\', ma) || memchr(pb, '\\', mb)) {
            int ka = octets(la[i], na[i], oa), kb = octets(lb[j], nb[j], ob);
            if (ka < 0 || kb < 0)
                return strcmp(a, b);
            pa = oa, ma = (size_t)ka, pb = ob, mb = (size_t)kb;
        }
        size_t m = ma < mb ? ma : mb;
        int r = memcmp(pa, pb, m);
        if (r != 0)
            return r;
        if (ma != mb)
            return ma < mb ? -1 : 1;
    }
    return ca - cb;
}

int sb_dname_in(const char *name, const char *zone)
{
    if (strcmp(zone, ".") == 0)
        return 1;
    size_t n = strlen(name), z = strlen(zone);
    if (n < z || strcmp(name + n - z, zone) != 0)
        return 0;
    return n == z || (name[n - z - 1] == '.' && !sd_name_dot_escaped(name, n - z - 1));
}

const char *sb_dname_parent(const char *name)
{
    if (strcmp(name, ".") == 0)
        return NULL;
    const char *p = name;
    while (*p && *p != '.')
        p += sd_name_escape_len(p);
    return (*p && p[1]) ? p + 1 : ".";
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int sb_nsec3_hash(const char *name, const char *salt_hex, int iterations, char *out, size_t outlen)
{
    uint8_t salt[255], wire[256], md[EVP_MAX_MD_SIZE];
    size_t slen = 0, wlen = 0;
    if (outlen < SB_NSEC3_HASH_LEN + 1 || iterations < 0)
        return -1;
    if (strcmp(salt_hex, "-") != 0) {
        size_t h = strlen(salt_hex);
        if (h % 2 || h / 2 > sizeof salt)
            return -1;
        for (size_t i = 0; i < h; i += 2) {
            int hi = hexval(salt_hex[i]), lo = hexval(salt_hex[i + 1]);
            if (hi < 0 || lo < 0)
                return -1;
            salt[slen++] = (uint8_t)(hi << 4 | lo);
        }
    }
    const char *lab[128];
    size_t len[128];
    int nl = split(name, lab, len, 128);
    if (nl < 0)
        return -1;
    for (int i = 0; i < nl; i++) {
        unsigned char o[64];
        int k = octets(lab[i], len[i], o);
        if (k < 0 || wlen + 1 + (size_t)k + 1 > sizeof wire)
            return -1;
        wire[wlen++] = (uint8_t)k;
        memcpy(wire + wlen, o, (size_t)k);
        wlen += (size_t)k;
    }
    wire[wlen++] = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx)
        return -1;
    unsigned int mdlen = 0;
    int ok = 1;
    for (int i = 0; ok && i <= iterations; i++) {
        ok = EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) &&
             (i == 0 ? EVP_DigestUpdate(ctx, wire, wlen) : EVP_DigestUpdate(ctx, md, mdlen)) &&
             EVP_DigestUpdate(ctx, salt, slen) && EVP_DigestFinal_ex(ctx, md, &mdlen);
    }
    EVP_MD_CTX_free(ctx);
    if (!ok || mdlen != 20)
        return -1;
    static const char b32[] = "0123456789abcdefghijklmnopqrstuv";
    /* 20 bytes = 160 bits = 32 groups of 5 bits. */
    for (int g = 0; g < 32; g++) {
        int bit = g * 5, v = 0;
        for (int k = 0; k < 5; k++, bit++)
            v = v << 1 | ((md[bit / 8] >> (7 - bit % 8)) & 1);
        out[g] = b32[v];
    }
    out[32] = '\0';
    return 0;
}
