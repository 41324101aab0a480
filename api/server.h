/* server.h - the HTTP side of scaidns-api (libmicrohttpd). */
#ifndef SCAIDNS_API_SERVER_H
#define SCAIDNS_API_SERVER_H

#include "api/api.h"
#include "keystore/error.h"
#include "keystore/peer.h"

struct api_http;

/* How the daemon runs. */
typedef struct api_http_opts {
    unsigned threads;         /* worker threads (and pooled SQLite connections) */
    unsigned timeout;         /* seconds a connection may stay idle before it is closed */
    unsigned max_conns;       /* simultaneous connections */
    unsigned per_ip;          /* simultaneous connections from one address (TCP; 0: no limit) */
    unsigned deadline;        /* seconds a whole request may take to arrive (0: no limit) */
    const char *tls_cert_pem; /* PEM text of the certificate: HTTPS (NULL: plain HTTP) */
    const char *tls_key_pem;  /* PEM text of its key */
} api_http_opts;

/* Parses "host:port" or "[v6]:port" and starts listening there with srv's routes. On
 * success *out is the running server and bound_port the port it got (useful with port 0). */
int api_http_start(const api_server *srv, const char *listen, const api_http_opts *opts,
                   struct api_http **out, unsigned *bound_port, sd_err *e);

/* Serves srv's routes on a Unix socket at path (created with the octal mode; a stale socket
 * left by a crash is replaced, any other file is refused). Plain HTTP: the socket's
 * permissions and allowed (the uids let in, SO_PEERCRED; see api/peer_gate.h) protect it,
 * and every route still wants its token. */
int api_http_start_unix(const api_server *srv, const char *path, const char *mode,
                        const sd_uidlist *allowed, const api_http_opts *opts, struct api_http **out,
                        sd_err *e);

/* Reads a TLS certificate and key (PEM) for opts; refuses a key file readable by group or
 * others. The caller frees both strings (the key with api_tls_free_key). */
int api_tls_load(const char *cert_path, const char *key_path, char **cert, char **key, sd_err *e);

/* Wipes and frees a key loaded by api_tls_load. NULL-safe. */
void api_tls_free_key(char *key);

/* Stops accepting, finishes the requests in flight and frees h (NULL-safe). */
void api_http_stop(struct api_http *h);

#endif
