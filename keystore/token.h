/* token.h - API tokens: random secrets shown once, stored as a BLAKE2b hash, compared in
 * constant time, with scopes and an optional list of zones. */
#ifndef SCAIDNS_TOKEN_H
#define SCAIDNS_TOKEN_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "keystore/error.h"

#define SD_TOKEN_LEN 48 /* "scai_" + 43 base64url characters */

typedef struct sd_token {
    int64_t id;
    char name[128];
    char scopes[256]; /* comma separated */
    char zones[4096]; /* comma separated canonical names; "" = every zone */
} sd_token;

/* Returns 1 if scope is one scaidns knows (dnssec:read, dnssec:enable, dnssec:disable,
 * dnssec:rotate, zones:read, zones:write, tsig:read, tsig:write, metrics:read), else 0. */
int sd_scope_known(const char *scope);

/* Creates a token; writes the secret (NUL terminated) into secret (size > SD_TOKEN_LEN).
 * scopes: comma separated, each known; zones: comma separated names or NULL for all.
 * 409 if the name is taken, 400 on an unknown scope or bad zone name. */
int sd_token_create(sqlite3 *db, const char *name, const char *scopes, const char *zones,
                    int64_t now, char *secret, size_t secret_len, sd_err *e);

/* Looks a presented secret up. 401-style: returns -SD_ENOTFOUND for unknown or revoked. */
int sd_token_check(sqlite3 *db, const char *secret, sd_token *out, sd_err *e);

/* Returns 1 if t carries scope and may act on zone (canonical name; NULL = no zone). */
int sd_token_allows(const sd_token *t, const char *scope, const char *zone);

/* Returns 1 if t's zone list holds zone (canonical name), or t has no list (every zone). */
int sd_token_zone_allowed(const sd_token *t, const char *zone);

/* Revokes the token called name. 404 if there is none that is not already revoked. */
int sd_token_revoke(sqlite3 *db, const char *name, int64_t now, sd_err *e);

/* Calls fn for each token (revoked too) in name order. */
int sd_token_foreach(sqlite3 *db,
                     int (*fn)(const sd_token *t, int64_t created, int64_t revoked, void *arg),
                     void *arg, sd_err *e);

#endif
