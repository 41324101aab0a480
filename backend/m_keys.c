/* m_keys.c - getDomainKeys: the zone's keys with their private halves unsealed for PowerDNS.
 * The private text is never logged, lives only in this call and the reply buffer, and is
 * wiped before its memory is freed. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "keystore/db.h"
#include "backend/methods.h"
#include "backend/params.h"
#include "lifecycle/keystate.h"

int sb_m_get_domain_keys(sb_store *s, json_t *params, json_t **result, sd_err *e)
{
    sb_zone *z;
    int rc = sb_zone_param(s, params, &z, e);
    if (rc != 0)
        return rc;
    const sd_seal_keys *seal = sb_store_seal(s);
    sqlite3_stmt *st = sb_store_stmt(s, SB_Q_KEYS, e);
    if (!st)
        return -e->code;
    sqlite3_bind_int64(st, 1, z->id);
    json_t *arr = json_array();
    if (!arr)
        return sd_fail(e, SD_EINTERNAL, "out of memory");
    int fail = 0;
    while (!fail && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        const char *kid = (const char *)sqlite3_column_text(st, 1);
        int flags = sqlite3_column_int(st, 2);
        const char *state = (const char *)sqlite3_column_text(st, 3);
        const void *blob = sqlite3_column_blob(st, 4);
        int blen = sqlite3_column_bytes(st, 4);
        if (!seal) {
            fail = sd_fail(e, SD_EINTERNAL, "no seal key loaded: cannot open private keys");
            break;
        }
        if (!kid || !state || !blob || blen <= 0) {
            fail = sd_fail(e, SD_EINTERNAL, "key %lld of %s has no private key", (long long)id,
                           z->name);
            break;
        }
        char *text = NULL;
        if (sd_unseal(seal, z->name, kid, blob, (size_t)blen, &text, e) < 0) {
            fail = -e->code;
            break;
        }
        json_t *k =
            json_pack("{s:I, s:i, s:b, s:b, s:s}", "id", (json_int_t)id, "flags", flags, "active",
                      sd_key_state_info_of(sd_key_state_parse(state))->signs, "published",
                      sd_key_state_info_of(sd_key_state_parse(state))->in_dnskey, "content", text);
        sodium_memzero(text, strlen(text));
        free(text);
        if (!k || json_array_append_new(arr, k) < 0)
            fail = sd_fail(e, SD_EINTERNAL, "out of memory");
    }
    sqlite3_reset(st);
    if (!fail && rc != SQLITE_DONE)
        fail = sd_db_fail(sb_store_db(s), e, "read keys");
    if (fail) {
        json_decref(arr); /* jansson frees the copies; the reply path wipes its own buffer */
        return fail;
    }
    *result = arr;
    return 0;
}
