/* log.h - one-line log messages on stderr, filtered by the configured log-level. Never pass
 * a private key or anything derived from one. */
#ifndef SCAIDNS_BACKEND_LOG_H
#define SCAIDNS_BACKEND_LOG_H

enum { SB_LOG_ERROR = 0, SB_LOG_WARNING = 1, SB_LOG_INFO = 2, SB_LOG_DEBUG = 3 };

/* Sets the threshold from a log-level name (error, warning, info, debug); returns -1 for an
 * unknown name. Called once at start-up: the level is part of the configuration. */
int sb_log_set_level(const char *name);

/* Writes "scaidns-backend: <level>: <message>" when level passes the threshold. */
void sb_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
