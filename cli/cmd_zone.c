/* cmd_zone.c - scaidnsctl zone create|import|list|delete. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "keystore/db.h"
#include "lifecycle/dnssec.h"
#include "keystore/zone.h"

void cli_import_warn(const char *msg, void *arg)
{
    (void)arg;
    fprintf(stderr, "scaidnsctl: warning: %s\n", msg);
}

void cli_import_summary(const char *zone, const sd_import_stats *st)
{
    fprintf(stderr,
            "scaidnsctl: imported %s: %zu records, %zu DNSSEC records skipped, %zu out-of-zone "
            "records ignored, %zu long TXT strings split\n",
            zone, st->records, st->dnssec_skipped, st->out_of_zone, st->txt_split);
}

/* Prints one zone row of `zone list` with its DNSSEC status. */
static int print_zone(const sd_zone *z, void *arg)
{
    sqlite3 *db = arg;
    char status[32] = "?";
    sd_dnssec_status(db, z->id, status, sizeof status, NULL);
    printf("%-20s %-40s %-12s%s\n", z->public_id, z->name, status,
           z->keys_only ? " keys-only" : "");
    return 0;
}

int cmd_zone(cli *c, const char *sub)
{
    sd_err e;
    sd_zone z;
    const char *usage = "scaidnsctl zone create NAME [--ns a,b] [--soa-mail M] [--keys-only] | "
                        "import NAME FILE|DIR [--strict] [--split-long-txt] | list | delete NAME | "
                        "allow-axfr ZONE KEYNAME...";
    if (strcmp(sub, "allow-axfr") == 0)
        return cmd_zone_allow_axfr(c);
    if (strcmp(sub, "create") == 0) {
        sd_zone_init init = {0};
        const char *ns = cli_take_opt(c, "ns", 0);
        const char *mail = cli_take_opt(c, "soa-mail", 0);
        init.keys_only = cli_take_opt(c, "keys-only", 1) != NULL;
        if (cli_check_args(c, 1, 1, usage) != 0)
            return 1;
        init.ns = ns ? ns : c->cfg.default_ns;
        init.soa_rname = mail ? mail : c->cfg.default_soa_mail;
        init.soa_minimum = (uint32_t)c->cfg.policy_dnskey_ttl;
        init.with_records = 1;
        sqlite3 *db = cli_open_db(c);
        if (!db)
            return 1;
        int rc = sd_zone_create(db, c->argv[0], &init, "scaidnsctl", c->now, &z, &e);
        sd_db_close(db);
        if (rc < 0)
            return cli_fail(&e);
        printf("%s %s\n", z.public_id, z.name);
        return 0;
    }
    if (strcmp(sub, "import") == 0) {
        sd_import_opts o = {0};
        o.strict = cli_take_opt(c, "strict", 1) != NULL;
        o.split_long_txt = cli_take_opt(c, "split-long-txt", 1) != NULL;
        o.warn = cli_import_warn;
        if (cli_check_args(c, 1, 2, usage) != 0)
            return 1;
        if (c->argc == 1)
            return cmd_import_dir(c, c->argv[0], &o);
        sqlite3 *db = cli_open_db(c);
        if (!db)
            return 1;
        sd_import_stats st;
        int rc =
            sd_zone_import_opts(db, c->argv[0], c->argv[1], &o, "scaidnsctl", c->now, &z, &st, &e);
        sd_db_close(db);
        if (rc < 0)
            return cli_fail(&e);
        printf("%s %s\n", z.public_id, z.name);
        cli_import_summary(z.name, &st);
        return 0;
    }
    if (strcmp(sub, "list") == 0) {
        if (cli_check_args(c, 0, 0, usage) != 0)
            return 1;
        sqlite3 *db = cli_open_db(c);
        if (!db)
            return 1;
        int rc = sd_zone_foreach(db, print_zone, db, &e);
        sd_db_close(db);
        return rc < 0 ? cli_fail(&e) : 0;
    }
    if (strcmp(sub, "delete") == 0) {
        if (cli_check_args(c, 1, 1, usage) != 0)
            return 1;
        sqlite3 *db = cli_open_db(c);
        if (!db)
            return 1;
        int rc = sd_zone_delete(db, c->argv[0], "scaidnsctl", c->now, &e);
        sd_db_close(db);
        if (rc < 0)
            return cli_fail(&e);
        printf("deleted %s\n", c->argv[0]);
        return 0;
    }
    return cli_error("usage: %s", usage);
}
