/* routes_zones.c - zones and RRsets: POST/GET /api/v1/domains, GET/DELETE
 * /api/v1/domains/{domain_id}, GET .../rrsets, PUT/DELETE .../rrsets/{name}/{type}. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/auth.h"
#include "api/changed.h"
#include "keystore/db.h"
#include "keystore/rdata.h"
#include "lifecycle/dnssec.h"
#include "api/json_io.h"
#include "api/routes.h"
#include "keystore/rrset_json.h"
#include "keystore/timefmt.h"
#include "keystore/zone.h"

/* The zone as the API shows it: id, name, keys_only, created_at, dnssec_status, serial. */
static json_t *zone_json(sqlite3 *db, const sd_zone *z)
{
    char created[32], status[32] = "unknown";
    long long serial = 0;
    sd_time_rfc3339(z->created_at, created, sizeof created);
    sd_dnssec_status(db, z->id, status, sizeof status, NULL);
    sd_zone_serial(db, z, &serial, NULL);
    return json_pack("{s:s, s:s, s:b, s:s, s:s, s:I}", "id", z->public_id, "name", z->name,
                     "keys_only", z->keys_only, "created_at", created, "dnssec_status", status,
                     "serial", (json_int_t)serial);
}

/* What zone_list_one needs: the request, the page being filled, where it starts and how
 * long it may get. */
typedef struct list_ctx {
    const api_req *rq;
    json_t *arr;
    char after[SD_NAME_MAX]; /* canonical name; "" = from the first zone */
    size_t limit;
    int more; /* set when a zone beyond the page exists */
} list_ctx;

/* Appends z to the page when the token may read it and it comes after the cursor; stops
 * (returns 1) once the page is full and one more zone is seen. */
static int zone_list_one(const sd_zone *z, void *arg)
{
    list_ctx *c = arg;
    if (c->after[0] && strcmp(z->name, c->after) <= 0)
        return 0;
    if (!sd_token_allows(c->rq->token, "zones:read", z->name))
        return 0;
    if (json_array_size(c->arr) == c->limit) {
        c->more = 1;
        return 1;
    }
    json_array_append_new(c->arr, zone_json(c->rq->db, z));
    return 0;
}

/* GET /api/v1/domains?limit=1..10000 (1000)&after=NAME: {"domains": [zone...],
 * "next_after": NAME or null} in name order, only the zones the token may read. */
void api_h_zones_list(api_req *rq, api_resp *rs)
{
    sd_err e;
    long long limit;
    list_ctx c = {rq, NULL, "", 0, 0};
    if (api_query_int(rq, "limit", 1, 10000, 1000, &limit, rs) < 0)
        return;
    c.limit = (size_t)limit;
    const char *after = rq->query ? rq->query(rq->qctx, "after") : NULL;
    if (after && sd_name_canon(after, c.after, sizeof c.after, &e) < 0) {
        api_error(rs, 400, "query parameter 'after' must be a zone name: %s", e.msg);
        return;
    }
    c.arr = json_array();
    if (sqlite3_exec(rq->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
        json_decref(c.arr);
        sd_db_fail(rq->db, &e, "list domains");
        api_fail(rs, &e);
        return;
    }
    int rc = sd_zone_foreach(rq->db, zone_list_one, &c, &e);
    sqlite3_exec(rq->db, "COMMIT", NULL, NULL, NULL);
    if (rc < 0) {
        json_decref(c.arr);
        api_fail(rs, &e);
        return;
    }
    json_t *last = json_array_get(c.arr, json_array_size(c.arr) - 1);
    json_t *next = c.more && last ? json_incref(json_object_get(last, "name")) : json_null();
    api_reply(rs, 200, json_pack("{s:o, s:o}", "domains", c.arr, "next_after", next));
}

/* Joins the "ns" array of the body into "a,b,c" in buf; 400 unless 1 to 16 names without
 * commas or spaces. */
static int ns_list(const json_t *ns, char *buf, size_t len, api_resp *rs)
{
    if (!json_is_array(ns) || json_array_size(ns) < 1 || json_array_size(ns) > 16) {
        api_error(rs, 400, "field 'ns' must be an array of 1 to 16 names");
        return -1;
    }
    size_t used = 0, i;
    json_t *v;
    buf[0] = '\0';
    json_array_foreach(ns, i, v)
    {
        const char *s = json_string_value(v);
        if (!s || !*s || strpbrk(s, ", \t") || strlen(s) > 300) {
            api_error(rs, 400, "field 'ns' must hold names (strings without commas or spaces)");
            return -1;
        }
        int n = snprintf(buf + used, len - used, "%s%s", used ? "," : "", s);
        if (n < 0 || (size_t)n >= len - used) {
            api_error(rs, 400, "field 'ns' is too long");
            return -1;
        }
        used += (size_t)n;
    }
    return 0;
}

/* POST /api/v1/domains {"name", "ns"?: [...], "soa_mail"?, "ttl"?, "keys_only"?}: 201 with
 * the zone and a Location header; SOA and NS from the body or the configuration; ttl (of SOA
 * and NS, 3600 by default) also sets the SOA minimum when it is lower than the DNSKEY TTL. */
void api_h_zone_create(api_req *rq, api_resp *rs)
{
    static const char *const fields[] = {"name", "ns", "soa_mail", "ttl", "keys_only", NULL};
    const char *name, *mail;
    long long ttl;
    sd_err e;
    if (api_only_fields(rq->body, fields, rs) < 0 ||
        api_int_field(rq->body, "ttl", 0, 1, 2147483647LL, &ttl, NULL, rs) < 0 ||
        api_str_field(rq->body, "name", 1, 1024, &name, rs) < 0 ||
        api_str_field(rq->body, "soa_mail", 0, 300, &mail, rs) < 0)
        return;
    json_t *ko = json_object_get(rq->body, "keys_only");
    if (ko && !json_is_boolean(ko)) {
        api_error(rs, 400, "field 'keys_only' must be true or false");
        return;
    }
    char ns[1024], canon[SD_NAME_MAX];
    json_t *nsj = json_object_get(rq->body, "ns");
    if (nsj && ns_list(nsj, ns, sizeof ns, rs) < 0)
        return;
    if (sd_name_canon(name, canon, sizeof canon, &e) < 0) {
        api_fail(rs, &e);
        return;
    }
    if (!sd_token_allows(rq->token, "zones:write", canon)) {
        api_error(rs, 403, "this token may not create %s", canon);
        return;
    }
    sd_zone_init init = {0};
    init.ns = nsj ? ns : rq->srv->cfg.default_ns;
    init.soa_rname = mail ? mail : rq->srv->cfg.default_soa_mail;
    init.soa_minimum = (uint32_t)rq->srv->cfg.policy_dnskey_ttl;
    if (json_object_get(rq->body, "ttl")) {
        init.ttl = (uint32_t)ttl;
        if (init.ttl < init.soa_minimum)
            init.soa_minimum = init.ttl;
    }
    init.keys_only = ko && json_is_true(ko);
    init.with_records = 1;
    sd_zone z;
    if (sd_zone_create(rq->db, name, &init, rq->token->name, rq->now, &z, &e) < 0) {
        api_fail(rs, &e);
        return;
    }
    snprintf(rs->location, sizeof rs->location, "/api/v1/domains/%s", z.public_id);
    api_reply(rs, 201, zone_json(rq->db, &z));
}

/* GET /api/v1/domains/{domain_id}: the zone. */
void api_h_zone_get(api_req *rq, api_resp *rs)
{
    sd_zone z;
    if (api_zone_lookup(rq, "zones:read", &z, rs) < 0)
        return;
    api_reply(rs, 200, zone_json(rq->db, &z));
}

/* DELETE /api/v1/domains/{domain_id}: the zone with its records and keys; 204. */
void api_h_zone_delete(api_req *rq, api_resp *rs)
{
    sd_zone z;
    sd_err e;
    if (api_zone_lookup(rq, "zones:write", &z, rs) < 0)
        return;
    if (sd_zone_delete(rq->db, z.public_id, rq->token->name, rq->now, &e) < 0) {
        api_fail(rs, &e);
        return;
    }
    api_changed(rq, &z);
    api_reply(rs, 204, NULL);
}

/* GET .../rrsets: {"domain_id", "name", "rrsets": [{"name", "type", "ttl", "records"}]}. */
void api_h_rrsets_list(api_req *rq, api_resp *rs)
{
    sd_zone z;
    sd_err e;
    json_t *arr;
    if (api_zone_lookup(rq, "zones:read", &z, rs) < 0)
        return;
    if (sd_rrset_list_json(rq->db, &z, NULL, NULL, &arr, &e) < 0) {
        api_fail(rs, &e);
        return;
    }
    api_reply(
        rs, 200,
        json_pack("{s:s, s:s, s:o}", "domain_id", z.public_id, "name", z.name, "rrsets", arr));
}

/* Resolves the {name} and {type} path parameters to the canonical owner and type. */
static int rrset_key(const api_req *rq, const sd_zone *z, char *owner, char *type, api_resp *rs)
{
    sd_err e;
    if (sd_name_absolute(rq->params[1], z->name, owner, SD_NAME_MAX, &e) < 0) {
        api_fail(rs, &e);
        return -1;
    }
    if (sd_type_canon(rq->params[2], type, 16, NULL, &e) < 0) {
        api_fail(rs, &e);
        return -1;
    }
    return 0;
}

/* PUT .../rrsets/{name}/{type} {"ttl"?: 0..2^31-1 (3600), "records": [1..10000 strings]}:
 * replaces the RRset, bumps the serial; 200 with the RRset as stored. */
void api_h_rrset_put(api_req *rq, api_resp *rs)
{
    static const char *const fields[] = {"ttl", "records", NULL};
    sd_zone z;
    sd_err e;
    long long ttl = 3600;
    if (api_zone_lookup(rq, "zones:write", &z, rs) < 0 ||
        api_only_fields(rq->body, fields, rs) < 0 ||
        api_int_field(rq->body, "ttl", 0, 0, 2147483647LL, &ttl, NULL, rs) < 0)
        return;
    if (z.keys_only) {
        api_error(rs, 409, "%s is keys-only: its records live in another PowerDNS backend", z.name);
        return;
    }
    json_t *recs = json_object_get(rq->body, "records");
    size_t n = json_array_size(recs);
    if (!json_is_array(recs) || n < 1 || n > 10000) {
        api_error(rs, 400,
                  "field 'records' must be an array of 1 to 10000 strings "
                  "(DELETE removes an RRset)");
        return;
    }
    const char **list = calloc(n, sizeof *list);
    if (!list) {
        api_error(rs, 500, "out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        list[i] = json_string_value(json_array_get(recs, i));
        if (!list[i] || !*list[i] || json_string_length(json_array_get(recs, i)) > 65535 ||
            strlen(list[i]) != json_string_length(json_array_get(recs, i))) {
            free(list);
            api_error(rs, 400, "record %zu must be a non-empty string", i + 1);
            return;
        }
    }
    int rc = sd_rrset_put(rq->db, &z, rq->params[1], rq->params[2], (uint32_t)ttl, list, n, 0, &e);
    free(list);
    if (rc == 0)
        api_changed(rq, &z);
    char owner[SD_NAME_MAX], type[16];
    json_t *arr = NULL;
    if (rc < 0 || rrset_key(rq, &z, owner, type, rs) < 0 ||
        sd_rrset_list_json(rq->db, &z, owner, type, &arr, &e) < 0) {
        if (rs->status == 0)
            api_fail(rs, &e);
        return;
    }
    json_t *one = json_incref(json_array_get(arr, 0));
    json_decref(arr);
    api_reply(rs, 200, one ? one : json_object());
}

/* DELETE .../rrsets/{name}/{type}: 204; 404 when there is no such RRset. */
void api_h_rrset_delete(api_req *rq, api_resp *rs)
{
    sd_zone z;
    sd_err e;
    if (api_zone_lookup(rq, "zones:write", &z, rs) < 0)
        return;
    if (z.keys_only) {
        api_error(rs, 409, "%s is keys-only: its records live in another PowerDNS backend", z.name);
        return;
    }
    if (sd_rrset_delete(rq->db, &z, rq->params[1], rq->params[2], &e) < 0) {
        api_fail(rs, &e);
        return;
    }
    api_changed(rq, &z);
    api_reply(rs, 204, NULL);
}
