/* conn_guard.h - what one connection may hold: the request deadline and the Unix socket's
 * uid gate, both seen from libmicrohttpd's connection notifications.
 *
 * libmicrohttpd's own timeout (--timeout) is an idle timeout: every byte received restarts
 * it, so a client that trickles its request head one line every few seconds keeps its
 * connection for ever. The guard gives each request a deadline instead: from the moment the
 * connection opens (or the previous request on it was answered) the whole request, head and
 * body, must have arrived within `deadline` seconds, whatever it trickles; a watchdog thread
 * looks every quarter second and shuts late connections down (libmicrohttpd then closes them
 * and frees their slot, and their address's share of MHD_OPTION_PER_IP_CONNECTION_LIMIT).
 * A request being handled or answered is not timed by the guard. */
#ifndef SCAIDNS_API_CONN_GUARD_H
#define SCAIDNS_API_CONN_GUARD_H

#include <microhttpd.h>

#include "api/peer_gate.h"

struct api_metrics;
typedef struct api_conn_guard api_conn_guard;

/* A guard with a request deadline in seconds (0: none, and no thread) and an optional uid
 * gate (borrowed: must outlive the guard); closures are counted in m (may be NULL). Starts
 * the watchdog. NULL when out of memory or the thread cannot start. */
api_conn_guard *api_conn_guard_new(unsigned deadline, api_peer_gate *gate, struct api_metrics *m);

/* Stops the watchdog and frees g (NULL-safe); only after the daemon that used it stopped. */
void api_conn_guard_free(api_conn_guard *g);

/* MHD_OPTION_NOTIFY_CONNECTION callback with the guard as cls: tracks each connection from
 * start to close; on start, a peer the gate refuses is marked and shut down at once. */
void api_conn_guard_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                           enum MHD_ConnectionNotificationCode toe);

/* 1 when the gate refused c (the request must not be served), else 0. */
int api_conn_guard_refused(struct MHD_Connection *c);

/* The request on c has fully arrived: its handler runs now, untimed. */
void api_conn_guard_received(struct MHD_Connection *c);

/* The request on c was answered: the next one on the connection has the whole deadline,
 * from now. */
void api_conn_guard_answered(struct MHD_Connection *c);

#endif
