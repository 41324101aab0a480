/* key_import.c - reading existing private keys (ISC text, PEM) into sd_key, with the checks
 * that keep a bad key out of the keystore: supported algorithm, well-formed and complete
 * text, private half consistent with itself and with any public half given, RSA of at least
 * 2048 bits, DNSKEY flags as the source says.
 *
 * Every buffer that holds secret bytes is wiped with OPENSSL_cleanse before it is freed, and
 * no message quotes the key text. */
#include "keystore/key_import.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include "keystore/key_pkey.h"

#define MAX_FIELDS 24
#define MAX_TEXT (64 * 1024) /* no private key file comes near this */

/* One "Name: value" line of an ISC private-key text; value points into the parsed copy. */
typedef struct field {
    char *name;
    char *value;
} field;

/* The parsed copy of an ISC text (secret: wiped by isc_free). */
typedef struct isc_text {
    char *copy;
    size_t len;
    field f[MAX_FIELDS];
    size_t n;
} isc_text;

/* Wipes and frees the parsed copy. */
static void isc_free(isc_text *t)
{
    if (t->copy) {
        OPENSSL_cleanse(t->copy, t->len);
        free(t->copy);
    }
    memset(t, 0, sizeof *t);
}

/* Trims white space at both ends of s in place; returns the start. */
static char *trim(char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* Splits text into its "Name: value" lines. 0, or -400 with e filled. */
static int isc_parse(const char *text, isc_text *t, sd_err *e)
{
    memset(t, 0, sizeof *t);
    t->len = strlen(text) + 1;
    t->copy = malloc(t->len);
    if (!t->copy)
        return sd_fail(e, SD_EINTERNAL, "out of memory");
    memcpy(t->copy, text, t->len);
    char *save = NULL;
    for (char *line = strtok_r(t->copy, "\r\n", &save); line;
         line = strtok_r(NULL, "\r\n", &save)) {
        line = trim(line);
        if (!*line || *line == ';')
            continue;
        char *colon = strchr(line, ':');
        if (!colon)
            return sd_fail(e, SD_EBADINPUT,
                           "malformed private key: a line is not 'Name: value' (not an ISC "
                           "private-key text, nor PEM)");
        if (t->n == MAX_FIELDS)
            return sd_fail(e, SD_EBADINPUT, "malformed private key: too many lines");
        *colon = '\0';
        t->f[t->n].name = trim(line);
        t->f[t->n].value = trim(colon + 1);
        t->n++;
    }
    return 0;
}

/* The value of field name, or NULL. */
static const char *isc_get(const isc_text *t, const char *name)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcasecmp(t->f[i].name, name) == 0)
            return t->f[i].value;
    return NULL;
}

/* Decodes field name into a malloc'ed secret buffer (*out, *len). 0, or -400 naming the
 * missing or bad field. */
static int isc_bytes(const isc_text *t, const char *name, uint8_t **out, size_t *len, sd_err *e)
{
    const char *v = isc_get(t, name);
    if (!v || !*v)
        return sd_fail(e, SD_EBADINPUT, "malformed private key: the field '%s' is missing", name);
    if (sd_b64_decode(v, out, len) != 0 || *len == 0)
        return sd_fail(e, SD_EBADINPUT,
                       "malformed private key: the field '%s' is not valid base64 (truncated?)",
                       name);
    return 0;
}

/* Wipes and frees a secret buffer of len bytes. */
static void wipe_free(uint8_t *p, size_t len)
{
    if (p) {
        OPENSSL_cleanse(p, len);
        free(p);
    }
}

/* The refusal of an algorithm scaidns does not sign with. */
static int unsupported(int algorithm, sd_err *e)
{
    const char *name = algorithm == 5 || algorithm == 7 ? " (RSASHA1)"
                       : algorithm == 16                ? " (ED448)"
                                                        : "";
    return sd_fail(e, SD_EBADINPUT,
                   "DNSSEC algorithm %d%s is not supported (scaidns imports 8 RSASHA256, 10 "
                   "RSASHA512, 13 ECDSAP256SHA256, 14 ECDSAP384SHA384 and 15 ED25519)",
                   algorithm, name);
}

/* Drops OpenSSL's error queue and fills e with a 400 saying what is wrong with the key. */
static int bad_key(sd_err *e, const char *what)
{
    ERR_clear_error();
    return sd_fail(e, SD_EBADINPUT, "%s", what);
}

/* The RSA fields of the ISC text, in the order of key.c's export. */
static const struct {
    const char *field;
    const char *param;
} rsa_fields[] = {
    {"Modulus", OSSL_PKEY_PARAM_RSA_N},           {"PublicExponent", OSSL_PKEY_PARAM_RSA_E},
    {"PrivateExponent", OSSL_PKEY_PARAM_RSA_D},   {"Prime1", OSSL_PKEY_PARAM_RSA_FACTOR1},
    {"Prime2", OSSL_PKEY_PARAM_RSA_FACTOR2},      {"Exponent1", OSSL_PKEY_PARAM_RSA_EXPONENT1},
    {"Exponent2", OSSL_PKEY_PARAM_RSA_EXPONENT2}, {"Coefficient", OSSL_PKEY_PARAM_RSA_COEFFICIENT1},
};
#define RSA_NFIELDS (sizeof rsa_fields / sizeof rsa_fields[0])

/* Builds a key from OSSL parameters (a key pair) of type name ("RSA", "EC"). */
static EVP_PKEY *pkey_fromdata(const char *name, OSSL_PARAM *params)
{
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, name, NULL);
    if (!ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params) <= 0) {
        EVP_PKEY_free(pkey);
        pkey = NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    return pkey;
}

/* Checks that pkey's private half is consistent with itself and its public half (for RSA:
 * n = p q, the CRT values, d; for EC: the point from the scalar). 0, or -400. */
static int pkey_consistent(EVP_PKEY *pkey, sd_err *e)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    if (!ctx)
        return sd_fail(e, SD_EINTERNAL, "out of memory");
    int ok = EVP_PKEY_check(ctx);
    EVP_PKEY_CTX_free(ctx);
    if (ok == 1 || ok == -2) /* -2: the key type has no check (Ed25519: derived, always fits) */
        return 0;
    return bad_key(e, "the private key is inconsistent: its parts do not belong together "
                      "(corrupted, truncated or edited?)");
}

/* Builds an RSA key from the ISC fields. */
static int isc_rsa(const isc_text *t, EVP_PKEY **out, int *bits, sd_err *e)
{
    BIGNUM *bn[RSA_NFIELDS] = {0};
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    int rc = 0;
    for (size_t i = 0; i < RSA_NFIELDS && rc == 0; i++) {
        uint8_t *b = NULL;
        size_t n = 0;
        rc = isc_bytes(t, rsa_fields[i].field, &b, &n, e);
        if (rc == 0) {
            bn[i] = BN_secure_new();
            if (!bn[i] || !BN_bin2bn(b, (int)n, bn[i]))
                rc = sd_fail(e, SD_EINTERNAL, "out of memory");
        }
        wipe_free(b, n);
    }
    if (rc == 0) {
        *bits = BN_num_bits(bn[0]);
        if (*bits < SD_IMPORT_RSA_MIN_BITS)
            rc = sd_fail(e, SD_EBADINPUT,
                         "RSA key of %d bits refused: scaidns needs at least %d bits (roll it "
                         "to a larger key first, or enable DNSSEC afresh)",
                         *bits, SD_IMPORT_RSA_MIN_BITS);
        else if (*bits > SD_IMPORT_RSA_MAX_BITS)
            rc = sd_fail(e, SD_EBADINPUT, "RSA key of %d bits refused: at most %d bits", *bits,
                         SD_IMPORT_RSA_MAX_BITS);
    }
    if (rc == 0) {
        bld = OSSL_PARAM_BLD_new();
        for (size_t i = 0; bld && i < RSA_NFIELDS; i++)
            if (OSSL_PARAM_BLD_push_BN(bld, rsa_fields[i].param, bn[i]) != 1) {
                OSSL_PARAM_BLD_free(bld);
                bld = NULL;
            }
        params = bld ? OSSL_PARAM_BLD_to_param(bld) : NULL;
        if (!params)
            rc = sd_fail(e, SD_EINTERNAL, "out of memory");
    }
    if (rc == 0) {
        *out = pkey_fromdata("RSA", params);
        if (!*out)
            rc = bad_key(e, "malformed private key: OpenSSL refuses its RSA parameters");
    }
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    for (size_t i = 0; i < RSA_NFIELDS; i++)
        BN_clear_free(bn[i]);
    return rc;
}

/* Builds a P-256 (algorithm 13) or P-384 (14) key from the ISC PrivateKey scalar: the public
 * point is computed from it. */
static int isc_ec(const isc_text *t, int algorithm, EVP_PKEY **out, sd_err *e)
{
    size_t fsize = algorithm == 13 ? 32 : 48, n = 0, plen = 0;
    uint8_t *b = NULL, point[1 + 2 * 48];
    BIGNUM *priv = NULL;
    EC_GROUP *group = NULL;
    EC_POINT *pub = NULL;
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    int rc = isc_bytes(t, "PrivateKey", &b, &n, e);
    if (rc == 0 && n != fsize)
        rc = sd_fail(e, SD_EBADINPUT,
                     "malformed private key: PrivateKey of algorithm %d must be %zu bytes, not "
                     "%zu (truncated?)",
                     algorithm, fsize, n);
    if (rc == 0) {
        priv = BN_secure_new();
        group = EC_GROUP_new_by_curve_name(algorithm == 13 ? NID_X9_62_prime256v1 : NID_secp384r1);
        pub = group ? EC_POINT_new(group) : NULL;
        if (!priv || !pub || !BN_bin2bn(b, (int)n, priv))
            rc = sd_fail(e, SD_EINTERNAL, "out of memory");
    }
    if (rc == 0 && (BN_is_zero(priv) || BN_cmp(priv, EC_GROUP_get0_order(group)) >= 0))
        rc = bad_key(e, "malformed private key: the ECDSA scalar is out of range");
    if (rc == 0) {
        if (EC_POINT_mul(group, pub, priv, NULL, NULL, NULL) != 1 ||
            (plen = EC_POINT_point2oct(group, pub, POINT_CONVERSION_UNCOMPRESSED, point,
                                       sizeof point, NULL)) != 1 + 2 * fsize)
            rc = bad_key(e, "malformed private key: no public point for this scalar");
    }
    if (rc == 0) {
        bld = OSSL_PARAM_BLD_new();
        if (!bld ||
            OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
                                            algorithm == 13 ? "P-256" : "P-384", 0) != 1 ||
            OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv) != 1 ||
            OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, plen) != 1 ||
            !(params = OSSL_PARAM_BLD_to_param(bld)))
            rc = sd_fail(e, SD_EINTERNAL, "out of memory");
    }
    if (rc == 0) {
        *out = pkey_fromdata("EC", params);
        if (!*out)
            rc = bad_key(e, "malformed private key: OpenSSL refuses its ECDSA parameters");
    }
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EC_POINT_free(pub);
    EC_GROUP_free(group);
    BN_clear_free(priv);
    wipe_free(b, n);
    return rc;
}

/* Builds an Ed25519 key from the ISC PrivateKey seed (32 bytes). */
static int isc_ed25519(const isc_text *t, EVP_PKEY **out, sd_err *e)
{
    uint8_t *b = NULL;
    size_t n = 0;
    int rc = isc_bytes(t, "PrivateKey", &b, &n, e);
    if (rc == 0 && n != 32)
        rc = sd_fail(e, SD_EBADINPUT,
                     "malformed private key: PrivateKey of algorithm 15 must be 32 bytes, not "
                     "%zu (truncated?)",
                     n);
    if (rc == 0) {
        *out = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, b, n);
        if (!*out)
            rc = bad_key(e, "malformed private key: OpenSSL refuses the Ed25519 seed");
    }
    wipe_free(b, n);
    return rc;
}

/* Reads an ISC "Private-key-format" text into an OpenSSL key, its algorithm and size. */
static int read_isc(const char *text, EVP_PKEY **out, int *algorithm, int *bits, sd_err *e)
{
    isc_text t;
    int rc = isc_parse(text, &t, e);
    const char *fmt = rc == 0 ? isc_get(&t, "Private-key-format") : NULL;
    const char *alg = rc == 0 ? isc_get(&t, "Algorithm") : NULL;
    if (rc == 0 && !fmt)
        rc = sd_fail(e, SD_EBADINPUT,
                     "malformed private key: no 'Private-key-format:' line (give the K*.private "
                     "file, the output of pdnsutil export-zone-key, or a PEM key)");
    if (rc == 0 && strcmp(fmt, "v1.2") != 0 && strcmp(fmt, "v1.3") != 0)
        rc = sd_fail(e, SD_EBADINPUT,
                     "Private-key-format %.16s is not supported (v1.2 and v1.3 are)", fmt);
    if (rc == 0 && (!alg || !isdigit((unsigned char)*alg)))
        rc = sd_fail(e, SD_EBADINPUT, "malformed private key: no 'Algorithm: N' line");
    if (rc == 0) {
        char *end;
        long a = strtol(alg, &end, 10);
        if (*end && !isspace((unsigned char)*end))
            rc = sd_fail(e, SD_EBADINPUT, "malformed private key: bad 'Algorithm:' line");
        else if (!sd_alg_supported((int)a) || a > 255)
            rc = unsupported((int)a, e);
        else if (*algorithm && *algorithm != a)
            rc = sd_fail(e, SD_EBADINPUT, "the key is of algorithm %ld, not %d as asked", a,
                         *algorithm);
        else
            *algorithm = (int)a;
    }
    if (rc == 0) {
        if (*algorithm == 8 || *algorithm == 10) {
            rc = isc_rsa(&t, out, bits, e);
        } else if (*algorithm == 13 || *algorithm == 14) {
            *bits = *algorithm == 13 ? 256 : 384;
            rc = isc_ec(&t, *algorithm, out, e);
        } else {
            *bits = 256;
            rc = isc_ed25519(&t, out, e);
        }
    }
    isc_free(&t);
    return rc;
}

/* The PEM password callback: encrypted keys are refused (there is nobody to ask). */
static int no_password(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return -1;
}

/* Reads a PEM private key, and works out its DNSSEC algorithm (RSA: *algorithm, 8 or 10,
 * default 8) and size. */
static int read_pem(const char *text, EVP_PKEY **out, int *algorithm, int *bits, sd_err *e)
{
    if (strstr(text, "ENCRYPTED"))
        return sd_fail(e, SD_EBADINPUT,
                       "encrypted PEM keys are not supported: decrypt it first (openssl pkey -in "
                       "KEY.pem -out PLAIN.pem)");
    BIO *bio = BIO_new_mem_buf(text, -1);
    if (!bio)
        return sd_fail(e, SD_EINTERNAL, "out of memory");
    EVP_PKEY *pkey = PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL);
    BIO_free(bio);
    if (!pkey)
        return bad_key(e, "malformed PEM private key: no readable PRIVATE KEY block (truncated?)");
    int alg = 0, rc = 0;
    if (EVP_PKEY_is_a(pkey, "RSA")) {
        alg = *algorithm ? *algorithm : 8;
        if (alg != 8 && alg != 10)
            rc = sd_fail(e, SD_EBADINPUT, "the PEM key is an RSA key: algorithm %d does not fit",
                         alg);
        *bits = EVP_PKEY_get_bits(pkey);
        if (rc == 0 && *bits < SD_IMPORT_RSA_MIN_BITS)
            rc = sd_fail(e, SD_EBADINPUT,
                         "RSA key of %d bits refused: scaidns needs at least %d bits (roll it "
                         "to a larger key first, or enable DNSSEC afresh)",
                         *bits, SD_IMPORT_RSA_MIN_BITS);
        else if (rc == 0 && *bits > SD_IMPORT_RSA_MAX_BITS)
            rc = sd_fail(e, SD_EBADINPUT, "RSA key of %d bits refused: at most %d bits", *bits,
                         SD_IMPORT_RSA_MAX_BITS);
    } else if (EVP_PKEY_is_a(pkey, "EC")) {
        char group[64] = "";
        EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, NULL);
        if (strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0)
            alg = 13;
        else if (strcmp(group, "secp384r1") == 0 || strcmp(group, "P-384") == 0)
            alg = 14;
        else
            rc = sd_fail(e, SD_EBADINPUT,
                         "the PEM key is on the curve '%.32s': only P-256 (algorithm 13) and "
                         "P-384 (14) are supported",
                         group[0] ? group : "(explicit parameters)");
        *bits = alg == 14 ? 384 : 256;
    } else if (EVP_PKEY_is_a(pkey, "ED25519")) {
        alg = 15;
        *bits = 256;
    } else {
        rc = sd_fail(e, SD_EBADINPUT,
                     "the PEM key is of type %.32s: scaidns imports RSA, ECDSA P-256/P-384 and "
                     "Ed25519 keys",
                     EVP_PKEY_get0_type_name(pkey) ? EVP_PKEY_get0_type_name(pkey) : "unknown");
    }
    if (rc == 0 && *algorithm && *algorithm != alg)
        rc = sd_fail(e, SD_EBADINPUT, "the PEM key is of algorithm %d, not %d as asked", alg,
                     *algorithm);
    if (rc == 0)
        rc = pkey_consistent(pkey, e);
    if (rc != 0) {
        EVP_PKEY_free(pkey);
        return rc;
    }
    *algorithm = alg;
    *out = pkey;
    return 0;
}

/* Checks a PEM PUBLIC KEY block in text against pkey. 0 (also when there is none) or -400. */
static int check_pem_public(const char *text, EVP_PKEY *pkey, sd_err *e)
{
    const char *p = strstr(text, "-----BEGIN PUBLIC KEY-----");
    if (!p)
        return 0;
    BIO *bio = BIO_new_mem_buf(p, -1);
    if (!bio)
        return sd_fail(e, SD_EINTERNAL, "out of memory");
    EVP_PKEY *pub = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
    BIO_free(bio);
    if (!pub)
        return bad_key(e, "malformed PEM public key (truncated?)");
    int eq = EVP_PKEY_eq(pub, pkey);
    EVP_PKEY_free(pub);
    if (eq != 1)
        return bad_key(e, "public/private mismatch: the PEM public key does not belong to the "
                          "private key");
    return 0;
}

/* Checks a DNSKEY record (a BIND .key file) against the key: algorithm, public key, flags.
 * 0, 1 when text holds no DNSKEY record, or -400. */
static int check_dnskey(const char *text, const sd_key *k, sd_err *e)
{
    size_t n = strlen(text);
    char *copy = malloc(n + 1);
    if (!copy)
        return sd_fail(e, SD_EINTERNAL, "out of memory");
    memcpy(copy, text, n + 1);
    char *save = NULL, *line, *rest = NULL;
    for (line = strtok_r(copy, "\n", &save); line && !rest; line = strtok_r(NULL, "\n", &save)) {
        char *semi = strchr(line, ';');
        if (semi)
            *semi = '\0';
        for (char *p = line; *p && !rest; p++) {
            if (strncasecmp(p, "DNSKEY", 6) == 0 && (p == line || isspace((unsigned char)p[-1])) &&
                isspace((unsigned char)p[6]))
                rest = p + 6;
        }
    }
    if (!rest) {
        free(copy);
        return 1;
    }
    unsigned flags = 0, proto = 0, alg = 0;
    int used = 0, rc = 0;
    if (sscanf(rest, " %u %u %u %n", &flags, &proto, &alg, &used) != 3 || used == 0) {
        free(copy);
        return sd_fail(e, SD_EBADINPUT, "malformed DNSKEY record in the public key text");
    }
    char *b64 = rest + used, *w = b64;
    for (char *r = b64; *r; r++)
        if (!isspace((unsigned char)*r) && *r != '(' && *r != ')')
            *w++ = *r;
    *w = '\0';
    uint8_t *pub = NULL;
    size_t publen = 0;
    if ((int)alg != k->algorithm)
        rc = sd_fail(e, SD_EBADINPUT,
                     "public/private mismatch: the DNSKEY record is of algorithm %u, the "
                     "private key of %d",
                     alg, k->algorithm);
    else if (proto != 3)
        rc = sd_fail(e, SD_EBADINPUT, "the DNSKEY record has protocol %u, not 3", proto);
    else if (sd_b64_decode(b64, &pub, &publen) != 0)
        rc = sd_fail(e, SD_EBADINPUT, "the DNSKEY record's public key is not valid base64");
    else if (publen != k->rdata_len - 4 || memcmp(pub, k->rdata + 4, publen) != 0)
        rc = sd_fail(e, SD_EBADINPUT,
                     "public/private mismatch: the DNSKEY record's public key does not belong "
                     "to the private key");
    else if (flags != k->flags && (flags == SD_FLAGS_ZSK || flags == SD_FLAGS_KSK))
        rc = sd_fail(e, SD_EBADINPUT,
                     "the DNSKEY record says flags %u (%s) but the key is imported as a %s (flags "
                     "%u): its key tag would change; import it as %s",
                     flags, flags == SD_FLAGS_KSK ? "SEP: a KSK or CSK" : "no SEP: a ZSK",
                     k->flags == SD_FLAGS_KSK ? "KSK or CSK" : "ZSK", (unsigned)k->flags,
                     flags == SD_FLAGS_KSK ? "ksk or csk" : "zsk");
    else if (flags != k->flags)
        rc = sd_fail(e, SD_EBADINPUT,
                     "the DNSKEY record has flags %u: only 256 (ZSK) and 257 (KSK, CSK) are "
                     "imported",
                     flags);
    free(pub);
    free(copy);
    return rc;
}

int sd_key_import(const char *private_text, const char *public_text, int algorithm, uint16_t flags,
                  sd_key *out, sd_err *e)
{
    if (!out)
        return sd_fail(e, SD_EINTERNAL, "sd_key_import: no output");
    memset(out, 0, sizeof *out);
    if (flags != SD_FLAGS_ZSK && flags != SD_FLAGS_KSK)
        return sd_fail(e, SD_EBADINPUT, "DNSKEY flags must be 256 (ZSK) or 257 (KSK), not %u",
                       (unsigned)flags);
    if (!private_text || !*private_text)
        return sd_fail(e, SD_EBADINPUT, "the private key is empty");
    if (strlen(private_text) > MAX_TEXT || (public_text && strlen(public_text) > MAX_TEXT))
        return sd_fail(e, SD_EBADINPUT, "the key text is too long (over %d bytes)", MAX_TEXT);
    if (algorithm && !sd_alg_supported(algorithm))
        return unsupported(algorithm, e);

    EVP_PKEY *pkey = NULL;
    int bits = 0, alg = algorithm, rc;
    if (strstr(private_text, "-----BEGIN"))
        rc = read_pem(private_text, &pkey, &alg, &bits, e);
    else
        rc = read_isc(private_text, &pkey, &alg, &bits, e);
    if (rc == 0 && (alg == 8 || alg == 10 || alg == 13 || alg == 14) &&
        !strstr(private_text, "-----BEGIN"))
        rc = pkey_consistent(pkey, e);
    if (rc == 0)
        rc = check_pem_public(private_text, pkey, e);
    if (rc == 0 && public_text)
        rc = check_pem_public(public_text, pkey, e);
    if (rc == 0)
        rc = sd_key_from_pkey(pkey, alg, flags, bits, out, e);
    if (rc == 0 && public_text) {
        int d = check_dnskey(public_text, out, e);
        if (d == 1 && !strstr(public_text, "-----BEGIN PUBLIC KEY-----"))
            rc = sd_fail(e, SD_EBADINPUT,
                         "the public key text is neither a DNSKEY record (a BIND .key file) nor "
                         "a PEM public key");
        else if (d < 0)
            rc = d;
    }
    EVP_PKEY_free(pkey);
    if (rc != 0)
        sd_key_free(out);
    return rc < 0 ? rc : 0;
}
