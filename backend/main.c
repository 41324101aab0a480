/* main.c - scaidns-backend: serves the keystore to PowerDNS's remote backend.
 *
 *   scaidns-backend --config FILE [--key=value ...]
 *
 * Uses db, seal-key, backend-socket, backend-socket-mode, backend-allowed-uids, soa-edit,
 * log-level and the policy-* defaults. Refuses to start when the seal key or the keystore is
 * open to others (perm.h). Stops cleanly on SIGINT or SIGTERM (removing its socket). */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "keystore/config.h"
#include "backend/dispatch.h"
#include "backend/log.h"
#include "keystore/peer.h"
#include "keystore/perm.h"
#include "backend/server.h"
#include "backend/store.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: scaidns-backend --config FILE [--key=value ...]\n"
               "Serves the scaidns keystore to PowerDNS (launch=remote,\n"
               "remote-connection-string=unix:path=<backend-socket>, remote-dnssec=yes).\n");
}

/* What the line handler works with: the store, and the request counters (stats.h) with
 * what the dispatcher said about the request being answered. */
typedef struct backend {
    sb_store *store;
    sb_stats stats; /* this worker's counters, under mu */
    sb_call last;
    pthread_mutex_t mu;
    struct backend *all; /* every worker's (for the stats request), n of them */
    int n;
} backend;

/* Whether a method's reply depends only on its request line and the keystore's content, so
 * that it may be kept in the reply cache (not setNotified, which writes, nor the stats
 * request, nor list and getAllDomains, whose replies can be large). */
static int cacheable(int method)
{
    return method == SB_M_LOOKUP || method == SB_M_GET_DOMAIN_KEYS ||
           method == SB_M_GET_ALL_DOMAIN_METADATA || method == SB_M_GET_DOMAIN_METADATA ||
           method == SB_M_GET_BEFORE_AND_AFTER || method == SB_M_GET_DOMAIN_INFO;
}

/* The line handler: a request seen before, while the keystore provably did not change, is
 * answered from the reply cache (store.h); any other is answered by the store (and the
 * stats request by the counters), and its reply kept when its method allows. */
static int handle(void *arg, const char *line, size_t len, sb_buf *out)
{
    backend *b = arg;
    if (sb_store_unchanged(b->store)) {
        size_t n;
        int method;
        const char *r = sb_store_reply_find(b->store, line, len, &n, &method);
        if (r) {
            b->last.method = method;
            b->last.error = 0;
            return sb_buf_put(out, r, n);
        }
    }
    size_t start = out->len;
    const sb_stats *st = &b->stats;
    sb_stats sum;
    if (b->n > 1 && memmem(line, len, SB_STATS_METHOD, sizeof SB_STATS_METHOD - 1)) {
        /* Possibly the stats request: every worker's counters added up. */
        memset(&sum, 0, sizeof sum);
        for (int w = 0; w < b->n; w++) {
            pthread_mutex_lock(&b->all[w].mu);
            for (int m = 0; m < SB_M_COUNT; m++) {
                const sb_method_stats *x = &b->all[w].stats.m[m];
                sum.m[m].requests += x->requests;
                sum.m[m].errors += x->errors;
                sum.m[m].sum_ns += x->sum_ns;
                for (int k = 0; k < SB_STATS_BUCKETS; k++)
                    sum.m[m].buckets[k] += x->buckets[k];
            }
            pthread_mutex_unlock(&b->all[w].mu);
        }
        st = &sum;
    }
    int rc = sb_dispatch_counted(b->store, st, line, len, out, &b->last);
    if (rc == 0 && !b->last.error && cacheable(b->last.method) && out->len > start)
        sb_store_reply_keep(b->store, line, len, out->p + start, out->len - start, b->last.method);
    return rc;
}

/* After each reply: counts the request that handle answered. */
static void done(void *arg, uint64_t ns)
{
    backend *b = arg;
    pthread_mutex_lock(&b->mu);
    sb_stats_record(&b->stats, &b->last, ns);
    pthread_mutex_unlock(&b->mu);
}

int main(int argc, char **argv)
{
    sd_config cfg;
    sd_err e;
    sd_config_defaults(&cfg);
    if (sd_config_from_args(&cfg, &argc, argv, &e) < 0) {
        sb_log(SB_LOG_ERROR, "%s", e.msg);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        }
        sb_log(SB_LOG_ERROR, "unknown argument '%s'", argv[i]);
        usage(stderr);
        return 2;
    }
    if (sb_log_set_level(cfg.log_level) < 0) {
        sb_log(SB_LOG_ERROR, "unknown log-level '%s' (error, warning, info or debug)",
               cfg.log_level);
        return 2;
    }
    char *end;
    errno = 0;
    long mode = strtol(cfg.backend_socket_mode, &end, 8);
    if (errno || *end || end == cfg.backend_socket_mode || mode < 0 || mode > 0777) {
        sb_log(SB_LOG_ERROR, "backend-socket-mode '%s' is not an octal mode",
               cfg.backend_socket_mode);
        return 2;
    }
    sd_uidlist allowed;
    if (sd_uidlist_parse("backend-allowed-uids", cfg.backend_allowed_uids, &allowed, &e) < 0) {
        sb_log(SB_LOG_ERROR, "%s", e.msg);
        return 2;
    }
    if (allowed.unknown[0])
        sb_log(SB_LOG_WARNING, "backend-allowed-uids: no such user here: %s (not allowed)",
               allowed.unknown);
    if (sd_perm_check_config(&cfg, SD_CHECK_DB | SD_CHECK_SEAL, &e) < 0) {
        sb_log(SB_LOG_ERROR, "%s", e.msg);
        return 1;
    }
    if (sodium_init() < 0) {
        sb_log(SB_LOG_ERROR, "cannot initialise libsodium");
        return 1;
    }
    sb_json_wiping_alloc();
    json_object_seed(0); /* before any thread: jansson seeds its hash once */
    /* Worker threads: backend-threads, or by cores (one per 4, at most 8): measured on
     * PowerDNS 4.7, one backend thread answers the remote calls of about 3 to 4 busy
     * PowerDNS cores (bench/RESULTS.md, "More than one core"). */
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    int workers =
        cfg.backend_threads > 0 ? (int)cfg.backend_threads : (int)(ncpu > 0 ? (ncpu + 3) / 4 : 1);
    if (!cfg.backend_threads && workers > 8)
        workers = 8;
    backend *bs = calloc((size_t)workers, sizeof *bs);
    void **args = calloc((size_t)workers, sizeof *args);
    if (!bs || !args) {
        sb_log(SB_LOG_ERROR, "out of memory");
        free(bs);
        free(args);
        return 1;
    }
    int opened = 0;
    for (; opened < workers; opened++) {
        backend *b = &bs[opened];
        b->all = bs;
        b->n = workers;
        args[opened] = b;
        pthread_mutex_init(&b->mu, NULL);
        if (sb_store_open(&cfg, &b->store, &e) < 0)
            break;
    }
    if (opened < workers) {
        sb_log(SB_LOG_ERROR, "%s", e.msg);
        for (int i = 0; i < opened; i++)
            sb_store_close(bs[i].store);
        free(bs);
        free(args);
        return 1;
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sfd < 0) {
        sb_log(SB_LOG_ERROR, "signalfd: %s", strerror(errno));
        for (int i = 0; i < workers; i++)
            sb_store_close(bs[i].store);
        free(bs);
        free(args);
        return 1;
    }
    sb_server_opts o;
    sb_server_defaults(&o, cfg.backend_socket);
    o.mode = (mode_t)mode;
    o.allowed = &allowed;
    o.done = done;
    o.workers = workers;
    o.worker_args = args;
    int rc = sb_server_run(&o, handle, &bs[0], sfd, &e);
    if (rc < 0)
        sb_log(SB_LOG_ERROR, "%s", e.msg);
    close(sfd);
    for (int i = 0; i < workers; i++) {
        sb_store_close(bs[i].store);
        pthread_mutex_destroy(&bs[i].mu);
    }
    free(bs);
    free(args);
    return rc < 0 ? 1 : 0;
}
