/* fuzz_api.c - the API's request handling (api_dispatch: limits, routing, tokens, scopes,
 * bodies, handlers) on the fuzz world's keystore, without a socket.
 *
 * An input is up to MAX_REQUESTS requests separated by a line "%%", each:
 *     METHOD SP PATH[?QUERY]        (the request line as libmicrohttpd hands it over)
 *     AUTHORIZATION                 (the header value; empty: none; "$ALL", "$READ" and
 *                                    "$ONLY" stand for the world's tokens)
 *     BODY...                       (the rest; empty: no body)
 * Every input starts from the same keystore (copied in from a template) and runs the requests
 * in order, so that one input can create, enable, rotate and read.
 *
 * Checked beyond "no crash, no leak, no undefined behaviour": every status is a real HTTP
 * status; an error (>= 400) is {"error": "...", "code": status} and commits nothing; a JSON
 * body can be written out. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/dispatch.h"
#include "api/metrics.h"
#include "api/openapi_doc.h"
#include "api/pool.h"
#include "fuzz_world.h"

#define MAX_REQUESTS 4
#define MAX_QUERY 8

/* Set up once by LLVMFuzzerInitialize: the harness's configuration. */
static fz_world world;
static api_server srv;
static sqlite3 *template_db; /* the world's keystore, in memory */
static sqlite3 *pool_db;     /* the pool's one connection */
static int commits;          /* transactions pool_db committed (its commit hook counts) */
static int trace;            /* FUZZ_TRACE set: print each request's status and body */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* sqlite3_commit_hook callback: counts; never turns a commit into a rollback. */
static int count_commit(void *arg)
{
    (*(int *)arg)++;
    return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_world_init(&world, "api", 1);
    trace = getenv("FUZZ_TRACE") != NULL;
    srv.cfg = world.cfg;
    memcpy(srv.seal.pk, world.seal.pk, sizeof srv.seal.pk); /* the API holds the public half */
    srv.defaults = world.defaults;
    srv.openapi = api_openapi_doc;
    srv.openapi_len = api_openapi_doc_len;
    sd_err e;
    if (api_pool_open(world.cfg.db, 1, &srv.pool, &e) < 0)
        fz_die("api_pool_open: %s", e.msg);
    pool_db = api_pool_take(srv.pool);
    if (sqlite3_exec(pool_db, "PRAGMA synchronous=OFF", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_open(":memory:", &template_db) != SQLITE_OK)
        fz_die("template keystore: %s", sqlite3_errmsg(pool_db));
    fz_db_copy(template_db, pool_db);
    sqlite3_commit_hook(pool_db, count_commit, &commits);
    api_pool_give(srv.pool, pool_db);
    return 0;
}

/* A copy of the len bytes at s as a C string (cut at a NUL, as an HTTP layer would). */
static char *cstr(const char *s, size_t len)
{
    char *c = strndup(s, len);
    if (!c)
        fz_die("out of memory");
    return c;
}

/* The query string split into pairs: keys[i] = values[i]. */
typedef struct query {
    char *buf;
    const char *keys[MAX_QUERY], *values[MAX_QUERY];
    size_t n;
} query;

/* Splits s ("a=1&b=2", raw as libmicrohttpd keeps it here) into q. */
static void query_parse(query *q, const char *s)
{
    q->buf = cstr(s, strlen(s));
    q->n = 0;
    char *save = NULL;
    for (char *kv = strtok_r(q->buf, "&", &save); kv && q->n < MAX_QUERY;
         kv = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(kv, '=');
        if (eq)
            *eq++ = '\0';
        q->keys[q->n] = kv;
        q->values[q->n++] = eq ? eq : "";
    }
}

/* api_http_in's query lookup over a query. */
static const char *query_get(void *qctx, const char *key)
{
    const query *q = qctx;
    for (size_t i = 0; i < q->n; i++)
        if (strcmp(q->keys[i], key) == 0)
            return q->values[i];
    return NULL;
}

/* The Authorization value of line: its placeholder replaced by the token it names. */
static char *authorization(const char *line, size_t len)
{
    static const struct {
        const char *name;
        size_t off;
    } toks[] = {{"$ALL", offsetof(fz_world, tok_all)},
                {"$READ", offsetof(fz_world, tok_read)},
                {"$ONLY", offsetof(fz_world, tok_only)}};
    char *a = cstr(line, len);
    for (size_t i = 0; i < sizeof toks / sizeof toks[0]; i++) {
        char *at = strstr(a, toks[i].name);
        if (!at)
            continue;
        const char *tok = (const char *)&world + toks[i].off;
        size_t head = (size_t)(at - a), nl = strlen(toks[i].name);
        char *b = malloc(strlen(a) + strlen(tok) + 1);
        if (!b)
            fz_die("out of memory");
        sprintf(b, "%.*s%s%s", (int)head, a, tok, at + nl);
        free(a);
        return b;
    }
    return a;
}

/* Aborts (a finding) when rs breaks the API's contract. */
static void check(const char *method, const char *path, const api_resp *rs, int committed)
{
    const char *why = NULL;
    json_t *code = rs->body ? json_object_get(rs->body, "code") : NULL;
    if (rs->status < 200 || rs->status > 599)
        why = "not an HTTP status";
    else if (rs->status >= 400 && (!json_is_string(json_object_get(rs->body, "error")) ||
                                   json_integer_value(code) != rs->status))
        why = "an error without {\"error\", \"code\"}";
    else if (rs->status >= 400 && committed)
        why = "an error that committed a change";
    char *text = rs->body ? json_dumps(rs->body, JSON_COMPACT) : NULL;
    if (!why && rs->body && !text)
        why = "a body that cannot be written";
    if (trace)
        fprintf(stderr, "%s %s -> %d %.300s\n", method, path, rs->status, text ? text : "");
    if (why) {
        fprintf(stderr, "fuzz_api: %s: %s %s -> %d %s\n", why, method, path, rs->status,
                text ? text : "");
        abort();
    }
    free(text);
}

/* Runs one request block (see the top of the file). */
static void one(api_metrics *metrics, const char *p, size_t len)
{
    const char *end = p + len, *nl = memchr(p, '\n', len);
    const char *line_end = nl ? nl : end;
    const char *sp = memchr(p, ' ', (size_t)(line_end - p));
    char *method = cstr(p, (size_t)((sp ? sp : line_end) - p));
    char *target = sp ? cstr(sp + 1, (size_t)(line_end - sp - 1)) : cstr("/", 1);
    char *qmark = strchr(target, '?');
    query q;
    query_parse(&q, qmark ? qmark + 1 : "");
    if (qmark)
        *qmark = '\0';
    const char *a = nl ? nl + 1 : end, *a_end = memchr(a, '\n', (size_t)(end - a));
    char *auth = authorization(a, (size_t)((a_end ? a_end : end) - a));
    const char *b = a_end ? a_end + 1 : end;
    size_t blen = (size_t)(end - b);
    char *body = blen ? malloc(blen) : NULL; /* exactly the bytes: overreads show */
    if (body)
        memcpy(body, b, blen);
    api_http_in in = {method, target, auth[0] ? auth : NULL, body, blen, 0, query_get, &q, NULL};
    api_server s = srv;
    s.metrics = metrics;
    api_resp rs = {0};
    char token_name[128];
    int before = commits;
    api_dispatch(&s, &in, &rs, token_name, sizeof token_name);
    check(method, target, &rs, commits != before);
    json_decref(rs.body);
    free(rs.text);
    free(body);
    free(auth);
    free(q.buf);
    free(target);
    free(method);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sqlite3 *db = api_pool_take(srv.pool);
    fz_db_copy(db, template_db);
    api_pool_give(srv.pool, db);
    api_metrics *metrics = api_metrics_new();
    const char *p = (const char *)data, *end = p + size;
    for (int i = 0; i < MAX_REQUESTS && p <= end; i++) {
        const char *sep = NULL;
        for (const char *s = p; s + 4 <= end && !sep; s++)
            if (memcmp(s, "\n%%\n", 4) == 0)
                sep = s;
        one(metrics, p, (size_t)((sep ? sep : end) - p));
        if (!sep)
            break;
        p = sep + 4;
    }
    api_metrics_free(metrics);
    return 0;
}
