/* test_seal.c - keystore/seal.c: key files (modes, exclusivity, refusal of loose modes and of
 * mismatched halves), seal/unseal round trips, and every way a blob must fail to open. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "keystore/seal.h"

#define PRIV_TEXT "Private-key-format: v1.2\nAlgorithm: 15 (ED25519)\nPrivateKey: AAAA\n"

/* A scratch directory with a key pair path inside it. */
typedef struct fixture {
    char dir[64];
    char path[128];    /* dir/seal.key */
    char pubpath[136]; /* dir/seal.key.pub */
} fixture;

/* Creates the scratch directory; the key pair itself is made by each test. */
static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    strcpy(f->dir, "/tmp/test_seal.XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof f->path, "%s/seal.key", f->dir);
    snprintf(f->pubpath, sizeof f->pubpath, "%s.pub", f->path);
    *state = f;
    return 0;
}

/* Removes every file a test may have left and the directory. */
static int teardown(void **state)
{
    fixture *f = *state;
    const char *names[] = {"seal.key", "seal.key.pub", "other.key", "other.key.pub"};
    char p[160];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", f->dir, names[i]);
        unlink(p);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

/* Reads a small file into buf (NUL terminated); returns its length. */
static size_t slurp(const char *path, char *buf, size_t len)
{
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    size_t n = fread(buf, 1, len - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return n;
}

/* Writes text to path, replacing it, with mode. */
static void spit(const char *path, const char *text, mode_t mode)
{
    unlink(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    chmod(path, mode);
}

/* Returns 1 when the bytes of needle occur in buf[0..len). */
static int contains(const uint8_t *buf, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(buf + i, needle, n) == 0)
            return 1;
    return 0;
}

static void test_create_files(void **state)
{
    fixture *f = *state;
    sd_err e = {0};
    struct stat st;
    char buf[256];
    mode_t old = umask(022);
    assert_int_equal(sd_seal_create(f->path, &e), 0);
    umask(old);

    assert_int_equal(stat(f->path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(stat(f->pubpath, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);

    /* one base64 line of 32 bytes each */
    uint8_t bin[64];
    size_t got;
    const char *paths[] = {f->path, f->pubpath};
    for (int i = 0; i < 2; i++) {
        size_t n = slurp(paths[i], buf, sizeof buf);
        assert_int_equal(n, 45);
        assert_int_equal(buf[44], '\n');
        assert_int_equal(sodium_base642bin(bin, sizeof bin, buf, 44, NULL, &got, NULL,
                                           sodium_base64_VARIANT_ORIGINAL),
                         0);
        assert_int_equal(got, 32);
    }
}

/* The modes are exact whatever the umask: never wider, never narrower. */
static void test_create_modes_ignore_umask(void **state)
{
    fixture *f = *state;
    sd_err e = {0};
    struct stat st;
    static const mode_t masks[] = {0, 077, 0277, 0777};
    for (size_t i = 0; i < sizeof masks / sizeof masks[0]; i++) {
        mode_t old = umask(masks[i]);
        int rc = sd_seal_create(f->path, &e);
        umask(old);
        if (rc != 0)
            fail_msg("sd_seal_create under umask %03o: %s", (unsigned)masks[i], e.msg);
        assert_int_equal(stat(f->path, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0600);
        assert_int_equal(stat(f->pubpath, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0644);
        unlink(f->path);
        unlink(f->pubpath);
    }
}

static void test_create_refuses_overwrite(void **state)
{
    fixture *f = *state;
    sd_err e = {0};
    char before[256], after[256], pub_before[256], pub_after[256];
    assert_int_equal(sd_seal_create(f->path, &e), 0);
    slurp(f->path, before, sizeof before);
    slurp(f->pubpath, pub_before, sizeof pub_before);

    assert_int_equal(sd_seal_create(f->path, &e), -SD_ECONFLICT);
    assert_non_null(strstr(e.msg, "already exists"));
    slurp(f->path, after, sizeof after);
    slurp(f->pubpath, pub_after, sizeof pub_after);
    assert_string_equal(before, after);
    assert_string_equal(pub_before, pub_after);

    /* a stray public half alone also refuses, and leaves no secret behind */
    unlink(f->path);
    assert_int_equal(sd_seal_create(f->path, &e), -SD_ECONFLICT);
    assert_int_equal(access(f->path, F_OK), -1);
    slurp(f->pubpath, pub_after, sizeof pub_after);
    assert_string_equal(pub_before, pub_after);

    /* a symlink in place of the secret is not followed */
    unlink(f->pubpath);
    assert_int_equal(symlink("/nonexistent-target", f->path), 0);
    assert_true(sd_seal_create(f->path, &e) < 0);
    assert_int_equal(access("/nonexistent-target", F_OK), -1);
    unlink(f->path);

    assert_true(sd_seal_create("", &e) < 0);
    assert_true(sd_seal_create(NULL, &e) < 0);
    assert_true(sd_seal_create("/nonexistent-dir/x/seal.key", &e) < 0);
}

static void test_load(void **state)
{
    fixture *f = *state;
    sd_err e = {0};
    sd_seal_keys pub, both;
    static const uint8_t zero[SD_SEAL_SK_LEN];
    assert_int_equal(sd_seal_create(f->path, &e), 0);

    memset(&pub, 0xAA, sizeof pub);
    assert_int_equal(sd_seal_load_public(f->path, &pub, &e), 0);
    assert_int_equal(pub.have_secret, 0);
    assert_memory_equal(pub.sk, zero, sizeof zero);

    assert_int_equal(sd_seal_load_secret(f->path, &both, &e), 0);
    assert_int_equal(both.have_secret, 1);
    assert_memory_equal(both.pk, pub.pk, SD_SEAL_PK_LEN);
    assert_memory_not_equal(both.sk, zero, sizeof zero);
    uint8_t derived[32];
    crypto_scalarmult_base(derived, both.sk);
    assert_memory_equal(derived, both.pk, 32);

    sd_seal_wipe(&both);
    assert_int_equal(both.have_secret, 0);
    assert_memory_equal(both.sk, zero, sizeof zero);
    sd_seal_wipe(NULL);

    /* a 0400 secret is fine too */
    chmod(f->path, 0400);
    assert_int_equal(sd_seal_load_secret(f->path, &both, &e), 0);
    sd_seal_wipe(&both);

    char missing[160];
    snprintf(missing, sizeof missing, "%s/nope.key", f->dir);
    assert_int_equal(sd_seal_load_public(missing, &pub, &e), -SD_ENOTFOUND);
    assert_int_equal(sd_seal_load_secret(missing, &both, &e), -SD_ENOTFOUND);
}

static void test_load_refuses_loose_modes(void **state)
{
    fixture *f = *state;
    sd_err e = {0};
    sd_seal_keys k;
    assert_int_equal(sd_seal_create(f->path, &e), 0);
    const mode_t bad[] = {0640, 0604, 0660, 0644, 0610, 0601, 0602, 0620, 0777};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(chmod(f->path, bad[i]), 0);
        sd_err_clear(&e);
        memset(&k, 0, sizeof k);
        assert_int_equal(sd_seal_load_secret(f->path, &k, &e), -SD_EBADINPUT);
        assert_non_null(strstr(e.msg, "group or others"));
        assert_int_equal(k.have_secret, 0);
        static const uint8_t zero[SD_SEAL_SK_LEN];
        assert_memory_equal(k.sk, zero, sizeof zero);
    }
    chmod(f->path, 0600);
    assert_int_equal(sd_seal_load_secret(f->path, &k, &e), 0);
    sd_seal_wipe(&k);
}

static void test_load_refuses_bad_files(void **state)
{
    fixture *f = *state;
    sd_err e = {0};
    sd_seal_keys k;
    char other[160], otherpub[168], pubtext[256];
    snprintf(other, sizeof other, "%s/other.key", f->dir);
    snprintf(otherpub, sizeof otherpub, "%s.pub", other);
    assert_int_equal(sd_seal_create(f->path, &e), 0);
    assert_int_equal(sd_seal_create(other, &e), 0);

    /* the public half of another pair */
    slurp(otherpub, pubtext, sizeof pubtext);
    spit(f->pubpath, pubtext, 0644);
    assert_int_equal(sd_seal_load_secret(f->path, &k, &e), -SD_EBADINPUT);
    assert_non_null(strstr(e.msg, "does not match"));
    assert_int_equal(k.have_secret, 0);

    /* not base64, wrong length, empty */
    const char *junk[] = {"not base64 at all!\n", "AAAA\n", "",
                          "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"};
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        spit(f->pubpath, pubtext, 0644); /* a valid public half, so the secret is what fails */
        spit(f->path, junk[i], 0600);
        assert_int_equal(sd_seal_load_secret(f->path, &k, &e), -SD_EBADINPUT);
        spit(f->pubpath, junk[i], 0644);
        assert_int_equal(sd_seal_load_public(f->path, &k, &e), -SD_EBADINPUT);
    }
    /* a huge file is refused without reading it all */
    char big[3000];
    memset(big, 'A', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    spit(f->pubpath, big, 0644);
    assert_int_equal(sd_seal_load_public(f->path, &k, &e), -SD_EBADINPUT);
    /* a directory is not a key file */
    unlink(f->pubpath);
    assert_int_equal(mkdir(f->pubpath, 0700), 0);
    assert_true(sd_seal_load_public(f->path, &k, &e) < 0);
    rmdir(f->pubpath);
}

static void test_roundtrip(void **state)
{
    fixture *f = *state;
    sd_err e = {0};
    sd_seal_keys pub, both;
    uint8_t *blob = NULL;
    size_t len = 0;
    char *text = NULL;
    assert_int_equal(sd_seal_create(f->path, &e), 0);
    assert_int_equal(sd_seal_load_public(f->path, &pub, &e), 0);
    assert_int_equal(sd_seal_load_secret(f->path, &both, &e), 0);

    /* the public half is enough to seal */
    assert_int_equal(sd_seal(&pub, "example.com.", "k_123", PRIV_TEXT, &blob, &len, &e), 0);
    assert_int_equal(len, strlen("scaidns-sealed-key v1\nzone: example.com.\nkid: k_123\n\n") +
                              strlen(PRIV_TEXT) + crypto_box_SEALBYTES);
    assert_false(contains(blob, len, "PrivateKey"));
    assert_false(contains(blob, len, "example.com"));

    /* but not to open */
    assert_int_equal(sd_unseal(&pub, "example.com.", "k_123", blob, len, &text, &e), -SD_EINTERNAL);
    assert_non_null(strstr(e.msg, "not loaded"));

    assert_int_equal(sd_unseal(&both, "example.com.", "k_123", blob, len, &text, &e), 0);
    assert_string_equal(text, PRIV_TEXT);
    sodium_memzero(text, strlen(text));
    free(text);
    free(blob);

    /* sealing twice gives different blobs (fresh ephemeral key each time) */
    uint8_t *b2 = NULL;
    size_t l2;
    assert_int_equal(sd_seal(&pub, "z.", "k", "same", &blob, &len, &e), 0);
    assert_int_equal(sd_seal(&pub, "z.", "k", "same", &b2, &l2, &e), 0);
    assert_int_equal(len, l2);
    assert_memory_not_equal(blob, b2, len);
    free(blob);
    free(b2);

    /* an empty text and a text with blank lines and header-like lines survive */
    const char *texts[] = {"", "\n\nzone: evil.\nkid: x\n\n", "no newline at the end"};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(sd_seal(&pub, "example.com.", "k1", texts[i], &blob, &len, &e), 0);
        assert_int_equal(sd_unseal(&both, "example.com.", "k1", blob, len, &text, &e), 0);
        assert_string_equal(text, texts[i]);
        free(text);
        free(blob);
    }
    sd_seal_wipe(&both);
}

static void test_unseal_checks_binding(void **state)
{
    fixture *f = *state;
    sd_err e = {0};
    sd_seal_keys k;
    uint8_t *blob = NULL;
    size_t len = 0;
    char *text = NULL;
    assert_int_equal(sd_seal_create(f->path, &e), 0);
    assert_int_equal(sd_seal_load_secret(f->path, &k, &e), 0);
    assert_int_equal(sd_seal(&k, "example.com.", "k12", PRIV_TEXT, &blob, &len, &e), 0);

    const char *zones[] = {"example.org.", "example.com", "EXAMPLE.COM.", "example.com.x",
                           "xexample.com."};
    for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
        sd_err_clear(&e);
        text = NULL;
        assert_int_equal(sd_unseal(&k, zones[i], "k12", blob, len, &text, &e), -SD_EBADINPUT);
        assert_null(text);
        assert_non_null(strstr(e.msg, "zone 'example.com.'"));
        assert_non_null(strstr(e.msg, zones[i]));
    }
    const char *kids[] = {"k1", "k123", "K12", "k12 ", "x"};
    for (size_t i = 0; i < sizeof kids / sizeof kids[0]; i++) {
        sd_err_clear(&e);
        assert_int_equal(sd_unseal(&k, "example.com.", kids[i], blob, len, &text, &e),
                         -SD_EBADINPUT);
        assert_non_null(strstr(e.msg, "kid 'k12'"));
    }
    /* the message never shows the secret text */
    assert_null(strstr(e.msg, "PrivateKey"));
    free(blob);
    sd_seal_wipe(&k);
}

static void test_unseal_rejects_bad_blobs(void **state)
{
    fixture *f = *state;
    sd_err e = {0};
    sd_seal_keys k, other;
    uint8_t *blob = NULL;
    size_t len = 0;
    char *text = NULL, otherpath[160];
    assert_int_equal(sd_seal_create(f->path, &e), 0);
    assert_int_equal(sd_seal_load_secret(f->path, &k, &e), 0);
    snprintf(otherpath, sizeof otherpath, "%s/other.key", f->dir);
    assert_int_equal(sd_seal_create(otherpath, &e), 0);
    assert_int_equal(sd_seal_load_secret(otherpath, &other, &e), 0);
    assert_int_equal(sd_seal(&k, "example.com.", "k1", PRIV_TEXT, &blob, &len, &e), 0);

    /* another seal key */
    assert_int_equal(sd_unseal(&other, "example.com.", "k1", blob, len, &text, &e), -SD_EBADINPUT);
    assert_non_null(strstr(e.msg, "another seal key or is corrupt"));
    /* any flipped bit */
    for (size_t i = 0; i < len; i += 7) {
        blob[i] ^= 0x01;
        assert_int_equal(sd_unseal(&k, "example.com.", "k1", blob, len, &text, &e), -SD_EBADINPUT);
        blob[i] ^= 0x01;
    }
    /* truncated, empty */
    assert_int_equal(sd_unseal(&k, "example.com.", "k1", blob, len - 1, &text, &e), -SD_EBADINPUT);
    assert_int_equal(sd_unseal(&k, "example.com.", "k1", blob, crypto_box_SEALBYTES - 1, &text, &e),
                     -SD_EBADINPUT);
    assert_int_equal(sd_unseal(&k, "example.com.", "k1", blob, 0, &text, &e), -SD_EBADINPUT);
    assert_int_equal(sd_unseal(&k, "example.com.", "k1", blob, len, &text, &e), 0);
    free(text);
    free(blob);

    /* correctly sealed, but not our format */
    const char *forged[] = {
        "Private-key-format: v1.2\n",
        "scaidns-sealed-key v2\nzone: example.com.\nkid: k1\n\nx",
        "scaidns-sealed-key v1\nkid: k1\nzone: example.com.\n\nx",
        "scaidns-sealed-key v1\nzone: example.com.\nkid: k1\nx",
        "scaidns-sealed-key v1\nzone: example.com.\nkid: k1",
        "scaidns-sealed-key v1\nzone: example.com.",
        "",
    };
    for (size_t i = 0; i < sizeof forged / sizeof forged[0]; i++) {
        size_t mlen = strlen(forged[i]);
        uint8_t *c = malloc(mlen + crypto_box_SEALBYTES);
        assert_int_equal(crypto_box_seal(c, (const uint8_t *)forged[i], mlen, k.pk), 0);
        sd_err_clear(&e);
        assert_int_equal(
            sd_unseal(&k, "example.com.", "k1", c, mlen + crypto_box_SEALBYTES, &text, &e),
            -SD_EBADINPUT);
        assert_true(strlen(e.msg) > 0);
        free(c);
    }
    /* a NUL byte inside the text would silently truncate it: refused */
    const char withnul[] = "scaidns-sealed-key v1\nzone: example.com.\nkid: k1\n\nab\0cd";
    uint8_t c[sizeof withnul - 1 + crypto_box_SEALBYTES];
    assert_int_equal(crypto_box_seal(c, (const uint8_t *)withnul, sizeof withnul - 1, k.pk), 0);
    assert_int_equal(sd_unseal(&k, "example.com.", "k1", c, sizeof c, &text, &e), -SD_EBADINPUT);
    assert_non_null(strstr(e.msg, "NUL"));
    sd_seal_wipe(&k);
    sd_seal_wipe(&other);
}

static void test_seal_rejects_bad_fields(void **state)
{
    fixture *f = *state;
    sd_err e = {0};
    sd_seal_keys k;
    uint8_t *blob = NULL;
    size_t len = 0;
    char *text = NULL;
    assert_int_equal(sd_seal_create(f->path, &e), 0);
    assert_int_equal(sd_seal_load_secret(f->path, &k, &e), 0);
    const char *bad[] = {"", "a\nb", "a\rb", NULL};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(sd_seal(&k, bad[i], "k1", "t", &blob, &len, &e), -SD_EBADINPUT);
        assert_int_equal(sd_seal(&k, "z.", bad[i], "t", &blob, &len, &e), -SD_EBADINPUT);
        assert_int_equal(sd_unseal(&k, bad[i], "k1", (const uint8_t *)"x", 1, &text, &e),
                         -SD_EBADINPUT);
    }
    assert_true(sd_seal(&k, "z.", "k", NULL, &blob, &len, &e) < 0);
    assert_true(sd_seal(NULL, "z.", "k", "t", &blob, &len, &e) < 0);
    sd_seal_wipe(&k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_modes_ignore_umask, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_refuses_overwrite, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_refuses_loose_modes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_refuses_bad_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unseal_checks_binding, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unseal_rejects_bad_blobs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_seal_rejects_bad_fields, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
