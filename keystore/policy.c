/* policy.c - default policy from the configuration, per-zone overrides from the DB. */
#include "keystore/policy.h"

#include <stdio.h>
#include <string.h>

#include "keystore/db.h"

void sd_policy_from_config(const sd_config *c, sd_policy *p)
{
    memset(p, 0, sizeof *p);
    p->dnskey_ttl = c->policy_dnskey_ttl;
    p->propagation_delay = c->policy_propagation_delay;
    p->publish_safety = c->policy_publish_safety;
    p->retire_safety = c->policy_retire_safety;
    p->parent_ds_ttl = c->policy_parent_ds_ttl;
    p->parent_propagation_delay = c->policy_parent_propagation_delay;
    p->zsk_lifetime = c->policy_zsk_lifetime;
    p->ksk_lifetime = c->policy_ksk_lifetime;
    p->algorithm = (int)c->policy_algorithm;
    p->ksk_bits = (int)c->policy_ksk_bits;
    p->zsk_bits = (int)c->policy_zsk_bits;
    p->nsec3 = (int)c->policy_nsec3;
    p->nsec3_iterations = (int)c->policy_nsec3_iterations;
    if (strcmp(c->policy_nsec3_salt, "-") != 0)
        snprintf(p->nsec3_salt, sizeof p->nsec3_salt, "%s", c->policy_nsec3_salt);
    p->nsec3_optout = (int)c->policy_nsec3_optout;
    p->cds = (int)c->policy_cds;
    p->cds_delete = (int)c->policy_cds_delete;
    if (sd_cds_digests_parse(c->policy_cds_digest_types, &p->cds_digests, NULL) < 0)
        p->cds_digests = SD_CDS_SHA256; /* sd_config_set refuses such a value */
}

int sd_cds_digests_parse(const char *text, int *bits, sd_err *e)
{
    *bits = 0;
    for (const char *p = text; *p;) {
        if (*p == ',' || *p == ' ') {
            p++;
            continue;
        }
        if ((p[0] != '2' && p[0] != '4') || (p[1] && p[1] != ',' && p[1] != ' '))
            return sd_fail(e, SD_EBADINPUT,
                           "CDS digest types must be 2 (SHA-256) and/or 4 (SHA-384), not '%s'",
                           text);
        *bits |= p[0] == '2' ? SD_CDS_SHA256 : SD_CDS_SHA384;
        p++;
    }
    if (!*bits)
        return sd_fail(e, SD_EBADINPUT, "give at least one CDS digest type (2 or 4)");
    return 0;
}

/* Copies column i of st into *dst when it is not NULL. */
static void over64(sqlite3_stmt *st, int i, int64_t *dst)
{
    if (sqlite3_column_type(st, i) != SQLITE_NULL)
        *dst = sqlite3_column_int64(st, i);
}

/* Copies column i of st into *dst when it is not NULL. */
static void overint(sqlite3_stmt *st, int i, int *dst)
{
    if (sqlite3_column_type(st, i) != SQLITE_NULL)
        *dst = sqlite3_column_int(st, i);
}

int sd_policy_load(sqlite3 *db, int64_t zone_id, const sd_policy *def, sd_policy *out, sd_err *e)
{
    *out = *def;
    sqlite3_stmt *st;
    if (sd_db_prepare(db,
                      "SELECT dnskey_ttl, propagation_delay, publish_safety, retire_safety, "
                      "parent_ds_ttl, parent_propagation_delay, zsk_lifetime, ksk_lifetime, "
                      "algorithm, ksk_bits, zsk_bits, nsec3, nsec3_iterations, nsec3_salt, "
                      "nsec3_optout, cds, cds_delete, cds_digests FROM policies WHERE zone_id = ?",
                      &st, e) < 0)
        return -e->code;
    sqlite3_bind_int64(st, 1, zone_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        over64(st, 0, &out->dnskey_ttl);
        over64(st, 1, &out->propagation_delay);
        over64(st, 2, &out->publish_safety);
        over64(st, 3, &out->retire_safety);
        over64(st, 4, &out->parent_ds_ttl);
        over64(st, 5, &out->parent_propagation_delay);
        over64(st, 6, &out->zsk_lifetime);
        over64(st, 7, &out->ksk_lifetime);
        overint(st, 8, &out->algorithm);
        overint(st, 9, &out->ksk_bits);
        overint(st, 10, &out->zsk_bits);
        overint(st, 11, &out->nsec3);
        overint(st, 12, &out->nsec3_iterations);
        if (sqlite3_column_type(st, 13) != SQLITE_NULL)
            snprintf(out->nsec3_salt, sizeof out->nsec3_salt, "%s",
                     (const char *)sqlite3_column_text(st, 13));
        overint(st, 14, &out->nsec3_optout);
        overint(st, 15, &out->cds);
        overint(st, 16, &out->cds_delete);
        overint(st, 17, &out->cds_digests);
    } else if (rc != SQLITE_DONE) {
        sqlite3_finalize(st);
        return sd_db_fail(db, e, "read policy");
    }
    sqlite3_finalize(st);
    return 0;
}
