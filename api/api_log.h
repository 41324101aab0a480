/* log.h - the request log: one line per request on stderr, written with a single write(2)
 * so that lines of concurrent requests never interleave. Never logs a token. */
#ifndef SCAIDNS_API_LOG_H
#define SCAIDNS_API_LOG_H

#include <stddef.h>

/* Formats one request line into buf (size len): time, method, path (non-printable bytes as
 * \xNN, cut at 256 bytes), status, milliseconds, token name ("-" when none). Returns the
 * length written (always < len). */
size_t api_log_format(char *buf, size_t len, const char *method, const char *path, int status,
                      double ms, const char *token_name);

/* Writes the request line to stderr. */
void api_log_request(const char *method, const char *path, int status, double ms,
                     const char *token_name);

/* Writes "scaidns-api: <message>" to stderr. */
void api_log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
