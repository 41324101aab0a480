/* timefmt.h - RFC 3339 UTC times. */
#ifndef SCAIDNS_TIMEFMT_H
#define SCAIDNS_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* Writes t as "YYYY-MM-DDTHH:MM:SSZ" into buf (size >= 21). */
void sd_time_rfc3339(int64_t t, char *buf, size_t len);

#endif
