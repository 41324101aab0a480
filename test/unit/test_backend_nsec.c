/* test_backend_nsec.c - backend/dname.c and getBeforeAndAfterNamesAbsolute: canonical order,
 * RFC 5155 hash vectors, the NSEC chain (ENTs and glue left out, wrap-around) and the NSEC3
 * opt-out chain of RFC 5155 appendix A. */
#include "test_backend_fixture.h"

#include "backend/dname.h"

static void test_canonical_order(void **state)
{
    (void)state;
    /* RFC 4034 section 6.1's example, lower-cased. */
    const char *names[] = {"example.",     "a.example.",      "yljkjljk.a.example.",
                           "z.a.example.", "zabc.a.example.", "z.example.",
                           "*.z.example.", "\\200.z.example."};
    for (size_t i = 0; i + 1 < sizeof names / sizeof names[0] - 1; i++)
        assert_true(sb_dname_cmp(names[i], names[i + 1]) < 0);
    assert_int_equal(sb_dname_cmp("a.example.", "a.example."), 0);
    assert_true(sb_dname_cmp(".", "example.") < 0);
    char out[SD_NAME_MAX];
    assert_int_equal(sb_dname_lower("WWW.Example.COM", out, sizeof out), 0);
    assert_string_equal(out, "www.example.com.");
    assert_int_equal(sb_dname_lower("", out, sizeof out), 0);
    assert_string_equal(out, ".");
    assert_int_equal(sb_dname_lower("a..b", out, sizeof out), -1);
    assert_int_equal(sb_dname_lower("a b.", out, sizeof out), -1);
    char longlabel[80];
    memset(longlabel, 'a', 64);
    strcpy(longlabel + 64, ".com.");
    assert_int_equal(sb_dname_lower(longlabel, out, sizeof out), -1);
    assert_true(sb_dname_in("a.b.example.", "example."));
    assert_false(sb_dname_in("aexample.", "example."));
    assert_true(sb_dname_in("x.", "."));
    assert_string_equal(sb_dname_parent("a.b."), "b.");
    assert_string_equal(sb_dname_parent("b."), ".");
    assert_null(sb_dname_parent("."));
    /* Escaped names (issue 18), as PowerDNS writes them: an escaped dot is inside a label. */
    assert_int_equal(sb_dname_lower("A\\.B\\000C.Example", out, sizeof out), 0);
    assert_string_equal(out, "a\\.b\\000c.example.");
    assert_int_equal(sb_dname_lower("x\\065\\046y.example.", out, sizeof out), 0);
    assert_string_equal(out, "xa\\.y.example.");
    assert_int_equal(sb_dname_lower("x\\256.example.", out, sizeof out), -1);
    assert_string_equal(sb_dname_parent("a\\.b.example."), "example.");
    assert_string_equal(sb_dname_parent("a\\\\.b.example."), "b.example.");
    assert_false(sb_dname_in("a\\.example.", "example."));
    assert_true(sb_dname_in("a\\.b.example.", "example."));
    /* Canonical order compares octets: "a" < "a\000" < "a.b" (one label) < "a\255" < "b". */
    const char *esc[] = {"a.example.",      "a\\000.example.", "a\\.b.example.",
                         "a\\255.example.", "b.example.",      "a.b.example."};
    for (size_t i = 0; i + 2 < sizeof esc / sizeof esc[0]; i++)
        assert_true(sb_dname_cmp(esc[i], esc[i + 1]) < 0);
    assert_true(sb_dname_cmp("a\\.b.example.", "a.b.example.") < 0); /* "a.b" < "b" */
    assert_int_equal(sb_dname_cmp("A\\065.example.", "aa.example."), 0);
    /* The NSEC3 hash of an escaped name is the hash of its octets. */
    char h1[SB_NSEC3_HASH_LEN + 1], h2[SB_NSEC3_HASH_LEN + 1];
    assert_int_equal(sb_nsec3_hash("\\097\\.b.example.", "-", 0, h1, sizeof h1), 0);
    assert_int_equal(sb_nsec3_hash("a\\.b.example.", "", 0, h2, sizeof h2), 0);
    assert_string_equal(h1, h2);
    assert_int_equal(sb_nsec3_hash("a.b.example.", "", 0, h2, sizeof h2), 0);
    assert_string_not_equal(h1, h2);
}

static void test_nsec3_vectors(void **state)
{
    (void)state;
    struct {
        const char *name, *hash;
    } v[] = {
        {"example.", "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom"},
        {"a.example.", "35mthgpgcu1qg68fab165klnsnk3dpvl"},
        {"ai.example.", "gjeqe526plbf1g8mklp59enfd789njgi"},
        {"ns1.example.", "2t7b4g4vsa5smi47k61mv5bv1a22bojr"},
        {"ns2.example.", "q04jkcevqvmu85r014c7dkba38o0ji5r"},
        {"w.example.", "k8udemvp1j2f7eg6jebps17vp3n8i58h"},
        {"*.w.example.", "r53bq7cc2uvmubfu5ocmm6pers9tk9en"},
        {"x.w.example.", "b4um86eghhds6nea196smvmlo4ors995"},
        {"y.w.example.", "ji6neoaepv8b5o6k4ev33abha8ht9fgc"},
        {"x.y.w.example.", "2vptu5timamqttgl4luu9kg21e0aor3s"},
        {"xx.example.", "t644ebqk9bibcna874givr6joj62mlhv"},
        {"2t7b4g4vsa5smi47k61mv5bv1a22bojr.example.", "kohar7mbb8dc2ce8a9qvl8hon4k53uhi"},
    };
    char h[SB_NSEC3_HASH_LEN + 1];
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        assert_int_equal(sb_nsec3_hash(v[i].name, "AABBCCDD", 12, h, sizeof h), 0);
        assert_string_equal(h, v[i].hash);
    }
    assert_int_equal(sb_nsec3_hash("example.", "abc", 1, h, sizeof h), -1);
    assert_int_equal(sb_nsec3_hash("example.", "zz", 1, h, sizeof h), -1);
    assert_int_equal(sb_nsec3_hash("example.", "-", 0, h, sizeof h), 0);
    char h2[SB_NSEC3_HASH_LEN + 1];
    assert_int_equal(sb_nsec3_hash("EXAMPLE.", "", 0, h2, sizeof h2), 0);
    assert_string_equal(h, h2);
}

/* Asks for the neighbours of qname in zone id and checks them. */
static void around(fx *f, int id, const char *qname, const char *before, const char *after,
                   const char *unhashed)
{
    char line[512];
    snprintf(line, sizeof line,
             "{\"method\":\"getBeforeAndAfterNamesAbsolute\",\"parameters\":{\"id\":%d,"
             "\"qname\":\"%s\"}}",
             id, qname);
    json_t *j = fx_call(f, line);
    json_t *r = fx_result(j);
    if (!json_is_object(r))
        fail_msg("%s: no result object", qname);
    assert_string_equal(json_string_value(json_object_get(r, "before")), before);
    assert_string_equal(json_string_value(json_object_get(r, "after")), after);
    assert_string_equal(json_string_value(json_object_get(r, "unhashed")), unhashed);
    json_decref(j);
}

static void test_nsec_chain(void **state)
{
    fx *f = *state;
    /* Chain: example.com, a.b, mail, sub, *.wild, www (b and wild are ENTs, ns.sub is glue). */
    around(f, 1, ".", "", "a.b", "example.com.");
    around(f, 1, "a.b.", "a.b", "mail", "a.b.example.com.");
    around(f, 1, "b.", "", "a.b", "example.com.");
    around(f, 1, "c.", "a.b", "mail", "a.b.example.com.");
    around(f, 1, "ns.sub.", "sub", "*.wild", "sub.example.com.");
    around(f, 1, "x.wild.", "*.wild", "www", "*.wild.example.com.");
    around(f, 1, "www.", "www", "", "www.example.com.");
    around(f, 1, "zzz.", "www", "", "www.example.com.");
}

static void test_nsec3_optout_chain(void **state)
{
    fx *f = *state;
    /* RFC 5155's chain, in hash order; c.example (no DS) is opted out. */
    around(f, 2, "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.", "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom",
           "2t7b4g4vsa5smi47k61mv5bv1a22bojr", "example.");
    around(f, 2, "35MTHGPGCU1QG68FAB165KLNSNK3DPVL", "35mthgpgcu1qg68fab165klnsnk3dpvl",
           "b4um86eghhds6nea196smvmlo4ors995", "a.example.");
    /* y.w.example. is an empty non-terminal, and in the chain. */
    around(f, 2, "ji6neoaepv8b5o6k4ev33abha8ht9fgc.", "ji6neoaepv8b5o6k4ev33abha8ht9fgc",
           "k8udemvp1j2f7eg6jebps17vp3n8i58h", "y.w.example.");
    /* Covering, and wrap-around at both ends. */
    around(f, 2, "36000000000000000000000000000000.", "35mthgpgcu1qg68fab165klnsnk3dpvl",
           "b4um86eghhds6nea196smvmlo4ors995", "a.example.");
    around(f, 2, "00000000000000000000000000000000.", "t644ebqk9bibcna874givr6joj62mlhv",
           "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom", "xx.example.");
    around(f, 2, "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv.", "t644ebqk9bibcna874givr6joj62mlhv",
           "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom", "xx.example.");
    char h[SB_NSEC3_HASH_LEN + 1], q[64];
    assert_int_equal(sb_nsec3_hash("c.example.", "aabbccdd", 12, h, sizeof h), 0);
    snprintf(q, sizeof q, "%s.", h);
    json_t *j = fx_call(f, "{\"method\":\"getBeforeAndAfterNamesAbsolute\",\"parameters\":"
                           "{\"id\":2,\"qname\":\"0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.\"}}");
    json_decref(j);
    char line[256];
    snprintf(line, sizeof line,
             "{\"method\":\"getBeforeAndAfterNamesAbsolute\",\"parameters\":{\"id\":2,"
             "\"qname\":\"%s\"}}",
             q);
    j = fx_call(f, line);
    assert_string_not_equal(json_string_value(json_object_get(fx_result(j), "before")), h);
    json_decref(j);
}

static void test_nsec3_full_chain(void **state)
{
    /* Without opt-out every delegation is in the chain, and so are the ENTs above them. */
    const char *names[] = {"example.", "example.", "c.example.", "ns1.c.example.", "d.e.example."};
    const char *types[] = {"SOA", "NS", "NS", "A", "NS"};
    sb_zindex *x = sb_zindex_build("example.", names, types, 5, 1, "", 0, 0);
    assert_non_null(x);
    assert_int_equal(x->n_nsec3, 4); /* example, c, e (ENT), d.e */
    assert_int_equal(x->n, 5);
    const sb_name *glue = sb_zindex_find(x, "ns1.c.example.");
    assert_non_null(glue);
    assert_true(glue->flags & SB_N_OCCLUDED);
    assert_false(glue->flags & SB_N_NSEC3);
    sb_zindex_free(x);
    sb_zindex *y = sb_zindex_build("example.", names, types, 5, 1, "", 0, 1);
    assert_int_equal(y->n_nsec3, 1); /* opt-out: only the apex */
    sb_zindex_free(y);
    (void)state;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canonical_order),
        cmocka_unit_test(test_nsec3_vectors),
        cmocka_unit_test_setup_teardown(test_nsec_chain, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_nsec3_optout_chain, fx_setup, fx_teardown),
        cmocka_unit_test(test_nsec3_full_chain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
