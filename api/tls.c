/* tls.c - loading the API's TLS certificate and key. */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api/server.h"
#include "keystore/perm.h"

/* Reads the whole file at path into a new NUL-terminated string (at most 1 MiB). */
static int slurp(const char *path, char **out, sd_err *e)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return sd_fail(e, SD_EBADINPUT, "cannot open %s: %s", path, strerror(errno));
    char *buf = malloc(1024 * 1024 + 1);
    size_t n = buf ? fread(buf, 1, 1024 * 1024 + 1, f) : 0;
    fclose(f);
    if (!buf)
        return sd_fail(e, SD_EINTERNAL, "out of memory");
    if (n == 0 || n > 1024 * 1024) {
        free(buf);
        return sd_fail(e, SD_EBADINPUT, "%s is empty or larger than 1 MiB", path);
    }
    buf[n] = '\0';
    *out = buf;
    return 0;
}

int api_tls_load(const char *cert_path, const char *key_path, char **cert, char **key, sd_err *e)
{
    struct stat st;
    *cert = *key = NULL;
    if (!*cert_path || !*key_path)
        return sd_fail(e, SD_EBADINPUT, "HTTPS needs both api-tls-cert and api-tls-key");
    if (stat(key_path, &st) < 0)
        return sd_fail(e, SD_EBADINPUT, "cannot read %s: %s", key_path, strerror(errno));
    if (sd_perm_check_path("api-tls-key file", key_path, SD_MODE_SECRET, e) < 0)
        return -SD_EBADINPUT;
    if (slurp(cert_path, cert, e) < 0)
        return -SD_EBADINPUT;
    if (slurp(key_path, key, e) < 0) {
        free(*cert);
        *cert = NULL;
        return -SD_EBADINPUT;
    }
    return 0;
}

void api_tls_free_key(char *key)
{
    if (key) {
        sodium_memzero(key, strlen(key));
        free(key);
    }
}
