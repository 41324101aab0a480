/* zimport.c - loading an RFC 1035 zone file into a new zone, all or nothing. */
#include "keystore/zone.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keystore/audit.h"
#include "keystore/db.h"
#include "keystore/rdata.h"
#include "keystore/rrset_rules.h"

/* Stores one RR under zone z: adds its RRset if new (keeping the smallest TTL seen). */
static int store_rr(sqlite3 *db, const sd_zone *z, const ldns_rr *rr, sd_err *e)
{
    char *owner_raw = ldns_rdf2str(ldns_rr_owner(rr));
    char owner[SD_NAME_MAX];
    int rc = owner_raw ? sd_name_canon(owner_raw, owner, sizeof owner, e)
                       : sd_fail(e, SD_EINTERNAL, "out of memory");
    if (rc == 0 && !sd_name_in_zone(owner, z->name))
        rc = sd_fail(e, SD_EBADINPUT, "record %s is outside the zone %s", owner, z->name);
    free(owner_raw);
    if (rc < 0)
        return rc;
    char *type = ldns_rr_type2str(ldns_rr_get_type(rr));
    char *content = sd_rdata_text(rr);
    sqlite3_stmt *st = NULL;
    if (!type || !content) {
        rc = sd_fail(e, SD_EINTERNAL, "out of memory");
        goto out;
    }
    if (sd_db_prepare(db,
                      "INSERT INTO rrsets(zone_id, name, type, ttl) VALUES (?1, ?2, ?3, ?4) "
                      "ON CONFLICT(zone_id, name, type) DO UPDATE SET ttl = min(ttl, ?4) "
                      "RETURNING id",
                      &st, e) < 0) {
        rc = -e->code;
        goto out;
    }
    sqlite3_bind_int64(st, 1, z->id);
    sqlite3_bind_text(st, 2, owner, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, type, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, ldns_rr_ttl(rr));
    if (sqlite3_step(st) != SQLITE_ROW) {
        rc = sd_db_fail(db, e, "store rrset");
        goto out;
    }
    int64_t id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    st = NULL;
    if (sd_db_prepare(db, "INSERT OR IGNORE INTO records(rrset_id, content) VALUES (?, ?)", &st,
                      e) < 0) {
        rc = -e->code;
        goto out;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, content, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = sd_db_fail(db, e, "store record");
out:
    sqlite3_finalize(st);
    free(type);
    free(content);
    return rc;
}

/* Parses path with ldns; on a syntax error names the line. */
static int parse(const char *path, const char *origin, ldns_zone **zone, sd_err *e)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return sd_fail(e, SD_EBADINPUT, "cannot open %s: %s", path, strerror(errno));
    ldns_rdf *o = ldns_dname_new_frm_str(origin);
    int line = 0;
    ldns_status s =
        o ? ldns_zone_new_frm_fp_l(zone, f, o, 3600, LDNS_RR_CLASS_IN, &line) : LDNS_STATUS_MEM_ERR;
    ldns_rdf_deep_free(o);
    fclose(f);
    if (s != LDNS_STATUS_OK)
        return sd_fail(e, SD_EBADINPUT, "%s:%d: %s", path, line, ldns_get_errorstr_by_id(s));
    return 0;
}

/* Refuses (400, naming path and line) a record that the API could not store either: one of a
 * type that is not data (TYPE0, ANY, ...), or whose data ldns reads but that does not read
 * back as itself (empty data such as "A \# 0" among them). Signatures and keys are skipped on
 * import and not checked. */
static int check_rr(const ldns_rr *rr, const char *path, int line, sd_err *e)
{
    ldns_rr_type t = ldns_rr_get_type(rr);
    if (sd_type_is_managed(t))
        return 0;
    char *type = ldns_rr_type2str(t), *owner = ldns_rdf2str(ldns_rr_owner(rr));
    char *content = sd_rdata_text(rr), *again = NULL;
    sd_err why;
    int rc = 0;
    if (!type || !owner || !content)
        rc = sd_fail(e, SD_EINTERNAL, "out of memory");
    else if (!sd_type_is_data(t))
        rc = sd_fail(e, SD_EBADINPUT, "%s:%d: %s is not a record type", path, line, type);
    else if (sd_rdata_canon(owner, type, content, &again, &why) < 0)
        rc = sd_fail(e, SD_EBADINPUT, "%s:%d: %s", path, line, why.msg);
    else if (strcmp(again, content) != 0)
        rc = sd_fail(e, SD_EBADINPUT, "%s:%d: the %s data '%s' does not read back as itself", path,
                     line, type, content);
    free(type);
    free(owner);
    free(content);
    free(again);
    return rc;
}

/* Reads path record by record before parse() does: a syntax error is reported here, with its
 * line, because ldns_zone_new_frm_fp_l leaks the records it had read when it meets one (ldns
 * 1.8 frees the zone's list but not its records on that path); a second SOA, which
 * ldns_zone_new_frm_fp_l silently drops, is refused; and so is a record check_rr refuses. */
static int precheck(const char *path, const char *origin, sd_err *e)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return sd_fail(e, SD_EBADINPUT, "cannot open %s: %s", path, strerror(errno));
    ldns_rdf *o = ldns_dname_new_frm_str(origin), *prev = o ? ldns_rdf_clone(o) : NULL;
    uint32_t ttl = 3600;
    int line = 0, soas = 0, rc = prev ? 0 : sd_fail(e, SD_EINTERNAL, "out of memory");
    while (rc == 0 && !feof(f)) {
        ldns_rr *rr = NULL;
        ldns_status s = ldns_rr_new_frm_fp_l(&rr, f, &ttl, &o, &prev, &line);
        if (s == LDNS_STATUS_OK && ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA && ++soas == 2)
            rc = sd_fail(e, SD_EBADINPUT, "%s:%d: more than one SOA record", path, line);
        else if (s == LDNS_STATUS_OK)
            rc = check_rr(rr, path, line, e);
        else if (s == LDNS_STATUS_SYNTAX_INCLUDE)
            rc = sd_fail(e, SD_EBADINPUT, "%s:%d: $INCLUDE is not supported", path, line);
        else if (s != LDNS_STATUS_OK && s != LDNS_STATUS_SYNTAX_EMPTY &&
                 s != LDNS_STATUS_SYNTAX_TTL && s != LDNS_STATUS_SYNTAX_ORIGIN)
            rc = sd_fail(e, SD_EBADINPUT, "%s:%d: %s", path, line, ldns_get_errorstr_by_id(s));
        ldns_rr_free(rr);
    }
    ldns_rdf_deep_free(o);
    ldns_rdf_deep_free(prev);
    fclose(f);
    return rc;
}

int sd_zone_import(sqlite3 *db, const char *name, const char *path, const char *actor, int64_t now,
                   sd_zone *out, sd_err *e)
{
    char origin[SD_NAME_MAX];
    if (sd_name_canon(name, origin, sizeof origin, e) < 0)
        return -SD_EBADINPUT;
    ldns_zone *zone = NULL;
    if (precheck(path, origin, e) < 0 || parse(path, origin, &zone, e) < 0)
        return -e->code;
    ldns_rr *soa = ldns_zone_soa(zone);
    int rc = 0;
    if (!soa)
        rc = sd_fail(e, SD_EBADINPUT, "%s has no SOA record", path);
    sd_zone z;
    size_t skipped = 0, stored = 0;
    if (rc == 0 && (rc = sd_db_begin(db, e)) == 0) {
        rc = sd_zone_insert(db, origin, 0, now, &z, e);
        char *soa_owner = rc == 0 ? ldns_rdf2str(ldns_rr_owner(soa)) : NULL;
        char canon[SD_NAME_MAX];
        if (rc == 0 && (!soa_owner || sd_name_canon(soa_owner, canon, sizeof canon, NULL) < 0 ||
                        strcmp(canon, z.name) != 0))
            rc = sd_fail(e, SD_EBADINPUT, "the SOA of %s is not at the apex of %s", path, z.name);
        free(soa_owner);
        if (rc == 0)
            rc = store_rr(db, &z, soa, e);
        ldns_rr_list *rrs = ldns_zone_rrs(zone);
        for (size_t i = 0; rc == 0 && i < ldns_rr_list_rr_count(rrs); i++) {
            ldns_rr *rr = ldns_rr_list_rr(rrs, i);
            ldns_rr_type t = ldns_rr_get_type(rr);
            if (t == LDNS_RR_TYPE_SOA) {
                rc = sd_fail(e, SD_EBADINPUT, "%s has more than one SOA record", path);
            } else if (sd_type_is_managed(t)) {
                skipped++; /* signatures and keys are made live by PowerDNS from our keys */
            } else {
                rc = store_rr(db, &z, rr, e);
                stored++;
            }
        }
        if (rc == 0)
            rc = sd_rrset_rule_zone(db, &z, e); /* what DNS can serve: rrset_rules.h */
        if (rc == 0) {
            char detail[128];
            snprintf(detail, sizeof detail, "{\"records\": %zu, \"dnssec_records_skipped\": %zu}",
                     stored + 1, skipped);
            rc = sd_audit(db, now, actor, z.name, "zone-import", "ok", detail, e);
        }
        if (rc == 0)
            rc = sd_db_commit(db, e);
        else
            sd_db_rollback(db);
    }
    ldns_zone_deep_free(zone);
    if (rc == 0 && out)
        *out = z;
    return rc;
}
