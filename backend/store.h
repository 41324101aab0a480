/* store.h - everything the method handlers read from the keystore, through prepared
 * statements, with in-memory caches that are dropped whenever the database changes.
 *
 * Each request runs inside one read transaction (sb_store_begin / sb_store_end), so all its
 * reads see one snapshot. At the start of each request PRAGMA data_version tells whether
 * another connection (scaidns-api, scaidnsctl, sqlite3) committed since the last request; if
 * so, the zone list, the policies and the zone name indexes are thrown away and rebuilt on
 * demand, and so are the pre-rendered replies hung on each zone: its records (sb_zrecs), its
 * metadata and its getDomainKeys reply. That last one holds unsealed private keys: it lives
 * in the store's guarded secret arena (sarena.h says why and how) and is wiped with the
 * rest.
 *
 * scaidns-backend first asks sb_store_unchanged, which answers without a transaction from
 * SQLite's WAL index whether anything was committed since the last request's snapshot; if
 * nothing was, a repeated request is answered from the reply cache below, without opening a
 * transaction at all. */
#ifndef SCAIDNS_BACKEND_STORE_H
#define SCAIDNS_BACKEND_STORE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "lifecycle/cds.h"
#include "keystore/config.h"
#include "backend/dname.h"
#include "keystore/error.h"
#include "keystore/name.h"
#include "keystore/policy.h"
#include "backend/sarena.h"
#include "keystore/seal.h"

/* Flags of a name in a zone's index. */
enum {
    SB_N_RECORDS = 1,  /* has at least one RRset */
    SB_N_DELEG = 2,    /* has NS and is not the apex: a delegation point */
    SB_N_DS = 4,       /* has DS */
    SB_N_OCCLUDED = 8, /* lies strictly below a delegation point (glue and the like) */
    SB_N_NSEC = 16,    /* in the NSEC chain */
    SB_N_NSEC3 = 32,   /* in the NSEC3 chain (hash is set) */
};

typedef struct sb_name {
    char *name;                       /* absolute, canonical */
    unsigned flags;                   /* SB_N_* ; no SB_N_RECORDS = empty non-terminal */
    char hash[SB_NSEC3_HASH_LEN + 1]; /* NSEC3 owner hash (base32hex) when SB_N_NSEC3 */
} sb_name;

/* Every owner name of a zone plus its empty non-terminals, with the NSEC and NSEC3 chains. */
typedef struct sb_zindex {
    sb_name *names; /* canonical order */
    size_t n;
    size_t *nsec; /* indexes into names of the NSEC chain, canonical order */
    size_t n_nsec;
    size_t *nsec3; /* indexes into names of the NSEC3 chain, hash order */
    size_t n_nsec3;
} sb_zindex;

/* One record, rendered once as the tail of the JSON object lookup returns:
 * ,"qtype":"A","content":"...","ttl":300,"auth":1,"domain_id":1}
 * (the caller writes {"qname":"<the qname as asked>" before it). */
typedef struct sb_rec {
    const char *type; /* NUL terminated; the same block as frag */
    const char *frag;
    size_t frag_len;
} sb_rec;

/* Every record of a zone, in the order lookup answers them: by the zone index's names,
 * then type, then record id. */
typedef struct sb_zrecs {
    sb_rec *recs;
    size_t *first; /* records of index name i: recs[first[i]] .. recs[first[i + 1] - 1] */
    size_t n;
} sb_zrecs;

typedef struct sb_zone {
    int64_t id;
    char *name;              /* canonical (malloc'd: 100,000 zones stay small) */
    int master;              /* kind = 'master' */
    int keys_only;           /* records live in another PowerDNS backend */
    int64_t notified_serial; /* -1 when never notified */
    int soa_loaded;          /* has_soa and serial are filled (sb_store_soa) */
    int has_soa;
    uint32_t serial;   /* SOA serial when has_soa */
    sd_policy *policy; /* loaded (malloc'd) on first use */
    sb_zindex *index;  /* built on first use */
    sb_zrecs *recs;    /* built on first use */
    char *meta;        /* the getAllDomainMetadata result as JSON, on first use */
    size_t meta_len;
    const char *keys; /* the getDomainKeys result as JSON (in the secret arena), on first use */
    size_t keys_len;
} sb_zone;

typedef struct sb_store sb_store;

/* Opens the keystore at cfg->db for reading (schema version checked, never migrated), loads
 * the seal key pair from cfg->seal_key (the secret half is needed to hand keys to
 * PowerDNS) and the default policy from cfg. cfg must outlive the store. */
int sb_store_open(const sd_config *cfg, sb_store **out, sd_err *e);

/* Builds a store on an open database (for tests); takes ownership of db. seal may be NULL
 * (getDomainKeys then fails). */
int sb_store_wrap(const sd_config *cfg, sqlite3 *db, const sd_seal_keys *seal, sb_store **out,
                  sd_err *e);

/* Closes everything, wiping the seal secret. NULL-safe. */
void sb_store_close(sb_store *s);

/* Starts a request: opens a read transaction and drops the caches if the database changed.
 * About once a second it first checks that the keystore file is still the one at its path,
 * and takes up the file now there if it was deleted or replaced (see store.c, follow_file). */
int sb_store_begin(sb_store *s, sd_err *e);

/* Ends the request's read transaction. */
void sb_store_end(sb_store *s);

/* 1 when, without a transaction or a system call, it is certain that no connection has
 * committed to the keystore since the last sb_store_begin started its read transaction,
 * so that every cache of the store (and every reply in the reply cache) still shows the
 * keystore as it is now; 0 when that is not certain (then sb_store_begin finds out).
 *
 * How: in WAL mode (the keystore's mode; scaidns opens it so) every commit, by any writer,
 * rewrites the wal-index header in the -shm shared memory before it returns, and a reader's
 * BEGIN decides whether its snapshot is new by comparing that same header (SQLite's
 * walTryBeginRead). sb_store_begin keeps the header read just before its BEGIN; while the
 * header is unchanged the snapshot is still the newest. The header is read as SQLite's
 * readers read it without a lock (two copies, a barrier between, both must agree). Also 0
 * when the keystore is not in WAL mode, before the first transaction, after
 * sb_store_invalidate, and once FOLLOW_EVERY_MS passed since the last check of the file at
 * the keystore's path (so that a replaced keystore is still noticed within a second). */
int sb_store_unchanged(sb_store *s);

/* The reply cache: a reply line kept for a request line, valid until the store's caches are
 * dropped (any change to the keystore, seen by sb_store_begin, or sb_store_invalidate).
 * find returns the reply (reply_len bytes, ending in '\n') and the method index it was kept
 * with, or NULL; call it only when sb_store_unchanged says 1. keep copies a reply computed
 * inside the current cache generation (after sb_store_begin, before anything else calls it)
 * into the cache; both copies live in guarded memory (replies of getDomainKeys hold private
 * keys) and are wiped when dropped. The cache is bounded (store.c, RC_*). */
const char *sb_store_reply_find(sb_store *s, const char *line, size_t len, size_t *reply_len,
                                int *method);
void sb_store_reply_keep(sb_store *s, const char *line, size_t len, const char *reply,
                         size_t reply_len, int method);

/* The configuration the store was opened with. */
const sd_config *sb_store_config(const sb_store *s);

/* The database handle (valid between begin and end). */
sqlite3 *sb_store_db(sb_store *s);

/* The seal keys, or NULL when none were loaded. */
const sd_seal_keys *sb_store_seal(const sb_store *s);

/* Statements the handlers use; see the SQL in store.c. */
enum {
    SB_Q_RRSETS_NAME,      /* (zone_id, name) -> type, ttl, content */
    SB_Q_RRSETS_NAME_TYPE, /* (zone_id, name, type) -> type, ttl, content */
    SB_Q_LIST,             /* (zone_id) -> name, type, ttl, content */
    SB_Q_KEYS,             /* (zone_id) -> id, kid, flags, state, sealed_private */
    SB_Q_LIVE_KEYS,        /* (zone_id) -> count of keys not removed */
    SB_Q_SET_NOTIFIED,     /* (serial, zone_id) */
    SB_Q_ZONE_RECORDS,     /* (zone_id) -> name, type, ttl, content by type, record id */
    SB_Q_COUNT
};

/* Returns the statement (prepared on first use), reset and with bindings cleared, or NULL
 * with e filled. */
sqlite3_stmt *sb_store_stmt(sb_store *s, int which, sd_err *e);

/* Number of zones, and zone i in name order (for getAllDomains and getUpdatedMasters). */
int sb_store_zone_count(sb_store *s, size_t *n, sd_err *e);
sb_zone *sb_store_zone_at(sb_store *s, size_t i);

/* Zone by id or by canonical name; NULL (and no error) when there is none. A database
 * failure returns NULL with e->code set. */
sb_zone *sb_store_zone_by_id(sb_store *s, int64_t id, sd_err *e);
sb_zone *sb_store_zone_by_name(sb_store *s, const char *name, sd_err *e);

/* Fills z->has_soa and z->serial from the zone's apex SOA, once per cache lifetime (the zone
 * list itself does not read SOAs: at 100,000 zones that would make every reload after a
 * keystore change six times slower). Returns 0, or < 0 with e filled. */
int sb_store_soa(sb_store *s, sb_zone *z, sd_err *e);

/* The zone's policy (defaults overlaid with its policies row). */
const sd_policy *sb_store_policy(sb_store *s, sb_zone *z, sd_err *e);

/* The zone's name index; NULL with e filled on failure. */
const sb_zindex *sb_store_index(sb_store *s, sb_zone *z, sd_err *e);

/* Finds name in an index; NULL when absent. */
const sb_name *sb_zindex_find(const sb_zindex *x, const char *name);

/* Whether records of type at name (in the zone of x) are authoritative: 0 below a delegation
 * point and at one except for DS, else 1. */
int sb_zindex_auth(const sb_zindex *x, const char *name, const char *type);

/* The zone's records, pre-rendered (zrecs.c); NULL with e filled on failure. */
const sb_zrecs *sb_store_records(sb_store *s, sb_zone *z, sd_err *e);

/* Calls fn for each CDS/CDNSKEY record served at z's apex (cds.h): none for a keys_only zone
 * (PowerDNS's PUBLISH-CDS metadata covers those) or when the policy publishes none. *ttl
 * receives their TTL (the SOA minimum, like DNSKEY) before the first call. Returns 0, or < 0
 * with e filled. */
int sb_store_cds(sb_store *s, sb_zone *z, int64_t *ttl, sd_cds_fn fn, void *arg, sd_err *e);

/* Frees what sb_store_records built. NULL-safe. */
void sb_zrecs_free(sb_zrecs *r);

/* Copies n bytes of secret data into the store's secret arena, which is wiped and emptied
 * with the other caches. Returns the copy or NULL when out of memory. */
const char *sb_store_keep_secret(sb_store *s, const char *data, size_t n);

/* Forgets all caches, so that the next request reloads (used after our own writes). */
void sb_store_invalidate(sb_store *s);

/* Builds the index of zone from its (name, type) pairs; exposed for tests. names[i] and
 * types[i] must lie in zone. nsec3 selects the NSEC3 chain (with salt, iterations, optout)
 * instead of the NSEC chain. Returns NULL on allocation failure or a bad salt. */
sb_zindex *sb_zindex_build(const char *zone, const char *const *names, const char *const *types,
                           size_t n, int nsec3, const char *salt, int iterations, int optout);

/* Frees an index. NULL-safe. */
void sb_zindex_free(sb_zindex *x);

#endif
