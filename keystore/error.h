/* error.h - the one error type every keystore call fills in. */
#ifndef SCAIDNS_ERROR_H
#define SCAIDNS_ERROR_H

/* Status codes follow HTTP so that the API can pass them through unchanged. */
enum {
    SD_OK = 0,
    SD_EBADINPUT = 400,
    SD_ENOTFOUND = 404,
    SD_ECONFLICT = 409,
    SD_EINTERNAL = 500,
    SD_EBUSY = 503,
};

typedef struct sd_err {
    int code;      /* one of the values above; 0 when no error was recorded */
    char msg[512]; /* human-readable, safe to show to the caller (never a secret) */
} sd_err;

/* Records code and a printf-style message in e (which may be NULL); returns -code so that
 * callers can write `return sd_fail(e, SD_EBADINPUT, "...")`. */
int sd_fail(sd_err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Clears e to "no error". */
void sd_err_clear(sd_err *e);

#endif
