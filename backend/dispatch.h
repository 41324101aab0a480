/* dispatch.h - one request line in, one reply line out. */
#ifndef SCAIDNS_BACKEND_DISPATCH_H
#define SCAIDNS_BACKEND_DISPATCH_H

#include <stddef.h>

#include "backend/buf.h"
#include "backend/stats.h"
#include "backend/store.h"

/* Parses line (len bytes, no newline; need not be NUL terminated) as a remote-backend
 * request {"method": "...", "parameters": {...}}, runs the method inside one store read
 * transaction and returns the compact JSON reply followed by '\n' (malloc'd; *outlen set).
 * Malformed JSON, a request that is not an object, a missing or non-string method,
 * parameters that are not an object, and handler errors all give
 * {"result": false, "log": ["..."]}; unknown methods give {"result": false}.
 * Returns NULL only when out of memory. The reply may hold private keys: the caller wipes
 * it (sodium_memzero) before freeing it. */
char *sb_dispatch(sb_store *s, const char *line, size_t len, size_t *outlen);

/* The same, appending the reply line to out (the server's reusable buffer). Simple
 * requests for lookup, getDomainKeys, getAllDomainMetadata and
 * getBeforeAndAfterNamesAbsolute take the fast path (fast.h);
 * the rest go through jansson. Returns 0, or -1 when out of memory (out then holds what it
 * held before). */
int sb_dispatch_into(sb_store *s, const char *line, size_t len, sb_buf *out);

/* sb_dispatch_into that also answers SB_STATS_METHOD from st ({"result": false} when st is
 * NULL, as for any unknown method) and, when call is not NULL, says which method the request
 * was for and whether the reply is an error (stats.h), for the caller to count. */
int sb_dispatch_counted(sb_store *s, const sb_stats *st, const char *line, size_t len, sb_buf *out,
                        sb_call *call);

/* A reply for a problem found before parsing (e.g. "request line over 1 MiB"), as above. */
char *sb_error_reply(const char *msg, size_t *outlen);

/* Makes jansson wipe every block it frees (private keys pass through its strings). Call
 * once, before any other jansson use. */
void sb_json_wiping_alloc(void);

#endif
