/* m_nsec.c - getBeforeAndAfterNamesAbsolute for NSEC and (non-narrow) NSEC3 zones.
 *
 * PowerDNS 4.7 asks with the zone's id and:
 *  - NSEC: the name relative to the zone, lower case, with a trailing dot ("www." or "."
 *    for the apex); it appends the zone to the before/after we return, so those are
 *    relative too ("" for the apex).
 *  - NSEC3: the base32hex hash label of the name ("0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.");
 *    before/after are hash labels and unhashed is the absolute owner name of before,
 *    which PowerDNS looks up to build the type bitmap.
 * before is the chain member at or just before qname, after the first member strictly
 * after qname; both wrap around the ends of the chain. "unhashed" is always present:
 * PowerDNS throws without it. */
#include <stdio.h>
#include <string.h>

#include "backend/methods.h"
#include "backend/params.h"

/* The relative form of name in zone: "" for the apex, else name without ".zone.". */
static json_t *relative(const char *name, const char *zone)
{
    if (strcmp(name, zone) == 0)
        return json_string("");
    size_t n = strlen(name), z = strcmp(zone, ".") == 0 ? 0 : strlen(zone);
    return json_stringn(name, n - z - 1);
}

/* The NSEC neighbours of rel (a name relative to z, as PowerDNS sends it). */
static int nsec(const sb_zindex *x, const sb_zone *z, const char *qname, const sb_name **before,
                const sb_name **after, sd_err *e)
{
    char abs[SD_NAME_MAX * 2];
    char rel[SD_NAME_MAX];
    if (sb_dname_lower(qname, rel, sizeof rel) < 0)
        return sd_fail(e, SD_EBADINPUT, "parameter 'qname' is not a domain name");
    int n;
    if (strcmp(rel, ".") == 0)
        n = snprintf(abs, sizeof abs, "%s", z->name);
    else
        n = snprintf(abs, sizeof abs, "%s%s", rel, strcmp(z->name, ".") == 0 ? "" : z->name);
    if (n < 0 || (size_t)n >= sizeof abs)
        return sd_fail(e, SD_EBADINPUT, "parameter 'qname' is not a domain name");
    if (x->n_nsec == 0)
        return sd_fail(e, SD_EINTERNAL, "zone %s has no NSEC chain", z->name);
    /* Binary search for the first member > abs. */
    size_t lo = 0, hi = x->n_nsec;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sb_dname_cmp(x->names[x->nsec[mid]].name, abs) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *before = &x->names[x->nsec[lo == 0 ? x->n_nsec - 1 : lo - 1]];
    *after = &x->names[x->nsec[lo == x->n_nsec ? 0 : lo]];
    return 0;
}

/* The NSEC3 neighbours of qname, a base32hex hash label. */
static int nsec3(const sb_zindex *x, const sb_zone *z, const char *qname, const sb_name **before,
                 const sb_name **after, sd_err *e)
{
    char h[SB_NSEC3_HASH_LEN + 1];
    size_t n = strlen(qname);
    if (n > 0 && qname[n - 1] == '.')
        n--;
    if (n != SB_NSEC3_HASH_LEN)
        return sd_fail(e, SD_EBADINPUT, "parameter 'qname' is not an NSEC3 hash label");
    for (size_t i = 0; i < n; i++) {
        char c = qname[i];
        if (c >= 'A' && c <= 'V')
            c = (char)(c + 32);
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'v')))
            return sd_fail(e, SD_EBADINPUT, "parameter 'qname' is not an NSEC3 hash label");
        h[i] = c;
    }
    h[n] = '\0';
    if (x->n_nsec3 == 0)
        return sd_fail(e, SD_EINTERNAL, "zone %s has no NSEC3 chain", z->name);
    size_t lo = 0, hi = x->n_nsec3;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(x->names[x->nsec3[mid]].hash, h) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *before = &x->names[x->nsec3[lo == 0 ? x->n_nsec3 - 1 : lo - 1]];
    *after = &x->names[x->nsec3[lo == x->n_nsec3 ? 0 : lo]];
    return 0;
}

int sb_nsec_neighbours(sb_store *s, sb_zone *z, const char *qname, const sb_name **before,
                       const sb_name **after, int *is_nsec3, sd_err *e)
{
    const sd_policy *p = sb_store_policy(s, z, e);
    if (!p)
        return -e->code;
    const sb_zindex *x = sb_store_index(s, z, e);
    if (!x)
        return -e->code;
    *is_nsec3 = p->nsec3;
    return p->nsec3 ? nsec3(x, z, qname, before, after, e) : nsec(x, z, qname, before, after, e);
}

int sb_m_get_before_and_after(sb_store *s, json_t *params, json_t **result, sd_err *e)
{
    int64_t id;
    const char *qname;
    if (sb_param_int(params, "id", 1, 0, 0, INT32_MAX, &id, e) < 0 ||
        sb_param_str(params, "qname", &qname, e) < 0)
        return -e->code;
    sb_zone *z = sb_store_zone_by_id(s, id, e);
    if (!z)
        return e->code ? -e->code : SB_FALSE;
    if (z->keys_only)
        return SB_FALSE;
    const sb_name *before, *after;
    int is_nsec3;
    if (sb_nsec_neighbours(s, z, qname, &before, &after, &is_nsec3, e) < 0)
        return -e->code;
    if (is_nsec3)
        *result = json_pack("{s:s, s:s, s:s}", "before", before->hash, "after", after->hash,
                            "unhashed", before->name);
    else
        *result = json_pack("{s:o, s:o, s:s}", "before", relative(before->name, z->name), "after",
                            relative(after->name, z->name), "unhashed", before->name);
    return *result ? 0 : sd_fail(e, SD_EINTERNAL, "out of memory");
}
