/* webhook_http.c - the smallest HTTP/1.1 client the webhook needs: one POST over a plain TCP
 * connection, "Connection: close", reading only the status line, all within one deadline. */
#include "api/webhook.h"

#include "lifecycle/io.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* The parts of an http:// URL. */
typedef struct url_parts {
    char host[256];
    char port[8];
    const char *path; /* into the URL; "/" when it has none */
} url_parts;

/* Splits url into u; fails on anything but http://host[:port][/path]. */
static int parse_url(const char *url, url_parts *u, sd_err *e)
{
    if (strncmp(url, "http://", 7) != 0)
        return sd_fail(e, SD_EBADINPUT,
                       "webhook-url '%s' must start with http:// (https is not supported)", url);
    const char *h = url + 7, *slash = strchr(h, '/');
    size_t hl = slash ? (size_t)(slash - h) : strlen(h);
    u->path = slash ? slash : "/";
    const char *colon = memchr(h, ':', hl);
    size_t namel = colon ? (size_t)(colon - h) : hl;
    size_t portl = colon ? hl - namel - 1 : 0;
    if (namel == 0 || namel >= sizeof u->host || (colon && (portl == 0 || portl > 5)))
        return sd_fail(e, SD_EBADINPUT, "webhook-url '%s': bad host or port", url);
    memcpy(u->host, h, namel);
    u->host[namel] = '\0';
    if (colon) {
        memcpy(u->port, colon + 1, portl);
        u->port[portl] = '\0';
        for (size_t i = 0; i < portl; i++)
            if (u->port[i] < '0' || u->port[i] > '9')
                return sd_fail(e, SD_EBADINPUT, "webhook-url '%s': bad port", url);
    } else {
        memcpy(u->port, "80", 3);
    }
    for (const char *p = u->path; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f)
            return sd_fail(e, SD_EBADINPUT, "webhook-url '%s': bad character in the path", url);
    return 0;
}

int api_webhook_check_url(const char *url, sd_err *e)
{
    url_parts u;
    return parse_url(url, &u, e);
}

/* Connects a non-blocking socket to u before the deadline; returns the fd or -1. */
static int connect_to(const url_parts *u, int64_t deadline, sd_err *e)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    int g = getaddrinfo(u->host, u->port, &hints, &res);
    if (g != 0) {
        sd_fail(e, SD_EINTERNAL, "cannot resolve %s: %s", u->host, gai_strerror(g));
        return -1;
    }
    int fd = -1;
    sd_fail(e, SD_EINTERNAL, "cannot connect to %s:%s", u->host, u->port);
    for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0)
            continue;
        int err = 0;
        socklen_t el = sizeof err;
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0 ||
            (errno == EINPROGRESS && sd_wait_fd(fd, POLLOUT, deadline) == 0 &&
             getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0 && err == 0))
            break;
        sd_fail(e, SD_EINTERNAL, "cannot connect to %s:%s: %s", u->host, u->port,
                err ? strerror(err) : (sd_mono_ms() >= deadline ? "timed out" : strerror(errno)));
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

/* Sends buf[0..len) on fd before the deadline; 0 or -1. */
static int send_all(int fd, const char *buf, size_t len, int64_t deadline)
{
    while (len > 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n > 0) {
            buf += n;
            len -= (size_t)n;
        } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
            return -1;
        } else if (sd_wait_fd(fd, POLLOUT, deadline) < 0) {
            return -1;
        }
    }
    return 0;
}

/* Reads the status line from fd before the deadline; sets *status. 0 or -1 (e set). */
static int read_status(int fd, int64_t deadline, int *status, sd_err *e)
{
    char buf[512];
    size_t got = 0;
    while (got < sizeof buf - 1 && !memchr(buf, '\n', got)) {
        ssize_t n = recv(fd, buf + got, sizeof buf - 1 - got, 0);
        if (n > 0) {
            got += (size_t)n;
        } else if (n == 0) {
            break;
        } else if ((errno != EAGAIN && errno != EINTR) || sd_wait_fd(fd, POLLIN, deadline) < 0) {
            return sd_fail(e, SD_EINTERNAL, "no answer from the webhook: %s",
                           sd_mono_ms() >= deadline ? "timed out" : strerror(errno));
        }
    }
    buf[got] = '\0';
    int code = 0;
    if (sscanf(buf, "HTTP/1.%*1[01] %3d", &code) != 1 || code < 100 || code > 599)
        return sd_fail(e, SD_EINTERNAL, "the webhook answered no HTTP status line");
    *status = code;
    return 0;
}

int api_http_post(const char *url, const char *headers, const char *body, size_t len,
                  long timeout_ms, int *status, sd_err *e)
{
    url_parts u;
    *status = 0;
    if (parse_url(url, &u, e) < 0)
        return -SD_EINTERNAL;
    int64_t deadline = sd_mono_ms() + timeout_ms;
    int fd = connect_to(&u, deadline, e);
    if (fd < 0)
        return -SD_EINTERNAL;
    char head[2048];
    int n = snprintf(head, sizeof head,
                     "POST %s HTTP/1.1\r\nHost: %s:%s\r\nUser-Agent: scaidns\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n%s\r\n",
                     u.path, u.host, u.port, len, headers);
    int rc = 0;
    if (n < 0 || (size_t)n >= sizeof head)
        rc = sd_fail(e, SD_EINTERNAL, "webhook request headers too long");
    else if (send_all(fd, head, (size_t)n, deadline) < 0 || send_all(fd, body, len, deadline) < 0)
        rc = sd_fail(e, SD_EINTERNAL, "cannot send to the webhook: %s",
                     sd_mono_ms() >= deadline ? "timed out" : strerror(errno));
    else if (read_status(fd, deadline, status, e) < 0)
        rc = -SD_EINTERNAL;
    close(fd);
    return rc;
}
