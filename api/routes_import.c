/* routes_import.c - POST /api/v1/domains/{domain_id}/dnssec/import: adopting the keys of a
 * zone another signer already signs (lifecycle/import.h). The private keys come in, are
 * sealed to the backend, and are never shown again: the reply names their tags and DS. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "api/auth.h"
#include "api/changed.h"
#include "api/json_io.h"
#include "api/routes.h"
#include "api/webhook.h"
#include "lifecycle/dnssec.h"
#include "lifecycle/import.h"

/* Reads the optional boolean field name of o into *out (default def). 0, or -1 with rs set. */
static int opt_bool(const json_t *o, const char *name, int def, int *out, const char *where,
                    api_resp *rs)
{
    json_t *v = json_object_get(o, name);
    if (!v) {
        *out = def;
        return 0;
    }
    if (!json_is_boolean(v)) {
        api_error(rs, 400, "%s: field '%s' must be true or false", where, name);
        return -1;
    }
    *out = json_is_true(v);
    return 0;
}

/* Reads keys[i] of the body into *k (strings stay owned by the body). 0, or -1 with rs set. */
static int read_key(const json_t *o, size_t i, sd_import_key *k, api_resp *rs)
{
    static const char *const fields[] = {"role",      "private_key", "public_key", "algorithm",
                                         "published", "active",      NULL};
    char where[32];
    snprintf(where, sizeof where, "keys[%zu]", i);
    if (!json_is_object(o)) {
        api_error(rs, 400, "%s must be an object", where);
        return -1;
    }
    if (api_only_fields(o, fields, rs) < 0)
        return -1;
    sd_err e;
    json_t *role = json_object_get(o, "role"), *priv = json_object_get(o, "private_key");
    json_t *pub = json_object_get(o, "public_key"), *alg = json_object_get(o, "algorithm");
    if (!json_is_string(role) || sd_import_role_parse(json_string_value(role), &k->role, &e) < 0) {
        api_error(rs, 400, "%s: field 'role' must be \"csk\", \"ksk\" or \"zsk\"", where);
        return -1;
    }
    if (!json_is_string(priv) || json_string_length(priv) == 0) {
        api_error(rs, 400,
                  "%s: field 'private_key' must be the key as text (ISC Private-key-format or "
                  "PEM)",
                  where);
        return -1;
    }
    if (pub && !json_is_null(pub) && !json_is_string(pub)) {
        api_error(rs, 400, "%s: field 'public_key' must be text (a DNSKEY record or PEM)", where);
        return -1;
    }
    if (alg && !json_is_integer(alg)) {
        api_error(rs, 400, "%s: field 'algorithm' must be an integer", where);
        return -1;
    }
    k->private_key = json_string_value(priv);
    k->public_key = json_is_string(pub) ? json_string_value(pub) : NULL;
    k->algorithm = alg ? (int)json_integer_value(alg) : 0;
    if (alg && (json_integer_value(alg) < 0 || json_integer_value(alg) > 255)) {
        api_error(rs, 400, "%s: algorithm %lld is out of range", where,
                  (long long)json_integer_value(alg));
        return -1;
    }
    if (opt_bool(o, "published", 1, &k->published, where, rs) < 0 ||
        opt_bool(o, "active", 1, &k->active, where, rs) < 0)
        return -1;
    return 0;
}

/* Wipes the private keys of the body's keys[] in place: the parsed request is freed later,
 * and nothing after the import needs them. */
static void wipe_private_keys(json_t *keys)
{
    size_t i;
    json_t *k;
    json_array_foreach(keys, i, k)
    {
        json_t *p = json_object_get(k, "private_key");
        if (json_is_string(p))
            sodium_memzero((char *)json_string_value(p), json_string_length(p));
    }
}

void api_h_dnssec_import(api_req *rq, api_resp *rs)
{
    static const char *const fields[] = {"keys", "ds_published", NULL};
    sd_zone z;
    sd_err e;
    if (api_zone_lookup(rq, "dnssec:enable", &z, rs) < 0)
        return;
    if (!json_is_object(rq->body)) {
        api_error(rs, 400,
                  "the body must be a JSON object {\"keys\": [...], \"ds_published\": "
                  "true|false}");
        return;
    }
    if (api_only_fields(rq->body, fields, rs) < 0)
        return;
    json_t *keys = json_object_get(rq->body, "keys");
    if (!json_is_array(keys) || json_array_size(keys) == 0) {
        api_error(rs, 400, "field 'keys' must be a non-empty array of keys");
        return;
    }
    if (json_array_size(keys) > SD_IMPORT_MAX_KEYS) {
        api_error(rs, 400, "at most %d keys in one import, not %zu", SD_IMPORT_MAX_KEYS,
                  json_array_size(keys));
        return;
    }
    int ds_published;
    if (opt_bool(rq->body, "ds_published", 0, &ds_published, "body", rs) < 0)
        return;
    sd_import_key k[SD_IMPORT_MAX_KEYS];
    memset(k, 0, sizeof k);
    for (size_t i = 0; i < json_array_size(keys); i++)
        if (read_key(json_array_get(keys, i), i, &k[i], rs) < 0)
            return;

    sd_ctx c = {rq->db, &rq->srv->seal, &rq->srv->defaults, rq->token->name, rq->now};
    json_t *detail = NULL;
    int rc = sd_dnssec_import(&c, &z, k, json_array_size(keys), ds_published, &detail, &e);
    wipe_private_keys(keys);
    if (rc < 0) {
        api_fail(rs, &e);
        char status[32];
        if (e.code == SD_ECONFLICT &&
            sd_dnssec_status(rq->db, z.id, status, sizeof status, NULL) == 0)
            json_object_set_new(rs->body, "status", json_string(status));
        return;
    }
    api_changed(rq, &z);
    if (!ds_published)
        api_notify(rq, &z, "ds_to_publish");
    char status[32] = "unknown";
    sd_dnssec_status(rq->db, z.id, status, sizeof status, NULL);
    json_t *o =
        json_pack("{s:s, s:s, s:s, s:s}", "domain_id", z.public_id, "action", "import", "message",
                  ds_published ? "keys imported; the parent's DS stays as it is"
                               : "keys imported; publish one of ds_records at the parent",
                  "status", status);
    json_object_set(o, "imported", json_object_get(detail, "keys"));
    json_t *split = json_object_get(detail, "split_zsk");
    json_object_set_new(o, "split_zsk", split ? json_deep_copy(split) : json_null());
    json_t *ds = NULL;
    if (sd_dnssec_ds_json(rq->db, &z, &ds, &e) == 0)
        json_object_set_new(o, "ds_records", ds);
    else
        json_object_set_new(o, "ds_records", json_array());
    json_decref(detail);
    api_reply(rs, 200, o);
}
