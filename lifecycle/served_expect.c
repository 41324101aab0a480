/* served_expect.c - what the keystore says every server of a zone should serve now. */
#include "lifecycle/served.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifecycle/cds.h"
#include "keystore/db.h"
#include "keystore/key.h"

/* sd_cds_records callback: appends the content of each CDS record to the array arg. */
static int add_cds(const char *type, const char *content, void *arg)
{
    if (strcmp(type, "CDS") == 0)
        json_array_append_new(arg, json_string(content));
    return 0;
}

json_t *sd_served_expected_cds(sqlite3 *db, const sd_config *cfg, const sd_zone *z)
{
    /* A keys-only zone gets PowerDNS's own CDS (PUBLISH-CDS: every active KSK), not the
     * keystore's records: not checked. */
    if (z->keys_only)
        return NULL;
    sd_policy defaults, p;
    sd_err e;
    sd_policy_from_config(cfg, &defaults);
    json_t *cds = json_array();
    if (sd_policy_load(db, z->id, &defaults, &p, &e) < 0 ||
        sd_cds_records(db, z->id, z->name, &p, add_cds, cds, &e) < 0) {
        json_decref(cds);
        return NULL;
    }
    return cds;
}

/* Lower-case hex of len bytes (a new string). */
static char *hex_of(const uint8_t *p, size_t len)
{
    char *s = malloc(2 * len + 1);
    for (size_t i = 0; s && i < len; i++)
        snprintf(s + 2 * i, 3, "%02x", p[i]);
    if (s)
        s[2 * len] = '\0';
    return s;
}

/* Every key z has had: {"key_tag", "rdata", "published"} into keys, the published tags into
 * tags. */
static int read_keys(sqlite3 *db, const sd_zone *z, json_t *keys, json_t *tags, sd_err *e)
{
    sqlite3_stmt *st;
    if (sd_db_prepare(db,
                      "SELECT key_tag, flags, algorithm, public_key, state IN ('published', "
                      "'active', 'retired') FROM keys WHERE zone_id = ? ORDER BY key_tag, id",
                      &st, e) < 0)
        return -e->code;
    sqlite3_bind_int64(st, 1, z->id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint8_t *rdata = NULL;
        size_t len = 0;
        int tag = sqlite3_column_int(st, 0), published = sqlite3_column_int(st, 4);
        if (sd_dnskey_rdata((uint16_t)sqlite3_column_int(st, 1), sqlite3_column_int(st, 2),
                            (const char *)sqlite3_column_text(st, 3), &rdata, &len, NULL) < 0)
            continue; /* a key the keystore cannot rebuild is not expected anywhere */
        char *hex = hex_of(rdata, len);
        free(rdata);
        if (!hex)
            continue;
        json_array_append_new(keys, json_pack("{s:i, s:s, s:b}", "key_tag", tag, "rdata", hex,
                                              "published", published));
        free(hex);
        if (published)
            json_array_append_new(tags, json_integer(tag));
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : sd_db_fail(db, e, "read the zone's keys");
}

/* The serial of z's apex SOA in the keystore, or -1 when it has none. */
static int64_t keystore_serial(sqlite3 *db, const sd_zone *z)
{
    sqlite3_stmt *st;
    int64_t serial = -1;
    if (sqlite3_prepare_v2(db,
                           "SELECT r.content FROM rrsets s JOIN records r ON r.rrset_id = s.id "
                           "WHERE s.zone_id = ? AND s.name = ? AND s.type = 'SOA'",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, z->id);
    sqlite3_bind_text(st, 2, z->name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        unsigned long v; /* the names skipped whole: with \DDD escapes they reach 1004 chars */
        if (sscanf((const char *)sqlite3_column_text(st, 0), "%*s %*s %lu", &v) == 1)
            serial = (int64_t)v;
    }
    sqlite3_finalize(st);
    return serial;
}

int sd_served_expected(sqlite3 *db, const sd_config *cfg, const sd_zone *z, json_t **expected,
                       json_t **keys, sd_err *e)
{
    *expected = *keys = NULL;
    if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        return sd_fail(e, SD_EBUSY, "the keystore is busy");
    json_t *k = json_array(), *tags = json_array(), *unchecked = json_object();
    int rc = read_keys(db, z, k, tags, e);
    int64_t serial = rc == 0 ? keystore_serial(db, z) : -1;
    json_t *cds = rc == 0 ? sd_served_expected_cds(db, cfg, z) : NULL;
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (rc < 0) {
        json_decref(k);
        json_decref(tags);
        json_decref(unchecked);
        return rc;
    }
    if (z->keys_only) {
        json_object_set_new(unchecked, "soa_serial",
                            json_string("keys-only zone: the SOA lives in another backend"));
        serial = -1;
    } else if (cfg->soa_edit[0]) {
        char why[128];
        snprintf(why, sizeof why, "soa-edit %s: PowerDNS serves a serial of its own",
                 cfg->soa_edit);
        json_object_set_new(unchecked, "soa_serial", json_string(why));
        serial = -1;
    } else if (serial < 0) {
        json_object_set_new(unchecked, "soa_serial",
                            json_string("the keystore has no SOA for the zone"));
    }
    if (!cds)
        json_object_set_new(unchecked, "cds",
                            json_string(z->keys_only ? "keys-only zone: PowerDNS makes its own CDS"
                                                     : "the keystore cannot say which CDS to "
                                                       "expect"));
    *expected = json_pack("{s:o, s:o, s:o, s:o}", "dnskey", tags, "soa_serial",
                          serial >= 0 ? json_integer(serial) : json_null(), "cds",
                          cds ? cds : json_null(), "unchecked", unchecked);
    *keys = k;
    return 0;
}
