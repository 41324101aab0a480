/* routes_bulk.c - POST /api/v1/dnssec/enable: DNSSEC on many zones in one call. Each zone is
 * its own keystore transaction (sd_dnssec_enable) and gets its own result; one zone's failure
 * leaves the others as they are. The token's zone list applies per zone: a zone outside it
 * gets the 404 "domain not found" of a zone that does not exist (api/auth.h). */
#include <string.h>

#include "api/changed.h"
#include "api/json_io.h"
#include "api/routes.h"
#include "api/webhook.h"
#include "lifecycle/dnssec.h"

#define MAX_ZONES 1000

/* The result of enabling the zone named name: {"zone", "status": 200, "ds_records"} or
 * {"zone", "status": 4xx/5xx, "error"} (a 409 also names the zone's current DNSSEC status as
 * "dnssec_status"). */
static json_t *enable_one(api_req *rq, const char *name, int algorithm)
{
    sd_zone z;
    sd_err e;
    json_t *r = json_pack("{s:o}", "zone", api_str(name));
    int rc = sd_zone_find(rq->db, name, &z, &e);
    if (rc == 0 && !sd_token_zone_allowed(rq->token, z.name)) {
        rc = sd_fail(&e, SD_ENOTFOUND, "domain not found");
    } else if (rc == 0) {
        sd_ctx c = {rq->db, &rq->srv->seal, &rq->srv->defaults, rq->token->name, rq->now};
        rc = sd_dnssec_enable(&c, &z, algorithm, &e);
    } else if (e.code == SD_ENOTFOUND) {
        sd_fail(&e, SD_ENOTFOUND, "domain not found");
    }
    if (rc < 0) {
        json_object_set_new(r, "status", json_integer(e.code));
        json_object_set_new(r, "error", api_str(e.msg));
        char status[32];
        if (e.code == SD_ECONFLICT &&
            sd_dnssec_status(rq->db, z.id, status, sizeof status, NULL) == 0)
            json_object_set_new(r, "dnssec_status", json_string(status));
        return r;
    }
    api_changed(rq, &z);
    api_notify(rq, &z, "ds_to_publish");
    json_t *ds = NULL;
    if (sd_dnssec_ds_json(rq->db, &z, &ds, &e) < 0)
        ds = json_array(); /* enabled all the same; GET .../dnssec shows the DS */
    json_object_set_new(r, "status", json_integer(200));
    json_object_set_new(r, "ds_records", ds);
    return r;
}

/* POST /api/v1/dnssec/enable {"zones": [1..1000 names or ids], "algorithm"?: 8|10|13|14|15}:
 * 200 {"results": [one per zone, in order]}; 400 for a malformed body (nothing done). */
void api_h_bulk_enable(api_req *rq, api_resp *rs)
{
    static const char *const fields[] = {"zones", "algorithm", NULL};
    long long alg = 0;
    if (api_only_fields(rq->body, fields, rs) < 0 ||
        api_int_field(rq->body, "algorithm", 0, 1, 255, &alg, NULL, rs) < 0)
        return;
    if (alg != 0 && alg != 8 && alg != 10 && alg != 13 && alg != 14 && alg != 15) {
        api_error(rs, 400, "unsupported algorithm %lld (supported: 8, 10, 13, 14, 15)", alg);
        return;
    }
    json_t *zones = json_object_get(rq->body, "zones");
    size_t n = json_array_size(zones);
    if (!json_is_array(zones) || n < 1 || n > MAX_ZONES) {
        api_error(rs, 400, "field 'zones' must be an array of 1 to %d zone names", MAX_ZONES);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const char *s = json_string_value(json_array_get(zones, i));
        if (!s || s[0] == '\0' || strlen(s) > 1024) {
            api_error(rs, 400, "zones[%zu] must be a zone name (a non-empty string)", i);
            return;
        }
    }
    json_t *results = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            results, enable_one(rq, json_string_value(json_array_get(zones, i)), (int)alg));
    api_reply(rs, 200, json_pack("{s:o}", "results", results));
}
