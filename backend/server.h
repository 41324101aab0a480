/* server.h - the Unix-socket server: newline-delimited requests from many PowerDNS
 * connections, one reply line per request line. */
#ifndef SCAIDNS_BACKEND_SERVER_H
#define SCAIDNS_BACKEND_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "backend/buf.h"
#include "keystore/error.h"
#include "keystore/peer.h"

/* Answers one request line (len bytes, without the newline) by appending one reply line,
 * ending in '\n', to out (the connection's reusable buffer). Returns 0, or -1 when out of
 * memory (the connection is then closed). */
typedef int (*sb_line_fn)(void *arg, const char *line, size_t len, sb_buf *out);

typedef struct sb_server_opts {
    const char *path;          /* socket path; a stale socket there is replaced */
    mode_t mode;               /* permissions of the socket file (0660 by default) */
    size_t max_line;           /* longest request line accepted (1 MiB) */
    int max_conns;             /* connections beyond this are closed on accept */
    int idle_line_ms;          /* a started line, or a new connection's first line, must be
                                  complete within this time, else the connection is closed */
    const sd_uidlist *allowed; /* peers (SO_PEERCRED) let in; others are logged and closed
                                  at accept. NULL: any peer the socket's mode lets connect */
    /* When not NULL, called after each request with the nanoseconds from the moment its line
     * was complete to the moment its reply was handed to the kernel (or, when the socket was
     * full, left to be sent), with the arg of sb_server_run; NULL by default. */
    void (*done)(void *arg, uint64_t ns);
    /* Worker threads (1 by default: everything on the calling thread). With more, the
     * calling thread accepts and each worker serves the connections handed to it, calling
     * fn and done with worker_args[i] (or arg when worker_args is NULL), never two workers
     * with the same argument at once. */
    int workers;
    void *const *worker_args;
} sb_server_opts;

/* Fills o with the defaults for path. */
void sb_server_defaults(sb_server_opts *o, const char *path);

/* Listens on o->path and serves until stop_fd becomes readable (a signalfd or a pipe), then
 * stops the workers, closes every connection and removes the socket file. One server at a
 * time per process when o->workers > 1. Returns 0 after a clean stop, or a
 * negative code with e filled when the socket cannot be set up. */
int sb_server_run(const sb_server_opts *o, sb_line_fn fn, void *arg, int stop_fd, sd_err *e);

#endif
