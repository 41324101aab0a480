/* routes_provider.c - the provider-compatible view for users who come from a hosted DNS
 * (../shared/peer-gcore-dnssec.md): GET /dns/v2/zones/{zone}/dnssec answers the current KSK's
 * SHA-256 DS in the provider's field names, and PATCH with {"enabled": true|false} enables or
 * disables DNSSEC through the same keystore calls as the native routes. Both PATCHes are
 * idempotent as the provider's are: enabling an enabled zone (or disabling a disabled one)
 * answers 200 and changes nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/auth.h"
#include "api/changed.h"
#include "api/json_io.h"
#include "api/routes.h"
#include "api/webhook.h"
#include "lifecycle/dnssec.h"
#include "keystore/key.h"

/* The KSK a registrar should get: the newest one in the DNSKEY RRset and not on its way out
 * (during a KSK rollover the new one). */
#define CURRENT_KSK                                                                                \
    "SELECT key_tag, algorithm, flags, public_key FROM keys WHERE zone_id = ? AND role = 'KSK' "   \
    "AND state IN ('published', 'active') AND remove_at IS NULL ORDER BY id DESC LIMIT 1"

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
    uint8_t *rdata = NULL;
    size_t len = 0;
    char hex[200], line[SD_NAME_MAX + 256], algs[16];
    int r = pub ? sd_dnskey_rdata((uint16_t)flags, alg, pub, &rdata, &len, e)
                : sd_fail(e, SD_EINTERNAL, "a KSK without a public key");
    if (r == 0)
        r = sd_ds_digest(z->name, rdata, len, 2, hex, sizeof hex, e);
    free(rdata);
    size_t nl = strlen(z->name);
    const char *dot = nl && z->name[nl - 1] == '.' ? "" : ".";
    int w = snprintf(line, sizeof line, "%s%s %lld IN DS %d %d 2 %s", z->name, dot,
                     (long long)p.parent_ds_ttl, tag, alg, r == 0 ? hex : "");
    int wa = snprintf(algs, sizeof algs, "%d", alg);
    if (r == 0 && (w < 0 || (size_t)w >= sizeof line || wa < 0 || (size_t)wa >= sizeof algs))
        r = sd_fail(e, SD_EINTERNAL, "DS line too long");
    if (r == 0)
        *out =
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:s, s:s}", "algorithm", algs, "digest",
                      hex, "digest_algorithm", "SHA256", "digest_type", "2", "ds", line, "flags",
                      flags, "key_tag", tag, "key_type", sd_alg_name(alg), "public_key", pub);
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

/* Enables z unless it is enabled already (then nothing changes); replies with the view. */
static void enable(api_req *rq, const sd_zone *z, api_resp *rs)
{
    sd_err e;
    char status[32];
    if (sd_dnssec_status(rq->db, z->id, status, sizeof status, &e) < 0) {
        api_fail(rs, &e);
        return;
    }
    if (strcmp(status, "disabled") == 0) {
        sd_ctx c = {rq->db, &rq->srv->seal, &rq->srv->defaults, rq->token->name, rq->now};
        if (sd_dnssec_enable(&c, z, 0, &e) < 0) {
            if (e.code != SD_ECONFLICT) { /* a conflict: enabled meanwhile, as asked */
                api_fail(rs, &e);
                return;
            }
        } else {
            api_changed(rq, z);
            api_notify(rq, z, "ds_to_publish");
        }
    }
    reply_view(rq, z, rs);
}

/* Disables z unless it is disabled already; replies {"enabled": false}. */
static void disable(api_req *rq, const sd_zone *z, api_resp *rs)
{
    sd_err e;
    char status[32];
    if (sd_dnssec_status(rq->db, z->id, status, sizeof status, &e) < 0) {
        api_fail(rs, &e);
        return;
    }
    if (strcmp(status, "disabled") != 0) {
        sd_ctx c = {rq->db, &rq->srv->seal, &rq->srv->defaults, rq->token->name, rq->now};
        if (sd_dnssec_disable(&c, z, &e) < 0) {
            if (e.code != SD_ECONFLICT) { /* a conflict: disabled meanwhile, as asked */
                api_fail(rs, &e);
                return;
            }
        } else {
            api_changed(rq, z);
            api_notify(rq, z, "ds_to_remove");
        }
    }
    api_reply(rs, 200, json_pack("{s:b}", "enabled", 0));
}

/* PATCH /dns/v2/zones/{zone}/dnssec {"enabled": true|false}: true needs dnssec:enable and
 * answers the GET view; false needs dnssec:disable and answers {"enabled": false}. */
void api_h_provider_patch(api_req *rq, api_resp *rs)
{
    static const char *const fields[] = {"enabled", NULL};
    sd_zone z;
    json_t *en = json_object_get(rq->body, "enabled");
    if (!json_is_boolean(en)) {
        api_error(rs, 400, "field 'enabled' must be true or false");
        return;
    }
    if (api_only_fields(rq->body, fields, rs) < 0 ||
        api_zone_lookup(rq, json_is_true(en) ? "dnssec:enable" : "dnssec:disable", &z, rs) < 0)
        return;
    if (json_is_true(en))
        enable(rq, &z, rs);
    else
        disable(rq, &z, rs);
}
