/* keystate.c - key states and the one next-step rule (keystate.h). */
#include "lifecycle/keystate.h"

#include <string.h>

#include "keystore/db.h"

static const sd_key_state_info STATES[SD_KEY_STATE_COUNT] = {
    [SD_KEY_PUBLISHED] = {"published", 1, 0}, [SD_KEY_ACTIVE] = {"active", 1, 1},
    [SD_KEY_RETIRED] = {"retired", 1, 0},     [SD_KEY_SIGNING] = {"signing", 0, 1},
    [SD_KEY_REMOVED] = {"removed", 0, 0},
};

const sd_key_state_info *sd_key_state_info_of(sd_key_state s)
{
    return &STATES[s < SD_KEY_STATE_COUNT ? s : SD_KEY_REMOVED];
}

const char *sd_key_state_name(sd_key_state s)
{
    return sd_key_state_info_of(s)->name;
}

sd_key_state sd_key_state_parse(const char *name)
{
    for (int s = 0; s < SD_KEY_STATE_COUNT; s++)
        if (name && strcmp(name, STATES[s].name) == 0)
            return (sd_key_state)s;
    return SD_KEY_STATE_COUNT;
}

const char *sd_key_step_name(sd_key_step_kind kind, int ksk)
{
    switch (kind) {
    case SD_STEP_DS_READY:
        return "ksk-ds-ready";
    case SD_STEP_ACTIVATE:
        return ksk ? "ksk-activate" : "zsk-activate";
    case SD_STEP_PUBLISH:
        return "key-publish";
    case SD_STEP_UNPUBLISH:
        return "key-unpublish";
    case SD_STEP_REMOVE:
        return ksk ? "ksk-remove" : "zsk-remove";
    case SD_STEP_ROLL:
        return ksk ? "ksk-roll" : "zsk-roll";
    default:
        return "unknown";
    }
}

size_t sd_key_steps(const sd_key_row *k, sd_key_step *out)
{
    size_t n = 0;
    int active = k->state == SD_KEY_ACTIVE;
    if (k->state == SD_KEY_REMOVED)
        return 0;
    /* A KSK in the DNSKEY RRset, not leaving, not yet named in CDS: its DS may go to the
     * parent from ds_publish_at (at once when it has none). */
    if (k->ksk && active && !k->remove_at && !k->cds_at)
        out[n++] = (sd_key_step){SD_STEP_DS_READY, k->ds_publish_at ? k->ds_publish_at : 1};
    /* A pre-published ZSK starts signing once its DNSKEY is everywhere. */
    if (!k->ksk && k->state == SD_KEY_PUBLISHED && k->activate_at)
        out[n++] = (sd_key_step){SD_STEP_ACTIVATE, k->activate_at};
    /* Algorithm rollover: signatures first, the DNSKEY after them; the old key leaves the
     * DNSKEY RRset before it stops signing. */
    if (k->state == SD_KEY_SIGNING && !k->unpublish_at && !k->remove_at && k->publish_at)
        out[n++] = (sd_key_step){SD_STEP_PUBLISH, k->publish_at};
    if (active && k->unpublish_at)
        out[n++] = (sd_key_step){SD_STEP_UNPUBLISH, k->unpublish_at};
    if (k->remove_at)
        out[n++] = (sd_key_step){SD_STEP_REMOVE, k->remove_at};
    /* A signing key not already on its way out gets its successor before it expires. */
    if (active && k->roll_at && !k->retire_at && !k->remove_at && !k->unpublish_at)
        out[n++] = (sd_key_step){SD_STEP_ROLL, k->roll_at};
    return n;
}

int64_t sd_key_next(const sd_key_row *k, sd_key_step *step)
{
    sd_key_step s[SD_STEP_KIND_COUNT];
    size_t n = sd_key_steps(k, s);
    size_t best = n;
    for (size_t i = 0; i < n; i++)
        if (best == n || s[i].at < s[best].at)
            best = i;
    if (best == n)
        return 0;
    if (step)
        *step = s[best];
    return s[best].at;
}

/* Returns column i, or 0 when NULL. */
static int64_t col64(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, i);
}

#define ROW_COLS                                                                                   \
    "id, role = 'KSK', key_tag, state, publish_at, activate_at, retire_at, remove_at, roll_at, "   \
    "ds_seen_at, unpublish_at, ds_publish_at, cds_at"

/* Fills *x from a statement selecting ROW_COLS (from column 0). */
static void row_read(sqlite3_stmt *st, sd_key_row *x)
{
    x->id = sqlite3_column_int64(st, 0);
    x->ksk = sqlite3_column_int(st, 1);
    x->key_tag = sqlite3_column_int(st, 2);
    x->state = sd_key_state_parse((const char *)sqlite3_column_text(st, 3));
    if (x->state == SD_KEY_STATE_COUNT)
        x->state = SD_KEY_REMOVED; /* the schema's CHECK forbids it; serve nothing */
    x->publish_at = col64(st, 4);
    x->activate_at = col64(st, 5);
    x->retire_at = col64(st, 6);
    x->remove_at = col64(st, 7);
    x->roll_at = col64(st, 8);
    x->ds_seen_at = col64(st, 9);
    x->unpublish_at = col64(st, 10);
    x->ds_publish_at = col64(st, 11);
    x->cds_at = col64(st, 12);
}

int sd_key_rows_load(sqlite3 *db, int64_t zone_id, sd_key_row *k, size_t *n, sd_err *e)
{
    sqlite3_stmt *st;
    *n = 0;
    if (sd_db_prepare(db,
                      "SELECT " ROW_COLS " FROM keys WHERE zone_id = ? AND state <> 'removed' "
                      "ORDER BY id",
                      &st, e) < 0)
        return -e->code;
    sqlite3_bind_int64(st, 1, zone_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < SD_ZONE_KEYS_MAX)
        row_read(st, &k[(*n)++]);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sd_db_fail(db, e, "read keys");
    return 0;
}

int sd_keystate_store(sqlite3 *db, int64_t zone_id, sd_err *e)
{
    sqlite3_stmt *rd, *wr;
    if (sd_db_prepare(db,
                      "SELECT " ROW_COLS ", next_step, next_at FROM keys "
                      "WHERE (?1 = 0 OR zone_id = ?1) ORDER BY id",
                      &rd, e) < 0)
        return -e->code;
    if (sd_db_prepare(db, "UPDATE keys SET next_step = ?2, next_at = ?3 WHERE id = ?1", &wr, e) <
        0) {
        sqlite3_finalize(rd);
        return -e->code;
    }
    sqlite3_bind_int64(rd, 1, zone_id);
    int rc;
    while ((rc = sqlite3_step(rd)) == SQLITE_ROW) {
        sd_key_row k;
        row_read(rd, &k);
        sd_key_step s;
        int64_t at = sd_key_next(&k, &s);
        const char *name = at ? sd_key_step_name(s.kind, k.ksk) : NULL;
        const char *old = (const char *)sqlite3_column_text(rd, 13);
        int64_t old_at = col64(rd, 14);
        if (old_at == at && ((!old && !name) || (old && name && strcmp(old, name) == 0)))
            continue;
        sqlite3_reset(wr);
        sqlite3_bind_int64(wr, 1, k.id);
        if (name) {
            sqlite3_bind_text(wr, 2, name, -1, SQLITE_STATIC);
            sqlite3_bind_int64(wr, 3, at);
        } else {
            sqlite3_bind_null(wr, 2);
            sqlite3_bind_null(wr, 3);
        }
        if (sqlite3_step(wr) != SQLITE_DONE) {
            rc = SQLITE_ERROR;
            break;
        }
    }
    sqlite3_finalize(rd);
    sqlite3_finalize(wr);
    return rc == SQLITE_DONE ? 0 : sd_db_fail(db, e, "store the keys' next steps");
}

/* Binds v, or NULL when v is 0. */
static void bind_time(sqlite3_stmt *st, int i, int64_t v)
{
    if (v)
        sqlite3_bind_int64(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

int sd_key_insert(sqlite3 *db, int64_t zone_id, int64_t now, const sd_key *key, const char *kid,
                  const uint8_t *sealed, size_t sealed_len, const sd_key_timeline *t, int64_t *id,
                  sd_err *e)
{
    sqlite3_stmt *st;
    if (sd_db_prepare(db,
                      "INSERT INTO keys(kid, zone_id, role, flags, algorithm, bits, key_tag, "
                      "public_key, sealed_private, state, created_at, publish_at, activate_at, "
                      "expires_at, roll_at, ds_submitted_at, ds_publish_at, ds_seen_at, cds_at) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      &st, e) < 0)
        return -e->code;
    sqlite3_bind_text(st, 1, kid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, zone_id);
    sqlite3_bind_text(st, 3, key->flags == SD_FLAGS_KSK ? "KSK" : "ZSK", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, key->flags);
    sqlite3_bind_int(st, 5, key->algorithm);
    sqlite3_bind_int(st, 6, key->bits);
    sqlite3_bind_int(st, 7, key->key_tag);
    sqlite3_bind_text(st, 8, key->public_b64, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 9, sealed, (int)sealed_len, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, t->state, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 11, now);
    bind_time(st, 12, t->publish_at);
    bind_time(st, 13, t->activate_at);
    bind_time(st, 14, t->expires_at);
    bind_time(st, 15, t->roll_at);
    bind_time(st, 16, t->ds_submitted_at);
    bind_time(st, 17, t->ds_publish_at);
    bind_time(st, 18, t->ds_seen_at);
    bind_time(st, 19, t->cds_at);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return sd_db_fail(db, e, "store key");
    if (id)
        *id = sqlite3_last_insert_rowid(db);
    return 0;
}
