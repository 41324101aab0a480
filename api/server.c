/* server.c - libmicrohttpd glue: connections, bodies, responses, the request log.
 *
 * Threading: MHD's internal polling (epoll on Linux) with a fixed pool of worker threads,
 * not a thread per connection. A slow or idle client then costs a socket and a little
 * memory but never a thread, so a few hundred stalled clients cannot starve the rest, and
 * the number of threads (and so of SQLite connections, one per worker, taken from the pool
 * for the length of one request) stays fixed. Handlers block their worker while they run
 * (key generation, an fsync'd commit): --threads sets how many run at once.
 *
 * What one client can hold is bounded (see the README's security section): connections per
 * address (MHD_OPTION_PER_IP_CONNECTION_LIMIT, TCP only), the time a whole request may take
 * to arrive however it trickles (api/conn_guard.h), and failed tokens per address
 * (api/auth_limit.h, in the dispatcher).
 *
 * Paths are not unescaped by MHD (a no-op unescape callback): the router splits the raw
 * path at '/' and decodes each segment itself, so "%2F" cannot make a new segment. */
#include "api/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdarg.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <time.h>

#include "api/auth_limit.h"
#include "api/conn_guard.h"
#include "api/dispatch.h"
#include "api/json_io.h"
#include "api/log.h"
#include "api/peer_gate.h"

struct api_http {
    struct MHD_Daemon *d;
    api_peer_gate *gate;   /* the Unix socket's uid check (NULL: none) */
    api_conn_guard *guard; /* deadlines (and the gate) per connection */
};

/* One request's state between MHD's calls: start time and the body so far. */
typedef struct conn_state {
    struct timespec start;
    char *body;
    size_t len, cap;
    int too_big;
} conn_state;

/* Milliseconds since t0. */
static double ms_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* libmicrohttpd's own messages (a connection closed with its request unfinished, a client
 * over the per-address limit, a TLS handshake that failed): a client can cause them at will,
 * so at most MHD_LINES_A_SECOND lines a second go to the log, at warning; the rest are counted
 * into the next line. */
#define MHD_LINES_A_SECOND 5
__attribute__((format(printf, 2, 0))) static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    static time_t second;
    static int lines;
    static unsigned long dropped;
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    pthread_mutex_lock(&mu);
    if (ts.tv_sec != second) {
        second = ts.tv_sec;
        lines = 0;
    }
    int log = lines < MHD_LINES_A_SECOND;
    unsigned long before = log ? dropped : 0;
    if (log) {
        lines++;
        dropped = 0;
    } else {
        dropped++;
    }
    pthread_mutex_unlock(&mu);
    if (log && before)
        api_log_msg(API_LOG_WARNING, "http: %s (and %lu more such messages)", msg, before);
    else if (log)
        api_log_msg(API_LOG_WARNING, "http: %s", msg);
}

/* Leaves every URL and argument as received: see the comment at the top. */
static size_t no_unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    return strlen(s);
}

/* The query lookup that handlers use. */
static const char *query_get(void *qctx, const char *key)
{
    return MHD_lookup_connection_value(qctx, MHD_GET_ARGUMENT_KIND, key);
}

/* Sends rs on c (and logs the request); takes rs->text. Returns MHD's verdict. */
static enum MHD_Result send_resp(struct MHD_Connection *c, const char *method, const char *url,
                                 const conn_state *cs, api_resp *rs, const char *token_name,
                                 int close_after)
{
    struct MHD_Response *r;
    if (rs->text) {
        r = MHD_create_response_from_buffer(rs->text_len, rs->text, MHD_RESPMEM_MUST_FREE);
        if (!r)
            free(rs->text);
        rs->text = NULL; /* the response owns it now (or it is gone) */
    } else if (rs->raw) {
        r = MHD_create_response_from_buffer(rs->raw_len, (void *)rs->raw, MHD_RESPMEM_PERSISTENT);
    } else if (rs->body && rs->status != 204) {
        char *text = json_dumps(rs->body, JSON_COMPACT);
        size_t len = text ? strlen(text) : 0;
        char *buf = text ? realloc(text, len + 2) : NULL;
        if (!buf) {
            free(text);
            return MHD_NO;
        }
        buf[len++] = '\n';
        buf[len] = '\0';
        r = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
    } else {
        r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    }
    if (!r)
        return MHD_NO;
    if (rs->status != 204)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                                rs->content_type ? rs->content_type : "application/json");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (rs->retry_after > 0) {
        char v[16];
        snprintf(v, sizeof v, "%d", rs->retry_after);
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, v);
    }
    if (rs->allow[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, rs->allow);
    if (rs->csp) {
        MHD_add_response_header(r, "Content-Security-Policy", rs->csp);
        MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
        MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    }
    if (rs->location[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, rs->location);
    if (rs->status == 401)
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"scaidns\"");
    if (close_after)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)rs->status, r);
    MHD_destroy_response(r);
    api_log_request(method, url, rs->status, ms_since(&cs->start), token_name);
    return ret;
}

/* Appends upload bytes to the body, or marks it too big (and drops it). */
static void take_body(conn_state *cs, const char *data, size_t n)
{
    if (cs->too_big)
        return;
    if (cs->len + n > API_MAX_BODY) {
        cs->too_big = 1;
        free(cs->body);
        cs->body = NULL;
        cs->len = cs->cap = 0;
        return;
    }
    if (cs->len + n > cs->cap) {
        size_t cap = cs->cap ? cs->cap : 1024;
        while (cap < cs->len + n)
            cap *= 2;
        char *b = realloc(cs->body, cap);
        if (!b) {
            cs->too_big = 1; /* cannot hold it: refuse like an oversized body */
            return;
        }
        cs->body = b;
        cs->cap = cap;
    }
    memcpy(cs->body + cs->len, data, n);
    cs->len += n;
}

/* MHD's request callback: first call sets up state (and refuses an announced oversized
 * body at once), then body chunks arrive, then the final call dispatches. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    const api_server *srv = cls;
    conn_state *cs = *con_cls;
    if (!cs) {
        if (api_conn_guard_refused(c))
            return MHD_NO; /* shut out by the gate or the deadline: closed, never served */
        cs = calloc(1, sizeof *cs);
        if (!cs)
            return MHD_NO;
        clock_gettime(CLOCK_MONOTONIC, &cs->start);
        *con_cls = cs;
        const char *cl =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > API_MAX_BODY) {
            cs->too_big = 1;
            api_conn_guard_received(c);
            api_resp rs = {0};
            api_error(&rs, 413, "the request body is larger than %d bytes", API_MAX_BODY);
            enum MHD_Result ret = send_resp(c, method, url, cs, &rs, "", 1);
            json_decref(rs.body);
            return ret;
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        take_body(cs, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    api_conn_guard_received(c);
    char peer[API_AUTH_LIMIT_PEER];
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    api_auth_limit_peer(ci ? ci->client_addr : NULL, peer);
    api_http_in in = {
        .method = method,
        .path = url,
        .authorization =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION),
        .peer = peer,
        .body = cs->body,
        .body_len = cs->len,
        .body_too_big = cs->too_big,
        .query = query_get,
        .qctx = c,
    };
    api_resp rs = {0};
    char token_name[128];
    api_dispatch(srv, &in, &rs, token_name, sizeof token_name);
    enum MHD_Result ret = send_resp(c, method, url, cs, &rs, token_name, rs.status == 413);
    json_decref(rs.body);
    return ret;
}

/* Frees the request state when MHD is done with the request. */
static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)toe;
    conn_state *cs = *con_cls;
    api_conn_guard_answered(c);
    if (cs) {
        free(cs->body);
        free(cs);
    }
    *con_cls = NULL;
}

/* Splits "host:port" / "[v6]:port" into host and port. */
static int split_listen(const char *listen, char *host, size_t hlen, char *port, size_t plen,
                        sd_err *e)
{
    const char *colon;
    const char *h = listen;
    size_t hl;
    if (listen[0] == '[') {
        const char *end = strchr(listen, ']');
        if (!end || end[1] != ':')
            return sd_fail(e, SD_EBADINPUT, "api-listen '%s' is not [address]:port", listen);
        h = listen + 1;
        hl = (size_t)(end - h);
        colon = end + 1;
    } else {
        colon = strrchr(listen, ':');
        if (!colon)
            return sd_fail(e, SD_EBADINPUT, "api-listen '%s' is not host:port", listen);
        hl = (size_t)(colon - listen);
    }
    if (hl == 0 || hl >= hlen || strlen(colon + 1) == 0 || strlen(colon + 1) >= plen)
        return sd_fail(e, SD_EBADINPUT, "api-listen '%s' is not host:port", listen);
    memcpy(host, h, hl);
    host[hl] = '\0';
    snprintf(port, plen, "%s", colon + 1);
    return 0;
}

/* Starts MHD on an open listening socket fd (or, when fd < 0, on addr: TCP, with the
 * per-address connection limit) with srv's routes and opts' limits and TLS; guard times each
 * connection's requests (and checks its peer). Takes ownership of fd. */
static struct MHD_Daemon *start(const api_server *srv, int fd, const struct sockaddr *addr,
                                int ipv6, const api_http_opts *opts, api_conn_guard *guard)
{
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;
    if (ipv6)
        flags |= MHD_USE_IPv6;
    struct MHD_OptionItem o[16];
    size_t n = 0;
    o[n++] = (struct MHD_OptionItem){MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, NULL};
    if (fd >= 0)
        o[n++] = (struct MHD_OptionItem){MHD_OPTION_LISTEN_SOCKET, fd, NULL};
    else
        o[n++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, (void *)addr};
    if (opts->tls_cert_pem && opts->tls_key_pem && fd < 0) {
        flags |= MHD_USE_TLS;
        o[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)opts->tls_cert_pem};
        o[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)opts->tls_key_pem};
    }
    o[n++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE,
                                     opts->threads > 1 ? (intptr_t)opts->threads : 0, NULL};
    o[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)opts->timeout, NULL};
    o[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, (intptr_t)opts->max_conns, NULL};
    o[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_MEMORY_LIMIT, 64 * 1024, NULL};
    if (fd < 0 && opts->per_ip > 0)
        o[n++] = (struct MHD_OptionItem){MHD_OPTION_PER_IP_CONNECTION_LIMIT, (intptr_t)opts->per_ip,
                                         NULL};
    o[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)api_conn_guard_notify,
                                     guard};
    o[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    /* MHD sets SO_REUSEADDR itself; MHD_OPTION_LISTENING_ADDRESS_REUSE would add
     * SO_REUSEPORT and let a second server share (and split) the port. A pool of one
     * thread is MHD's plain internal thread. */
    struct MHD_Daemon *d =
        MHD_start_daemon(flags, 0, NULL, NULL, on_request, (void *)srv, MHD_OPTION_ARRAY, o,
                         MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, NULL,
                         MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END);
    if (!d && fd >= 0)
        close(fd);
    return d;
}

/* Wraps a running daemon, its guard and its gate (NULL or owned) into *out. */
static int wrap(struct MHD_Daemon *d, api_conn_guard *guard, api_peer_gate *gate,
                struct api_http **out, sd_err *e)
{
    struct api_http *h = calloc(1, sizeof *h);
    if (!h) {
        MHD_stop_daemon(d);
        api_conn_guard_free(guard);
        api_peer_gate_free(gate);
        return sd_fail(e, SD_EINTERNAL, "out of memory");
    }
    h->d = d;
    h->guard = guard;
    h->gate = gate;
    *out = h;
    return 0;
}

int api_http_start(const api_server *srv, const char *listen, const api_http_opts *opts,
                   struct api_http **out, unsigned *bound_port, sd_err *e)
{
    char host[256], port[16];
    *out = NULL;
    if (split_listen(listen, host, sizeof host, port, sizeof port, e) < 0)
        return -SD_EBADINPUT;
    struct addrinfo hints = {0}, *ai = NULL;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
    int g = getaddrinfo(host, port, &hints, &ai);
    if (g != 0)
        return sd_fail(e, SD_EBADINPUT, "api-listen '%s': %s", listen, gai_strerror(g));
    api_conn_guard *guard = api_conn_guard_new(opts->deadline, NULL, srv->metrics);
    if (!guard) {
        freeaddrinfo(ai);
        return sd_fail(e, SD_EINTERNAL, "out of memory");
    }
    struct MHD_Daemon *d = start(srv, -1, ai->ai_addr, ai->ai_family == AF_INET6, opts, guard);
    freeaddrinfo(ai);
    if (!d) {
        api_conn_guard_free(guard);
        return sd_fail(e, SD_EINTERNAL, "cannot listen on %s (in use, or not an address here?)",
                       listen);
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    *bound_port = info ? info->port : 0;
    return wrap(d, guard, NULL, out, e);
}

int api_http_start_unix(const api_server *srv, const char *path, const char *mode,
                        const sd_uidlist *allowed, const api_http_opts *opts, struct api_http **out,
                        sd_err *e)
{
    struct sockaddr_un sa;
    struct stat st;
    char *end;
    *out = NULL;
    long m = strtol(mode, &end, 8);
    if (*mode == '\0' || *end || m < 0 || m > 0777)
        return sd_fail(e, SD_EBADINPUT, "api-socket-mode '%s' is not an octal mode", mode);
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof sa.sun_path)
        return sd_fail(e, SD_EBADINPUT, "api-socket '%s' is too long for a Unix socket", path);
    memcpy(sa.sun_path, path, strlen(path) + 1);
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            return sd_fail(e, SD_EBADINPUT, "api-socket %s exists and is not a socket", path);
        unlink(path); /* left by a process that did not stop cleanly */
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return sd_fail(e, SD_EINTERNAL, "socket: %s", strerror(errno));
    mode_t old = umask(0177);
    int rc = bind(fd, (struct sockaddr *)&sa, sizeof sa);
    umask(old);
    if (rc < 0 || chmod(path, (mode_t)m) < 0 || listen(fd, 128) < 0) {
        sd_fail(e, SD_EINTERNAL, "cannot listen on %s: %s", path, strerror(errno));
        close(fd);
        return -SD_EINTERNAL;
    }
    api_peer_gate *gate = allowed->any ? NULL : api_peer_gate_new(allowed);
    api_conn_guard *guard =
        allowed->any || gate ? api_conn_guard_new(opts->deadline, gate, srv->metrics) : NULL;
    if (!guard) {
        api_peer_gate_free(gate);
        close(fd);
        return sd_fail(e, SD_EINTERNAL, "out of memory");
    }
    struct MHD_Daemon *d = start(srv, fd, NULL, 0, opts, guard);
    if (!d) {
        api_conn_guard_free(guard);
        api_peer_gate_free(gate);
        return sd_fail(e, SD_EINTERNAL, "cannot serve HTTP on %s", path);
    }
    return wrap(d, guard, gate, out, e);
}

void api_http_stop(struct api_http *h)
{
    if (!h)
        return;
    MHD_stop_daemon(h->d);
    api_conn_guard_free(h->guard);
    api_peer_gate_free(h->gate);
    free(h);
}
