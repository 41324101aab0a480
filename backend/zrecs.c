/* zrecs.c - a zone's records rendered once into the JSON lookup returns, so that answering
 * lookup is a binary search in the zone index and a few copies, with no SQLite and no
 * allocation. Built on the first lookup of the zone and dropped with the other caches when
 * the keystore changes (store.h). */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "store.h"

typedef struct {
    size_t name; /* index into the zone index's names */
    size_t seq;  /* row order: type, then record id */
    sb_rec rec;
} row;

/* Orders rows by index name, then by the order SQLite gave them (type, record id). */
static int cmp_rows(const void *a, const void *b)
{
    const row *x = a, *y = b;
    if (x->name != y->name)
        return x->name < y->name ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void sb_zrecs_free(sb_zrecs *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        free((char *)r->recs[i].type);
    free(r->recs);
    free(r->first);
    free(r);
}

/* Renders one record's tail into out, in a new block "type\0frag" (freed through
 * out->type). Returns 0, or -1 when out of memory. */
static int render(const char *type, int64_t ttl, const char *content, int auth, int64_t zone_id,
                  sb_rec *out)
{
    sb_buf b = {0};
    size_t tl = strlen(type);
    if (sb_buf_put(&b, type, tl + 1) < 0 || sb_buf_puts(&b, ",\"qtype\":") < 0 ||
        sb_buf_json_str(&b, type, tl) < 0 || sb_buf_puts(&b, ",\"content\":") < 0 ||
        sb_buf_json_str(&b, content, strlen(content)) < 0 || sb_buf_puts(&b, ",\"ttl\":") < 0 ||
        sb_buf_int(&b, ttl) < 0 || sb_buf_puts(&b, auth ? ",\"auth\":1" : ",\"auth\":0") < 0 ||
        sb_buf_puts(&b, ",\"domain_id\":") < 0 || sb_buf_int(&b, zone_id) < 0 ||
        sb_buf_put(&b, "}", 1) < 0) {
        sb_buf_free(&b);
        return -1;
    }
    out->type = b.p;
    out->frag = b.p + tl + 1;
    out->frag_len = b.len - tl - 1;
    return 0;
}

/* Reads and renders every record of z (whose index is x) into r->recs, sorted. */
static int load(sb_store *s, sb_zone *z, const sb_zindex *x, sb_zrecs *r, sd_err *e)
{
    sqlite3_stmt *st = sb_store_stmt(s, SB_Q_ZONE_RECORDS, e);
    if (!st)
        return -e->code;
    sqlite3_bind_int64(st, 1, z->id);
    row *rows = NULL;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *n = (const char *)sqlite3_column_text(st, 0);
        const char *t = (const char *)sqlite3_column_text(st, 1);
        const char *content = (const char *)sqlite3_column_text(st, 3);
        char canon[SD_NAME_MAX];
        if (!n || !t || sb_dname_lower(n, canon, sizeof canon) < 0)
            continue;
        const sb_name *nm = sb_zindex_find(x, canon);
        if (!nm)
            continue; /* outside the zone: the index left it out too */
        if (r->n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            row *nr = realloc(rows, nc * sizeof *nr);
            if (!nr)
                break;
            rows = nr;
            cap = nc;
        }
        row *w = &rows[r->n];
        w->name = (size_t)(nm - x->names);
        w->seq = r->n;
        if (render(t, sqlite3_column_int64(st, 2), content ? content : "",
                   sb_zindex_auth(x, canon, t), z->id, &w->rec) < 0)
            break;
        r->n++;
    }
    sqlite3_reset(st);
    int fail = 0;
    if (rc == SQLITE_ROW)
        fail = sd_fail(e, SD_EINTERNAL, "out of memory");
    else if (rc != SQLITE_DONE)
        fail = sd_db_fail(sb_store_db(s), e, "read zone records");
    r->recs = fail ? NULL : malloc((r->n ? r->n : 1) * sizeof *r->recs);
    r->first = fail ? NULL : calloc(x->n + 1, sizeof *r->first);
    if (!fail && (!r->recs || !r->first))
        fail = sd_fail(e, SD_EINTERNAL, "out of memory");
    if (fail) {
        for (size_t i = 0; i < r->n; i++)
            free((char *)rows[i].rec.type);
        free(rows);
        r->n = 0;
        return fail;
    }
    if (r->n)
        qsort(rows, r->n, sizeof *rows, cmp_rows);
    for (size_t i = 0; i < r->n; i++) {
        r->recs[i] = rows[i].rec;
        r->first[rows[i].name + 1]++;
    }
    for (size_t i = 0; i < x->n; i++)
        r->first[i + 1] += r->first[i];
    free(rows);
    return 0;
}

const sb_zrecs *sb_store_records(sb_store *s, sb_zone *z, sd_err *e)
{
    if (z->recs)
        return z->recs;
    const sb_zindex *x = sb_store_index(s, z, e);
    if (!x)
        return NULL;
    sb_zrecs *r = calloc(1, sizeof *r);
    if (!r) {
        sd_fail(e, SD_EINTERNAL, "out of memory");
        return NULL;
    }
    if (load(s, z, x, r, e) < 0) {
        sb_zrecs_free(r);
        return NULL;
    }
    z->recs = r;
    return r;
}
