/* router.h - the route table and matching a request path against it. Paths are split at
 * '/' first and each segment percent-decoded afterwards, so that an encoded "/" or "." in
 * an id stays inside its segment ("%2e%2e" is a domain id "..", never a step up). */
#ifndef SCAIDNS_API_ROUTER_H
#define SCAIDNS_API_ROUTER_H

#include <stddef.h>

#include "api/api.h"

#define API_SEG_MAX 1024 /* longest path segment (decoded) that can match a parameter */

/* One route: method, pattern ("{name}" segments are parameters), the scope a token needs
 * (NULL: a public route; scope_alt: another scope that also lets the call in, the handler
 * then decides), whether a JSON body is read, and the handler. */
typedef struct api_route {
    const char *method;
    const char *pattern;
    const char *scope;
    const char *scope_alt;
    int takes_body;
    api_handler fn;
} api_route;

/* The result of matching one request. */
typedef struct api_match {
    const api_route *route;
    char params[API_MAX_PARAMS][API_SEG_MAX + 1];
    size_t nparams;
    char allow[64]; /* methods the path allows, for 405 */
} api_match;

/* The server's route table (n routes). */
const api_route *api_routes(size_t *n);

/* Matches method and path (no query string) against the n routes of table. Returns 200 with
 * m->route and m->params set; 404 when no pattern fits the path; 405 when one fits but not
 * with this method (m->allow lists the methods that do); 400 for a malformed percent escape
 * or an encoded NUL. */
int api_route_match(const api_route *table, size_t n, const char *method, const char *path,
                    api_match *m);

/* Decodes the percent escapes of the len bytes at s into out (size outlen). Returns the
 * decoded length, -1 for a malformed escape or %00, -2 when out is too small. */
int api_pct_decode(const char *s, size_t len, char *out, size_t outlen);

#endif
