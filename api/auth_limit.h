/* auth_limit.h - failed authentication, counted per peer address and rate-limited: each
 * address has a bucket of `burst` failures that refills at one failure every `interval`
 * seconds. A request that needs a token from an address whose bucket is empty is answered
 * 429 with Retry-After, without the token being looked at, until the bucket refills by one.
 * IPv6 peers are counted per /64 (one host owns at least that much). The table is bounded
 * (API_AUTH_LIMIT_SLOTS addresses); when full, the address that failed longest ago makes
 * room. Safe from any thread; every function accepts l == NULL and then limits nothing. */
#ifndef SCAIDNS_API_AUTH_LIMIT_H
#define SCAIDNS_API_AUTH_LIMIT_H

#include <sys/socket.h>

#define API_AUTH_LIMIT_SLOTS 4096
#define API_AUTH_LIMIT_PEER 64 /* bytes of a peer key, NUL included */

typedef struct api_auth_limit api_auth_limit;

/* A limiter allowing burst failures, then one more every interval seconds (both >= 1).
 * NULL when out of memory. */
api_auth_limit *api_auth_limit_new(unsigned burst, unsigned interval);

/* Frees l (NULL-safe). */
void api_auth_limit_free(api_auth_limit *l);

/* Writes the key the limiter counts addr under into out: the IPv4 address, the /64 of an
 * IPv6 address ("2001:db8:1:2::/64"), or "" for any other family (a Unix socket: not
 * limited; its mode and api-socket-allowed-uids decide who connects). */
void api_auth_limit_peer(const struct sockaddr *addr, char out[API_AUTH_LIMIT_PEER]);

/* 0 when peer may present a token now; else the whole seconds (>= 1) until it may. An empty
 * peer is never limited. */
int api_auth_limit_check(api_auth_limit *l, const char *peer);

/* Records a failed authentication by peer at the monotonic clock. Returns 1 when this failure
 * emptied peer's bucket for the first time since it was last full (the caller logs the burst
 * then, once), else 0; *failures is the count of failures of this burst. */
int api_auth_limit_fail(api_auth_limit *l, const char *peer, unsigned long *failures);

#endif
