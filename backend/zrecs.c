/* zrecs.c - a zone's records rendered once into the JSON lookup returns, so that answering
 * lookup is a binary search in the zone index and a few copies, with no SQLite and no
 * allocation. Built on the first lookup of the zone and dropped with the other caches when
 * the keystore changes (store.h). */
#include <stdlib.h>
#include <string.h>

#include "backend/buf.h"
#include "lifecycle/cds.h"
#include "keystore/db.h"
#include "lifecycle/dnssec.h"
#include "backend/store.h"

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

/* The rows being gathered for one zone. */
typedef struct rowset {
    row *v;
    size_t n, cap;
    const sb_zindex *x;
    int64_t zone_id;
    const char *apex; /* for the CDS/CDNSKEY records */
    int64_t apex_ttl;
} rowset;

/* Renders one record of canonical owner canon into rs. 1 when canon is outside the zone (the
 * index left it out too), 0 when added, -1 when out of memory. */
static int add_row(rowset *rs, const char *canon, const char *type, int64_t ttl,
                   const char *content)
{
    const sb_name *nm = sb_zindex_find(rs->x, canon);
    if (!nm)
        return 1;
    if (rs->n == rs->cap) {
        size_t nc = rs->cap ? rs->cap * 2 : 64;
        row *nr = realloc(rs->v, nc * sizeof *nr);
        if (!nr)
            return -1;
        rs->v = nr;
        rs->cap = nc;
    }
    row *w = &rs->v[rs->n];
    w->name = (size_t)(nm - rs->x->names);
    w->seq = rs->n;
    if (render(type, ttl, content, sb_zindex_auth(rs->x, canon, type), rs->zone_id, &w->rec) < 0)
        return -1;
    rs->n++;
    return 0;
}

/* sd_cds_fn: one CDS/CDNSKEY record at the apex, with the DNSKEY TTL (the SOA minimum). */
static int add_cds(const char *type, const char *content, void *arg)
{
    rowset *rs = arg;
    return add_row(rs, rs->apex, type, rs->apex_ttl, content) < 0 ? -SD_EINTERNAL : 0;
}

int sb_store_cds(sb_store *s, sb_zone *z, int64_t *ttl, sd_cds_fn fn, void *arg, sd_err *e)
{
    const sd_policy *p = sb_store_policy(s, z, e);
    if (!p)
        return -e->code;
    if (z->keys_only || !p->cds)
        return 0;
    sd_zone_ttls t;
    if (sd_zone_ttls_load(sb_store_db(s), z->id, &t, e) < 0)
        return -e->code;
    *ttl = t.soa_minimum > 0 ? t.soa_minimum : 3600;
    int rc = sd_cds_records(sb_store_db(s), z->id, z->name, p, fn, arg, e);
    if (rc == -SD_EINTERNAL)
        return sd_fail(e, SD_EINTERNAL, "out of memory");
    return rc < 0 ? rc : 0;
}

/* Reads and renders every record of z (whose index is x) into r->recs, sorted. */
static int load(sb_store *s, sb_zone *z, const sb_zindex *x, sb_zrecs *r, sd_err *e)
{
    sqlite3_stmt *st = sb_store_stmt(s, SB_Q_ZONE_RECORDS, e);
    if (!st)
        return -e->code;
    sqlite3_bind_int64(st, 1, z->id);
    rowset rs = {.x = x, .zone_id = z->id};
    int rc = SQLITE_DONE, oom = 0;
    while (!oom && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *n = (const char *)sqlite3_column_text(st, 0);
        const char *t = (const char *)sqlite3_column_text(st, 1);
        const char *content = (const char *)sqlite3_column_text(st, 3);
        char canon[SD_NAME_MAX];
        if (!n || !t || sb_dname_lower(n, canon, sizeof canon) < 0)
            continue;
        oom = add_row(&rs, canon, t, sqlite3_column_int64(st, 2), content ? content : "") < 0;
    }
    sqlite3_reset(st);
    int fail = 0;
    if (oom)
        fail = sd_fail(e, SD_EINTERNAL, "out of memory");
    else if (rc != SQLITE_DONE)
        fail = sd_db_fail(sb_store_db(s), e, "read zone records");
    else {
        rs.apex = z->name;
        fail = sb_store_cds(s, z, &rs.apex_ttl, add_cds, &rs, e);
    }
    row *rows = rs.v;
    r->n = rs.n;
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
