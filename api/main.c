/* main.c - scaidns-api: scaidns-api --config FILE [--key=value ...] [--threads=N]
 * [--timeout=SECONDS] [--per-ip-connections=N] [--request-deadline=SECONDS]
 * [--auth-fail-burst=N] [--auth-fail-interval=SECONDS]. Serves the API on api-listen until SIGINT
 * or SIGTERM, logging to stderr at log-level (api/log.h). */
#include <errno.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/auth_limit.h"
#include "api/log.h"
#include "api/openapi_doc.h"
#include "api/pool.h"
#include "api/metrics.h"
#include "api/scheduler.h"
#include "lifecycle/served.h"
#include "api/server.h"
#include "api/webhook.h"
#include "keystore/audit.h"
#include "keystore/perm.h"

static const char USAGE[] =
    "usage: scaidns-api [--config FILE] [--key=value ...] [--threads=N] [--timeout=SECONDS]\n"
    "                   [--per-ip-connections=N] [--request-deadline=SECONDS]\n"
    "                   [--auth-fail-burst=N] [--auth-fail-interval=SECONDS]\n"
    "  Serves the scaidns HTTP API on api-listen (host:port; port 0 picks a free one).\n"
    "  --threads             worker threads and keystore connections (default 4)\n"
    "  --timeout             seconds an idle connection is kept (default 30)\n"
    "  --per-ip-connections  connections one address may hold on api-listen (default 32; 0: no "
    "limit)\n"
    "  --request-deadline    seconds a whole request (head and body) may take to arrive, however\n"
    "                        it trickles (default 10; 0: no limit)\n"
    "  --auth-fail-burst     failed tokens an address may send before it gets 429 (default 10)\n"
    "  --auth-fail-interval  seconds after which it may fail once more (default 6)\n";

/* Parses "--name=N" with N in [lo, hi] into *out; returns 1 if arg was that option, 0 if
 * not, -1 if its value is bad. */
static int num_opt(const char *arg, const char *name, unsigned lo, unsigned hi, unsigned *out)
{
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0 || arg[n] != '=')
        return 0;
    char *end;
    errno = 0;
    unsigned long v = strtoul(arg + n + 1, &end, 10);
    if (errno || end == arg + n + 1 || *end || v < lo || v > hi)
        return -1;
    *out = (unsigned)v;
    return 1;
}

/* Audit trouble that cannot fail the change it records (an anchor line not written). */
static void audit_warn(const char *msg)
{
    api_log_msg(API_LOG_WARNING, "audit: %s", msg);
}

/* Loads the audit key and names the anchor (keystore/audit.h); a keystore from before the
 * key existed keeps working, with a warning saying how to key it. */
static int audit_setup(const sd_config *cfg, sd_err *e)
{
    char key[4200], anchor[4200];
    int keyed = 0;
    sd_audit_set_warn(audit_warn);
    if (sd_audit_setup(sd_config_audit_key(cfg, key, sizeof key),
                       sd_config_audit_anchor(cfg, anchor, sizeof anchor), &keyed, e) < 0)
        return -e->code;
    if (!keyed)
        api_log_msg(API_LOG_WARNING,
                    "audit-key %s does not exist: new audit rows are chained and anchored in %s "
                    "but not keyed, so whoever can write the keystore could rewrite them; create "
                    "it with `scaidnsctl audit init-key` (taken up without a restart)",
                    key, anchor);
    return 0;
}

int main(int argc, char **argv)
{
    static api_server srv; /* the program's configuration: filled here, read-only after */
    sd_err e;
    api_http_opts opts = {4, 30, 1000, 32, 10, NULL, NULL};
    unsigned fail_burst = 10, fail_interval = 6;
    sd_config_defaults(&srv.cfg);
    if (sd_config_from_args(&srv.cfg, &argc, argv, &e) < 0) {
        api_log_msg(API_LOG_ERROR, "%s", e.msg);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        int r = num_opt(argv[i], "--threads", 1, 256, &opts.threads);
        if (r == 0)
            r = num_opt(argv[i], "--timeout", 1, 3600, &opts.timeout);
        if (r == 0)
            r = num_opt(argv[i], "--per-ip-connections", 0, 100000, &opts.per_ip);
        if (r == 0)
            r = num_opt(argv[i], "--request-deadline", 0, 3600, &opts.deadline);
        if (r == 0)
            r = num_opt(argv[i], "--auth-fail-burst", 1, 1000000, &fail_burst);
        if (r == 0)
            r = num_opt(argv[i], "--auth-fail-interval", 1, 86400, &fail_interval);
        if (r == 0 && (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)) {
            fputs(USAGE, stdout);
            return 0;
        }
        if (r <= 0) {
            api_log_msg(API_LOG_ERROR, "%s argument '%s'", r < 0 ? "bad value in" : "unknown",
                        argv[i]);
            fputs(USAGE, stderr);
            return 2;
        }
    }
    if (api_log_set_level(srv.cfg.log_level) < 0) {
        api_log_msg(API_LOG_ERROR, "unknown log-level '%s' (error, warning, info or debug)",
                    srv.cfg.log_level);
        return 2;
    }
    if (sd_perm_check_config(&srv.cfg,
                             SD_CHECK_DB | SD_CHECK_SEAL | SD_CHECK_TLS | SD_CHECK_WEBHOOK |
                                 SD_CHECK_AUDIT,
                             &e) < 0) {
        api_log_msg(API_LOG_ERROR, "%s", e.msg);
        return 1;
    }
    if (audit_setup(&srv.cfg, &e) < 0) {
        api_log_msg(API_LOG_ERROR, "%s", e.msg);
        return 1;
    }
    sd_uidlist allowed;
    if (sd_uidlist_parse("api-socket-allowed-uids", srv.cfg.api_socket_allowed_uids, &allowed, &e) <
        0) {
        api_log_msg(API_LOG_ERROR, "%s", e.msg);
        return 2;
    }
    if (allowed.unknown[0] && srv.cfg.api_socket[0])
        api_log_msg(API_LOG_WARNING, "api-socket-allowed-uids: no such user here: %s (not allowed)",
                    allowed.unknown);
    /* SQLite's memory statistics take one process-wide mutex on every allocation, which
     * worker threads then fight over; the API never reads them. Before any other call. */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    if (sd_served_check_config(&srv.cfg, &e) < 0) {
        api_log_msg(API_LOG_ERROR, "%s", e.msg);
        return 2;
    }
    if (sd_seal_load_public(srv.cfg.seal_key, &srv.seal, &e) < 0) {
        api_log_msg(API_LOG_ERROR, "%s", e.msg);
        return 1;
    }
    sd_policy_from_config(&srv.cfg, &srv.defaults);
    srv.openapi = api_openapi_doc;
    srv.openapi_len = api_openapi_doc_len;
    if (api_pool_open(srv.cfg.db, opts.threads, &srv.pool, &e) < 0) {
        api_log_msg(API_LOG_ERROR, "%s", e.msg);
        return 1;
    }
    /* Block the stop signals before any thread starts, so that only sigwait sees them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* The webhook and the scheduler start before the HTTP threads, which read them. */
    if (api_webhook_start(&srv.cfg, &srv.webhook, &e) < 0) {
        api_log_msg(API_LOG_ERROR, "%s", e.msg);
        api_pool_close(srv.pool);
        return 1;
    }
    srv.metrics = api_metrics_new(); /* NULL (out of memory): /metrics shows no counters */
    srv.auth_limit = api_auth_limit_new(fail_burst, fail_interval);
    if (!srv.auth_limit) {
        api_log_msg(API_LOG_ERROR, "out of memory");
        api_metrics_free(srv.metrics);
        api_webhook_stop(srv.webhook);
        api_pool_close(srv.pool);
        return 1;
    }
    if (api_scheduler_start(&srv.cfg, &srv.seal, &srv.defaults, srv.metrics, &srv.sched, &e) < 0) {
        api_log_msg(API_LOG_ERROR, "%s", e.msg);
        api_metrics_free(srv.metrics);
        api_auth_limit_free(srv.auth_limit);
        api_webhook_stop(srv.webhook);
        api_pool_close(srv.pool);
        return 1;
    }
    struct api_http *http = NULL, *local = NULL;
    unsigned port;
    char *cert = NULL, *key = NULL;
    int tls = srv.cfg.api_tls_cert[0] || srv.cfg.api_tls_key[0];
    int rc = tls ? api_tls_load(srv.cfg.api_tls_cert, srv.cfg.api_tls_key, &cert, &key, &e) : 0;
    opts.tls_cert_pem = cert;
    opts.tls_key_pem = key;
    if (rc == 0)
        rc = api_http_start(&srv, srv.cfg.api_listen, &opts, &http, &port, &e);
    if (rc == 0 && srv.cfg.api_socket[0])
        rc = api_http_start_unix(&srv, srv.cfg.api_socket, srv.cfg.api_socket_mode, &allowed, &opts,
                                 &local, &e);
    /* MHD has copied what it needs of the certificate and key. */
    free(cert);
    api_tls_free_key(key);
    if (rc < 0) {
        api_log_msg(API_LOG_ERROR, "%s", e.msg);
        api_http_stop(http);
        api_scheduler_stop(srv.sched);
        api_webhook_stop(srv.webhook);
        api_pool_close(srv.pool);
        api_metrics_free(srv.metrics);
        api_auth_limit_free(srv.auth_limit);
        return 1;
    }
    api_log_msg(API_LOG_INFO, "listening on %s (port %u) over %s%s%s, %u threads, keystore %s",
                srv.cfg.api_listen, port, tls ? "HTTPS" : "HTTP", local ? " and on " : "",
                local ? srv.cfg.api_socket : "", opts.threads, srv.cfg.db);
    int sig = 0;
    sigwait(&stop, &sig);
    api_log_msg(API_LOG_INFO, "signal %d: stopping", sig);
    api_http_stop(local);
    api_http_stop(http);
    api_scheduler_stop(srv.sched);
    api_webhook_stop(srv.webhook);
    api_pool_close(srv.pool);
    api_metrics_free(srv.metrics);
    api_auth_limit_free(srv.auth_limit);
    if (srv.cfg.api_socket[0])
        unlink(srv.cfg.api_socket);
    return 0;
}
