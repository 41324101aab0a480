/* server.h - the HTTP side of scaidns-api (libmicrohttpd). */
#ifndef SCAIDNS_API_SERVER_H
#define SCAIDNS_API_SERVER_H

#include "api.h"
#include "error.h"

struct api_http;

/* How the daemon runs. */
typedef struct api_http_opts {
    unsigned threads;   /* worker threads (and pooled SQLite connections) */
    unsigned timeout;   /* seconds a connection may stay idle before it is closed */
    unsigned max_conns; /* simultaneous connections */
} api_http_opts;

/* Parses "host:port" or "[v6]:port" and starts listening there with srv's routes. On
 * success *out is the running server and bound_port the port it got (useful with port 0). */
int api_http_start(const api_server *srv, const char *listen, const api_http_opts *opts,
                   struct api_http **out, unsigned *bound_port, sd_err *e);

/* Stops accepting, finishes the requests in flight and frees h (NULL-safe). */
void api_http_stop(struct api_http *h);

#endif
