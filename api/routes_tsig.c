/* routes_tsig.c - TSIG keys for zone transfers: POST/GET /api/v1/tsigkeys, GET/DELETE
 * /api/v1/tsigkeys/{name}, and the keys that may transfer a zone: GET/PUT
 * /api/v1/domains/{domain_id}/metadata/TSIG-ALLOW-AXFR.
 *
 * A key's secret is in the reply to its creation and nowhere else: the API holds only the
 * public half of the seal key and cannot open a stored secret. Keys are shared by every zone,
 * so creating and deleting one takes a token with tsig:write and no zone list; a token limited
 * to zones sees, for each key, only its own zones among those the key may transfer. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "api/auth.h"
#include "api/changed.h"
#include "api/json_io.h"
#include "api/routes.h"
#include "keystore/timefmt.h"
#include "keystore/tsig.h"

#define WEAK_NOTE "hmac-md5 is weak: use it only for a secondary that cannot do hmac-sha256"

/* What zone_one needs: the token and the array being filled. */
typedef struct zones_ctx {
    const sd_token *token;
    json_t *arr;
} zones_ctx;

/* Appends zone to the array when the token may see it. */
static int zone_one(const char *zone, void *arg)
{
    zones_ctx *c = arg;
    if (!c->token || sd_token_zone_allowed(c->token, zone))
        json_array_append_new(c->arr, api_str(zone));
    return 0;
}

/* The key as the API shows it: name, algorithm, weak (+ warning), created_at, zones (those
 * the token may see). NULL with e filled on a database failure. */
static json_t *key_json(const api_req *rq, const sd_tsig_key *k, sd_err *e)
{
    char created[32];
    sd_time_rfc3339(k->created_at, created, sizeof created);
    zones_ctx c = {rq->token, json_array()};
    if (sd_tsig_key_zones(rq->db, k->id, zone_one, &c, e) < 0) {
        json_decref(c.arr);
        return NULL;
    }
    json_t *o = json_pack("{s:o, s:s, s:b, s:s, s:o}", "name", api_str(k->name), "algorithm",
                          k->algorithm, "weak", k->weak, "created_at", created, "zones", c.arr);
    if (o && k->weak)
        json_object_set_new(o, "warning", json_string(WEAK_NOTE));
    return o;
}

/* 403 unless the token may act on every zone (TSIG keys are shared by all). */
static int unlimited_token(const api_req *rq, api_resp *rs)
{
    if (rq->token && rq->token->zones[0]) {
        api_error(rs, 403,
                  "TSIG keys are shared by every zone: creating or deleting one needs a token "
                  "that is not limited to zones");
        return -1;
    }
    return 0;
}

/* POST /api/v1/tsigkeys {"name", "algorithm"?}: 201 with the key and its base64 "secret",
 * shown this once; 409 when the name is taken. */
void api_h_tsig_create(api_req *rq, api_resp *rs)
{
    static const char *const fields[] = {"name", "algorithm", NULL};
    const char *name, *alg;
    sd_err e;
    if (unlimited_token(rq, rs) < 0 || api_only_fields(rq->body, fields, rs) < 0 ||
        api_str_field(rq->body, "name", 1, 300, &name, rs) < 0 ||
        api_str_field(rq->body, "algorithm", 0, 64, &alg, rs) < 0)
        return;
    char secret[SD_TSIG_SECRET_B64_MAX];
    sd_tsig_key k;
    if (sd_tsig_create(rq->db, &rq->srv->seal, name, alg, rq->token->name, rq->now, secret,
                       sizeof secret, &k, &e) < 0) {
        api_fail(rs, &e);
        return;
    }
    json_t *o = key_json(rq, &k, &e);
    if (!o) {
        sodium_memzero(secret, sizeof secret);
        api_fail(rs, &e);
        return;
    }
    json_object_set_new(o, "secret", json_string(secret));
    sodium_memzero(secret, sizeof secret);
    snprintf(rs->location, sizeof rs->location, "/api/v1/tsigkeys/%.100s", k.name);
    api_reply(rs, 201, o);
}

/* What key_list_one needs. */
typedef struct list_ctx {
    const api_req *rq;
    json_t *arr;
    sd_err e;
    int failed;
} list_ctx;

/* Appends one key to the list. */
static int key_list_one(const sd_tsig_key *k, void *arg)
{
    list_ctx *c = arg;
    json_t *o = key_json(c->rq, k, &c->e);
    if (!o) {
        c->failed = 1;
        return 1;
    }
    json_array_append_new(c->arr, o);
    return 0;
}

/* GET /api/v1/tsigkeys: {"tsigkeys": [key...]} in name order, without secrets. */
void api_h_tsig_list(api_req *rq, api_resp *rs)
{
    sd_err e;
    list_ctx c = {rq, json_array(), {0}, 0};
    sqlite3_exec(rq->db, "BEGIN", NULL, NULL, NULL);
    int rc = sd_tsig_foreach(rq->db, key_list_one, &c, &e);
    sqlite3_exec(rq->db, "COMMIT", NULL, NULL, NULL);
    if (rc < 0 || c.failed) {
        json_decref(c.arr);
        api_fail(rs, c.failed ? &c.e : &e);
        return;
    }
    api_reply(rs, 200, json_pack("{s:o}", "tsigkeys", c.arr));
}

/* GET /api/v1/tsigkeys/{name}: the key without its secret; 404. */
void api_h_tsig_get(api_req *rq, api_resp *rs)
{
    sd_tsig_key k;
    sd_err e;
    json_t *o = NULL;
    if (sd_tsig_find(rq->db, rq->params[0], &k, &e) < 0 || !(o = key_json(rq, &k, &e))) {
        api_fail(rs, &e);
        return;
    }
    api_reply(rs, 200, o);
}

/* DELETE /api/v1/tsigkeys/{name}: 204; 404; 409 while a zone lets it transfer. */
void api_h_tsig_delete(api_req *rq, api_resp *rs)
{
    sd_err e;
    if (unlimited_token(rq, rs) < 0)
        return;
    if (sd_tsig_delete(rq->db, rq->params[0], rq->token->name, rq->now, &e) < 0) {
        api_fail(rs, &e);
        return;
    }
    api_reply(rs, 204, NULL);
}

/* Appends a key name to a JSON array. */
static int name_one(const char *name, void *arg)
{
    json_array_append_new(arg, api_str(name));
    return 0;
}

/* The zone's metadata reply: {"kind": "TSIG-ALLOW-AXFR", "metadata": [names]}. */
static void allow_axfr_reply(api_req *rq, const sd_zone *z, api_resp *rs)
{
    sd_err e;
    json_t *arr = json_array();
    if (sd_tsig_allow_axfr_foreach(rq->db, z->id, name_one, arr, &e) < 0) {
        json_decref(arr);
        api_fail(rs, &e);
        return;
    }
    api_reply(rs, 200, json_pack("{s:s, s:o}", "kind", "TSIG-ALLOW-AXFR", "metadata", arr));
}

/* GET .../metadata/TSIG-ALLOW-AXFR: the keys that may transfer the zone. */
void api_h_tsig_allow_axfr_get(api_req *rq, api_resp *rs)
{
    sd_zone z;
    if (api_zone_lookup(rq, "tsig:read", &z, rs) < 0)
        return;
    allow_axfr_reply(rq, &z, rs);
}

/* PUT .../metadata/TSIG-ALLOW-AXFR {"metadata": [key names]}: replaces the list ([] clears
 * it); 404 naming a key that does not exist. PowerDNS is purged so the list counts at once. */
void api_h_tsig_allow_axfr_put(api_req *rq, api_resp *rs)
{
    static const char *const fields[] = {"kind", "metadata", NULL};
    sd_zone z;
    sd_err e;
    if (api_zone_lookup(rq, "tsig:write", &z, rs) < 0 || api_only_fields(rq->body, fields, rs) < 0)
        return;
    const char *kind = NULL;
    if (api_str_field(rq->body, "kind", 0, 64, &kind, rs) < 0)
        return;
    if (kind && strcmp(kind, "TSIG-ALLOW-AXFR") != 0) {
        api_error(rs, 400, "field 'kind' must be TSIG-ALLOW-AXFR (or left out)");
        return;
    }
    json_t *list = json_object_get(rq->body, "metadata");
    size_t n = json_array_size(list);
    if (!json_is_array(list) || n > SD_TSIG_MAX_PER_ZONE) {
        api_error(rs, 400, "field 'metadata' must be an array of 0 to %d TSIG key names",
                  SD_TSIG_MAX_PER_ZONE);
        return;
    }
    const char *names[SD_TSIG_MAX_PER_ZONE];
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(list, i);
        names[i] = json_string_value(v);
        if (!names[i] || strlen(names[i]) != json_string_length(v)) {
            api_error(rs, 400, "metadata item %zu must be a TSIG key name (a string)", i + 1);
            return;
        }
    }
    if (sd_tsig_allow_axfr_set(rq->db, z.id, z.name, names, n, rq->token->name, rq->now, &e) < 0) {
        api_fail(rs, &e);
        return;
    }
    api_changed(rq, &z);
    allow_axfr_reply(rq, &z, rs);
}
