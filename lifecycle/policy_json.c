/* policy_json.c - per-zone policy through the API. */
#include "lifecycle/policy_json.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "keystore/audit.h"
#include "keystore/db.h"
#include "lifecycle/dnssec.h"
#include "keystore/key.h"

json_t *sd_policy_json(const sd_policy *p)
{
    json_t *nsec3 = p->nsec3 ? json_pack("{s:i, s:s, s:b}", "iterations", p->nsec3_iterations,
                                         "salt", p->nsec3_salt, "optout", p->nsec3_optout)
                             : json_null();
    json_t *digests = json_array();
    if (p->cds_digests & SD_CDS_SHA256)
        json_array_append_new(digests, json_integer(2));
    if (p->cds_digests & SD_CDS_SHA384)
        json_array_append_new(digests, json_integer(4));
    return json_pack(
        "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:i, s:i, s:i, s:o, s:b, s:b, s:o}", "dnskey_ttl",
        (json_int_t)p->dnskey_ttl, "propagation_delay", (json_int_t)p->propagation_delay,
        "publish_safety", (json_int_t)p->publish_safety, "retire_safety",
        (json_int_t)p->retire_safety, "parent_ds_ttl", (json_int_t)p->parent_ds_ttl,
        "parent_propagation_delay", (json_int_t)p->parent_propagation_delay, "zsk_lifetime",
        (json_int_t)p->zsk_lifetime, "ksk_lifetime", (json_int_t)p->ksk_lifetime, "algorithm",
        p->algorithm, "ksk_bits", p->ksk_bits, "zsk_bits", p->zsk_bits, "nsec3", nsec3, "cds",
        p->cds, "cds_delete", p->cds_delete, "cds_digest_types", digests);
}

/* Checks one duration field. */
static int check_range(const char *name, int64_t v, int64_t lo, int64_t hi, sd_err *e)
{
    if (v < lo || v > hi)
        return sd_fail(e, SD_EBADINPUT, "%s must be between %lld and %lld seconds", name,
                       (long long)lo, (long long)hi);
    return 0;
}

int sd_policy_check(const sd_policy *p, const sd_zone_ttls *t, sd_err *e)
{
    const int64_t week = 604800, year10 = 315360000;
    if (check_range("dnskey_ttl", p->dnskey_ttl, 1, week, e) < 0 ||
        check_range("propagation_delay", p->propagation_delay, 0, week, e) < 0 ||
        check_range("publish_safety", p->publish_safety, 0, 30 * 86400, e) < 0 ||
        check_range("retire_safety", p->retire_safety, 0, 30 * 86400, e) < 0 ||
        check_range("parent_ds_ttl", p->parent_ds_ttl, 1, week, e) < 0 ||
        check_range("parent_propagation_delay", p->parent_propagation_delay, 0, 30 * 86400, e) <
            0 ||
        check_range("zsk_lifetime", p->zsk_lifetime, 1, year10, e) < 0 ||
        check_range("ksk_lifetime", p->ksk_lifetime, 1, year10, e) < 0)
        return -SD_EBADINPUT;
    if (!sd_alg_supported(p->algorithm))
        return sd_fail(e, SD_EBADINPUT, "unsupported algorithm %d (supported: 8, 10, 13, 14, 15)",
                       p->algorithm);
    if ((p->ksk_bits != 2048 && p->ksk_bits != 3072 && p->ksk_bits != 4096) ||
        (p->zsk_bits != 2048 && p->zsk_bits != 3072 && p->zsk_bits != 4096))
        return sd_fail(e, SD_EBADINPUT, "ksk_bits and zsk_bits must be 2048, 3072 or 4096");
    if (p->nsec3 && (p->nsec3_iterations < 0 || p->nsec3_iterations > 100))
        return sd_fail(e, SD_EBADINPUT,
                       "nsec3.iterations must be between 0 and 100 (RFC 9276 "
                       "recommends 0)");
    size_t sl = strlen(p->nsec3_salt);
    for (size_t i = 0; i < sl; i++)
        if (!isxdigit((unsigned char)p->nsec3_salt[i]))
            return sd_fail(e, SD_EBADINPUT, "nsec3.salt must be hex");
    if (sl % 2 || sl > 64)
        return sd_fail(e, SD_EBADINPUT,
                       "nsec3.salt must be an even number of hex digits, at "
                       "most 64");
    int64_t pub = sd_wait_publish(p, t), ret = sd_wait_retire(p, t), ds = sd_wait_parent_ds(p);
    if (p->zsk_lifetime <= 2 * pub + ret)
        return sd_fail(e, SD_EBADINPUT,
                       "zsk_lifetime %lld is too short for this policy's own waits: it must "
                       "exceed 2 x publish wait %lld + retire wait %lld = %lld seconds",
                       (long long)p->zsk_lifetime, (long long)pub, (long long)ret,
                       (long long)(2 * pub + ret));
    if (p->ksk_lifetime <= 2 * (pub + ds))
        return sd_fail(e, SD_EBADINPUT,
                       "ksk_lifetime %lld is too short for this policy's own waits: it must "
                       "exceed 2 x (publish wait %lld + parent DS wait %lld) = %lld seconds",
                       (long long)p->ksk_lifetime, (long long)pub, (long long)ds,
                       (long long)(2 * (pub + ds)));
    return 0;
}

/* Reads an integer field into *dst and marks it given; 400 on a wrong type. */
static int take_int(json_t *body, const char *name, int64_t *dst, int *given, sd_err *e)
{
    json_t *v = json_object_get(body, name);
    if (!v)
        return 0;
    if (!json_is_integer(v))
        return sd_fail(e, SD_EBADINPUT, "%s must be a whole number", name);
    *dst = json_integer_value(v);
    *given = 1;
    return 0;
}

/* The column names of the overrides, in the order of sd_policy's integer fields. */
static const char *const FIELDS[] = {
    "dnskey_ttl",    "propagation_delay", "publish_safety",
    "retire_safety", "parent_ds_ttl",     "parent_propagation_delay",
    "zsk_lifetime",  "ksk_lifetime",      "algorithm",
    "ksk_bits",      "zsk_bits"};
#define NFIELDS (sizeof FIELDS / sizeof FIELDS[0])

/* Reads the nsec3 member (object or null) of body into p and the given flags. */
static int take_nsec3(json_t *body, sd_policy *p, int given[4], sd_err *e)
{
    json_t *v = json_object_get(body, "nsec3");
    if (!v)
        return 0;
    given[0] = 1;
    if (json_is_null(v)) {
        p->nsec3 = 0;
        return 0;
    }
    if (!json_is_object(v))
        return sd_fail(e, SD_EBADINPUT, "nsec3 must be an object or null");
    const char *k;
    json_t *x;
    json_object_foreach(v, k, x)
    {
        if (strcmp(k, "iterations") && strcmp(k, "salt") && strcmp(k, "optout"))
            return sd_fail(e, SD_EBADINPUT, "unknown field nsec3.%s", k);
    }
    p->nsec3 = 1;
    json_t *it = json_object_get(v, "iterations"), *salt = json_object_get(v, "salt"),
           *oo = json_object_get(v, "optout");
    if (it && (!json_is_integer(it) || json_integer_value(it) < 0 || json_integer_value(it) > 100))
        return sd_fail(e, SD_EBADINPUT, "nsec3.iterations must be a number from 0 to 100");
    if (salt && (!json_is_string(salt) || json_string_length(salt) >= sizeof p->nsec3_salt))
        return sd_fail(e, SD_EBADINPUT, "nsec3.salt must be a hex string");
    if (oo && !json_is_boolean(oo))
        return sd_fail(e, SD_EBADINPUT, "nsec3.optout must be true or false");
    p->nsec3_iterations = it ? (int)json_integer_value(it) : 0;
    snprintf(p->nsec3_salt, sizeof p->nsec3_salt, "%s", salt ? json_string_value(salt) : "");
    p->nsec3_optout = oo ? json_is_true(oo) : 0;
    given[1] = given[2] = given[3] = 1;
    return 0;
}

/* Reads cds_delete (a boolean) and cds_digest_types (a non-empty array of 2 and/or 4) from
 * body into p, setting *del_given / *dig_given for those present. */
static int take_cds_extra(json_t *body, sd_policy *p, int *del_given, int *dig_given, sd_err *e)
{
    json_t *del = json_object_get(body, "cds_delete");
    if (del) {
        if (!json_is_boolean(del))
            return sd_fail(e, SD_EBADINPUT, "cds_delete must be true or false");
        p->cds_delete = json_is_true(del);
        *del_given = 1;
    }
    json_t *dig = json_object_get(body, "cds_digest_types");
    if (!dig)
        return 0;
    size_t i;
    json_t *d;
    int bits = 0;
    if (!json_is_array(dig) || json_array_size(dig) == 0)
        return sd_fail(e, SD_EBADINPUT, "cds_digest_types must be a non-empty array of 2 and/or 4");
    json_array_foreach(dig, i, d)
    {
        json_int_t v = json_is_integer(d) ? json_integer_value(d) : 0;
        if (v != 2 && v != 4)
            return sd_fail(e, SD_EBADINPUT,
                           "cds_digest_types may hold only 2 (SHA-256) and 4 (SHA-384)");
        bits |= v == 2 ? SD_CDS_SHA256 : SD_CDS_SHA384;
    }
    p->cds_digests = bits;
    *dig_given = 1;
    return 0;
}

int sd_policy_put(sqlite3 *db, int64_t zone_id, const char *zone_name, const sd_policy *defaults,
                  json_t *body, const char *actor, int64_t now, sd_policy *out, sd_err *e)
{
    if (!json_is_object(body))
        return sd_fail(e, SD_EBADINPUT, "the policy must be a JSON object");
    const char *k;
    json_t *x;
    json_object_foreach(body, k, x)
    {
        int known = !strcmp(k, "nsec3") || !strcmp(k, "cds") || !strcmp(k, "cds_delete") ||
                    !strcmp(k, "cds_digest_types");
        for (size_t i = 0; i < NFIELDS; i++)
            known |= !strcmp(k, FIELDS[i]);
        if (!known)
            return sd_fail(e, SD_EBADINPUT, "unknown policy field '%s'", k);
    }
    sd_policy p = *defaults;
    int64_t v[NFIELDS] = {p.dnskey_ttl,    p.propagation_delay, p.publish_safety,
                          p.retire_safety, p.parent_ds_ttl,     p.parent_propagation_delay,
                          p.zsk_lifetime,  p.ksk_lifetime,      p.algorithm,
                          p.ksk_bits,      p.zsk_bits};
    int given[NFIELDS] = {0}, ngiven[4] = {0}, cds_given = 0, del_given = 0, dig_given = 0;
    for (size_t i = 0; i < NFIELDS; i++)
        if (take_int(body, FIELDS[i], &v[i], &given[i], e) < 0)
            return -SD_EBADINPUT;
    for (size_t i = 8; i < NFIELDS; i++)
        if (v[i] < 0 || v[i] > 65535)
            return sd_fail(e, SD_EBADINPUT, "%s is out of range", FIELDS[i]);
    p.dnskey_ttl = v[0];
    p.propagation_delay = v[1];
    p.publish_safety = v[2];
    p.retire_safety = v[3];
    p.parent_ds_ttl = v[4];
    p.parent_propagation_delay = v[5];
    p.zsk_lifetime = v[6];
    p.ksk_lifetime = v[7];
    p.algorithm = (int)v[8];
    p.ksk_bits = (int)v[9];
    p.zsk_bits = (int)v[10];
    if (take_nsec3(body, &p, ngiven, e) < 0)
        return -SD_EBADINPUT;
    json_t *cds = json_object_get(body, "cds");
    if (cds) {
        if (!json_is_boolean(cds))
            return sd_fail(e, SD_EBADINPUT, "cds must be true or false");
        p.cds = json_is_true(cds);
        cds_given = 1;
    }
    if (take_cds_extra(body, &p, &del_given, &dig_given, e) < 0)
        return -SD_EBADINPUT;
    if (sd_db_begin(db, e) < 0)
        return -e->code;
    sd_zone_ttls ttls;
    if (sd_zone_ttls_load(db, zone_id, &ttls, e) < 0 || sd_policy_check(&p, &ttls, e) < 0) {
        sd_db_rollback(db);
        return -e->code;
    }
    sqlite3_stmt *st;
    if (sd_db_prepare(db,
                      "INSERT OR REPLACE INTO policies(zone_id, dnskey_ttl, propagation_delay, "
                      "publish_safety, retire_safety, parent_ds_ttl, parent_propagation_delay, "
                      "zsk_lifetime, ksk_lifetime, algorithm, ksk_bits, zsk_bits, nsec3, "
                      "nsec3_iterations, nsec3_salt, nsec3_optout, cds, cds_delete, "
                      "cds_digests) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      &st, e) < 0) {
        sd_db_rollback(db);
        return -e->code;
    }
    sqlite3_bind_int64(st, 1, zone_id);
    for (size_t i = 0; i < NFIELDS; i++)
        if (given[i])
            sqlite3_bind_int64(st, (int)i + 2, v[i]);
    if (ngiven[0]) {
        sqlite3_bind_int(st, 13, p.nsec3);
        sqlite3_bind_int(st, 14, p.nsec3_iterations);
        sqlite3_bind_text(st, 15, p.nsec3_salt, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 16, p.nsec3_optout);
    }
    if (cds_given)
        sqlite3_bind_int(st, 17, p.cds);
    if (del_given)
        sqlite3_bind_int(st, 18, p.cds_delete);
    if (dig_given)
        sqlite3_bind_int(st, 19, p.cds_digests);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    char *detail = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
    if (rc != SQLITE_DONE)
        rc = sd_db_fail(db, e, "store policy");
    else
        rc = sd_audit(db, now, actor, zone_name, "policy-put", "ok", detail, e);
    free(detail);
    if (rc < 0) {
        sd_db_rollback(db);
        return rc;
    }
    if (sd_db_commit(db, e) < 0)
        return -e->code;
    if (out)
        *out = p;
    return 0;
}
