/* db.h - opening the keystore: pragmas, migrations, transactions. */
#ifndef SCAIDNS_DB_H
#define SCAIDNS_DB_H

#include <sqlite3.h>

#include "error.h"

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

/* BEGIN IMMEDIATE, retried while the database is busy for up to the busy timeout; 503 then. */
int sd_db_begin(sqlite3 *db, sd_err *e);

/* COMMIT; on failure rolls back and reports. */
int sd_db_commit(sqlite3 *db, sd_err *e);

/* ROLLBACK, ignoring "no transaction is active". */
void sd_db_rollback(sqlite3 *db);

/* Turns the last SQLite error on db into e: 503 for BUSY/LOCKED, 500 otherwise, with what. */
int sd_db_fail(sqlite3 *db, sd_err *e, const char *what);

/* Prepares sql on db, reporting errors through e. */
int sd_db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, sd_err *e);

#endif
