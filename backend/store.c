/* store.c - prepared statements, the request transaction and the caches of store.h. */
#include "backend/store.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "keystore/db.h"
#include "backend/log.h"
#include "keystore/perm.h"

/* How long a request waits for a keystore locked by a writer (only setNotified writes; in WAL
 * mode reads are not blocked by writers). Well under PowerDNS's 2000 ms remote-backend
 * timeout: the one thread must answer every connection in time, and PowerDNS 4.7 exits when
 * a backend call of its communicator thread times out. */
#define BUSY_TIMEOUT_MS 500
/* How often the file at the keystore's path is compared with the one open (one stat). */
#define FOLLOW_EVERY_MS 1000
/* The reply cache (sb_store_reply_find): open addressing over RC_SLOTS slots, emptied whole
 * when it holds RC_MAX replies or RC_MAX_BYTES bytes (PowerDNS's request lines carry query
 * names, which anyone can vary); replies over RC_MAX_REPLY bytes are not kept. */
#define RC_SLOTS 4096 /* a power of two, at least twice RC_MAX */
#define RC_MAX 2048
#define RC_MAX_BYTES (8u << 20)
#define RC_MAX_REPLY 65536
/* The wal-index header of SQLite's WAL mode (https://sqlite.org/walformat.html): 48 bytes,
 * kept twice at the start of the -shm file; byte 12 is isInit. */
#define WAL_HDR_WORDS 12

enum {
    Q_ZONES = SB_Q_COUNT, /* internal statements follow the public ones */
    Q_NAMES_TYPES,
    Q_ZONE_SOA,
    Q_DATA_VERSION,
    Q_JOURNAL_MODE,
    Q_BEGIN,
    Q_COMMIT,
    Q_ALL
};

static const char *const SQL[Q_ALL] = {
    [SB_Q_RRSETS_NAME] = "SELECT r.type, r.ttl, c.content FROM rrsets r "
                         "JOIN records c ON c.rrset_id = r.id "
                         "WHERE r.zone_id = ?1 AND r.name = ?2 ORDER BY r.type, c.id",
    [SB_Q_RRSETS_NAME_TYPE] = "SELECT r.type, r.ttl, c.content FROM rrsets r "
                              "JOIN records c ON c.rrset_id = r.id "
                              "WHERE r.zone_id = ?1 AND r.name = ?2 AND r.type = ?3 ORDER BY c.id",
    [SB_Q_LIST] = "SELECT r.name, r.type, r.ttl, c.content FROM rrsets r "
                  "JOIN records c ON c.rrset_id = r.id WHERE r.zone_id = ?1 "
                  "ORDER BY r.name, r.type, c.id",
    [SB_Q_KEYS] =
        "SELECT id, kid, flags, state, sealed_private FROM keys "
        "WHERE zone_id = ?1 AND state IN ('published', 'active', 'retired', 'signing') ORDER BY id",
    [SB_Q_LIVE_KEYS] = "SELECT count(*) FROM keys WHERE zone_id = ?1 AND state <> 'removed'",
    [SB_Q_SET_NOTIFIED] = "UPDATE zones SET notified_serial = ?1 WHERE id = ?2",
    [SB_Q_ZONE_RECORDS] = "SELECT r.name, r.type, r.ttl, c.content FROM rrsets r "
                          "JOIN records c ON c.rrset_id = r.id WHERE r.zone_id = ?1 "
                          "ORDER BY r.type, c.id",
    [Q_ZONES] = "SELECT id, name, kind, keys_only, notified_serial FROM zones ORDER BY name",
    [Q_ZONE_SOA] = "SELECT c.content FROM zones z JOIN rrsets r ON r.zone_id = z.id "
                   "AND r.name = z.name AND r.type = 'SOA' "
                   "JOIN records c ON c.rrset_id = r.id WHERE z.id = ?1 LIMIT 1",
    [Q_NAMES_TYPES] = "SELECT name, type FROM rrsets WHERE zone_id = ?1",
    [Q_DATA_VERSION] = "PRAGMA data_version",
    [Q_JOURNAL_MODE] = "PRAGMA journal_mode",
    [Q_BEGIN] = "BEGIN",
    [Q_COMMIT] = "COMMIT",
};

struct sb_store {
    const sd_config *cfg;
    sqlite3 *db;
    int have_seal;
    sd_seal_keys seal;
    sd_policy defaults;
    sqlite3_stmt *st[Q_ALL];
    int64_t data_version; /* -1 before the first request */
    int zones_loaded;
    sb_zone *zones; /* name order */
    size_t n_zones;
    sb_zone **by_id;     /* id order */
    sb_sarena secrets;   /* the zones' cached getDomainKeys replies */
    int64_t followed_ms; /* monotonic time of the last follow_file check */
    int moved_logged;    /* the loss of the file at the path has been logged */
    /* Change detection without a transaction (sb_store_unchanged): SQLite's own mapping of
     * the wal-index (NULL when the keystore is not in WAL mode or not mapped yet), and the
     * header read from it just before the last BEGIN, when hdr_valid. */
    const volatile uint32_t *shm;
    int shm_tried;
    int hdr_valid;
    uint32_t hdr[WAL_HDR_WORDS];
    /* The reply cache: request line -> reply line, both in rc_arena (replies of
     * getDomainKeys hold private keys), dropped with the other caches. */
    struct rc_slot *rc;
    size_t rc_n, rc_bytes;
    sb_sarena rc_arena;
    uint64_t rc_seed;
};

typedef struct rc_slot {
    uint64_t hash;
    const char *line; /* NULL: free slot */
    size_t line_len;
    const char *reply;
    size_t reply_len;
    int method;
} rc_slot;

const sd_config *sb_store_config(const sb_store *s)
{
    return s->cfg;
}

sqlite3 *sb_store_db(sb_store *s)
{
    return s->db;
}

const sd_seal_keys *sb_store_seal(const sb_store *s)
{
    return s->have_seal ? &s->seal : NULL;
}

sqlite3_stmt *sb_store_stmt(sb_store *s, int which, sd_err *e)
{
    if (!s->st[which]) {
        if (sd_db_prepare(s->db, SQL[which], &s->st[which], e) < 0)
            return NULL;
    } else {
        sqlite3_reset(s->st[which]);
        sqlite3_clear_bindings(s->st[which]);
    }
    return s->st[which];
}

/* Empties the reply cache, wiping the replies. */
static void rc_reset(sb_store *s)
{
    if (s->rc && s->rc_n)
        memset(s->rc, 0, RC_SLOTS * sizeof *s->rc);
    sb_sarena_reset(&s->rc_arena);
    s->rc_n = s->rc_bytes = 0;
}

/* Frees the zone list and everything hanging off it, and the reply cache. */
static void drop_zones(sb_store *s)
{
    rc_reset(s);
    for (size_t i = 0; i < s->n_zones; i++) {
        sb_zindex_free(s->zones[i].index);
        sb_zrecs_free(s->zones[i].recs);
        free(s->zones[i].meta);
        free(s->zones[i].policy);
        free(s->zones[i].name);
    }
    sb_sarena_reset(&s->secrets);
    free(s->zones);
    free(s->by_id);
    s->zones = NULL;
    s->by_id = NULL;
    s->n_zones = 0;
    s->zones_loaded = 0;
}

const char *sb_store_keep_secret(sb_store *s, const char *data, size_t n)
{
    return sb_sarena_copy(&s->secrets, data, n);
}

void sb_store_invalidate(sb_store *s)
{
    drop_zones(s);
    s->hdr_valid = 0;
}

int sb_store_wrap(const sd_config *cfg, sqlite3 *db, const sd_seal_keys *seal, sb_store **out,
                  sd_err *e)
{
    *out = NULL;
    sb_store *s = calloc(1, sizeof *s);
    if (!s) {
        sd_db_close(db);
        return sd_fail(e, SD_EINTERNAL, "out of memory");
    }
    s->cfg = cfg;
    s->db = db;
    s->data_version = -1;
    randombytes_buf(&s->rc_seed, sizeof s->rc_seed);
    if (seal) {
        s->seal = *seal;
        s->have_seal = 1;
    }
    sd_policy_from_config(cfg, &s->defaults);
    *out = s;
    return 0;
}

int sb_store_open(const sd_config *cfg, sb_store **out, sd_err *e)
{
    *out = NULL;
    sd_seal_keys seal;
    if (sd_seal_load_secret(cfg->seal_key, &seal, e) < 0)
        return -e->code;
    sqlite3 *db;
    if (sd_db_open(cfg->db, SD_DB_READONLY, &db, e) < 0) {
        sd_seal_wipe(&seal);
        return -e->code;
    }
    sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
    int rc = sb_store_wrap(cfg, db, &seal, out, e);
    sd_seal_wipe(&seal);
    return rc;
}

void sb_store_close(sb_store *s)
{
    if (!s)
        return;
    drop_zones(s);
    free(s->rc);
    for (int i = 0; i < Q_ALL; i++)
        sqlite3_finalize(s->st[i]);
    sd_db_close(s->db);
    sd_seal_wipe(&s->seal);
    free(s);
}

/* Runs a statement that returns no rows we need. */
static int exec_stmt(sb_store *s, int which, sd_err *e)
{
    sqlite3_stmt *st = sb_store_stmt(s, which, e);
    if (!st)
        return -e->code;
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return sd_db_fail(s->db, e, SQL[which]);
    return 0;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* At most every FOLLOW_EVERY_MS, outside a transaction: when the keystore file was deleted or
 * replaced, takes up the keystore now at the path (restored), dropping statements and
 * caches. Until one is there the old file, still open, is served: PowerDNS keeps answering
 * with the last state read, and the loss is logged once. */
static void follow_file(sb_store *s)
{
    int64_t now = mono_ms();
    if (now - s->followed_ms < FOLLOW_EVERY_MS)
        return;
    s->followed_ms = now;
    if (!sd_db_moved(s->db)) {
        s->moved_logged = 0;
        return;
    }
    sd_err e;
    sqlite3 *fresh;
    if (sd_perm_check_path("keystore", s->cfg->db, SD_MODE_KEYSTORE, &e) < 0 ||
        sd_db_open(s->cfg->db, SD_DB_READONLY, &fresh, &e) < 0) {
        if (!s->moved_logged)
            sb_log(SB_LOG_ERROR,
                   "keystore %s was deleted or replaced while open; serving the last state read "
                   "until a keystore is back at that path (%s)",
                   s->cfg->db, e.msg);
        s->moved_logged = 1;
        return;
    }
    for (int i = 0; i < Q_ALL; i++) {
        sqlite3_finalize(s->st[i]);
        s->st[i] = NULL;
    }
    drop_zones(s);
    sd_db_close(s->db);
    sqlite3_busy_timeout(fresh, BUSY_TIMEOUT_MS);
    s->db = fresh;
    s->data_version = -1;
    s->moved_logged = 0;
    s->shm = NULL;
    s->shm_tried = 0;
    s->hdr_valid = 0;
    sb_log(SB_LOG_WARNING, "keystore %s had been deleted or replaced: serving the file now there",
           s->cfg->db);
}

/* Reads the wal-index header from the shared memory as SQLite's readers do without a lock
 * (walIndexTryHdr): the first copy, a barrier, the second copy; a writer writes the second
 * copy first. Returns 0 with h filled when both copies agree and the header is initialised,
 * -1 otherwise (no mapping, or a writer is in the middle of a commit). */
static int read_wal_hdr(const sb_store *s, uint32_t h[WAL_HDR_WORDS])
{
    if (!s->shm)
        return -1;
    uint32_t h2[WAL_HDR_WORDS];
    for (int i = 0; i < WAL_HDR_WORDS; i++)
        h[i] = s->shm[i];
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    for (int i = 0; i < WAL_HDR_WORDS; i++)
        h2[i] = s->shm[WAL_HDR_WORDS + i];
    if (memcmp(h, h2, sizeof h2) != 0 || ((const unsigned char *)h)[12] != 1)
        return -1;
    return 0;
}

/* Inside a read transaction, once per open database: when the keystore is in WAL mode,
 * takes the address of SQLite's own mapping of the wal-index (the VFS's xShmMap of region
 * 0, already mapped by the transaction, so nothing new is opened or mapped). */
static void map_shm(sb_store *s)
{
    s->shm_tried = 1;
    sd_err e;
    sqlite3_stmt *st = sb_store_stmt(s, Q_JOURNAL_MODE, &e);
    int wal = st && sqlite3_step(st) == SQLITE_ROW &&
              sqlite3_stricmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
    if (st)
        sqlite3_reset(st);
    sqlite3_file *f = NULL;
    if (!wal || sqlite3_file_control(s->db, "main", SQLITE_FCNTL_FILE_POINTER, &f) != SQLITE_OK ||
        !f || !f->pMethods || f->pMethods->iVersion < 2 || !f->pMethods->xShmMap)
        return;
    volatile void *p = NULL;
    if (f->pMethods->xShmMap(f, 0, 32768, 0, &p) == SQLITE_OK && p)
        s->shm = (const volatile uint32_t *)p;
}

int sb_store_begin(sb_store *s, sd_err *e)
{
    int starts = sqlite3_get_autocommit(s->db);
    if (starts)
        follow_file(s);
    /* The header before BEGIN: the snapshot BEGIN takes is this state or a later one, so
     * while the header stays equal to it no commit can have come after the snapshot. */
    uint32_t pre[WAL_HDR_WORDS];
    int have_pre = starts && read_wal_hdr(s, pre) == 0;
    if (starts)
        s->hdr_valid = 0; /* until this transaction has started: a failed BEGIN (a writer
                             holding the keystore locked) must not leave the old header */
    if (sqlite3_get_autocommit(s->db) && exec_stmt(s, Q_BEGIN, e) < 0)
        return -e->code;
    sqlite3_stmt *st = sb_store_stmt(s, Q_DATA_VERSION, e);
    if (!st)
        return -e->code;
    if (sqlite3_step(st) != SQLITE_ROW) {
        int rc = sd_db_fail(s->db, e, "read data_version");
        sb_store_end(s);
        return rc;
    }
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (v != s->data_version) {
        drop_zones(s);
        s->data_version = v;
    }
    if (starts) {
        if (!s->shm_tried)
            map_shm(s);
        s->hdr_valid = have_pre;
        if (have_pre)
            memcpy(s->hdr, pre, sizeof pre);
    }
    return 0;
}

int sb_store_unchanged(sb_store *s)
{
    uint32_t h[WAL_HDR_WORDS];
    return s->hdr_valid && sqlite3_get_autocommit(s->db) &&
           mono_ms() - s->followed_ms < FOLLOW_EVERY_MS && read_wal_hdr(s, h) == 0 &&
           memcmp(h, s->hdr, sizeof h) == 0;
}

/* A seeded hash of a request line, 8 bytes a step. */
static uint64_t line_hash(uint64_t seed, const char *p, size_t n)
{
    uint64_t h = seed ^ (n * 0x9e3779b97f4a7c15ULL);
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        h = (h ^ v) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
    }
    uint64_t v = 0;
    memcpy(&v, p, n);
    h = (h ^ v) * 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 29);
}

/* The slot holding line, or the free slot where it would go. */
static rc_slot *rc_slot_for(sb_store *s, uint64_t h, const char *line, size_t len)
{
    for (size_t i = (size_t)h & (RC_SLOTS - 1);; i = (i + 1) & (RC_SLOTS - 1)) {
        rc_slot *sl = &s->rc[i];
        if (!sl->line || (sl->hash == h && sl->line_len == len && memcmp(sl->line, line, len) == 0))
            return sl;
    }
}

const char *sb_store_reply_find(sb_store *s, const char *line, size_t len, size_t *reply_len,
                                int *method)
{
    if (!s->rc || !s->rc_n)
        return NULL;
    rc_slot *sl = rc_slot_for(s, line_hash(s->rc_seed, line, len), line, len);
    if (!sl->line)
        return NULL;
    *reply_len = sl->reply_len;
    *method = sl->method;
    return sl->reply;
}

void sb_store_reply_keep(sb_store *s, const char *line, size_t len, const char *reply,
                         size_t reply_len, int method)
{
    if (reply_len > RC_MAX_REPLY || len > RC_MAX_REPLY)
        return;
    if (!s->rc && !(s->rc = calloc(RC_SLOTS, sizeof *s->rc)))
        return;
    if (s->rc_n >= RC_MAX || s->rc_bytes + len + reply_len > RC_MAX_BYTES)
        rc_reset(s);
    uint64_t h = line_hash(s->rc_seed, line, len);
    rc_slot *sl = rc_slot_for(s, h, line, len);
    if (sl->line)
        return;
    const char *l = sb_sarena_copy(&s->rc_arena, line, len);
    const char *r = l ? sb_sarena_copy(&s->rc_arena, reply, reply_len) : NULL;
    if (!r)
        return; /* out of memory: the arena is wiped with the next reset */
    *sl = (rc_slot){.hash = h,
                    .line = l,
                    .line_len = len,
                    .reply = r,
                    .reply_len = reply_len,
                    .method = method};
    s->rc_n++;
    s->rc_bytes += len + reply_len;
}

void sb_store_end(sb_store *s)
{
    for (int i = 0; i < Q_ALL; i++)
        if (s->st[i])
            sqlite3_reset(s->st[i]);
    if (!sqlite3_get_autocommit(s->db)) {
        sd_err e;
        if (exec_stmt(s, Q_COMMIT, &e) < 0)
            sd_db_rollback(s->db);
    }
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = (*(sb_zone *const *)a)->id, y = (*(sb_zone *const *)b)->id;
    return x < y ? -1 : x > y;
}

/* Parses the serial (third field) of SOA content. */
static int soa_serial(const char *content, uint32_t *serial)
{
    const char *p = content;
    for (int field = 0; field < 2; field++) {
        while (*p == ' ' || *p == '\t')
            p++;
        while (*p && *p != ' ' && *p != '\t')
            p++;
    }
    char *end;
    unsigned long long v = strtoull(p, &end, 10);
    if (end == p || v > 0xffffffffULL)
        return -1;
    *serial = (uint32_t)v;
    return 0;
}

/* Loads the zone list when it is not cached. */
static int load_zones(sb_store *s, sd_err *e)
{
    if (s->zones_loaded)
        return 0;
    sqlite3_stmt *st = sb_store_stmt(s, Q_ZONES, e);
    if (!st)
        return -e->code;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (s->n_zones == cap) {
            size_t nc = cap ? cap * 2 : 16;
            sb_zone *nz = realloc(s->zones, nc * sizeof *nz);
            if (!nz) {
                drop_zones(s);
                return sd_fail(e, SD_EINTERNAL, "out of memory");
            }
            s->zones = nz;
            cap = nc;
        }
        sb_zone *z = &s->zones[s->n_zones];
        memset(z, 0, sizeof *z);
        z->id = sqlite3_column_int64(st, 0);
        const char *name = (const char *)sqlite3_column_text(st, 1);
        char canon[SD_NAME_MAX];
        if (!name || sb_dname_lower(name, canon, sizeof canon) < 0)
            continue; /* a row no PowerDNS query can reach */
        if (!(z->name = strdup(canon))) {
            sqlite3_reset(st);
            drop_zones(s);
            return sd_fail(e, SD_EINTERNAL, "out of memory");
        }
        const char *kind = (const char *)sqlite3_column_text(st, 2);
        z->master = kind && strcmp(kind, "master") == 0;
        z->keys_only = sqlite3_column_int(st, 3) != 0;
        z->notified_serial =
            sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 4);
        s->n_zones++;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        drop_zones(s);
        return sd_db_fail(s->db, e, "read zones");
    }
    s->by_id = malloc((s->n_zones ? s->n_zones : 1) * sizeof *s->by_id);
    if (!s->by_id) {
        drop_zones(s);
        return sd_fail(e, SD_EINTERNAL, "out of memory");
    }
    for (size_t i = 0; i < s->n_zones; i++)
        s->by_id[i] = &s->zones[i];
    if (s->n_zones)
        qsort(s->by_id, s->n_zones, sizeof *s->by_id, cmp_id);
    s->zones_loaded = 1;
    return 0;
}

int sb_store_zone_count(sb_store *s, size_t *n, sd_err *e)
{
    if (load_zones(s, e) < 0)
        return -e->code;
    *n = s->n_zones;
    return 0;
}

sb_zone *sb_store_zone_at(sb_store *s, size_t i)
{
    return i < s->n_zones ? &s->zones[i] : NULL;
}

sb_zone *sb_store_zone_by_id(sb_store *s, int64_t id, sd_err *e)
{
    if (load_zones(s, e) < 0)
        return NULL;
    size_t lo = 0, hi = s->n_zones;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->by_id[mid]->id == id)
            return s->by_id[mid];
        if (s->by_id[mid]->id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

sb_zone *sb_store_zone_by_name(sb_store *s, const char *name, sd_err *e)
{
    if (load_zones(s, e) < 0)
        return NULL;
    size_t lo = 0, hi = s->n_zones;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int r = strcmp(name, s->zones[mid].name);
        if (r == 0)
            return &s->zones[mid];
        if (r < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

int sb_store_soa(sb_store *s, sb_zone *z, sd_err *e)
{
    if (z->soa_loaded)
        return 0;
    sqlite3_stmt *st = sb_store_stmt(s, Q_ZONE_SOA, e);
    if (!st)
        return -e->code;
    sqlite3_bind_int64(st, 1, z->id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *soa = (const char *)sqlite3_column_text(st, 0);
        z->has_soa = soa && soa_serial(soa, &z->serial) == 0;
    } else {
        z->has_soa = 0;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sd_db_fail(s->db, e, "read the SOA of a zone");
    z->soa_loaded = 1;
    return 0;
}

const sd_policy *sb_store_policy(sb_store *s, sb_zone *z, sd_err *e)
{
    if (!z->policy) {
        sd_policy *p = malloc(sizeof *p);
        if (!p) {
            sd_fail(e, SD_EINTERNAL, "out of memory");
            return NULL;
        }
        if (sd_policy_load(s->db, z->id, &s->defaults, p, e) < 0) {
            free(p);
            return NULL;
        }
        z->policy = p;
    }
    return z->policy;
}

const sb_zindex *sb_store_index(sb_store *s, sb_zone *z, sd_err *e)
{
    if (z->index)
        return z->index;
    const sd_policy *p = sb_store_policy(s, z, e);
    if (!p)
        return NULL;
    sqlite3_stmt *st = sb_store_stmt(s, Q_NAMES_TYPES, e);
    if (!st)
        return NULL;
    sqlite3_bind_int64(st, 1, z->id);
    char **names = NULL, **types = NULL;
    size_t n = 0, cap = 0;
    int rc, oom = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *type = (const char *)sqlite3_column_text(st, 1);
        char canon[SD_NAME_MAX];
        if (!name || !type || sb_dname_lower(name, canon, sizeof canon) < 0 ||
            !sb_dname_in(canon, z->name))
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            char **nn = realloc(names, nc * sizeof *nn);
            if (nn)
                names = nn;
            char **nt = realloc(types, nc * sizeof *nt);
            if (nt)
                types = nt;
            if (!nn || !nt) {
                oom = 1;
                break;
            }
            cap = nc;
        }
        names[n] = strdup(canon);
        types[n] = strdup(type);
        n++;
        if (!names[n - 1] || !types[n - 1]) {
            oom = 1;
            break;
        }
    }
    sqlite3_reset(st);
    if (!oom && rc != SQLITE_DONE)
        sd_db_fail(s->db, e, "read zone names");
    else if (!oom)
        z->index =
            sb_zindex_build(z->name, (const char *const *)names, (const char *const *)types, n,
                            p->nsec3, p->nsec3_salt, p->nsec3_iterations, p->nsec3_optout);
    for (size_t i = 0; i < n; i++) {
        free(names[i]);
        free(types[i]);
    }
    free(names);
    free(types);
    if (!z->index && (oom || rc == SQLITE_DONE))
        sd_fail(e, SD_EINTERNAL, "cannot index zone %s (out of memory or bad NSEC3 salt)", z->name);
    return z->index;
}
