/* sarena.h - memory for secrets that are kept between requests: the unsealed private-key
 * text of getDomainKeys replies.
 *
 * Why keep them at all: with PowerDNS's dnssec-key-cache-ttl at 0 it asks getDomainKeys on
 * almost every query, and unsealing costs an X25519 operation per key. PowerDNS itself keeps
 * the same private keys in its own key cache for dnssec-key-cache-ttl seconds, so holding
 * them here adds no new exposure of a different kind; the keystore still holds them only
 * sealed. How they are held: in libsodium's guarded allocations (sodium_malloc: guard pages
 * around, mlock'd where the limit allows, so never swapped), in chunks, handed out by
 * bumping a pointer; everything is wiped and released at once by sb_sarena_reset, which the
 * store calls whenever PRAGMA data_version says the keystore changed (and at exit). */
#ifndef SCAIDNS_BACKEND_SARENA_H
#define SCAIDNS_BACKEND_SARENA_H

#include <stddef.h>

typedef struct sb_sarena_chunk sb_sarena_chunk;

typedef struct sb_sarena {
    sb_sarena_chunk *head; /* newest chunk first */
} sb_sarena;

/* Copies n bytes of data into the arena (sodium_init must have been called). Returns the
 * copy, or NULL when out of memory. */
char *sb_sarena_copy(sb_sarena *a, const char *data, size_t n);

/* Wipes and frees everything the arena handed out; the arena is then empty and reusable. */
void sb_sarena_reset(sb_sarena *a);

#endif
