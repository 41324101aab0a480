/* cmd_tsig.c - scaidnsctl tsig create|list|delete, and zone allow-axfr: TSIG keys for zone
 * transfers and which of them may transfer a zone. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "keystore/db.h"
#include "keystore/seal.h"
#include "keystore/timefmt.h"
#include "keystore/tsig.h"
#include "keystore/zone.h"

/* What print_key needs to list a key's zones. */
typedef struct list_ctx {
    sqlite3 *db;
    char zones[1024];
    sd_err e;
    int failed;
} list_ctx;

/* Appends zone to the ", "-separated list of the context. */
static int add_zone(const char *zone, void *arg)
{
    list_ctx *l = arg;
    size_t used = strlen(l->zones);
    if (used + strlen(zone) + 8 >= sizeof l->zones) {
        snprintf(l->zones + used, sizeof l->zones - used, "%s...", used ? "," : "");
        return 1;
    }
    snprintf(l->zones + used, sizeof l->zones - used, "%s%s", used ? "," : "", zone);
    return 0;
}

/* Prints one line of `tsig list`: name, algorithm, created, zones, and WEAK for hmac-md5. */
static int print_key(const sd_tsig_key *k, void *arg)
{
    list_ctx *l = arg;
    char created[32];
    sd_time_rfc3339(k->created_at, created, sizeof created);
    l->zones[0] = '\0';
    if (sd_tsig_key_zones(l->db, k->id, add_zone, l, &l->e) < 0) {
        l->failed = 1;
        return 1;
    }
    printf("%-30s %-12s created %s zones %s%s\n", k->name, k->algorithm, created,
           l->zones[0] ? l->zones : "-", k->weak ? "  WEAK (hmac-md5: old secondaries only)" : "");
    return 0;
}

/* Prints one key name of a zone's allow-axfr list. */
static int print_name(const char *name, void *arg)
{
    (void)arg;
    printf("%s\n", name);
    return 0;
}

int cmd_tsig(cli *c, const char *sub)
{
    sd_err e;
    const char *usage =
        "scaidnsctl tsig create NAME [--algorithm hmac-sha256|hmac-sha512|hmac-md5] | list | "
        "delete NAME";
    if (strcmp(sub, "create") == 0) {
        const char *alg = cli_take_opt(c, "algorithm", 0);
        if (cli_check_args(c, 1, 1, usage) != 0)
            return 1;
        int weak = 0;
        if (alg && sd_tsig_algorithm(alg, NULL, &weak, NULL, &e) < 0)
            return cli_fail(&e);
        sd_seal_keys seal;
        if (sd_seal_load_public(c->cfg.seal_key, &seal, &e) < 0)
            return cli_fail(&e);
        sqlite3 *db = cli_open_db(c);
        if (!db)
            return 1;
        char secret[SD_TSIG_SECRET_B64_MAX];
        sd_tsig_key k;
        int rc = sd_tsig_create(db, &seal, c->argv[0], alg, "scaidnsctl", c->now, secret,
                                sizeof secret, &k, &e);
        sd_db_close(db);
        if (rc < 0)
            return cli_fail(&e);
        if (weak)
            fprintf(stderr,
                    "scaidnsctl: warning: %s uses hmac-md5, which is weak: use it only for a "
                    "secondary that cannot do hmac-sha256\n",
                    k.name);
        printf("%s\n", secret);
        fflush(stdout);
        sodium_memzero(secret, sizeof secret);
        return 0;
    }
    if (strcmp(sub, "list") == 0) {
        if (cli_check_args(c, 0, 0, usage) != 0)
            return 1;
        list_ctx l = {0};
        if (!(l.db = cli_open_db(c)))
            return 1;
        int rc = sd_tsig_foreach(l.db, print_key, &l, &e);
        sd_db_close(l.db);
        if (l.failed)
            return cli_fail(&l.e);
        return rc < 0 ? cli_fail(&e) : 0;
    }
    if (strcmp(sub, "delete") == 0) {
        if (cli_check_args(c, 1, 1, usage) != 0)
            return 1;
        sqlite3 *db = cli_open_db(c);
        if (!db)
            return 1;
        int rc = sd_tsig_delete(db, c->argv[0], "scaidnsctl", c->now, &e);
        sd_db_close(db);
        if (rc < 0)
            return cli_fail(&e);
        printf("deleted TSIG key %s\n", c->argv[0]);
        return 0;
    }
    return cli_error("usage: %s", usage);
}

int cmd_zone_allow_axfr(cli *c)
{
    sd_err e;
    sd_zone z;
    const char *usage = "scaidnsctl zone allow-axfr ZONE KEYNAME [KEYNAME ...] | "
                        "allow-axfr ZONE --none | allow-axfr ZONE --show";
    int none = cli_take_opt(c, "none", 1) != NULL;
    int show = cli_take_opt(c, "show", 1) != NULL;
    if (cli_check_args(c, 1, 1 + SD_TSIG_MAX_PER_ZONE, usage) != 0)
        return 1;
    if (none + show + (c->argc > 1) != 1)
        return cli_error("zone allow-axfr needs key names, --none (no key may transfer the "
                         "zone) or --show\nusage: %s",
                         usage);
    sqlite3 *db = cli_open_db(c);
    if (!db)
        return 1;
    int rc = sd_zone_find(db, c->argv[0], &z, &e);
    if (rc == 0 && show)
        rc = sd_tsig_allow_axfr_foreach(db, z.id, print_name, NULL, &e);
    else if (rc == 0)
        rc = sd_tsig_allow_axfr_set(db, z.id, z.name, (const char *const *)c->argv + 1,
                                    (size_t)(c->argc - 1), "scaidnsctl", c->now, &e);
    sd_db_close(db);
    if (rc < 0)
        return cli_fail(&e);
    if (!show && none)
        printf("no TSIG key may transfer %s\n", z.name);
    else if (!show)
        printf("%d TSIG key%s may transfer %s\n", c->argc - 1, c->argc == 2 ? "" : "s", z.name);
    return 0;
}
