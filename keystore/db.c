/* db.c - opening the keystore and migrating it. */
#include "keystore/db.h"

#include "keystore/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keystore/audit.h"
#include "keystore/migrations.h"

#define BUSY_TIMEOUT_MS 5000

int sd_db_schema_version(void)
{
    return sd_migration_count;
}

int sd_db_fail(sqlite3 *db, sd_err *e, const char *what)
{
    int rc = sqlite3_extended_errcode(db) & 0xff;
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
        return sd_fail(e, SD_EBUSY, "%s: the keystore is busy, try again", what);
    /* Faults of the storage, not of the request: they pass when an operator fixes them. */
    if (rc == SQLITE_FULL)
        return sd_fail(e, SD_EBUSY,
                       "%s: the keystore's disk is full; nothing was changed (free space on its "
                       "file system, then try again)",
                       what);
    if (rc == SQLITE_READONLY || rc == SQLITE_IOERR || rc == SQLITE_CANTOPEN || rc == SQLITE_PERM)
        return sd_fail(e, SD_EBUSY,
                       "%s: the keystore cannot be written or read (%s); nothing was changed "
                       "(check its file and file system, then try again)",
                       what, sqlite3_errmsg(db));
    return sd_fail(e, SD_EINTERNAL, "%s: %s", what, sqlite3_errmsg(db));
}

int sd_db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, sd_err *e)
{
    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
        return sd_db_fail(db, e, "prepare");
    return 0;
}

int sd_db_begin(sqlite3 *db, sd_err *e)
{
    /* A connection to a deleted or replaced file would write where nobody reads again (and
     * into a -wal a restored file may share): refuse, whatever the change. */
    if (sd_db_moved(db))
        return sd_fail(e, SD_EBUSY,
                       "the keystore %s was deleted or replaced while in use; nothing is written "
                       "until it is back in place",
                       sqlite3_db_filename(db, "main"));
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return sd_db_fail(db, e, "begin transaction");
    return 0;
}

int sd_db_commit(sqlite3 *db, sd_err *e)
{
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        int rc = sd_db_fail(db, e, "commit");
        sd_db_rollback(db);
        return rc;
    }
    sd_audit_committed(db); /* the audit head this transaction wrote goes to the anchor */
    return 0;
}

void sd_db_rollback(sqlite3 *db)
{
    sd_audit_rolled_back(db);
    if (!sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

static int user_version(sqlite3 *db, int *v, sd_err *e)
{
    sqlite3_stmt *st;
    if (sd_db_prepare(db, "PRAGMA user_version", &st, e) < 0)
        return -SD_EINTERNAL;
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        return sd_db_fail(db, e, "read schema version");
    }
    *v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return 0;
}

static int migrate(sqlite3 *db, const char *path, sd_err *e)
{
    int v;
    if (user_version(db, &v, e) < 0)
        return -e->code;
    if (v > sd_migration_count)
        return sd_fail(e, SD_EINTERNAL,
                       "%s has schema version %d but this scaidns knows only up to %d: "
                       "use a newer scaidns",
                       path, v, sd_migration_count);
    if (v == sd_migration_count)
        return 0;
    if (sd_db_begin(db, e) < 0)
        return -e->code;
    /* Read again inside the write lock: another process may have migrated meanwhile. */
    if (user_version(db, &v, e) < 0) {
        sd_db_rollback(db);
        return -e->code;
    }
    for (int i = v; i < sd_migration_count; i++) {
        char *msg = NULL;
        if (sqlite3_exec(db, sd_migrations[i], NULL, NULL, &msg) != SQLITE_OK) {
            sd_fail(e, SD_EINTERNAL, "migration %d failed: %s", i + 1, msg ? msg : "?");
            sqlite3_free(msg);
            sd_db_rollback(db);
            return -SD_EINTERNAL;
        }
    }
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", sd_migration_count);
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        int rc = sd_db_fail(db, e, "set schema version");
        sd_db_rollback(db);
        return rc;
    }
    return sd_db_commit(db, e);
}

int sd_db_open(const char *path, int flags, sqlite3 **out, sd_err *e)
{
    *out = NULL;
    int ro = flags & SD_DB_READONLY;
    if (flags & SD_DB_CREATE) {
        /* Create the file ourselves so that it is never world-readable, even for a moment,
         * and exactly 0600 whatever the umask (SQLite gives its -wal and -shm files the
         * keystore's mode). A file that is there already keeps its mode. */
        int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0 && fchmod(fd, 0600) != 0) {
            int err = errno;
            close(fd);
            return sd_fail(e, SD_EINTERNAL, "cannot chmod %s: %s", path, strerror(err));
        }
        if (fd < 0 && errno != EEXIST)
            return sd_fail(e, SD_EINTERNAL, "cannot create %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
    } else if (access(path, F_OK) != 0) {
        return sd_fail(e, SD_ENOTFOUND, "keystore %s does not exist (run 'scaidnsctl init')", path);
    }
    sqlite3 *db = NULL;
    /* SD_DB_READONLY still opens read-write, with query_only=ON: a SQLITE_OPEN_READONLY
     * connection cannot create the -shm/-wal files of a WAL database nobody else has open,
     * and the backend lifts query_only for its one write (setNotified's notified_serial). */
    int oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &db, oflags, NULL) != SQLITE_OK) {
        sd_fail(e, SD_EINTERNAL, "cannot open keystore %s: %s", path,
                db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return -SD_EINTERNAL;
    }
    sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
    sqlite3_extended_result_codes(db, 1);
    /* Refuse a keystore from a newer scaidns before anything writes to it: journal_mode=WAL
     * below would rewrite the header of a file kept in another journal mode. */
    int found = 0;
    if (!ro && user_version(db, &found, e) < 0) {
        /* busy past the timeout (an exclusive lock), or not a database */
        sd_err why = *e;
        sd_fail(e, why.code, "cannot open keystore %s: %s", path, why.msg);
        sqlite3_close(db);
        return -why.code;
    }
    if (!ro && found > sd_migration_count) {
        sd_fail(e, SD_EINTERNAL,
                "%s has schema version %d but this scaidns knows only up to %d: "
                "use a newer scaidns",
                path, found, sd_migration_count);
        sqlite3_close(db);
        return -SD_EINTERNAL;
    }
    const char *pragmas = ro ? "PRAGMA foreign_keys=ON; PRAGMA query_only=ON;"
                             : "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                               "PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;";
    char *msg = NULL;
    if (sqlite3_exec(db, pragmas, NULL, NULL, &msg) != SQLITE_OK) {
        sd_fail(e, SD_EINTERNAL, "cannot configure keystore %s: %s", path, msg ? msg : "?");
        sqlite3_free(msg);
        sqlite3_close(db);
        return -SD_EINTERNAL;
    }
    int rc;
    if (ro) {
        int v;
        rc = user_version(db, &v, e);
        if (rc == 0 && v != sd_migration_count)
            rc = sd_fail(e, SD_EINTERNAL, "%s has schema version %d but this scaidns expects %d%s",
                         path, v, sd_migration_count,
                         v > sd_migration_count ? ": use a newer scaidns"
                                                : ": run scaidnsctl or scaidns-api to migrate it");
    } else {
        rc = migrate(db, path, e);
    }
    if (rc < 0) {
        sqlite3_close(db);
        return rc;
    }
    *out = db;
    return 0;
}

void sd_db_close(sqlite3 *db)
{
    if (!db)
        return;
    sqlite3_stmt *st;
    while ((st = sqlite3_next_stmt(db, NULL)) != NULL)
        sqlite3_finalize(st);
    sqlite3_close(db);
}
