/* dnssec_json.c - the zone's DNSSEC state in the reference's JSON shape, and DS parsing. */
#include "lifecycle/dnssec.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "keystore/db.h"
#include "keystore/key.h"
#include "keystore/timefmt.h"
#include "lifecycle/keystate.h"

#define KEY_COLS                                                                                   \
    "id, role, flags, algorithm, bits, key_tag, public_key, state, created_at, publish_at, "       \
    "activate_at, retire_at, remove_at, expires_at, ds_submitted_at, ds_seen_at, roll_at, "        \
    "ds_publish_at"

/* Sets field name of o to the RFC 3339 time in column i, or null. */
static void set_time(json_t *o, const char *name, sqlite3_stmt *st, int i)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL) {
        json_object_set_new(o, name, json_null());
        return;
    }
    char buf[32];
    sd_time_rfc3339(sqlite3_column_int64(st, i), buf, sizeof buf);
    json_object_set_new(o, name, json_string(buf));
}

/* Builds one key object from a row of KEY_COLS. */
static json_t *key_from_row(const sd_zone *z, sqlite3_stmt *st)
{
    const char *state = (const char *)sqlite3_column_text(st, 7);
    const char *pub = (const char *)sqlite3_column_text(st, 6);
    int flags = sqlite3_column_int(st, 2), alg = sqlite3_column_int(st, 3);
    char dnskey[2048];
    if (sd_dnskey_presentation(z->name, (uint16_t)flags, alg, pub, dnskey, sizeof dnskey) < 0)
        dnskey[0] = '\0';
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0)));
    json_object_set_new(o, "key_tag", json_integer(sqlite3_column_int(st, 5)));
    json_object_set_new(o, "algorithm", json_integer(alg));
    json_object_set_new(o, "public_key", json_string(pub));
    json_object_set_new(o, "key_type", json_string((const char *)sqlite3_column_text(st, 1)));
    set_time(o, "created_at", st, 8);
    set_time(o, "expires_at", st, 13);
    const sd_key_state_info *si = sd_key_state_info_of(sd_key_state_parse(state));
    json_object_set_new(o, "active", json_boolean(si->signs));
    json_object_set_new(o, "published", json_boolean(si->in_dnskey));
    json_object_set_new(o, "flags", json_integer(flags));
    json_object_set_new(o, "bits", json_integer(sqlite3_column_int(st, 4)));
    json_object_set_new(o, "state", json_string(state));
    json_object_set_new(o, "dnskey", json_string(dnskey));
    set_time(o, "publish_at", st, 9);
    set_time(o, "activate_at", st, 10);
    set_time(o, "retire_at", st, 11);
    set_time(o, "remove_at", st, 12);
    set_time(o, "roll_at", st, 16);
    if (flags == SD_FLAGS_KSK) {
        set_time(o, "ds_submitted_at", st, 14);
        set_time(o, "ds_seen_at", st, 15);
        set_time(o, "ds_publish_after", st, 17);
    }
    return o;
}

int sd_dnssec_key_json(sqlite3 *db, const sd_zone *z, int64_t key_id, json_t **out, sd_err *e)
{
    sqlite3_stmt *st;
    *out = NULL;
    if (sd_db_prepare(db, "SELECT " KEY_COLS " FROM keys WHERE zone_id = ? AND id = ?", &st, e) < 0)
        return -e->code;
    sqlite3_bind_int64(st, 1, z->id);
    sqlite3_bind_int64(st, 2, key_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = key_from_row(z, st);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc == SQLITE_DONE)
        return sd_fail(e, SD_ENOTFOUND, "key not found");
    return sd_db_fail(db, e, "read key");
}

int sd_dnssec_ds_json(sqlite3 *db, const sd_zone *z, json_t **out, sd_err *e)
{
    sqlite3_stmt *st;
    *out = NULL;
    /* The KSKs the parent should hold: live and not on their way out. */
    if (sd_db_prepare(db,
                      "SELECT key_tag, algorithm, flags, public_key FROM keys WHERE zone_id = ? "
                      "AND role = 'KSK' AND state <> 'removed' AND remove_at IS NULL ORDER BY id",
                      &st, e) < 0)
        return -e->code;
    sqlite3_bind_int64(st, 1, z->id);
    json_t *arr = json_array();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (sd_ds_json_append(arr, z->name, sqlite3_column_int(st, 2), sqlite3_column_int(st, 1),
                              (const char *)sqlite3_column_text(st, 3), e) < 0) {
            sqlite3_finalize(st);
            json_decref(arr);
            return -e->code;
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        json_decref(arr);
        return sd_db_fail(db, e, "read KSKs");
    }
    *out = arr;
    return 0;
}

int sd_dnssec_state_json(sqlite3 *db, const sd_zone *z, json_t **out, sd_err *e)
{
    char status[32];
    *out = NULL;
    if (sd_dnssec_status(db, z->id, status, sizeof status, e) < 0)
        return -e->code;
    sqlite3_stmt *st;
    if (sd_db_prepare(db,
                      "SELECT " KEY_COLS " FROM keys WHERE zone_id = ? AND state <> 'removed' "
                      "ORDER BY id",
                      &st, e) < 0)
        return -e->code;
    sqlite3_bind_int64(st, 1, z->id);
    json_t *ksk = json_array(), *zsk = json_array();
    int rc, algorithm = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *k = key_from_row(z, st);
        int is_ksk = sqlite3_column_int(st, 2) == SD_FLAGS_KSK;
        /* The zone's algorithm is that of its newest active KSK. */
        if (is_ksk && strcmp((const char *)sqlite3_column_text(st, 7), "active") == 0)
            algorithm = sqlite3_column_int(st, 3);
        json_array_append_new(is_ksk ? ksk : zsk, k);
    }
    sqlite3_finalize(st);
    json_t *ds = NULL;
    if (rc != SQLITE_DONE || sd_dnssec_ds_json(db, z, &ds, e) < 0) {
        json_decref(ksk);
        json_decref(zsk);
        return rc != SQLITE_DONE ? sd_db_fail(db, e, "read keys") : -e->code;
    }
    json_t *o = json_object();
    json_object_set_new(o, "domain_id", json_string(z->public_id));
    json_object_set_new(o, "name", json_string(z->name));
    json_object_set_new(o, "enabled", json_boolean(strcmp(status, "disabled") != 0));
    json_object_set_new(o, "status", json_string(status));
    json_object_set_new(o, "algorithm", algorithm ? json_integer(algorithm) : json_null());
    json_object_set_new(o, "ksk", ksk);
    json_object_set_new(o, "zsk", zsk);
    json_object_set_new(o, "ds_records", ds);
    *out = o;
    return 0;
}

/* Parses a whole decimal number in [lo, hi] from tok. */
static int parse_num(const char *tok, long lo, long hi, int *out)
{
    char *end;
    if (!tok || !isdigit((unsigned char)*tok))
        return -1;
    long v = strtol(tok, &end, 10);
    if (*end || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

int sd_ds_parse(const char *text, sd_ds *out, sd_err *e)
{
    /* Every word of buf fits in tok (a word and its blank take two bytes), so that none of a
     * digest split into many words is lost. */
    char buf[1024], *tok[sizeof buf / 2], *save = NULL;
    size_t n = 0;
    memset(out, 0, sizeof *out);
    if (!text || strlen(text) >= sizeof buf)
        return sd_fail(e, SD_EBADINPUT, "invalid DS record");
    snprintf(buf, sizeof buf, "%s", text);
    for (char *s = strtok_r(buf, " \t", &save); s; s = strtok_r(NULL, " \t", &save))
        tok[n++] = s;
    /* Find "DS" if the line has an owner; the four fields follow it. */
    size_t start = 0;
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(tok[i], "DS") == 0)
            start = i + 1;
    if (n < start + 4)
        return sd_fail(e, SD_EBADINPUT,
                       "invalid DS record: expected 'key_tag algorithm "
                       "digest_type digest'");
    if (parse_num(tok[start], 0, 65535, &out->key_tag) < 0 ||
        parse_num(tok[start + 1], 0, 255, &out->algorithm) < 0 ||
        parse_num(tok[start + 2], 0, 255, &out->digest_type) < 0)
        return sd_fail(e, SD_EBADINPUT,
                       "invalid DS record: key tag, algorithm and digest type "
                       "must be numbers");
    /* The digest may be split into several hex words. */
    size_t used = 0;
    for (size_t i = start + 3; i < n; i++) {
        for (const char *p = tok[i]; *p; p++) {
            if (!isxdigit((unsigned char)*p) || used + 1 >= sizeof out->digest)
                return sd_fail(e, SD_EBADINPUT, "invalid DS record: the digest must be hex");
            out->digest[used++] = *p;
        }
    }
    out->digest[used] = '\0';
    if (used == 0)
        return sd_fail(e, SD_EBADINPUT, "invalid DS record: empty digest");
    return 0;
}
