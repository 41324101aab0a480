/* test_name.c - keystore/name.c: canonical names (case, trailing dot, IDN to A-labels, the 63
 * and 255 octet limits, characters, wildcards) and names relative to a zone. */
#include "th.h"

#include "keystore/name.h"

/* Asserts that in canonicalises to want. */
static void canon_ok(const char *in, const char *want)
{
    char out[SD_NAME_MAX];
    sd_err e;
    sd_err_clear(&e);
    int rc = sd_name_canon(in, out, sizeof out, &e);
    if (rc != 0)
        fail_msg("sd_name_canon(\"%s\") refused: %s", in, e.msg);
    if (strcmp(out, want) != 0)
        fail_msg("sd_name_canon(\"%s\") = \"%s\", want \"%s\"", in, out, want);
}

/* Asserts that in is refused with 400 and a message containing why. */
static void canon_bad(const char *in, const char *why)
{
    char out[SD_NAME_MAX];
    sd_err e;
    sd_err_clear(&e);
    int rc = sd_name_canon(in, out, sizeof out, &e);
    if (rc == 0)
        fail_msg("sd_name_canon(\"%s\") accepted it as \"%s\"", in, out);
    th_assert_fail(rc, e, SD_EBADINPUT, why);
}

/* A string of n copies of c. Caller frees. */
static char *rep(char c, size_t n)
{
    char *s = malloc(n + 1);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

static void test_case_and_dot(void **state)
{
    (void)state;
    canon_ok("example.com", "example.com.");
    canon_ok("example.com.", "example.com.");
    canon_ok("Example.COM", "example.com.");
    canon_ok("WWW.EXAMPLE.COM.", "www.example.com.");
    canon_ok("a-b.c_d.example", "a-b.c_d.example.");
    canon_ok("_dmarc.Example.org", "_dmarc.example.org.");
    canon_ok("123.example", "123.example.");
    canon_ok(".", ".");
    canon_ok("com", "com.");
}

static void test_empty_labels(void **state)
{
    (void)state;
    canon_bad("", "empty name");
    canon_bad("example.com..", "empty label");
    canon_bad(".example.com", "empty label");
    canon_bad("a..b", "empty label");
    canon_bad("..", "empty label");
    char out[SD_NAME_MAX];
    sd_err e;
    th_assert_fail(sd_name_canon(NULL, out, sizeof out, &e), e, SD_EBADINPUT, "missing");
}

static void test_label_limit(void **state)
{
    (void)state;
    char name[300];
    char *l63 = rep('a', 63), *l64 = rep('b', 64);
    snprintf(name, sizeof name, "%s.example", l63);
    char want[300];
    snprintf(want, sizeof want, "%s.example.", l63);
    canon_ok(name, want);
    snprintf(name, sizeof name, "%s.example", l64);
    canon_bad(name, "63");
    snprintf(name, sizeof name, "www.%s", l64);
    canon_bad(name, "63");
    /* Upper case counts the same. */
    char *u64 = rep('Q', 64);
    canon_bad(u64, "63");
    free(l63);
    free(l64);
    free(u64);
}

static void test_name_limit(void **state)
{
    (void)state;
    /* 63.63.63.61 = 253 characters = 255 octets on the wire: the largest name there is. */
    char *a = rep('a', 63), *b = rep('b', 61), *c = rep('c', 62);
    char name[400], want[400];
    snprintf(name, sizeof name, "%s.%s.%s.%s", a, a, a, b);
    assert_int_equal(strlen(name), 253);
    assert_true(snprintf(want, sizeof want, "%s.", name) < (int)sizeof want);
    canon_ok(name, want);
    canon_ok(want, want); /* with the dot: the same name */
    /* One more octet is too long, with or without the trailing dot. */
    snprintf(name, sizeof name, "%s.%s.%s.%s", a, a, a, c);
    assert_int_equal(strlen(name), 254);
    canon_bad(name, "255");
    strcat(name, ".");
    canon_bad(name, "255");
    /* Far too long, and made of short labels. */
    char big[2000] = "";
    for (int i = 0; i < 600; i++)
        strcat(big, "a.");
    strcat(big, "com");
    canon_bad(big, "255");
    free(a);
    free(b);
    free(c);
}

static void test_idn(void **state)
{
    (void)state;
    canon_ok("münchen.de", "xn--mnchen-3ya.de.");
    canon_ok("München.DE.", "xn--mnchen-3ya.de.");
    canon_ok("xn--mnchen-3ya.de", "xn--mnchen-3ya.de.");
    canon_ok("XN--MNCHEN-3YA.de", "xn--mnchen-3ya.de.");
    canon_ok("bücher.example", "xn--bcher-kva.example.");
    canon_ok("例え.テスト", "xn--r8jz45g.xn--zckzah.");
    /* Beside escaped labels, each U-label is converted alone. */
    canon_ok("bücher.a\\.b.example", "xn--bcher-kva.a\\.b.example.");
    canon_bad("b\\.ücher.example", "mix");
    /* Not UTF-8 at all. */
    canon_bad("ex\xff\xfe.com", "internationalised");
    /* Without an sd_err (as zone lookups call it): refused, not a crash. */
    char o2[SD_NAME_MAX];
    assert_true(sd_name_canon("\xff\xfe.example", o2, sizeof o2, NULL) < 0);
    assert_true(sd_name_canon("b\\.\xc3\xbc.example", o2, sizeof o2, NULL) < 0);
    /* A U-label of 61 characters whose A-label passes 63 octets. */
    char name[400];
    char *a60 = rep('a', 60);
    snprintf(name, sizeof name, "%sü.de", a60);
    free(a60);
    char out[SD_NAME_MAX];
    sd_err e;
    assert_true(sd_name_canon(name, out, sizeof out, &e) < 0);
    assert_int_equal(e.code, SD_EBADINPUT);
}

static void test_bad_characters(void **state)
{
    (void)state;
    /* Spaces and control characters must be escaped; bad escapes are refused. */
    canon_bad("exa mple.com", "'\\032' not allowed unescaped");
    canon_bad("tab\there.com", "'\\009' not allowed unescaped");
    canon_bad("new\nline.com", "'\\010'");
    canon_bad("del\x7f.com", "'\\127'");
    canon_bad("a\\", "lone backslash");
    canon_bad("a\\25.com", "three digits");
    canon_bad("a\\2x5.com", "three digits");
    canon_bad("a\\256.com", "above 255");
}

/* Every octet RFC 1035 presentation format can express (issue 18). */
static void test_any_octet(void **state)
{
    (void)state;
    canon_ok("ex@mple.com", "ex@mple.com.");
    canon_ok("exa!mple.com", "exa!mple.com.");
    canon_ok("0/26.2.0.192.in-addr.arpa", "0/26.2.0.192.in-addr.arpa.");
    canon_ok("semi;colon.com", "semi;colon.com.");
    canon_ok("a(b).com", "a(b).com.");
    canon_ok("a\"b.com", "a\"b.com.");
    /* Escapes: \. is a dot inside a label, \\ a backslash, \DDD any octet; written back the
     * way PowerDNS writes them (printable ASCII as itself). */
    canon_ok("a\\.b.com", "a\\.b.com.");
    canon_ok("A\\.B.Com", "a\\.b.com.");
    canon_ok("a\\\\.com", "a\\\\.com.");
    canon_ok("a\\000b.com", "a\\000b.com.");
    canon_ok("sp\\ ace.com", "sp\\032ace.com.");
    canon_ok("sp\\032ace.com", "sp\\032ace.com.");
    canon_ok("\\065\\066.com", "ab.com.");
    canon_ok("\\;x.com", ";x.com.");
    canon_ok("\\255\\128.com", "\\255\\128.com.");
    canon_ok("a\\046b.com", "a\\.b.com.");
    canon_ok("end\\.", "end\\..");
    /* A label of 63 octets written with escapes is still 63 octets. */
    char name[400] = "";
    for (int i = 0; i < 63; i++)
        strcat(name, "\\000");
    strcat(name, ".com");
    char want[400];
    snprintf(want, sizeof want, "%s.", name);
    canon_ok(name, want);
    memmove(name + 4, name, strlen(name) + 1);
    memcpy(name, "\\001", 4);
    canon_bad(name, "63");
}

static void test_wildcard(void **state)
{
    (void)state;
    canon_ok("*.example.com", "*.example.com.");
    canon_ok("*.Apps.Example.com.", "*.apps.example.com.");
    canon_ok("*", "*.");
    /* A '*' that is not the whole leftmost label is a literal (RFC 4592 2.1.3). */
    canon_ok("host.*.sub", "host.*.sub.");
    canon_ok("a.*.example.com", "a.*.example.com.");
    canon_ok("*a.example.com", "*a.example.com.");
    canon_ok("**.example.com", "**.example.com.");
}

static void test_in_zone(void **state)
{
    (void)state;
    assert_true(sd_name_in_zone("example.com.", "example.com."));
    assert_true(sd_name_in_zone("www.example.com.", "example.com."));
    assert_true(sd_name_in_zone("a.b.c.example.com.", "example.com."));
    assert_false(sd_name_in_zone("wwwexample.com.", "example.com."));
    assert_false(sd_name_in_zone("example.org.", "example.com."));
    assert_false(sd_name_in_zone("com.", "example.com."));
    assert_true(sd_name_in_zone("anything.at.all.", "."));
    /* An escaped dot is inside a label: "a\\.example.com." is one label under com. */
    assert_false(sd_name_in_zone("a\\.example.com.", "example.com."));
    assert_true(sd_name_in_zone("a\\.b.example.com.", "example.com."));
    assert_true(sd_name_in_zone("x\\\\.example.com.", "example.com."));
    assert_false(sd_name_in_zone("x\\\\\\.example.com.", "example.com."));
}

static void test_absolute(void **state)
{
    (void)state;
    char out[SD_NAME_MAX];
    sd_err e;
    th_assert_ok(sd_name_absolute("@", "example.com.", out, sizeof out, &e), e);
    assert_string_equal(out, "example.com.");
    th_assert_ok(sd_name_absolute("www", "example.com.", out, sizeof out, &e), e);
    assert_string_equal(out, "www.example.com.");
    th_assert_ok(sd_name_absolute("A.B", "example.com.", out, sizeof out, &e), e);
    assert_string_equal(out, "a.b.example.com.");
    th_assert_ok(sd_name_absolute("WWW.Example.COM.", "example.com.", out, sizeof out, &e), e);
    assert_string_equal(out, "www.example.com.");
    th_assert_ok(sd_name_absolute("*.apps", "example.com.", out, sizeof out, &e), e);
    assert_string_equal(out, "*.apps.example.com.");
    th_assert_ok(sd_name_absolute("bücher", "example.com.", out, sizeof out, &e), e);
    assert_string_equal(out, "xn--bcher-kva.example.com.");
    th_assert_ok(sd_name_absolute("host", ".", out, sizeof out, &e), e);
    assert_string_equal(out, "host.");
    th_assert_fail(sd_name_absolute("www.example.org.", "example.com.", out, sizeof out, &e), e,
                   SD_EBADINPUT, "not inside zone example.com.");
    th_assert_fail(sd_name_absolute("", "example.com.", out, sizeof out, &e), e, SD_EBADINPUT,
                   "missing");
    th_assert_fail(sd_name_absolute("bad name", "example.com.", out, sizeof out, &e), e,
                   SD_EBADINPUT, "not allowed");
    /* An escaped trailing dot does not make a name absolute. */
    th_assert_ok(sd_name_absolute("a\\.", "example.com.", out, sizeof out, &e), e);
    assert_string_equal(out, "a\\..example.com.");
    th_assert_ok(sd_name_absolute("host.*.sub", "example.com.", out, sizeof out, &e), e);
    assert_string_equal(out, "host.*.sub.example.com.");
    /* A relative name that fits alone but not under the zone. */
    char *a = rep('a', 63), *b = rep('b', 50);
    char owner[300];
    snprintf(owner, sizeof owner, "%s.%s.%s.%s", a, a, a, b);
    th_assert_ok(sd_name_canon(owner, out, sizeof out, &e), e);
    th_assert_fail(sd_name_absolute(owner, "example.com.", out, sizeof out, &e), e, SD_EBADINPUT,
                   "255");
    free(a);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_case_and_dot), cmocka_unit_test(test_empty_labels),
        cmocka_unit_test(test_label_limit),  cmocka_unit_test(test_name_limit),
        cmocka_unit_test(test_idn),          cmocka_unit_test(test_bad_characters),
        cmocka_unit_test(test_wildcard),     cmocka_unit_test(test_any_octet),
        cmocka_unit_test(test_in_zone),      cmocka_unit_test(test_absolute),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
