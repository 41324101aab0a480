/* test_backend_tsig.c - backend/m_tsig.c through the dispatcher, as PowerDNS 4.7's remote
 * backend asks (modules/remotebackend/remotebackend.cc): getTSIGKey {name} answered with
 * {algorithm, content} (RFC 8945 algorithm names, the secret unsealed), false for a key we do
 * not hold; getTSIGKeys; setTSIGKey and deleteTSIGKey refused with a message and no change;
 * TSIG-ALLOW-AXFR in the zone's metadata (both metadata methods), changes seen by the next
 * request; a secret that does not open (moved box, no seal key) is an error, never served. */
#include "test_backend_fixture.h"

#include "keystore/tsig.h"
#include "keystore/zone.h"

typedef struct tfx {
    fx *f;
    char bind[SD_TSIG_SECRET_B64_MAX]; /* secret of xfr-bind. (hmac-sha256) */
    char knot[SD_TSIG_SECRET_B64_MAX]; /* secret of xfr-knot. (hmac-sha512) */
    char old[SD_TSIG_SECRET_B64_MAX];  /* secret of old.md5. (hmac-md5) */
} tfx;

static int tfx_setup(void **state)
{
    fx_setup(state);
    tfx *t = calloc(1, sizeof *t);
    sd_err e;
    assert_non_null(t);
    t->f = *state;
    assert_int_equal(sd_tsig_create(t->f->writer, &t->f->keys, "xfr-bind", NULL, "t", 0, t->bind,
                                    sizeof t->bind, NULL, &e),
                     0);
    assert_int_equal(sd_tsig_create(t->f->writer, &t->f->keys, "XFR-Knot", "hmac-sha512", "t", 0,
                                    t->knot, sizeof t->knot, NULL, &e),
                     0);
    assert_int_equal(sd_tsig_create(t->f->writer, &t->f->keys, "old.md5", "hmac-md5", "t", 0,
                                    t->old, sizeof t->old, NULL, &e),
                     0);
    *state = t;
    return 0;
}

static int tfx_teardown(void **state)
{
    tfx *t = *state;
    void *f = t->f;
    free(t);
    return fx_teardown(&f);
}

static const char *jstr(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_string(v))
        fail_msg("member %s is not a string", k);
    return json_string_value(v);
}

/* Sets the keys that may transfer zone (by the writer, as scaidnsctl would). */
static void allow(tfx *t, const char *zone, const char *const *names, size_t n)
{
    sd_zone z;
    sd_err e;
    assert_int_equal(sd_zone_find(t->f->writer, zone, &z, &e), 0);
    assert_int_equal(sd_tsig_allow_axfr_set(t->f->writer, z.id, z.name, names, n, "t", 0, &e), 0);
}

static void test_get_key(void **state)
{
    tfx *t = *state;
    json_t *j =
        fx_call(t->f, "{\"method\":\"getTSIGKey\",\"parameters\":{\"name\":\"xfr-bind.\"}}");
    json_t *r = fx_result(j);
    assert_true(json_is_object(r));
    assert_string_equal(jstr(r, "algorithm"), "hmac-sha256.");
    assert_string_equal(jstr(r, "content"), t->bind);
    json_decref(j);

    /* PowerDNS may send the name as the secondary wrote it. */
    j = fx_call(t->f, "{\"method\":\"getTSIGKey\",\"parameters\":{\"name\":\"XFR-KNOT.\"}}");
    assert_string_equal(jstr(fx_result(j), "algorithm"), "hmac-sha512.");
    assert_string_equal(jstr(fx_result(j), "content"), t->knot);
    json_decref(j);
    j = fx_call(t->f, "{\"method\":\"getTSIGKey\",\"parameters\":{\"name\":\"old.md5.\"}}");
    assert_string_equal(jstr(fx_result(j), "algorithm"), "hmac-md5.sig-alg.reg.int.");
    assert_string_equal(jstr(fx_result(j), "content"), t->old);
    json_decref(j);

    /* Not ours: a plain false, no log, so PowerDNS asks its other backends. */
    const char *nots[] = {
        "{\"method\":\"getTSIGKey\",\"parameters\":{\"name\":\"nope.\"}}",
        "{\"method\":\"getTSIGKey\",\"parameters\":{\"name\":\"bad name.\"}}",
        "{\"method\":\"getTSIGKey\",\"parameters\":{\"name\":\".\"}}",
    };
    for (size_t i = 0; i < sizeof nots / sizeof nots[0]; i++) {
        j = fx_call(t->f, nots[i]);
        assert_true(json_is_false(fx_result(j)));
        assert_null(json_object_get(j, "log"));
        json_decref(j);
    }
    j = fx_call(t->f, "{\"method\":\"getTSIGKey\",\"parameters\":{}}");
    fx_assert_error(j, "name");
    json_decref(j);
    j = fx_call(t->f, "{\"method\":\"getTSIGKey\",\"parameters\":{\"name\":7}}");
    fx_assert_error(j, "name");
    json_decref(j);
}

static void test_get_keys(void **state)
{
    tfx *t = *state;
    json_t *j = fx_call(t->f, "{\"method\":\"getTSIGKeys\",\"parameters\":{}}");
    json_t *r = fx_result(j);
    assert_true(json_is_array(r));
    assert_int_equal(json_array_size(r), 3);
    const char *names[] = {"old.md5.", "xfr-bind.", "xfr-knot."};
    const char *secrets[] = {t->old, t->bind, t->knot};
    for (size_t i = 0; i < 3; i++) {
        json_t *k = json_array_get(r, i);
        assert_string_equal(jstr(k, "name"), names[i]);
        assert_string_equal(jstr(k, "content"), secrets[i]);
    }
    json_decref(j);
    /* PowerDNS sends no parameters member at all for some calls. */
    j = fx_call(t->f, "{\"method\":\"getTSIGKeys\"}");
    assert_int_equal(json_array_size(fx_result(j)), 3);
    json_decref(j);
}

static void test_set_delete_refused(void **state)
{
    tfx *t = *state;
    json_t *j = fx_call(t->f, "{\"method\":\"setTSIGKey\",\"parameters\":{\"name\":\"new.\","
                              "\"algorithm\":\"hmac-sha256.\",\"content\":\"AAAA\"}}");
    fx_assert_error(j, "managed by scaidns");
    json_decref(j);
    j = fx_call(t->f, "{\"method\":\"deleteTSIGKey\",\"parameters\":{\"name\":\"xfr-bind.\"}}");
    fx_assert_error(j, "managed by scaidns");
    json_decref(j);
    j = fx_call(t->f, "{\"method\":\"getTSIGKeys\",\"parameters\":{}}");
    assert_int_equal(json_array_size(fx_result(j)), 3);
    json_decref(j);
    j = fx_call(t->f, "{\"method\":\"getTSIGKey\",\"parameters\":{\"name\":\"new.\"}}");
    assert_true(json_is_false(fx_result(j)));
    json_decref(j);
}

static void test_allow_axfr_metadata(void **state)
{
    tfx *t = *state;
    const char *all = "{\"method\":\"getAllDomainMetadata\",\"parameters\":{\"name\":"
                      "\"example.com.\"}}";
    const char *one = "{\"method\":\"getDomainMetadata\",\"parameters\":{\"name\":"
                      "\"example.com.\",\"kind\":\"TSIG-ALLOW-AXFR\"}}";
    /* None yet: no TSIG-ALLOW-AXFR member, and an empty list for the kind. */
    json_t *j = fx_call(t->f, all);
    assert_null(json_object_get(fx_result(j), "TSIG-ALLOW-AXFR"));
    assert_non_null(json_object_get(fx_result(j), "PRESIGNED"));
    json_decref(j);
    j = fx_call(t->f, one);
    assert_int_equal(json_array_size(fx_result(j)), 0);
    json_decref(j);

    /* Set by another connection: the next request sees it (the zone's cached metadata is
     * dropped with the keystore change), in name order. */
    const char *keys[] = {"xfr-knot", "xfr-bind"};
    allow(t, "example.com.", keys, 2);
    j = fx_call(t->f, all);
    json_t *v = json_object_get(fx_result(j), "TSIG-ALLOW-AXFR");
    assert_int_equal(json_array_size(v), 2);
    assert_string_equal(json_string_value(json_array_get(v, 0)), "xfr-bind.");
    assert_string_equal(json_string_value(json_array_get(v, 1)), "xfr-knot.");
    assert_non_null(json_object_get(fx_result(j), "SOA-EDIT"));
    json_decref(j);
    j = fx_call(t->f, one);
    assert_int_equal(json_array_size(fx_result(j)), 2);
    json_decref(j);
    /* Only that zone. */
    j = fx_call(t->f, "{\"method\":\"getAllDomainMetadata\",\"parameters\":{\"name\":\"example."
                      "\"}}");
    assert_null(json_object_get(fx_result(j), "TSIG-ALLOW-AXFR"));
    json_decref(j);
    /* Keys-only zones get it too: PowerDNS takes metadata from us whoever holds the records. */
    allow(t, "keys.test.", keys + 1, 1);
    j = fx_call(t->f, "{\"method\":\"getDomainMetadata\",\"parameters\":{\"name\":\"keys.test.\","
                      "\"kind\":\"TSIG-ALLOW-AXFR\"}}");
    assert_int_equal(json_array_size(fx_result(j)), 1);
    json_decref(j);

    allow(t, "example.com.", NULL, 0);
    j = fx_call(t->f, all);
    assert_null(json_object_get(fx_result(j), "TSIG-ALLOW-AXFR"));
    json_decref(j);
}

static void test_secret_that_does_not_open(void **state)
{
    tfx *t = *state;
    /* xfr-bind's row now holds xfr-knot's box: refused, neither secret served. */
    fx_exec(t->f->writer, "UPDATE tsig_keys SET sealed_secret = (SELECT sealed_secret FROM "
                          "tsig_keys WHERE name = 'xfr-knot.') WHERE name = 'xfr-bind.'");
    json_t *j =
        fx_call(t->f, "{\"method\":\"getTSIGKey\",\"parameters\":{\"name\":\"xfr-bind.\"}}");
    fx_assert_error(j, "getTSIGKey");
    char *text = json_dumps(j, 0);
    assert_null(strstr(text, t->knot));
    assert_null(strstr(text, t->bind));
    free(text);
    json_decref(j);
    j = fx_call(t->f, "{\"method\":\"getTSIGKeys\",\"parameters\":{}}");
    fx_assert_error(j, "getTSIGKeys");
    json_decref(j);

    /* A store without the seal key's secret half cannot serve any key. */
    sqlite3 *db;
    sd_err e;
    sb_store *bare;
    assert_int_equal(sd_db_open(t->f->db_path, SD_DB_READONLY, &db, &e), 0);
    assert_int_equal(sb_store_wrap(&t->f->cfg, db, NULL, &bare, &e), 0);
    size_t n;
    const char *line = "{\"method\":\"getTSIGKey\",\"parameters\":{\"name\":\"xfr-knot.\"}}";
    char *raw = sb_dispatch(bare, line, strlen(line), &n);
    assert_non_null(raw);
    char *reply = strndup(raw, n); /* the reply line is not NUL terminated */
    free(raw);
    assert_non_null(reply);
    assert_non_null(strstr(reply, "no seal key"));
    assert_null(strstr(reply, t->knot));
    free(reply);
    sb_store_close(bare);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_get_key, tfx_setup, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_get_keys, tfx_setup, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_set_delete_refused, tfx_setup, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_allow_axfr_metadata, tfx_setup, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_secret_that_does_not_open, tfx_setup, tfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
