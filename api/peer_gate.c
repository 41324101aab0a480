/* peer_gate.c - SO_PEERCRED on the API's Unix socket. */
#include "api/peer_gate.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "api/log.h"

#define REFUSALS_LOGGED 10 /* lines a second */

struct api_peer_gate {
    sd_uidlist allowed;
    pthread_mutex_t mu; /* the worker threads accept concurrently: guards the counters */
    time_t second;      /* the second refusals are counted in */
    int logged;         /* lines logged in it */
    unsigned long unlogged;
};

api_peer_gate *api_peer_gate_new(const sd_uidlist *allowed)
{
    api_peer_gate *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->allowed = *allowed;
    pthread_mutex_init(&g->mu, NULL);
    return g;
}

void api_peer_gate_free(api_peer_gate *g)
{
    if (!g)
        return;
    pthread_mutex_destroy(&g->mu);
    free(g);
}

/* Logs one refused peer (uid, pid: -1 when unknown) within the rate limit. */
static void log_refusal(api_peer_gate *g, long uid, long pid)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    pthread_mutex_lock(&g->mu);
    if (ts.tv_sec != g->second) {
        g->second = ts.tv_sec;
        g->logged = 0;
    }
    int log = g->logged < REFUSALS_LOGGED;
    unsigned long before = log ? g->unlogged : 0;
    if (log) {
        g->logged++;
        g->unlogged = 0;
    } else {
        g->unlogged++;
    }
    pthread_mutex_unlock(&g->mu);
    if (log && before)
        api_log_msg(API_LOG_WARNING,
                    "refused a connection to api-socket from uid %ld pid %ld: not in "
                    "api-socket-allowed-uids (and %lu more since the last such line)",
                    uid, pid, before);
    else if (log)
        api_log_msg(API_LOG_WARNING,
                    "refused a connection to api-socket from uid %ld pid %ld: not in "
                    "api-socket-allowed-uids",
                    uid, pid);
}

int api_peer_gate_allows(api_peer_gate *g, int fd)
{
    if (g->allowed.any)
        return 1;
    uid_t u;
    pid_t p;
    long uid = -1, pid = -1;
    if (fd >= 0 && sd_peer_cred(fd, &u, &p) == 0) {
        if (sd_uidlist_allows(&g->allowed, u))
            return 1;
        uid = (long)u;
        pid = (long)p;
    }
    log_refusal(g, uid, pid);
    return 0;
}
