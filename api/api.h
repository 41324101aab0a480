/* api.h - the types every part of scaidns-api shares: the server's fixed configuration, one
 * request as the route handlers see it, and the response they fill in. Nothing here knows
 * about libmicrohttpd, so that routes and helpers can be unit-tested without a socket. */
#ifndef SCAIDNS_API_H
#define SCAIDNS_API_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "keystore/config.h"
#include "keystore/policy.h"
#include "keystore/seal.h"
#include "keystore/token.h"

#define API_MAX_BODY (64 * 1024) /* request bodies above this get 413 */
#define API_MAX_PARAMS 4         /* path parameters of one route */

struct api_pool;
struct api_scheduler;
struct api_webhook;
struct api_metrics;
struct api_auth_limit;

/* What the running server knows; set up once in main, read-only afterwards. */
typedef struct api_server {
    sd_config cfg;
    sd_seal_keys seal;  /* public half only: the API can seal keys but never open one */
    sd_policy defaults; /* the configured default policy */
    struct api_pool *pool;
    struct api_scheduler *sched;       /* NULL when no scheduler runs (tests) */
    struct api_webhook *webhook;       /* NULL when webhook-url is empty (and in tests) */
    struct api_metrics *metrics;       /* counters for /metrics (atomics); NULL in tests */
    struct api_auth_limit *auth_limit; /* failed tokens per address (NULL: no limit) */
    const char *openapi;               /* the embedded OpenAPI document */
    size_t openapi_len;
} api_server;

/* One request as a route handler sees it. */
typedef struct api_req {
    const api_server *srv;
    sqlite3 *db; /* this request's own connection (from the pool) */
    const char *method;
    const char *path;                   /* raw path, for messages */
    const char *params[API_MAX_PARAMS]; /* decoded path parameters, in pattern order */
    size_t nparams;
    json_t *body;          /* the parsed JSON object, or NULL when the body was empty */
    const sd_token *token; /* the caller's token; NULL on public routes */
    /* query-string lookup: returns the raw value of key or NULL */
    const char *(*query)(void *qctx, const char *key);
    void *qctx;
    int64_t now; /* Unix seconds at the start of the request */
} api_req;

/* What a handler answers. body is owned by the response (NULL for 204 or raw bodies). */
typedef struct api_resp {
    int status;
    json_t *body;
    const char *raw; /* a static body sent as is (the OpenAPI document) */
    size_t raw_len;
    char *text; /* a malloc'd body sent as is and freed by the HTTP layer (/metrics) */
    size_t text_len;
    const char *content_type; /* of raw or text; NULL: application/json */
    const char *csp;          /* sent as Content-Security-Policy when not NULL (/ui/) */
    int retry_after;          /* seconds, sent as Retry-After when > 0 */
    char allow[64];           /* sent as Allow when not empty (405) */
    char location[128];       /* sent as Location when not empty (201) */
} api_resp;

/* A route handler: reads rq, fills rs (status and body). Never fails otherwise. */
typedef void (*api_handler)(api_req *rq, api_resp *rs);

#endif
