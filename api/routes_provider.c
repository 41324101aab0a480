/* routes_provider.c - the provider-compatible view for users who come from a hosted DNS
 * (../shared/peer-gcore-dnssec.md): GET /dns/v2/zones/{zone}/dnssec answers the current KSK's
 * SHA-256 DS in the provider's field names plus the zone's real state (enabled, status, when the
 * DS may go to the parent, whether it is confirmed), and PATCH with {"enabled": true|false}
 * enables or disables DNSSEC through the same lifecycle calls and checks as the native routes
 * (lifecycle/onoff.h: the parent check, CDS DELETE). Both PATCHes are idempotent as the
 * provider's are: enabling an enabled zone (or disabling a disabled one) answers 200 and
 * changes nothing; repeating a disable while the zone is disabling answers the state again
 * (202) and does not skip the wait. The ways out of waiting states: {"enabled": true,
 * "ds_published": true} confirms the shown DS (as confirm-ds-published; automatic with
 * parent-servers), {"enabled": false, "ds_removed": true} finishes a disable once the parent
 * has dropped the DS (as disable called again; automatic with parent-servers). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/auth.h"
#include "api/changed.h"
#include "api/json_io.h"
#include "api/routes.h"
#include "api/webhook.h"
#include "keystore/key.h"
#include "keystore/timefmt.h"
#include "lifecycle/dnssec.h"
#include "lifecycle/ds.h"
#include "lifecycle/onoff.h"

/* The KSK a registrar should get: the newest one in the DNSKEY RRset and not on its way out
 * (during a KSK rollover the new one). */
#define CURRENT_KSK                                                                                \
    "SELECT key_tag, algorithm, flags, public_key, ds_publish_at, ds_seen_at IS NOT NULL "         \
    "FROM keys WHERE zone_id = ? AND role = 'KSK' AND state IN ('published', 'active') AND "       \
    "remove_at IS NULL ORDER BY id DESC LIMIT 1"

/* Builds the provider's view of z's current KSK into *out. 404 (in e) when the zone has no
 * such KSK (DNSSEC disabled). */
static int view(const api_req *rq, const sd_zone *z, json_t **out, sd_err *e)
{
    sd_policy p;
    sqlite3_stmt *st;
    *out = NULL;
    if (sd_policy_load(rq->db, z->id, &rq->srv->defaults, &p, e) < 0)
        return -e->code;
    if (sqlite3_prepare_v2(rq->db, CURRENT_KSK, -1, &st, NULL) != SQLITE_OK)
        return sd_fail(e, SD_EBUSY, "the keystore does not answer: %s", sqlite3_errmsg(rq->db));
    sqlite3_bind_int64(st, 1, z->id);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        if (rc == SQLITE_DONE)
            return sd_fail(e, SD_ENOTFOUND, "DNSSEC is not enabled on %s", z->name);
        return sd_fail(e, SD_EBUSY, "the keystore does not answer: %s", sqlite3_errmsg(rq->db));
    }
    int tag = sqlite3_column_int(st, 0), alg = sqlite3_column_int(st, 1);
    int flags = sqlite3_column_int(st, 2);
    const char *pub = (const char *)sqlite3_column_text(st, 3);
    sd_ds ds;
    const char *hex = ds.digest;
    char line[SD_NAME_MAX + 256], algs[16];
    int r = pub ? sd_ds_of_key(z->name, flags, alg, pub, 2, &ds, e)
                : sd_fail(e, SD_EINTERNAL, "a KSK without a public key");
    size_t nl = strlen(z->name);
    const char *dot = nl && z->name[nl - 1] == '.' ? "" : ".";
    int w = snprintf(line, sizeof line, "%s%s %lld IN DS %d %d 2 %s", z->name, dot,
                     (long long)p.parent_ds_ttl, tag, alg, r == 0 ? hex : "");
    int wa = snprintf(algs, sizeof algs, "%d", alg);
    if (r == 0 && (w < 0 || (size_t)w >= sizeof line || wa < 0 || (size_t)wa >= sizeof algs))
        r = sd_fail(e, SD_EINTERNAL, "DS line too long");
    char status[32] = "unknown", when[32] = "";
    int64_t after = sqlite3_column_int64(st, 4);
    if (sqlite3_column_type(st, 4) != SQLITE_NULL)
        sd_time_rfc3339(after, when, sizeof when);
    if (r == 0)
        r = sd_dnssec_status(rq->db, z->id, status, sizeof status, e);
    if (r == 0)
        *out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:s, s:s, s:b, s:s, s:o, s:o, s:b}",
                         "algorithm", algs, "digest", hex, "digest_algorithm", "SHA256",
                         "digest_type", "2", "ds", line, "flags", flags, "key_tag", tag, "key_type",
                         sd_alg_name(alg), "public_key", pub, "enabled", 1, "status", status,
                         "ds_publish_after", when[0] ? json_string(when) : json_null(),
                         "ds_publish_after_unix", when[0] ? json_integer(after) : json_null(),
                         "ds_confirmed", sqlite3_column_int(st, 5));
    sqlite3_finalize(st);
    if (r == 0 && !*out)
        r = sd_fail(e, SD_EINTERNAL, "out of memory");
    return r;
}

/* Sets rs to 200 with the view of z, or to the error that prevented it. */
static void reply_view(const api_req *rq, const sd_zone *z, api_resp *rs)
{
    sd_err e;
    json_t *v;
    if (view(rq, z, &v, &e) < 0) {
        api_fail(rs, &e);
        return;
    }
    api_reply(rs, 200, v);
}

/* GET /dns/v2/zones/{zone}/dnssec: 200 with the provider's fields; 404 when the zone is
 * unknown or DNSSEC is not enabled on it. */
void api_h_provider_get(api_req *rq, api_resp *rs)
{
    sd_zone z;
    if (api_zone_lookup(rq, "dnssec:read", &z, rs) < 0)
        return;
    reply_view(rq, &z, rs);
}

/* Sets rs to code with the view of z (the state as it is now), or to the error. */
static void reply_view_code(const api_req *rq, const sd_zone *z, int code, api_resp *rs)
{
    reply_view(rq, z, rs);
    if (rs->status == 200)
        rs->status = code;
}

/* Confirms the DS the view shows while the zone waits for one (pending_ds, rotating_ksk),
 * with the scope and the checks of confirm-ds-published. 0, or -1 with rs set. */
static int confirm_shown(api_req *rq, const sd_zone *z, const char *status, api_resp *rs)
{
    sd_err e;
    if (strcmp(status, "pending_ds") != 0 && strcmp(status, "rotating_ksk") != 0)
        return 0; /* nothing awaits a DS: as asked already */
    const char *scope = sd_onoff_confirm_scope(status);
    if (!sd_token_allows(rq->token, scope, z->name)) {
        api_error(rs, 403, "confirming DS while the zone is %s needs the scope %s", status, scope);
        return -1;
    }
    sd_ctx c = {rq->db, &rq->srv->seal, &rq->srv->defaults, rq->token->name, rq->now};
    if (sd_onoff_confirm_current(&c, z, &e) < 0) {
        api_fail(rs, &e);
        json_object_set_new(rs->body, "status", json_string(status));
        return -1;
    }
    api_changed(rq, z);
    api_notify(rq, z, "ds_to_remove");
    return 0;
}

/* Enables z unless it is enabled already (then nothing changes; a zone going insecure is
 * taken back, as abort would); with ds_published also confirms the DS the view shows. Replies
 * with the view. */
static void enable(api_req *rq, const sd_zone *z, int ds_published, api_resp *rs)
{
    sd_err e;
    char status[32];
    if (sd_dnssec_status(rq->db, z->id, status, sizeof status, &e) < 0) {
        api_fail(rs, &e);
        return;
    }
    sd_ctx c = {rq->db, &rq->srv->seal, &rq->srv->defaults, rq->token->name, rq->now};
    if (strcmp(status, "disabled") == 0) {
        if (sd_dnssec_enable(&c, z, 0, &e) < 0) {
            if (e.code != SD_ECONFLICT) { /* a conflict: enabled meanwhile, as asked */
                api_fail(rs, &e);
                return;
            }
        } else {
            api_changed(rq, z);
            api_notify(rq, z, "ds_to_publish");
        }
    } else if (strcmp(status, "disabling") == 0) {
        if (sd_dnssec_abort(&c, z, &e) < 0 && e.code != SD_ECONFLICT) {
            api_fail(rs, &e);
            return;
        }
        api_changed(rq, z);
    } else if (ds_published && confirm_shown(rq, z, status, rs) < 0) {
        return;
    }
    reply_view(rq, z, rs);
}

/* Disables z through the shared checks unless it is disabled already. A zone going insecure
 * (CDS DELETE) answers 202 with its view, and stays so until the parent check or, without one,
 * ds_removed finishes it; disabled answers {"enabled": false}. */
static void disable(api_req *rq, const sd_zone *z, int ds_removed, api_resp *rs)
{
    sd_err e;
    char status[32];
    if (sd_dnssec_status(rq->db, z->id, status, sizeof status, &e) < 0) {
        api_fail(rs, &e);
        return;
    }
    if (strcmp(status, "disabled") == 0) {
        api_reply(rs, 200, json_pack("{s:b}", "enabled", 0));
        return;
    }
    if (strcmp(status, "disabling") == 0 && !ds_removed) {
        reply_view_code(rq, z, 202, rs); /* repeating the call does not skip the wait */
        return;
    }
    sd_ctx c = {rq->db, &rq->srv->seal, &rq->srv->defaults, rq->token->name, rq->now};
    sd_disable_out out;
    if (sd_onoff_disable(&c, z, rq->srv->cfg.parent_servers, 0, &out, &e) < 0) {
        if (e.code == SD_ECONFLICT && !out.parent &&
            sd_dnssec_status(rq->db, z->id, status, sizeof status, NULL) == 0 &&
            strcmp(status, "disabled") == 0) { /* disabled meanwhile, as asked */
            api_reply(rs, 200, json_pack("{s:b}", "enabled", 0));
            return;
        }
        api_fail(rs, &e);
        if (out.parent)
            json_object_set_new(rs->body, "parent", out.parent);
        if (out.retry_after)
            rs->retry_after = out.retry_after;
        if (sd_dnssec_status(rq->db, z->id, status, sizeof status, NULL) == 0)
            json_object_set_new(rs->body, "status", json_string(status));
        return;
    }
    api_changed(rq, z);
    api_notify(rq, z, "ds_to_remove");
    if (out.cds_delete)
        reply_view_code(rq, z, 202, rs);
    else
        api_reply(rs, 200, json_pack("{s:b}", "enabled", 0));
}

/* PATCH /dns/v2/zones/{zone}/dnssec {"enabled": true|false, "ds_published"?: bool (with true),
 * "ds_removed"?: bool (with false)}: true needs dnssec:enable and answers the GET view; false
 * needs dnssec:disable and answers {"enabled": false}, or 202 with the view while the zone is
 * disabling. */
void api_h_provider_patch(api_req *rq, api_resp *rs)
{
    static const char *const fields[] = {"enabled", "ds_published", "ds_removed", NULL};
    sd_zone z;
    json_t *en = json_object_get(rq->body, "enabled");
    json_t *pub = json_object_get(rq->body, "ds_published");
    json_t *rem = json_object_get(rq->body, "ds_removed");
    if (!json_is_boolean(en)) {
        api_error(rs, 400, "field 'enabled' must be true or false");
        return;
    }
    if ((pub && !json_is_boolean(pub)) || (rem && !json_is_boolean(rem))) {
        api_error(rs, 400, "fields 'ds_published' and 'ds_removed' must be true or false");
        return;
    }
    if ((pub && !json_is_true(en)) || (rem && json_is_true(en))) {
        api_error(rs, 400,
                  "'ds_published' goes with {\"enabled\": true}, 'ds_removed' with "
                  "{\"enabled\": false}");
        return;
    }
    if (api_only_fields(rq->body, fields, rs) < 0 ||
        api_zone_lookup(rq, json_is_true(en) ? "dnssec:enable" : "dnssec:disable", &z, rs) < 0)
        return;
    if (json_is_true(en))
        enable(rq, &z, json_is_true(pub), rs);
    else
        disable(rq, &z, json_is_true(rem), rs);
}
