/* test_api_openapi_state.c - what GET .../dnssec answers (sd_dnssec_state_json) is what
 * api/openapi.json says, in every zone status and every key state the lifecycle produces: zones
 * are driven through enable, DS confirmation, ZSK, KSK and algorithm rollovers with the engine's
 * timed steps, and CDS DELETE; each state is checked against the DnssecState schema (types,
 * enums, required fields, nullable, and no field the document does not name), and the statuses
 * and key states seen must be exactly the document's Status and Key.state enums. */
#include "th.h"

#include <jansson.h>

#include "api/openapi_doc.h"
#include "lifecycle/engine.h"
#include "lifecycle/policy_json.h"

static json_t *DOC;

/* The schema a {"$ref": "#/components/schemas/X"} names, or s itself. */
static json_t *deref(json_t *s)
{
    const char *ref = json_string_value(json_object_get(s, "$ref"));
    if (!ref)
        return s;
    const char *name = strrchr(ref, '/');
    json_t *t = json_object_get(json_object_get(json_object_get(DOC, "components"), "schemas"),
                                name ? name + 1 : ref);
    if (!t)
        fail_msg("openapi.json: %s names no schema", ref);
    return deref(t);
}

/* Adds to names every property name that s (with its allOf parts) documents. */
static void documented(json_t *s, json_t *names)
{
    s = deref(s);
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(s, "properties"), k, v)
    {
        json_object_set_new(names, k, json_true());
    }
    size_t i;
    json_array_foreach(json_object_get(s, "allOf"), i, v)
    {
        documented(v, names);
    }
}

static int validate(json_t *s, json_t *v, const char *path, char *why, size_t len);

/* Checks v against the object-level parts of s (required, properties, allOf). */
static int validate_object(json_t *s, json_t *v, const char *path, char *why, size_t len)
{
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(s, "required"), i, r)
    {
        if (!json_object_get(v, json_string_value(r))) {
            snprintf(why, len, "%s: required field %s missing", path, json_string_value(r));
            return -1;
        }
    }
    const char *k;
    json_t *f;
    json_object_foreach(json_object_get(s, "properties"), k, f)
    {
        json_t *x = json_object_get(v, k);
        char sub[256];
        snprintf(sub, sizeof sub, "%s.%s", path, k);
        if (x && validate(f, x, sub, why, len) < 0)
            return -1;
    }
    json_array_foreach(json_object_get(s, "allOf"), i, r)
    {
        if (validate(r, v, path, why, len) < 0)
            return -1;
    }
    return 0;
}

/* Checks v against schema s: $ref, allOf, oneOf (one must match), type, nullable, enum,
 * required, properties, items. Returns 0, or -1 with why. */
static int validate(json_t *s, json_t *v, const char *path, char *why, size_t len)
{
    s = deref(s);
    json_t *alts = json_object_get(s, "oneOf");
    if (alts) {
        size_t i;
        json_t *a;
        json_array_foreach(alts, i, a)
        {
            if (validate(a, v, path, why, len) == 0)
                return 0;
        }
        snprintf(why + strlen(why), len - strlen(why), " (%s: no oneOf matches)", path);
        return -1;
    }
    if (json_is_null(v)) {
        const char *t = json_string_value(json_object_get(s, "type"));
        if (json_is_true(json_object_get(s, "nullable")) || (t && strcmp(t, "null") == 0))
            return 0;
        snprintf(why, len, "%s: null, not nullable", path);
        return -1;
    }
    const char *type = json_string_value(json_object_get(s, "type"));
    int ok = !type || (strcmp(type, "object") == 0 && json_is_object(v)) ||
             (strcmp(type, "array") == 0 && json_is_array(v)) ||
             (strcmp(type, "string") == 0 && json_is_string(v)) ||
             (strcmp(type, "integer") == 0 && json_is_integer(v)) ||
             (strcmp(type, "number") == 0 && json_is_number(v)) ||
             (strcmp(type, "boolean") == 0 && json_is_boolean(v));
    if (!ok) {
        snprintf(why, len, "%s: not of type %s", path, type);
        return -1;
    }
    json_t *en = json_object_get(s, "enum");
    if (en) {
        size_t i;
        json_t *x;
        int found = 0;
        json_array_foreach(en, i, x)
        {
            found |= json_equal(x, v);
        }
        if (!found) {
            char *t = json_dumps(v, JSON_ENCODE_ANY);
            snprintf(why, len, "%s: %s is not in the document's enum", path, t);
            free(t);
            return -1;
        }
    }
    if (json_is_array(v) && json_object_get(s, "items")) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
        {
            char sub[256];
            snprintf(sub, sizeof sub, "%s[%zu]", path, i);
            if (validate(json_object_get(s, "items"), x, sub, why, len) < 0)
                return -1;
        }
    }
    if (json_is_object(v)) {
        if (validate_object(s, v, path, why, len) < 0)
            return -1;
        /* Every field of the answer is documented. */
        json_t *names = json_object();
        documented(s, names);
        if (json_object_size(names) > 0) {
            const char *k;
            json_t *x;
            json_object_foreach(v, k, x)
            {
                if (!json_object_get(names, k)) {
                    snprintf(why, len, "%s.%s is not in the document", path, k);
                    json_decref(names);
                    return -1;
                }
            }
        }
        json_decref(names);
    }
    return 0;
}

static json_t *SEEN_STATUS, *SEEN_STATE;

/* Checks z's state JSON against DnssecState and records its status and key states. */
static void check(th_env *t, const sd_zone *z)
{
    json_t *j;
    sd_err e;
    th_assert_ok(sd_dnssec_state_json(t->db, z, &j, &e), e);
    char why[512] = "";
    json_t *schema = json_pack("{s:s}", "$ref", "#/components/schemas/DnssecState");
    if (validate(schema, j, "state", why, sizeof why) < 0) {
        char *text = json_dumps(j, JSON_COMPACT);
        fail_msg("%s: %s\n%s", z->name, why, text);
    }
    json_decref(schema);
    json_object_set_new(SEEN_STATUS, json_string_value(json_object_get(j, "status")), json_true());
    const char *sets[] = {"ksk", "zsk"};
    for (int s = 0; s < 2; s++) {
        size_t i;
        json_t *k;
        json_array_foreach(json_object_get(j, sets[s]), i, k)
        {
            json_object_set_new(SEEN_STATE, json_string_value(json_object_get(k, "state")),
                                json_true());
        }
    }
    json_decref(j);
}

/* Confirms the DS of z's newest KSK at the earliest moment it may be. */
static void confirm(th_env *t, const sd_zone *z)
{
    sd_err e;
    json_t *ds;
    th_assert_ok(sd_dnssec_ds_json(t->db, z, &ds, &e), e);
    int64_t after = th_int(t->db,
                           "SELECT coalesce(max(ds_publish_at), 0) FROM keys WHERE zone_id = %lld "
                           "AND role = 'KSK' AND ds_seen_at IS NULL AND state <> 'removed'",
                           (long long)z->id);
    if (t->ctx.now < after)
        t->ctx.now = after;
    int64_t id = th_int(t->db, "SELECT max(id) FROM keys WHERE zone_id = %lld AND role = 'KSK'",
                        (long long)z->id);
    int tag = (int)th_int(t->db, "SELECT key_tag FROM keys WHERE id = %lld", (long long)id);
    size_t i;
    json_t *d;
    sd_ds one = {0, 0, 0, ""};
    json_array_foreach(ds, i, d)
    {
        if (json_integer_value(json_object_get(d, "key_tag")) == tag &&
            json_integer_value(json_object_get(d, "digest_type")) == 2)
            th_assert_ok(sd_ds_parse(json_string_value(json_object_get(d, "ds")), &one, &e), e);
    }
    json_decref(ds);
    th_assert_ok(sd_dnssec_confirm_ds(&t->ctx, z, &one, 1, &e), e);
}

/* Runs the engine on z up to the time of its next step (or until nothing is planned),
 * checking the state after each pass. */
static void step(th_env *t, const sd_zone *z)
{
    sd_err e;
    int64_t next = 0;
    int steps = 0;
    th_assert_ok(sd_engine_zone_next(t->db, z->id, &next, &e), e);
    if (next > t->ctx.now)
        t->ctx.now = next;
    th_assert_ok(sd_engine_run_zone(&t->ctx, z, &steps, &next, &e), e);
    check(t, z);
}

static void test_every_status_and_state(void **state)
{
    th_env *t = *state;
    sd_zone z, a, d;
    sd_err e;
    SEEN_STATUS = json_object();
    SEEN_STATE = json_object();
    th_zone(t, "example.com", &z);
    check(t, &z); /* disabled */
    th_assert_ok(sd_dnssec_enable(&t->ctx, &z, 13, &e), e);
    check(t, &z); /* pending_ds */
    confirm(t, &z);
    check(t, &z); /* active */
    th_assert_ok(sd_dnssec_rotate_zsk(&t->ctx, &z, &e), e);
    check(t, &z); /* rotating_zsk: published */
    char st[32] = "";
    for (int i = 0; i < 10 && strcmp(st, "active") != 0; i++) {
        step(t, &z); /* retired, then gone */
        th_assert_ok(sd_dnssec_status(t->db, z.id, st, sizeof st, &e), e);
    }
    th_assert_ok(sd_dnssec_rotate_ksk(&t->ctx, &z, &e), e);
    check(t, &z); /* rotating_ksk */
    confirm(t, &z);
    check(t, &z);
    /* An algorithm rollover: the new keys sign before they are published. */
    th_zone(t, "example.net", &a);
    th_assert_ok(sd_dnssec_enable(&t->ctx, &a, 13, &e), e);
    confirm(t, &a);
    th_assert_ok(sd_dnssec_rotate_ksk_alg(&t->ctx, &a, 15, &e), e);
    check(t, &a); /* signing */
    step(t, &a);
    /* CDS DELETE: disabling. */
    th_zone(t, "example.org", &d);
    json_t *p = json_pack("{s:b}", "cds_delete", 1);
    sd_policy pol;
    th_assert_ok(sd_policy_put(t->db, d.id, d.name, &t->policy, p, "test", t->ctx.now, &pol, &e),
                 e);
    json_decref(p);
    th_assert_ok(sd_dnssec_enable(&t->ctx, &d, 13, &e), e);
    confirm(t, &d);
    th_assert_ok(sd_dnssec_disable(&t->ctx, &d, &e), e);
    check(t, &d); /* disabling */

    /* Seen exactly what the document lists (removed keys are not shown). */
    json_t *schemas = json_object_get(json_object_get(DOC, "components"), "schemas");
    json_t *st_enum = json_object_get(json_object_get(schemas, "Status"), "enum");
    json_t *key_enum = json_object_get(
        json_object_get(json_object_get(json_object_get(schemas, "Key"), "properties"), "state"),
        "enum");
    size_t i;
    json_t *x;
    json_array_foreach(st_enum, i, x)
    {
        if (!json_object_get(SEEN_STATUS, json_string_value(x)))
            fail_msg("status %s of the document was never reached", json_string_value(x));
    }
    assert_int_equal(json_object_size(SEEN_STATUS), json_array_size(st_enum));
    json_array_foreach(key_enum, i, x)
    {
        if (strcmp(json_string_value(x), "removed") != 0 &&
            !json_object_get(SEEN_STATE, json_string_value(x)))
            fail_msg("key state %s of the document was never reached", json_string_value(x));
    }
    json_decref(SEEN_STATUS);
    json_decref(SEEN_STATE);
}

static int setup(void **state)
{
    json_error_t err;
    DOC = json_loadb(api_openapi_doc, api_openapi_doc_len, 0, &err);
    if (!DOC)
        return -1;
    return th_setup(state);
}

static int teardown(void **state)
{
    json_decref(DOC);
    return th_teardown(state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_status_and_state, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
