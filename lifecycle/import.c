/* import.c - adopting keys another signer made (sd_dnssec_import). The keys are read and
 * sealed before the transaction; the transaction re-checks that DNSSEC is disabled, that no
 * live key of the zone has one of their tags, writes the keys (and, for a CSK, the ZSK that
 * will take over its signatures) and one audit row. */
#include "lifecycle/import.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "keystore/audit.h"
#include "keystore/db.h"
#include "keystore/key.h"
#include "keystore/key_import.h"
#include "lifecycle/timing.h"
#include "lifecycle/keystate.h"

/* A key read (or, for a CSK's split, generated) and sealed, ready to be inserted. */
typedef struct ikey {
    sd_key key;
    char kid[33];
    uint8_t *sealed;
    size_t sealed_len;
    const char *role; /* "csk", "ksk", "zsk" (the audit's words) */
} ikey;

/* Frees an ikey (wipes what is left of its private text). */
static void ikey_free(ikey *k)
{
    sd_key_free(&k->key);
    free(k->sealed);
    memset(k, 0, sizeof *k);
}

/* Seals k's private text for zone z under a fresh kid, then wipes the clear text. */
static int ikey_seal(const sd_ctx *c, const sd_zone *z, ikey *k, sd_err *e)
{
    unsigned char rnd[16];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(k->kid, sizeof k->kid, rnd, sizeof rnd);
    if (sd_seal(c->seal, z->name, k->kid, k->key.private_text, &k->sealed, &k->sealed_len, e) < 0)
        return -e->code;
    sodium_memzero(k->key.private_text, strlen(k->key.private_text));
    return 0;
}

int sd_import_role_parse(const char *text, sd_import_role *role, sd_err *e)
{
    if (text && strcasecmp(text, "csk") == 0)
        *role = SD_ROLE_CSK;
    else if (text && strcasecmp(text, "ksk") == 0)
        *role = SD_ROLE_KSK;
    else if (text && strcasecmp(text, "zsk") == 0)
        *role = SD_ROLE_ZSK;
    else
        return sd_fail(e, SD_EBADINPUT, "a key's role must be csk, ksk or zsk, not '%.16s'",
                       text ? text : "");
    return 0;
}

/* Checks the set of roles and states before any key is read. 0, or -400. */
static int check_set(const sd_import_key *keys, size_t n, sd_err *e)
{
    size_t csk = 0, ksk = 0, zsk = 0;
    if (n == 0)
        return sd_fail(e, SD_EBADINPUT, "give at least one key to import");
    if (n > SD_IMPORT_MAX_KEYS)
        return sd_fail(e, SD_EBADINPUT, "at most %d keys in one import, not %zu",
                       SD_IMPORT_MAX_KEYS, n);
    for (size_t i = 0; i < n; i++) {
        if (!keys[i].published || !keys[i].active)
            return sd_fail(e, SD_EBADINPUT,
                           "key %zu: only keys that are published and active are imported; "
                           "finish or undo the old signer's rollover first, or leave this key "
                           "out",
                           i + 1);
        csk += keys[i].role == SD_ROLE_CSK;
        ksk += keys[i].role == SD_ROLE_KSK;
        zsk += keys[i].role == SD_ROLE_ZSK;
    }
    if (!((csk == 1 && n == 1) || (ksk == 1 && zsk == 1 && n == 2)))
        return sd_fail(e, SD_EBADINPUT,
                       "import either one CSK, or one KSK and one ZSK (given: %zu CSK, %zu KSK, "
                       "%zu ZSK); finish the old signer's rollover first",
                       csk, ksk, zsk);
    return 0;
}

/* Reads and seals every key, checks algorithms and tags among them. 0, or -400/-500 with e
 * saying which key. */
static int read_keys(const sd_ctx *c, const sd_zone *z, const sd_import_key *keys, size_t n,
                     ikey *out, sd_err *e)
{
    static const char *const words[] = {"csk", "ksk", "zsk"};
    for (size_t i = 0; i < n; i++) {
        uint16_t flags = keys[i].role == SD_ROLE_ZSK ? SD_FLAGS_ZSK : SD_FLAGS_KSK;
        sd_err ke = {0, ""};
        if (sd_key_import(keys[i].private_key, keys[i].public_key, keys[i].algorithm, flags,
                          &out[i].key, &ke) < 0)
            return sd_fail(e, ke.code, "key %zu (%s): %s", i + 1, words[keys[i].role], ke.msg);
        out[i].role = words[keys[i].role];
        if (out[i].key.algorithm != out[0].key.algorithm)
            return sd_fail(e, SD_EBADINPUT,
                           "key %zu is of algorithm %d, key 1 of %d: finish the old signer's "
                           "algorithm rollover first",
                           i + 1, out[i].key.algorithm, out[0].key.algorithm);
        for (size_t j = 0; j < i; j++)
            if (out[j].key.key_tag == out[i].key.key_tag)
                return sd_fail(e, SD_EBADINPUT,
                               "keys %zu and %zu have the same key tag %u: a zone cannot hold "
                               "both",
                               j + 1, i + 1, (unsigned)out[i].key.key_tag);
        if (ikey_seal(c, z, &out[i], e) < 0)
            return -e->code;
    }
    return 0;
}

/* Makes the ZSK that takes over a CSK's signatures: the CSK's algorithm, a tag of its own. */
static int make_split_zsk(const sd_ctx *c, const sd_zone *z, const sd_policy *p, const ikey *csk,
                          ikey *out, sd_err *e)
{
    int alg = csk->key.algorithm;
    for (int tries = 0; tries < 8; tries++) {
        if (sd_key_generate(alg, alg == 8 || alg == 10 ? p->zsk_bits : 0, SD_FLAGS_ZSK, &out->key,
                            e) < 0)
            return -e->code;
        if (out->key.key_tag != csk->key.key_tag) {
            out->role = "zsk";
            return ikey_seal(c, z, out, e);
        }
        sd_key_free(&out->key);
    }
    return sd_fail(e, SD_EINTERNAL, "could not make a ZSK with a key tag of its own");
}

/* The timeline of a key to insert; 0 = NULL. */
typedef sd_key_timeline itime;

/* Inside the transaction: 409 unless the zone is disabled; 400 when a live key of the zone
 * has the tag of one of keys. */
static int check_zone(const sd_ctx *c, const sd_zone *z, const ikey *keys, size_t n, sd_err *e)
{
    char status[32];
    if (sd_dnssec_status(c->db, z->id, status, sizeof status, e) < 0)
        return -e->code;
    if (strcmp(status, "disabled") != 0)
        return sd_fail(e, SD_ECONFLICT,
                       "cannot import keys: DNSSEC is already enabled on this zone in scaidns "
                       "(status: %s); disable it first",
                       status);
    sqlite3_stmt *st;
    if (sd_db_prepare(c->db,
                      "SELECT count(*) FROM keys WHERE zone_id = ? AND key_tag = ? "
                      "AND state <> 'removed'",
                      &st, e) < 0)
        return -e->code;
    for (size_t i = 0; i < n; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, z->id);
        sqlite3_bind_int(st, 2, keys[i].key.key_tag);
        if (sqlite3_step(st) != SQLITE_ROW) {
            sqlite3_finalize(st);
            return sd_db_fail(c->db, e, "read keys");
        }
        if (sqlite3_column_int(st, 0) > 0) {
            sqlite3_finalize(st);
            return sd_fail(e, SD_EBADINPUT, "the zone already has a key with tag %u",
                           (unsigned)keys[i].key.key_tag);
        }
    }
    sqlite3_finalize(st);
    return 0;
}

/* Inserts k for zone z with timeline t. */
static int ikey_insert(const sd_ctx *c, const sd_zone *z, const ikey *k, const itime *t, sd_err *e)
{
    return sd_key_insert(c->db, z->id, c->now, &k->key, k->kid, k->sealed, k->sealed_len, t, NULL,
                         e);
}

/* Inside the transaction: writes the keys with their timelines, the serial bump and the
 * audit row (detail), and commits. */
static int store(const sd_ctx *c, const sd_zone *z, const sd_policy *p, ikey *keys, size_t n,
                 ikey *split, int ds_published, json_t *detail, sd_err *e)
{
    sd_zone_ttls ttls;
    if (sd_zone_ttls_load(c->db, z->id, &ttls, e) < 0 || check_zone(c, z, keys, n, e) < 0 ||
        (split->sealed && check_zone(c, z, split, 1, e) < 0))
        return -e->code;
    int64_t now = c->now, pub = sd_wait_publish(p, &ttls), ret = sd_wait_retire(p, &ttls);
    for (size_t i = 0; i < n; i++) {
        itime t = {.state = "active", .publish_at = now, .activate_at = now};
        if (keys[i].key.flags == SD_FLAGS_KSK) {
            t.expires_at = now + p->ksk_lifetime;
            t.roll_at = sd_roll_ksk_at(p, &ttls, t.expires_at, now);
            t.ds_submitted_at = now;
            /* Not yet at the parent: the DS may go there once every resolver has the keys,
             * as after enable (they may not have been served yet). */
            t.ds_publish_at = ds_published ? now : now + (pub > ret ? pub : ret);
            t.ds_seen_at = ds_published ? now : 0;
            t.cds_at = ds_published ? now : 0;
        } else {
            t.expires_at = now + p->zsk_lifetime;
            t.roll_at = sd_roll_zsk_at(p, &ttls, t.expires_at, now);
        }
        if (ikey_insert(c, z, &keys[i], &t, e) < 0)
            return -e->code;
    }
    if (split->sealed) {
        /* The CSK's split: pre-published now, signing after the publish wait (the engine's
         * ZSK activation), as a ZSK rollover's new key. */
        itime t = {.state = "published", .publish_at = now, .activate_at = now + pub};
        t.expires_at = t.activate_at + p->zsk_lifetime;
        t.roll_at = sd_roll_zsk_at(p, &ttls, t.expires_at, t.activate_at);
        if (ikey_insert(c, z, split, &t, e) < 0)
            return -e->code;
        json_object_set_new(detail, "split_activate_at", json_integer(t.activate_at));
    }
    char *text = json_dumps(detail, JSON_COMPACT | JSON_PRESERVE_ORDER);
    int rc = text ? 0 : sd_fail(e, SD_EINTERNAL, "out of memory");
    if (rc == 0 &&
        (sd_keystate_store(c->db, z->id, e) < 0 || sd_zone_bump_serial(c->db, z->id, e) < 0 ||
         sd_audit(c->db, c->now, c->actor, z->name, "dnssec-import", "ok", text, e) < 0))
        rc = -e->code;
    free(text);
    return rc < 0 ? rc : sd_db_commit(c->db, e);
}

/* The detail of the audit row and of the reply. */
static json_t *make_detail(const ikey *keys, size_t n, const ikey *split, int ds_published)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:s, s:i, s:i, s:i}", "role", keys[i].role,
                                             "key_tag", keys[i].key.key_tag, "algorithm",
                                             keys[i].key.algorithm, "flags", keys[i].key.flags));
    json_t *d = json_pack("{s:o, s:b}", "keys", arr, "ds_published", ds_published);
    if (split->sealed)
        json_object_set_new(d, "split_zsk", json_integer(split->key.key_tag));
    return d;
}

int sd_dnssec_import(const sd_ctx *c, const sd_zone *z, const sd_import_key *keys, size_t n,
                     int ds_published, json_t **detail, sd_err *e)
{
    ikey k[SD_IMPORT_MAX_KEYS], split;
    char status[32];
    sd_policy p;
    int rc;
    memset(k, 0, sizeof k);
    memset(&split, 0, sizeof split);
    if (detail)
        *detail = NULL;
    /* Cheap checks first: a refused call pays for no key work. */
    if (sd_dnssec_status(c->db, z->id, status, sizeof status, e) < 0)
        return -e->code;
    if (strcmp(status, "disabled") != 0)
        return sd_fail(e, SD_ECONFLICT,
                       "cannot import keys: DNSSEC is already enabled on this zone in scaidns "
                       "(status: %s); disable it first",
                       status);
    if (check_set(keys, n, e) < 0 || sd_policy_load(c->db, z->id, c->defaults, &p, e) < 0)
        return -e->code;
    rc = read_keys(c, z, keys, n, k, e);
    if (rc == 0 && n == 1 && keys[0].role == SD_ROLE_CSK)
        rc = make_split_zsk(c, z, &p, &k[0], &split, e);
    json_t *d = rc == 0 ? make_detail(k, n, &split, ds_published) : NULL;
    if (rc == 0 && !d)
        rc = sd_fail(e, SD_EINTERNAL, "out of memory");
    if (rc == 0)
        rc = sd_db_begin(c->db, e);
    if (rc == 0) {
        rc = store(c, z, &p, k, n, &split, ds_published, d, e);
        if (rc < 0)
            sd_db_rollback(c->db);
    }
    if (rc == 0 && detail)
        *detail = json_incref(d);
    json_decref(d);
    for (size_t i = 0; i < n && i < SD_IMPORT_MAX_KEYS; i++)
        ikey_free(&k[i]);
    ikey_free(&split);
    return rc < 0 ? rc : 0;
}
