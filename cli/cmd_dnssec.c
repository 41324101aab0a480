/* cmd_dnssec.c - scaidnsctl dnssec enable|disable|status|confirm-ds|rotate-zsk|rotate-ksk,
 * scaidnsctl ds. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "keystore/db.h"
#include "keystore/timefmt.h"
#include "lifecycle/dnssec.h"
#include "lifecycle/engine.h"
#include "lifecycle/onoff.h"
#include "lifecycle/policy_json.h"

/* Prints json to stdout, indented, with a newline. */
static void print_json(json_t *j)
{
    json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
}

/* Prints the "ds" lines of the zone's DS records, digest type 2 first. */
static int print_ds(sqlite3 *db, const sd_zone *z, sd_err *e)
{
    json_t *ds;
    if (sd_dnssec_ds_json(db, z, &ds, e) < 0)
        return -e->code;
    size_t i;
    json_t *d;
    json_array_foreach(ds, i, d)
    {
        printf("%s\n", json_string_value(json_object_get(d, "ds")));
    }
    json_decref(ds);
    return 0;
}

/* Fills the DS list for confirm-ds: the arguments, or the zone's current DS (type 2). */
static int confirm_list(cli *c, sqlite3 *db, const sd_zone *z, sd_ds *ds, size_t *n, sd_err *e)
{
    *n = 0;
    if (c->argc > 1) {
        for (int i = 1; i < c->argc && *n < 16; i++)
            if (sd_ds_parse(c->argv[i], &ds[(*n)++], e) < 0)
                return -e->code;
        return 0;
    }
    json_t *arr;
    if (sd_dnssec_ds_json(db, z, &arr, e) < 0)
        return -e->code;
    size_t i;
    json_t *d;
    json_array_foreach(arr, i, d)
    {
        if (*n < 16 && json_integer_value(json_object_get(d, "digest_type")) == 2)
            sd_ds_parse(json_string_value(json_object_get(d, "ds")), &ds[(*n)++], NULL);
    }
    json_decref(arr);
    return 0;
}

/* The ds_publish_at of z's newest KSK (0 when none): when its DS may go to the parent. */
static int64_t newest_ds_publish_at(sqlite3 *db, const sd_zone *z)
{
    sqlite3_stmt *st;
    int64_t at = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT ds_publish_at FROM keys WHERE zone_id = ? AND role = 'KSK' "
                           "AND ds_publish_at IS NOT NULL ORDER BY id DESC LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_int64(st, 1, z->id);
    if (sqlite3_step(st) == SQLITE_ROW)
        at = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return at;
}

/* dnssec policy ZONE [JSON]: prints the zone's policy, or replaces it with JSON first. */
static int cmd_policy(cli *c, sqlite3 *db, const sd_zone *z, const sd_policy *defaults, sd_err *e)
{
    sd_policy p;
    if (c->argc > 1) {
        json_error_t je;
        json_t *body = json_loads(c->argv[1], 0, &je);
        if (!body)
            return sd_fail(e, SD_EBADINPUT, "the policy is not valid JSON: %s", je.text);
        int rc = sd_policy_put(db, z->id, z->name, defaults, body, "scaidnsctl", c->now, &p, e);
        json_decref(body);
        if (rc < 0)
            return rc;
    } else if (sd_policy_load(db, z->id, defaults, &p, e) < 0) {
        return -e->code;
    }
    json_t *j = sd_policy_json(&p);
    print_json(j);
    json_decref(j);
    return 0;
}

int cmd_dnssec(cli *c, const char *sub)
{
    const char *usage =
        "scaidnsctl dnssec enable ZONE [--algorithm N] | disable ZONE [--force] | "
        "status ZONE | confirm-ds ZONE [DS ...] | rotate-zsk ZONE | rotate-ksk ZONE "
        "[--algorithm N] | abort ZONE | plan ZONE | policy ZONE [JSON] | import ZONE ...";
    sd_err e;
    if (strcmp(sub, "import") == 0)
        return cmd_dnssec_import(c);
    const char *alg_opt = strcmp(sub, "enable") == 0 || strcmp(sub, "rotate-ksk") == 0
                              ? cli_take_opt(c, "algorithm", 0)
                              : NULL;
    const char *force = strcmp(sub, "disable") == 0 ? cli_take_opt(c, "force", 1) : NULL;
    int max = strcmp(sub, "confirm-ds") == 0 ? 17 : strcmp(sub, "policy") == 0 ? 2 : 1;
    if (cli_check_args(c, 1, max, usage) != 0)
        return 1;
    int alg = 0;
    if (alg_opt) {
        char *end;
        long v = strtol(alg_opt, &end, 10);
        if (*alg_opt == '\0' || *end || v < 0 || v > 255)
            return cli_error("--algorithm must be a number, not '%s'", alg_opt);
        alg = (int)v;
    }
    sqlite3 *db = cli_open_db(c);
    if (!db)
        return 1;
    sd_zone z;
    sd_seal_keys seal;
    sd_policy defaults;
    sd_policy_from_config(&c->cfg, &defaults);
    sd_ctx ctx = {db, &seal, &defaults, "scaidnsctl", c->now};
    int rc = sd_zone_find(db, c->argv[0], &z, &e);
    if (rc == 0 && strcmp(sub, "status") == 0) {
        json_t *j;
        if ((rc = sd_dnssec_state_json(db, &z, &j, &e)) == 0) {
            print_json(j);
            json_decref(j);
        }
    } else if (rc == 0 && strcmp(sub, "enable") == 0) {
        rc = sd_seal_load_public(c->cfg.seal_key, &seal, &e);
        if (rc == 0)
            rc = sd_dnssec_enable(&ctx, &z, alg, &e);
        if (rc == 0) {
            printf("DNSSEC enabled on %s; publish one of these DS records at the parent, "
                   "then run 'scaidnsctl dnssec confirm-ds %s':\n",
                   z.name, z.name);
            rc = print_ds(db, &z, &e);
        }
    } else if (rc == 0 && strcmp(sub, "disable") == 0) {
        sd_disable_out out;
        rc = sd_onoff_disable(&ctx, &z, c->cfg.parent_servers, force != NULL, &out, &e);
        if (out.parent) {
            char *ev = json_dumps(out.parent, JSON_COMPACT);
            if (ev)
                fprintf(stderr, "scaidnsctl: the parent's answers: %s\n", ev);
            free(ev);
            json_decref(out.parent);
        }
        if (rc == 0 && out.cds_delete)
            printf("%s is now disabling: CDS/CDNSKEY DELETE published, every key kept and still "
                   "signing until the parent has removed the DS (the scheduler finishes when "
                   "parent-servers is set; else run 'scaidnsctl dnssec disable %s' again once "
                   "the DS is gone)\n",
                   z.name, z.name);
        else if (rc == 0)
            printf("DNSSEC disabled on %s; all keys removed\n", z.name);
    } else if (rc == 0 && strcmp(sub, "confirm-ds") == 0) {
        sd_ds ds[16];
        size_t n;
        if ((rc = confirm_list(c, db, &z, ds, &n, &e)) == 0 &&
            (rc = sd_dnssec_confirm_ds(&ctx, &z, ds, n, &e)) == 0)
            printf("DS publication confirmed for %s\n", z.name);
    } else if (rc == 0 && (strcmp(sub, "rotate-zsk") == 0 || strcmp(sub, "rotate-ksk") == 0)) {
        int ksk = strcmp(sub, "rotate-ksk") == 0;
        rc = sd_seal_load_public(c->cfg.seal_key, &seal, &e);
        if (rc == 0)
            rc = ksk ? sd_dnssec_rotate_ksk_alg(&ctx, &z, alg, &e)
                     : sd_dnssec_rotate_zsk(&ctx, &z, &e);
        if (rc == 0 && ksk) {
            char when[32];
            sd_time_rfc3339(newest_ds_publish_at(db, &z), when, sizeof when);
            printf("new KSK created for %s; publish its DS at the parent from %s on (not "
                   "before), then run 'scaidnsctl dnssec confirm-ds %s':\n",
                   z.name, when, z.name);
            rc = print_ds(db, &z, &e);
        } else if (rc == 0) {
            printf("new ZSK published for %s; it starts signing after the DNSKEY TTL\n", z.name);
        }
    } else if (rc == 0 && strcmp(sub, "abort") == 0) {
        if ((rc = sd_dnssec_abort(&ctx, &z, &e)) == 0)
            printf("rollover of %s aborted; the old keys stay\n", z.name);
    } else if (rc == 0 && strcmp(sub, "plan") == 0) {
        json_t *j;
        if ((rc = sd_engine_plan_json(db, &z, &defaults, &j, &e)) == 0) {
            print_json(j);
            json_decref(j);
        }
    } else if (rc == 0 && strcmp(sub, "policy") == 0) {
        rc = cmd_policy(c, db, &z, &defaults, &e);
    } else if (rc == 0) {
        sd_db_close(db);
        return cli_error("usage: %s", usage);
    }
    sd_db_close(db);
    return rc < 0 ? cli_fail(&e) : 0;
}

int cmd_ds(cli *c)
{
    sd_err e;
    sd_zone z;
    if (cli_check_args(c, 1, 1, "scaidnsctl ds ZONE") != 0)
        return 1;
    sqlite3 *db = cli_open_db(c);
    if (!db)
        return 1;
    int rc = sd_zone_find(db, c->argv[0], &z, &e);
    if (rc == 0)
        rc = print_ds(db, &z, &e);
    sd_db_close(db);
    return rc < 0 ? cli_fail(&e) : 0;
}
