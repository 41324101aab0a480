/* seal.c - private keys sealed at rest with libsodium's crypto_box_seal (X25519 + XSalsa20-
 * Poly1305, anonymous sender). The sealed plaintext is
 *
 *     "scaidns-sealed-key v1\nzone: <zone>\nkid: <kid>\n\n<text>"
 *
 * and sd_unseal refuses a blob whose zone or kid is not exactly the one asked for. Key files
 * hold one line of standard base64 (with padding). Secrets are wiped with sodium_memzero. */
#include "keystore/seal.h"
#include "keystore/perm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#define SEAL_MAGIC "scaidns-sealed-key v1\n"
#define KEYFILE_MAX 1024         /* a key file is one base64 line: far smaller than this */
#define SEALED_MAX (1024 * 1024) /* no private key comes near this */
#define FIELD_MAX 1024           /* longest zone or kid we bind */

/* Initialises libsodium (idempotent and thread-safe). 0, or negative with e filled. */
static int sodium_ready(sd_err *e)
{
    if (sodium_init() < 0)
        return sd_fail(e, SD_EINTERNAL, "libsodium failed to initialise");
    return 0;
}

/* Builds "<path><suffix>" into out. 0, or negative with e filled when it does not fit. */
static int path_join(char *out, size_t outlen, const char *path, const char *suffix, sd_err *e)
{
    int n = snprintf(out, outlen, "%s%s", path, suffix);
    if (n < 0 || (size_t)n >= outlen)
        return sd_fail(e, SD_EBADINPUT, "seal key path is too long");
    return 0;
}

/* Writes all of buf to fd. 0 or -1 (errno set). */
static int write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, buf, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        buf += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Creates path exclusively with exactly mode (whatever the umask) and writes the base64
 * line of bin into it, synced. On failure nothing is left behind (unless the file already
 * existed). */
static int write_key_file(const char *path, mode_t mode, const uint8_t *bin, size_t binlen,
                          const char *what, sd_err *e)
{
    char line[sodium_base64_ENCODED_LEN(SD_SEAL_SK_LEN, sodium_base64_VARIANT_ORIGINAL) + 1];
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0) {
        if (errno == EEXIST)
            return sd_fail(e, SD_ECONFLICT, "%s file %s already exists; refusing to overwrite it",
                           what, path);
        return sd_fail(e, SD_EINTERNAL, "cannot create %s file %s: %s", what, path,
                       strerror(errno));
    }
    if (fchmod(fd, mode) != 0) {
        int err = errno;
        close(fd);
        unlink(path);
        return sd_fail(e, SD_EINTERNAL, "cannot chmod %s file %s: %s", what, path, strerror(err));
    }
    sodium_bin2base64(line, sizeof line - 1, bin, binlen, sodium_base64_VARIANT_ORIGINAL);
    size_t n = strlen(line);
    line[n++] = '\n';
    int ok = write_all(fd, line, n) == 0 && fsync(fd) == 0;
    int saved = errno;
    sodium_memzero(line, sizeof line);
    if (close(fd) != 0 && ok) {
        ok = 0;
        saved = errno;
    }
    if (!ok) {
        unlink(path);
        return sd_fail(e, SD_EINTERNAL, "cannot write %s file %s: %s", what, path, strerror(saved));
    }
    return 0;
}

int sd_seal_create(const char *path, sd_err *e)
{
    uint8_t pk[SD_SEAL_PK_LEN], sk[SD_SEAL_SK_LEN];
    char pubpath[4096];
    int rc;

    if (!path || !*path)
        return sd_fail(e, SD_EBADINPUT, "no seal key path given");
    if ((rc = sodium_ready(e)) != 0 || (rc = path_join(pubpath, sizeof pubpath, path, ".pub", e)))
        return rc;
    crypto_box_keypair(pk, sk);
    rc = write_key_file(path, 0600, sk, sizeof sk, "seal secret key", e);
    sodium_memzero(sk, sizeof sk);
    if (rc != 0)
        return rc;
    rc = write_key_file(pubpath, 0644, pk, sizeof pk, "seal public key", e);
    if (rc != 0)
        unlink(path); /* a secret without its public half would be useless and confusing */
    return rc;
}

/* Reads one key file (a base64 line) from fd and decodes exactly len bytes into bin. The text
 * read is wiped. 0, or negative with e filled. */
static int read_key_fd(int fd, const char *path, uint8_t *bin, size_t len, sd_err *e)
{
    char buf[KEYFILE_MAX + 1];
    size_t used = 0, got = 0;
    int rc = 0;

    for (;;) {
        ssize_t r = read(fd, buf + used, sizeof buf - 1 - used);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = sd_fail(e, SD_EINTERNAL, "cannot read %s: %s", path, strerror(errno));
            goto out;
        }
        if (r == 0)
            break;
        used += (size_t)r;
        if (used >= sizeof buf - 1) {
            rc = sd_fail(e, SD_EBADINPUT, "%s is too large to be a seal key file", path);
            goto out;
        }
    }
    buf[used] = '\0';
    if (sodium_base642bin(bin, len, buf, used, " \t\r\n", &got, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        got != len)
        rc = sd_fail(e, SD_EBADINPUT, "%s does not hold a %zu-byte base64 key", path, len);
out:
    sodium_memzero(buf, sizeof buf);
    return rc;
}

/* Opens path read-only (no symlinks) and checks that it is a regular file. fd or negative. */
static int open_key_file(const char *path, struct stat *st, sd_err *e)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return sd_fail(e, errno == ENOENT ? SD_ENOTFOUND : SD_EINTERNAL,
                       "cannot open seal key file %s: %s", path, strerror(errno));
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
        close(fd);
        return sd_fail(e, SD_EBADINPUT, "seal key file %s is not a regular file", path);
    }
    return fd;
}

int sd_seal_load_public(const char *path, sd_seal_keys *out, sd_err *e)
{
    char pubpath[4096];
    struct stat st;
    int rc, fd;

    if (!path || !out)
        return sd_fail(e, SD_EBADINPUT, "no seal key path given");
    memset(out, 0, sizeof *out);
    if ((rc = path_join(pubpath, sizeof pubpath, path, ".pub", e)) != 0)
        return rc;
    if ((fd = open_key_file(pubpath, &st, e)) < 0)
        return fd;
    rc = read_key_fd(fd, pubpath, out->pk, sizeof out->pk, e);
    close(fd);
    return rc;
}

int sd_seal_load_secret(const char *path, sd_seal_keys *out, sd_err *e)
{
    uint8_t derived[SD_SEAL_PK_LEN];
    struct stat st;
    int rc, fd;

    if (!path || !out)
        return sd_fail(e, SD_EBADINPUT, "no seal key path given");
    if ((rc = sodium_ready(e)) != 0 || (rc = sd_seal_load_public(path, out, e)) != 0)
        return rc;
    if ((fd = open_key_file(path, &st, e)) < 0)
        return fd;
    if ((rc = sd_perm_check_fd(fd, "seal-key file", path, SD_MODE_SECRET, e)) != 0) {
        close(fd);
        return rc;
    }
    rc = read_key_fd(fd, path, out->sk, sizeof out->sk, e);
    close(fd);
    if (rc == 0 && crypto_scalarmult_base(derived, out->sk) != 0)
        rc = sd_fail(e, SD_EBADINPUT, "seal secret key in %s is not a valid X25519 key", path);
    if (rc == 0 && sodium_memcmp(derived, out->pk, sizeof derived) != 0)
        rc = sd_fail(e, SD_EBADINPUT, "seal secret key %s does not match its public half %s.pub",
                     path, path);
    sodium_memzero(derived, sizeof derived);
    if (rc != 0) {
        sd_seal_wipe(out);
        return rc;
    }
    out->have_secret = 1;
    return 0;
}

void sd_seal_wipe(sd_seal_keys *k)
{
    if (!k)
        return;
    sodium_memzero(k->sk, sizeof k->sk);
    k->have_secret = 0;
}

/* Checks that a zone or kid can be bound into the header: non-empty, short, one line. */
static int check_field(const char *what, const char *v, sd_err *e)
{
    if (!v || !*v)
        return sd_fail(e, SD_EBADINPUT, "cannot seal a key without its %s", what);
    if (strlen(v) > FIELD_MAX || strpbrk(v, "\r\n"))
        return sd_fail(e, SD_EBADINPUT, "the %s of a sealed key must be one short line", what);
    return 0;
}

int sd_seal(const sd_seal_keys *keys, const char *zone, const char *kid, const char *text,
            uint8_t **out, size_t *outlen, sd_err *e)
{
    int rc;

    if (!keys || !text || !out || !outlen)
        return sd_fail(e, SD_EINTERNAL, "sd_seal: missing argument");
    if ((rc = sodium_ready(e)) != 0 || (rc = check_field("zone", zone, e)) != 0 ||
        (rc = check_field("kid", kid, e)) != 0)
        return rc;
    size_t tlen = strlen(text);
    size_t mlen =
        strlen(SEAL_MAGIC) + strlen("zone: \nkid: \n\n") + strlen(zone) + strlen(kid) + tlen;
    if (tlen > SEALED_MAX)
        return sd_fail(e, SD_EBADINPUT, "the text to seal is too large");
    char *m = malloc(mlen + 1);
    uint8_t *c = malloc(mlen + crypto_box_SEALBYTES);
    if (!m || !c) {
        free(m);
        free(c);
        return sd_fail(e, SD_EINTERNAL, "out of memory");
    }
    snprintf(m, mlen + 1, "%szone: %s\nkid: %s\n\n%s", SEAL_MAGIC, zone, kid, text);
    rc = crypto_box_seal(c, (const unsigned char *)m, mlen, keys->pk);
    sodium_memzero(m, mlen + 1);
    free(m);
    if (rc != 0) {
        free(c);
        return sd_fail(e, SD_EINTERNAL, "crypto_box_seal failed");
    }
    *out = c;
    *outlen = mlen + crypto_box_SEALBYTES;
    return 0;
}

/* Reads "<prefix><value>\n" at *p (within end) and checks that value equals want; advances *p.
 * 0, or negative with e filled naming what was found. */
static int expect_line(const char **p, const char *end, const char *prefix, const char *what,
                       const char *want, sd_err *e)
{
    size_t plen = strlen(prefix);
    if ((size_t)(end - *p) < plen || memcmp(*p, prefix, plen) != 0)
        return sd_fail(e, SD_EBADINPUT, "sealed key has no %s line", what);
    const char *v = *p + plen;
    const char *nl = memchr(v, '\n', (size_t)(end - v));
    if (!nl)
        return sd_fail(e, SD_EBADINPUT, "sealed key has a truncated %s line", what);
    size_t vlen = (size_t)(nl - v), wlen = strlen(want);
    if (vlen != wlen || memcmp(v, want, wlen) != 0) {
        int shown = vlen > 255 ? 255 : (int)vlen;
        return sd_fail(e, SD_EBADINPUT,
                       "sealed key belongs to %s '%.*s', not '%s'; refusing "
                       "to open it",
                       what, shown, v, want);
    }
    *p = nl + 1;
    return 0;
}

int sd_unseal(const sd_seal_keys *keys, const char *zone, const char *kid, const uint8_t *blob,
              size_t len, char **text, sd_err *e)
{
    int rc;

    if (!keys || !blob || !text)
        return sd_fail(e, SD_EINTERNAL, "sd_unseal: missing argument");
    if ((rc = sodium_ready(e)) != 0 || (rc = check_field("zone", zone, e)) != 0 ||
        (rc = check_field("kid", kid, e)) != 0)
        return rc;
    if (!keys->have_secret)
        return sd_fail(e, SD_EINTERNAL,
                       "cannot open a sealed key: the seal secret key is not "
                       "loaded");
    if (len < crypto_box_SEALBYTES || len - crypto_box_SEALBYTES > SEALED_MAX + 2 * FIELD_MAX + 64)
        return sd_fail(e, SD_EBADINPUT, "sealed key has an impossible length (%zu bytes)", len);
    size_t mlen = len - crypto_box_SEALBYTES;
    char *m = malloc(mlen + 1);
    if (!m)
        return sd_fail(e, SD_EINTERNAL, "out of memory");
    if (crypto_box_seal_open((unsigned char *)m, blob, len, keys->pk, keys->sk) != 0) {
        free(m);
        return sd_fail(e, SD_EBADINPUT,
                       "cannot open sealed key for zone '%s' kid '%s': it "
                       "was sealed to another seal key or is corrupt",
                       zone, kid);
    }
    m[mlen] = '\0';

    const char *p = m, *end = m + mlen;
    size_t maglen = strlen(SEAL_MAGIC);
    if (mlen < maglen || memcmp(m, SEAL_MAGIC, maglen) != 0) {
        rc = sd_fail(e, SD_EBADINPUT, "sealed key is not in the scaidns-sealed-key v1 format");
        goto out;
    }
    p += maglen;
    if ((rc = expect_line(&p, end, "zone: ", "zone", zone, e)) != 0 ||
        (rc = expect_line(&p, end, "kid: ", "kid", kid, e)) != 0)
        goto out;
    if (p >= end || *p != '\n') {
        rc = sd_fail(e, SD_EBADINPUT, "sealed key has a malformed header");
        goto out;
    }
    p++;
    size_t tlen = (size_t)(end - p);
    if (memchr(p, '\0', tlen)) {
        rc = sd_fail(e, SD_EBADINPUT, "sealed key text contains a NUL byte");
        goto out;
    }
    char *t = malloc(tlen + 1);
    if (!t) {
        rc = sd_fail(e, SD_EINTERNAL, "out of memory");
        goto out;
    }
    memcpy(t, p, tlen);
    t[tlen] = '\0';
    *text = t;
    rc = 0;
out:
    sodium_memzero(m, mlen + 1);
    free(m);
    return rc;
}
