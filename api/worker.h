/* worker.h - the one background-thread skeleton of scaidns-api, shared by the scheduler and
 * the webhook sender: run a pass, sleep for as long as the pass asks, wake early on
 * api_worker_wake or api_worker_stop. Sleeps are measured on the monotonic clock, so a wall
 * clock stepped back (NTP, an operator) never stretches one: each pass computes how long to
 * wait from its own clock and the worker waits that long, never "until" a wall-clock time. */
#ifndef SCAIDNS_API_WORKER_H
#define SCAIDNS_API_WORKER_H

#include <stdint.h>

#include "keystore/error.h"

typedef struct api_worker api_worker;

/* One pass of a worker's job; returns how many milliseconds to sleep before the next pass
 * (<= 0: run again at once, after a stop check). arg is api_worker_start's. */
typedef int64_t (*api_worker_pass_fn)(void *arg);

/* Starts a thread that runs pass(arg) until api_worker_stop. *out is set before the thread
 * starts, so that a pass may read it (e.g. arg holds the pointer *out points to). 500 when the
 * thread cannot be started (*out NULL then). */
int api_worker_start(api_worker_pass_fn pass, void *arg, api_worker **out, sd_err *e);

/* Cuts the current sleep short: the next pass starts at once. NULL-safe. */
void api_worker_wake(api_worker *w);

/* 1 once api_worker_stop was called (a long pass may check it to end early). */
int api_worker_stopping(api_worker *w);

/* Asks the thread to stop, waits for its pass to end, and frees w. NULL-safe. */
void api_worker_stop(api_worker *w);

#endif
