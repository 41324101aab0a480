/* timefmt.c - RFC 3339 UTC times. */
#include "keystore/timefmt.h"

#include <time.h>

void sd_time_rfc3339(int64_t t, char *buf, size_t len)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
        if (len)
            buf[0] = '\0';
    }
}
