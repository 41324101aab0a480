/* log.h - scaidns-api's log: one line per event on stderr ("scaidns-api: <level>: ..."),
 * each written with a single write(2) so that lines of concurrent threads never interleave,
 * filtered by the configured log-level (error, warning, info, debug; default info).
 *
 * What goes where, as a PowerDNS operator expects: errors (a failed step, a failed delivery,
 * a 5xx answer, start-up failures) at error; trouble that heals itself or a refused request
 * (a failed cache purge, a failed parent check, 401/403) at warning; state changes (start,
 * stop, a scheduler step, a change made through the API: a POST/PUT/PATCH/DELETE answered
 * below 400) at info; every other request (reads, client errors, /metrics) at debug.
 * Never logs a token (only its name), a request body or key material. */
#ifndef SCAIDNS_API_LOG_H
#define SCAIDNS_API_LOG_H

#include <stddef.h>

enum { API_LOG_ERROR = 0, API_LOG_WARNING = 1, API_LOG_INFO = 2, API_LOG_DEBUG = 3 };

/* Sets the threshold from a log-level name (error, warning, info, debug); returns -1 for an
 * unknown name. Called once in main before any thread starts: the level is part of the
 * configuration, read-only afterwards. */
int api_log_set_level(const char *name);

/* Whether a line at level would be written. */
int api_log_enabled(int level);

/* The level a request is logged at (see the top of this file). */
int api_log_request_level(const char *method, int status);

/* Formats one request line into buf (size len): "scaidns-api: <level>: METHOD PATH STATUS
 * MSms token=NAME\n", the path with bytes outside printable ASCII and backslashes as \xNN and
 * cut at 256 bytes, the token name "-" when none. Returns the length written (always < len). */
size_t api_log_format(char *buf, size_t len, int level, const char *method, const char *path,
                      int status, double ms, const char *token_name);

/* Writes the request line at its level (api_log_request_level) when that passes. */
void api_log_request(const char *method, const char *path, int status, double ms,
                     const char *token_name);

/* Writes "scaidns-api: <level>: <message>" when level passes the threshold. */
void api_log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct sd_notes;
/* Writes each note a lifecycle call handed back at its level, and how many were dropped. */
void api_log_notes(const struct sd_notes *notes);

#endif
