/* test_backend_workers.c - backend/server.c with worker threads (backend-threads > 1): the
 * connections spread over the workers, each worker with its own store answers correctly
 * while many clients ask at once, a keystore change is seen by every worker's next request,
 * and the server stops cleanly with connections open. The server runs in a child process;
 * the test fails if it dies or does not stop. */
#include "test_backend_fixture.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "backend/server.h"

#define WORKERS 3
#define CLIENTS 8
#define REQUESTS 300

typedef struct worker {
    int index;
    sb_store *store;
} worker;

typedef struct srv {
    fx *f;
    char sock[160];
    pid_t pid;
    int stop[2];
} srv;

/* "who" is answered with the worker's index; anything else by the dispatcher. */
static int handle(void *arg, const char *line, size_t len, sb_buf *out)
{
    worker *w = arg;
    if (len == 3 && memcmp(line, "who", 3) == 0) {
        char r[32];
        int n = snprintf(r, sizeof r, "%d\n", w->index);
        return sb_buf_put(out, r, (size_t)n);
    }
    return sb_dispatch_into(w->store, line, len, out);
}

static int srv_setup(void **state)
{
    srv *s = calloc(1, sizeof *s);
    void *fs;
    fx_setup(&fs);
    s->f = fs;
    sb_store_close(s->f->store); /* the child opens one per worker */
    s->f->store = NULL;
    snprintf(s->sock, sizeof s->sock, "%s/backend.sock", s->f->dir);
    assert_int_equal(pipe(s->stop), 0);
    s->pid = fork();
    assert_true(s->pid >= 0);
    if (s->pid == 0) {
        sd_err e;
        worker ws[WORKERS];
        void *args[WORKERS];
        for (int i = 0; i < WORKERS; i++) {
            ws[i].index = i;
            args[i] = &ws[i];
            if (sb_store_open(&s->f->cfg, &ws[i].store, &e) < 0)
                _exit(3);
        }
        sb_server_opts o;
        sb_server_defaults(&o, s->sock);
        o.workers = WORKERS;
        o.worker_args = args;
        int rc = sb_server_run(&o, handle, &ws[0], s->stop[0], &e);
        for (int i = 0; i < WORKERS; i++)
            sb_store_close(ws[i].store);
        _exit(rc == 0 ? 0 : 4);
    }
    for (int i = 0; i < 300; i++) {
        struct stat st;
        if (stat(s->sock, &st) == 0)
            break;
        usleep(10000);
    }
    *state = s;
    return 0;
}

/* Stops the server (connections may still be open) and requires a clean exit within 5 s. */
static int srv_teardown(void **state)
{
    srv *s = *state;
    assert_int_equal(write(s->stop[1], "x", 1), 1);
    int status = 0;
    pid_t r = 0;
    for (int i = 0; i < 500 && r == 0; i++) {
        r = waitpid(s->pid, &status, WNOHANG);
        if (r == 0)
            usleep(10000);
    }
    if (r == 0) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, &status, 0);
        fail_msg("the server did not stop within 5 s");
    }
    close(s->stop[0]);
    close(s->stop[1]);
    struct stat st;
    int sock_left = stat(s->sock, &st) == 0;
    void *fs = s->f;
    fx_teardown(&fs);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("server ended badly (status %d)", status);
    if (sock_left)
        fail_msg("the socket file was left behind");
    free(s);
    return 0;
}

static int dial(const srv *s)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    memcpy(sa.sun_path, s->sock, strlen(s->sock) + 1);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
        return -1;
    return fd;
}

/* Sends line (with its newline) and reads one reply line into buf. Returns 0 or -1. */
static int ask(int fd, const char *line, char *buf, size_t cap)
{
    size_t n = strlen(line);
    if (send(fd, line, n, MSG_NOSIGNAL) != (ssize_t)n)
        return -1;
    size_t len = 0;
    while (len + 1 < cap) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 5000) <= 0)
            return -1;
        ssize_t r = read(fd, buf + len, cap - 1 - len);
        if (r <= 0)
            return -1;
        len += (size_t)r;
        if (buf[len - 1] == '\n') {
            buf[len] = '\0';
            return 0;
        }
    }
    return -1;
}

#define WWW                                                                                        \
    "{\"method\":\"lookup\",\"parameters\":{\"qtype\":\"A\",\"qname\":\"www.example.com.\","       \
    "\"zone-id\":1}}\n"
#define SOA                                                                                        \
    "{\"method\":\"lookup\",\"parameters\":{\"qtype\":\"SOA\",\"qname\":\"example.com.\","         \
    "\"zone-id\":-1}}\n"
#define KEYS "{\"method\":\"getDomainKeys\",\"parameters\":{\"name\":\"example.com.\"}}\n"

static void test_connections_spread_over_workers(void **state)
{
    srv *s = *state;
    int seen[WORKERS] = {0}, fds[2 * WORKERS];
    for (int i = 0; i < 2 * WORKERS; i++) {
        char r[64];
        fds[i] = dial(s);
        assert_true(fds[i] >= 0);
        assert_int_equal(ask(fds[i], "who\n", r, sizeof r), 0);
        int w = atoi(r);
        assert_true(w >= 0 && w < WORKERS);
        seen[w]++;
    }
    for (int w = 0; w < WORKERS; w++)
        assert_int_equal(seen[w], 2); /* the fewest-connections rule: two each */
    for (int i = 0; i < 2 * WORKERS; i++)
        close(fds[i]);
}

typedef struct client {
    const srv *s;
    int errors;
} client;

static void *client_main(void *arg)
{
    client *c = arg;
    int fd = dial(c->s);
    if (fd < 0) {
        c->errors++;
        return NULL;
    }
    char buf[65536];
    for (int i = 0; i < REQUESTS; i++) {
        const char *q = i % 3 == 0 ? WWW : i % 3 == 1 ? SOA : KEYS;
        const char *want = i % 3 == 0 ? "192.0.2.1" : i % 3 == 1 ? "2024010101" : "PrivateKey";
        if (ask(fd, q, buf, sizeof buf) < 0 || !strstr(buf, want))
            c->errors++;
    }
    close(fd);
    return NULL;
}

static void test_many_clients_at_once(void **state)
{
    srv *s = *state;
    pthread_t t[CLIENTS];
    client c[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
        c[i] = (client){.s = s};
        assert_int_equal(pthread_create(&t[i], NULL, client_main, &c[i]), 0);
    }
    int errors = 0;
    for (int i = 0; i < CLIENTS; i++) {
        pthread_join(t[i], NULL);
        errors += c[i].errors;
    }
    assert_int_equal(errors, 0);
}

static void test_change_seen_by_every_worker(void **state)
{
    srv *s = *state;
    int fds[WORKERS];
    char r[4096];
    for (int i = 0; i < WORKERS; i++) { /* one connection on each worker, caches warm */
        fds[i] = dial(s);
        assert_true(fds[i] >= 0);
        assert_int_equal(ask(fds[i], WWW, r, sizeof r), 0);
        assert_non_null(strstr(r, "192.0.2.1\""));
    }
    fx_exec(s->f->writer, "UPDATE records SET content = '192.0.2.77' WHERE content = '192.0.2.1'");
    for (int i = 0; i < WORKERS; i++) {
        assert_int_equal(ask(fds[i], WWW, r, sizeof r), 0);
        if (!strstr(r, "192.0.2.77"))
            fail_msg("worker of connection %d still answers %s", i, r);
    }
    /* Connections left open: the teardown stops the server with them. */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_connections_spread_over_workers, srv_setup,
                                        srv_teardown),
        cmocka_unit_test_setup_teardown(test_many_clients_at_once, srv_setup, srv_teardown),
        cmocka_unit_test_setup_teardown(test_change_seen_by_every_worker, srv_setup, srv_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
