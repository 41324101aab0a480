/* io.h - waiting on sockets with a deadline, shared by scaidns-api's clients (PowerDNS's
 * control socket, webhooks). */
#ifndef SCAIDNS_LIFECYCLE_IO_H
#define SCAIDNS_LIFECYCLE_IO_H

#include <stdint.h>

/* Milliseconds on a monotonic clock. */
int64_t sd_mono_ms(void);

/* Waits until fd is ready for events (poll flags) or the monotonic deadline (ms) passes;
 * 0 when ready, -1 on timeout or error. Restarts after EINTR. */
int sd_wait_fd(int fd, short events, int64_t deadline);

#endif
