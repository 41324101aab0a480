/* backend_client.c - the stats request to scaidns-backend over its socket
 * (api/backend_client.h). */
#include "api/backend_client.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lifecycle/io.h"

static const char REQUEST[] = "{\"method\":\"scaidnsStats\",\"parameters\":{}}\n";

/* Sends the request and reads up to the first newline into buf (cap bytes). Returns the
 * line's length (without the newline), or < 0 with e filled. */
static int exchange(int fd, const char *path, int64_t deadline, int timeout_ms, char *buf,
                    size_t cap, sd_err *e)
{
    size_t n = sizeof REQUEST - 1;
    for (size_t sent = 0; sent < n;) {
        if (sd_wait_fd(fd, POLLOUT, deadline) < 0)
            return sd_fail(e, SD_EBUSY, "scaidns-backend (%s) did not take the request", path);
        ssize_t w = send(fd, REQUEST + sent, n - sent, MSG_NOSIGNAL);
        if (w < 0 && errno != EAGAIN && errno != EINTR)
            return sd_fail(e, SD_EBUSY, "sending to %s: %s", path, strerror(errno));
        if (w > 0)
            sent += (size_t)w;
    }
    size_t got = 0;
    for (;;) {
        char *nl = memchr(buf, '\n', got);
        if (nl)
            return (int)(nl - buf);
        if (got == cap)
            return sd_fail(e, SD_EINTERNAL, "the stats reply of %s is over %zu bytes", path, cap);
        if (sd_wait_fd(fd, POLLIN, deadline) < 0)
            return sd_fail(e, SD_EBUSY, "scaidns-backend (%s) did not answer within %d ms", path,
                           timeout_ms);
        ssize_t r = recv(fd, buf + got, cap - got, 0);
        if (r == 0)
            return sd_fail(e, SD_EBUSY, "scaidns-backend (%s) closed the connection", path);
        if (r < 0 && errno != EAGAIN && errno != EINTR)
            return sd_fail(e, SD_EBUSY, "reading from %s: %s", path, strerror(errno));
        if (r > 0)
            got += (size_t)r;
    }
}

int api_backend_stats_fetch(const char *path, int timeout_ms, json_t **stats, sd_err *e)
{
    *stats = NULL;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (!path || !*path || strlen(path) >= sizeof sa.sun_path)
        return sd_fail(e, SD_EINTERNAL, "backend-socket is not set or too long");
    memcpy(sa.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return sd_fail(e, SD_EINTERNAL, "socket: %s", strerror(errno));
    int64_t deadline = sd_mono_ms() + timeout_ms;
    char *buf = NULL;
    int rc;
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS &&
        errno != EAGAIN) {
        rc = sd_fail(e, SD_EBUSY, "cannot reach scaidns-backend at %s: %s", path, strerror(errno));
        goto out;
    }
    buf = malloc(API_BACKEND_STATS_MAX_REPLY);
    if (!buf) {
        rc = sd_fail(e, SD_EINTERNAL, "out of memory");
        goto out;
    }
    rc = exchange(fd, path, deadline, timeout_ms, buf, API_BACKEND_STATS_MAX_REPLY, e);
    if (rc < 0)
        goto out;
    json_error_t jerr;
    json_t *reply = json_loadb(buf, (size_t)rc, 0, &jerr);
    json_t *result = json_object_get(reply, "result");
    if (!json_is_object(result)) {
        json_decref(reply);
        rc = sd_fail(e, SD_EINTERNAL, "scaidns-backend (%s) gave no stats (an older version?)",
                     path);
        goto out;
    }
    *stats = json_incref(result);
    json_decref(reply);
    rc = 0;
out:
    free(buf);
    close(fd);
    return rc;
}
