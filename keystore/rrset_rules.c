/* rrset_rules.c - the rules on a zone's data (rrset_rules.h). */
#include "keystore/rrset_rules.h"

#include <stdio.h>
#include <string.h>

#include "keystore/db.h"
#include "keystore/rdata.h"

int sd_rrset_rule_type(ldns_rr_type t, const char *utype, sd_err *e)
{
    if (sd_type_is_managed(t))
        return sd_fail(e, SD_EBADINPUT,
                       "%s records are made by scaidns and PowerDNS from the zone's keys, not "
                       "stored by hand (RFC 4034, RFC 5155, RFC 7344)",
                       utype);
    if (t == LDNS_RR_TYPE_DNAME)
        return sd_fail(e, SD_EBADINPUT,
                       "DNAME is refused: PowerDNS does not synthesise CNAMEs from it without "
                       "dname-processing, so every name below it would answer a bogus NXDOMAIN "
                       "(RFC 6672 section 2)");
    return 0;
}

/* The first row's text of sql (parameters ?1 = zone id, ?2 = owner, ?3 = type), copied into
 * out; 1 when there is a row, 0 when none, < 0 on error. */
static int first(sqlite3 *db, const char *sql, int64_t zone_id, const char *owner, const char *type,
                 char *out, size_t len, sd_err *e)
{
    sqlite3_stmt *st;
    if (sd_db_prepare(db, sql, &st, e) < 0)
        return -e->code;
    sqlite3_bind_int64(st, 1, zone_id);
    if (owner)
        sqlite3_bind_text(st, 2, owner, -1, SQLITE_STATIC);
    if (type)
        sqlite3_bind_text(st, 3, type, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && out)
        snprintf(out, len, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    return sd_db_fail(db, e, "read the zone's data");
}

int sd_rrset_rule_put(sqlite3 *db, const sd_zone *zone, const char *owner, const char *utype,
                      size_t n, sd_err *e)
{
    int apex = strcmp(owner, zone->name) == 0;
    int cname = strcmp(utype, "CNAME") == 0;
    if (n == 0) {
        if (apex && strcmp(utype, "NS") == 0)
            return sd_fail(e, SD_EBADINPUT,
                           "the NS RRset at the apex of %s cannot be removed: a zone is "
                           "delegated to its apex NS (RFC 1034 section 4.2.1)",
                           zone->name);
        return 0;
    }
    if (strcmp(utype, "DNAME") == 0)
        return sd_rrset_rule_type(LDNS_RR_TYPE_DNAME, utype, e);
    if (apex && cname)
        return sd_fail(e, SD_EBADINPUT,
                       "a CNAME cannot be at the apex of %s, which holds the SOA and NS (RFC 1034 "
                       "section 3.6.2)",
                       zone->name);
    if (apex && strcmp(utype, "DS") == 0)
        return sd_fail(e, SD_EBADINPUT,
                       "a DS cannot be at the apex of %s: it belongs in the parent zone, at the "
                       "delegation (RFC 4034 section 5)",
                       zone->name);
    if (cname && n > 1)
        return sd_fail(e, SD_EBADINPUT,
                       "a name has at most one CNAME record (RFC 2181 section 10.1)");
    char other[32];
    int rc = first(db,
                   cname ? "SELECT type FROM rrsets WHERE zone_id = ?1 AND name = ?2 AND type <> "
                           "?3 ORDER BY type LIMIT 1"
                         : "SELECT type FROM rrsets WHERE zone_id = ?1 AND name = ?2 AND type = "
                           "'CNAME' AND ?3 <> 'CNAME'",
                   zone->id, owner, utype, other, sizeof other, e);
    if (rc < 0)
        return rc;
    if (rc == 1)
        return sd_fail(e, SD_EBADINPUT,
                       "%s already has %s data: a CNAME cannot be beside other data (RFC 1034 "
                       "section 3.6.2); delete the %s RRset first",
                       owner, other, cname ? other : "CNAME");
    return 0;
}

int sd_rrset_rule_zone(sqlite3 *db, const sd_zone *zone, sd_err *e)
{
    char name[SD_NAME_MAX];
    int rc;
    if ((rc = first(db,
                    "SELECT c.name || ' (' || o.type || ')' FROM rrsets c JOIN rrsets o ON "
                    "o.zone_id = c.zone_id AND o.name = c.name AND o.type <> 'CNAME' WHERE "
                    "c.zone_id = ?1 AND c.type = 'CNAME' ORDER BY c.name LIMIT 1",
                    zone->id, NULL, NULL, name, sizeof name, e)) != 0)
        return rc < 0 ? rc
                      : sd_fail(e, SD_EBADINPUT,
                                "%s: a CNAME cannot be beside other data (RFC 1034 section "
                                "3.6.2)",
                                name);
    if ((rc = first(db,
                    "SELECT s.name FROM rrsets s JOIN records r ON r.rrset_id = s.id WHERE "
                    "s.zone_id = ?1 AND s.type = 'CNAME' GROUP BY s.id HAVING count(*) > 1 "
                    "ORDER BY s.name LIMIT 1",
                    zone->id, NULL, NULL, name, sizeof name, e)) != 0)
        return rc < 0 ? rc
                      : sd_fail(e, SD_EBADINPUT,
                                "%s has more than one CNAME record (RFC 2181 section 10.1)", name);
    if ((rc = first(db,
                    "SELECT name FROM rrsets WHERE zone_id = ?1 AND type = 'DNAME' ORDER BY "
                    "name LIMIT 1",
                    zone->id, NULL, NULL, name, sizeof name, e)) != 0)
        return rc < 0 ? rc : sd_rrset_rule_type(LDNS_RR_TYPE_DNAME, "DNAME", e);
    if ((rc = first(db, "SELECT 1 FROM rrsets WHERE zone_id = ?1 AND name = ?2 AND type = 'DS'",
                    zone->id, zone->name, NULL, NULL, 0, e)) != 0)
        return rc < 0 ? rc : sd_rrset_rule_put(db, zone, zone->name, "DS", 1, e);
    if ((rc = first(db, "SELECT 1 FROM rrsets WHERE zone_id = ?1 AND name = ?2 AND type = 'NS'",
                    zone->id, zone->name, NULL, NULL, 0, e)) == 0)
        return sd_fail(e, SD_EBADINPUT,
                       "the zone has no NS RRset at its apex %s: a zone is delegated to its apex "
                       "NS (RFC 1034 section 4.2.1)",
                       zone->name);
    return rc < 0 ? rc : 0;
}
