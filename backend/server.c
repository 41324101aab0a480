/* server.c - the event loops of scaidns-backend.
 *
 * With opts.workers > 1 (backend-threads), the calling thread only accepts connections,
 * checks their peer and hands each to the worker thread with the fewest connections (through
 * that worker's pipe); each worker runs the loop described below on its own connections with
 * its own handler argument (scaidns-backend gives each its own store: its own SQLite
 * connection, caches and reply cache), so workers share nothing on the hot path. PowerDNS
 * opens one connection per distributor thread (and per other thread that asks its backends),
 * so its connections spread over the workers. What follows holds for each worker, and for
 * the single thread when workers is 1 (the default of the server; scaidns-backend picks by
 * core count, see main.c).
 *
 * Why one thread with epoll per worker rather than a thread per connection: PowerDNS talks strictly
 * request/reply on each connection, a request on the hot path costs about 1,200 instructions
 * of user CPU (a repeated request from main.c's reply cache, store.h; a new one from the
 * pre-rendered replies of fast.h; a cache miss adds SQLite reads and, for getDomainKeys, an
 * X25519 unseal per key), and the machine we run on shares its cores with pdns_server, which
 * does the signing. Measured on the 2-core CI machine with dnsperf
 * against pdns_server (bench/RESULTS.md): the backend's single thread used 20-40 % of one
 * core while pdns_server saturated the rest, and its time is mostly the kernel's side of
 * each round trip, so a second backend thread would only compete with pdns_server for CPU.
 * Busy-polling before sleeping was tried and not kept (+2 % QPS for 20 more points of
 * CPU). One thread also means
 * one SQLite connection, one cache, no locks, and a silent or slow client cannot hold
 * anything but its own buffers. The cost: a long request (list of a very large zone) delays
 * the others for its duration; AXFR of a 100k-record zone takes well under PowerDNS's
 * 2-second timeout.
 *
 * Bad clients: a line longer than max_line gets an error reply and the connection is closed;
 * a connection whose first line, or any started line, is not complete within idle_line_ms is
 * closed; beyond max_conns new connections are closed at once; a client that vanishes
 * mid-line just loses its partial line. A peer whose uid (SO_PEERCRED, as the kernel saw it
 * at connect) is not in o->allowed is closed at accept, before anything is read, with a log
 * line naming its uid and pid (at most REFUSALS_LOGGED lines a second; the rest are counted
 * into the next line). A client that does not read its replies is not read
 * from until it does (its replies are not piled up).
 *
 * Per request, in the steady state: one read (the next is only tried when a read filled the
 * buffer; level-triggered epoll says when more arrives), one send from a buffer that is
 * reused for the connection's life, no allocation, and, when opts.done is set (the request
 * counters of stats.h), two reads of the monotonic clock. Every reply is wiped from that buffer
 * once sent, since getDomainKeys replies hold private keys. */
#define _GNU_SOURCE /* accept4 */
#include "backend/server.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "backend/log.h"

#define READ_CHUNK 65536
#define KEEP_OUT 65536     /* a reply buffer larger than this is freed once sent */
#define REFUSALS_LOGGED 10 /* refused peers logged per second */

typedef struct conn {
    int fd;
    unsigned long long id; /* its number in the log (the count of accepted connections) */
    char *in;
    size_t in_len, in_cap, scanned; /* bytes of in already searched for '\n' */
    sb_buf out;                     /* replies not yet sent: out.p[out_off .. out.len) */
    size_t out_off;
    int64_t deadline; /* ms; 0 = none (idle between requests is fine) */
    int closing;      /* close once out is flushed */
    uint32_t events;  /* what epoll watches now (saves a syscall when unchanged) */
    struct conn *prev, *next;
} conn;

typedef struct server {
    const sb_server_opts *o;
    sb_line_fn fn;
    void *arg;
    int epfd, lfd; /* lfd -1 in a worker of a pool */
    conn *conns;
    int nconns;
    /* In a pool: the pipe the acceptor hands accepted descriptors through (-1 otherwise),
     * the workers (in the acceptor; NULL otherwise) and the count of connections open in
     * all workers together, which max_conns bounds. */
    int inbox[2];
    struct server *workers;
    int n_workers;
    atomic_int *open;
    atomic_int held; /* connections this worker holds (read by the acceptor) */
    pthread_t thread;
    int64_t last_refusal_log;
    int64_t refusal_second;                /* start of the second refused peers are counted in */
    int refusals_logged;                   /* lines logged in that second */
    unsigned long refusals_unlogged;       /* refused beyond the limit, not yet reported */
    unsigned long long requests, accepted; /* for the log line at stop (bench/ reads it) */
} server;

void sb_server_defaults(sb_server_opts *o, const char *path)
{
    o->path = path;
    o->mode = 0660;
    o->max_line = 1u << 20;
    o->max_conns = 1000;
    o->idle_line_ms = 10000;
    o->allowed = NULL;
    o->done = NULL;
    o->workers = 1;
    o->worker_args = NULL;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The monotonic clock in nanoseconds (a vDSO call: no system call). */
static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Registers or updates c in epoll: read while nothing is waiting to be written. */
static void watch(server *s, conn *c, int op)
{
    struct epoll_event ev = {0};
    ev.events = (c->out.len > c->out_off) ? EPOLLOUT : (c->closing ? 0 : EPOLLIN);
    if (op == EPOLL_CTL_MOD && ev.events == c->events)
        return;
    ev.data.ptr = c;
    c->events = ev.events;
    epoll_ctl(s->epfd, op, c->fd, &ev);
}

static void conn_close(server *s, conn *c)
{
    sb_log(SB_LOG_DEBUG, "connection %llu closed (%d open)", c->id, s->nconns - 1);
    epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    sb_buf_free(&c->out);
    free(c->in);
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    s->nconns--;
    if (s->open) {
        atomic_fetch_sub(s->open, 1);
        atomic_fetch_sub(&s->held, 1);
    }
    free(c);
}

/* Writes what is pending; once everything is sent the buffer is wiped and kept for the
 * next reply (or freed when an unusually large reply grew it). Returns -1 when the
 * connection is gone. */
static int flush(conn *c)
{
    while (c->out_off < c->out.len) {
        ssize_t n = send(c->fd, c->out.p + c->out_off, c->out.len - c->out_off, MSG_NOSIGNAL);
        if (n > 0) {
            c->out_off += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        return -1;
    }
    if (c->out.cap > KEEP_OUT)
        sb_buf_free(&c->out);
    else
        sb_buf_clear(&c->out);
    c->out_off = 0;
    return 0;
}

/* Answers the complete lines in c->in, stopping while a reply waits to be written.
 * Returns -1 when the connection must be dropped now. */
static int process(server *s, conn *c)
{
    size_t start = 0;
    while (c->out.len == c->out_off && !c->closing) {
        char *nl = memchr(c->in + c->scanned, '\n', c->in_len - c->scanned);
        if (!nl) {
            c->scanned = c->in_len;
            break;
        }
        size_t len = (size_t)(nl - (c->in + start));
        size_t next = (size_t)(nl - c->in) + 1;
        if (len > 0 && c->in[start + len - 1] == '\r')
            len--;
        if (len > 0) {
            s->requests++;
            uint64_t t0 = s->o->done ? now_ns() : 0;
            if (s->fn(s->arg, c->in + start, len, &c->out) < 0)
                return -1;
            if (flush(c) < 0)
                return -1;
            if (s->o->done)
                s->o->done(s->arg, now_ns() - t0);
        }
        start = c->scanned = next;
    }
    if (start > 0) {
        memmove(c->in, c->in + start, c->in_len - start);
        c->in_len -= start;
        c->scanned -= start;
    }
    /* The clock for a partial line starts when it starts (or when a line completed). */
    if (c->in_len == 0 && (start > 0 || c->deadline == 0))
        c->deadline = 0;
    else if (c->in_len > 0 && (start > 0 || c->deadline == 0))
        c->deadline = now_ms() + s->o->idle_line_ms;
    if (c->in_len > s->o->max_line) {
        /* A fixed reply in the protocol's error shape; the rest of the line is not read. */
        char reply[128];
        int n = snprintf(reply, sizeof reply,
                         "{\"result\":false,\"log\":[\"request line over %zu bytes\"]}\n",
                         s->o->max_line);
        if (n < 0 || (size_t)n >= sizeof reply)
            return -1;
        sb_log(SB_LOG_WARNING, "closing a connection whose request line is over %zu bytes",
               s->o->max_line);
        c->closing = 1;
        c->in_len = c->scanned = 0;
        if (sb_buf_put(&c->out, reply, (size_t)n) < 0 || flush(c) < 0)
            return -1;
    }
    return 0;
}

/* Reads what the client sent. Returns -1 when the connection must be dropped. */
static int on_readable(server *s, conn *c)
{
    for (int rounds = 0; rounds < 16; rounds++) { /* then let the others have a turn */
        if (c->in_cap - c->in_len < READ_CHUNK) {
            size_t nc = c->in_cap ? c->in_cap * 2 : READ_CHUNK * 2;
            char *n = realloc(c->in, nc);
            if (!n)
                return -1;
            c->in = n;
            c->in_cap = nc;
        }
        ssize_t n = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
        if (n == 0)
            return -1; /* gone; a partial line is dropped with it */
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            return -1;
        }
        int full = (size_t)n == c->in_cap - c->in_len;
        c->in_len += (size_t)n;
        if (process(s, c) < 0)
            return -1;
        if (c->closing || c->out.len > c->out_off || !full)
            return 0; /* a short read took all there was: epoll tells when there is more */
    }
    return 0;
}

/* Logs a refused peer (uid and pid; -1 when SO_PEERCRED failed), REFUSALS_LOGGED a second
 * at most; those beyond are counted and their number goes into the next line logged. */
static void log_refusal(server *s, long uid, long pid)
{
    int64_t t = now_ms();
    if (t - s->refusal_second >= 1000) {
        s->refusal_second = t;
        s->refusals_logged = 0;
    }
    if (s->refusals_logged >= REFUSALS_LOGGED) {
        s->refusals_unlogged++;
        return;
    }
    s->refusals_logged++;
    if (s->refusals_unlogged)
        sb_log(SB_LOG_WARNING,
               "refused a connection from uid %ld pid %ld: not in backend-allowed-uids "
               "(and %lu more since the last such line)",
               uid, pid, s->refusals_unlogged);
    else
        sb_log(SB_LOG_WARNING,
               "refused a connection from uid %ld pid %ld: not in backend-allowed-uids", uid, pid);
    s->refusals_unlogged = 0;
}

/* 1 when the peer of the accepted socket fd may stay; else logs it and returns 0. */
static int peer_allowed(server *s, int fd)
{
    if (!s->o->allowed || s->o->allowed->any)
        return 1;
    uid_t uid;
    pid_t pid;
    if (sd_peer_cred(fd, &uid, &pid) < 0) {
        log_refusal(s, -1, -1);
        return 0;
    }
    if (sd_uidlist_allows(s->o->allowed, uid))
        return 1;
    log_refusal(s, (long)uid, (long)pid);
    return 0;
}

/* Makes fd (accepted, non-blocking, peer allowed) a connection of s. Returns -1 (fd closed)
 * when out of memory. */
static int adopt(server *s, int fd)
{
    conn *c = calloc(1, sizeof *c);
    if (!c) {
        close(fd);
        return -1;
    }
    c->fd = fd;
    c->id = ++s->accepted;
    sb_log(SB_LOG_DEBUG, "connection %llu opened (%d open)", c->id, s->nconns + 1);
    c->deadline = now_ms() + s->o->idle_line_ms; /* PowerDNS sends initialize at once */
    c->next = s->conns;
    if (s->conns)
        s->conns->prev = c;
    s->conns = c;
    s->nconns++;
    watch(s, c, EPOLL_CTL_ADD);
    return 0;
}

/* In a worker: takes the descriptors the acceptor handed over. */
static void on_inbox(server *s)
{
    int fds[64];
    ssize_t n = read(s->inbox[0], fds, sizeof fds);
    for (ssize_t i = 0; i < n / (ssize_t)sizeof fds[0]; i++)
        if (adopt(s, fds[i]) < 0) {
            atomic_fetch_sub(s->open, 1);
            atomic_fetch_sub(&s->held, 1);
        }
}

static void on_accept(server *s)
{
    for (;;) {
        int fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                sb_log(SB_LOG_ERROR, "accept: %s", strerror(errno));
            return;
        }
        if (!peer_allowed(s, fd)) {
            close(fd);
            continue;
        }
        int open = s->workers ? atomic_load(s->open) : s->nconns;
        if (open >= s->o->max_conns) {
            int64_t t = now_ms();
            if (t - s->last_refusal_log > 1000) {
                sb_log(SB_LOG_WARNING, "too many connections (%d): refusing new ones", open);
                s->last_refusal_log = t;
            }
            close(fd);
            continue;
        }
        if (!s->workers) {
            adopt(s, fd);
            continue;
        }
        /* The worker holding the fewest connections takes it. */
        server *w = &s->workers[0];
        for (int i = 1; i < s->n_workers; i++)
            if (atomic_load(&s->workers[i].held) < atomic_load(&w->held))
                w = &s->workers[i];
        s->accepted++;
        atomic_fetch_add(s->open, 1);
        atomic_fetch_add(&w->held, 1);
        if (write(w->inbox[1], &fd, sizeof fd) != (ssize_t)sizeof fd) {
            sb_log(SB_LOG_ERROR, "cannot hand a connection to a worker: %s", strerror(errno));
            atomic_fetch_sub(s->open, 1);
            atomic_fetch_sub(&w->held, 1);
            close(fd);
        }
    }
}

/* Closes connections whose line did not arrive in time. */
static void sweep(server *s)
{
    int64_t t = now_ms();
    for (conn *c = s->conns, *next; c; c = next) {
        next = c->next;
        if (c->deadline && t >= c->deadline) {
            sb_log(SB_LOG_INFO, "closing a connection that sent no complete line in %d ms",
                   s->o->idle_line_ms);
            conn_close(s, c);
        }
    }
}

/* Creates, binds and chmods the listening socket. */
static int listen_on(const sb_server_opts *o, sd_err *e)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(o->path) >= sizeof sa.sun_path)
        return sd_fail(e, SD_EBADINPUT, "backend-socket path is too long (at most %zu bytes)",
                       sizeof sa.sun_path - 1);
    memcpy(sa.sun_path, o->path, strlen(o->path) + 1);
    struct stat st;
    if (lstat(o->path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            return sd_fail(e, SD_EBADINPUT, "%s exists and is not a socket", o->path);
        unlink(o->path); /* a stale socket from an earlier run */
    }
    /* Bound, chmod'ed and listening under a temporary name first, then renamed into place:
     * whoever sees the socket at the path (PowerDNS, a test waiting for it) can connect at
     * once, and never finds it with the wrong mode. */
    char tmp[sizeof sa.sun_path];
    int renamed = snprintf(tmp, sizeof tmp, "%s.tmp", o->path) < (int)sizeof tmp;
    if (renamed) {
        unlink(tmp);
        memcpy(sa.sun_path, tmp, strlen(tmp) + 1);
    }
    const char *at = renamed ? tmp : o->path;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return sd_fail(e, SD_EINTERNAL, "socket: %s", strerror(errno));
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || chmod(at, o->mode) < 0 ||
        listen(fd, 512) < 0 || (renamed && rename(tmp, o->path) < 0)) {
        int err = errno;
        close(fd);
        if (renamed)
            unlink(tmp);
        return sd_fail(e, SD_EINTERNAL, "cannot listen on %s: %s", o->path, strerror(err));
    }
    return fd;
}

/* The event loop of one thread: connections (and, in the acceptor, the listening socket)
 * until stop_fd is readable. Closes every connection it holds before returning. */
static void serve_loop(server *s, int stop_fd)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = s}; /* s marks the stop fd */
    epoll_ctl(s->epfd, EPOLL_CTL_ADD, stop_fd, &ev);
    if (s->lfd >= 0) {
        ev.data.ptr = NULL;
        epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->lfd, &ev);
    }
    if (s->inbox[0] >= 0) {
        ev.data.ptr = s->inbox;
        epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->inbox[0], &ev);
    }
    int running = 1;
    int64_t next_sweep = now_ms() + 200;
    while (running) {
        struct epoll_event evs[64];
        int n = epoll_wait(s->epfd, evs, 64, 200);
        if (n < 0 && errno != EINTR) {
            sb_log(SB_LOG_ERROR, "epoll_wait: %s", strerror(errno));
            break;
        }
        for (int i = 0; i < n; i++) {
            void *p = evs[i].data.ptr;
            if (p == NULL) {
                on_accept(s);
                continue;
            }
            if (p == s) {
                running = 0;
                continue;
            }
            if (p == s->inbox) {
                on_inbox(s);
                continue;
            }
            conn *c = p;
            int drop = 0;
            if (evs[i].events & EPOLLOUT) {
                drop = flush(c) < 0;
                if (!drop && c->out.len == c->out_off) {
                    if (c->closing)
                        drop = 1;
                    else
                        drop = process(s, c) < 0; /* lines that waited for the reply */
                }
            } else if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                drop = on_readable(s, c) < 0;
            }
            if (!drop && c->closing && c->out.len == c->out_off)
                drop = 1;
            if (drop)
                conn_close(s, c);
            else
                watch(s, c, EPOLL_CTL_MOD);
        }
        if (now_ms() >= next_sweep) {
            sweep(s);
            next_sweep = now_ms() + 200;
        }
    }
    while (s->conns)
        conn_close(s, s->conns);
}

static int g_quit_fd = -1; /* set before any worker starts; read by the workers only */

static void *worker_main(void *arg)
{
    server *s = arg;
    serve_loop(s, g_quit_fd);
    /* Connections handed over but not yet taken: closed. */
    int fd;
    while (read(s->inbox[0], &fd, sizeof fd) == (ssize_t)sizeof fd)
        close(fd);
    return NULL;
}

int sb_server_run(const sb_server_opts *o, sb_line_fn fn, void *arg, int stop_fd, sd_err *e)
{
    server s = {.o = o, .fn = fn, .arg = arg, .epfd = -1, .inbox = {-1, -1}};
    sb_server_opts lim = *o;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        (rlim_t)lim.max_conns + 32 > rl.rlim_cur)
        lim.max_conns = rl.rlim_cur > 64 ? (int)(rl.rlim_cur - 32) : 16;
    s.o = &lim;
    s.lfd = listen_on(o, e);
    if (s.lfd < 0)
        return s.lfd;
    s.epfd = epoll_create1(EPOLL_CLOEXEC);
    if (s.epfd < 0) {
        close(s.lfd);
        unlink(o->path);
        return sd_fail(e, SD_EINTERNAL, "epoll_create1: %s", strerror(errno));
    }
    int nw = o->workers > 1 ? o->workers : 0;
    atomic_int open = 0;
    int quit[2] = {-1, -1};
    if (nw) {
        s.workers = calloc((size_t)nw, sizeof *s.workers);
        s.n_workers = nw;
        s.open = &open;
        if (!s.workers || pipe2(quit, O_CLOEXEC) < 0) {
            free(s.workers);
            close(s.epfd);
            close(s.lfd);
            unlink(o->path);
            return sd_fail(e, SD_EINTERNAL, "cannot start the worker threads");
        }
        g_quit_fd = quit[0];
        int started = 0;
        for (; started < nw; started++) {
            server *w = &s.workers[started];
            *w = (server){.o = &lim,
                          .fn = fn,
                          .arg = o->worker_args ? o->worker_args[started] : arg,
                          .lfd = -1,
                          .open = &open};
            w->epfd = epoll_create1(EPOLL_CLOEXEC);
            if (w->epfd < 0 || pipe2(w->inbox, O_CLOEXEC | O_NONBLOCK) < 0 ||
                pthread_create(&w->thread, NULL, worker_main, w) != 0) {
                if (w->epfd >= 0)
                    close(w->epfd);
                break;
            }
        }
        if (started < nw) {
            sb_log(SB_LOG_ERROR, "could start only %d of %d worker threads", started, nw);
            s.n_workers = nw = started;
        }
        if (!nw) {
            free(s.workers);
            s.workers = NULL;
            s.open = NULL;
        }
    }
    sb_log(SB_LOG_INFO, "listening on %s (%d worker thread%s)", o->path, nw ? nw : 1,
           nw > 1 ? "s" : "");
    serve_loop(&s, stop_fd);
    unsigned long long requests = s.requests;
    if (nw) {
        if (write(quit[1], "q", 1) != 1)
            sb_log(SB_LOG_ERROR, "cannot stop the worker threads: %s", strerror(errno));
        for (int i = 0; i < nw; i++) {
            pthread_join(s.workers[i].thread, NULL);
            requests += s.workers[i].requests;
            close(s.workers[i].epfd);
            close(s.workers[i].inbox[0]);
            close(s.workers[i].inbox[1]);
        }
        free(s.workers);
        close(quit[0]);
        close(quit[1]);
        g_quit_fd = -1;
    }
    close(s.epfd);
    close(s.lfd);
    unlink(o->path);
    sb_log(SB_LOG_INFO, "stopped after %llu requests on %llu connections", requests, s.accepted);
    return 0;
}
