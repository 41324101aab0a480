/* pool.h - a fixed set of SQLite connections shared by the server's worker threads. Each
 * connection is used by one request at a time; a request takes one and gives it back. */
#ifndef SCAIDNS_API_POOL_H
#define SCAIDNS_API_POOL_H

#include <sqlite3.h>
#include <stddef.h>

#include "keystore/error.h"

typedef struct api_pool api_pool;

/* Opens n connections to the keystore at path (migrating it on the first). */
int api_pool_open(const char *path, size_t n, api_pool **out, sd_err *e);

/* Takes a free connection, waiting until one is given back if all are in use. A connection
 * whose keystore file was deleted or replaced, or that was opened read-only, is first
 * swapped for one to the file now at the path when that can be written (a restored or
 * repaired keystore is taken up without a restart). */
sqlite3 *api_pool_take(api_pool *p);

/* Gives db (taken from p) back; it must not be inside a transaction. */
void api_pool_give(api_pool *p, sqlite3 *db);

/* Closes every connection and frees p (NULL-safe). No connection may be taken. */
void api_pool_close(api_pool *p);

#endif
