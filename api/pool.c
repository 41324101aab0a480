/* pool.c - the SQLite connection pool: a mutex, a condition variable and a stack. */
#include "api/pool.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "api/log.h"
#include "keystore/db.h"

#define BUSY_WAIT_US 250      /* between two tries of a locked keystore */
#define BUSY_LIMIT_US 5000000 /* give up (503) after this long, like sd_db_open's timeout */

/* SQLite busy handler: retry every BUSY_WAIT_US until BUSY_LIMIT_US have passed since the
 * first try (arg: that connection's own start time, set when count is 0). SQLite's own busy
 * timeout backs off to 100 ms sleeps, which under many concurrent writers in this process
 * turns a wait of a few milliseconds into a long tail; short steady waits hand the lock on
 * almost as soon as it is free. */
static int busy_wait(void *arg, int count)
{
    struct timespec *start = arg, now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (count == 0)
        *start = now;
    long long waited =
        (long long)(now.tv_sec - start->tv_sec) * 1000000LL + (now.tv_nsec - start->tv_nsec) / 1000;
    if (waited >= BUSY_LIMIT_US)
        return 0;
    struct timespec ts = {0, BUSY_WAIT_US * 1000L};
    nanosleep(&ts, NULL);
    return 1;
}

struct api_pool {
    pthread_mutex_t lock;
    pthread_cond_t freed;
    size_t n, nfree;
    sqlite3 **all;               /* every connection, for closing */
    sqlite3 **free;              /* the free ones, a stack of nfree */
    struct timespec *busy_start; /* per connection, for busy_wait */
};

int api_pool_open(const char *path, size_t n, api_pool **out, sd_err *e)
{
    *out = NULL;
    if (n == 0)
        return sd_fail(e, SD_EBADINPUT, "the pool needs at least one connection");
    api_pool *p = calloc(1, sizeof *p);
    if (!p)
        return sd_fail(e, SD_EINTERNAL, "out of memory");
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->freed, NULL);
    p->all = calloc(n, sizeof *p->all);
    p->free = calloc(n, sizeof *p->free);
    p->busy_start = calloc(n, sizeof *p->busy_start);
    if (!p->all || !p->free || !p->busy_start) {
        api_pool_close(p);
        return sd_fail(e, SD_EINTERNAL, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        if (sd_db_open(path, 0, &p->all[i], e) < 0) {
            api_pool_close(p);
            return -e->code;
        }
        sqlite3_busy_handler(p->all[i], busy_wait, &p->busy_start[i]);
        p->n++;
        p->free[p->nfree++] = p->all[i];
    }
    *out = p;
    return 0;
}

/* db (taken from p), or, when its file was deleted or replaced and a keystore is at the path
 * again, or it was opened read-only and the file may now be written, a new connection to
 * the file at the path, which replaces db in the pool (sd_db_reopen_if_stale). One stat(2)
 * in the common case. A db whose file is gone stays, and sd_db_begin refuses its writes. */
static sqlite3 *refresh(api_pool *p, sqlite3 *db)
{
    sqlite3 *fresh = db;
    sd_err e;
    if (sd_db_reopen_if_stale(&fresh, 0, &e) <= 0)
        return db; /* nothing to do, or nothing usable at the path yet */
    pthread_mutex_lock(&p->lock);
    size_t i = 0;
    while (i < p->n && p->all[i] != db)
        i++;
    if (i < p->n) {
        p->all[i] = fresh;
        sqlite3_busy_handler(fresh, busy_wait, &p->busy_start[i]);
    }
    pthread_mutex_unlock(&p->lock);
    api_log_msg(API_LOG_WARNING,
                "keystore %s had been deleted, replaced or made read-only: reopened it",
                sqlite3_db_filename(fresh, "main"));
    return fresh;
}

sqlite3 *api_pool_take(api_pool *p)
{
    pthread_mutex_lock(&p->lock);
    while (p->nfree == 0)
        pthread_cond_wait(&p->freed, &p->lock);
    sqlite3 *db = p->free[--p->nfree];
    pthread_mutex_unlock(&p->lock);
    return refresh(p, db);
}

void api_pool_give(api_pool *p, sqlite3 *db)
{
    if (!db)
        return;
    sd_db_rollback(db); /* a handler that forgot its transaction must not leak it */
    pthread_mutex_lock(&p->lock);
    p->free[p->nfree++] = db;
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->lock);
}

void api_pool_close(api_pool *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        sd_db_close(p->all[i]);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->freed);
    free(p->all);
    free(p->free);
    free(p->busy_start);
    free(p);
}
