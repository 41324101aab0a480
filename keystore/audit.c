/* audit.c - the audit trail: rows chained by a keyed (HMAC-SHA256) or, without a key, plain
 * (BLAKE2b) hash, and their heads appended to the anchor file once committed. */
#include "keystore/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keystore/db.h"
#include "keystore/perm.h"

#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"
#define KEYED "k1:" /* prefix of a keyed row's hash */
#define DOMAIN "scaidns-audit-1"

/* This process's key and anchor (sd_audit_setup), under mu. */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned char g_key[SD_AUDIT_KEY_BYTES];
static int g_have_key;
static int g_key_warned; /* a bad key file was reported once */
static char g_key_path[4096], g_anchor_path[4096];
static void (*g_warn)(const char *msg);

/* The head this thread wrote inside the open transaction of db, anchored at its commit. */
static _Thread_local struct {
    sqlite3 *db;
    int64_t seq;
    char hash[SD_AUDIT_HASH_MAX];
} pending;

/* Reports msg through the warn callback (or stderr). */
static void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void warn(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    void (*fn)(const char *) = g_warn;
    if (fn)
        fn(msg);
    else
        fprintf(stderr, "warning: %s\n", msg);
}

void sd_audit_set_warn(void (*fn)(const char *msg))
{
    g_warn = fn;
}

/* Reads the key file at path into key: 0, 1 when it does not exist, or -SD_EBADINPUT. */
static int read_key(const char *path, unsigned char key[SD_AUDIT_KEY_BYTES], sd_err *e)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return 1;
        return sd_fail(e, SD_EBADINPUT, "cannot read audit-key file %s: %s", path, strerror(errno));
    }
    if (sd_perm_check_fd(fd, "audit-key file", path, SD_MODE_SECRET, e) < 0) {
        close(fd);
        return -SD_EBADINPUT;
    }
    char text[160];
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n < 0)
        return sd_fail(e, SD_EBADINPUT, "cannot read audit-key file %s: %s", path, strerror(errno));
    text[n] = '\0';
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' '))
        text[--n] = '\0';
    size_t got = 0;
    int rc = n == 2 * SD_AUDIT_KEY_BYTES
                 ? sodium_hex2bin(key, SD_AUDIT_KEY_BYTES, text, (size_t)n, NULL, &got, NULL)
                 : -1;
    sodium_memzero(text, sizeof text);
    if (rc != 0 || got != SD_AUDIT_KEY_BYTES)
        return sd_fail(e, SD_EBADINPUT,
                       "audit-key file %s does not hold a key (64 hex digits); make a new one "
                       "with scaidnsctl audit init-key",
                       path);
    return 0;
}

int sd_audit_setup(const char *key_path, const char *anchor_path, int *keyed, sd_err *e)
{
    if (sodium_init() < 0)
        return sd_fail(e, SD_EINTERNAL, "libsodium cannot start");
    unsigned char key[SD_AUDIT_KEY_BYTES];
    int rc = key_path && key_path[0] ? read_key(key_path, key, e) : 1;
    if (rc < 0)
        return rc;
    pthread_mutex_lock(&mu);
    snprintf(g_key_path, sizeof g_key_path, "%s", key_path ? key_path : "");
    snprintf(g_anchor_path, sizeof g_anchor_path, "%s", anchor_path ? anchor_path : "");
    g_have_key = rc == 0;
    if (g_have_key)
        memcpy(g_key, key, sizeof g_key);
    else
        sodium_memzero(g_key, sizeof g_key);
    g_key_warned = 0;
    pthread_mutex_unlock(&mu);
    sodium_memzero(key, sizeof key);
    if (keyed)
        *keyed = rc == 0;
    return 0;
}

/* Copies the key into key and returns 1, or returns 0 when there is none; a key file that
 * appeared since the last look is loaded first. */
static int key_now(unsigned char key[SD_AUDIT_KEY_BYTES])
{
    pthread_mutex_lock(&mu);
    if (!g_have_key && g_key_path[0]) {
        sd_err e;
        int rc = read_key(g_key_path, g_key, &e);
        if (rc == 0)
            g_have_key = 1;
        else if (rc < 0 && !g_key_warned) {
            g_key_warned = 1;
            pthread_mutex_unlock(&mu);
            warn("%s: audit rows are not keyed", e.msg);
            pthread_mutex_lock(&mu);
        }
    }
    int have = g_have_key;
    if (have)
        memcpy(key, g_key, SD_AUDIT_KEY_BYTES);
    pthread_mutex_unlock(&mu);
    return have;
}

int sd_audit_key_create(const char *path, sd_err *e)
{
    if (sodium_init() < 0)
        return sd_fail(e, SD_EINTERNAL, "libsodium cannot start");
    unsigned char key[SD_AUDIT_KEY_BYTES];
    char hex[2 * SD_AUDIT_KEY_BYTES + 2];
    randombytes_buf(key, sizeof key);
    sodium_bin2hex(hex, sizeof hex, key, sizeof key);
    sodium_memzero(key, sizeof key);
    size_t len = strlen(hex);
    hex[len++] = '\n';
    mode_t old = umask(0177);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    umask(old);
    if (fd < 0) {
        sodium_memzero(hex, sizeof hex);
        if (errno == EEXIST)
            return sd_fail(e, SD_ECONFLICT, "%s exists already: refusing to overwrite an audit key",
                           path);
        return sd_fail(e, SD_EINTERNAL, "cannot create audit key %s: %s", path, strerror(errno));
    }
    int ok = write(fd, hex, len) == (ssize_t)len && fsync(fd) == 0;
    int err = errno;
    sodium_memzero(hex, sizeof hex);
    if (close(fd) != 0 || !ok) {
        unlink(path);
        return sd_fail(e, SD_EINTERNAL, "cannot write audit key %s: %s", path, strerror(err));
    }
    return 0;
}

int sd_audit_anchor_create(const char *path, sd_err *e)
{
    mode_t old = umask(0177);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    umask(old);
    if (fd < 0)
        return sd_fail(e, SD_EINTERNAL, "cannot create audit anchor %s: %s", path, strerror(errno));
    close(fd);
    return 0;
}

/* A running hash: HMAC-SHA256 under a key, or plain BLAKE2b-256. */
typedef struct hasher {
    int keyed;
    crypto_generichash_state g;
    crypto_auth_hmacsha256_state h;
} hasher;

static void h_update(hasher *h, const void *p, size_t n)
{
    if (h->keyed)
        crypto_auth_hmacsha256_update(&h->h, p, n);
    else
        crypto_generichash_update(&h->g, p, n);
}

/* Adds one field (NULL as a distinct marker) to the running hash, length-prefixed so that
 * no two different rows can serialise alike. */
static void feed(hasher *h, const char *s)
{
    char len[24];
    if (!s) {
        h_update(h, "N", 1);
        return;
    }
    int n = snprintf(len, sizeof len, "S%zu:", strlen(s));
    h_update(h, len, (size_t)n);
    h_update(h, s, strlen(s));
}

/* Computes the stored hash of row id from its fields and the previous row's hash: keyed
 * ("k1:" + hex HMAC, over the sequence number too) when key is not NULL, else plain hex. */
static void row_hash(const unsigned char *key, int64_t id, const char *prev, int64_t at,
                     const char *actor, const char *zone, const char *action, const char *outcome,
                     const char *detail, char out[SD_AUDIT_HASH_MAX])
{
    hasher h = {.keyed = key != NULL};
    unsigned char mac[32];
    char when[24], seq[24];
    snprintf(when, sizeof when, "%" PRId64, at);
    snprintf(seq, sizeof seq, "%" PRId64, id);
    if (key) {
        crypto_auth_hmacsha256_init(&h.h, key, SD_AUDIT_KEY_BYTES);
        feed(&h, DOMAIN);
        feed(&h, seq);
    } else {
        crypto_generichash_init(&h.g, NULL, 0, sizeof mac);
    }
    feed(&h, prev);
    feed(&h, when);
    feed(&h, actor);
    feed(&h, zone);
    feed(&h, action);
    feed(&h, outcome);
    feed(&h, detail);
    if (key) {
        crypto_auth_hmacsha256_final(&h.h, mac);
        memcpy(out, KEYED, sizeof KEYED);
        sodium_bin2hex(out + strlen(KEYED), SD_AUDIT_HASH_MAX - strlen(KEYED), mac, sizeof mac);
    } else {
        crypto_generichash_final(&h.g, mac, sizeof mac);
        sodium_bin2hex(out, SD_AUDIT_HASH_MAX, mac, sizeof mac);
    }
    sodium_memzero(&h, sizeof h);
}

/* Appends "seq hash" to the anchor file; a failure is warned about (the change stands). */
static void anchor_append(int64_t seq, const char *hash)
{
    char path[4096];
    pthread_mutex_lock(&mu);
    snprintf(path, sizeof path, "%s", g_anchor_path);
    pthread_mutex_unlock(&mu);
    if (!path[0])
        return;
    char line[SD_AUDIT_HASH_MAX + 32];
    int n = snprintf(line, sizeof line, "%" PRId64 " %s\n", seq, hash);
    mode_t old = umask(0177);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    umask(old);
    /* One write(2) with O_APPEND: lines of concurrent writers never interleave. */
    if (fd < 0 || write(fd, line, (size_t)n) != n) {
        int err = errno;
        if (fd >= 0)
            close(fd);
        warn("cannot append audit head %" PRId64 " to the anchor %s: %s", seq, path, strerror(err));
        return;
    }
    close(fd);
}

int sd_audit_head(sqlite3 *db, int64_t *seq, char hash[SD_AUDIT_HASH_MAX], sd_err *e)
{
    sqlite3_stmt *st;
    *seq = 0;
    hash[0] = '\0';
    if (sd_db_prepare(db, "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1", &st, e) < 0)
        return -e->code;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *seq = sqlite3_column_int64(st, 0);
        const char *h = (const char *)sqlite3_column_text(st, 1);
        snprintf(hash, SD_AUDIT_HASH_MAX, "%s", h ? h : "");
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sd_db_fail(db, e, "read audit trail");
    return 0;
}

int sd_audit(sqlite3 *db, int64_t now, const char *actor, const char *zone, const char *action,
             const char *outcome, const char *detail, sd_err *e)
{
    char prev[SD_AUDIT_HASH_MAX], hash[SD_AUDIT_HASH_MAX];
    int64_t last;
    if (sd_audit_head(db, &last, prev, e) < 0)
        return -e->code;
    if (last == 0)
        snprintf(prev, sizeof prev, "%s", GENESIS);
    int64_t id = last + 1;
    unsigned char key[SD_AUDIT_KEY_BYTES];
    int keyed = key_now(key);
    row_hash(keyed ? key : NULL, id, prev, now, actor, zone, action, outcome, detail, hash);
    sodium_memzero(key, sizeof key);
    sqlite3_stmt *st;
    if (sd_db_prepare(db,
                      "INSERT INTO audit(id, at, actor, zone, action, outcome, detail, prev_hash, "
                      "hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      &st, e) < 0)
        return -e->code;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_text(st, 3, actor, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, zone, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, outcome, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, detail, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, prev, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, hash, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return sd_db_fail(db, e, "write audit row");
    if (sqlite3_get_autocommit(db)) { /* no transaction: the row is committed already */
        anchor_append(id, hash);
        return 0;
    }
    pending.db = db;
    pending.seq = id;
    memcpy(pending.hash, hash, sizeof hash);
    return 0;
}

void sd_audit_committed(sqlite3 *db)
{
    if (pending.db != db || pending.seq == 0)
        return;
    int64_t seq = pending.seq;
    char hash[SD_AUDIT_HASH_MAX];
    memcpy(hash, pending.hash, sizeof hash);
    pending.db = NULL;
    pending.seq = 0;
    /* Anchor only what is really in the keystore now. */
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT hash FROM audit WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_int64(st, 1, seq);
    int found = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) &&
                strcmp((const char *)sqlite3_column_text(st, 0), hash) == 0;
    sqlite3_finalize(st);
    if (found)
        anchor_append(seq, hash);
}

void sd_audit_rolled_back(sqlite3 *db)
{
    if (pending.db == db) {
        pending.db = NULL;
        pending.seq = 0;
    }
}

/* Returns column i as text, or NULL when it is NULL. */
static const char *col(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

/* Walks the chain in the keystore: fills r (rows, keyed) and *last (the last sequence
 * number); -SD_ECONFLICT at the first break. */
static int walk(sqlite3 *db, const unsigned char *key, sd_audit_report *r, int64_t *last, sd_err *e)
{
    sqlite3_stmt *st;
    if (sd_db_prepare(db,
                      "SELECT id, at, actor, zone, action, outcome, detail, prev_hash, hash "
                      "FROM audit ORDER BY id",
                      &st, e) < 0)
        return -e->code;
    char prev[SD_AUDIT_HASH_MAX] = GENESIS, hash[SD_AUDIT_HASH_MAX];
    int64_t prev_id = 0;
    int rc, bad = 0;
    while (!bad && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        const char *stored_prev = col(st, 7), *stored = col(st, 8);
        int keyed = stored && strncmp(stored, KEYED, strlen(KEYED)) == 0;
        if (id != prev_id + 1) {
            int64_t n = id - prev_id - 1;
            bad = sd_fail(e, SD_ECONFLICT,
                          "audit trail: %" PRId64 " row%s missing after sequence %" PRId64
                          " (deleted; the next row is %" PRId64 ")",
                          n, n == 1 ? "" : "s", prev_id, id);
            break;
        }
        if (keyed && !key) {
            bad = sd_fail(e, SD_EBADINPUT,
                          "audit row %" PRId64 " is keyed but the audit key is not here: "
                          "cannot check the trail without it",
                          id);
            break;
        }
        if (!keyed && r->keyed > 0) {
            bad = sd_fail(e, SD_ECONFLICT,
                          "audit trail: row %" PRId64 " altered (its hash is not keyed, after "
                          "keyed rows: rewritten without the audit key)",
                          id);
            break;
        }
        row_hash(keyed ? key : NULL, id, prev, sqlite3_column_int64(st, 1), col(st, 2), col(st, 3),
                 col(st, 4), col(st, 5), col(st, 6), hash);
        if (!stored_prev || strcmp(stored_prev, prev) != 0) {
            bad = sd_fail(e, SD_ECONFLICT,
                          "audit trail: row %" PRId64 " altered (it does not name the hash of "
                          "row %" PRId64 ")",
                          id, prev_id);
            break;
        }
        if (!stored || strcmp(stored, hash) != 0) {
            bad = sd_fail(e, SD_ECONFLICT,
                          "audit trail: row %" PRId64 " altered (its hash does not match its "
                          "fields)",
                          id);
            break;
        }
        snprintf(prev, sizeof prev, "%s", stored);
        prev_id = id;
        r->rows++;
        r->keyed += keyed;
    }
    sqlite3_finalize(st);
    *last = prev_id;
    if (bad)
        return bad;
    if (rc != SQLITE_DONE)
        return sd_db_fail(db, e, "read audit trail");
    return 0;
}

/* Compares the anchor file with the keystore's chain, whose last sequence number is last. */
static int check_anchor(sqlite3 *db, const char *path, int64_t last, sd_audit_report *r, sd_err *e)
{
    FILE *f = fopen(path, "re");
    if (!f) {
        if (errno != ENOENT)
            return sd_fail(e, SD_EBADINPUT, "cannot read audit anchor %s: %s", path,
                           strerror(errno));
        if (r->keyed > 0)
            return sd_fail(e, SD_ECONFLICT,
                           "audit anchor %s is missing, though the trail has keyed rows: rows "
                           "cut from its end could not be seen",
                           path);
        return 0;
    }
    r->anchor_found = 1;
    sqlite3_stmt *st;
    if (sd_db_prepare(db, "SELECT hash FROM audit WHERE id = ?", &st, e) < 0) {
        fclose(f);
        return -e->code;
    }
    char line[256];
    int lineno = 0, rc = 0;
    int64_t altered = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        long long seq;
        char hash[SD_AUDIT_HASH_MAX + 1];
        char extra;
        if (sscanf(line, "%lld %72s %c", &seq, hash, &extra) != 2 || seq <= 0 ||
            strlen(hash) >= SD_AUDIT_HASH_MAX) {
            rc = sd_fail(e, SD_ECONFLICT, "audit anchor %s line %d is malformed", path, lineno);
            break;
        }
        if (seq > r->anchored)
            r->anchored = seq;
        if (seq > last)
            continue;
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, seq);
        int step = sqlite3_step(st);
        if (step != SQLITE_ROW && step != SQLITE_DONE)
            rc = sd_db_fail(db, e, "read audit trail");
        else if ((step == SQLITE_DONE || !col(st, 0) || strcmp(col(st, 0), hash) != 0) &&
                 (altered == 0 || seq < altered))
            altered = seq;
    }
    sqlite3_finalize(st);
    fclose(f);
    if (rc < 0)
        return rc;
    if (altered)
        return sd_fail(e, SD_ECONFLICT,
                       "audit trail: row %" PRId64 " altered (the anchor %s holds another "
                       "hash for it)",
                       altered, path);
    if (r->anchored > last) {
        int64_t n = r->anchored - last;
        return sd_fail(e, SD_ECONFLICT,
                       "audit trail: %" PRId64 " row%s missing after sequence %" PRId64
                       " (the anchor %s goes up to %" PRId64 ")",
                       n, n == 1 ? "" : "s", last, path, r->anchored);
    }
    return 0;
}

int sd_audit_verify_report(sqlite3 *db, sd_audit_report *out, sd_err *e)
{
    sd_audit_report r = {0};
    unsigned char key[SD_AUDIT_KEY_BYTES];
    int keyed = key_now(key);
    int64_t last = 0;
    int rc = walk(db, keyed ? key : NULL, &r, &last, e);
    sodium_memzero(key, sizeof key);
    char path[4096];
    pthread_mutex_lock(&mu);
    snprintf(path, sizeof path, "%s", g_anchor_path);
    pthread_mutex_unlock(&mu);
    if (rc == 0 && path[0])
        rc = check_anchor(db, path, last, &r, e);
    if (out)
        *out = r;
    return rc;
}

int sd_audit_verify(sqlite3 *db, int64_t *rows, sd_err *e)
{
    sd_audit_report r;
    int rc = sd_audit_verify_report(db, &r, e);
    if (rows)
        *rows = r.rows;
    return rc;
}
