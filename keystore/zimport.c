/* zimport.c - loading an RFC 1035 zone file into a new zone, all or nothing: records outside
 * the zone ignored with a warning (or refused), ALIAS read, long TXT strings refused or split. */
#include "keystore/zone.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "keystore/audit.h"
#include "keystore/charstr.h"
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
    char *type = sd_type_name(ldns_rr_get_type(rr));
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

/* Refuses (400, naming path and line) a record that the API could not store either: one of a
 * type that is not data (TYPE0, ANY, ...), or whose data ldns reads but that does not read
 * back as itself (empty data such as "A \# 0" among them). Signatures and keys are skipped on
 * import and not checked. */
static int check_rr(const ldns_rr *rr, const char *path, int line, sd_err *e)
{
    ldns_rr_type t = ldns_rr_get_type(rr);
    if (sd_type_is_managed(t))
        return 0;
    char *type = sd_type_name(t), *owner = ldns_rdf2str(ldns_rr_owner(rr));
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

/* Trims blanks at both ends of s in place; returns the first non-blank. */
static char *strip(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* Returns line with the word at (len characters) replaced by with, as a new string. */
static char *replace_word(const char *line, size_t at, size_t len, const char *with)
{
    size_t n = strlen(line), wl = strlen(with);
    char *s = malloc(n - len + wl + 1);
    if (!s)
        return NULL;
    memcpy(s, line, at);
    memcpy(s + at, with, wl);
    memcpy(s + at + wl, line + at + len, n - at - len + 1);
    return s;
}

/* What read_rr needs besides the line. */
typedef struct reader {
    const char *path;
    int line;
    const sd_import_opts *o;
    sd_import_stats *st;
    uint32_t ttl;
    ldns_rdf *origin, *prev;
} reader;

/* Parses one record line with ldns. ALIAS (PowerDNS's type, data one name) is read as a CNAME
 * and given its own type number; a TXT or SPF whose character-string is over 255 octets is
 * refused naming it and its length, or split when the options say so. */
static int read_rr(reader *r, const char *line, ldns_rr **rr, sd_err *e)
{
    sd_rr_words w;
    int words = sd_rr_words_find(line, &w) == 0;
    char type[16] = "";
    if (words && w.type_len < sizeof type)
        for (size_t i = 0; i <= w.type_len; i++)
            type[i] = i < w.type_len ? (char)toupper((unsigned char)line[w.type_at + i]) : '\0';
    int alias = strcmp(type, "ALIAS") == 0;
    char *text = alias ? replace_word(line, w.type_at, w.type_len, "CNAME") : NULL;
    if (alias && !text)
        return sd_fail(e, SD_EINTERNAL, "out of memory");
    ldns_status s = ldns_rr_new_frm_str(rr, text ? text : line, r->ttl, r->origin, &r->prev);
    size_t longest = 0;
    if (s != LDNS_STATUS_OK && words && (strcmp(type, "TXT") == 0 || strcmp(type, "SPF") == 0) &&
        (longest = sd_charstr_longest(line + w.data_at)) > SD_CHARSTR_MAX) {
        int rc = 0;
        if (!r->o->split_long_txt) {
            size_t ol = line[0] && !isspace((unsigned char)line[0]) ? strcspn(line, " \t") : 0;
            char *prev = ol ? NULL : ldns_rdf2str(r->prev);
            rc = sd_fail(e, SD_EBADINPUT,
                         "%s:%d: %s record of %.*s%s: a character-string of %zu octets, more "
                         "than %d (--split-long-txt splits it into strings of %d)",
                         r->path, r->line, type, (int)ol, line, prev ? prev : "", longest,
                         SD_CHARSTR_MAX, SD_CHARSTR_MAX);
            free(prev);
        } else {
            size_t splits = 0;
            char *data = sd_charstr_split(line + w.data_at, &splits);
            char *whole =
                data ? replace_word(line, w.data_at, strlen(line + w.data_at), data) : NULL;
            if (!whole)
                rc = sd_fail(e, SD_EINTERNAL, "out of memory");
            else
                s = ldns_rr_new_frm_str(rr, whole, r->ttl, r->origin, &r->prev);
            if (rc == 0 && s == LDNS_STATUS_OK)
                r->st->txt_split += splits;
            free(data);
            free(whole);
        }
        if (rc < 0) {
            free(text);
            return rc;
        }
    }
    free(text);
    if (s != LDNS_STATUS_OK)
        return sd_fail(e, SD_EBADINPUT, "%s:%d: %s", r->path, r->line, ldns_get_errorstr_by_id(s));
    if (alias)
        ldns_rr_set_type(*rr, SD_TYPE_ALIAS);
    return 0;
}

/* Reads path (origin the zone's name) into *soa and *rrs, record by record with the line of
 * each: a syntax error names its line; a second SOA is refused (ldns_zone_new_frm_fp_l would
 * drop it silently); so are $INCLUDE and a record check_rr refuses. A record outside the zone
 * is ignored with a warning through the options, and counted, or refused when they say strict.
 * TTLs as ldns_zone_new_frm_fp_l gives them: $TTL is the default, without it the last explicit
 * TTL. */
static int read_zone(const char *path, const char *origin, const sd_import_opts *o,
                     sd_import_stats *st, ldns_rr **soa, ldns_rr_list **rrs, sd_err *e)
{
    *soa = NULL;
    *rrs = NULL;
    FILE *f = fopen(path, "r");
    if (!f)
        return sd_fail(e, SD_EBADINPUT, "cannot open %s: %s", path, strerror(errno));
    reader r = {path, 0, o, st, 3600, ldns_dname_new_frm_str(origin), NULL};
    r.prev = r.origin ? ldns_rdf_clone(r.origin) : NULL;
    char *line = malloc(LDNS_MAX_LINELEN + 1);
    ldns_rr_list *list = ldns_rr_list_new();
    uint32_t default_ttl = 3600;
    int ttl_from_TTL = 0, rc = 0;
    if (!r.prev || !line || !list)
        rc = sd_fail(e, SD_EINTERNAL, "out of memory");
    while (rc == 0 && !feof(f)) {
        if (ttl_from_TTL)
            r.ttl = default_ttl;
        ssize_t size = ldns_fget_token_l(f, line, LDNS_PARSE_SKIP_SPACE, LDNS_MAX_LINELEN, &r.line);
        if (size < 0) {
            if (!feof(f))
                rc = sd_fail(e, SD_EBADINPUT, "%s:%d: %s", path, r.line,
                             ldns_get_errorstr_by_id(LDNS_STATUS_SYNTAX_ERR));
            break;
        }
        if (strncmp(line, "$ORIGIN", 7) == 0 && isspace((unsigned char)line[7])) {
            ldns_rdf *n = ldns_dname_new_frm_str(strip(line + 8));
            if (!n)
                rc = sd_fail(e, SD_EBADINPUT, "%s:%d: %s", path, r.line,
                             ldns_get_errorstr_by_id(LDNS_STATUS_SYNTAX_DNAME_ERR));
            else {
                ldns_rdf_deep_free(r.origin);
                r.origin = n;
            }
            continue;
        }
        if (strncmp(line, "$TTL", 4) == 0 && isspace((unsigned char)line[4])) {
            const char *end = NULL;
            default_ttl = ldns_str2period(strip(line + 5), &end);
            r.ttl = default_ttl;
            ttl_from_TTL = 1;
            continue;
        }
        if (strncmp(line, "$INCLUDE", 8) == 0) {
            rc = sd_fail(e, SD_EBADINPUT, "%s:%d: $INCLUDE is not supported", path, r.line);
            break;
        }
        if (size == 0 || !*strip(line))
            continue;
        ldns_rr *rr = NULL;
        if ((rc = read_rr(&r, line, &rr, e)) < 0)
            break;
        ldns_rr_type t = ldns_rr_get_type(rr);
        if (!ttl_from_TTL && t != LDNS_RR_TYPE_RRSIG && t != LDNS_RR_TYPE_SIG)
            r.ttl = ldns_rr_ttl(rr); /* an implicit TTL is r.ttl already */
        char *owner_raw = ldns_rdf2str(ldns_rr_owner(rr));
        char owner[SD_NAME_MAX];
        int in_zone = owner_raw && sd_name_canon(owner_raw, owner, sizeof owner, NULL) == 0 &&
                      sd_name_in_zone(owner, origin);
        free(owner_raw);
        if (t == LDNS_RR_TYPE_SOA && *soa)
            rc = sd_fail(e, SD_EBADINPUT, "%s:%d: more than one SOA record", path, r.line);
        else if (t == LDNS_RR_TYPE_SOA)
            *soa = rr; /* sd_zone_import checks that it is at the apex */
        else if ((rc = check_rr(rr, path, r.line, e)) < 0)
            ;
        else if (!in_zone && o->strict)
            rc = sd_fail(e, SD_EBADINPUT, "%s:%d: record %s is outside the zone %s (--strict)",
                         path, r.line, owner, origin);
        else if (!in_zone) {
            st->out_of_zone++;
            if (o->warn) {
                char *type = sd_type_name(t), msg[SD_NAME_MAX * 2 + 128];
                snprintf(msg, sizeof msg, "%s:%d: ignoring out-of-zone data %s %s (zone %s)", path,
                         r.line, owner, type ? type : "?", origin);
                o->warn(msg, o->warn_arg);
                free(type);
            }
        } else if (!ldns_rr_list_push_rr(list, rr))
            rc = sd_fail(e, SD_EINTERNAL, "out of memory");
        else
            rr = NULL;
        if (rr != *soa)
            ldns_rr_free(rr);
    }
    ldns_rdf_deep_free(r.origin);
    ldns_rdf_deep_free(r.prev);
    free(line);
    fclose(f);
    if (rc < 0) {
        ldns_rr_free(*soa);
        *soa = NULL;
        ldns_rr_list_deep_free(list);
        return rc;
    }
    *rrs = list;
    return 0;
}

int sd_zone_import(sqlite3 *db, const char *name, const char *path, const char *actor, int64_t now,
                   sd_zone *out, sd_err *e)
{
    sd_import_opts o = {0};
    return sd_zone_import_opts(db, name, path, &o, actor, now, out, NULL, e);
}

int sd_zone_import_opts(sqlite3 *db, const char *name, const char *path, const sd_import_opts *o,
                        const char *actor, int64_t now, sd_zone *out, sd_import_stats *stats,
                        sd_err *e)
{
    char origin[SD_NAME_MAX];
    if (sd_name_canon(name, origin, sizeof origin, e) < 0)
        return -SD_EBADINPUT;
    sd_import_stats st = {0};
    ldns_rr *soa = NULL;
    ldns_rr_list *rrs = NULL;
    if (read_zone(path, origin, o, &st, &soa, &rrs, e) < 0)
        return -e->code;
    int rc = 0;
    if (!soa)
        rc = sd_fail(e, SD_EBADINPUT, "%s has no SOA record", path);
    sd_zone z;
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
        for (size_t i = 0; rc == 0 && i < ldns_rr_list_rr_count(rrs); i++) {
            ldns_rr *rr = ldns_rr_list_rr(rrs, i);
            if (sd_type_is_managed(ldns_rr_get_type(rr))) {
                st.dnssec_skipped++; /* signatures and keys are made live by PowerDNS */
            } else {
                rc = store_rr(db, &z, rr, e);
                st.records++;
            }
        }
        if (rc == 0)
            rc = sd_rrset_rule_zone(db, &z, e); /* what DNS can serve: rrset_rules.h */
        if (rc == 0) {
            st.records++; /* the SOA */
            char detail[256];
            snprintf(detail, sizeof detail,
                     "{\"records\": %zu, \"dnssec_records_skipped\": %zu, "
                     "\"out_of_zone_ignored\": %zu, \"txt_strings_split\": %zu}",
                     st.records, st.dnssec_skipped, st.out_of_zone, st.txt_split);
            rc = sd_audit(db, now, actor, z.name, "zone-import", "ok", detail, e);
        }
        if (rc == 0)
            rc = sd_db_commit(db, e);
        else
            sd_db_rollback(db);
    }
    ldns_rr_free(soa);
    ldns_rr_list_deep_free(rrs);
    if (rc == 0 && out)
        *out = z;
    if (rc == 0 && stats)
        *stats = st;
    return rc;
}
