/* error.c - filling in sd_err. */
#include "keystore/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int sd_fail(sd_err *e, int code, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        e->code = code;
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
    }
    return -code;
}

void sd_err_clear(sd_err *e)
{
    if (e) {
        e->code = 0;
        e->msg[0] = '\0';
    }
}
