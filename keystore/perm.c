/* perm.c - refusing secrets that group or others can read. */
#include "keystore/perm.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Fills e for a file whose mode has forbidden bits: the fix keeps every other bit. */
static int refuse(const char *what, const char *path, mode_t mode, mode_t forbidden, sd_err *e)
{
    const char *who = (forbidden & 070) ? "group or others" : "others";
    const char *how = (forbidden & 044) ? "readable or writable" : "writable";
    unsigned fixed = (unsigned)(mode & 0777 & ~forbidden);
    return sd_fail(e, SD_EBADINPUT,
                   "%s %s has mode %04o: it must not be %s by %s (fix: chmod %03o %s)", what, path,
                   (unsigned)(mode & 07777), how, who, fixed, path);
}

int sd_perm_check_fd(int fd, const char *what, const char *path, mode_t forbidden, sd_err *e)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return sd_fail(e, SD_EINTERNAL, "cannot stat %s %s: %s", what, path, strerror(errno));
    if (st.st_mode & forbidden)
        return refuse(what, path, st.st_mode, forbidden, e);
    return 0;
}

int sd_perm_check_path(const char *what, const char *path, mode_t forbidden, sd_err *e)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR || errno == EACCES)
            return 0;
        return sd_fail(e, SD_EINTERNAL, "cannot stat %s %s: %s", what, path, strerror(errno));
    }
    if (st.st_mode & forbidden)
        return refuse(what, path, st.st_mode, forbidden, e);
    return 0;
}

/* Checks the keystore and the -wal and -shm files SQLite keeps beside it (they hold the
 * same data, and SQLite gives them the keystore's mode when it creates them). */
static int check_db(const char *db, sd_err *e)
{
    char side[4200];
    if (sd_perm_check_path("keystore", db, SD_MODE_KEYSTORE, e) < 0)
        return -SD_EBADINPUT;
    static const char *const suffix[] = {"-wal", "-shm"};
    for (size_t i = 0; i < 2; i++) {
        int n = snprintf(side, sizeof side, "%s%s", db, suffix[i]);
        if (n < 0 || (size_t)n >= sizeof side)
            return sd_fail(e, SD_EBADINPUT, "keystore path %s is too long", db);
        int rc = sd_perm_check_path("keystore file", side, SD_MODE_KEYSTORE, e);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int sd_perm_check_config(const sd_config *c, unsigned which, sd_err *e)
{
    int rc = 0;
    if ((which & SD_CHECK_DB) && c->db[0])
        rc = check_db(c->db, e);
    if (rc == 0 && (which & SD_CHECK_SEAL) && c->seal_key[0])
        rc = sd_perm_check_path("seal-key file", c->seal_key, SD_MODE_SECRET, e);
    if (rc == 0 && (which & SD_CHECK_TLS) && c->api_tls_key[0])
        rc = sd_perm_check_path("api-tls-key file", c->api_tls_key, SD_MODE_SECRET, e);
    if (rc == 0 && (which & SD_CHECK_WEBHOOK) && c->webhook_secret_file[0])
        rc = sd_perm_check_path("webhook-secret-file", c->webhook_secret_file, SD_MODE_SECRET, e);
    if (rc == 0 && (which & SD_CHECK_AUDIT)) {
        char path[4200];
        rc = sd_perm_check_path("audit-key file", sd_config_audit_key(c, path, sizeof path),
                                SD_MODE_SECRET, e);
        if (rc == 0)
            rc =
                sd_perm_check_path("audit-anchor file",
                                   sd_config_audit_anchor(c, path, sizeof path), SD_MODE_ANCHOR, e);
    }
    return rc;
}
