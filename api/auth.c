/* auth.c - Bearer tokens, scopes, zones. */
#include "api/auth.h"

#include <sodium.h>
#include <string.h>
#include <strings.h>

#include "api/json_io.h"

int api_bearer(const char *header, char *out, size_t outlen)
{
    if (!header || strncasecmp(header, "Bearer ", 7) != 0)
        return -1;
    const char *p = header + 7;
    while (*p == ' ')
        p++;
    size_t n = strlen(p);
    while (n > 0 && p[n - 1] == ' ')
        n--;
    if (n == 0 || n >= outlen)
        return -1;
    memcpy(out, p, n);
    out[n] = '\0';
    return 0;
}

int api_authenticate(sqlite3 *db, const char *header, sd_token *t, api_resp *rs)
{
    char secret[SD_TOKEN_LEN + 16];
    if (!header) {
        api_error(rs, 401, "missing Authorization: Bearer token");
        return -1;
    }
    if (api_bearer(header, secret, sizeof secret) < 0) {
        api_error(rs, 401, "malformed Authorization header (expected 'Bearer <token>')");
        return -1;
    }
    sd_err e;
    int rc = sd_token_check(db, secret, t, &e);
    sodium_memzero(secret, sizeof secret);
    if (rc == 0)
        return 0;
    if (e.code == SD_ENOTFOUND)
        api_error(rs, 401, "unknown or revoked token");
    else
        api_fail(rs, &e);
    return -1;
}

int api_require_scope(const api_req *rq, const char *scope, const char *scope_alt, api_resp *rs)
{
    if (!rq->token) {
        api_error(rs, 401, "missing Authorization: Bearer token");
        return -1;
    }
    if (sd_token_allows(rq->token, scope, NULL) ||
        (scope_alt && sd_token_allows(rq->token, scope_alt, NULL)))
        return 0;
    if (scope_alt)
        api_error(rs, 403, "this token lacks the scope %s or %s", scope, scope_alt);
    else
        api_error(rs, 403, "this token lacks the scope %s", scope);
    return -1;
}

int api_zone_lookup(const api_req *rq, const char *scope, sd_zone *z, api_resp *rs)
{
    sd_err e;
    /* The scope first: it does not depend on the zone, so this 403 tells nothing about it. */
    if (rq->token && scope && !sd_token_allows(rq->token, scope, NULL)) {
        api_error(rs, 403, "this token lacks the scope %s", scope);
        return -1;
    }
    if (rq->nparams < 1 || sd_zone_find(rq->db, rq->params[0], z, &e) < 0) {
        if (rq->nparams < 1 || e.code == SD_ENOTFOUND)
            api_error(rs, 404, "domain not found");
        else
            api_fail(rs, &e);
        return -1;
    }
    /* Word for word the answer for a zone that does not exist. */
    if (rq->token && !sd_token_zone_allowed(rq->token, z->name)) {
        memset(z, 0, sizeof *z);
        api_error(rs, 404, "domain not found");
        return -1;
    }
    return 0;
}
