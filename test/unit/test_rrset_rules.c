/* test_rrset_rules.c - keystore/rrset_rules.c through the calls that store data: the RRset
 * API's sd_rrset_put / sd_rrset_delete and the importer sd_zone_import refuse what DNS cannot
 * serve correctly (CNAME beside other data or at the apex, several CNAMEs, DS at the apex, DNAME,
 * the apex NS or SOA removed, records made from the keys) with a 400 naming the RFC rule, and
 * leave the keystore exactly as it was (audit trail included). */
#include "th.h"

#include <unistd.h>

/* Asserts that putting (name, type) with n records on z is refused with 400 naming rule and
 * that nothing in the keystore changed. */
static void put_refused(th_env *t, const sd_zone *z, const char *name, const char *type,
                        const char *const *recs, size_t n, const char *rule)
{
    sd_err e;
    char *before = th_snapshot(t->db, 1);
    int rc = sd_rrset_put(t->db, z, name, type, 300, recs, n, 0, &e);
    char *after = th_snapshot(t->db, 1);
    if (rc != -SD_EBADINPUT || !strstr(e.msg, rule))
        fail_msg("PUT %s %s: got %d (%s), want 400 naming \"%s\"", name, type, rc, e.msg, rule);
    if (strcmp(before, after) != 0)
        fail_msg("the refused PUT %s %s changed the keystore", name, type);
    free(before);
    free(after);
}

/* The same for deleting (name, type). */
static void delete_refused(th_env *t, const sd_zone *z, const char *name, const char *type,
                           const char *rule)
{
    sd_err e;
    char *before = th_snapshot(t->db, 1);
    int rc = sd_rrset_delete(t->db, z, name, type, &e);
    char *after = th_snapshot(t->db, 1);
    if (rc != -SD_EBADINPUT || !strstr(e.msg, rule))
        fail_msg("DELETE %s %s: got %d (%s), want 400 naming \"%s\"", name, type, rc, e.msg, rule);
    if (strcmp(before, after) != 0)
        fail_msg("the refused DELETE %s %s changed the keystore", name, type);
    free(before);
    free(after);
}

static void test_cname(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    th_zone(t, "example.com", &z);
    const char *a[] = {"192.0.2.1"}, *c[] = {"target.example.net."},
               *c2[] = {"a.example.net.", "b.example.net."};
    th_assert_ok(sd_rrset_put(t->db, &z, "www", "A", 300, a, 1, 0, &e), e);
    put_refused(t, &z, "www", "CNAME", c, 1, "RFC 1034 section 3.6.2");
    th_assert_ok(sd_rrset_put(t->db, &z, "alias", "CNAME", 300, c, 1, 0, &e), e);
    put_refused(t, &z, "alias", "A", a, 1, "RFC 1034 section 3.6.2");
    put_refused(t, &z, "alias", "TXT", (const char *[]){"\"x\""}, 1, "RFC 1034 section 3.6.2");
    /* Replacing the CNAME itself is fine; two in one RRset are not. */
    const char *c3[] = {"other.example.net."};
    th_assert_ok(sd_rrset_put(t->db, &z, "alias", "CNAME", 60, c3, 1, 0, &e), e);
    put_refused(t, &z, "alias", "CNAME", c2, 2, "RFC 2181 section 10.1");
    put_refused(t, &z, "@", "CNAME", c, 1, "apex");
    put_refused(t, &z, "example.com.", "CNAME", c, 1, "RFC 1034 section 3.6.2");
    /* Once the CNAME is gone the name takes other data. */
    th_assert_ok(sd_rrset_delete(t->db, &z, "alias", "CNAME", &e), e);
    th_assert_ok(sd_rrset_put(t->db, &z, "alias", "A", 300, a, 1, 0, &e), e);
}

static void test_ds_dname_apex(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    th_zone(t, "example.com", &z);
    const char *ds[] = {"12345 13 2 "
                        "A1B2C3D4A1B2C3D4A1B2C3D4A1B2C3D4A1B2C3D4A1B2C3D4A1B2C3D4A1B2C3D4"};
    put_refused(t, &z, "@", "DS", ds, 1, "RFC 4034 section 5");
    /* At a delegation, a DS is what the parent must hold. */
    const char *ns[] = {"ns1.child.example.com."};
    th_assert_ok(sd_rrset_put(t->db, &z, "child", "NS", 300, ns, 1, 0, &e), e);
    th_assert_ok(sd_rrset_put(t->db, &z, "child", "DS", 300, ds, 1, 0, &e), e);
    const char *dn[] = {"example.net."};
    put_refused(t, &z, "old", "DNAME", dn, 1, "RFC 6672");
    put_refused(t, &z, "@", "DNAME", dn, 1, "dname-processing");
    /* The apex keeps its NS and SOA. */
    delete_refused(t, &z, "@", "NS", "RFC 1034 section 4.2.1");
    put_refused(t, &z, "@", "NS", NULL, 0, "RFC 1034 section 4.2.1");
    delete_refused(t, &z, "@", "SOA", "SOA");
    put_refused(t, &z, "@", "SOA", NULL, 0, "SOA");
    /* Replacing the apex NS set is fine; an NS elsewhere may go. */
    const char *ns2[] = {"ns3.example.net."};
    th_assert_ok(sd_rrset_put(t->db, &z, "@", "NS", 300, ns2, 1, 0, &e), e);
    th_assert_ok(sd_rrset_delete(t->db, &z, "child", "NS", &e), e);
}

static void test_made_from_keys(void **state)
{
    th_env *t = *state;
    sd_zone z;
    th_zone(t, "example.com", &z);
    static const struct {
        const char *type, *data;
    } made[] = {
        {"DNSKEY", "257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLU"
                   "T0rAK9iUzy1L53eKGQ=="},
        {"RRSIG",
         "A 13 3 300 20260501000000 20260401000000 12345 example.com. "
         "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
         "AAAAAAAA"},
        {"NSEC", "www.example.com. A RRSIG NSEC"},
        {"NSEC3", "1 0 0 - 2T7B4G4VSA5SMI47K61MV5BV1A22BOJR A RRSIG"},
        {"NSEC3PARAM", "1 0 0 -"},
        {"CDS", "0 0 0 00"},
        {"CDNSKEY", "0 3 0 AA=="},
    };
    for (size_t i = 0; i < sizeof made / sizeof made[0]; i++) {
        const char *r[] = {made[i].data};
        put_refused(t, &z, "@", made[i].type, r, 1, "not stored by hand (RFC 4034");
        put_refused(t, &z, "www", made[i].type, r, 1, "made by scaidns and PowerDNS");
        delete_refused(t, &z, "@", made[i].type, "RFC 4034");
    }
}

/* Imports text as zone name: asserts 400 naming rule and that no zone (nor anything else) was
 * stored. */
static void import_refused(th_env *t, const char *text, const char *rule)
{
    char path[64];
    sd_zone z;
    sd_err e;
    th_write_file(path, text);
    char *before = th_snapshot(t->db, 1);
    int rc = sd_zone_import(t->db, "example.org", path, "test", TH_NOW, &z, &e);
    char *after = th_snapshot(t->db, 1);
    unlink(path);
    if (rc != -SD_EBADINPUT || !strstr(e.msg, rule))
        fail_msg("import: got %d (%s), want 400 naming \"%s\" for:\n%s", rc, e.msg, rule, text);
    if (strcmp(before, after) != 0)
        fail_msg("a refused import changed the keystore");
    free(before);
    free(after);
}

#define HEAD "$TTL 300\n@ SOA ns1.example.net. hostmaster.example.net. 1 3600 600 86400 300\n"
#define APEX_NS "@ NS ns1.example.net.\n"

static void test_import(void **state)
{
    th_env *t = *state;
    import_refused(t, HEAD APEX_NS "www A 192.0.2.1\nwww CNAME x.example.net.\n",
                   "RFC 1034 section 3.6.2");
    import_refused(t, HEAD APEX_NS "@ CNAME x.example.net.\n", "RFC 1034 section 3.6.2");
    import_refused(t, HEAD APEX_NS "a CNAME x.example.net.\na CNAME y.example.net.\n",
                   "RFC 2181 section 10.1");
    import_refused(t,
                   HEAD APEX_NS
                   "@ DS 12345 13 2 "
                   "A1B2C3D4A1B2C3D4A1B2C3D4A1B2C3D4A1B2C3D4A1B2C3D4A1B2C3D4A1B2C3D4\n",
                   "RFC 4034 section 5");
    import_refused(t, HEAD APEX_NS "old DNAME example.net.\n", "RFC 6672");
    import_refused(t, HEAD "www A 192.0.2.1\n", "RFC 1034 section 4.2.1");
    /* A signed zone file: its signatures, NSEC and keys are skipped (made again from our keys);
     * a delegation with its DS is kept. */
    char path[64];
    sd_zone z;
    sd_err e;
    th_write_file(path, HEAD APEX_NS "www A 192.0.2.1\n"
                                     "www RRSIG A 13 3 300 20260501000000 20260401000000 12345 "
                                     "example.org. AAAA\n"
                                     "www NSEC example.org. A RRSIG NSEC\n"
                                     "child NS ns1.example.net.\n"
                                     "child DS 12345 13 2 "
                                     "A1B2C3D4A1B2C3D4A1B2C3D4A1B2C3D4A1B2C3D4A1B2C3D4A1B2C3D4"
                                     "A1B2C3D4\n");
    int rc = sd_zone_import(t->db, "example.org", path, "test", TH_NOW, &z, &e);
    unlink(path);
    th_assert_ok(rc, e);
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM rrsets WHERE zone_id = %lld", z.id), 5);
}

#define T(f) cmocka_unit_test_setup_teardown(f, th_setup, th_teardown)
int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_cname),
        T(test_ds_dname_apex),
        T(test_made_from_keys),
        T(test_import),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
