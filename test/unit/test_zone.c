/* test_zone.c - keystore/zone.c, rrset.c and zimport.c: zones created, found by id or name and
 * deleted; RRsets put, replaced and deleted with the SOA serial bumped; managed types and bad
 * content refused; zone files imported whole, or refused with nothing written. */
#include "th.h"

#include "keystore/audit.h"

/* The records of RRset (owner, type) of zone, sorted, joined by "|" ("" if absent). */
static char *records(sqlite3 *db, const sd_zone *z, const char *owner, const char *type)
{
    return th_text(db,
                   "SELECT group_concat(content, '|') FROM (SELECT r.content FROM records r "
                   "JOIN rrsets s ON s.id = r.rrset_id WHERE s.zone_id = %lld AND s.name = %Q "
                   "AND s.type = %Q ORDER BY r.content)",
                   (long long)z->id, owner, type);
}

/* Asserts the records of (owner, type) are want. */
static void assert_records(sqlite3 *db, const sd_zone *z, const char *owner, const char *type,
                           const char *want)
{
    char *got = records(db, z, owner, type);
    if (strcmp(got, want) != 0)
        fail_msg("%s %s holds \"%s\", want \"%s\"", owner, type, got, want);
    free(got);
}

static void test_zone_create_find(void **state)
{
    th_env *t = *state;
    sd_zone z, f;
    sd_err e;
    th_zone(t, "Example.COM", &z);
    assert_string_equal(z.name, "example.com.");
    assert_int_equal(strlen(z.public_id), 18);
    assert_memory_equal(z.public_id, "d_", 2);
    for (size_t i = 2; i < 18; i++)
        assert_non_null(strchr("0123456789abcdef", z.public_id[i]));
    assert_true(z.id > 0);
    assert_int_equal(z.created_at, TH_NOW);

    /* SOA and NS from the init. */
    char *soa = records(t->db, &z, "example.com.", "SOA");
    unsigned long serial;
    char tail[64];
    assert_int_equal(
        sscanf(soa, "ns1.example.net. hostmaster.example.net. %lu %63[0-9 ]", &serial, tail), 2);
    assert_string_equal(tail, "10800 3600 604800 3600");
    free(soa);
    assert_records(t->db, &z, "example.com.", "NS", "ns1.example.net.|ns2.example.net.");

    static const char *const ways[] = {"example.com", "example.com.", "EXAMPLE.com",
                                       "eXample.Com."};
    for (size_t i = 0; i < 4; i++) {
        memset(&f, 0, sizeof f);
        th_assert_ok(sd_zone_find(t->db, ways[i], &f, &e), e);
        assert_int_equal(f.id, z.id);
        assert_string_equal(f.public_id, z.public_id);
    }
    memset(&f, 0, sizeof f);
    th_assert_ok(sd_zone_find(t->db, z.public_id, &f, &e), e);
    assert_string_equal(f.name, "example.com.");

    th_assert_fail(sd_zone_find(t->db, "example.org", &f, &e), e, SD_ENOTFOUND, "not found");
    th_assert_fail(sd_zone_find(t->db, "d_0000000000000000", &f, &e), e, SD_ENOTFOUND, "not found");
    th_assert_fail(sd_zone_find(t->db, "", &f, &e), e, SD_ENOTFOUND, "not found");
    th_assert_fail(sd_zone_find(t->db, "bad name!", &f, &e), e, SD_ENOTFOUND, "not found");

    /* The change is in the audit trail. */
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM audit WHERE zone = 'example.com.' AND "
                                   "action = 'zone-create' AND actor = 'test' AND outcome = 'ok'"),
                     1);
}

static void test_zone_create_refused(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    th_zone(t, "example.com", &z);
    char *before = th_snapshot(t->db, 1);
    sd_zone_init init = {0};
    init.ns = "ns1.example.net.";
    init.with_records = 1;
    th_assert_fail(sd_zone_create(t->db, "EXAMPLE.com.", &init, "test", TH_NOW, &z, &e), e,
                   SD_ECONFLICT, "exists");
    th_assert_fail(sd_zone_create(t->db, "bad..name", &init, "test", TH_NOW, &z, &e), e,
                   SD_EBADINPUT, "empty label");
    th_assert_fail(sd_zone_create(t->db, ".", &init, "test", TH_NOW, &z, &e), e, SD_EBADINPUT,
                   "cannot be a zone name");
    th_assert_fail(sd_zone_create(t->db, "*.example.org", &init, "test", TH_NOW, &z, &e), e,
                   SD_EBADINPUT, "cannot be a zone name");
    init.ns = "";
    th_assert_fail(sd_zone_create(t->db, "example.org", &init, "test", TH_NOW, &z, &e), e,
                   SD_EBADINPUT, "NS");
    init.ns = "ns1.bad\tname.";
    th_assert_fail(sd_zone_create(t->db, "example.org", &init, "test", TH_NOW, &z, &e), e,
                   SD_EBADINPUT, "not allowed");
    char *after = th_snapshot(t->db, 1);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

static int collect(const sd_zone *z, void *arg)
{
    char *buf = arg;
    strcat(buf, z->name);
    strcat(buf, " ");
    return 0;
}

static int stop_first(const sd_zone *z, void *arg)
{
    (void)z;
    (*(int *)arg)++;
    return 1;
}

static void test_zone_list_delete(void **state)
{
    th_env *t = *state;
    sd_zone a, b, c, f;
    sd_err e;
    th_zone(t, "b.example", &b);
    th_zone(t, "a.example", &a);
    th_zone(t, "c.example", &c);
    char buf[256] = "";
    th_assert_ok(sd_zone_foreach(t->db, collect, buf, &e), e);
    assert_string_equal(buf, "a.example. b.example. c.example. ");
    int calls = 0;
    th_assert_ok(sd_zone_foreach(t->db, stop_first, &calls, &e), e);
    assert_int_equal(calls, 1);

    /* b gets keys, so that deleting it must take those too. */
    th_assert_ok(sd_dnssec_enable(&t->ctx, &b, 13, &e), e);
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM keys WHERE zone_id = %lld", b.id), 2);

    th_assert_ok(sd_zone_delete(t->db, b.public_id, "test", TH_NOW, &e), e);
    th_assert_fail(sd_zone_find(t->db, "b.example", &f, &e), e, SD_ENOTFOUND, "not found");
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM keys WHERE zone_id = %lld", b.id), 0);
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM rrsets WHERE zone_id = %lld", b.id), 0);
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM records WHERE rrset_id NOT IN "
                                   "(SELECT id FROM rrsets)"),
                     0);
    /* By name, any case. */
    th_assert_ok(sd_zone_delete(t->db, "C.Example", "test", TH_NOW, &e), e);
    buf[0] = '\0';
    th_assert_ok(sd_zone_foreach(t->db, collect, buf, &e), e);
    assert_string_equal(buf, "a.example. ");
    th_assert_fail(sd_zone_delete(t->db, "c.example", "test", TH_NOW, &e), e, SD_ENOTFOUND,
                   "not found");
    th_assert_fail(sd_zone_delete(t->db, b.public_id, "test", TH_NOW, &e), e, SD_ENOTFOUND,
                   "not found");
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM audit WHERE action = 'zone-delete'"), 2);
    int64_t rows;
    th_assert_ok(sd_audit_verify(t->db, &rows, &e), e);
}

static void test_rrset_put_replace_delete(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    th_zone(t, "example.com", &z);
    int64_t s0 = th_serial(t->db, z.id);
    assert_true(s0 >= 1);

    const char *two[] = {"192.0.2.2", "192.0.2.1"};
    th_assert_ok(sd_rrset_put(t->db, &z, "www", "a", 300, two, 2, 0, &e), e);
    assert_records(t->db, &z, "www.example.com.", "A", "192.0.2.1|192.0.2.2");
    assert_int_equal(th_int(t->db,
                            "SELECT ttl FROM rrsets WHERE zone_id = %lld AND "
                            "name = 'www.example.com.' AND type = 'A'",
                            z.id),
                     300);
    assert_int_equal(th_serial(t->db, z.id), s0 + 1);

    /* Replacing: the old records go, the TTL is the new one. */
    const char *one[] = {"198.51.100.7"};
    th_assert_ok(sd_rrset_put(t->db, &z, "WWW.example.com.", "A", 60, one, 1, 0, &e), e);
    assert_records(t->db, &z, "www.example.com.", "A", "198.51.100.7");
    assert_int_equal(th_int(t->db,
                            "SELECT ttl FROM rrsets WHERE zone_id = %lld AND "
                            "name = 'www.example.com.' AND type = 'A'",
                            z.id),
                     60);
    assert_int_equal(th_serial(t->db, z.id), s0 + 2);
    /* The generic spelling TYPE1 is the A RRset, stored as A (found by fuzz_rdata: any text
     * after TYPE1 was stored as a type of its own). */
    const char *gen[] = {"198.51.100.8"};
    th_assert_ok(sd_rrset_put(t->db, &z, "www", "type1", 60, gen, 1, 0, &e), e);
    assert_records(t->db, &z, "www.example.com.", "A", "198.51.100.8");
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM rrsets WHERE name = 'www.example.com.'"),
                     1);
    th_assert_ok(sd_rrset_put(t->db, &z, "www", "A", 60, one, 1, 0, &e), e);

    /* An SVCB whose text ends near 256 characters before its parameters made ldns 1.8.3 abort
     * (found by fuzz_rdata): stored as given. */
    char a63[64], b58[59], svcb[300];
    memset(a63, 'a', 63);
    a63[63] = '\0';
    memset(b58, 'b', 58);
    b58[58] = '\0';
    snprintf(svcb, sizeof svcb, "1 %s.%s.%s.%s. alpn=h2", a63, a63, a63, b58);
    const char *svcbs[] = {svcb};
    th_assert_ok(sd_rrset_put(t->db, &z, "_svc", "SVCB", 300, svcbs, 1, 0, &e), e);
    assert_records(t->db, &z, "_svc.example.com.", "SVCB", svcb);

    /* Duplicates collapse; content is stored canonical. */
    const char *v6[] = {"2001:DB8::0001", "2001:db8:0:0::1"};
    th_assert_ok(sd_rrset_put(t->db, &z, "@", "AAAA", 300, v6, 2, 0, &e), e);
    assert_records(t->db, &z, "example.com.", "AAAA", "2001:db8::1");
    const char *mx[] = {"10   mail.example.com."};
    th_assert_ok(sd_rrset_put(t->db, &z, "@", "MX", 300, mx, 1, 0, &e), e);
    assert_records(t->db, &z, "example.com.", "MX", "10 mail.example.com.");
    const char *txt[] = {"\"v=spf1 -all\""};
    th_assert_ok(sd_rrset_put(t->db, &z, "@", "TXT", 300, txt, 1, 0, &e), e);
    assert_records(t->db, &z, "example.com.", "TXT", "\"v=spf1 -all\"");
    const char *wild[] = {"192.0.2.99"};
    th_assert_ok(sd_rrset_put(t->db, &z, "*.apps", "A", 300, wild, 1, 0, &e), e);
    assert_records(t->db, &z, "*.apps.example.com.", "A", "192.0.2.99");
    int64_t s1 = th_serial(t->db, z.id);

    /* n == 0 deletes the RRset. */
    th_assert_ok(sd_rrset_put(t->db, &z, "www", "A", 300, NULL, 0, 0, &e), e);
    assert_records(t->db, &z, "www.example.com.", "A", "");
    assert_int_equal(th_serial(t->db, z.id), s1 + 1);

    th_assert_ok(sd_rrset_delete(t->db, &z, "@", "mx", &e), e);
    assert_records(t->db, &z, "example.com.", "MX", "");
    assert_int_equal(th_serial(t->db, z.id), s1 + 2);
    th_assert_fail(sd_rrset_delete(t->db, &z, "@", "MX", &e), e, SD_ENOTFOUND, "no MX RRset");
    th_assert_fail(sd_rrset_delete(t->db, &z, "nothing", "A", &e), e, SD_ENOTFOUND,
                   "nothing.example.com.");
    assert_int_equal(th_serial(t->db, z.id), s1 + 2);

    /* Putting the SOA itself does not add a step of its own. */
    const char *soa[] = {"ns1.example.net. hostmaster.example.net. 500 10800 3600 604800 300"};
    th_assert_ok(sd_rrset_put(t->db, &z, "@", "SOA", 3600, soa, 1, 0, &e), e);
    assert_int_equal(th_serial(t->db, z.id), 500);
}

static void test_rrset_in_tx(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    th_zone(t, "example.com", &z);
    int64_t s0 = th_serial(t->db, z.id);
    const char *a[] = {"192.0.2.1"};
    /* in_tx: the caller's transaction, which it may roll back. */
    th_assert_ok(sd_db_begin(t->db, &e), e);
    th_assert_ok(sd_rrset_put(t->db, &z, "x", "A", 300, a, 1, 1, &e), e);
    sd_db_rollback(t->db);
    assert_records(t->db, &z, "x.example.com.", "A", "");
    assert_int_equal(th_serial(t->db, z.id), s0);
}

static void test_serial_wraps(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    th_zone(t, "example.com", &z);
    th_exec(t->db,
            "UPDATE records SET content = 'ns1.example.net. h.example.net. 4294967295 1 2 3 4' "
            "WHERE rrset_id IN (SELECT id FROM rrsets WHERE zone_id = %lld AND type = 'SOA')",
            (long long)z.id);
    th_assert_ok(sd_db_begin(t->db, &e), e);
    th_assert_ok(sd_zone_bump_serial(t->db, z.id, &e), e);
    th_assert_ok(sd_db_commit(t->db, &e), e);
    int64_t s = th_serial(t->db, z.id);
    assert_true(s >= 0 && s <= 1); /* RFC 1982: 2^32-1 + 1 wraps */
    char *soa = th_text(t->db, "SELECT content FROM records r JOIN rrsets s ON s.id = r.rrset_id "
                               "WHERE s.type = 'SOA'");
    assert_non_null(strstr(soa, " 1 2 3 4"));
    free(soa);
}

static void test_rrset_refused(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    th_zone(t, "example.com", &z);
    const char *a[] = {"192.0.2.1"};
    th_assert_ok(sd_rrset_put(t->db, &z, "www", "A", 300, a, 1, 0, &e), e);
    char *before = th_snapshot(t->db, 1);

    static const char *const managed[] = {"DNSKEY",     "RRSIG", "NSEC",    "NSEC3",
                                          "NSEC3PARAM", "CDS",   "CDNSKEY", "dnskey"};
    const char *key[] = {"257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7"
                         "wNcP+e+MAnLr+Wi9xMWyQLc8NAA=="};
    for (size_t i = 0; i < sizeof managed / sizeof managed[0]; i++) {
        th_assert_fail(sd_rrset_put(t->db, &z, "@", managed[i], 300, key, 1, 0, &e), e,
                       SD_EBADINPUT, "made by scaidns");
        th_assert_fail(sd_rrset_delete(t->db, &z, "@", managed[i], &e), e, SD_EBADINPUT,
                       "made by scaidns");
    }

    static const struct {
        const char *name, *type, *content, *why;
    } bad[] = {
        {"www", "A", "999.1.1.1", "not valid A content"},
        {"www", "A", "not-an-ip", "not valid A content"},
        {"www", "A", "", "empty"},
        {"www", "AAAA", "192.0.2.1", "not valid AAAA"},
        {"www", "MX", "mail.example.com.", "not valid MX"},
        {"www", "A", "192.0.2.1\n192.0.2.2", "one line"},
        {"www", "FOO", "1", "unknown record type"},
        {"www", "ANY", "1", "unknown record type"},
        {"www", "AXFR", "1", "unknown record type"},
        {"www", "TSIG", "1", "unknown record type"},
        {"www", "OPT", "1", "unknown record type"},
        {"www", "TYPE0", "1", "unknown record type"},
        {"www", "TYPE1x", "192.0.2.1", "unknown record type"},
        /* ldns leaks on these: refused before it reads them (found by fuzz_rdata) */
        {"www", "CERT", "0 0 0 AAAA", "a CERT type is a mnemonic or a number"},
        {"www", "CERT", "( 65536 0 0 AAAA )", "a CERT type is"},
        {"www", "CERT", "00(0 0 AAAA)", "a CERT type is"},
        {"www", "CERT", "000000000000000000000000000000000000000 0 0 AAAA", "a CERT type is"},
        {"www", "CERT", "-(0 0 -", "a CERT type is"},
        {"www", "CERT", "0)5 0 0 AAAA", "a CERT type is"},
        {"www", "CERT", "\"0\" 0 0 AAAA", "a CERT type is"},
        /* the generic form with too little data (found by fuzz_rdata: stored as "" and "0") */
        {"www", "TYPE65279", "\\# 0", "no data"},
        {"www", "SRV", "\\# 2 0000", "fields missing"},
        {"www", "APL", "\\# 2 0000", "does not read back"},
        {"www", "TYPE", "192.0.2.1", "unknown record type"},
        {"www", "A ", "192.0.2.1", "unknown record type"},
        {"www", "", "1", "record type"},
        {"www.example.org.", "A", "192.0.2.1", "not inside zone"},
        {"bad name", "A", "192.0.2.1", "not allowed"},
        {"", "A", "192.0.2.1", "missing owner"},
        {"www", "SOA", "ns1.example.net. h.example.net. 1 2 3 4 5", "apex"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *rec[] = {bad[i].content};
        th_assert_fail(sd_rrset_put(t->db, &z, bad[i].name, bad[i].type, 300, rec, 1, 0, &e), e,
                       SD_EBADINPUT, bad[i].why);
    }
    /* One bad record spoils the whole RRset. */
    const char *mixed[] = {"192.0.2.5", "192.0.2.300"};
    th_assert_fail(sd_rrset_put(t->db, &z, "www", "A", 300, mixed, 2, 0, &e), e, SD_EBADINPUT,
                   "192.0.2.300");
    /* Two SOAs; deleting the SOA. */
    const char *soas[] = {"ns1.example.net. h.example.net. 1 2 3 4 5",
                          "ns2.example.net. h.example.net. 1 2 3 4 5"};
    th_assert_fail(sd_rrset_put(t->db, &z, "@", "SOA", 300, soas, 2, 0, &e), e, SD_EBADINPUT,
                   "exactly one SOA");
    th_assert_fail(sd_rrset_delete(t->db, &z, "@", "SOA", &e), e, SD_EBADINPUT,
                   "cannot be deleted");
    th_assert_fail(sd_rrset_put(t->db, &z, "www", "A", 2147483648u, a, 1, 0, &e), e, SD_EBADINPUT,
                   "ttl");

    char *after = th_snapshot(t->db, 1);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

/* A zone file with most of what RFC 1035 allows: directives, relative and absolute names,
 * blank owners, parentheses, comments, classes and TTLs in either order, and DNSSEC records
 * that are skipped (PowerDNS signs live from our keys). */
static const char GOOD_ZONE[] =
    "$ORIGIN example.com.\n"
    "$TTL 300\n"
    "; a comment line\n"
    "@   IN  SOA ns1.example.com. hostmaster.example.com. (\n"
    "        2024010101 ; serial\n"
    "        3600 600 86400\n"
    "        120 )      ; minimum\n"
    "    IN  NS  ns1\n"
    "    IN  NS  ns2.example.net.\n"
    "ns1 IN  A   192.0.2.53\n"
    "www 60 IN A 192.0.2.80\n"
    "www 120 IN A 192.0.2.81\n"
    "WWW     AAAA 2001:db8::80\n"
    "@       MX  10 mail\n"
    "mail    A   192.0.2.25\n"
    "*.apps  A   192.0.2.99\n"
    "@       TXT \"v=spf1 mx -all\" \"second string\"\n"
    "_sip._tcp SRV 10 60 5060 sip.example.com.\n"
    "alias   CNAME www\n"
    "@ 3600 DNSKEY 257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+M"
    "AnLr+Wi9xMWyQLc8NAA==\n"
    "$ORIGIN sub.example.com.\n"
    "host    A   192.0.2.200\n";

static void test_import_good(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_err e;
    char path[64];
    th_write_file(path, GOOD_ZONE);
    int rc = sd_zone_import(t->db, "Example.com", path, "test", TH_NOW, &z, &e);
    unlink(path);
    th_assert_ok(rc, e);
    assert_string_equal(z.name, "example.com.");
    assert_records(t->db, &z, "example.com.", "SOA",
                   "ns1.example.com. hostmaster.example.com. 2024010101 3600 600 86400 120");
    assert_int_equal(
        th_int(t->db, "SELECT ttl FROM rrsets WHERE zone_id = %lld AND type = 'SOA'", z.id), 300);
    assert_records(t->db, &z, "example.com.", "NS", "ns1.example.com.|ns2.example.net.");
    assert_records(t->db, &z, "ns1.example.com.", "A", "192.0.2.53");
    assert_records(t->db, &z, "www.example.com.", "A", "192.0.2.80|192.0.2.81");
    /* An RRset has one TTL: the smallest of the file's. */
    assert_int_equal(th_int(t->db,
                            "SELECT ttl FROM rrsets WHERE zone_id = %lld AND "
                            "name = 'www.example.com.' AND type = 'A'",
                            z.id),
                     60);
    assert_records(t->db, &z, "www.example.com.", "AAAA", "2001:db8::80");
    assert_records(t->db, &z, "example.com.", "MX", "10 mail.example.com.");
    assert_records(t->db, &z, "*.apps.example.com.", "A", "192.0.2.99");
    assert_records(t->db, &z, "example.com.", "TXT", "\"v=spf1 mx -all\" \"second string\"");
    assert_records(t->db, &z, "_sip._tcp.example.com.", "SRV", "10 60 5060 sip.example.com.");
    assert_records(t->db, &z, "alias.example.com.", "CNAME", "www.example.com.");
    assert_records(t->db, &z, "host.sub.example.com.", "A", "192.0.2.200");
    assert_records(t->db, &z, "example.com.", "DNSKEY", "");
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM rrsets WHERE zone_id = %lld", z.id), 12);
    char *detail = th_text(t->db, "SELECT detail FROM audit WHERE action = 'zone-import'");
    assert_non_null(strstr(detail, "\"dnssec_records_skipped\": 1"));
    free(detail);
    /* A second import of the same zone is refused and changes nothing. */
    th_write_file(path, GOOD_ZONE);
    char *before = th_snapshot(t->db, 1);
    rc = sd_zone_import(t->db, "example.com.", path, "test", TH_NOW, &z, &e);
    unlink(path);
    th_assert_fail(rc, e, SD_ECONFLICT, "exists");
    char *after = th_snapshot(t->db, 1);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

/* Imports text as zone name into a keystore that already holds another zone; asserts the
 * import is refused with 400, a message holding why, and nothing written. */
static void import_bad(th_env *t, const char *name, const char *text, const char *why)
{
    sd_zone z;
    sd_err e;
    char path[64];
    th_write_file(path, text);
    char *before = th_snapshot(t->db, 1);
    int rc = sd_zone_import(t->db, name, path, "test", TH_NOW, &z, &e);
    char *after = th_snapshot(t->db, 1);
    unlink(path);
    th_assert_fail(rc, e, SD_EBADINPUT, why);
    if (strcmp(before, after) != 0)
        fail_msg("refused import (%s) changed the keystore", e.msg);
    free(before);
    free(after);
}

#define LONG100                                                                                    \
    "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890"  \
    "123456789"
#define LONG300 LONG100 LONG100 LONG100
#define SOA_LINE "@ IN SOA ns1.example.com. h.example.com. 1 3600 600 86400 300\n"

static void test_import_bad(void **state)
{
    th_env *t = *state;
    sd_zone other;
    th_zone(t, "example.net", &other);

    import_bad(t, "example.com",
               "$TTL 300\n" SOA_LINE "www IN A 192.0.2.1\n"
               "bad IN A 999.0.0.1\n",
               ":4:");
    import_bad(t, "example.com", "$TTL 300\n" SOA_LINE "\n\n; c\nwww IN A\n", ":6:");
    import_bad(t, "example.com", "$TTL 300\n" SOA_LINE "www IN BOGUSTYPE 1\n", ":3:");
    import_bad(t, "example.com", "$TTL 300\n" SOA_LINE "www IN MX mail.example.com.\n", ":3:");
    /* Records the API could not store either (found by fuzz_zimport: they were stored as a
     * TYPE0 or an A with no data). */
    import_bad(t, "example.com", "$TTL 300\n" SOA_LINE "@ IN TYPE0\n", ":3: TYPE0 is not a");
    import_bad(t, "example.com", "$TTL 300\n" SOA_LINE "www IN A \\# 0\n", ":3: empty record");
    import_bad(t, "example.com", "$TTL 300\nwww IN A 192.0.2.1\n", "no SOA");
    import_bad(t, "example.com", "", "no SOA");
    import_bad(t, "example.com",
               "$TTL 300\n" SOA_LINE "www IN A 192.0.2.1\n"
               "@ IN SOA ns2.example.com. h.example.com. 2 3600 600 86400 300\n",
               ":4: more than one SOA");
    /* A character-string over 255 octets: refused, naming the record and the length. */
    import_bad(t, "example.com", "$TTL 300\n" SOA_LINE "long IN TXT \"" LONG300 "\"\n",
               ":3: TXT record of long: a character-string of 300 octets, more than 255");
    import_bad(t, "example.com", "$TTL 300\n" SOA_LINE "long IN TXT \"a\" \"" LONG300 "\"\n",
               "300 octets");
    import_bad(t, "example.com", "$TTL 300\n" SOA_LINE "long IN SPF " LONG300 "\n", "SPF record");
    import_bad(t, "example.com", "$TTL 300\n" SOA_LINE "a\\1.b IN A 192.0.2.1\n", ":3:");
    import_bad(t, "example.com",
               "$TTL 300\nsub IN SOA ns1.example.com. h.example.com. 1 3600 600 86400 300\n",
               "not at the apex");
    import_bad(t, "bad..name", "$TTL 300\n" SOA_LINE, "empty label");
    import_bad(t, "example.com", "$TTL 300\n" SOA_LINE "$INCLUDE /etc/passwd\n",
               ":3: $INCLUDE is not supported");
    /* Nothing at all was written for any of them: not even the zone row. */
    sd_zone z;
    sd_err e;
    th_assert_fail(sd_zone_find(t->db, "example.com", &z, &e), e, SD_ENOTFOUND, "not found");
    th_assert_fail(
        sd_zone_import(t->db, "example.com", "/nonexistent/zone", "test", TH_NOW, &z, &e), e,
        SD_EBADINPUT, "/nonexistent/zone");
}

/* Imports text as example.com with opts; asserts success. */
static void import_ok(th_env *t, const char *text, const sd_import_opts *o, sd_zone *z,
                      sd_import_stats *st)
{
    sd_err e;
    char path[64];
    th_write_file(path, text);
    int rc = sd_zone_import_opts(t->db, "example.com", path, o, "test", TH_NOW, z, st, &e);
    unlink(path);
    th_assert_ok(rc, e);
}

static void collect_warning(const char *msg, void *arg)
{
    strcat(arg, msg);
    strcat(arg, "\n");
}

/* Names DNS allows, stored canonically (issue 18). */
static void test_import_names(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_import_stats st;
    sd_import_opts o = {0};
    import_ok(t,
              "$TTL 300\n" SOA_LINE "@ IN NS ns1.example.com.\n"
              "host.*.sub IN A 192.0.2.1\n"
              "$ORIGIN 2.0.192.in-addr.arpa.\n"
              "$ORIGIN example.com.\n"
              "0/26 IN NS ns1.example.com.\n"
              "A\\.B\\000c IN TXT \"dot and nul\"\n"
              "sp\\032ace\\; IN A 192.0.2.2\n"
              "x\\(y\\) IN A 192.0.2.3\n",
              &o, &z, &st);
    assert_records(t->db, &z, "host.*.sub.example.com.", "A", "192.0.2.1");
    assert_records(t->db, &z, "0/26.example.com.", "NS", "ns1.example.com.");
    assert_records(t->db, &z, "a\\.b\\000c.example.com.", "TXT", "\"dot and nul\"");
    assert_records(t->db, &z, "sp\\032ace;.example.com.", "A", "192.0.2.2");
    assert_records(t->db, &z, "x(y).example.com.", "A", "192.0.2.3");
    assert_int_equal(st.records, 7);
    /* The RRset API takes the same names and finds the same RRsets. */
    sd_err e;
    const char *rec[] = {"192.0.2.9"};
    th_assert_ok(sd_rrset_put(t->db, &z, "sp\\ ace;", "A", 60, rec, 1, 0, &e), e);
    assert_records(t->db, &z, "sp\\032ace;.example.com.", "A", "192.0.2.9");
    th_assert_ok(sd_rrset_put(t->db, &z, "a\\.b\\000C.example.com.", "TXT", 60,
                              (const char *[]){"\"again\""}, 1, 0, &e),
                 e);
    assert_records(t->db, &z, "a\\.b\\000c.example.com.", "TXT", "\"again\"");
}

/* Out-of-zone records: ignored with a warning each and counted; refused with strict. */
static void test_import_out_of_zone(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_import_stats st;
    char warnings[2048] = "";
    sd_import_opts o = {0};
    o.warn = collect_warning;
    o.warn_arg = warnings;
    const char *text = "$TTL 300\n" SOA_LINE "www IN A 192.0.2.1\n"
                       "www.example.org. IN A 192.0.2.2\n"
                       "a\\.example.com. IN A 192.0.2.4\n"
                       "$ORIGIN example.org.\nmail IN A 192.0.2.3\n"
                       "$ORIGIN example.com.\n@ IN NS ns1.example.com.\n";
    char *before = th_snapshot(t->db, 1);
    /* strict: refused, nothing written. */
    o.strict = 1;
    sd_err e;
    char path[64];
    th_write_file(path, text);
    int rc = sd_zone_import_opts(t->db, "example.com", path, &o, "test", TH_NOW, &z, &st, &e);
    unlink(path);
    th_assert_fail(rc, e, SD_EBADINPUT, ":4: record www.example.org. is outside the zone");
    char *after = th_snapshot(t->db, 1);
    assert_string_equal(before, after);
    free(before);
    free(after);
    /* default: the zone loads without them. */
    o.strict = 0;
    import_ok(t, text, &o, &z, &st);
    assert_int_equal(st.out_of_zone, 3);
    assert_int_equal(st.records, 3);
    assert_non_null(strstr(warnings, ":4: ignoring out-of-zone data www.example.org. A"));
    assert_non_null(strstr(warnings, ":5: ignoring out-of-zone data a\\.example.com. A"));
    assert_non_null(strstr(warnings, ":7: ignoring out-of-zone data mail.example.org. A"));
    assert_records(t->db, &z, "www.example.com.", "A", "192.0.2.1");
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM rrsets WHERE zone_id = %lld", z.id), 3);
    char *detail = th_text(t->db, "SELECT detail FROM audit WHERE action = 'zone-import'");
    assert_non_null(strstr(detail, "\"out_of_zone_ignored\": 3"));
    free(detail);
}

/* Long TXT strings split into 255-octet strings on request; ALIAS stored. */
static void test_import_txt_split_alias(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_import_stats st;
    sd_import_opts o = {0};
    o.split_long_txt = 1;
    import_ok(t,
              "$TTL 300\n" SOA_LINE "@ IN NS ns1.example.com.\n"
              "long IN TXT \"short\" \"" LONG300 "\" \"x\\\"y\"\n"
              "@ IN ALIAS target.example.net.\n"
              "w 60 IN alias www\n"
              "esc IN TXT ( \"" LONG100 LONG100
              "012345678901234567890123456789012345678901234567890123"
              "\\255\\\\\\\"\" )\n",
              &o, &z, &st);
    assert_int_equal(st.txt_split, 2);
    assert_records(t->db, &z, "long.example.com.", "TXT",
                   "\"short\" \"" LONG100 LONG100
                   "0123456789012345678901234567890123456789012345678901234"
                   "\" \"567890123456789012345678901234567890123456789\" \"x\\\"y\"");
    /* An escape is one octet, and is never cut. */
    assert_records(t->db, &z, "esc.example.com.", "TXT",
                   "\"" LONG100 LONG100 "012345678901234567890123456789012345678901234567890123"
                   "\\255\" \"\\\\\\\"\"");
    assert_records(t->db, &z, "example.com.", "ALIAS", "target.example.net.");
    assert_records(t->db, &z, "w.example.com.", "ALIAS", "www.example.com.");
    /* The API: ALIAS accepted, a long string refused naming the record and its length. */
    sd_err e;
    th_assert_ok(
        sd_rrset_put(t->db, &z, "a2", "alias", 60, (const char *[]){"t.example.net."}, 1, 0, &e),
        e);
    assert_records(t->db, &z, "a2.example.com.", "ALIAS", "t.example.net.");
    char *before = th_snapshot(t->db, 1);
    th_assert_fail(
        sd_rrset_put(t->db, &z, "big", "TXT", 60, (const char *[]){"\"" LONG300 "\""}, 1, 0, &e), e,
        SD_EBADINPUT, "TXT record of big.example.com.: a character-string of 300 octets");
    char *after = th_snapshot(t->db, 1);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

/* The importer reads records one by one (for their line numbers): TTLs must come out as
 * ldns_zone_new_frm_fp_l gives them. Without $TTL an omitted TTL is the last explicit one;
 * with $TTL it is $TTL. */
static void test_import_ttls(void **state)
{
    th_env *t = *state;
    sd_zone z;
    sd_import_stats st;
    sd_import_opts o = {0};
    import_ok(t,
              "@ 600 IN SOA ns1.example.com. h.example.com. 1 3600 600 86400 300\n"
              "a IN A 192.0.2.1\nb 100 IN A 192.0.2.2\nc IN A 192.0.2.3\n"
              "$TTL 50\nd IN A 192.0.2.4\ne 70 IN A 192.0.2.5\nf IN A 192.0.2.6\n"
              "@ 300 IN NS ns1.example.com.\n",
              &o, &z, &st);
    const char *want[][2] = {{"a", "600"}, {"b", "100"}, {"c", "100"},
                             {"d", "50"},  {"e", "70"},  {"f", "50"}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        long long ttl = th_int(
            t->db, "SELECT ttl FROM rrsets WHERE zone_id = %lld AND name = '%s.example.com.'", z.id,
            want[i][0]);
        if (ttl != atoll(want[i][1]))
            fail_msg("%s has TTL %lld, want %s", want[i][0], ttl, want[i][1]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_zone_create_find, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_zone_create_refused, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_zone_list_delete, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_rrset_put_replace_delete, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_rrset_in_tx, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_serial_wraps, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_rrset_refused, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_import_good, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_import_bad, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_import_names, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_import_out_of_zone, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_import_txt_split_alias, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_import_ttls, th_setup, th_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
