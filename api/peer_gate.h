/* peer_gate.h - who may connect to the API's Unix socket: the uid of each connection
 * (SO_PEERCRED) is checked against api-socket-allowed-uids when libmicrohttpd reports it
 * (api/conn_guard.c); a refused one is logged (uid and pid), shut down at once and never
 * served. */
#ifndef SCAIDNS_API_PEER_GATE_H
#define SCAIDNS_API_PEER_GATE_H

#include "keystore/error.h"
#include "keystore/peer.h"

typedef struct api_peer_gate api_peer_gate;

/* A gate letting in the uids of allowed (copied). NULL when out of memory. */
api_peer_gate *api_peer_gate_new(const sd_uidlist *allowed);

/* Frees g (NULL-safe); only after the daemon that used it has stopped. */
void api_peer_gate_free(api_peer_gate *g);

/* 1 when the peer of the Unix socket fd is allowed; else 0, after logging it (at most 10
 * lines a second; the rest are counted into the next line). The caller then shuts the
 * connection down and never serves it (api/conn_guard.h). */
int api_peer_gate_allows(api_peer_gate *g, int fd);

#endif
