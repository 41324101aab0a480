/* auth_limit.c - per-address buckets of failed authentications (see api/auth_limit.h). */
#include "api/auth_limit.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PROBE 16 /* slots looked at for one address */

typedef struct slot {
    char peer[API_AUTH_LIMIT_PEER]; /* "" = free */
    double tokens;                  /* failures still allowed (refilled lazily) */
    double at;                      /* monotonic seconds of the last refill */
    unsigned long failures;         /* failures since the bucket was last full */
    int logged;                     /* this burst was logged */
} slot;

struct api_auth_limit {
    pthread_mutex_t mu;
    double burst, interval;
    unsigned char
        seed[crypto_shorthash_KEYBYTES]; /* random: addresses cannot be picked to collide */
    slot slots[API_AUTH_LIMIT_SLOTS];
};

/* Monotonic seconds. */
static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

api_auth_limit *api_auth_limit_new(unsigned burst, unsigned interval)
{
    if (burst < 1 || interval < 1 || sodium_init() < 0)
        return NULL;
    api_auth_limit *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    pthread_mutex_init(&l->mu, NULL);
    l->burst = burst;
    l->interval = interval;
    randombytes_buf(l->seed, sizeof l->seed);
    return l;
}

void api_auth_limit_free(api_auth_limit *l)
{
    if (!l)
        return;
    pthread_mutex_destroy(&l->mu);
    free(l);
}

void api_auth_limit_peer(const struct sockaddr *addr, char out[API_AUTH_LIMIT_PEER])
{
    out[0] = '\0';
    if (!addr)
        return;
    if (addr->sa_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)addr;
        inet_ntop(AF_INET, &a->sin_addr, out, API_AUTH_LIMIT_PEER);
    } else if (addr->sa_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)addr;
        struct in6_addr net = a->sin6_addr;
        if (IN6_IS_ADDR_V4MAPPED(&net)) { /* an IPv4 client on a dual-stack socket */
            inet_ntop(AF_INET, &net.s6_addr[12], out, API_AUTH_LIMIT_PEER);
            return;
        }
        memset(&net.s6_addr[8], 0, 8);
        char text[INET6_ADDRSTRLEN];
        if (inet_ntop(AF_INET6, &net, text, sizeof text))
            snprintf(out, API_AUTH_LIMIT_PEER, "%s/64", text);
    }
}

/* Refills s's bucket up to now. */
static void refill(const api_auth_limit *l, slot *s, double now)
{
    if (now > s->at)
        s->tokens += (now - s->at) / l->interval;
    s->at = now;
    if (s->tokens >= l->burst) {
        s->tokens = l->burst;
        s->failures = 0;
        s->logged = 0;
    }
}

/* The slot of peer (lock held): found, or, when create, a free one or the one whose last
 * refill is oldest, reset for peer. NULL when not found and !create. */
static slot *find(api_auth_limit *l, const char *peer, int create, double now)
{
    uint64_t h;
    crypto_shorthash((unsigned char *)&h, (const unsigned char *)peer, strlen(peer), l->seed);
    slot *victim = NULL;
    for (size_t i = 0; i < PROBE; i++) {
        slot *s = &l->slots[(h + i) % API_AUTH_LIMIT_SLOTS];
        if (strcmp(s->peer, peer) == 0)
            return s;
        if (!victim || (victim->peer[0] && (!s->peer[0] || s->at < victim->at)))
            victim = s;
    }
    if (!create)
        return NULL;
    memset(victim, 0, sizeof *victim);
    snprintf(victim->peer, sizeof victim->peer, "%s", peer);
    victim->tokens = l->burst;
    victim->at = now;
    return victim;
}

int api_auth_limit_check(api_auth_limit *l, const char *peer)
{
    if (!l || !peer || !peer[0])
        return 0;
    double now = mono();
    int wait = 0;
    pthread_mutex_lock(&l->mu);
    slot *s = find(l, peer, 0, now);
    if (s) {
        refill(l, s, now);
        if (s->tokens < 1.0) {
            wait = (int)((1.0 - s->tokens) * l->interval + 0.999);
            if (wait < 1)
                wait = 1;
        }
    }
    pthread_mutex_unlock(&l->mu);
    return wait;
}

int api_auth_limit_fail(api_auth_limit *l, const char *peer, unsigned long *failures)
{
    if (failures)
        *failures = 0;
    if (!l || !peer || !peer[0])
        return 0;
    double now = mono();
    int first = 0;
    pthread_mutex_lock(&l->mu);
    slot *s = find(l, peer, 1, now);
    refill(l, s, now);
    s->tokens -= 1.0;
    if (s->tokens < 0.0)
        s->tokens = 0.0;
    s->failures++;
    if (s->tokens < 1.0 && !s->logged) {
        s->logged = 1;
        first = 1;
    }
    if (failures)
        *failures = s->failures;
    pthread_mutex_unlock(&l->mu);
    return first;
}
