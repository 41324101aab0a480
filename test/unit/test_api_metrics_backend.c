/* test_api_metrics_backend.c - the backend's counters on /metrics: what scaidns-backend
 * renders (backend/stats.c) becomes scaidns_backend_* series with cumulative buckets, le in
 * seconds, +Inf equal to _count and _sum in seconds; a missing or malformed stats object gives
 * scaidns_backend_up 0 and nothing else; label values are escaped; and the stats request over
 * a socket fails cleanly when nothing listens, nothing answers in time, or the answer is not
 * stats (an older backend). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "api/backend_client.h"
#include "backend/stats.h"

/* The output of api_backend_stats_write for stats (malloc'd). */
static char *written(const json_t *stats)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(api_backend_stats_write(stats, f), 0);
    assert_int_equal(fclose(f), 0);
    return buf;
}

/* The value of the sample whose name and labels are exactly series, or NULL. */
static const char *sample(const char *text, const char *series)
{
    size_t n = strlen(series);
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, series, n) == 0 && p[n] == ' ')
            return p + n + 1;
    return NULL;
}

/* Asserts that series has the value want (up to the end of its line). */
static void expect(const char *text, const char *series, const char *want)
{
    const char *v = sample(text, series);
    if (!v)
        fail_msg("no sample %s in:\n%s", series, text);
    size_t n = strcspn(v, "\n");
    if (strlen(want) != n || strncmp(v, want, n) != 0)
        fail_msg("%s is %.*s, wanted %s", series, (int)n, v, want);
}

/* The stats object the backend renders for st. */
static json_t *from_backend(const sb_stats *st)
{
    sb_buf b = {0};
    assert_int_equal(sb_stats_render(st, &b), 0);
    json_error_t jerr;
    json_t *reply = json_loadb(b.p, b.len, 0, &jerr);
    sb_buf_free(&b);
    assert_non_null(reply);
    json_t *r = json_incref(json_object_get(reply, "result"));
    json_decref(reply);
    return r;
}

static void test_down(void **state)
{
    (void)state;
    char *t = written(NULL);
    expect(t, "scaidns_backend_up", "0");
    assert_null(strstr(t, "scaidns_backend_requests_total"));
    assert_null(strstr(t, "_bucket"));
    free(t);
}

static void test_from_backend(void **state)
{
    (void)state;
    sb_stats st = {0};
    sb_call lookup = {SB_M_LOOKUP, 0}, bad = {SB_M_GET_DOMAIN_KEYS, 1};
    sb_stats_record(&st, &lookup, 10000);       /* 10 us */
    sb_stats_record(&st, &lookup, 60000);       /* 60 us */
    sb_stats_record(&st, &lookup, 900000);      /* 0.9 ms */
    sb_stats_record(&st, &lookup, 3000000000u); /* 3 s */
    sb_stats_record(&st, &bad, 40000);
    json_t *s = from_backend(&st);
    char *t = written(s);
    json_decref(s);
    expect(t, "scaidns_backend_up", "1");
    expect(t, "scaidns_backend_requests_total{method=\"lookup\"}", "4");
    expect(t, "scaidns_backend_errors_total{method=\"lookup\"}", "0");
    expect(t, "scaidns_backend_requests_total{method=\"getDomainKeys\"}", "1");
    expect(t, "scaidns_backend_errors_total{method=\"getDomainKeys\"}", "1");
    expect(t, "scaidns_backend_requests_total{method=\"other\"}", "0");
    const char *H = "scaidns_backend_request_duration_seconds";
    char k[160];
    static const char *const le[] = {"0.000025", "0.00005", "0.0001", "0.00025", "0.0005",
                                     "0.001",    "0.005",   "0.025",  "+Inf"};
    static const char *const cum[] = {"1", "1", "2", "2", "2", "3", "3", "3", "4"};
    for (int i = 0; i < 9; i++) {
        snprintf(k, sizeof k, "%s_bucket{method=\"lookup\",le=\"%s\"}", H, le[i]);
        expect(t, k, cum[i]);
    }
    snprintf(k, sizeof k, "%s_count{method=\"lookup\"}", H);
    expect(t, k, "4");
    snprintf(k, sizeof k, "%s_sum{method=\"lookup\"}", H);
    expect(t, k, "3.000970000");
    snprintf(k, sizeof k, "%s_bucket{method=\"initialize\",le=\"+Inf\"}", H);
    expect(t, k, "0");
    /* one HELP and one TYPE per family */
    assert_non_null(strstr(t, "# TYPE scaidns_backend_request_duration_seconds histogram\n"));
    assert_null(strstr(strstr(t, "# TYPE scaidns_backend_request_duration_seconds") + 1,
                       "# TYPE scaidns_backend_request_duration_seconds"));
    free(t);
}

/* api_backend_stats_write's verdict on the stats in text. */
static int up_for(const char *text)
{
    json_error_t jerr;
    json_t *s = json_loads(text, 0, &jerr);
    if (!s)
        fail_msg("bad test JSON %s", text);
    char *t = written(s);
    json_decref(s);
    int up = strstr(t, "scaidns_backend_up 1\n") != NULL;
    if (!up)
        assert_null(strstr(t, "scaidns_backend_requests_total"));
    free(t);
    return up;
}

static void test_malformed(void **state)
{
    (void)state;
    const char *m = "\"methods\":{\"lookup\":{\"requests\":1,\"errors\":0,\"sum_ns\":5,"
                    "\"buckets\":[1,0,0]}}";
    char ok[300];
    snprintf(ok, sizeof ok, "{\"le_us\":[25,50],%s}", m);
    assert_true(up_for(ok));
    assert_false(up_for("{}"));
    assert_false(up_for("[]"));
    assert_false(up_for("{\"le_us\":[],\"methods\":{}}"));
    char bad[300];
    snprintf(bad, sizeof bad, "{\"le_us\":[50,25],%s}", m); /* not ascending */
    assert_false(up_for(bad));
    snprintf(bad, sizeof bad, "{\"le_us\":[0,25],%s}", m); /* a zero bound */
    assert_false(up_for(bad));
    snprintf(bad, sizeof bad, "{\"le_us\":[25,50,100],%s}", m); /* buckets too short */
    assert_false(up_for(bad));
    assert_false(up_for("{\"le_us\":[25],\"methods\":{\"x\":{\"requests\":-1,\"errors\":0,"
                        "\"sum_ns\":0,\"buckets\":[0,0]}}}"));
    assert_false(up_for("{\"le_us\":[25],\"methods\":{\"x\":{\"requests\":1,\"errors\":0,"
                        "\"sum_ns\":0,\"buckets\":[0,\"1\"]}}}"));
    assert_false(up_for("{\"le_us\":[25],\"methods\":{\"x\":{\"requests\":1,\"errors\":0,"
                        "\"buckets\":[0,1]}}}"));
    assert_false(up_for("{\"le_us\":[25],\"methods\":[]}"));
}

static void test_label_escaped(void **state)
{
    (void)state;
    json_error_t jerr;
    json_t *s = json_loads("{\"le_us\":[1000000,2500000],\"methods\":{\"a\\\"b\\\\c\\nd\":{"
                           "\"requests\":2,\"errors\":1,\"sum_ns\":1,\"buckets\":[0,1,1]}}}",
                           0, &jerr);
    assert_non_null(s);
    char *t = written(s);
    json_decref(s);
    expect(t, "scaidns_backend_requests_total{method=\"a\\\"b\\\\c\\nd\"}", "2");
    expect(t,
           "scaidns_backend_request_duration_seconds_bucket{method=\"a\\\"b\\\\c\\nd\",le=\"1\"}",
           "0");
    expect(t,
           "scaidns_backend_request_duration_seconds_bucket{method=\"a\\\"b\\\\c\\nd\",le=\"2.5\"}",
           "1");
    expect(t, "scaidns_backend_request_duration_seconds_sum{method=\"a\\\"b\\\\c\\nd\"}",
           "0.000000001");
    free(t);
}

/* A one-shot server on a Unix socket: accepts one connection, reads the request line, then
 * sends reply (or nothing when NULL) and holds the connection for hold_ms. */
typedef struct fake {
    char path[108];
    int lfd;
    const char *reply;
    int hold_ms;
    char got[256];
} fake;

static void *fake_run(void *arg)
{
    fake *f = arg;
    int c = accept(f->lfd, NULL, NULL);
    if (c < 0)
        return NULL;
    size_t n = 0;
    while (n + 1 < sizeof f->got) {
        ssize_t r = read(c, f->got + n, sizeof f->got - 1 - n);
        if (r <= 0)
            break;
        n += (size_t)r;
        if (memchr(f->got, '\n', n))
            break;
    }
    f->got[n] = '\0';
    if (f->reply && write(c, f->reply, strlen(f->reply)) < 0)
        fail_msg("write");
    usleep((useconds_t)f->hold_ms * 1000);
    close(c);
    return NULL;
}

/* Runs api_backend_stats_fetch against a fake answering reply; returns its result. */
static int fetch_from(const char *reply, int hold_ms, json_t **stats, sd_err *e, fake *f)
{
    memset(f, 0, sizeof *f);
    snprintf(f->path, sizeof f->path, "/tmp/scaidns-fake-%d.sock", (int)getpid());
    unlink(f->path);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    memcpy(sa.sun_path, f->path, strlen(f->path) + 1);
    f->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(f->lfd >= 0);
    assert_int_equal(bind(f->lfd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(f->lfd, 4), 0);
    f->reply = reply;
    f->hold_ms = hold_ms;
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, fake_run, f), 0);
    int rc = api_backend_stats_fetch(f->path, 300, stats, e);
    pthread_join(th, NULL);
    close(f->lfd);
    unlink(f->path);
    return rc;
}

static void test_fetch(void **state)
{
    (void)state;
    json_t *s = (json_t *)1;
    sd_err e;
    fake f;
    assert_true(api_backend_stats_fetch("/nonexistent/backend.sock", 300, &s, &e) < 0);
    assert_null(s);
    assert_non_null(strstr(e.msg, "cannot reach scaidns-backend"));
    assert_true(api_backend_stats_fetch("", 300, &s, &e) < 0);
    /* the right request, one line; the reply's result comes back */
    assert_int_equal(fetch_from("{\"result\":{\"le_us\":[1]}}\n", 0, &s, &e, &f), 0);
    assert_string_equal(f.got, "{\"method\":\"scaidnsStats\",\"parameters\":{}}\n");
    assert_int_equal(json_integer_value(json_array_get(json_object_get(s, "le_us"), 0)), 1);
    json_decref(s);
    /* an older backend */
    assert_true(fetch_from("{\"result\":false}\n", 0, &s, &e, &f) < 0);
    assert_null(s);
    assert_non_null(strstr(e.msg, "gave no stats"));
    /* garbage */
    assert_true(fetch_from("nonsense\n", 0, &s, &e, &f) < 0);
    /* no answer in time: the fetch gives up after its timeout, not the fake's 800 ms */
    assert_true(fetch_from(NULL, 800, &s, &e, &f) < 0);
    assert_non_null(strstr(e.msg, "did not answer within 300 ms"));
    /* half a line, then the connection closes */
    assert_true(fetch_from("{\"result\":", 0, &s, &e, &f) < 0);
    assert_non_null(strstr(e.msg, "closed the connection"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_down),      cmocka_unit_test(test_from_backend),
        cmocka_unit_test(test_malformed), cmocka_unit_test(test_label_escaped),
        cmocka_unit_test(test_fetch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
