/* webhook_sign.c - the webhook's secret, its HMAC-SHA256 signature and its retry schedule. */
#include "api/webhook.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keystore/perm.h"

int api_webhook_load_secret(const char *path, unsigned char *key, size_t cap, size_t *len,
                            sd_err *e)
{
    *len = 0;
    if (!path[0])
        return sd_fail(e, SD_EBADINPUT, "webhook-url is set but webhook-secret-file is not");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return sd_fail(e, SD_EBADINPUT, "cannot open webhook-secret-file %s: %s", path,
                       strerror(errno));
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return sd_fail(e, SD_EBADINPUT, "webhook-secret-file %s is not a regular file", path);
    }
    if (sd_perm_check_fd(fd, "webhook-secret-file", path, SD_MODE_SECRET, e) < 0) {
        close(fd);
        return -e->code;
    }
    size_t n = 0;
    ssize_t r;
    while (n < cap && (r = read(fd, key + n, cap - n)) != 0) {
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            close(fd);
            sodium_memzero(key, cap);
            return sd_fail(e, SD_EBADINPUT, "cannot read webhook-secret-file %s: %s", path,
                           strerror(errno));
        }
        n += (size_t)r;
    }
    char extra;
    int more = n == cap && read(fd, &extra, 1) == 1;
    close(fd);
    while (n > 0 && (key[n - 1] == '\n' || key[n - 1] == '\r'))
        n--;
    if (more || n == 0) {
        sodium_memzero(key, cap);
        return sd_fail(e, SD_EBADINPUT, "webhook-secret-file %s must hold 1 to %zu bytes", path,
                       cap);
    }
    *len = n;
    return 0;
}

void api_webhook_sign(const unsigned char *key, size_t keylen, const char *body, size_t len,
                      char hex[65])
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_init(&st, key, keylen);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(hex, 65, mac, sizeof mac);
    sodium_memzero(&st, sizeof st);
}

int64_t api_webhook_backoff_ms(int attempts)
{
    int64_t ms = 1000;
    for (int i = 1; i < attempts && ms < API_WEBHOOK_BACKOFF_MAX; i++)
        ms *= 2;
    return ms < API_WEBHOOK_BACKOFF_MAX ? ms : API_WEBHOOK_BACKOFF_MAX;
}
