/* db_health.c - noticing a keystore file that was deleted, replaced, made read-only or left
 * without room, and taking up a restored one, for long-running processes. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "keystore/db.h"
#include "keystore/perm.h"

/* Below this much free space on the keystore's file system a write may fail. */
#define LOW_SPACE_BYTES (256 * 1024)

int sd_db_moved(sqlite3 *db)
{
    int moved = 0;
    if (sqlite3_file_control(db, "main", SQLITE_FCNTL_HAS_MOVED, &moved) != SQLITE_OK)
        return 0;
    return moved != 0;
}

int sd_db_reopen_if_stale(sqlite3 **db, int flags, sd_err *e)
{
    const char *name = sqlite3_db_filename(*db, "main");
    int moved = sd_db_moved(*db);
    /* SQLite opens a file it may not write read-only, and stays so: once the file may be
     * written again (mode, mount, attribute fixed), a new connection can. */
    int unlocked = !(flags & SD_DB_READONLY) && sqlite3_db_readonly(*db, "main") == 1 &&
                   faccessat(AT_FDCWD, name, W_OK, AT_EACCESS) == 0;
    if (!moved && !unlocked)
        return 0;
    char path[4096];
    snprintf(path, sizeof path, "%s", name);
    sqlite3 *fresh;
    /* A file restored open to others is refused, as at start (perm.h). */
    if (sd_perm_check_path("keystore", path, SD_MODE_KEYSTORE, e) < 0 ||
        sd_db_open(path, flags & ~SD_DB_CREATE, &fresh, e) < 0)
        return -e->code;
    /* A moved file is gone from its path: closing skips the checkpoint and leaves any -wal at
     * the path alone (SQLite checks that the file has not moved before either). */
    sd_db_close(*db);
    *db = fresh;
    return 1;
}

/* The directory part of path, in dir (at least "."). */
static void dir_of(const char *path, char *dir, size_t len)
{
    snprintf(dir, len, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, len, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
}

int sd_db_health(sqlite3 *db, sd_err *e)
{
    sqlite3_stmt *st;
    int ok = 0;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK) {
        ok = sqlite3_step(st) == SQLITE_ROW;
        sqlite3_finalize(st);
    }
    if (!ok)
        return sd_fail(e, SD_EBUSY, "the keystore does not answer: %s", sqlite3_errmsg(db));
    const char *path = sqlite3_db_filename(db, "main");
    if (sd_db_moved(db)) {
        sd_err why;
        if (sd_perm_check_path("keystore", path, SD_MODE_KEYSTORE, &why) < 0)
            return sd_fail(e, SD_EBUSY,
                           "the keystore %s was replaced while in use, and the new file is "
                           "refused: %s",
                           path, why.msg);
        return sd_fail(e, SD_EBUSY,
                       "the keystore %s was deleted or replaced while in use; nothing can be "
                       "written until it is back in place",
                       path);
    }
    if (sqlite3_db_readonly(db, "main") == 1)
        return sd_fail(e, SD_EBUSY,
                       "the keystore %s is read-only for this process (the file's mode or "
                       "owner): nothing can be written",
                       path);
    /* The effective user's right to write: catches a read-only mount, an immutable file and
     * (for a user other than root) the file's mode. The -wal holds every new commit. */
    char wal[4200];
    snprintf(wal, sizeof wal, "%s-wal", path);
    const char *files[2] = {path, wal};
    for (int i = 0; i < 2; i++) {
        if (faccessat(AT_FDCWD, files[i], W_OK, AT_EACCESS) != 0 && (i == 0 || errno != ENOENT))
            return sd_fail(e, SD_EBUSY, "the keystore cannot be written: %s: %s", files[i],
                           strerror(errno));
    }
    char dir[4096];
    dir_of(path, dir, sizeof dir);
    struct statvfs fs;
    if (statvfs(dir, &fs) == 0) {
        unsigned long long blocks = geteuid() == 0 ? fs.f_bfree : fs.f_bavail;
        unsigned long long room = blocks * (unsigned long long)fs.f_frsize;
        if (room < LOW_SPACE_BYTES)
            return sd_fail(e, SD_EBUSY,
                           "the keystore's file system (%s) is full: %llu bytes free, writes "
                           "may fail",
                           dir, room);
    }
    return 0;
}
