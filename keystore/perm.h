/* perm.h - the modes of the files scaidns keeps secret. Each program checks them once at
 * start and refuses to run when a secret is open to more users than it should be, with a
 * message naming the file, its mode and the chmod that fixes it. */
#ifndef SCAIDNS_PERM_H
#define SCAIDNS_PERM_H

#include <sys/types.h>

#include "keystore/config.h"
#include "keystore/error.h"

/* Mode bits a file may not have (masks for the checks below). */
#define SD_MODE_SECRET ((mode_t)077)   /* keys: the owner only (0600, 0400) */
#define SD_MODE_KEYSTORE ((mode_t)007) /* the keystore: its group may share it (0640) */
#define SD_MODE_ANCHOR ((mode_t)022)   /* the audit anchor: written by its owner only */

/* Files of the configuration that sd_perm_check_config looks at. */
enum {
    SD_CHECK_DB = 1,      /* db, db-wal, db-shm: SD_MODE_KEYSTORE */
    SD_CHECK_SEAL = 2,    /* seal-key (the secret half; FILE.pub is public): SD_MODE_SECRET */
    SD_CHECK_TLS = 4,     /* api-tls-key, when set: SD_MODE_SECRET */
    SD_CHECK_WEBHOOK = 8, /* webhook-secret-file, when set: SD_MODE_SECRET */
    SD_CHECK_AUDIT = 16,  /* audit-key: SD_MODE_SECRET; audit-anchor: SD_MODE_ANCHOR */
};

/* Checks the mode of the open file fd. what and path name it in the message ("seal-key
 * file", "/var/lib/scaidns/seal.key"). 0 when no bit of forbidden is set; else
 * -SD_EBADINPUT with e saying "<what> <path> has mode 0644: ... (fix: chmod 600 <path>)";
 * -SD_EINTERNAL when fstat fails. */
int sd_perm_check_fd(int fd, const char *what, const char *path, mode_t forbidden, sd_err *e);

/* The same for the file at path (symlinks followed). A file that does not exist, or that
 * this process cannot even look at (EACCES), passes: nothing is exposed through it here, and
 * whoever needs to read it reports that it cannot. */
int sd_perm_check_path(const char *what, const char *path, mode_t forbidden, sd_err *e);

/* Checks the files of c that which (SD_CHECK_* bits) selects; the first failure goes to e.
 * Called by scaidns-backend, scaidns-api and scaidnsctl before they open anything. */
int sd_perm_check_config(const sd_config *c, unsigned which, sd_err *e);

#endif
