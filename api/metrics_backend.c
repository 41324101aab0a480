/* metrics_backend.c - scaidns-backend's counters as Prometheus series
 * (api/backend_client.h). */
#include "api/backend_client.h"

#include <inttypes.h>
#include <stdint.h>

#include "api/metrics.h"

#define MAX_BOUNDS 32  /* histogram bounds accepted from the backend */
#define MAX_METHODS 32 /* methods accepted from the backend */

/* Whether v is an integer >= 0 (stored in *out). */
static int count_of(const json_t *v, uint64_t *out)
{
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return 0;
    *out = (uint64_t)json_integer_value(v);
    return 1;
}

/* Whether one method's member has the expected shape for nb bounds. */
static int method_ok(const json_t *m, size_t nb)
{
    uint64_t v;
    const json_t *b = json_object_get(m, "buckets");
    if (!count_of(json_object_get(m, "requests"), &v) ||
        !count_of(json_object_get(m, "errors"), &v) ||
        !count_of(json_object_get(m, "sum_ns"), &v) || json_array_size(b) != nb + 1)
        return 0;
    for (size_t i = 0; i <= nb; i++)
        if (!count_of(json_array_get(b, i), &v))
            return 0;
    return 1;
}

/* Whether stats is a well-formed stats object: le_us strictly ascending positive integers
 * (at most MAX_BOUNDS), methods an object of at most MAX_METHODS well-formed members. */
static int stats_ok(const json_t *stats)
{
    const json_t *le = json_object_get(stats, "le_us");
    const json_t *ms = json_object_get(stats, "methods");
    size_t nb = json_array_size(le);
    if (!json_is_array(le) || nb == 0 || nb > MAX_BOUNDS || !json_is_object(ms) ||
        json_object_size(ms) > MAX_METHODS)
        return 0;
    uint64_t prev = 0, v;
    for (size_t i = 0; i < nb; i++) {
        if (!count_of(json_array_get(le, i), &v) || v <= prev)
            return 0;
        prev = v;
    }
    const char *name;
    const json_t *m;
    json_object_foreach((json_t *)ms, name, m)
    {
        if (!method_ok(m, nb))
            return 0;
    }
    return 1;
}

/* Writes us microseconds as a decimal number of seconds without trailing zeros ("0.000025",
 * "0.001", "2"). Returns 0 or -1. */
static int put_seconds_us(FILE *f, uint64_t us)
{
    char frac[8];
    int n = snprintf(frac, sizeof frac, "%06" PRIu64, us % 1000000);
    while (n > 0 && frac[n - 1] == '0')
        frac[--n] = '\0';
    return fprintf(f, "%" PRIu64 "%s%s", us / 1000000, n ? "." : "", frac) < 0 ? -1 : 0;
}

/* Writes "NAME{method="M"" (the caller closes the brace). Returns 0 or -1. */
static int open_series(FILE *f, const char *name, const char *method)
{
    return fprintf(f, "%s{method=\"", name) < 0 || api_metrics_label(f, method) < 0 ||
                   fputc('"', f) == EOF
               ? -1
               : 0;
}

/* Writes one counter family: HELP, TYPE and the member key of every method. */
static int counter(FILE *f, const json_t *ms, const char *name, const char *key, const char *help)
{
    if (fprintf(f, "# HELP %s %s\n# TYPE %s counter\n", name, help, name) < 0)
        return -1;
    const char *method;
    const json_t *m;
    json_object_foreach((json_t *)ms, method, m)
    {
        if (open_series(f, name, method) < 0 ||
            fprintf(f, "} %" JSON_INTEGER_FORMAT "\n",
                    json_integer_value(json_object_get(m, key))) < 0)
            return -1;
    }
    return 0;
}

/* Writes one method's histogram series. */
static int histogram(FILE *f, const json_t *le, const char *method, const json_t *m)
{
    static const char *const H = "scaidns_backend_request_duration_seconds";
    const json_t *b = json_object_get(m, "buckets");
    size_t nb = json_array_size(le);
    uint64_t cum = 0;
    for (size_t i = 0; i <= nb; i++) {
        cum += (uint64_t)json_integer_value(json_array_get(b, i));
        if (fprintf(f, "%s_bucket", H) < 0 || open_series(f, "", method) < 0 ||
            fputs(",le=\"", f) == EOF)
            return -1;
        if (i < nb ? put_seconds_us(f, (uint64_t)json_integer_value(json_array_get(le, i))) < 0
                   : fputs("+Inf", f) == EOF)
            return -1;
        if (fprintf(f, "\"} %" PRIu64 "\n", cum) < 0)
            return -1;
    }
    uint64_t ns = (uint64_t)json_integer_value(json_object_get(m, "sum_ns"));
    if (fprintf(f, "%s_sum", H) < 0 || open_series(f, "", method) < 0 ||
        fprintf(f, "} %" PRIu64 ".%09" PRIu64 "\n", ns / 1000000000u, ns % 1000000000u) < 0 ||
        fprintf(f, "%s_count", H) < 0 || open_series(f, "", method) < 0 ||
        fprintf(f, "} %" PRIu64 "\n", cum) < 0)
        return -1;
    return 0;
}

int api_backend_stats_write(const json_t *stats, FILE *f)
{
    int up = stats && stats_ok(stats);
    if (fprintf(f,
                "# HELP scaidns_backend_up Whether scaidns-backend answered the stats request on "
                "its socket.\n# TYPE scaidns_backend_up gauge\nscaidns_backend_up %d\n",
                up) < 0)
        return -1;
    if (!up)
        return 0;
    const json_t *le = json_object_get(stats, "le_us");
    const json_t *ms = json_object_get(stats, "methods");
    if (counter(f, ms, "scaidns_backend_requests_total", "requests",
                "Requests scaidns-backend answered since it started, by remote-backend method.") <
            0 ||
        counter(f, ms, "scaidns_backend_errors_total", "errors",
                "Requests scaidns-backend answered with an error (result false with a log), by "
                "method.") < 0 ||
        fputs("# HELP scaidns_backend_request_duration_seconds Time from a complete request "
              "line to its reply handed to the kernel, by method.\n"
              "# TYPE scaidns_backend_request_duration_seconds histogram\n",
              f) == EOF)
        return -1;
    const char *method;
    const json_t *m;
    json_object_foreach((json_t *)ms, method, m)
    {
        if (histogram(f, le, method, m) < 0)
            return -1;
    }
    return 0;
}
