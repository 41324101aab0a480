/* jscan.h - a strict, allocation-free reader for the one request shape PowerDNS sends on
 * the hot path: {"method": "...", "parameters": {"key": scalar, ...}} on one line.
 *
 * It accepts only a subset of JSON and says so rather than guessing: strings of printable
 * ASCII without escapes, integers without fraction or exponent, true, false, null, and
 * parameters that are scalars. Anything else (escapes, nesting, duplicate members, more
 * than SB_JSCAN_MAX_PARAMS parameters, trailing bytes, a NUL byte) is "not simple", and the
 * caller hands the line to the full jansson parser, which gives the exact error or answer.
 * The results point into the line, which must outlive them. */
#ifndef SCAIDNS_BACKEND_JSCAN_H
#define SCAIDNS_BACKEND_JSCAN_H

#include <stddef.h>
#include <stdint.h>

#define SB_JSCAN_MAX_PARAMS 12

enum { SB_JV_STRING, SB_JV_INT, SB_JV_BOOL, SB_JV_NULL };

typedef struct sb_jval {
    const char *key; /* not NUL terminated */
    size_t key_len;
    int type;        /* SB_JV_* */
    const char *str; /* SB_JV_STRING: the characters between the quotes */
    size_t str_len;
    int64_t num; /* SB_JV_INT; SB_JV_BOOL: 0 or 1 */
} sb_jval;

typedef struct sb_jreq {
    const char *method;
    size_t method_len;
    int has_params;
    sb_jval params[SB_JSCAN_MAX_PARAMS];
    size_t n_params;
} sb_jreq;

/* Reads line (len bytes) into r. Returns 0 when the line is a simple request with a string
 * method, or -1 when it is not simple (r is then meaningless). */
int sb_jscan(const char *line, size_t len, sb_jreq *r);

/* The parameter named key (NUL terminated), or NULL. */
const sb_jval *sb_jreq_param(const sb_jreq *r, const char *key);

#endif
