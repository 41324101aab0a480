/* key.c - DNSSEC key material with OpenSSL 3 (EVP only): generation, DNSKEY RDATA (RFC 3110,
 * RFC 6605, RFC 8080), key tag (RFC 4034 appendix B), DS digests (RFC 4509, RFC 6605) and the
 * "Private-key-format: v1.2" text that BIND and PowerDNS read.
 *
 * Every buffer that ever holds secret bytes is wiped with OPENSSL_cleanse before it is freed. */
#include "keystore/key.h"
#include "keystore/key_pkey.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#define DNSKEY_PROTOCOL 3
#define RDATA_HEADER 4 /* flags (2), protocol (1), algorithm (1) */

/* Largest DNSKEY public key we produce: RSA 4096 with a 3-byte exponent and its length byte. */
#define MAX_PUBKEY 1024

int sd_alg_supported(int algorithm)
{
    return algorithm == 8 || algorithm == 10 || algorithm == 13 || algorithm == 14 ||
           algorithm == 15;
}

const char *sd_alg_name(int algorithm)
{
    switch (algorithm) {
    case 8:
        return "RSASHA256";
    case 10:
        return "RSASHA512";
    case 13:
        return "ECDSAP256SHA256";
    case 14:
        return "ECDSAP384SHA384";
    case 15:
        return "ED25519";
    default:
        return "UNKNOWN";
    }
}

/* Records a failure of OpenSSL call `what`, with OpenSSL's own reason, and clears its queue. */
static int ossl_fail(sd_err *e, const char *what)
{
    char reason[256] = "unknown error";
    unsigned long code = ERR_peek_last_error();
    if (code != 0)
        ERR_error_string_n(code, reason, sizeof reason);
    ERR_clear_error();
    return sd_fail(e, SD_EINTERNAL, "%s failed: %s", what, reason);
}

/* Length of the base64 text (without NUL) for n input bytes. */
static size_t b64_len(size_t n)
{
    return 4 * ((n + 2) / 3);
}

/* Returns a malloc'ed NUL-terminated base64 of in[0..n), or NULL when out of memory. */
static char *b64_encode(const uint8_t *in, size_t n)
{
    char *out = malloc(b64_len(n) + 1);
    if (out)
        EVP_EncodeBlock((unsigned char *)out, in, (int)n);
    return out;
}

/* Decodes base64 (whitespace ignored, padding checked) into a malloc'ed *out. 0 or -1. */
static int b64_decode(const char *in, uint8_t **out, size_t *outlen)
{
    size_t n = strlen(in), len = 0, pad = 0;
    char *clean = malloc(n + 1);
    if (!clean)
        return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        if (isspace(c))
            continue;
        if (!(isalnum(c) || c == '+' || c == '/' || c == '=') || (pad && c != '='))
            goto bad;
        if (c == '=')
            pad++;
        clean[len++] = (char)c;
    }
    clean[len] = '\0';
    if (len == 0 || len % 4 != 0 || pad > 2)
        goto bad;
    uint8_t *buf = malloc(len / 4 * 3 + 1);
    if (!buf)
        goto bad;
    int got = EVP_DecodeBlock(buf, (const unsigned char *)clean, (int)len);
    if (got < 0 || (size_t)got < pad) {
        free(buf);
        goto bad;
    }
    free(clean);
    *out = buf;
    *outlen = (size_t)got - pad;
    return 0;
bad:
    free(clean);
    return -1;
}

uint16_t sd_key_tag(const uint8_t *rdata, size_t len)
{
    uint32_t ac = 0;
    for (size_t i = 0; i < len; i++)
        ac += (i & 1) ? rdata[i] : (uint32_t)rdata[i] << 8;
    ac += (ac >> 16) & 0xFFFF;
    return (uint16_t)(ac & 0xFFFF);
}

/* Checks that key is a well-formed public key for algorithm (lengths per RFC 3110, 6605,
 * 8080); other algorithms are accepted as opaque bytes. 0, or -1 with e filled. */
static int check_public_key(int algorithm, const uint8_t *key, size_t len, sd_err *e)
{
    switch (algorithm) {
    case 8:
    case 10: {
        size_t elen, off;
        if (len < 3)
            return sd_fail(e, SD_EBADINPUT, "RSA public key is too short (%zu bytes)", len);
        if (key[0] != 0) {
            elen = key[0];
            off = 1;
        } else {
            elen = ((size_t)key[1] << 8) | key[2];
            off = 3;
        }
        if (elen == 0 || off + elen >= len)
            return sd_fail(e, SD_EBADINPUT, "RSA public key has a bad exponent length");
        return 0;
    }
    case 13:
    case 14:
    case 15: {
        size_t want = algorithm == 13 ? 64 : algorithm == 14 ? 96 : 32;
        if (len != want)
            return sd_fail(e, SD_EBADINPUT,
                           "a public key of algorithm %d (%s) must be %zu bytes, "
                           "not %zu",
                           algorithm, sd_alg_name(algorithm), want, len);
        return 0;
    }
    default:
        if (len == 0)
            return sd_fail(e, SD_EBADINPUT, "the public key is empty");
        return 0;
    }
}

/* Allocates DNSKEY RDATA from its parts into *rdata. 0, or -1 with e filled (out of memory). */
static int build_rdata(uint16_t flags, int algorithm, const uint8_t *key, size_t keylen,
                       uint8_t **rdata, size_t *len, sd_err *e)
{
    uint8_t *r = malloc(RDATA_HEADER + keylen);
    if (!r)
        return sd_fail(e, SD_EINTERNAL, "out of memory");
    r[0] = (uint8_t)(flags >> 8);
    r[1] = (uint8_t)(flags & 0xFF);
    r[2] = DNSKEY_PROTOCOL;
    r[3] = (uint8_t)algorithm;
    memcpy(r + RDATA_HEADER, key, keylen);
    *rdata = r;
    *len = RDATA_HEADER + keylen;
    return 0;
}

int sd_dnskey_rdata(uint16_t flags, int algorithm, const char *public_b64, uint8_t **rdata,
                    size_t *len, sd_err *e)
{
    uint8_t *key = NULL;
    size_t keylen = 0;
    if (algorithm < 0 || algorithm > 255)
        return sd_fail(e, SD_EBADINPUT, "algorithm %d is out of range", algorithm);
    if (!public_b64 || b64_decode(public_b64, &key, &keylen) != 0)
        return sd_fail(e, SD_EBADINPUT, "the public key is not valid base64");
    int rc = check_public_key(algorithm, key, keylen, e);
    if (rc == 0)
        rc = build_rdata(flags, algorithm, key, keylen, rdata, len, e);
    free(key);
    return rc;
}

/* Writes zone as canonical (lower-case) uncompressed wire format into wire (>= 255 bytes).
 * Accepts the name with or without its trailing dot; "." is the root. 0, or -1 with e. */
static int name_to_wire(const char *zone, uint8_t *wire, size_t *wirelen, sd_err *e)
{
    size_t n = zone ? strlen(zone) : 0, out = 0;
    if (n == 0)
        return sd_fail(e, SD_EBADINPUT, "the owner name is empty");
    if (strcmp(zone, ".") == 0) {
        wire[0] = 0;
        *wirelen = 1;
        return 0;
    }
    if (zone[n - 1] == '.')
        n--;
    size_t start = 0;
    while (start <= n) {
        size_t end = start;
        while (end < n && zone[end] != '.')
            end++;
        size_t label = end - start;
        if (label == 0)
            return sd_fail(e, SD_EBADINPUT, "the name '%s' has an empty label", zone);
        if (label > 63)
            return sd_fail(e, SD_EBADINPUT, "the name '%s' has a label over 63 octets", zone);
        if (out + 1 + label + 1 > 255)
            return sd_fail(e, SD_EBADINPUT, "the name '%s' is over 255 octets", zone);
        wire[out++] = (uint8_t)label;
        for (size_t i = start; i < end; i++) {
            unsigned char c = (unsigned char)zone[i];
            if (c == '\\' || c <= ' ' || c >= 0x7F)
                return sd_fail(e, SD_EBADINPUT, "the name '%s' is not in canonical form", zone);
            wire[out++] = (uint8_t)tolower(c);
        }
        start = end + 1;
    }
    wire[out++] = 0;
    *wirelen = out;
    return 0;
}

int sd_ds_digest(const char *zone, const uint8_t *rdata, size_t len, int digest_type, char *hex,
                 size_t hexlen, sd_err *e)
{
    const EVP_MD *md;
    uint8_t wire[256], digest[EVP_MAX_MD_SIZE];
    size_t wirelen = 0;
    unsigned int dlen = 0;

    if (digest_type == 2)
        md = EVP_sha256();
    else if (digest_type == 4)
        md = EVP_sha384();
    else
        return sd_fail(e, SD_EBADINPUT, "DS digest type %d is not supported (use 2 or 4)",
                       digest_type);
    if (!rdata || len < RDATA_HEADER)
        return sd_fail(e, SD_EBADINPUT, "the DNSKEY RDATA is too short");
    if (name_to_wire(zone, wire, &wirelen, e) != 0)
        return -SD_EBADINPUT;
    if (!hex || hexlen < 2 * (size_t)EVP_MD_get_size(md) + 1)
        return sd_fail(e, SD_EINTERNAL, "DS digest buffer too small");

    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx)
        return sd_fail(e, SD_EINTERNAL, "out of memory");
    int ok = EVP_DigestInit_ex(ctx, md, NULL) == 1 && EVP_DigestUpdate(ctx, wire, wirelen) == 1 &&
             EVP_DigestUpdate(ctx, rdata, len) == 1 && EVP_DigestFinal_ex(ctx, digest, &dlen) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok)
        return ossl_fail(e, "DS digest");
    static const char digits[] = "0123456789ABCDEF";
    for (unsigned int i = 0; i < dlen; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 0xF];
    }
    hex[2 * dlen] = '\0';
    return 0;
}

/* The zone's presentation with exactly one trailing dot ("." stays "."). */
static const char *dot_suffix(const char *zone)
{
    size_t n = strlen(zone);
    return (n > 0 && zone[n - 1] == '.') ? "" : ".";
}

int sd_dnskey_presentation(const char *zone, uint16_t flags, int algorithm, const char *public_b64,
                           char *buf, size_t buflen)
{
    int n = snprintf(buf, buflen, "%s%s IN DNSKEY %u 3 %d %s", zone, dot_suffix(zone),
                     (unsigned)flags, algorithm, public_b64);
    return (n < 0 || (size_t)n >= buflen) ? -1 : n;
}

int sd_ds_presentation(const char *zone, uint16_t key_tag, int algorithm, int digest_type,
                       const char *hex, char *buf, size_t buflen)
{
    int n = snprintf(buf, buflen, "%s%s IN DS %u %d %d %s", zone, dot_suffix(zone),
                     (unsigned)key_tag, algorithm, digest_type, hex);
    return (n < 0 || (size_t)n >= buflen) ? -1 : n;
}

/* A growing text buffer for secrets: every reallocation wipes the copy it leaves behind. */
typedef struct secbuf {
    char *s;
    size_t len, cap;
} secbuf;

/* Makes room for n more bytes and a NUL. 0, or -1 when out of memory. */
static int secbuf_reserve(secbuf *b, size_t n)
{
    if (b->len + n + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 512;
    while (cap < b->len + n + 1)
        cap *= 2;
    char *s = malloc(cap);
    if (!s)
        return -1;
    if (b->s) {
        memcpy(s, b->s, b->len + 1);
        OPENSSL_cleanse(b->s, b->cap);
        free(b->s);
    } else {
        s[0] = '\0';
    }
    b->s = s;
    b->cap = cap;
    return 0;
}

/* Appends the string str. 0, or -1 when out of memory. */
static int secbuf_puts(secbuf *b, const char *str)
{
    size_t n = strlen(str);
    if (secbuf_reserve(b, n) != 0)
        return -1;
    memcpy(b->s + b->len, str, n + 1);
    b->len += n;
    return 0;
}

/* Appends "Name: <base64 of bytes>\n", encoding straight into the buffer. 0 or -1. */
static int secbuf_field(secbuf *b, const char *name, const uint8_t *bytes, size_t n)
{
    if (secbuf_puts(b, name) != 0 || secbuf_puts(b, ": ") != 0 ||
        secbuf_reserve(b, b64_len(n) + 1) != 0)
        return -1;
    b->len += (size_t)EVP_EncodeBlock((unsigned char *)b->s + b->len, bytes, (int)n);
    return secbuf_puts(b, "\n");
}

/* Wipes and frees the buffer. */
static void secbuf_free(secbuf *b)
{
    if (b->s) {
        OPENSSL_cleanse(b->s, b->cap);
        free(b->s);
    }
    b->s = NULL;
    b->len = b->cap = 0;
}

/* Starts the private-key text with its format and algorithm lines. 0 or -1. */
static int secbuf_header(secbuf *b, int algorithm)
{
    char line[96];
    snprintf(line, sizeof line, "Private-key-format: v1.2\nAlgorithm: %d (%s)\n", algorithm,
             sd_alg_name(algorithm));
    return secbuf_puts(b, line);
}

/* Generates the raw EVP key for algorithm (RSA of bits, P-256, P-384 or Ed25519). */
static EVP_PKEY *generate_pkey(int algorithm, int bits, sd_err *e)
{
    EVP_PKEY *pkey = NULL;
    if (algorithm == 8 || algorithm == 10) {
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
        if (!ctx || EVP_PKEY_keygen_init(ctx) <= 0 ||
            EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, bits) <= 0 ||
            EVP_PKEY_generate(ctx, &pkey) <= 0) {
            EVP_PKEY_free(pkey);
            pkey = NULL;
        }
        EVP_PKEY_CTX_free(ctx);
    } else if (algorithm == 13) {
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    } else if (algorithm == 14) {
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    } else {
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    }
    if (!pkey)
        ossl_fail(e, "key generation");
    return pkey;
}

/* The RSA parameters in v1.2 order, with their OpenSSL names; the first two are public. */
static const struct {
    const char *field;
    const char *param;
} rsa_params[] = {
    {"Modulus", OSSL_PKEY_PARAM_RSA_N},           {"PublicExponent", OSSL_PKEY_PARAM_RSA_E},
    {"PrivateExponent", OSSL_PKEY_PARAM_RSA_D},   {"Prime1", OSSL_PKEY_PARAM_RSA_FACTOR1},
    {"Prime2", OSSL_PKEY_PARAM_RSA_FACTOR2},      {"Exponent1", OSSL_PKEY_PARAM_RSA_EXPONENT1},
    {"Exponent2", OSSL_PKEY_PARAM_RSA_EXPONENT2}, {"Coefficient", OSSL_PKEY_PARAM_RSA_COEFFICIENT1},
};
#define RSA_NPARAMS (sizeof rsa_params / sizeof rsa_params[0])

/* Exports an RSA key: the RFC 3110 public key into pub and the v1.2 fields into text. */
static int export_rsa(EVP_PKEY *pkey, uint8_t *pub, size_t *publen, secbuf *text, sd_err *e)
{
    BIGNUM *bn[RSA_NPARAMS] = {0};
    uint8_t *bytes = NULL;
    size_t cap = 0;
    int rc = -SD_EINTERNAL;

    for (size_t i = 0; i < RSA_NPARAMS; i++) {
        if (EVP_PKEY_get_bn_param(pkey, rsa_params[i].param, &bn[i]) != 1) {
            rc = ossl_fail(e, "reading the RSA key");
            goto out;
        }
        size_t n = (size_t)BN_num_bytes(bn[i]);
        if (n > cap)
            cap = n;
    }
    size_t nlen = (size_t)BN_num_bytes(bn[0]), elen = (size_t)BN_num_bytes(bn[1]);
    size_t off = elen <= 255 ? 1 : 3;
    if (off + elen + nlen > MAX_PUBKEY) {
        rc = sd_fail(e, SD_EINTERNAL, "RSA public key too large");
        goto out;
    }
    if (off == 1) {
        pub[0] = (uint8_t)elen;
    } else {
        pub[0] = 0;
        pub[1] = (uint8_t)(elen >> 8);
        pub[2] = (uint8_t)(elen & 0xFF);
    }
    BN_bn2bin(bn[1], pub + off);
    BN_bn2bin(bn[0], pub + off + elen);
    *publen = off + elen + nlen;

    bytes = malloc(cap ? cap : 1);
    if (!bytes) {
        rc = sd_fail(e, SD_EINTERNAL, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < RSA_NPARAMS; i++) {
        size_t n = (size_t)BN_bn2bin(bn[i], bytes);
        if (secbuf_field(text, rsa_params[i].field, bytes, n) != 0) {
            rc = sd_fail(e, SD_EINTERNAL, "out of memory");
            goto out;
        }
    }
    rc = 0;
out:
    if (bytes) {
        OPENSSL_cleanse(bytes, cap);
        free(bytes);
    }
    for (size_t i = 0; i < RSA_NPARAMS; i++)
        BN_clear_free(bn[i]);
    return rc;
}

/* Exports an ECDSA key of field size fsize: raw X||Y into pub and the padded scalar. */
static int export_ec(EVP_PKEY *pkey, size_t fsize, uint8_t *pub, size_t *publen, secbuf *text,
                     sd_err *e)
{
    uint8_t point[1 + 2 * 48], scalar[48];
    size_t plen = 0;
    BIGNUM *priv = NULL;
    int rc;

    if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point,
                                        &plen) != 1)
        return ossl_fail(e, "reading the EC public key");
    if (plen != 1 + 2 * fsize || point[0] != 0x04)
        return sd_fail(e, SD_EINTERNAL, "unexpected EC public key encoding");
    memcpy(pub, point + 1, 2 * fsize);
    *publen = 2 * fsize;

    if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &priv) != 1)
        return ossl_fail(e, "reading the EC private key");
    if (BN_bn2binpad(priv, scalar, (int)fsize) != (int)fsize)
        rc = sd_fail(e, SD_EINTERNAL, "EC private key too large");
    else if (secbuf_field(text, "PrivateKey", scalar, fsize) != 0)
        rc = sd_fail(e, SD_EINTERNAL, "out of memory");
    else
        rc = 0;
    OPENSSL_cleanse(scalar, sizeof scalar);
    BN_clear_free(priv);
    return rc;
}

/* Exports an Ed25519 key: the 32-byte public key and the 32-byte seed. */
static int export_ed25519(EVP_PKEY *pkey, uint8_t *pub, size_t *publen, secbuf *text, sd_err *e)
{
    uint8_t seed[32];
    size_t n = 32, slen = sizeof seed;
    int rc;

    if (EVP_PKEY_get_raw_public_key(pkey, pub, &n) != 1 || n != 32)
        return ossl_fail(e, "reading the Ed25519 public key");
    *publen = n;
    if (EVP_PKEY_get_raw_private_key(pkey, seed, &slen) != 1 || slen != sizeof seed)
        rc = ossl_fail(e, "reading the Ed25519 private key");
    else if (secbuf_field(text, "PrivateKey", seed, slen) != 0)
        rc = sd_fail(e, SD_EINTERNAL, "out of memory");
    else
        rc = 0;
    OPENSSL_cleanse(seed, sizeof seed);
    return rc;
}

int sd_key_from_pkey(EVP_PKEY *pkey, int algorithm, uint16_t flags, int bits, sd_key *out,
                     sd_err *e)
{
    uint8_t pub[MAX_PUBKEY];
    size_t publen = 0;
    secbuf text = {0};
    int rc;

    memset(out, 0, sizeof *out);
    if (secbuf_header(&text, algorithm) != 0) {
        rc = sd_fail(e, SD_EINTERNAL, "out of memory");
        goto out;
    }
    if (algorithm == 8 || algorithm == 10)
        rc = export_rsa(pkey, pub, &publen, &text, e);
    else if (algorithm == 13 || algorithm == 14)
        rc = export_ec(pkey, algorithm == 13 ? 32 : 48, pub, &publen, &text, e);
    else
        rc = export_ed25519(pkey, pub, &publen, &text, e);
    if (rc != 0)
        goto out;

    rc = build_rdata(flags, algorithm, pub, publen, &out->rdata, &out->rdata_len, e);
    if (rc != 0)
        goto out;
    out->public_b64 = b64_encode(pub, publen);
    if (!out->public_b64) {
        rc = sd_fail(e, SD_EINTERNAL, "out of memory");
        goto out;
    }
    out->algorithm = algorithm;
    out->flags = flags;
    out->bits = bits;
    out->key_tag = sd_key_tag(out->rdata, out->rdata_len);
    out->private_text = text.s;
    text.s = NULL;
    rc = 0;
out:
    secbuf_free(&text);
    if (rc != 0)
        sd_key_free(out);
    return rc;
}

int sd_key_generate(int algorithm, int bits, uint16_t flags, sd_key *out, sd_err *e)
{
    if (!out)
        return sd_fail(e, SD_EINTERNAL, "sd_key_generate: no output");
    memset(out, 0, sizeof *out);
    if (!sd_alg_supported(algorithm))
        return sd_fail(e, SD_EBADINPUT,
                       "DNSSEC algorithm %d is not supported (use 8, 10, 13, "
                       "14 or 15)",
                       algorithm);
    if (flags != SD_FLAGS_ZSK && flags != SD_FLAGS_KSK)
        return sd_fail(e, SD_EBADINPUT, "DNSKEY flags must be 256 (ZSK) or 257 (KSK), not %u",
                       (unsigned)flags);
    if (algorithm == 8 || algorithm == 10) {
        if (bits == 0)
            bits = 2048;
        if (bits != 2048 && bits != 3072 && bits != 4096)
            return sd_fail(e, SD_EBADINPUT,
                           "RSA key size %d is not supported (use 2048, 3072 "
                           "or 4096)",
                           bits);
    } else {
        bits = algorithm == 14 ? 384 : 256;
    }

    EVP_PKEY *pkey = generate_pkey(algorithm, bits, e);
    if (!pkey)
        return -SD_EINTERNAL;
    int rc = sd_key_from_pkey(pkey, algorithm, flags, bits, out, e);
    EVP_PKEY_free(pkey);
    return rc;
}

int sd_b64_decode(const char *in, uint8_t **out, size_t *outlen)
{
    return b64_decode(in, out, outlen);
}

void sd_key_free(sd_key *k)
{
    if (!k)
        return;
    if (k->private_text) {
        OPENSSL_cleanse(k->private_text, strlen(k->private_text));
        free(k->private_text);
    }
    free(k->rdata);
    free(k->public_b64);
    memset(k, 0, sizeof *k);
}
