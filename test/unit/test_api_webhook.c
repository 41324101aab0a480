/* test_api_webhook.c - api/webhook*.c: the HMAC signature (RFC 4231 known answer), the retry
 * schedule, the secret file's permission check, the outbox surviving a reopen of the keystore,
 * a failed delivery retried then given up with an audit row, and the scheduler's audit rows
 * turned into step_completed / rollover_held events. */
#include "th.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "api/webhook.h"
#include "keystore/audit.h"

/* RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?". */
static void test_signature_known_answer(void **state)
{
    (void)state;
    char hex[65];
    const char *data = "what do ya want for nothing?";
    api_webhook_sign((const unsigned char *)"Jefe", 4, data, strlen(data), hex);
    assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

static void test_backoff_schedule(void **state)
{
    (void)state;
    assert_int_equal(api_webhook_backoff_ms(1), 1000);
    assert_int_equal(api_webhook_backoff_ms(2), 2000);
    assert_int_equal(api_webhook_backoff_ms(3), 4000);
    assert_int_equal(api_webhook_backoff_ms(4), 8000);
    assert_int_equal(api_webhook_backoff_ms(9), 256000);
    assert_int_equal(api_webhook_backoff_ms(10), API_WEBHOOK_BACKOFF_MAX);
    assert_int_equal(api_webhook_backoff_ms(1000), API_WEBHOOK_BACKOFF_MAX);
}

/* Writes text to a new file in dir with mode; its path goes to path (size 128). */
static void write_secret(const char *dir, const char *text, mode_t mode, char *path)
{
    snprintf(path, 128, "%s/hook.secret", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(chmod(path, mode), 0);
}

static void test_secret_file(void **state)
{
    th_env *t = *state;
    char path[128];
    unsigned char key[API_WEBHOOK_KEY_MAX];
    size_t len;
    sd_err e;
    write_secret(t->dir, "s3cret\n", 0600, path);
    th_assert_ok(api_webhook_load_secret(path, key, sizeof key, &len, &e), e);
    assert_int_equal(len, 6);
    assert_memory_equal(key, "s3cret", 6);
    assert_int_equal(chmod(path, 0644), 0);
    assert_true(api_webhook_load_secret(path, key, sizeof key, &len, &e) < 0);
    assert_non_null(strstr(e.msg, "readable or writable by group or others"));
    assert_true(api_webhook_load_secret("", key, sizeof key, &len, &e) < 0);
    unlink(path);
    assert_true(api_webhook_load_secret(path, key, sizeof key, &len, &e) < 0);
}

static void test_url_check(void **state)
{
    (void)state;
    sd_err e;
    th_assert_ok(api_webhook_check_url("http://127.0.0.1:8080/hook", &e), e);
    th_assert_ok(api_webhook_check_url("http://hooks.example", &e), e);
    assert_true(api_webhook_check_url("https://hooks.example/", &e) < 0);
    assert_true(api_webhook_check_url("http://:80/", &e) < 0);
    assert_true(api_webhook_check_url("http://h:8x/", &e) < 0);
}

/* A queued event is in the keystore with its JSON body, and still there after a reopen. */
static void test_outbox_persists(void **state)
{
    th_env *t = *state;
    sd_err e;
    int64_t id = 0;
    json_t *f = json_pack("{s:i}", "n", 7);
    th_assert_ok(
        api_webhook_enqueue(t->db, TH_NOW, "ds_to_publish", "example.com.", "publish", f, &id, &e),
        e);
    json_decref(f);
    assert_true(id > 0);
    sd_db_close(t->db);
    th_assert_ok(sd_db_open(t->path, 0, &t->db, &e), e);
    char *body = th_text(t->db, "SELECT body FROM webhook_outbox WHERE id = %lld", (long long)id);
    json_t *o = json_loads(body, 0, NULL);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "event")), "ds_to_publish");
    assert_string_equal(json_string_value(json_object_get(o, "zone")), "example.com.");
    assert_string_equal(json_string_value(json_object_get(o, "at")), "2026-04-23T10:00:00Z");
    assert_int_equal(json_integer_value(json_object_get(o, "n")), 7);
    json_decref(o);
    free(body);
    assert_int_equal(th_int(t->db,
                            "SELECT count(*) FROM webhook_outbox WHERE delivered_at IS NULL AND "
                            "attempts = 0 AND next_try_at IS NULL"),
                     1);
}

/* Prints a loopback TCP port nobody listens on (bound, then closed). */
static int dead_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    socklen_t al = sizeof a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
    close(fd);
    return ntohs(a.sin_port);
}

/* Deliveries to a dead port: retried 1 s then 2 s later, given up after webhook-retries with
 * last_error and an audit row. */
static void test_retry_then_give_up(void **state)
{
    th_env *t = *state;
    sd_err e;
    int64_t id, next, now = TH_NOW * 1000;
    snprintf(t->cfg.webhook_url, sizeof t->cfg.webhook_url, "http://127.0.0.1:%d/h", dead_port());
    t->cfg.webhook_retries = 2;
    t->cfg.webhook_timeout = 500;
    th_assert_ok(
        api_webhook_enqueue(t->db, TH_NOW, "ds_to_remove", "example.com.", "remove", NULL, &id, &e),
        e);
    const unsigned char key[] = "k";
    assert_int_equal(api_webhook_deliver_due(t->db, &t->cfg, key, 1, now, &next, NULL, NULL, &e),
                     1);
    assert_int_equal(th_int(t->db, "SELECT attempts FROM webhook_outbox"), 1);
    assert_int_equal(th_int(t->db, "SELECT next_try_at FROM webhook_outbox"), now + 1000);
    assert_int_equal(next, now + 1000);
    char *err = th_text(t->db, "SELECT last_error FROM webhook_outbox");
    assert_non_null(strstr(err, "connect"));
    free(err);
    /* Not due yet: nothing attempted. */
    assert_int_equal(
        api_webhook_deliver_due(t->db, &t->cfg, key, 1, now + 999, &next, NULL, NULL, &e), 0);
    assert_int_equal(
        api_webhook_deliver_due(t->db, &t->cfg, key, 1, now + 1000, &next, NULL, NULL, &e), 1);
    assert_int_equal(th_int(t->db, "SELECT next_try_at FROM webhook_outbox"), now + 3000);
    assert_int_equal(
        api_webhook_deliver_due(t->db, &t->cfg, key, 1, now + 3000, &next, NULL, NULL, &e), 1);
    assert_int_equal(next, 0);
    assert_int_equal(th_int(t->db,
                            "SELECT count(*) FROM webhook_outbox WHERE attempts = 3 AND "
                            "next_try_at IS NULL AND delivered_at IS NULL AND last_error <> ''"),
                     1);
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM audit WHERE actor = 'webhook' AND "
                                   "action = 'webhook' AND outcome = 'failed' AND "
                                   "zone = 'example.com.'"),
                     1);
    /* Given up: never attempted again. */
    assert_int_equal(
        api_webhook_deliver_due(t->db, &t->cfg, key, 1, now + 900000, &next, NULL, NULL, &e), 0);
    int64_t rows;
    th_assert_ok(sd_audit_verify(t->db, &rows, &e), e);
}

/* The scheduler's audit rows after the mark become events; other actors' rows do not. */
static void test_from_audit(void **state)
{
    th_env *t = *state;
    sd_err e;
    th_assert_ok(sd_db_begin(t->db, &e), e);
    th_assert_ok(sd_audit(t->db, TH_NOW, "scheduler", "a.example.", "zsk-activate", "ok", NULL, &e),
                 e);
    th_assert_ok(sd_db_commit(t->db, &e), e);
    int64_t mark = api_webhook_audit_mark(t->db);
    assert_true(mark > 0);
    assert_int_equal(api_webhook_from_audit(t->db, &t->cfg, mark), 0); /* webhook off */
    snprintf(t->cfg.webhook_url, sizeof t->cfg.webhook_url, "http://127.0.0.1:9/");
    th_assert_ok(sd_db_begin(t->db, &e), e);
    th_assert_ok(sd_audit(t->db, TH_NOW + 1, "scheduler", "a.example.", "zsk-remove", "ok",
                          "{\"key\": 3}", &e),
                 e);
    th_assert_ok(sd_audit(t->db, TH_NOW + 2, "ci", "a.example.", "dnssec-enable", "ok", NULL, &e),
                 e);
    th_assert_ok(
        sd_audit(t->db, TH_NOW + 3, "scheduler", "b.example.", "ksk-roll", "postponed", NULL, &e),
        e);
    th_assert_ok(sd_db_commit(t->db, &e), e);
    assert_int_equal(api_webhook_from_audit(t->db, &t->cfg, mark), 2);
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM webhook_outbox"), 2);
    char *b = th_text(t->db, "SELECT event || ' ' || zone || ' ' || json_extract(body, '$.action')"
                             " || ' ' || json_extract(body, '$.detail.key') FROM webhook_outbox "
                             "ORDER BY id LIMIT 1");
    assert_string_equal(b, "step_completed a.example. zsk-remove 3");
    free(b);
    b = th_text(t->db, "SELECT event || ' ' || zone || ' ' || json_extract(body, '$.outcome') "
                       "FROM webhook_outbox ORDER BY id DESC LIMIT 1");
    assert_string_equal(b, "rollover_held b.example. postponed");
    free(b);
}

/* A KSK rollover the scheduler started (a KSK near expiry) tells the operator which DS to
 * publish, like one started through the API. */
static void test_scheduler_ksk_roll_asks_for_ds(void **state)
{
    th_env *t = *state;
    sd_err e;
    sd_zone z;
    th_zone(t, "k.example", &z);
    th_assert_ok(sd_dnssec_enable(&t->ctx, &z, 13, &e), e);
    th_exec(t->db, "UPDATE keys SET ds_seen_at = %lld WHERE role = 'KSK'", (long long)TH_NOW);
    snprintf(t->cfg.webhook_url, sizeof t->cfg.webhook_url, "http://127.0.0.1:9/");
    int64_t mark = api_webhook_audit_mark(t->db);
    t->ctx.actor = "scheduler";
    th_assert_ok(sd_dnssec_rotate_ksk(&t->ctx, &z, &e), e);
    assert_int_equal(api_webhook_from_audit(t->db, &t->cfg, mark), 1);
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM webhook_outbox WHERE event = "
                                   "'ds_to_publish' AND zone = 'k.example.' AND "
                                   "json_array_length(json_extract(body, '$.ds_records')) = 4"),
                     1);
    assert_int_equal(th_int(t->db, "SELECT count(*) FROM webhook_outbox WHERE event = "
                                   "'step_completed'"),
                     1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signature_known_answer),
        cmocka_unit_test(test_backoff_schedule),
        cmocka_unit_test_setup_teardown(test_secret_file, th_setup, th_teardown),
        cmocka_unit_test(test_url_check),
        cmocka_unit_test_setup_teardown(test_outbox_persists, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_retry_then_give_up, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_from_audit, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_scheduler_ksk_roll_asks_for_ds, th_setup, th_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
