/* fuzz_backend.c - the backend's request handler. Each line of the input is one request as
 * PowerDNS writes it on the socket, answered by sb_dispatch_into (fast path or jansson) on a
 * store over the fuzz world, the way scaidns-backend's server does.
 *
 * Checked beyond "no crash, no leak, no undefined behaviour": every reply is exactly one line
 * holding a JSON object with "result"; and a request the fast path reads as simple gets the
 * same reply (as JSON) from the general path, which sees it with an extra top-level member.
 * Each input starts from the same state: the store's caches are dropped first and
 * setNotified's one write is undone afterwards. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/buf.h"
#include "backend/dispatch.h"
#include "fuzz_world.h"
#include "backend/jscan.h"
#include "backend/store.h"

#define MAX_LINES 16 /* requests read from one input */

/* Set up once by LLVMFuzzerInitialize: the harness's configuration. */
static fz_world world;
static sb_store *store;
static sqlite3 *writer; /* undoes setNotified */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_world_init(&world, "backend", 1); /* frees every JSON value it makes */
    sb_json_wiping_alloc();              /* as scaidns-backend does */
    sd_err e;
    if (sb_store_open(&world.cfg, &store, &e) < 0)
        fz_die("sb_store_open: %s", e.msg);
    writer = fz_world_open(&world);
    return 0;
}

/* Aborts (a finding) with the request and the reply when a reply breaks the contract. */
static void broken(const char *why, const char *line, size_t len, const char *reply, size_t rlen)
{
    fprintf(stderr, "fuzz_backend: %s\nrequest: %.*s\nreply: %.*s\n", why, (int)len, line,
            (int)rlen, reply);
    abort();
}

/* Answers line and checks the reply's shape; returns the parsed reply (caller decrefs). */
static json_t *answer(const char *line, size_t len, sb_buf *out)
{
    sb_buf_clear(out);
    if (sb_dispatch_into(store, line, len, out) < 0)
        fz_die("out of memory");
    if (out->len == 0 || out->p[out->len - 1] != '\n' || memchr(out->p, '\n', out->len - 1))
        broken("the reply is not one line", line, len, out->p, out->len);
    json_error_t jerr;
    json_t *j = json_loadb(out->p, out->len, 0, &jerr);
    if (!json_is_object(j) || !json_object_get(j, "result"))
        broken("the reply is not an object with \"result\"", line, len, out->p, out->len);
    return j;
}

/* The fast path and the general path must agree on a simple request. */
static void same_both_ways(const char *line, size_t len, json_t *fast, sb_buf *out)
{
    sb_jreq r;
    if (sb_jscan(line, len, &r) != 0)
        return;
    const char *end = line + len;
    while (end > line && end[-1] != '}') /* a simple request ends in '}' and blanks */
        end--;
    static const char extra[] = ",\"x-not-simple\":[]";
    size_t head = (size_t)(end - line) - 1, n = len + sizeof extra - 1;
    char *slow_line = malloc(n);
    if (!slow_line)
        fz_die("out of memory");
    memcpy(slow_line, line, head);
    memcpy(slow_line + head, extra, sizeof extra - 1);
    memcpy(slow_line + head + sizeof extra - 1, line + head, len - head);
    json_t *slow = answer(slow_line, n, out);
    if (!json_equal(fast, slow)) {
        char *a = json_dumps(fast, JSON_COMPACT);
        fprintf(stderr, "fast path: %s\n", a ? a : "?");
        broken("fast and general paths differ", line, len, out->p, out->len);
    }
    json_decref(slow);
    free(slow_line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;
    sb_buf out = {0};
    sb_store_invalidate(store);
    for (int i = 0; i < MAX_LINES && p < end; i++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        json_t *j = answer(p, len, &out);
        same_both_ways(p, len, j, &out);
        json_decref(j);
        p += len + 1;
    }
    sb_buf_free(&out);
    if (sqlite3_exec(writer,
                     "UPDATE zones SET notified_serial = NULL WHERE notified_serial IS NOT NULL",
                     NULL, NULL, NULL) != SQLITE_OK)
        fz_die("reset notified_serial: %s", sqlite3_errmsg(writer));
    return 0;
}
