/* conn_guard.c - the request deadline and the uid gate per connection (see conn_guard.h).
 *
 * Each connection has an entry in a list under one mutex, put there when libmicrohttpd
 * reports it started and taken out when it reports it closed. libmicrohttpd reports the
 * close before it closes the socket, so the watchdog, which shuts sockets down under the
 * same mutex, never touches a descriptor that has been closed and reused. */
#include "api/conn_guard.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "api/log.h"
#include "api/metrics.h"

#define TICK_MS 250

typedef struct entry {
    struct entry *prev, *next;
    struct api_conn_guard *g;
    int fd;
    double start; /* monotonic seconds the request's deadline counts from */
    int busy;     /* the request arrived and is being handled or answered */
    int killed;   /* shut down by the watchdog */
    int refused;  /* shut down by the gate */
    char peer[INET6_ADDRSTRLEN];
} entry;

struct api_conn_guard {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    int running, stop;
    unsigned deadline;
    api_peer_gate *gate;
    struct api_metrics *metrics;
    entry *head;
    unsigned long closed_unlogged; /* closures since the last log line */
    double logged_at;
};

/* Monotonic seconds. */
static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Shuts down the connections past their deadline (lock held); logs at most a line a second. */
static void sweep(api_conn_guard *g, double now)
{
    const char *last = NULL;
    for (entry *e = g->head; e; e = e->next) {
        if (e->busy || e->killed || e->refused || now - e->start < g->deadline)
            continue;
        e->killed = 1;
        shutdown(e->fd, SHUT_RDWR);
        api_metrics_deadline_closed(g->metrics);
        g->closed_unlogged++;
        last = e->peer;
    }
    if (g->closed_unlogged && now - g->logged_at >= 1.0) {
        api_log_msg(API_LOG_WARNING,
                    "closed %lu connection(s) that did not send a whole request within %u s "
                    "(the last from %s)",
                    g->closed_unlogged, g->deadline, last ? last : "an earlier peer");
        g->closed_unlogged = 0;
        g->logged_at = now;
    }
}

/* The watchdog: sweeps every TICK_MS until stopped. */
static void *watchdog(void *arg)
{
    api_conn_guard *g = arg;
    pthread_mutex_lock(&g->mu);
    while (!g->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += TICK_MS * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&g->cv, &g->mu, &ts);
        if (!g->stop)
            sweep(g, mono());
    }
    pthread_mutex_unlock(&g->mu);
    return NULL;
}

api_conn_guard *api_conn_guard_new(unsigned deadline, api_peer_gate *gate, struct api_metrics *m)
{
    api_conn_guard *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->deadline = deadline;
    g->gate = gate;
    g->metrics = m;
    pthread_mutex_init(&g->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&g->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (deadline > 0) {
        if (pthread_create(&g->thread, NULL, watchdog, g) != 0) {
            api_conn_guard_free(g);
            return NULL;
        }
        g->running = 1;
    }
    return g;
}

void api_conn_guard_free(api_conn_guard *g)
{
    if (!g)
        return;
    if (g->running) {
        pthread_mutex_lock(&g->mu);
        g->stop = 1;
        pthread_cond_signal(&g->cv);
        pthread_mutex_unlock(&g->mu);
        pthread_join(g->thread, NULL);
    }
    /* The daemon has stopped: every connection was reported closed. */
    pthread_cond_destroy(&g->cv);
    pthread_mutex_destroy(&g->mu);
    free(g);
}

/* The printable address of c's peer ("local" for a Unix socket). */
static void peer_text(struct MHD_Connection *c, char *out, size_t len)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, len, "local");
    if (!ci || !ci->client_addr)
        return;
    if (ci->client_addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, out,
                  (socklen_t)len);
    else if (ci->client_addr->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr, out,
                  (socklen_t)len);
}

void api_conn_guard_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                           enum MHD_ConnectionNotificationCode toe)
{
    api_conn_guard *g = cls;
    if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
        entry *e = *socket_context;
        if (!e)
            return;
        pthread_mutex_lock(&g->mu);
        if (e->prev)
            e->prev->next = e->next;
        else
            g->head = e->next;
        if (e->next)
            e->next->prev = e->prev;
        pthread_mutex_unlock(&g->mu);
        free(e);
        *socket_context = NULL;
        return;
    }
    if (toe != MHD_CONNECTION_NOTIFY_STARTED)
        return;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    int fd = ci ? ci->connect_fd : -1;
    entry *e = calloc(1, sizeof *e);
    if (!e) { /* cannot track it: do not serve it either */
        if (fd >= 0)
            shutdown(fd, SHUT_RDWR);
        return;
    }
    e->g = g;
    e->fd = fd;
    e->start = mono();
    peer_text(c, e->peer, sizeof e->peer);
    if (g->gate && !api_peer_gate_allows(g->gate, fd)) {
        e->refused = 1;
        if (fd >= 0)
            shutdown(fd, SHUT_RDWR);
    }
    pthread_mutex_lock(&g->mu);
    e->next = g->head;
    if (g->head)
        g->head->prev = e;
    g->head = e;
    pthread_mutex_unlock(&g->mu);
    *socket_context = e;
}

/* c's entry, or NULL. */
static entry *entry_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

int api_conn_guard_refused(struct MHD_Connection *c)
{
    entry *e = entry_of(c);
    if (!e)
        return 1; /* not tracked (out of memory at start): shut down already */
    pthread_mutex_lock(&e->g->mu);
    int r = e->refused || e->killed;
    pthread_mutex_unlock(&e->g->mu);
    return r;
}

void api_conn_guard_received(struct MHD_Connection *c)
{
    entry *e = entry_of(c);
    if (!e)
        return;
    pthread_mutex_lock(&e->g->mu);
    e->busy = 1;
    pthread_mutex_unlock(&e->g->mu);
}

void api_conn_guard_answered(struct MHD_Connection *c)
{
    entry *e = entry_of(c);
    if (!e)
        return;
    pthread_mutex_lock(&e->g->mu);
    e->busy = 0;
    e->start = mono();
    pthread_mutex_unlock(&e->g->mu);
}
