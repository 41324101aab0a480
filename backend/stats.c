/* stats.c - per-method request counters and latency histogram (stats.h). */
#include "backend/stats.h"

#include <string.h>

static const char *const NAMES[SB_M_COUNT] = {"lookup",
                                              "list",
                                              "getDomainKeys",
                                              "getAllDomainMetadata",
                                              "getDomainMetadata",
                                              "getAllDomains",
                                              "getDomainInfo",
                                              "getBeforeAndAfterNamesAbsolute",
                                              "initialize",
                                              "other"};

static const uint64_t BOUNDS_US[SB_STATS_BUCKETS - 1] = SB_STATS_BOUNDS;

int sb_stats_method(const char *name, size_t len)
{
    for (int i = 0; i < SB_M_OTHER; i++)
        if (strlen(NAMES[i]) == len && memcmp(NAMES[i], name, len) == 0)
            return i;
    if (len == sizeof SB_STATS_METHOD - 1 && memcmp(name, SB_STATS_METHOD, len) == 0)
        return SB_M_UNCOUNTED;
    return SB_M_OTHER;
}

const char *sb_stats_method_name(int i)
{
    return i >= 0 && i < SB_M_COUNT ? NAMES[i] : "other";
}

void sb_stats_record(sb_stats *st, const sb_call *call, uint64_t ns)
{
    if (call->method < 0 || call->method >= SB_M_COUNT)
        return;
    sb_method_stats *m = &st->m[call->method];
    m->requests++;
    m->errors += call->error != 0;
    m->sum_ns += ns;
    size_t b = 0;
    while (b < SB_STATS_BUCKETS - 1 && ns > BOUNDS_US[b] * 1000)
        b++;
    m->buckets[b]++;
}

/* Appends "key":N. Returns 0 or -1. */
static int put_num(sb_buf *out, const char *key, uint64_t v)
{
    return sb_buf_put(out, "\"", 1) < 0 || sb_buf_puts(out, key) < 0 ||
                   sb_buf_put(out, "\":", 2) < 0 || sb_buf_int(out, (int64_t)v) < 0
               ? -1
               : 0;
}

int sb_stats_render(const sb_stats *st, sb_buf *out)
{
    size_t start = out->len;
    int fail = sb_buf_puts(out, "{\"result\":{\"le_us\":[") < 0;
    for (size_t b = 0; !fail && b < SB_STATS_BUCKETS - 1; b++)
        fail = (b && sb_buf_put(out, ",", 1) < 0) || sb_buf_int(out, (int64_t)BOUNDS_US[b]) < 0;
    fail = fail || sb_buf_puts(out, "],\"methods\":{") < 0;
    for (int i = 0; !fail && i < SB_M_COUNT; i++) {
        const sb_method_stats *m = &st->m[i];
        fail = (i && sb_buf_put(out, ",", 1) < 0) ||
               sb_buf_json_str(out, NAMES[i], strlen(NAMES[i])) < 0 || sb_buf_puts(out, ":{") < 0 ||
               put_num(out, "requests", m->requests) < 0 || sb_buf_put(out, ",", 1) < 0 ||
               put_num(out, "errors", m->errors) < 0 || sb_buf_put(out, ",", 1) < 0 ||
               put_num(out, "sum_ns", m->sum_ns) < 0 || sb_buf_puts(out, ",\"buckets\":[") < 0;
        for (size_t b = 0; !fail && b < SB_STATS_BUCKETS; b++)
            fail =
                (b && sb_buf_put(out, ",", 1) < 0) || sb_buf_int(out, (int64_t)m->buckets[b]) < 0;
        fail = fail || sb_buf_puts(out, "]}") < 0;
    }
    if (fail || sb_buf_puts(out, "}}}\n") < 0) {
        out->len = start;
        return -1;
    }
    return 0;
}
