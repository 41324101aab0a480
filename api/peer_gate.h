/* peer_gate.h - who may connect to the API's Unix socket: the uid of each connection
 * (SO_PEERCRED) is checked against api-socket-allowed-uids as libmicrohttpd reports it; a
 * refused one is logged (uid and pid), shut down at once and never served. */
#ifndef SCAIDNS_API_PEER_GATE_H
#define SCAIDNS_API_PEER_GATE_H

#include <microhttpd.h>

#include "keystore/error.h"
#include "keystore/peer.h"

typedef struct api_peer_gate api_peer_gate;

/* A gate letting in the uids of allowed (copied). NULL when out of memory. */
api_peer_gate *api_peer_gate_new(const sd_uidlist *allowed);

/* Frees g (NULL-safe); only after the daemon that used it has stopped. */
void api_peer_gate_free(api_peer_gate *g);

/* MHD_OPTION_NOTIFY_CONNECTION callback, with the gate as cls: on a new connection whose
 * peer is not allowed, logs it (at most 10 lines a second; the rest are counted into the
 * next line), marks it refused and shuts its socket down. */
void api_peer_gate_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe);

/* 1 when the gate refused c (the request must not be served), else 0. */
int api_peer_gate_refused(struct MHD_Connection *c);

#endif
