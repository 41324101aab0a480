/* io.c - socket waits with a deadline. */
#include "lifecycle/io.h"

#include <errno.h>
#include <poll.h>
#include <time.h>

int64_t sd_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int sd_wait_fd(int fd, short events, int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - sd_mono_ms();
        if (left <= 0)
            return -1;
        struct pollfd p = {fd, events, 0};
        int r = poll(&p, 1, (int)left);
        if (r > 0)
            return 0;
        if (r < 0 && errno != EINTR)
            return -1;
    }
}
