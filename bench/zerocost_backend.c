/* zerocost_backend.c - the cheapest possible PowerDNS remote backend, as the physical limit
 * of any remote backend in bench/backend_vs_gsqlite3.sh: it answers every request line from
 * a table of replies recorded from scaidns-backend, and does nothing else.
 *
 *   scaidns-bench-zerocost record TABLE SOCKET UPSTREAM
 *       listens on SOCKET, forwards every request line of every connection to the backend at
 *       UPSTREAM (one upstream connection per client connection) and hands its reply back;
 *       each distinct request line is appended to TABLE with its first reply (two lines).
 *   scaidns-bench-zerocost serve TABLE SOCKET
 *       listens on SOCKET and answers each request line with the reply recorded for it (a
 *       hash table lookup), {"result":false} for a line not in the table (counted as a miss).
 *
 * Both stop on SIGTERM or SIGINT and print "served N requests on C connections, M misses" on
 * stderr. The serving loop has the shape of scaidns-backend's (one thread, epoll,
 * level-triggered, non-blocking sockets, one read and one send per request), minus
 * everything that is the backend's work: parsing, the keystore, statistics. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define BUCKETS 4096 /* the table holds a few dozen lines */
#define CHUNK 65536

typedef struct entry {
    char *req, *rep; /* rep ends in '\n' */
    size_t req_len, rep_len;
    struct entry *next;
} entry;

static entry *table[BUCKETS];
static pthread_mutex_t table_mu = PTHREAD_MUTEX_INITIALIZER;
static FILE *table_out;
static unsigned long long served, misses, accepted;

static uint32_t hash(const char *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 16777619u;
    return h;
}

static entry *find(const char *req, size_t n)
{
    for (entry *e = table[hash(req, n) % BUCKETS]; e; e = e->next)
        if (e->req_len == n && memcmp(e->req, req, n) == 0)
            return e;
    return NULL;
}

/* Adds req -> rep (rep without its newline) unless req is there. Returns 1 when added. */
static int add(const char *req, size_t n, const char *rep, size_t m)
{
    if (find(req, n))
        return 0;
    entry *e = calloc(1, sizeof *e);
    if (!e || !(e->req = malloc(n)) || !(e->rep = malloc(m + 1))) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    memcpy(e->req, req, n);
    memcpy(e->rep, rep, m);
    e->rep[m] = '\n';
    e->req_len = n;
    e->rep_len = m + 1;
    uint32_t b = hash(req, n) % BUCKETS;
    e->next = table[b];
    table[b] = e;
    return 1;
}

static int load_table(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return -1;
    }
    char *a = NULL, *b = NULL;
    size_t ca = 0, cb = 0;
    ssize_t na, nb;
    int n = 0;
    while ((na = getline(&a, &ca, f)) > 0 && (nb = getline(&b, &cb, f)) > 0) {
        if (a[na - 1] == '\n')
            na--;
        if (b[nb - 1] == '\n')
            nb--;
        n += add(a, (size_t)na, b, (size_t)nb);
    }
    free(a);
    free(b);
    fclose(f);
    fprintf(stderr, "zerocost: %d recorded replies\n", n);
    return n > 0 ? 0 : -1;
}

static int listen_on(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof sa.sun_path)
        return -1;
    strcpy(sa.sun_path, path);
    unlink(path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 512) < 0) {
        perror(path);
        return -1;
    }
    return fd;
}

/* ---- serve ---- */

typedef struct conn {
    int fd;
    char *in;
    size_t len, cap;
} conn;

/* Answers every complete line in c->in. Returns -1 when the connection is gone. */
static int answer(conn *c)
{
    size_t start = 0;
    char *nl;
    while ((nl = memchr(c->in + start, '\n', c->len - start))) {
        size_t n = (size_t)(nl - (c->in + start));
        const entry *e = find(c->in + start, n);
        static const char no[] = "{\"result\":false}\n";
        const char *p = e ? e->rep : no;
        size_t m = e ? e->rep_len : sizeof no - 1;
        misses += !e;
        served++;
        while (m > 0) { /* replies are small: the socket buffer takes them whole */
            ssize_t w = send(c->fd, p, m, MSG_NOSIGNAL);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                return -1;
            p += w;
            m -= (size_t)w;
        }
        start = (size_t)(nl - c->in) + 1;
    }
    memmove(c->in, c->in + start, c->len - start);
    c->len -= start;
    return 0;
}

static int serve(const char *table_path, const char *sock, int sfd)
{
    if (load_table(table_path) < 0)
        return 1;
    int lfd = listen_on(sock);
    if (lfd < 0)
        return 1;
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    ev.data.ptr = &lfd;
    epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);
    for (;;) {
        struct epoll_event evs[64];
        int n = epoll_wait(ep, evs, 64, -1);
        for (int i = 0; i < n; i++) {
            if (evs[i].data.ptr == &lfd)
                goto out;
            if (!evs[i].data.ptr) {
                int fd;
                while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
                    conn *c = calloc(1, sizeof *c);
                    if (!c) {
                        close(fd);
                        continue;
                    }
                    c->fd = fd;
                    accepted++;
                    struct epoll_event ce = {.events = EPOLLIN, .data.ptr = c};
                    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ce);
                }
                continue;
            }
            conn *c = evs[i].data.ptr;
            if (c->cap - c->len < CHUNK) {
                char *p = realloc(c->in, c->cap + CHUNK);
                if (!p)
                    goto drop;
                c->in = p;
                c->cap += CHUNK;
            }
            ssize_t r = read(c->fd, c->in + c->len, c->cap - c->len);
            if (r < 0 && (errno == EAGAIN || errno == EINTR))
                continue;
            if (r > 0) {
                c->len += (size_t)r;
                if (answer(c) == 0)
                    continue;
            }
        drop:
            epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
            close(c->fd);
            free(c->in);
            free(c);
        }
    }
out:
    unlink(sock);
    fprintf(stderr, "zerocost: served %llu requests on %llu connections, %llu misses\n", served,
            accepted, misses);
    return 0;
}

/* ---- record ---- */

static const char *upstream_path;

/* Reads one line from fd into *buf (grown as needed), without its newline; the bytes read
 * past it stay in *buf after the line for the next call. Returns the line length, -1 at
 * end or error. */
typedef struct reader {
    int fd;
    char *p;
    size_t len, cap, line_end;
} reader;

static ssize_t read_line(reader *r)
{
    if (r->line_end) { /* drop the previous line */
        memmove(r->p, r->p + r->line_end, r->len - r->line_end);
        r->len -= r->line_end;
        r->line_end = 0;
    }
    for (;;) {
        char *nl = r->len ? memchr(r->p, '\n', r->len) : NULL;
        if (nl) {
            r->line_end = (size_t)(nl - r->p) + 1;
            return nl - r->p;
        }
        if (r->cap - r->len < CHUNK) {
            char *p = realloc(r->p, r->cap + CHUNK);
            if (!p)
                return -1;
            r->p = p;
            r->cap += CHUNK;
        }
        ssize_t n = read(r->fd, r->p + r->len, r->cap - r->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        r->len += (size_t)n;
    }
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void *proxy(void *arg)
{
    int cfd = (int)(intptr_t)arg;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    strcpy(sa.sun_path, upstream_path);
    int ufd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (ufd < 0 || connect(ufd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        perror(upstream_path);
        close(cfd);
        if (ufd >= 0)
            close(ufd);
        return NULL;
    }
    reader c = {.fd = cfd}, u = {.fd = ufd};
    ssize_t n, m;
    while ((n = read_line(&c)) >= 0) {
        if (write_all(ufd, c.p, (size_t)n + 1) < 0 || (m = read_line(&u)) < 0 ||
            write_all(cfd, u.p, (size_t)m + 1) < 0)
            break;
        pthread_mutex_lock(&table_mu);
        served++;
        if (add(c.p, (size_t)n, u.p, (size_t)m)) {
            fwrite(c.p, 1, (size_t)n + 1, table_out);
            fwrite(u.p, 1, (size_t)m + 1, table_out);
            fflush(table_out);
        }
        pthread_mutex_unlock(&table_mu);
    }
    close(cfd);
    close(ufd);
    free(c.p);
    free(u.p);
    return NULL;
}

static int record(const char *table_path, const char *sock, const char *upstream, int sfd)
{
    upstream_path = upstream;
    if (!(table_out = fopen(table_path, "a"))) {
        perror(table_path);
        return 1;
    }
    int lfd = listen_on(sock);
    if (lfd < 0)
        return 1;
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    ev.data.ptr = &lfd;
    epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);
    for (;;) {
        struct epoll_event e;
        if (epoll_wait(ep, &e, 1, -1) != 1)
            continue;
        if (e.data.ptr == &lfd)
            break;
        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        pthread_t t;
        accepted++;
        if (pthread_create(&t, NULL, proxy, (void *)(intptr_t)fd) != 0)
            close(fd);
        else
            pthread_detach(t);
    }
    unlink(sock);
    pthread_mutex_lock(&table_mu);
    fprintf(stderr, "zerocost: recorded %llu requests on %llu connections\n", served, accepted);
    fclose(table_out);
    return 0; /* the proxy threads end with the process */
}

int main(int argc, char **argv)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (argc == 4 && strcmp(argv[1], "serve") == 0)
        return serve(argv[2], argv[3], sfd);
    if (argc == 5 && strcmp(argv[1], "record") == 0)
        return record(argv[2], argv[3], argv[4], sfd);
    fprintf(stderr, "usage: %s serve TABLE SOCKET | record TABLE SOCKET UPSTREAM\n", argv[0]);
    return 2;
}
