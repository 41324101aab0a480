/* scheduler.c - the thread that carries out due rollover steps.
 *
 * One pass: find the zones with a due step (one indexed query), check that their servers serve
 * what the keystore says (lifecycle/served.h, when the served-data check is on: a zone that fails
 * is held), run each zone's steps (each its own transaction with its audit row, see engine.h),
 * purge the zone in PowerDNS so that the change is served at once, then sleep until the
 * earliest next step or scheduler-interval, whichever comes first (a held zone is asked again
 * after at most HELD_RECHECK_S). A wake (after an API change) or stop cuts the sleep short.
 * Steps are due by the wall clock (plus clock-offset), sleeps are measured on the monotonic
 * one. */
#include "api/scheduler.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/log.h"
#include "api/metrics.h"
#include "lifecycle/parent.h"
#include "lifecycle/pdns_client.h"
#include "lifecycle/served.h"
#include "lifecycle/served_ttls.h"
#include "api/webhook.h"
#include "api/worker.h"
#include "keystore/db.h"
#include "lifecycle/engine.h"
#include "lifecycle/keystate.h"

#define PURGE_TIMEOUT_MS 2000
#define HELD_RECHECK_S 5 /* longest wait before the servers of a held zone are asked again */

struct api_scheduler {
    const sd_config *cfg;
    const sd_seal_keys *seal;
    const sd_policy *defaults;
    sqlite3 *db;
    api_worker *worker;
    struct api_metrics *metrics; /* NULL-safe: passes are counted there */
};

int64_t api_scheduler_now(const sd_config *cfg)
{
    return (int64_t)time(NULL) + cfg->clock_offset;
}

/* What a pass carries to each due zone. */
typedef struct pass_ctx {
    const sd_config *cfg;
    sd_ctx ctx;
    api_sched_pass *out;
} pass_ctx;

/* Runs one zone's due steps (once its servers serve what the keystore says, when the
 * served-data check is on) and purges it when something changed. */
static int run_zone(const sd_zone *z, void *arg)
{
    pass_ctx *pc = arg;
    sd_err e;
    int steps = 0;
    int64_t next = 0;
    pc->out->zones++;
    if (sd_served_on(pc->cfg)) {
        sd_notes notes = {0};
        int go = sd_served_gate(pc->ctx.db, pc->cfg, pc->ctx.defaults, z, pc->ctx.now, &notes, &e);
        api_log_notes(&notes);
        if (go < 0) {
            pc->out->failures++;
            api_log_msg(API_LOG_ERROR, "scheduler: %s: served-data check failed: %s", z->name,
                        e.msg);
        }
        if (go <= 0) {
            pc->out->held++;
            return 0;
        }
    }
    if (z->keys_only) {
        /* The waits of a keys-only zone come from what PowerDNS serves: learn it again now. */
        sd_notes notes = {0};
        int go = sd_served_ttls_gate(pc->ctx.db, pc->cfg, z, pc->ctx.now, &notes, &e);
        api_log_notes(&notes);
        if (go < 0) {
            pc->out->failures++;
            api_log_msg(API_LOG_ERROR, "scheduler: %s: learning the served TTLs failed: %s",
                        z->name, e.msg);
        }
        if (go <= 0) {
            pc->out->held++;
            pc->out->held_ttls++;
            return 0;
        }
    }
    if (sd_engine_run_zone(&pc->ctx, z, &steps, &next, &e) < 0) {
        pc->out->failures++;
        api_log_msg(API_LOG_ERROR, "scheduler: %s: step failed: %s", z->name, e.msg);
    }
    pc->out->steps += steps;
    if (steps > 0 && pc->cfg->pdns_control_socket[0]) {
        if (sd_pdns_purge_zone(pc->cfg->pdns_control_socket, z->name, PURGE_TIMEOUT_MS, &e) < 0) {
            pc->out->purge_errors++;
            api_log_msg(API_LOG_WARNING,
                        "scheduler: %s: %d step(s) taken but the PowerDNS purge failed (%s); "
                        "PowerDNS serves the change when its caches expire",
                        z->name, steps, e.msg);
        }
    }
    if (steps > 0)
        api_log_msg(API_LOG_INFO, "scheduler: %s: %d step(s) taken", z->name, steps);
    return 0;
}

/* The zones a pass found due. */
typedef struct zone_list {
    sd_zone *z;
    size_t n, cap;
} zone_list;

/* sd_engine_due_zones callback: appends z to the zone_list arg (stops when out of memory). */
static int collect(const sd_zone *z, void *arg)
{
    zone_list *l = arg;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        sd_zone *grown = realloc(l->z, cap * sizeof *grown);
        if (!grown) {
            api_log_msg(API_LOG_ERROR, "scheduler: out of memory listing due zones");
            return 1;
        }
        l->z = grown;
        l->cap = cap;
    }
    l->z[l->n++] = *z;
    return 0;
}

int api_scheduler_pass(sqlite3 *db, const sd_config *cfg, const sd_seal_keys *seal,
                       const sd_policy *defaults, int64_t now, api_sched_pass *out, sd_err *e)
{
    memset(out, 0, sizeof *out);
    pass_ctx pc = {cfg, {db, seal, defaults, "scheduler", now}, out};
    int64_t mark = cfg->webhook_url[0] ? api_webhook_audit_mark(db) : 0;
    int parent_changes = 0;
    /* The parent's answers first: they may confirm a DS or hold an old KSK's removal. */
    sd_notes notes = {0};
    if (sd_parent_pass(db, cfg, seal, defaults, now, &parent_changes, &notes, e) < 0)
        api_log_msg(API_LOG_WARNING, "scheduler: parent check failed: %s", e->msg);
    api_log_notes(&notes);
    /* The due zones are listed first, so that no read statement stays open while servers are
     * asked and steps are taken. */
    zone_list due = {NULL, 0, 0};
    int rc = sd_engine_due_zones(db, now, collect, &due, e);
    for (size_t i = 0; i < due.n; i++)
        run_zone(&due.z[i], &pc);
    free(due.z);
    api_webhook_from_audit(db, cfg, mark); /* the steps taken (or held) -> notifications */
    if (rc < 0)
        return -e->code;
    return sd_engine_next_at(db, &out->next_at, e);
}

/* One pass of the scheduler's worker; returns the milliseconds to sleep: until the earliest
 * next step by the scheduler's clock, never more than the interval (a wall clock stepped
 * forward is seen at the next pass, one stepped back cannot stall it: worker.h). */
static int64_t pass_once(void *arg)
{
    api_scheduler *s = arg;
    api_sched_pass pass;
    sd_err e;
    if (sd_db_reopen_if_stale(&s->db, 0, &e) > 0)
        api_log_msg(API_LOG_WARNING,
                    "scheduler: keystore %s had been deleted, replaced or made read-only: "
                    "reopened it",
                    s->cfg->db);
    int64_t now = api_scheduler_now(s->cfg);
    int64_t sleep_until = now + s->cfg->scheduler_interval;
    if (api_scheduler_pass(s->db, s->cfg, s->seal, s->defaults, now, &pass, &e) < 0)
        api_log_msg(API_LOG_ERROR, "scheduler: pass failed: %s", e.msg);
    else if (pass.next_at && pass.next_at < sleep_until)
        sleep_until = pass.next_at > now ? pass.next_at : now + 1;
    /* Held zones stay due: ask their servers again a little later, not at once. */
    if (pass.held && sleep_until < now + HELD_RECHECK_S)
        sleep_until =
            now + (s->cfg->scheduler_interval < HELD_RECHECK_S ? s->cfg->scheduler_interval
                                                               : HELD_RECHECK_S);
    api_metrics_sched_pass(s->metrics, now, pass.steps, pass.failures, pass.next_at);
    api_metrics_sched_held(s->metrics, pass.held);
    api_metrics_sched_held_ttls(s->metrics, pass.held_ttls);
    int64_t left = sleep_until - api_scheduler_now(s->cfg);
    if (left > s->cfg->scheduler_interval)
        left = s->cfg->scheduler_interval;
    return left > 0 ? left * 1000 : 0;
}

int api_scheduler_start(const sd_config *cfg, const sd_seal_keys *seal, const sd_policy *defaults,
                        struct api_metrics *metrics, api_scheduler **out, sd_err *e)
{
    api_scheduler *s = calloc(1, sizeof *s);
    if (!s)
        return sd_fail(e, SD_EINTERNAL, "out of memory");
    s->cfg = cfg;
    s->seal = seal;
    s->defaults = defaults;
    s->metrics = metrics;
    if (sd_db_open(cfg->db, 0, &s->db, e) < 0) {
        free(s);
        return -e->code;
    }
    /* Keys written before the next steps were stored (or edited by hand) get theirs now. */
    if (sd_db_begin(s->db, e) < 0 || sd_keystate_store(s->db, 0, e) < 0 ||
        sd_db_commit(s->db, e) < 0) {
        sd_db_rollback(s->db);
        api_log_msg(API_LOG_WARNING, "scheduler: cannot store the keys' next steps: %s", e->msg);
    }
    if (api_worker_start(pass_once, s, &s->worker, e) < 0) {
        sd_db_close(s->db);
        free(s);
        return -e->code;
    }
    *out = s;
    return 0;
}

void api_scheduler_wake(api_scheduler *s)
{
    if (s)
        api_worker_wake(s->worker);
}

void api_scheduler_stop(api_scheduler *s)
{
    if (!s)
        return;
    api_worker_stop(s->worker);
    sd_db_close(s->db);
    free(s);
}
