/* stats.h - what scaidns-backend counts about the requests it answers, for the API's
 * GET /metrics: per method (the methods PowerDNS calls most, the rest as "other"), how many
 * requests, how many were answered with an error, and a latency histogram with fixed buckets,
 * from the moment a complete request line is found to the moment its reply was handed to the
 * kernel (monotonic clock).
 *
 * The counters are plain integers in a struct the caller owns: the backend is one thread, so
 * recording is a few additions, with no lock and no allocation. The API reads them by sending
 * {"method":"scaidnsStats"} on the backend socket (a method PowerDNS never sends); the reply
 * is rendered by sb_stats_render. */
#ifndef SCAIDNS_BACKEND_STATS_H
#define SCAIDNS_BACKEND_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "backend/buf.h"

/* The methods counted one by one; SB_M_OTHER takes every other method name and requests
 * whose method cannot be read (malformed JSON). */
enum {
    SB_M_LOOKUP,
    SB_M_LIST,
    SB_M_GET_DOMAIN_KEYS,
    SB_M_GET_ALL_DOMAIN_METADATA,
    SB_M_GET_DOMAIN_METADATA,
    SB_M_GET_ALL_DOMAINS,
    SB_M_GET_DOMAIN_INFO,
    SB_M_GET_BEFORE_AND_AFTER,
    SB_M_INITIALIZE,
    SB_M_OTHER,
    SB_M_COUNT,
    SB_M_UNCOUNTED = -1 /* the stats request itself: not counted, so scrapes do not show */
};

/* Upper bounds of the histogram's buckets in microseconds; one more bucket holds the rest. */
#define SB_STATS_BOUNDS                                                                            \
    {                                                                                              \
        25, 50, 100, 250, 500, 1000, 5000, 25000                                                   \
    }
#define SB_STATS_BUCKETS 9

/* The method name that asks for the stats. */
#define SB_STATS_METHOD "scaidnsStats"

typedef struct sb_method_stats {
    uint64_t requests, errors;
    uint64_t sum_ns;                    /* total latency of the requests counted */
    uint64_t buckets[SB_STATS_BUCKETS]; /* not cumulative: each request adds to one bucket */
} sb_method_stats;

typedef struct sb_stats {
    sb_method_stats m[SB_M_COUNT];
} sb_stats;

/* What the dispatcher learnt about one request: its SB_M_* index (or SB_M_UNCOUNTED) and
 * whether the reply was an error ({"result": false, "log": [...]}). */
typedef struct sb_call {
    int method;
    int error;
} sb_call;

/* The SB_M_* index of the method name (len bytes, not NUL terminated); SB_M_UNCOUNTED for
 * SB_STATS_METHOD, SB_M_OTHER for any other name. */
int sb_stats_method(const char *name, size_t len);

/* The name of method index i (0 <= i < SB_M_COUNT) as PowerDNS spells it ("other" last). */
const char *sb_stats_method_name(int i);

/* Counts one request of call->method (ignored when SB_M_UNCOUNTED or out of range) that took
 * ns nanoseconds. */
void sb_stats_record(sb_stats *st, const sb_call *call, uint64_t ns);

/* Appends the reply to the stats request as one line:
 *   {"result":{"le_us":[25,...],"methods":{"lookup":{"requests":N,"errors":N,
 *    "sum_ns":N,"buckets":[N,...]},...}}}
 * with every method present, the buckets not cumulative and one longer than le_us (the last
 * counts what is over the last bound). Returns 0, or -1 when out of memory. */
int sb_stats_render(const sb_stats *st, sb_buf *out);

#endif
