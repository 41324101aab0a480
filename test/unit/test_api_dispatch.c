/* test_api_dispatch.c - whole requests through api_dispatch (routing, limits, tokens,
 * scopes, bodies, handlers) against a real temporary keystore, without a socket: the status
 * and body of each, and that refused requests leave the keystore as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/dispatch.h"
#include "api/pool.h"
#include "api/router.h"
#include "keystore/db.h"
#include "keystore/token.h"

/* One test's world: a keystore, a seal key pair, a server and two tokens. */
typedef struct world {
    char dir[64];
    char db[96];
    api_server srv;
    char all[SD_TOKEN_LEN + 8];  /* every scope */
    char read[SD_TOKEN_LEN + 8]; /* dnssec:read, zones:read */
    char only[SD_TOKEN_LEN + 8]; /* every scope, zone a.example only */
} world;

/* The query string of the next request: "key=value" or NULL. */
typedef struct qs {
    const char *key, *value;
} qs;

/* Looks key up in the qs the request carries. */
static const char *qget(void *ctx, const char *key)
{
    qs *q = ctx;
    return q && q->key && strcmp(q->key, key) == 0 ? q->value : NULL;
}

static int setup(void **state)
{
    world *w = calloc(1, sizeof *w);
    sd_err e;
    snprintf(w->dir, sizeof w->dir, "/tmp/test_api_dispatch.XXXXXX");
    assert_non_null(mkdtemp(w->dir));
    snprintf(w->db, sizeof w->db, "%s/k.db", w->dir);
    sd_config_defaults(&w->srv.cfg);
    snprintf(w->srv.cfg.db, sizeof w->srv.cfg.db, "%s", w->db);
    snprintf(w->srv.cfg.seal_key, sizeof w->srv.cfg.seal_key, "%s/seal.key", w->dir);
    assert_int_equal(sd_seal_create(w->srv.cfg.seal_key, &e), 0);
    assert_int_equal(sd_seal_load_public(w->srv.cfg.seal_key, &w->srv.seal, &e), 0);
    sd_policy_from_config(&w->srv.cfg, &w->srv.defaults);
    sqlite3 *db;
    assert_int_equal(sd_db_open(w->db, SD_DB_CREATE, &db, &e), 0);
    const char *all = "dnssec:read,dnssec:enable,dnssec:disable,dnssec:rotate,zones:read,"
                      "zones:write,tsig:read,tsig:write";
    assert_int_equal(sd_token_create(db, "all", all, NULL, 1, w->all, sizeof w->all, &e), 0);
    assert_int_equal(
        sd_token_create(db, "read", "dnssec:read,zones:read", NULL, 1, w->read, sizeof w->read, &e),
        0);
    assert_int_equal(sd_token_create(db, "only", all, "a.example", 1, w->only, sizeof w->only, &e),
                     0);
    sd_db_close(db);
    assert_int_equal(api_pool_open(w->db, 2, &w->srv.pool, &e), 0);
    static const char doc[] = "{}";
    w->srv.openapi = doc;
    w->srv.openapi_len = 2;
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    world *w = *state;
    char cmd[160];
    api_pool_close(w->srv.pool);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", w->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", w->dir);
    free(w);
    return 0;
}

/* Sends one request; returns the status, *body the reply (caller decrefs; may be NULL). */
static int req(world *w, const char *method, const char *path, const char *token, const char *body,
               qs *q, json_t **out)
{
    char auth[128];
    if (token)
        snprintf(auth, sizeof auth, "Bearer %s", token);
    api_http_in in = {method, path, token ? auth : NULL, body, body ? strlen(body) : 0,
                      0,      qget, (void *)q,           NULL};
    api_resp rs = {0};
    char name[128];
    api_dispatch(&w->srv, &in, &rs, name, sizeof name);
    if (rs.status >= 400 && rs.body) {
        assert_int_equal(json_integer_value(json_object_get(rs.body, "code")), rs.status);
        assert_true(json_is_string(json_object_get(rs.body, "error")));
    }
    if (out)
        *out = rs.body;
    else
        json_decref(rs.body);
    return rs.status;
}

/* Status only. */
static int st(world *w, const char *method, const char *path, const char *token, const char *body)
{
    return req(w, method, path, token, body, NULL, NULL);
}

/* A fingerprint of the keystore: counts and the newest ids of every table. */
static long long fingerprint(world *w)
{
    sqlite3 *db;
    sd_err e;
    long long v = 0;
    assert_int_equal(sd_db_open(w->db, 0, &db, &e), 0);
    sqlite3_stmt *s;
    assert_int_equal(
        sqlite3_prepare_v2(db,
                           "SELECT (SELECT count(*) + coalesce(max(id), 0) * 7 FROM zones) * 1 + "
                           "(SELECT count(*) FROM records) * 1000 + (SELECT count(*) FROM keys) "
                           "* 100000 + (SELECT count(*) FROM audit) * 10000000 + "
                           "(SELECT total(length(content)) FROM records)",
                           -1, &s, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sd_db_close(db);
    return v;
}

static void test_routing_and_auth(void **state)
{
    world *w = *state;
    assert_int_equal(st(w, "GET", "/healthz", NULL, NULL), 200);
    assert_int_equal(st(w, "GET", "/api/v1/openapi.json", NULL, NULL), 200);
    assert_int_equal(st(w, "GET", "/nope", w->all, NULL), 404);
    assert_int_equal(st(w, "PUT", "/api/v1/domains", w->all, NULL), 405);
    assert_int_equal(st(w, "GET", "/api/v1/domains/%zz", w->all, NULL), 400);
    assert_int_equal(st(w, "GET", "/api/v1/domains", NULL, NULL), 401);
    assert_int_equal(st(w, "GET", "/api/v1/domains", "scai_nope", NULL), 401);
    assert_int_equal(st(w, "GET", "/api/v1/domains", w->read, NULL), 200);
    assert_int_equal(st(w, "POST", "/api/v1/domains", w->read, "{\"name\":\"x.example\"}"), 403);
    api_http_in big = {"POST", "/api/v1/domains", NULL, NULL, 0, 1, qget, NULL, NULL};
    api_resp rs = {0};
    char name[128];
    api_dispatch(&w->srv, &big, &rs, name, sizeof name);
    assert_int_equal(rs.status, 413);
    json_decref(rs.body);
}

static void test_lifecycle(void **state)
{
    world *w = *state;
    json_t *j;
    assert_int_equal(
        req(w, "POST", "/api/v1/domains", w->all, "{\"name\":\"a.example\"}", NULL, &j), 201);
    char id[32];
    snprintf(id, sizeof id, "%s", json_string_value(json_object_get(j, "id")));
    json_decref(j);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/domains/%s/dnssec/enable", id);
    assert_int_equal(st(w, "POST", path, w->read, NULL), 403);
    assert_int_equal(req(w, "POST", path, w->all, "{\"algorithm\": 13}", NULL, &j), 200);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "pending_ds");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "ksk"), "flags")), 257);
    json_t *ds = json_deep_copy(json_object_get(j, "ds_records"));
    json_decref(j);
    assert_int_equal(req(w, "POST", path, w->all, NULL, NULL, &j), 409);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "pending_ds");
    json_decref(j);
    json_t *body = json_pack("{s:o}", "ds_records", ds);
    char *text = json_dumps(body, 0);
    json_decref(body);
    assert_int_equal(
        st(w, "POST", "/api/v1/domains/a.example/dnssec/confirm-ds-published", w->all, text), 200);
    free(text);
    assert_int_equal(st(w, "POST", "/api/v1/domains/a.example/dnssec/rotate-zsk", w->all, "{}"),
                     200);
    assert_int_equal(req(w, "GET", "/api/v1/domains/a.example/dnssec", w->read, NULL, NULL, &j),
                     200);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "rotating_zsk");
    assert_int_equal(json_array_size(json_object_get(j, "zsk")), 2);
    json_decref(j);
    qs q = {"limit", "2"};
    assert_int_equal(
        req(w, "GET", "/api/v1/domains/a.example/dnssec/events", w->read, NULL, &q, &j), 200);
    assert_int_equal(json_array_size(json_object_get(j, "events")), 2);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(j, "events"), 0), "action")),
                        "dnssec-rotate-zsk");
    assert_true(json_is_integer(json_object_get(j, "next_before")));
    json_decref(j);
    qs bad = {"limit", "0"};
    assert_int_equal(
        req(w, "GET", "/api/v1/domains/a.example/dnssec/events", w->read, NULL, &bad, NULL), 400);
    assert_int_equal(st(w, "POST", "/api/v1/domains/a.example/dnssec/disable", w->all, NULL), 200);
    assert_int_equal(st(w, "POST", "/api/v1/domains/a.example/dnssec/disable", w->all, NULL), 409);
}

static void test_refusals_change_nothing(void **state)
{
    world *w = *state;
    assert_int_equal(st(w, "POST", "/api/v1/domains", w->all, "{\"name\":\"b.example\"}"), 201);
    long long before = fingerprint(w);
    static const struct {
        const char *method, *path, *body;
        int status;
    } cases[] = {
        {"POST", "/api/v1/domains", "{", 400},
        {"POST", "/api/v1/domains", "{\"name\": 1}", 400},
        {"POST", "/api/v1/domains", "{\"name\": \"b.example\"}", 409},
        {"POST", "/api/v1/domains", "{\"name\": \"x.example\", \"zz\": 1}", 400},
        {"POST", "/api/v1/domains/b.example/dnssec/enable", "{\"algorithm\": 7}", 400},
        {"POST", "/api/v1/domains/b.example/dnssec/enable", "{\"algorithm\": \"13\"}", 400},
        {"POST", "/api/v1/domains/b.example/dnssec/enable", "[]", 400},
        {"POST", "/api/v1/domains/b.example/dnssec/disable", "{\"x\": 1}", 400},
        {"POST", "/api/v1/domains/b.example/dnssec/confirm-ds-published", "{}", 400},
        {"PUT", "/api/v1/domains/b.example/rrsets/www/A", "{\"records\": []}", 400},
        {"PUT", "/api/v1/domains/b.example/rrsets/www/A", "{\"ttl\": -5, \"records\": [\"x\"]}",
         400},
        {"PUT", "/api/v1/domains/b.example/rrsets/www/A", "{\"records\": [\"300.1.1.1\"]}", 400},
        {"PUT", "/api/v1/domains/b.example/rrsets/www/TYPE1x", "{\"records\": [\"192.0.2.1\"]}",
         400},
        {"DELETE", "/api/v1/domains/b.example/rrsets/www/A", NULL, 404},
        {"GET", "/api/v1/domains/%2e%2e/dnssec", NULL, 404},
        {"DELETE", "/api/v1/domains/nope.example", NULL, 404},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int got = st(w, cases[i].method, cases[i].path, w->all, cases[i].body);
        if (got != cases[i].status)
            fail_msg("case %zu (%s %s): status %d, wanted %d", i, cases[i].method, cases[i].path,
                     got, cases[i].status);
    }
    assert_int_equal(st(w, "POST", "/api/v1/domains/b.example/dnssec/enable", w->only, NULL), 404);
    assert_int_equal(st(w, "DELETE", "/api/v1/domains/b.example", w->only, NULL), 404);
    assert_int_equal(fingerprint(w), before);
    /* TYPE1 is the A RRset: stored and shown as A (found by fuzz_rdata). */
    json_t *j;
    assert_int_equal(req(w, "PUT", "/api/v1/domains/b.example/rrsets/www/type1", w->all,
                         "{\"records\": [\"192.0.2.1\"]}", NULL, &j),
                     200);
    assert_string_equal(json_string_value(json_object_get(j, "type")), "A");
    json_decref(j);
}

/* Writes route pattern with its parameters filled (zone for the first, then "www", "A")
 * into out (size 256). */
static void fill_route(const char *pattern, const char *zone, char *out)
{
    const char *fill[] = {zone, "www", "A"};
    size_t n = 0, used = 0;
    for (const char *p = pattern; *p;) {
        if (*p == '{') {
            used += (size_t)snprintf(out + used, 256 - used, "%s", fill[n < 3 ? n : 2]);
            n++;
            p = strchr(p, '}') + 1;
        } else {
            out[used++] = *p++;
        }
        assert_true(used < 255);
    }
    out[used] = '\0';
}

/* A token limited to a.example gets, on every route that names a zone, for b.example (by
 * name or d_ id) exactly the answer for a zone that does not exist, and changes nothing. */
static void test_zone_limit_hides_other_zones(void **state)
{
    world *w = *state;
    json_t *j;
    assert_int_equal(
        req(w, "POST", "/api/v1/domains", w->all, "{\"name\":\"b.example\"}", NULL, &j), 201);
    char id[32];
    snprintf(id, sizeof id, "%s", json_string_value(json_object_get(j, "id")));
    json_decref(j);
    assert_int_equal(st(w, "POST", "/api/v1/domains/b.example/dnssec/enable", w->all, NULL), 200);
    long long before = fingerprint(w);
    size_t n;
    const api_route *routes = api_routes(&n);
    size_t checked = 0;
    for (size_t i = 0; i < n; i++) {
        if (!strstr(routes[i].pattern, "{domain_id}") && !strstr(routes[i].pattern, "{zone}"))
            continue; /* /api/v1/tsigkeys/{name} names a key, not a zone */
        const char *body = NULL;
        if (routes[i].takes_body)
            body = strcmp(routes[i].method, "PATCH") == 0 ? "{\"enabled\": false}"
                   : strstr(routes[i].pattern, "rrsets")  ? "{\"records\": [\"192.0.2.1\"]}"
                                                          : "{}";
        const char *zones[] = {"nope.example", "d_nopenopenope", "b.example", id, "B.Example."};
        json_t *want = NULL;
        for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++) {
            char path[256];
            fill_route(routes[i].pattern, zones[z], path);
            json_t *got = NULL;
            int status = req(w, routes[i].method, path, w->only, body, NULL, &got);
            if (status != 404 || !got)
                fail_msg("%s %s: status %d, wanted 404", routes[i].method, path, status);
            if (want && !json_equal(want, got))
                fail_msg("%s %s: answered %s, unlike an unknown zone", routes[i].method, path,
                         json_string_value(json_object_get(got, "error")));
            if (!want)
                want = got;
            else
                json_decref(got);
        }
        json_decref(want);
        checked++;
    }
    assert_true(checked >= 21); /* 19 under /api/v1/domains/{domain_id}, 2 provider views */
    /* The bulk enable: each zone outside the list reads as missing. */
    char bulk[160];
    snprintf(bulk, sizeof bulk, "{\"zones\": [\"nope.example\", \"b.example\", \"%s\"]}", id);
    assert_int_equal(req(w, "POST", "/api/v1/dnssec/enable", w->only, bulk, NULL, &j), 200);
    json_t *res = json_object_get(j, "results");
    for (size_t i = 0; i < 3; i++) {
        json_t *r = json_array_get(res, i);
        assert_int_equal(json_integer_value(json_object_get(r, "status")), 404);
        assert_string_equal(json_string_value(json_object_get(r, "error")), "domain not found");
    }
    json_decref(j);
    assert_int_equal(fingerprint(w), before);
}

/* Whether the file at path (absent: no) holds text. */
static int file_has(const char *path, const char *text)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t len = strlen(text), have = 0;
    int found = 0;
    char buf[65536];
    size_t n;
    while (!found && (n = fread(buf + have, 1, sizeof buf - have, f)) > 0) {
        have += n;
        for (size_t i = 0; !found && i + len <= have; i++)
            found = memcmp(buf + i, text, len) == 0;
        size_t keep = have < len ? have : len - 1;
        memmove(buf, buf + have - keep, keep);
        have = keep;
    }
    fclose(f);
    return found;
}

/* A TSIG-ALLOW-AXFR list as a compact JSON text (caller frees). */
static char *axfr_list(world *w, const char *zone, const char *token)
{
    char path[128];
    json_t *j;
    snprintf(path, sizeof path, "/api/v1/domains/%s/metadata/TSIG-ALLOW-AXFR", zone);
    assert_int_equal(req(w, "GET", path, token, NULL, NULL, &j), 200);
    char *text = json_dumps(json_object_get(j, "metadata"), JSON_COMPACT);
    json_decref(j);
    return text;
}

/* TSIG keys: the secret only in the create reply, never stored or listed; scopes and zone
 * limits; hmac-md5 flagged; the zone's list replaced as a whole; refusals change nothing. */
static void test_tsig_keys(void **state)
{
    world *w = *state;
    json_t *j;
    assert_int_equal(
        req(w, "POST", "/api/v1/domains", w->all, "{\"name\":\"a.example\"}", NULL, NULL), 201);
    assert_int_equal(
        req(w, "POST", "/api/v1/tsigkeys", w->all, "{\"name\":\"Xfr-Bind\"}", NULL, &j), 201);
    assert_string_equal(json_string_value(json_object_get(j, "name")), "xfr-bind.");
    assert_string_equal(json_string_value(json_object_get(j, "algorithm")), "hmac-sha256");
    assert_true(json_is_false(json_object_get(j, "weak")));
    char secret[128];
    snprintf(secret, sizeof secret, "%s", json_string_value(json_object_get(j, "secret")));
    assert_int_equal(strlen(secret), 44); /* 32 bytes */
    json_decref(j);
    assert_int_equal(req(w, "POST", "/api/v1/tsigkeys", w->all,
                         "{\"name\":\"old\",\"algorithm\":\"hmac-md5\"}", NULL, &j),
                     201);
    assert_true(json_is_true(json_object_get(j, "weak")));
    assert_non_null(strstr(json_string_value(json_object_get(j, "warning")), "weak"));
    json_decref(j);

    /* Never again: not in a GET, not in the list, not in the keystore. */
    assert_int_equal(req(w, "GET", "/api/v1/tsigkeys/XFR-BIND.", w->all, NULL, NULL, &j), 200);
    assert_null(json_object_get(j, "secret"));
    json_decref(j);
    assert_int_equal(req(w, "GET", "/api/v1/tsigkeys", w->all, NULL, NULL, &j), 200);
    char *text = json_dumps(j, 0);
    assert_null(strstr(text, secret));
    assert_int_equal(json_array_size(json_object_get(j, "tsigkeys")), 2);
    free(text);
    json_decref(j);
    char path[128];
    for (int k = 0; k < 2; k++) {
        snprintf(path, sizeof path, "%s%s", w->db, k ? "-wal" : "");
        assert_false(file_has(path, secret));
    }
    char wal[128];
    snprintf(wal, sizeof wal, "%s-wal", w->db);
    assert_true(file_has(w->db, "xfr-bind.") || file_has(wal, "xfr-bind.")); /* the search works */

    /* Scopes and zone limits. */
    assert_int_equal(st(w, "GET", "/api/v1/tsigkeys", w->read, NULL), 403);
    assert_int_equal(st(w, "POST", "/api/v1/tsigkeys", w->only, "{\"name\":\"x\"}"), 403);
    assert_int_equal(st(w, "DELETE", "/api/v1/tsigkeys/old", w->only, NULL), 403);
    assert_int_equal(st(w, "GET", "/api/v1/tsigkeys/nope", w->all, NULL), 404);

    long long before = fingerprint(w);
    const char *bad[][2] = {
        {"/api/v1/tsigkeys", "{\"name\":\"xfr-bind\"}"},
        {"/api/v1/tsigkeys", "{\"name\":\"k\",\"algorithm\":\"hmac-sha1\"}"},
        {"/api/v1/tsigkeys", "{\"name\":\"a b\"}"},
        {"/api/v1/tsigkeys", "{\"name\":\"k\",\"secret\":\"AAAA\"}"},
        {"/api/v1/tsigkeys", "{}"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int status = st(w, "POST", bad[i][0], w->all, bad[i][1]);
        if (status != 400 && status != 409)
            fail_msg("POST %s: status %d", bad[i][1], status);
    }
    const char *M = "/api/v1/domains/a.example/metadata/TSIG-ALLOW-AXFR";
    assert_int_equal(st(w, "PUT", M, w->all, "{\"metadata\":[\"xfr-bind\",\"nope\"]}"), 404);
    assert_int_equal(st(w, "PUT", M, w->all, "{\"metadata\":\"xfr-bind\"}"), 400);
    assert_int_equal(st(w, "PUT", M, w->all, "{\"metadata\":[1]}"), 400);
    assert_int_equal(st(w, "PUT", M, w->all, "{\"kind\":\"ALLOW-AXFR-FROM\",\"metadata\":[]}"),
                     400);
    assert_int_equal(st(w, "PUT", M, w->read, "{\"metadata\":[]}"), 403);
    assert_int_equal(fingerprint(w), before);

    assert_int_equal(st(w, "PUT", M, w->only, "{\"metadata\":[\"old\",\"xfr-bind.\"]}"), 200);
    text = axfr_list(w, "a.example", w->all);
    assert_string_equal(text, "[\"old.\",\"xfr-bind.\"]");
    free(text);
    assert_int_equal(req(w, "GET", "/api/v1/tsigkeys/old", w->only, NULL, NULL, &j), 200);
    assert_int_equal(json_array_size(json_object_get(j, "zones")), 1);
    json_decref(j);
    assert_int_equal(st(w, "DELETE", "/api/v1/tsigkeys/old", w->all, NULL), 409);
    assert_int_equal(st(w, "PUT", M, w->all, "{\"kind\":\"TSIG-ALLOW-AXFR\",\"metadata\":[]}"),
                     200);
    text = axfr_list(w, "a.example", w->all);
    assert_string_equal(text, "[]");
    free(text);
    assert_int_equal(st(w, "DELETE", "/api/v1/tsigkeys/old", w->all, NULL), 204);
    assert_int_equal(st(w, "DELETE", "/api/v1/tsigkeys/old", w->all, NULL), 404);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_routing_and_auth, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lifecycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals_change_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zone_limit_hides_other_zones, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tsig_keys, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
