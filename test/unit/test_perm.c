/* test_perm.c - keystore/perm.c: secrets open to group or others are refused with a message
 * that names the file, its mode and the chmod that fixes it; the keystore may be shared with
 * its group but not with others; files that are not there pass. */
#include "th.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "keystore/perm.h"

/* A scratch directory for one test, removed with its files by the teardown. */
typedef struct {
    char dir[64];
    char path[160];
} scratch;

static int setup(void **state)
{
    scratch *s = calloc(1, sizeof *s);
    assert_non_null(s);
    snprintf(s->dir, sizeof s->dir, "/tmp/scaidns-perm-XXXXXX");
    assert_non_null(mkdtemp(s->dir));
    snprintf(s->path, sizeof s->path, "%s/secret", s->dir);
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    scratch *s = *state;
    static const char *const names[] = {"secret", "link", "db", "db-wal", "db-shm", "tls", "hook"};
    char p[200];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", s->dir, names[i]);
        unlink(p);
    }
    rmdir(s->dir);
    free(s);
    return 0;
}

/* Creates dir/name with mode (exactly, whatever the umask); its path goes to out (200). */
static void make(const scratch *s, const char *name, mode_t mode, char *out)
{
    snprintf(out, 200, "%s/%s", s->dir, name);
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "x\n", 2), 2);
    close(fd);
    assert_int_equal(chmod(out, mode), 0);
}

static void test_secret_modes(void **state)
{
    scratch *s = *state;
    char p[200], want[600];
    sd_err e;
    static const mode_t good[] = {0600, 0400, 0700, 0200};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        make(s, "secret", good[i], p);
        th_assert_ok(sd_perm_check_path("seal-key file", p, SD_MODE_SECRET, &e), e);
    }
    static const mode_t bad[] = {0640, 0604, 0644, 0660, 0610, 0601, 0602, 0620, 0666, 0777};
    static const char *const fix[] = {"600", "600", "600", "600", "600",
                                      "600", "600", "600", "600", "700"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        make(s, "secret", bad[i], p);
        sd_err_clear(&e);
        int rc = sd_perm_check_path("seal-key file", p, SD_MODE_SECRET, &e);
        snprintf(want, sizeof want,
                 "seal-key file %s has mode %04o: it must not be readable or writable by group "
                 "or others (fix: chmod %s %s)",
                 p, (unsigned)bad[i], fix[i], p);
        th_assert_fail(rc, e, SD_EBADINPUT, want);
    }
}

static void test_keystore_modes(void **state)
{
    scratch *s = *state;
    char p[200], want[600];
    sd_err e;
    static const mode_t good[] = {0600, 0640, 0660, 0400, 0440};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        make(s, "db", good[i], p);
        th_assert_ok(sd_perm_check_path("keystore", p, SD_MODE_KEYSTORE, &e), e);
    }
    static const mode_t bad[] = {0644, 0604, 0606, 0601, 0664, 0666};
    static const char *const fix[] = {"640", "600", "600", "600", "660", "660"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        make(s, "db", bad[i], p);
        int rc = sd_perm_check_path("keystore", p, SD_MODE_KEYSTORE, &e);
        snprintf(want, sizeof want,
                 "keystore %s has mode %04o: it must not be readable or writable by others "
                 "(fix: chmod %s %s)",
                 p, (unsigned)bad[i], fix[i], p);
        th_assert_fail(rc, e, SD_EBADINPUT, want);
    }
}

static void test_missing_and_links(void **state)
{
    scratch *s = *state;
    char p[200], link[200];
    sd_err e;
    /* Not there (or under a file, not a directory): nothing is exposed. */
    snprintf(p, sizeof p, "%s/nope", s->dir);
    th_assert_ok(sd_perm_check_path("seal-key file", p, SD_MODE_SECRET, &e), e);
    make(s, "secret", 0600, p);
    char under[240];
    snprintf(under, sizeof under, "%s/below", p);
    th_assert_ok(sd_perm_check_path("seal-key file", under, SD_MODE_SECRET, &e), e);
    /* A symlink (itself 0777) is judged by the file it points at. */
    snprintf(link, sizeof link, "%s/link", s->dir);
    assert_int_equal(symlink(p, link), 0);
    th_assert_ok(sd_perm_check_path("seal-key file", link, SD_MODE_SECRET, &e), e);
    assert_int_equal(chmod(p, 0644), 0);
    th_assert_fail(sd_perm_check_path("seal-key file", link, SD_MODE_SECRET, &e), e, SD_EBADINPUT,
                   "has mode 0644");
}

static void test_fd(void **state)
{
    scratch *s = *state;
    char p[200];
    sd_err e;
    make(s, "secret", 0600, p);
    int fd = open(p, O_RDONLY);
    assert_true(fd >= 0);
    th_assert_ok(sd_perm_check_fd(fd, "webhook-secret-file", p, SD_MODE_SECRET, &e), e);
    assert_int_equal(fchmod(fd, 0604), 0);
    th_assert_fail(sd_perm_check_fd(fd, "webhook-secret-file", p, SD_MODE_SECRET, &e), e,
                   SD_EBADINPUT, "webhook-secret-file");
    close(fd);
    th_assert_fail(sd_perm_check_fd(fd, "webhook-secret-file", p, SD_MODE_SECRET, &e), e,
                   SD_EINTERNAL, "cannot stat");
}

/* sd_perm_check_config looks at exactly the files which selects, each with its rule. */
static void test_config(void **state)
{
    scratch *s = *state;
    char db[200], seal[200], tls[200], hook[200], side[200];
    sd_config c;
    sd_err e;
    sd_config_defaults(&c);
    make(s, "db", 0640, db);
    make(s, "secret", 0600, seal);
    make(s, "tls", 0600, tls);
    make(s, "hook", 0600, hook);
    snprintf(c.db, sizeof c.db, "%s", db);
    snprintf(c.seal_key, sizeof c.seal_key, "%s", seal);
    snprintf(c.api_tls_key, sizeof c.api_tls_key, "%s", tls);
    snprintf(c.webhook_secret_file, sizeof c.webhook_secret_file, "%s", hook);
    const unsigned all = SD_CHECK_DB | SD_CHECK_SEAL | SD_CHECK_TLS | SD_CHECK_WEBHOOK;
    th_assert_ok(sd_perm_check_config(&c, all, &e), e);

    /* The -wal and -shm files hold the keystore's data too. */
    make(s, "db-wal", 0644, side);
    th_assert_fail(sd_perm_check_config(&c, SD_CHECK_DB, &e), e, SD_EBADINPUT, "keystore file ");
    assert_non_null(strstr(e.msg, "db-wal has mode 0644"));
    assert_int_equal(chmod(side, 0640), 0);
    make(s, "db-shm", 0606, side);
    th_assert_fail(sd_perm_check_config(&c, SD_CHECK_DB, &e), e, SD_EBADINPUT, "db-shm");
    assert_int_equal(chmod(side, 0600), 0);
    th_assert_ok(sd_perm_check_config(&c, all, &e), e);

    /* Each secret is looked at only when asked for. */
    struct {
        const char *path;
        unsigned flag;
        const char *what;
    } secrets[] = {{seal, SD_CHECK_SEAL, "seal-key file "},
                   {tls, SD_CHECK_TLS, "api-tls-key file "},
                   {hook, SD_CHECK_WEBHOOK, "webhook-secret-file "}};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(chmod(secrets[i].path, 0640), 0);
        th_assert_ok(sd_perm_check_config(&c, all & ~secrets[i].flag, &e), e);
        th_assert_fail(sd_perm_check_config(&c, secrets[i].flag, &e), e, SD_EBADINPUT,
                       secrets[i].what);
        th_assert_fail(sd_perm_check_config(&c, all, &e), e, SD_EBADINPUT, secrets[i].what);
        assert_int_equal(chmod(secrets[i].path, 0600), 0);
    }
    /* Unset keys are skipped. */
    c.api_tls_key[0] = c.webhook_secret_file[0] = '\0';
    assert_int_equal(chmod(tls, 0644), 0);
    th_assert_ok(sd_perm_check_config(&c, all, &e), e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_secret_modes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keystore_modes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_and_links, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_config, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
