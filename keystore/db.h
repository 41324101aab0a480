/* db.h - opening the keystore: pragmas, migrations, transactions. */
#ifndef SCAIDNS_DB_H
#define SCAIDNS_DB_H

#include <sqlite3.h>

#include "keystore/error.h"

enum {
    SD_DB_CREATE = 1,   /* create the file (mode 0600) if it does not exist */
    SD_DB_READONLY = 2, /* open read-only (the backend); no migration is applied */
};

/* The schema version this binary was built with (the highest migration number). */
int sd_db_schema_version(void);

/* Opens (and with SD_DB_CREATE creates) the keystore at path with WAL, synchronous=FULL,
 * foreign_keys=ON and a busy timeout, then applies pending migrations in one transaction.
 * A file whose user_version is newer than this binary is refused with a message naming both
 * versions. Without SD_DB_CREATE a missing file is an error. */
int sd_db_open(const char *path, int flags, sqlite3 **out, sd_err *e);

/* Closes db (NULL-safe), finalising any statements still prepared on it. */
void sd_db_close(sqlite3 *db);

/* BEGIN IMMEDIATE, retried while the database is busy for up to the busy timeout; 503 then.
 * Also 503, at once, when the file db was opened from has been deleted or replaced. */
int sd_db_begin(sqlite3 *db, sd_err *e);

/* COMMIT; on failure rolls back and reports. */
int sd_db_commit(sqlite3 *db, sd_err *e);

/* ROLLBACK, ignoring "no transaction is active". */
void sd_db_rollback(sqlite3 *db);

/* Turns the last SQLite error on db into e, with what: 503 for BUSY/LOCKED and for faults of
 * the storage (disk full, read-only, I/O error), each named; 500 otherwise. */
int sd_db_fail(sqlite3 *db, sd_err *e, const char *what);

/* 1 when the file db was opened from is no longer at its path (deleted, or replaced by
 * another file), else 0. One stat(2). */
int sd_db_moved(sqlite3 *db);

/* Takes up a keystore fixed under a running process: when *db's file is no longer at its
 * path and a keystore is there again (restored), or *db was opened read-only (without
 * SD_DB_READONLY in flags) and the file may now be written, opens the file at the path with
 * flags (as sd_db_open), closes the old connection and returns 1. 0 when nothing is to be
 * done; -code (e filled) when the path cannot be opened (yet) or the file there is open to
 * others (perm.h), *db then left as it was. The caller must hold no statement of the old
 * connection. */
int sd_db_reopen_if_stale(sqlite3 **db, int flags, sd_err *e);

/* Whether the keystore can do its work now: 0 when it answers a query, is still at its path,
 * can be written by this process and its file system has room; else -SD_EBUSY with the
 * reason in e (read-only file or file system, immutable file, disk full, deleted). */
int sd_db_health(sqlite3 *db, sd_err *e);

/* Prepares sql on db, reporting errors through e. */
int sd_db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, sd_err *e);

#endif
