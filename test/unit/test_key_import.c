/* test_key_import.c - keystore/key_import.c: keys written by BIND's dnssec-keygen and
 * OpenSSL's genpkey come in with the key tag and DS that BIND's own tools compute, a generated
 * key read back comes out byte for byte the same, and every bad key is refused with a 400
 * that says why. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keystore/key.h"
#include "keystore/key_import.h"

#include "key_import_fixtures.h"

/* Imports text (and pub) as flags; asserts success and returns the key. */
static sd_key ok_import(const char *text, const char *pub, int alg, uint16_t flags)
{
    sd_key k;
    sd_err e = {0, ""};
    int rc = sd_key_import(text, pub, alg, flags, &k, &e);
    if (rc != 0)
        fail_msg("import failed: %s", e.msg);
    return k;
}

/* Asserts that the import is refused with 400 and a message holding want. */
static void refused(const char *text, const char *pub, int alg, uint16_t flags, const char *want)
{
    sd_key k;
    sd_err e = {0, ""};
    int rc = sd_key_import(text, pub, alg, flags, &k, &e);
    assert_int_equal(rc, -SD_EBADINPUT);
    assert_int_equal(e.code, SD_EBADINPUT);
    if (!strstr(e.msg, want))
        fail_msg("message '%s' lacks '%s'", e.msg, want);
    assert_null(k.private_text);
    assert_null(k.rdata);
}

/* The SHA-256 DS digest of k for owner. */
static void ds_of(const sd_key *k, const char *owner, char *hex)
{
    assert_int_equal(sd_ds_digest(owner, k->rdata, k->rdata_len, 2, hex, 200, NULL), 0);
}

static void test_bind_ecdsa_ksk_zsk(void **state)
{
    (void)state;
    char hex[200];
    sd_key k = ok_import(KSK13_PRIVATE, KSK13_KEY, 0, SD_FLAGS_KSK);
    assert_int_equal(k.algorithm, 13);
    assert_int_equal(k.key_tag, 5846); /* dnssec-keygen's file name */
    assert_int_equal(k.bits, 256);
    ds_of(&k, "example.net.", hex); /* dnssec-dsfromkey -2 */
    assert_string_equal(hex, "C21C5A54E3552C9763775389AF347401B1433CEFDA14FA1D2AAF27532BC24DB3");
    assert_string_equal(k.public_b64, "V441JRZ8z9RSD1abtEehnh6zyaQcDSZZ/Mfgi1RAI8FBCNqH88xg6hTmmUT6"
                                      "BLhiJEqiSS80w+cqDUJKt/dyRg==");
    /* v1.3's timing lines are dropped: the backend hands PowerDNS the v1.2 text. */
    assert_non_null(strstr(k.private_text, "Private-key-format: v1.2\nAlgorithm: 13"));
    assert_null(strstr(k.private_text, "Created"));
    sd_key_free(&k);

    k = ok_import(ZSK13_PRIVATE, ZSK13_KEY, 13, SD_FLAGS_ZSK);
    assert_int_equal(k.key_tag, 24522);
    sd_key_free(&k);
}

static void test_bind_rsa_and_ed25519(void **state)
{
    (void)state;
    char hex[200];
    sd_key k = ok_import(RSA2048_PRIVATE, RSA2048_KEY, 0, SD_FLAGS_ZSK);
    assert_int_equal(k.algorithm, 8);
    assert_int_equal(k.bits, 2048);
    assert_int_equal(k.key_tag, 19389);
    sd_key_free(&k);

    k = ok_import(ED15_PRIVATE, ED15_KEY, 0, SD_FLAGS_ZSK);
    assert_int_equal(k.algorithm, 15);
    assert_int_equal(k.key_tag, 35189);
    assert_string_equal(k.public_b64, "1z24vM3Ipz+1wk3+IZmGO7sm28TB9l9/687+oLMTfug=");
    ds_of(&k, "example.net", hex);
    sd_key_free(&k);
    /* The same key as a KSK: flags 257, and its DS (no .key file to object). */
    k = ok_import(ED15_PRIVATE, NULL, 0, SD_FLAGS_KSK);
    assert_int_equal(k.flags, 257);
    assert_int_not_equal(k.key_tag, 35189);
    sd_key_free(&k);
}

static void test_pem_keys(void **state)
{
    (void)state;
    sd_key k = ok_import(PEM_ED25519, NULL, 0, SD_FLAGS_KSK);
    assert_int_equal(k.algorithm, 15);
    assert_int_equal(k.bits, 256);
    assert_non_null(strstr(k.private_text, "Algorithm: 15 (ED25519)\nPrivateKey: "));
    /* The v1.2 text it became reads back to the same key. */
    sd_key again = ok_import(k.private_text, NULL, 15, SD_FLAGS_KSK);
    assert_int_equal(again.key_tag, k.key_tag);
    assert_string_equal(again.private_text, k.private_text);
    sd_key_free(&again);
    sd_key_free(&k);

    k = ok_import(PEM_P256, NULL, 0, SD_FLAGS_ZSK);
    assert_int_equal(k.algorithm, 13);
    sd_key_free(&k);
    refused(PEM_P256, NULL, 14, SD_FLAGS_ZSK, "of algorithm 13, not 14");
}

/* A generated key of every algorithm, exported and imported again, is the same key: the same
 * private text (what PowerDNS gets), RDATA and tag. */
static void test_generated_round_trip(void **state)
{
    (void)state;
    static const int algs[] = {8, 10, 13, 14, 15};
    for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++) {
        sd_key g, k;
        sd_err e = {0, ""};
        assert_int_equal(sd_key_generate(algs[i], 0, SD_FLAGS_KSK, &g, &e), 0);
        k = ok_import(g.private_text, NULL, 0, SD_FLAGS_KSK);
        assert_string_equal(k.private_text, g.private_text);
        assert_int_equal(k.rdata_len, g.rdata_len);
        assert_memory_equal(k.rdata, g.rdata, g.rdata_len);
        assert_int_equal(k.key_tag, g.key_tag);
        assert_int_equal(k.bits, g.bits);
        sd_key_free(&k);
        sd_key_free(&g);
    }
}

static void test_refuse_algorithms(void **state)
{
    (void)state;
    refused(ED448_PRIVATE, NULL, 0, SD_FLAGS_ZSK, "algorithm 16 (ED448) is not supported");
    refused(PEM_ED448, NULL, 0, SD_FLAGS_ZSK, "ED448");
    refused("Private-key-format: v1.2\nAlgorithm: 7 (NSEC3RSASHA1)\nModulus: AQAB\n", NULL, 0,
            SD_FLAGS_ZSK, "algorithm 7 (RSASHA1) is not supported");
    refused(KSK13_PRIVATE, NULL, 99, SD_FLAGS_KSK, "not supported");
    refused(PEM_ED25519, NULL, 8, SD_FLAGS_KSK, "of algorithm 15, not 8");
}

static void test_refuse_small_rsa(void **state)
{
    (void)state;
    refused(RSA1024_PRIVATE, NULL, 0, SD_FLAGS_ZSK, "RSA key of 1024 bits refused");
    refused(RSA1024_PRIVATE, NULL, 0, SD_FLAGS_ZSK, "at least 2048 bits");
}

/* text with the first occurrence of from replaced by to, into a static buffer. */
static const char *edit(const char *text, const char *from, const char *to)
{
    static char buf[8192];
    const char *p = strstr(text, from);
    assert_non_null(p);
    snprintf(buf, sizeof buf, "%.*s%s%s", (int)(p - text), text, to, p + strlen(from));
    return buf;
}

static void test_refuse_malformed(void **state)
{
    (void)state;
    char cut[4096];
    refused("", NULL, 0, SD_FLAGS_ZSK, "empty");
    refused("hello world", NULL, 0, SD_FLAGS_ZSK, "not 'Name: value'");
    refused("Algorithm: 13\nPrivateKey: AAAA\n", NULL, 0, SD_FLAGS_ZSK, "Private-key-format");
    refused(edit(KSK13_PRIVATE, "v1.3", "v2.0"), NULL, 0, SD_FLAGS_KSK, "v2.0 is not supported");
    refused(edit(KSK13_PRIVATE, "Algorithm: 13", "Algorithm: x"), NULL, 0, SD_FLAGS_KSK,
            "Algorithm");
    /* Truncated in the middle of the RSA fields: a field is missing. */
    snprintf(cut, sizeof cut, "%.*s", (int)(strstr(RSA2048_PRIVATE, "Prime2") - RSA2048_PRIVATE),
             RSA2048_PRIVATE);
    refused(cut, NULL, 0, SD_FLAGS_ZSK, "'Prime2' is missing");
    /* Truncated inside a base64 value. */
    snprintf(cut, sizeof cut, "%.*s\n", (int)(strstr(KSK13_PRIVATE, "Created") - KSK13_PRIVATE - 8),
             KSK13_PRIVATE);
    refused(cut, NULL, 0, SD_FLAGS_KSK, "PrivateKey");
    /* One RSA value edited: the parts no longer belong together. */
    const char *p1 = strstr(RSA2048_PRIVATE, "Prime1: ") + 8;
    char flipped[2] = {*p1 == 'A' ? 'B' : 'A', 0};
    char from[16];
    snprintf(from, sizeof from, "Prime1: %.4s", p1);
    char to[16];
    snprintf(to, sizeof to, "Prime1: %s%.3s", flipped, p1 + 1);
    refused(edit(RSA2048_PRIVATE, from, to), NULL, 0, SD_FLAGS_ZSK, "inconsistent");
    /* PEM cut short. */
    snprintf(cut, sizeof cut, "%.60s", PEM_P256);
    refused(cut, NULL, 0, SD_FLAGS_ZSK, "malformed PEM");
    refused("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
            NULL, 0, SD_FLAGS_ZSK, "encrypted");
}

static void test_refuse_mismatch(void **state)
{
    (void)state;
    /* The KSK's private file with the ZSK's .key file. */
    refused(KSK13_PRIVATE, ZSK13_KEY, 0, SD_FLAGS_KSK, "public/private mismatch");
    refused(KSK13_PRIVATE, ED15_KEY, 0, SD_FLAGS_KSK, "public/private mismatch");
    refused(KSK13_PRIVATE, "not a key", 0, SD_FLAGS_KSK, "neither a DNSKEY record");
    /* A PEM public block that is another key's. */
    char both[2048];
    snprintf(both, sizeof both,
             "%s-----BEGIN PUBLIC KEY-----\n"
             "MCowBQYDK2VwAyEABZ4QZo80IQ9RZqaTVIels8uLi5bZXcoAULafQCMbLig=\n"
             "-----END PUBLIC KEY-----\n",
             PEM_ED25519);
    refused(both, NULL, 0, SD_FLAGS_KSK, "public/private mismatch");
}

static void test_refuse_role_against_key_file(void **state)
{
    (void)state;
    /* A KSK role on a key whose .key file says 256, and a ZSK role on one that says 257. */
    refused(ZSK13_PRIVATE, ZSK13_KEY, 0, SD_FLAGS_KSK, "says flags 256");
    refused(ZSK13_PRIVATE, ZSK13_KEY, 0, SD_FLAGS_KSK, "import it as zsk");
    refused(KSK13_PRIVATE, KSK13_KEY, 0, SD_FLAGS_ZSK, "import it as ksk or csk");
    refused(KSK13_PRIVATE, edit(KSK13_KEY, "DNSKEY 257", "DNSKEY 385"), 0, SD_FLAGS_KSK,
            "flags 385");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bind_ecdsa_ksk_zsk),
        cmocka_unit_test(test_bind_rsa_and_ed25519),
        cmocka_unit_test(test_pem_keys),
        cmocka_unit_test(test_generated_round_trip),
        cmocka_unit_test(test_refuse_algorithms),
        cmocka_unit_test(test_refuse_small_rsa),
        cmocka_unit_test(test_refuse_malformed),
        cmocka_unit_test(test_refuse_mismatch),
        cmocka_unit_test(test_refuse_role_against_key_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
