/* auth.h - who may do what: Bearer tokens (401), their scopes (403) and their zone lists
 * (404: a zone outside a token's list is answered exactly like a zone that does not exist,
 * whether it is named by d_... id or by name, so a limited token learns nothing about the
 * other zones, not even that they exist). */
#ifndef SCAIDNS_API_AUTH_H
#define SCAIDNS_API_AUTH_H

#include <sqlite3.h>
#include <stddef.h>

#include "api/api.h"
#include "keystore/token.h"
#include "keystore/zone.h"

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

/* Checks that the token carries scope (403 otherwise, before the zone is looked at), then
 * finds the zone named by the first path parameter (d_... id or name) and checks that it is
 * in the token's zone list: 0, or -1 with rs set to 403, or to 404 "domain not found" for a
 * zone that does not exist and, alike, for one outside the list. scope NULL checks only the
 * zone list (the handler then checks a scope that depends on the zone's state). */
int api_zone_lookup(const api_req *rq, const char *scope, sd_zone *z, api_resp *rs);

#endif
