/* m_tsig.c - getTSIGKey and getTSIGKeys: the TSIG keys of the keystore with their secrets
 * unsealed for PowerDNS, which checks a signed AXFR with them (and signs NOTIFY); the
 * TSIG-ALLOW-AXFR metadata of a zone (added by m_meta.c through sb_tsig_allow_axfr_meta);
 * setTSIGKey and deleteTSIGKey refused: keys are created and deleted through scaidns, which
 * shows a secret once and audits every change.
 *
 * The statements are prepared per call on the request's snapshot (sb_store_db): PowerDNS asks
 * for a key once per signed transfer or NOTIFY, and for the metadata once per zone per cache
 * lifetime (the reply is kept with the zone's other metadata). Secrets live only in this call
 * and the reply (whose buffers are wiped), and are never logged. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "backend/methods.h"
#include "backend/params.h"
#include "keystore/db.h"
#include "keystore/tsig.h"

/* Builds {"name", "algorithm", "content"} for the current row of st (name, algorithm,
 * sealed_secret). NULL with e filled when the secret cannot be opened. */
static json_t *key_json(sb_store *s, sqlite3_stmt *st, sd_err *e)
{
    const char *name = (const char *)sqlite3_column_text(st, 0);
    const char *alg = (const char *)sqlite3_column_text(st, 1);
    const void *blob = sqlite3_column_blob(st, 2);
    int blen = sqlite3_column_bytes(st, 2);
    const sd_seal_keys *seal = sb_store_seal(s);
    const char *dns = sd_tsig_algorithm_dns(alg);
    if (!name || !dns || !blob || blen <= 0) {
        sd_fail(e, SD_EINTERNAL, "TSIG key %s is damaged in the keystore", name ? name : "?");
        return NULL;
    }
    if (!seal || !seal->have_secret) {
        sd_fail(e, SD_EINTERNAL, "no seal key loaded: cannot open TSIG key %s", name);
        return NULL;
    }
    char secret[SD_TSIG_SECRET_B64_MAX];
    if (sd_tsig_unseal(seal, name, alg, blob, (size_t)blen, secret, sizeof secret, e) < 0)
        return NULL;
    json_t *k = json_pack("{s:s, s:s, s:s}", "name", name, "algorithm", dns, "content", secret);
    sodium_memzero(secret, sizeof secret);
    if (!k)
        sd_fail(e, SD_EINTERNAL, "out of memory");
    return k;
}

int sb_m_get_tsig_key(sb_store *s, json_t *params, json_t **result, sd_err *e)
{
    const char *name;
    if (sb_param_str(params, "name", &name, e) < 0)
        return -e->code;
    char canon[SD_TSIG_NAME_MAX];
    sd_err ignored;
    if (sd_tsig_name_canon(name, canon, sizeof canon, &ignored) < 0)
        return SB_FALSE; /* not a name scaidns could hold: not ours */
    sqlite3 *db = sb_store_db(s);
    sqlite3_stmt *st;
    if (sd_db_prepare(db, "SELECT name, algorithm, sealed_secret FROM tsig_keys WHERE name = ?",
                      &st, e) < 0)
        return -e->code;
    sqlite3_bind_text(st, 1, canon, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    json_t *k = NULL;
    if (rc == SQLITE_ROW)
        k = key_json(s, st, e);
    else if (rc != SQLITE_DONE)
        sd_db_fail(db, e, "read TSIG key");
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return SB_FALSE;
    if (!k)
        return -e->code;
    /* PowerDNS reads algorithm and content; the name is ours to drop. */
    json_object_del(k, "name");
    *result = k;
    return 0;
}

int sb_m_get_tsig_keys(sb_store *s, json_t *params, json_t **result, sd_err *e)
{
    (void)params;
    sqlite3 *db = sb_store_db(s);
    sqlite3_stmt *st;
    if (sd_db_prepare(db, "SELECT name, algorithm, sealed_secret FROM tsig_keys ORDER BY name", &st,
                      e) < 0)
        return -e->code;
    json_t *arr = json_array();
    int rc, fail = arr ? 0 : sd_fail(e, SD_EINTERNAL, "out of memory");
    while (!fail && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *k = key_json(s, st, e);
        if (!k || json_array_append_new(arr, k) < 0)
            fail = -(e->code ? e->code : SD_EINTERNAL);
    }
    if (!fail && rc != SQLITE_DONE)
        fail = sd_db_fail(db, e, "list TSIG keys");
    sqlite3_finalize(st);
    if (fail) {
        json_decref(arr);
        return fail;
    }
    *result = arr;
    return 0;
}

int sb_m_set_tsig_key(sb_store *s, json_t *params, json_t **result, sd_err *e)
{
    (void)s;
    (void)params;
    (void)result;
    return sd_fail(e, SD_EBADINPUT,
                   "TSIG keys are managed by scaidns: use 'scaidnsctl tsig create' or POST "
                   "/api/v1/tsigkeys");
}

int sb_m_delete_tsig_key(sb_store *s, json_t *params, json_t **result, sd_err *e)
{
    (void)s;
    (void)params;
    (void)result;
    return sd_fail(e, SD_EBADINPUT,
                   "TSIG keys are managed by scaidns: use 'scaidnsctl tsig delete' or DELETE "
                   "/api/v1/tsigkeys/{name}");
}

int sb_tsig_allow_axfr_meta(sb_store *s, const sb_zone *z, json_t *meta, sd_err *e)
{
    sqlite3 *db = sb_store_db(s);
    sqlite3_stmt *st;
    if (sd_db_prepare(db,
                      "SELECT t.name FROM zone_tsig_axfr a JOIN tsig_keys t ON t.id = "
                      "a.tsig_key_id WHERE a.zone_id = ? ORDER BY t.name",
                      &st, e) < 0)
        return -e->code;
    sqlite3_bind_int64(st, 1, z->id);
    json_t *arr = json_array();
    int rc, fail = arr ? 0 : sd_fail(e, SD_EINTERNAL, "out of memory");
    while (!fail && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        if (!name || json_array_append_new(arr, json_string(name)) < 0)
            fail = sd_fail(e, SD_EINTERNAL, "out of memory");
    }
    if (!fail && rc != SQLITE_DONE)
        fail = sd_db_fail(db, e, "read the TSIG keys of a zone");
    sqlite3_finalize(st);
    if (!fail && json_array_size(arr) > 0) {
        if (json_object_set_new(meta, "TSIG-ALLOW-AXFR", arr) < 0)
            fail = sd_fail(e, SD_EINTERNAL, "out of memory");
        arr = NULL;
    }
    json_decref(arr);
    return fail;
}
