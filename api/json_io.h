/* json_io.h - JSON in and out: parsing request bodies, checking their fields, and building
 * responses and {"error": "...", "code": N} errors. */
#ifndef SCAIDNS_API_JSON_IO_H
#define SCAIDNS_API_JSON_IO_H

#include <jansson.h>
#include <stddef.h>

#include "api/api.h"
#include "keystore/error.h"

/* Parses a request body. An empty (or all-whitespace) body gives *out = NULL and 0. A body
 * that is not one JSON object (bad syntax, invalid UTF-8, duplicate keys, integers beyond
 * 64 bits, NUL in strings, another JSON type) gives -400 with the reason in e. */
int api_parse_body(const char *buf, size_t len, json_t **out, sd_err *e);

/* A JSON string of s; bytes that would make it invalid UTF-8 become '?'. Never NULL
 * unless out of memory. */
json_t *api_str(const char *s);

/* Sets rs to status with body (taking the reference; NULL for none). */
void api_reply(api_resp *rs, int status, json_t *body);

/* Sets rs to the error {"error": message, "code": status}. */
void api_error(api_resp *rs, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sets rs from a keystore error: its code becomes the status (400, 404, 409, 503 with
 * Retry-After: 1; anything else 500). */
void api_fail(api_resp *rs, const sd_err *e);

/* Checks that the request body has no field outside allowed (a NULL-terminated list; NULL
 * for none). Returns 0, or sets a 400 in rs and returns -1. A NULL body passes. */
int api_only_fields(const json_t *body, const char *const *allowed, api_resp *rs);

/* Reads the integer field key of obj into *out. Absent: *present = 0 (and 400 if required).
 * Not a JSON integer (string, real, bool, null) or outside [lo, hi]: 400. Returns 0 or -1. */
int api_int_field(const json_t *obj, const char *key, int required, long long lo, long long hi,
                  long long *out, int *present, api_resp *rs);

/* Reads the string field key of obj (1 to maxlen bytes) into *out (borrowed from obj).
 * Absent: *out = NULL (and 400 if required). Another type or length: 400. Returns 0 or -1. */
int api_str_field(const json_t *obj, const char *key, int required, size_t maxlen, const char **out,
                  api_resp *rs);

/* Reads query parameter key as a whole decimal number in [lo, hi] (def when absent).
 * Anything else: 400. Returns 0 or -1. */
int api_query_int(const api_req *rq, const char *key, long long lo, long long hi, long long def,
                  long long *out, api_resp *rs);

#endif
