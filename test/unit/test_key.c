/* test_key.c - keystore/key.c: RFC test vectors for key tag and DS, input checking, and
 * generated keys whose private text is read back with OpenSSL and proven to belong to the
 * DNSKEY (signatures made with the private text verify with the public key alone). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <sodium.h>

#include "keystore/key.h"

/* One published DNSKEY with its key tag and a DS digest, from the RFCs named. */
typedef struct vector {
    const char *rfc;
    const char *owner;
    uint16_t flags;
    int alg;
    const char *pub;
    uint16_t tag;
    int digest_type;
    const char *digest;
} vector;

static const vector vectors[] = {
    {"RFC 4509 section 2 (DNSKEY of RFC 4034 section 5.4)", "dskey.example.com.", 256, 5,
     "AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMm"
     "mAphXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/rljwvFw==",
     60485, 2, "D4B7D520E7BB5F0F67674A0CCEB1E3E0614B93C4F9E99B8383F6A1E4469DA50A"},
    {"RFC 6605 section 6.1", "example.net.", 257, 13,
     "GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==",
     55648, 2, "B4C8C1FE2E7477127B27115656AD6256F424625BF5C1E2770CE6D6E37DF61D17"},
    {"RFC 6605 section 6.2", "example.net.", 257, 14,
     "xKYaNhWdGOfJ+nPrL8/arkwf2EY3MDJ+SErKivBVSum1w/egsXvSADtNJhyem5RCOpgQ6K8X1DRSEkrbYQ+OB+v8"
     "/uX45NBwY8rp65F6Glur8I/mlVNgF6W/qTI37m40",
     10771, 4,
     "72D7B62976CE06438E9C0BF319013CF801F09ECC84B8D7E9495F27E305C6A9B0563A9B5F4D288405C3008A9"
     "46DF983D6"},
    {"RFC 8080 section 6.1", "example.com.", 257, 15,
     "l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=", 3613, 2,
     "3AA5AB37EFCE57F737FC1627013FEE07BDF241BD10F3B1964AB55C78E79A304B"},
};

/* Algorithms scaidns generates, with the digest each signs with. */
static const int algs[] = {8, 10, 13, 14, 15};

static void test_alg_names(void **state)
{
    (void)state;
    assert_string_equal(sd_alg_name(8), "RSASHA256");
    assert_string_equal(sd_alg_name(10), "RSASHA512");
    assert_string_equal(sd_alg_name(13), "ECDSAP256SHA256");
    assert_string_equal(sd_alg_name(14), "ECDSAP384SHA384");
    assert_string_equal(sd_alg_name(15), "ED25519");
    assert_string_equal(sd_alg_name(5), "UNKNOWN");
    assert_string_equal(sd_alg_name(-1), "UNKNOWN");
    for (int a = -1; a < 300; a++)
        assert_int_equal(sd_alg_supported(a), a == 8 || a == 10 || a == 13 || a == 14 || a == 15);
}

static void test_rfc_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        const vector *v = &vectors[i];
        uint8_t *rdata = NULL;
        size_t len = 0;
        char hex[97];
        sd_err e = {0};
        print_message("%s\n", v->rfc);
        assert_int_equal(sd_dnskey_rdata(v->flags, v->alg, v->pub, &rdata, &len, &e), 0);
        assert_int_equal(rdata[0], v->flags >> 8);
        assert_int_equal(rdata[1], v->flags & 0xFF);
        assert_int_equal(rdata[2], 3);
        assert_int_equal(rdata[3], v->alg);
        assert_int_equal(sd_key_tag(rdata, len), v->tag);
        assert_int_equal(sd_ds_digest(v->owner, rdata, len, v->digest_type, hex, sizeof hex, &e),
                         0);
        assert_string_equal(hex, v->digest);
        free(rdata);
    }
}

/* Writes three 63-octet labels and one of last octets, with the trailing dot, into name. */
static void make_name(char *name, int last)
{
    char *p = name;
    for (int l = 0; l < 4; l++) {
        int n = l < 3 ? 63 : last;
        memset(p, 'a' + l, (size_t)n);
        p += n;
        *p++ = '.';
    }
    *p = '\0';
}

/* The DS digest is over the canonical name: case and the trailing dot do not matter. */
static void test_ds_name_forms(void **state)
{
    (void)state;
    const vector *v = &vectors[1];
    uint8_t *rdata = NULL;
    size_t len = 0;
    char hex[97];
    sd_err e = {0};
    assert_int_equal(sd_dnskey_rdata(v->flags, v->alg, v->pub, &rdata, &len, &e), 0);
    const char *forms[] = {"example.net", "EXAMPLE.NET.", "Example.Net"};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(sd_ds_digest(forms[i], rdata, len, 2, hex, sizeof hex, &e), 0);
        assert_string_equal(hex, v->digest);
    }
    /* the root and a 255-octet name are valid; one octet more is not */
    assert_int_equal(sd_ds_digest(".", rdata, len, 2, hex, sizeof hex, &e), 0);
    char name[300];
    make_name(name, 61); /* 63+63+63+61 octets in 4 labels: 255 on the wire with the root */
    assert_int_equal(sd_ds_digest(name, rdata, len, 2, hex, sizeof hex, &e), 0);
    make_name(name, 62);
    assert_int_equal(sd_ds_digest(name, rdata, len, 2, hex, sizeof hex, &e), -SD_EBADINPUT);
    assert_non_null(strstr(e.msg, "255"));

    const char *bad[] = {"",
                         "a..b",
                         ".example.net",
                         "example.net..",
                         "exa mple.net",
                         "a\\.b",
                         "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcd.net"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sd_err_clear(&e);
        assert_int_equal(sd_ds_digest(bad[i], rdata, len, 2, hex, sizeof hex, &e), -SD_EBADINPUT);
        assert_int_equal(e.code, SD_EBADINPUT);
        assert_true(strlen(e.msg) > 0);
    }
    assert_int_equal(sd_ds_digest(NULL, rdata, len, 2, hex, sizeof hex, &e), -SD_EBADINPUT);
    free(rdata);
}

static void test_ds_digest_types(void **state)
{
    (void)state;
    const vector *v = &vectors[3];
    uint8_t *rdata = NULL;
    size_t len = 0;
    char hex[97];
    sd_err e = {0};
    assert_int_equal(sd_dnskey_rdata(v->flags, v->alg, v->pub, &rdata, &len, &e), 0);
    int types[] = {0, 1, 3, 5, -2};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        sd_err_clear(&e);
        assert_int_equal(sd_ds_digest("example.com.", rdata, len, types[i], hex, sizeof hex, &e),
                         -SD_EBADINPUT);
        assert_non_null(strstr(e.msg, "digest type"));
    }
    assert_int_equal(sd_ds_digest("example.com.", rdata, len, 4, hex, sizeof hex, &e), 0);
    assert_int_equal(strlen(hex), 96);
    assert_int_equal(sd_ds_digest("example.com.", rdata, len, 2, hex, 65, &e), 0);
    assert_int_equal(strlen(hex), 64);
    assert_true(sd_ds_digest("example.com.", rdata, len, 2, hex, 64, &e) < 0);
    assert_true(sd_ds_digest("example.com.", rdata, len, 4, hex, 96, &e) < 0);
    assert_true(sd_ds_digest("example.com.", rdata, 3, 2, hex, sizeof hex, &e) < 0);
    free(rdata);
}

static void test_key_tag_edges(void **state)
{
    (void)state;
    assert_int_equal(sd_key_tag(NULL, 0), 0);
    const uint8_t one[] = {0x01};
    assert_int_equal(sd_key_tag(one, 1), 0x0100);
    /* the carry folds back in: 0x1FFFE + 0x1 = 0x1FFFF, kept to 16 bits */
    const uint8_t ff[] = {0xFF, 0xFF, 0xFF, 0xFF};
    assert_int_equal(sd_key_tag(ff, 4), 0xFFFF);
}

static void test_dnskey_rdata_rejects(void **state)
{
    (void)state;
    uint8_t *rdata = NULL;
    size_t len = 0;
    sd_err e = {0};
    const char *bad_b64[] = {"", "   ", "abc", "ab=c", "a===", "!!!!", "YQ==YQ==", "YQ=a"};
    for (size_t i = 0; i < sizeof bad_b64 / sizeof bad_b64[0]; i++) {
        sd_err_clear(&e);
        assert_int_equal(sd_dnskey_rdata(257, 15, bad_b64[i], &rdata, &len, &e), -SD_EBADINPUT);
        assert_non_null(strstr(e.msg, "base64"));
    }
    assert_int_equal(sd_dnskey_rdata(257, 15, NULL, &rdata, &len, &e), -SD_EBADINPUT);
    /* right base64, wrong length for the algorithm */
    assert_int_equal(sd_dnskey_rdata(257, 13, vectors[3].pub, &rdata, &len, &e), -SD_EBADINPUT);
    assert_non_null(strstr(e.msg, "64 bytes"));
    assert_int_equal(sd_dnskey_rdata(257, 14, vectors[1].pub, &rdata, &len, &e), -SD_EBADINPUT);
    assert_int_equal(sd_dnskey_rdata(257, 15, vectors[1].pub, &rdata, &len, &e), -SD_EBADINPUT);
    /* RSA: exponent length beyond the key ("AQ==" is just 0x01; "AwEAAQ==" has no modulus) */
    assert_int_equal(sd_dnskey_rdata(257, 8, "AQ==", &rdata, &len, &e), -SD_EBADINPUT);
    assert_int_equal(sd_dnskey_rdata(257, 8, "AwEAAQ==", &rdata, &len, &e), -SD_EBADINPUT);
    assert_int_equal(sd_dnskey_rdata(257, 8, "AAAAAAAA", &rdata, &len, &e), -SD_EBADINPUT);
    assert_int_equal(sd_dnskey_rdata(257, 256, vectors[3].pub, &rdata, &len, &e), -SD_EBADINPUT);
    assert_int_equal(sd_dnskey_rdata(257, -1, vectors[3].pub, &rdata, &len, &e), -SD_EBADINPUT);
    /* whitespace inside presentation base64 is fine (zone files split long keys) */
    assert_int_equal(sd_dnskey_rdata(257, 15, "l02Woi0iS8Aa25FQkUd9RMzZ HJpBoRQwAQEX1SxZJA4=\n",
                                     &rdata, &len, &e),
                     0);
    assert_int_equal(sd_key_tag(rdata, len), 3613);
    free(rdata);
}

static void test_presentation(void **state)
{
    (void)state;
    char buf[256];
    assert_int_equal(sd_dnskey_presentation("example.com", 257, 15, "AAAA", buf, sizeof buf),
                     (int)strlen("example.com. IN DNSKEY 257 3 15 AAAA"));
    assert_string_equal(buf, "example.com. IN DNSKEY 257 3 15 AAAA");
    sd_dnskey_presentation("example.com.", 256, 13, "BBBB", buf, sizeof buf);
    assert_string_equal(buf, "example.com. IN DNSKEY 256 3 13 BBBB");
    sd_dnskey_presentation(".", 257, 8, "CCCC", buf, sizeof buf);
    assert_string_equal(buf, ". IN DNSKEY 257 3 8 CCCC");
    assert_int_equal(
        sd_ds_presentation("example.net.", 55648, 13, 2, vectors[1].digest, buf, sizeof buf),
        (int)strlen("example.net. IN DS 55648 13 2 ") + 64);
    assert_string_equal(buf, "example.net. IN DS 55648 13 2 "
                             "B4C8C1FE2E7477127B27115656AD6256F424625BF5C1E2770CE6D6E37DF61D17");
    /* too small: -1, never a truncated record reported as success */
    assert_int_equal(sd_dnskey_presentation("example.com", 257, 15, "AAAA", buf, 10), -1);
    assert_int_equal(sd_dnskey_presentation("example.com", 257, 15, "AAAA", buf, 36), -1);
    assert_int_equal(sd_dnskey_presentation("example.com", 257, 15, "AAAA", buf, 37), 36);
    assert_int_equal(sd_ds_presentation("example.net.", 1, 13, 2, "AB", buf, 5), -1);
}

/* Decodes standard base64 into a malloc'ed buffer; fails the test on bad input. */
static uint8_t *b64(const char *s, size_t *len)
{
    size_t n = strlen(s);
    uint8_t *out = malloc(n + 1);
    assert_non_null(out);
    assert_int_equal(
        sodium_base642bin(out, n + 1, s, n, NULL, len, NULL, sodium_base64_VARIANT_ORIGINAL), 0);
    return out;
}

/* Returns the value of "Name: value" in private text as a malloc'ed string, or NULL. */
static char *field(const char *text, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncmp(p, name, n) == 0 && p[n] == ':' && p[n + 1] == ' ') {
            const char *v = p + n + 2, *end = strchr(v, '\n');
            assert_non_null(end);
            return strndup(v, (size_t)(end - v));
        }
    }
    return NULL;
}

/* The base64 field name of text decoded into a BIGNUM. */
static BIGNUM *field_bn(const char *text, const char *name)
{
    char *v = field(text, name);
    assert_non_null(v);
    size_t len;
    uint8_t *bin = b64(v, &len);
    BIGNUM *bn = BN_bin2bn(bin, (int)len, NULL);
    assert_non_null(bn);
    free(bin);
    free(v);
    return bn;
}

/* Signs msg with priv and verifies with pub (md NULL for Ed25519); returns 1 when it verifies. */
static int sign_verify(EVP_PKEY *priv, EVP_PKEY *pub, const EVP_MD *md)
{
    const uint8_t msg[] = "scaidns test message";
    uint8_t sig[1024];
    size_t siglen = sizeof sig;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestSignInit(c, NULL, md, NULL, priv), 1);
    assert_int_equal(EVP_DigestSign(c, sig, &siglen, msg, sizeof msg), 1);
    EVP_MD_CTX_free(c);
    c = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestVerifyInit(c, NULL, md, NULL, pub), 1);
    int ok = EVP_DigestVerify(c, sig, siglen, msg, sizeof msg);
    EVP_MD_CTX_free(c);
    return ok == 1;
}

/* Builds an EVP_PKEY of type from params. */
static EVP_PKEY *from_params(const char *type, OSSL_PARAM_BLD *bld, int selection)
{
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    EVP_PKEY *pkey = NULL;
    assert_non_null(params);
    assert_int_equal(EVP_PKEY_fromdata_init(ctx), 1);
    assert_int_equal(EVP_PKEY_fromdata(ctx, &pkey, selection, params), 1);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    return pkey;
}

/* RSA: the RFC 3110 public key matches Modulus/PublicExponent, the CRT values are those of
 * the primes, and a signature by the private text verifies with the DNSKEY alone. */
static void check_rsa(const sd_key *k, int bits)
{
    const char *names[] = {"Modulus", "PublicExponent", "PrivateExponent", "Prime1",
                           "Prime2",  "Exponent1",      "Exponent2",       "Coefficient"};
    BIGNUM *v[8];
    for (int i = 0; i < 8; i++)
        v[i] = field_bn(k->private_text, names[i]);
    BIGNUM *n = v[0], *e = v[1], *d = v[2], *p = v[3], *q = v[4];
    BN_CTX *bc = BN_CTX_new();
    BIGNUM *t = BN_new(), *pm1 = BN_dup(p), *qm1 = BN_dup(q);
    assert_int_equal(BN_num_bits(n), bits);
    assert_true(BN_is_word(e, 65537));
    assert_int_equal(BN_mul(t, p, q, bc), 1);
    assert_int_equal(BN_cmp(t, n), 0);
    BN_sub_word(pm1, 1);
    BN_sub_word(qm1, 1);
    assert_int_equal(BN_mod(t, d, pm1, bc), 1);
    assert_int_equal(BN_cmp(t, v[5]), 0);
    assert_int_equal(BN_mod(t, d, qm1, bc), 1);
    assert_int_equal(BN_cmp(t, v[6]), 0);
    assert_int_equal(BN_mod_mul(t, v[7], q, p, bc), 1);
    assert_true(BN_is_one(t));

    /* DNSKEY public key: length byte 3, 01 00 01, then the modulus */
    const uint8_t *key = k->rdata + 4;
    size_t keylen = k->rdata_len - 4;
    assert_int_equal(key[0], 3);
    assert_memory_equal(key + 1, "\x01\x00\x01", 3);
    assert_int_equal(keylen, 4 + (size_t)bits / 8);
    BIGNUM *kn = BN_bin2bn(key + 4, (int)keylen - 4, NULL);
    assert_int_equal(BN_cmp(kn, n), 0);

    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    const char *params[] = {OSSL_PKEY_PARAM_RSA_N,         OSSL_PKEY_PARAM_RSA_E,
                            OSSL_PKEY_PARAM_RSA_D,         OSSL_PKEY_PARAM_RSA_FACTOR1,
                            OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
                            OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
    for (int i = 0; i < 8; i++)
        OSSL_PARAM_BLD_push_BN(bld, params[i], v[i]);
    EVP_PKEY *priv = from_params("RSA", bld, EVP_PKEY_KEYPAIR);
    bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, kn);
    BIGNUM *ke = BN_bin2bn(key + 1, 3, NULL);
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, ke);
    EVP_PKEY *pub = from_params("RSA", bld, EVP_PKEY_PUBLIC_KEY);
    assert_true(sign_verify(priv, pub, k->algorithm == 8 ? EVP_sha256() : EVP_sha512()));

    EVP_PKEY_free(priv);
    EVP_PKEY_free(pub);
    BN_free(kn);
    BN_free(ke);
    BN_free(t);
    BN_free(pm1);
    BN_free(qm1);
    BN_CTX_free(bc);
    for (int i = 0; i < 8; i++)
        BN_free(v[i]);
}

/* ECDSA: the scalar is padded to the field size, and a signature made with the private
 * scalar alone verifies with the DNSKEY's X||Y. */
static void check_ec(const sd_key *k)
{
    size_t fsize = k->algorithm == 13 ? 32 : 48, len;
    char *v = field(k->private_text, "PrivateKey");
    assert_non_null(v);
    uint8_t *scalar = b64(v, &len);
    assert_int_equal(len, fsize);
    assert_int_equal(k->rdata_len, 4 + 2 * fsize);
    const char *group = k->algorithm == 13 ? "P-256" : "P-384";

    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    BIGNUM *bn = BN_bin2bn(scalar, (int)len, NULL);
    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, bn);
    EVP_PKEY *priv = from_params("EC", bld, EVP_PKEY_KEYPAIR);

    uint8_t point[97];
    point[0] = 0x04;
    memcpy(point + 1, k->rdata + 4, 2 * fsize);
    bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, 1 + 2 * fsize);
    EVP_PKEY *pub = from_params("EC", bld, EVP_PKEY_PUBLIC_KEY);
    assert_true(sign_verify(priv, pub, k->algorithm == 13 ? EVP_sha256() : EVP_sha384()));

    EVP_PKEY_free(priv);
    EVP_PKEY_free(pub);
    BN_free(bn);
    free(scalar);
    free(v);
}

/* Ed25519: the seed yields exactly the DNSKEY's public key. */
static void check_ed25519(const sd_key *k)
{
    size_t len, publen = 32;
    uint8_t pub[32];
    char *v = field(k->private_text, "PrivateKey");
    assert_non_null(v);
    uint8_t *seed = b64(v, &len);
    assert_int_equal(len, 32);
    assert_int_equal(k->rdata_len, 4 + 32);
    EVP_PKEY *priv = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, len);
    assert_non_null(priv);
    assert_int_equal(EVP_PKEY_get_raw_public_key(priv, pub, &publen), 1);
    assert_memory_equal(pub, k->rdata + 4, 32);
    EVP_PKEY *pubkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, k->rdata + 4, 32);
    assert_true(sign_verify(priv, pubkey, NULL));
    EVP_PKEY_free(priv);
    EVP_PKEY_free(pubkey);
    free(seed);
    free(v);
}

/* Everything a generated key must satisfy, whatever its algorithm. */
static void check_key(const sd_key *k, int alg, uint16_t flags, int bits)
{
    char header[80];
    assert_int_equal(k->algorithm, alg);
    assert_int_equal(k->flags, flags);
    assert_int_equal(k->bits, bits);
    assert_non_null(k->rdata);
    assert_int_equal(k->rdata[0], flags >> 8);
    assert_int_equal(k->rdata[1], flags & 0xFF);
    assert_int_equal(k->rdata[2], 3);
    assert_int_equal(k->rdata[3], alg);
    assert_int_equal(k->key_tag, sd_key_tag(k->rdata, k->rdata_len));

    /* public_b64 is the key field of rdata */
    uint8_t *rdata = NULL;
    size_t len = 0;
    sd_err e = {0};
    assert_int_equal(sd_dnskey_rdata(flags, alg, k->public_b64, &rdata, &len, &e), 0);
    assert_int_equal(len, k->rdata_len);
    assert_memory_equal(rdata, k->rdata, len);
    free(rdata);

    snprintf(header, sizeof header, "Private-key-format: v1.2\nAlgorithm: %d (%s)\n", alg,
             sd_alg_name(alg));
    assert_non_null(k->private_text);
    assert_int_equal(strncmp(k->private_text, header, strlen(header)), 0);
    assert_int_equal(k->private_text[strlen(k->private_text) - 1], '\n');
    if (alg == 8 || alg == 10)
        check_rsa(k, bits);
    else if (alg == 15)
        check_ed25519(k);
    else
        check_ec(k);
}

static void test_generate_all(void **state)
{
    (void)state;
    const int bits[] = {2048, 2048, 256, 384, 256};
    for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++) {
        for (uint16_t flags = 256; flags <= 257; flags++) {
            sd_key k;
            sd_err e = {0};
            assert_int_equal(sd_key_generate(algs[i], 0, flags, &k, &e), 0);
            check_key(&k, algs[i], flags, bits[i]);
            sd_key_free(&k);
            assert_null(k.private_text);
            assert_null(k.rdata);
        }
    }
}

static void test_generate_rsa_sizes(void **state)
{
    (void)state;
    const int sizes[] = {3072, 4096};
    for (size_t i = 0; i < 2; i++) {
        sd_key k;
        sd_err e = {0};
        int alg = i == 0 ? 8 : 10;
        assert_int_equal(sd_key_generate(alg, sizes[i], SD_FLAGS_KSK, &k, &e), 0);
        check_key(&k, alg, SD_FLAGS_KSK, sizes[i]);
        sd_key_free(&k);
    }
}

static void test_generate_rejects(void **state)
{
    (void)state;
    sd_key k;
    sd_err e = {0};
    const int bad_algs[] = {0, 1, 5, 7, 12, 16, 253, -8};
    for (size_t i = 0; i < sizeof bad_algs / sizeof bad_algs[0]; i++) {
        sd_err_clear(&e);
        assert_int_equal(sd_key_generate(bad_algs[i], 0, 257, &k, &e), -SD_EBADINPUT);
        assert_int_equal(e.code, SD_EBADINPUT);
        assert_non_null(strstr(e.msg, "algorithm"));
        assert_null(k.private_text);
        sd_key_free(&k); /* safe after a failure */
    }
    const int bad_bits[] = {512, 1024, 2047, 4097, 8192, -2048};
    for (size_t i = 0; i < sizeof bad_bits / sizeof bad_bits[0]; i++) {
        assert_int_equal(sd_key_generate(8, bad_bits[i], 257, &k, &e), -SD_EBADINPUT);
        assert_non_null(strstr(e.msg, "RSA key size"));
    }
    const uint16_t bad_flags[] = {0, 1, 255, 258, 385, 65535};
    for (size_t i = 0; i < sizeof bad_flags / sizeof bad_flags[0]; i++) {
        assert_int_equal(sd_key_generate(13, 0, bad_flags[i], &k, &e), -SD_EBADINPUT);
        assert_non_null(strstr(e.msg, "flags"));
    }
    assert_int_equal(sd_key_generate(13, 0, 257, NULL, &e), -SD_EINTERNAL);
    /* bits is ignored for the curves */
    assert_int_equal(sd_key_generate(14, 1024, 257, &k, &e), 0);
    assert_int_equal(k.bits, 384);
    sd_key_free(&k);
}

static void test_keys_are_fresh(void **state)
{
    (void)state;
    for (size_t i = 2; i < sizeof algs / sizeof algs[0]; i++) {
        sd_key a, b;
        sd_err e = {0};
        assert_int_equal(sd_key_generate(algs[i], 0, 257, &a, &e), 0);
        assert_int_equal(sd_key_generate(algs[i], 0, 257, &b, &e), 0);
        assert_string_not_equal(a.public_b64, b.public_b64);
        assert_string_not_equal(a.private_text, b.private_text);
        sd_key_free(&a);
        sd_key_free(&b);
    }
}

static void test_free_is_safe(void **state)
{
    (void)state;
    sd_key k;
    sd_err e = {0};
    sd_key_free(NULL);
    assert_int_equal(sd_key_generate(15, 0, 256, &k, &e), 0);
    sd_key_free(&k);
    sd_key_free(&k); /* a freed key is all zero: freeing again is harmless */
    assert_int_equal(k.rdata_len, 0);
    /* and the struct can be reused */
    assert_int_equal(sd_key_generate(13, 0, 256, &k, &e), 0);
    sd_key_free(&k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alg_names),          cmocka_unit_test(test_rfc_vectors),
        cmocka_unit_test(test_ds_name_forms),      cmocka_unit_test(test_ds_digest_types),
        cmocka_unit_test(test_key_tag_edges),      cmocka_unit_test(test_dnskey_rdata_rejects),
        cmocka_unit_test(test_presentation),       cmocka_unit_test(test_generate_all),
        cmocka_unit_test(test_generate_rsa_sizes), cmocka_unit_test(test_generate_rejects),
        cmocka_unit_test(test_keys_are_fresh),     cmocka_unit_test(test_free_is_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
