/* worker.c - a background thread that runs passes and sleeps on the monotonic clock
 * (worker.h). */
#define _GNU_SOURCE /* pthread_cond_clockwait (glibc 2.30; POSIX.1-2024) */
#include "api/worker.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct api_worker {
    api_worker_pass_fn pass;
    void *arg;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop, woken;
};

/* The thread: passes until stopped. */
static void *loop(void *arg)
{
    api_worker *w = arg;
    pthread_mutex_lock(&w->mu);
    while (!w->stop) {
        w->woken = 0;
        pthread_mutex_unlock(&w->mu);
        int64_t ms = w->pass(w->arg);
        pthread_mutex_lock(&w->mu);
        if (ms <= 0)
            continue;
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += (time_t)(ms / 1000);
        until.tv_nsec += (long)(ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (!w->stop && !w->woken)
            if (pthread_cond_clockwait(&w->cv, &w->mu, CLOCK_MONOTONIC, &until) == ETIMEDOUT)
                break;
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

int api_worker_start(api_worker_pass_fn pass, void *arg, api_worker **out, sd_err *e)
{
    *out = NULL;
    api_worker *w = calloc(1, sizeof *w);
    if (!w)
        return sd_fail(e, SD_EINTERNAL, "out of memory");
    w->pass = pass;
    w->arg = arg;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    /* Set before the thread starts: a pass may already look at *out (api_worker_stopping). */
    *out = w;
    if (pthread_create(&w->thread, NULL, loop, w) != 0) {
        *out = NULL;
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
        free(w);
        return sd_fail(e, SD_EINTERNAL, "cannot start a worker thread");
    }
    return 0;
}

void api_worker_wake(api_worker *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->woken = 1;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

int api_worker_stopping(api_worker *w)
{
    pthread_mutex_lock(&w->mu);
    int s = w->stop;
    pthread_mutex_unlock(&w->mu);
    return s;
}

void api_worker_stop(api_worker *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stop = 1;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w);
}
