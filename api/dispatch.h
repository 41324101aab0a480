/* dispatch.h - one HTTP request through the API, independent of the HTTP library: size
 * limit (413), routing (404/405/400), failed tokens from the address (429), token (401),
 * scope (403), body (400), handler. */
#ifndef SCAIDNS_API_DISPATCH_H
#define SCAIDNS_API_DISPATCH_H

#include <stddef.h>

#include "api/api.h"

/* A request as the HTTP layer received it. */
typedef struct api_http_in {
    const char *method;
    const char *path;          /* raw (still percent-encoded) path, without the query */
    const char *authorization; /* the Authorization header, or NULL */
    const char *body;          /* the body bytes (not NUL terminated), or NULL */
    size_t body_len;
    int body_too_big; /* the body was over API_MAX_BODY and was not kept */
    const char *(*query)(void *qctx, const char *key);
    void *qctx;
    const char *peer; /* the client's address key (api/auth_limit.h); NULL or "": none */
} api_http_in;

/* Answers in into rs (status and body always set; the caller frees rs->body) and copies the
 * name of the caller's token (or "" when none was accepted) into token_name for the log. */
void api_dispatch(const api_server *srv, const api_http_in *in, api_resp *rs, char *token_name,
                  size_t token_name_len);

#endif
