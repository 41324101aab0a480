/* auth.h - who may do what: Bearer tokens (401) and their scopes and zones (403). */
#ifndef SCAIDNS_API_AUTH_H
#define SCAIDNS_API_AUTH_H

#include <sqlite3.h>
#include <stddef.h>

#include "api.h"
#include "token.h"
#include "zone.h"

/* Extracts the token from an Authorization header value "Bearer <token>" (scheme in any
 * case, spaces around the token allowed) into out. Returns 0, or -1 when header is NULL,
 * of another scheme, empty, or the token does not fit in outlen. */
int api_bearer(const char *header, char *out, size_t outlen);

/* Authenticates the Authorization header value against the keystore: 0 with *t filled, or
 * -1 with rs set to 401 (missing, malformed, unknown or revoked token) or 503/500. The
 * secret is wiped from the stack before returning. */
int api_authenticate(sqlite3 *db, const char *header, sd_token *t, api_resp *rs);

/* 0 if the request's token carries scope (or, when given, scope_alt); else 403 in rs. */
int api_require_scope(const api_req *rq, const char *scope, const char *scope_alt, api_resp *rs);

/* Finds the zone named by the first path parameter (d_... id or name) and checks that the
 * token may use scope on it: 0, or -1 with rs set to 404 (unknown zone) or 403. scope NULL
 * checks only that the zone is in the token's zone list. */
int api_zone_lookup(const api_req *rq, const char *scope, sd_zone *z, api_resp *rs);

#endif
