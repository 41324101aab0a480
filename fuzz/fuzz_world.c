/* fuzz_world.c - the fuzzers' scratch keystore (see fuzz_world.h). */
#include "fuzz_world.h"

#include <dirent.h>
#include <jansson.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keystore/db.h"
#include "lifecycle/dnssec.h"
#include "lifecycle/policy_json.h"
#include "keystore/tsig.h"
#include "keystore/zone.h"

#define FZ_NOW ((int64_t)1776938400) /* 2026-04-23T10:00:00Z */

/* The directory fz_world_init made, for the exit handler (the harness's only global). */
static char scratch_dir[192];

void fz_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fuzz: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

/* Removes scratch_dir and the files in it (it holds no subdirectories). */
static void remove_scratch(void)
{
    DIR *d = scratch_dir[0] ? opendir(scratch_dir) : NULL;
    if (!d)
        return;
    char path[512];
    for (struct dirent *ent; (ent = readdir(d)) != NULL;) {
        if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", scratch_dir, ent->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(scratch_dir);
}

/* Runs sql on db or dies. */
static void exec_or_die(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fz_die("%s: %s", sql, msg ? msg : sqlite3_errmsg(db));
}

/* Puts one RRset of zone z (records separated by '|') or dies. */
static void rr(sqlite3 *db, const sd_zone *z, const char *name, const char *type, uint32_t ttl,
               const char *records)
{
    char copy[1024], *save = NULL;
    const char *list[16];
    size_t n = 0;
    snprintf(copy, sizeof copy, "%s", records);
    for (char *s = strtok_r(copy, "|", &save); s && n < 16; s = strtok_r(NULL, "|", &save))
        list[n++] = s;
    sd_err e;
    if (sd_rrset_put(db, z, name, type, ttl, list, n, 0, &e) < 0)
        fz_die("rrset %s %s in %s: %s", name, type, z->name, e.msg);
}

/* Creates zone name with the default SOA and NS, and gives it public id "d_" + id16. */
static void zone(sqlite3 *db, const char *name, int keys_only, const char *id16, sd_zone *z)
{
    sd_zone_init init = {
        NULL, "hostmaster.example.net.", "ns1.example.net.,ns2.example.net.", 3600, 300, keys_only,
        1};
    sd_err e;
    if (sd_zone_create(db, name, &init, "fuzz", FZ_NOW, z, &e) < 0)
        fz_die("zone %s: %s", name, e.msg);
    char *sql = sqlite3_mprintf("UPDATE zones SET public_id = 'd_%q' WHERE id = %lld", id16,
                                (long long)z->id);
    exec_or_die(db, sql);
    sqlite3_free(sql);
    snprintf(z->public_id, sizeof z->public_id, "d_%s", id16);
}

/* Confirms the DS of every current KSK of z (pending_ds -> active). */
static void confirm_ds(const sd_ctx *c, const sd_zone *z)
{
    json_t *list;
    sd_ds ds[4];
    size_t n = 0, i;
    json_t *d;
    sd_err e;
    if (sd_dnssec_ds_json(c->db, z, &list, &e) < 0)
        fz_die("ds of %s: %s", z->name, e.msg);
    json_array_foreach(list, i, d)
    {
        if (n < 4 && sd_ds_parse(json_string_value(json_object_get(d, "ds")), &ds[n], &e) == 0)
            n++;
    }
    json_decref(list);
    if (sd_dnssec_confirm_ds(c, z, ds, n, &e) < 0)
        fz_die("confirm ds of %s: %s", z->name, e.msg);
}

/* Fills db: see fuzz_world.h. */
static void fill(fz_world *w, sqlite3 *db)
{
    sd_ctx c = {db, &w->seal, &w->defaults, "fuzz", FZ_NOW};
    sd_zone com, ex, keys, plain, idn;
    sd_err e;
    zone(db, "example.com.", 0, "00000000000000c1", &com);
    rr(db, &com, "www", "A", 300, "192.0.2.1|192.0.2.2");
    rr(db, &com, "www", "AAAA", 300, "2001:db8::1");
    rr(db, &com, "@", "MX", 300, "10 mail.example.com.");
    rr(db, &com, "mail", "A", 300, "192.0.2.25");
    rr(db, &com, "a.b", "TXT", 300, "\"in an empty non-terminal\" \"with \\\"quotes\\\"\"");
    rr(db, &com, "sub", "NS", 3600, "ns.sub.example.com.");
    rr(db, &com, "sub", "DS", 3600,
       "12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF");
    rr(db, &com, "ns.sub", "A", 3600, "192.0.2.53");
    rr(db, &com, "*.wild", "A", 300, "192.0.2.99");
    rr(db, &com, "_sip._tcp", "SRV", 300, "10 60 5060 sip.example.com.");
    rr(db, &com, "@", "CAA", 300, "0 issue \"ca.example.net\"");
    rr(db, &com, "alias", "CNAME", 300, "www.example.com.");
    if (sd_dnssec_enable(&c, &com, 13, &e) < 0)
        fz_die("enable example.com.: %s", e.msg);
    confirm_ds(&c, &com);
    if (sd_dnssec_rotate_zsk(&c, &com, &e) < 0) /* a published ZSK beside the active one */
        fz_die("rotate-zsk example.com.: %s", e.msg);
    exec_or_die(db, "UPDATE zones SET kind = 'master' WHERE name = 'example.com.'");

    zone(db, "example.", 0, "00000000000000e1", &ex);
    rr(db, &ex, "@", "MX", 3600, "1 xx.example.");
    rr(db, &ex, "a", "NS", 3600, "ns1.a.example.|ns2.a.example.");
    rr(db, &ex, "a", "DS", 3600, "58470 5 1 3079F1593EBAD6DC121E202A8B766A6A4837206C");
    rr(db, &ex, "ns1.a", "A", 3600, "192.0.2.5");
    rr(db, &ex, "ai", "A", 3600, "192.0.2.9");
    rr(db, &ex, "*.w", "MX", 3600, "1 ai.example.");
    rr(db, &ex, "x.y.w", "MX", 3600, "1 xx.example.");
    rr(db, &ex, "xx", "A", 3600, "192.0.2.10");
    json_t *pol = json_pack("{s:{s:i, s:s, s:b}, s:[i, i]}", "nsec3", "iterations", 0, "salt",
                            "aabbccdd", "optout", 1, "cds_digest_types", 2, 4);
    sd_policy p;
    if (!pol || sd_policy_put(db, ex.id, ex.name, &w->defaults, pol, "fuzz", FZ_NOW, &p, &e) < 0)
        fz_die("nsec3 policy of example.: %s", pol ? e.msg : "out of memory");
    json_decref(pol);
    if (sd_dnssec_enable(&c, &ex, 13, &e) < 0)
        fz_die("enable example.: %s", e.msg);
    confirm_ds(&c, &ex);

    zone(db, "keys.test.", 1, "00000000000000f1", &keys);
    if (sd_dnssec_enable(&c, &keys, 15, &e) < 0)
        fz_die("enable keys.test.: %s", e.msg);
    zone(db, "plain.test.", 0, "00000000000000a1", &plain);
    rr(db, &plain, "host", "A", 60, "198.51.100.7");
    pol = json_pack("{s:b}", "cds_delete", 1); /* unsigned: the RFC 8078 DELETE pair */
    if (!pol ||
        sd_policy_put(db, plain.id, plain.name, &w->defaults, pol, "fuzz", FZ_NOW, &p, &e) < 0)
        fz_die("cds_delete policy of plain.test.: %s", pol ? e.msg : "out of memory");
    json_decref(pol);
    zone(db, "xn--bcher-kva.test.", 0, "00000000000000b1", &idn);

    /* TSIG keys (getTSIGKey, the API's /api/v1/tsigkeys), one transferring example.com. */
    char secret[SD_TSIG_SECRET_B64_MAX];
    const char *xfr[] = {"xfr."};
    if (sd_tsig_create(db, &w->seal, "xfr", NULL, "fuzz", FZ_NOW, secret, sizeof secret, NULL, &e) <
            0 ||
        sd_tsig_create(db, &w->seal, "old", "hmac-md5", "fuzz", FZ_NOW, secret, sizeof secret, NULL,
                       &e) < 0 ||
        sd_tsig_allow_axfr_set(db, com.id, com.name, xfr, 1, "fuzz", FZ_NOW, &e) < 0)
        fz_die("TSIG keys: %s", e.msg);
}

void fz_world_init(fz_world *w, const char *tag, int fill_it)
{
    memset(w, 0, sizeof *w);
    if (sodium_init() < 0)
        fz_die("cannot initialise libsodium");
    const char *tmp = getenv("TMPDIR");
    snprintf(w->dir, sizeof w->dir, "%s/scaidns-fuzz-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", tag);
    if (!mkdtemp(w->dir))
        fz_die("cannot create a directory like %s", w->dir);
    snprintf(scratch_dir, sizeof scratch_dir, "%s", w->dir);
    atexit(remove_scratch);
    sd_config_defaults(&w->cfg);
    snprintf(w->cfg.db, sizeof w->cfg.db, "%s/k.db", w->dir);
    snprintf(w->cfg.seal_key, sizeof w->cfg.seal_key, "%s/seal.key", w->dir);
    w->cfg.pdns_control_socket[0] = '\0';                              /* nothing to purge */
    snprintf(w->cfg.pdns_address, sizeof w->cfg.pdns_address, "none"); /* fails at once */
    snprintf(w->cfg.soa_edit, sizeof w->cfg.soa_edit, "INCEPTION-INCREMENT");
    sd_policy_from_config(&w->cfg, &w->defaults);
    sd_err e;
    sqlite3 *db;
    if (sd_seal_create(w->cfg.seal_key, &e) < 0 ||
        sd_seal_load_secret(w->cfg.seal_key, &w->seal, &e) < 0 ||
        sd_db_open(w->cfg.db, SD_DB_CREATE, &db, &e) < 0)
        fz_die("%s", e.msg);
    if (fill_it) {
        fill(w, db);
        const char *all = "dnssec:read,dnssec:enable,dnssec:disable,dnssec:rotate,zones:read,"
                          "zones:write,tsig:read,tsig:write";
        if (sd_token_create(db, "all", all, NULL, FZ_NOW, w->tok_all, sizeof w->tok_all, &e) < 0 ||
            sd_token_create(db, "read", "dnssec:read,zones:read", NULL, FZ_NOW, w->tok_read,
                            sizeof w->tok_read, &e) < 0 ||
            sd_token_create(db, "only", all, "example.com.", FZ_NOW, w->tok_only,
                            sizeof w->tok_only, &e) < 0)
            fz_die("tokens: %s", e.msg);
    }
    sd_db_close(db);
}

sqlite3 *fz_world_open(const fz_world *w)
{
    sqlite3 *db;
    sd_err e;
    if (sd_db_open(w->cfg.db, 0, &db, &e) < 0)
        fz_die("%s", e.msg);
    exec_or_die(db, "PRAGMA synchronous=OFF");
    return db;
}

void fz_db_copy(sqlite3 *dst, sqlite3 *src)
{
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    if (!b)
        fz_die("backup: %s", sqlite3_errmsg(dst));
    int rc = sqlite3_backup_step(b, -1);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE)
        fz_die("backup: %s", sqlite3_errstr(rc));
}
