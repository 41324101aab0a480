/* test_backend_server.c - backend/server.c over a real Unix socket, with the dispatcher
 * behind it: every kind of bad client (malformed JSON, a line over 1 MiB, a silent client, one
 * that vanishes mid-line, one that never reads, a flood of connections) gets an error reply
 * or a closed connection, and a well-behaved client is still served after each. The server
 * runs in a child process; the test fails if it dies. */
#include "test_backend_fixture.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "backend/server.h"

#define MAX_CONNS 40
#define IDLE_MS 400

typedef struct srv {
    fx *f;
    char sock[160];
    pid_t pid;
    int stop[2];
} srv;

static int handle(void *arg, const char *line, size_t len, sb_buf *out)
{
    return sb_dispatch_into(arg, line, len, out);
}

static int srv_setup(void **state)
{
    srv *s = calloc(1, sizeof *s);
    void *fs;
    fx_setup(&fs);
    s->f = fs;
    sb_store_close(s->f->store); /* the child opens its own */
    s->f->store = NULL;
    snprintf(s->sock, sizeof s->sock, "%s/backend.sock", s->f->dir);
    assert_int_equal(pipe(s->stop), 0);
    s->pid = fork();
    assert_true(s->pid >= 0);
    if (s->pid == 0) {
        sd_err e;
        sb_store *store;
        if (sb_store_open(&s->f->cfg, &store, &e) < 0)
            _exit(3);
        sb_server_opts o;
        sb_server_defaults(&o, s->sock);
        o.max_conns = MAX_CONNS;
        o.idle_line_ms = IDLE_MS;
        int rc = sb_server_run(&o, handle, store, s->stop[0], &e);
        sb_store_close(store);
        _exit(rc == 0 ? 0 : 4);
    }
    for (int i = 0; i < 200; i++) {
        struct stat st;
        if (stat(s->sock, &st) == 0)
            break;
        usleep(10000);
    }
    *state = s;
    return 0;
}

static int srv_teardown(void **state)
{
    srv *s = *state;
    assert_int_equal(write(s->stop[1], "x", 1), 1);
    int status = 0;
    assert_int_equal(waitpid(s->pid, &status, 0), s->pid);
    close(s->stop[0]);
    close(s->stop[1]);
    void *fs = s->f;
    fx_teardown(&fs);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("server ended badly (status %d)", status);
    free(s);
    return 0;
}

/* Connects to the server. The socket file appears at bind(), a moment before listen(): a
 * refused connection is tried again for up to 5 s (a loaded machine can be that slow). */
static int dial(srv *s)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    assert_true(strlen(s->sock) < sizeof sa.sun_path);
    memcpy(sa.sun_path, s->sock, strlen(s->sock) + 1);
    for (int tries = 0;; tries++) {
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0)
            return fd;
        int err = errno;
        close(fd);
        if ((err != ECONNREFUSED && err != EAGAIN) || tries >= 500)
            fail_msg("connect: %s", strerror(err));
        usleep(10000);
    }
}

static void send_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return; /* the server may have closed us: the caller checks for that */
        buf += n;
        len -= (size_t)n;
    }
}

/* Reads one line (up to timeout_ms); returns a new string without the newline, or NULL on
 * EOF or timeout. */
static char *read_line(int fd, int timeout_ms)
{
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, timeout_ms) <= 0)
            break;
        char c;
        ssize_t n = read(fd, &c, 1);
        if (n <= 0)
            break;
        if (c == '\n') {
            buf[len] = '\0';
            return buf;
        }
        if (len + 2 > cap)
            buf = realloc(buf, cap *= 2);
        buf[len++] = c;
    }
    free(buf);
    return NULL;
}

/* Returns 1 when the server closed fd within timeout_ms (after any pending bytes). */
static int closed_by_server(int fd, int timeout_ms)
{
    char buf[4096];
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, timeout_ms) <= 0)
            return 0;
        ssize_t n = read(fd, buf, sizeof buf);
        if (n == 0 || (n < 0 && errno == ECONNRESET))
            return 1;
        if (n < 0)
            return 0;
    }
}

/* A well-behaved client: asks for the SOA and checks the answer. */
static void assert_serving(srv *s)
{
    int fd = dial(s);
    const char *q = "{\"method\":\"lookup\",\"parameters\":{\"qtype\":\"SOA\",\"qname\":"
                    "\"example.com.\",\"zone-id\":-1}}\n";
    send_all(fd, q, strlen(q));
    char *line = read_line(fd, 3000);
    if (!line)
        fail_msg("server did not answer a good client");
    assert_non_null(strstr(line, "2024010101"));
    free(line);
    close(fd);
}

static void test_socket_mode_and_basics(void **state)
{
    srv *s = *state;
    struct stat st;
    assert_int_equal(stat(s->sock, &st), 0);
    assert_true(S_ISSOCK(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0660);
    int fd = dial(s);
    /* Two requests in one write, CRLF on the second: two replies, in order. */
    const char *two =
        "{\"method\":\"initialize\",\"parameters\":{}}\n"
        "{\"method\":\"getDomainInfo\",\"parameters\":{\"name\":\"example.com.\"}}\r\n";
    send_all(fd, two, strlen(two));
    char *a = read_line(fd, 3000), *b = read_line(fd, 3000);
    assert_non_null(a);
    assert_non_null(b);
    assert_string_equal(a, "{\"result\":true}");
    assert_non_null(strstr(b, "\"zone\":\"example.com.\""));
    free(a);
    free(b);
    close(fd);
}

static void test_malformed_then_good(void **state)
{
    srv *s = *state;
    int fd = dial(s);
    const char *bad = "{\"method\": \"lookup\", \"parameters\": {\"qname\": }\n";
    send_all(fd, bad, strlen(bad));
    char *line = read_line(fd, 3000);
    assert_non_null(line);
    assert_non_null(strstr(line, "\"result\":false"));
    assert_non_null(strstr(line, "malformed JSON"));
    free(line);
    /* The same connection still works. */
    const char *good = "{\"method\":\"initialize\",\"parameters\":{}}\n";
    send_all(fd, good, strlen(good));
    line = read_line(fd, 3000);
    assert_string_equal(line, "{\"result\":true}");
    free(line);
    close(fd);
    assert_serving(s);
}

static void test_line_over_limit(void **state)
{
    srv *s = *state;
    int fd = dial(s);
    size_t n = (1u << 20) + 4096;
    char *big = malloc(n);
    memset(big, 'x', n);
    memcpy(big, "{\"method\":\"", 11);
    send_all(fd, big, n);
    free(big);
    char *line = read_line(fd, 3000);
    assert_non_null(line);
    assert_non_null(strstr(line, "over 1048576 bytes"));
    free(line);
    assert_true(closed_by_server(fd, 3000));
    close(fd);
    assert_serving(s);
}

static void test_silent_and_vanishing_clients(void **state)
{
    srv *s = *state;
    int silent = dial(s);
    int partial = dial(s);
    const char *half = "{\"method\":\"lookup\",\"param";
    send_all(partial, half, strlen(half));
    int vanish = dial(s);
    send_all(vanish, half, strlen(half));
    close(vanish); /* gone mid-line */
    assert_serving(s);
    /* Neither a silent client nor a stalled line holds a connection for ever. */
    assert_true(closed_by_server(silent, IDLE_MS * 6));
    assert_true(closed_by_server(partial, IDLE_MS * 6));
    close(silent);
    close(partial);
    assert_serving(s);
}

static void test_flood_of_connections(void **state)
{
    srv *s = *state;
    int fds[MAX_CONNS + 20];
    for (int i = 0; i < MAX_CONNS + 20; i++)
        fds[i] = dial(s);
    /* The ones over the limit are closed at once. */
    int refused = 0;
    for (int i = 0; i < MAX_CONNS + 20; i++)
        refused += closed_by_server(fds[i], 50);
    assert_true(refused >= 20);
    for (int i = 0; i < MAX_CONNS + 20; i++)
        close(fds[i]);
    usleep(100000);
    assert_serving(s);
}

static void test_client_that_never_reads(void **state)
{
    srv *s = *state;
    int fd = dial(s);
    int small = 4096;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    const char *q = "{\"method\":\"list\",\"parameters\":{\"zonename\":\"example.\","
                    "\"domain_id\":2}}\n";
    size_t len = strlen(q);
    char *many = malloc(len * 200);
    for (int i = 0; i < 200; i++)
        memcpy(many + (size_t)i * len, q, len);
    /* Non-blocking: the server stops reading us once our replies back up. */
    struct timeval tv = {.tv_sec = 0, .tv_usec = 200000};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    send_all(fd, many, len * 200);
    free(many);
    assert_serving(s);
    close(fd);
    assert_serving(s);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_socket_mode_and_basics, srv_setup, srv_teardown),
        cmocka_unit_test_setup_teardown(test_malformed_then_good, srv_setup, srv_teardown),
        cmocka_unit_test_setup_teardown(test_line_over_limit, srv_setup, srv_teardown),
        cmocka_unit_test_setup_teardown(test_silent_and_vanishing_clients, srv_setup, srv_teardown),
        cmocka_unit_test_setup_teardown(test_flood_of_connections, srv_setup, srv_teardown),
        cmocka_unit_test_setup_teardown(test_client_that_never_reads, srv_setup, srv_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
