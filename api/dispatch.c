/* dispatch.c - routing, limits, authentication and the handler call of one request. */
#include "api/dispatch.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/auth.h"
#include "api/auth_limit.h"
#include "api/json_io.h"
#include "api/log.h"
#include "api/metrics.h"
#include "api/pool.h"
#include "api/router.h"

/* Authenticates in's token for a route that needs one: 0 with *token filled, or -1 with rs
 * set to 429 (the address failed too often: the token is not even looked at) or to the 401
 * (counted against the address; the burst that empties its bucket is logged once) or 503. */
static int authenticate(const api_server *srv, const api_http_in *in, sqlite3 *db, sd_token *token,
                        api_resp *rs)
{
    int wait = api_auth_limit_check(srv->auth_limit, in->peer);
    if (wait > 0) {
        api_error(rs, 429, "too many failed authentications from this address: retry in %d s",
                  wait);
        rs->retry_after = wait;
        api_metrics_auth_limited(srv->metrics);
        return -1;
    }
    if (api_authenticate(db, in->authorization, token, rs) == 0)
        return 0;
    if (rs->status == 401) {
        unsigned long n = 0;
        api_metrics_auth_failed(srv->metrics);
        if (api_auth_limit_fail(srv->auth_limit, in->peer, &n))
            api_log_msg(API_LOG_WARNING,
                        "%lu failed authentications from %s: its requests that need a token "
                        "get 429 until it slows down",
                        n, in->peer);
    }
    return -1;
}

/* Runs the matched route with a pooled connection; fills rs. */
static void run(const api_server *srv, const api_http_in *in, const api_match *m, api_resp *rs,
                char *token_name, size_t token_name_len)
{
    const api_route *r = m->route;
    sd_token token;
    api_req rq;
    memset(&rq, 0, sizeof rq);
    rq.srv = srv;
    rq.method = in->method;
    rq.path = in->path;
    rq.query = in->query;
    rq.qctx = in->qctx;
    rq.now = (int64_t)time(NULL) + srv->cfg.clock_offset;
    rq.nparams = m->nparams;
    for (size_t i = 0; i < m->nparams; i++)
        rq.params[i] = m->params[i];
    rq.db = api_pool_take(srv->pool);
    if (r->scope) {
        if (authenticate(srv, in, rq.db, &token, rs) < 0)
            goto done;
        rq.token = &token;
        snprintf(token_name, token_name_len, "%s", token.name);
        if (api_require_scope(&rq, r->scope, r->scope_alt, rs) < 0)
            goto done;
    }
    if (r->takes_body) {
        sd_err e;
        if (api_parse_body(in->body, in->body_len, &rq.body, &e) < 0) {
            api_fail(rs, &e);
            goto done;
        }
    }
    r->fn(&rq, rs);
    if (rs->status == 0)
        api_error(rs, 500, "the handler gave no answer");
done:
    json_decref(rq.body);
    api_pool_give(srv->pool, rq.db);
}

/* Routes and runs in (see api_dispatch); returns the index of the matched route in the
 * table, or -1 when none matched. */
static long route_and_run(const api_server *srv, const api_http_in *in, api_resp *rs,
                          char *token_name, size_t token_name_len)
{
    api_match m;
    token_name[0] = '\0';
    if (in->body_too_big) {
        api_error(rs, 413, "the request body is larger than %d bytes", API_MAX_BODY);
        return -1;
    }
    size_t n;
    const api_route *table = api_routes(&n);
    /* HEAD is GET without the body (libmicrohttpd drops the body of a HEAD reply). */
    const char *method = strcmp(in->method, "HEAD") == 0 ? "GET" : in->method;
    int st = api_route_match(table, n, method, in->path, &m);
    if (st == 400) {
        api_error(rs, 400, "malformed percent-encoding in the path");
        return -1;
    }
    if (st == 404) {
        api_error(rs, 404, "no such resource");
        return -1;
    }
    if (st == 405) {
        api_error(rs, 405, "method %s not allowed here (allowed: %s)", in->method, m.allow);
        snprintf(rs->allow, sizeof rs->allow, "%s", m.allow);
        return -1;
    }
    run(srv, in, &m, rs, token_name, token_name_len);
    return (long)(m.route - table);
}

void api_dispatch(const api_server *srv, const api_http_in *in, api_resp *rs, char *token_name,
                  size_t token_name_len)
{
    long route = route_and_run(srv, in, rs, token_name, token_name_len);
    api_metrics_request(srv->metrics, route, rs->status);
}
