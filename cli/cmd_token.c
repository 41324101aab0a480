/* cmd_token.c - scaidnsctl token create|list|revoke. */
#include <inttypes.h>
#include <sodium.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keystore/audit.h"
#include "cli/cli.h"
#include "keystore/db.h"
#include "keystore/timefmt.h"
#include "keystore/token.h"

/* Prints one token row of `token list`. */
static int print_token(const sd_token *t, int64_t created, int64_t revoked, void *arg)
{
    (void)arg;
    char c[32], r[32] = "-";
    sd_time_rfc3339(created, c, sizeof c);
    if (revoked)
        sd_time_rfc3339(revoked, r, sizeof r);
    printf("%-20s %-60s %-30s created %s revoked %s\n", t->name, t->scopes,
           t->zones[0] ? t->zones : "*", c, r);
    return 0;
}

/* Writes an audit row for a token change in its own transaction. */
static int audit_token(sqlite3 *db, int64_t now, const char *action, const char *name, sd_err *e)
{
    json_t *d = json_pack("{s:s}", "token", name);
    char *detail = json_dumps(d, JSON_COMPACT);
    int rc = sd_db_begin(db, e);
    if (rc == 0 && (rc = sd_audit(db, now, "scaidnsctl", NULL, action, "ok", detail, e)) == 0)
        rc = sd_db_commit(db, e);
    else if (rc < 0)
        sd_db_rollback(db);
    free(detail);
    json_decref(d);
    return rc;
}

int cmd_token(cli *c, const char *sub)
{
    sd_err e;
    const char *usage = "scaidnsctl token create --name N --scopes S [--zones Z] | list | "
                        "revoke NAME";
    if (strcmp(sub, "create") == 0) {
        const char *name = cli_take_opt(c, "name", 0);
        const char *scopes = cli_take_opt(c, "scopes", 0);
        const char *zones = cli_take_opt(c, "zones", 0);
        if (cli_check_args(c, 0, 0, usage) != 0)
            return 1;
        if (!name || !scopes)
            return cli_error("token create needs --name and --scopes");
        sqlite3 *db = cli_open_db(c);
        if (!db)
            return 1;
        char secret[SD_TOKEN_LEN + 8];
        int rc = sd_token_create(db, name, scopes, zones, c->now, secret, sizeof secret, &e);
        if (rc == 0)
            rc = audit_token(db, c->now, "token-create", name, &e);
        sd_db_close(db);
        if (rc < 0)
            return cli_fail(&e);
        printf("%s\n", secret);
        sodium_memzero(secret, sizeof secret);
        return 0;
    }
    if (strcmp(sub, "list") == 0) {
        if (cli_check_args(c, 0, 0, usage) != 0)
            return 1;
        sqlite3 *db = cli_open_db(c);
        if (!db)
            return 1;
        int rc = sd_token_foreach(db, print_token, NULL, &e);
        sd_db_close(db);
        return rc < 0 ? cli_fail(&e) : 0;
    }
    if (strcmp(sub, "revoke") == 0) {
        if (cli_check_args(c, 1, 1, usage) != 0)
            return 1;
        sqlite3 *db = cli_open_db(c);
        if (!db)
            return 1;
        int rc = sd_token_revoke(db, c->argv[0], c->now, &e);
        if (rc == 0)
            rc = audit_token(db, c->now, "token-revoke", c->argv[0], &e);
        sd_db_close(db);
        if (rc < 0)
            return cli_fail(&e);
        printf("revoked token %s\n", c->argv[0]);
        return 0;
    }
    return cli_error("usage: %s", usage);
}
