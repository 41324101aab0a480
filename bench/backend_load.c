/* backend_load.c - scaidns-backend alone, without PowerDNS: requests per second and latency
 * percentiles of one remote-backend method over the Unix socket, with N connections each
 * doing what PowerDNS does (send one request line, wait for the reply line).
 *
 *   scaidns-bench-backend-load SOCKET METHOD ZONE CONNECTIONS SECONDS [NAME ...]
 *
 * METHOD is lookup (qtype ANY, cycling over the NAMEs, default ZONE itself), getDomainKeys
 * or getAllDomainMetadata (of ZONE). Prints one line:
 *   METHOD conns=N requests=R rps=X p50_us=A p99_us=B max_us=C errors=E
 * Each connection runs in its own thread; the first request of each is sent before the
 * clock starts (PowerDNS's initialize). A reply whose "result" is false counts as an error.
 * Percentiles come from the first 4,000,000 requests (spread over the connections). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_SAMPLES 4000000

typedef struct worker {
    const char *path;
    char **reqs; /* request lines, each ending in '\n' */
    size_t n_reqs;
    double seconds;
    uint32_t *lat_us; /* one sample per request, the first cap of them */
    size_t n, cap;
    size_t requests; /* all of them */
    unsigned long errors;
    int failed;
} worker;

/* Monotonic time in seconds. */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Connects to the backend's socket; -1 on failure. */
static int connect_to(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof sa.sun_path)
        return -1;
    memcpy(sa.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

/* Sends req and reads one reply line into buf (size cap). Returns the reply length, or -1
 * when the connection failed or the reply does not fit. */
static ssize_t call(int fd, const char *req, char *buf, size_t cap)
{
    size_t len = strlen(req), off = 0;
    while (off < len) {
        ssize_t n = write(fd, req + off, len - off);
        if (n <= 0 && errno != EINTR)
            return -1;
        if (n > 0)
            off += (size_t)n;
    }
    size_t got = 0;
    for (;;) {
        if (got == cap)
            return -1;
        ssize_t n = read(fd, buf + got, cap - got);
        if (n <= 0) {
            if (n < 0 && errno == EINTR)
                continue;
            return -1;
        }
        got += (size_t)n;
        if (buf[got - 1] == '\n')
            return (ssize_t)got;
    }
}

/* One connection's loop: requests until the time is up, a latency sample for each. */
static void *run(void *arg)
{
    worker *w = arg;
    static const size_t CAP = 1 << 20;
    char *buf = malloc(CAP);
    int fd = connect_to(w->path);
    if (!buf || fd < 0 ||
        call(fd, "{\"method\":\"initialize\",\"parameters\":{}}\n", buf, CAP) < 0) {
        w->failed = 1;
        free(buf);
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    double end = now_s() + w->seconds;
    for (size_t i = 0;; i++) {
        double t0 = now_s();
        if (t0 >= end)
            break;
        ssize_t n = call(fd, w->reqs[i % w->n_reqs], buf, CAP);
        double t1 = now_s();
        if (n < 0) {
            w->failed = 1;
            break;
        }
        w->requests++;
        if (memmem(buf, (size_t)n, "\"result\":false", 14))
            w->errors++;
        if (w->n < w->cap)
            w->lat_us[w->n++] = (uint32_t)((t1 - t0) * 1e6 + 0.5);
    }
    close(fd);
    free(buf);
    return NULL;
}

/* qsort order of latency samples. */
static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Builds the request line for method about zone (and name, for lookup); NULL on error. */
static char *request(const char *method, const char *zone, const char *name)
{
    char *r = NULL;
    int n;
    if (strcmp(method, "lookup") == 0)
        n = asprintf(&r,
                     "{\"method\": \"lookup\", \"parameters\": {\"local\": \"127.0.0.1\", "
                     "\"qname\": \"%s\", \"qtype\": \"ANY\", \"real-remote\": \"127.0.0.1/32\", "
                     "\"remote\": \"127.0.0.1\", \"zone-id\": -1}}\n",
                     name);
    else
        n = asprintf(&r, "{\"method\": \"%s\", \"parameters\": {\"name\": \"%s\"}}\n", method,
                     zone);
    return n < 0 ? NULL : r;
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: %s SOCKET METHOD ZONE CONNECTIONS SECONDS [NAME ...]\n", argv[0]);
        return 2;
    }
    const char *path = argv[1], *method = argv[2], *zone = argv[3];
    int conns = atoi(argv[4]);
    double seconds = atof(argv[5]);
    if (conns < 1 || conns > 256 || seconds <= 0) {
        fprintf(stderr, "bad CONNECTIONS or SECONDS\n");
        return 2;
    }
    size_t n_reqs = argc > 6 ? (size_t)(argc - 6) : 1;
    char **reqs = calloc(n_reqs, sizeof *reqs);
    for (size_t i = 0; reqs && i < n_reqs; i++)
        if (!(reqs[i] = request(method, zone, argc > 6 ? argv[6 + i] : zone)))
            return 1;
    worker *ws = calloc((size_t)conns, sizeof *ws);
    pthread_t *th = calloc((size_t)conns, sizeof *th);
    if (!reqs || !ws || !th)
        return 1;
    for (int i = 0; i < conns; i++) {
        ws[i] = (worker){.path = path, .reqs = reqs, .n_reqs = n_reqs, .seconds = seconds};
        ws[i].cap = MAX_SAMPLES / (size_t)conns;
        ws[i].lat_us = malloc(ws[i].cap * sizeof *ws[i].lat_us);
        if (!ws[i].lat_us || pthread_create(&th[i], NULL, run, &ws[i]) != 0)
            return 1;
    }
    size_t total = 0, requests = 0;
    unsigned long errors = 0;
    int failed = 0;
    for (int i = 0; i < conns; i++) {
        pthread_join(th[i], NULL);
        total += ws[i].n;
        requests += ws[i].requests;
        errors += ws[i].errors;
        failed |= ws[i].failed;
    }
    uint32_t *all = malloc((total ? total : 1) * sizeof *all);
    if (!all)
        return 1;
    size_t k = 0;
    for (int i = 0; i < conns; i++) {
        memcpy(all + k, ws[i].lat_us, ws[i].n * sizeof *all);
        k += ws[i].n;
        free(ws[i].lat_us);
    }
    qsort(all, total, sizeof *all, cmp_u32);
    uint32_t p50 = total ? all[total / 2] : 0, p99 = total ? all[(total * 99) / 100] : 0;
    uint32_t mx = total ? all[total - 1] : 0;
    printf("%s conns=%d requests=%zu rps=%.0f p50_us=%u p99_us=%u max_us=%u errors=%lu\n", method,
           conns, requests, (double)requests / seconds, p50, p99, mx, errors);
    for (size_t i = 0; i < n_reqs; i++)
        free(reqs[i]);
    free(reqs);
    free(ws);
    free(th);
    free(all);
    return failed ? 1 : 0;
}
