/* cmd_audit.c - scaidnsctl audit verify | init-key: the audit trail's chain, its key and its
 * anchor (keystore/audit.h). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "keystore/audit.h"
#include "keystore/db.h"

static const char AUDIT_USAGE[] = "scaidnsctl audit verify | scaidnsctl audit init-key";

/* Checks the chain and the anchor; prints what was checked. */
static int verify(cli *c)
{
    sd_err e;
    char anchor[4200];
    sd_config_audit_anchor(&c->cfg, anchor, sizeof anchor);
    sqlite3 *db = cli_open_db(c);
    if (!db)
        return 1;
    sd_audit_report r;
    int rc = sd_audit_verify_report(db, &r, &e);
    sd_db_close(db);
    if (rc < 0)
        return cli_fail(&e);
    printf("audit trail intact: %" PRId64 " rows (%" PRId64 " keyed", r.rows, r.keyed);
    if (r.anchor_found)
        printf("; the anchor %s holds heads up to sequence %" PRId64 ")\n", anchor, r.anchored);
    else
        printf("; no anchor at %s yet)\n", anchor);
    if (r.keyed == 0 && r.rows > 0)
        printf("note: no row is keyed: whoever can write the keystore could rewrite the trail "
               "(scaidnsctl audit init-key)\n");
    return 0;
}

/* Creates the audit key of an existing keystore, and the anchor, then writes the first keyed
 * row so that the keystore itself records when keying began. */
static int init_key(cli *c)
{
    sd_err e;
    char key[4200], anchor[4200];
    sd_config_audit_key(&c->cfg, key, sizeof key);
    sd_config_audit_anchor(&c->cfg, anchor, sizeof anchor);
    sqlite3 *db = cli_open_db(c);
    if (!db)
        return 1;
    if (sd_audit_key_create(key, &e) < 0 || sd_audit_anchor_create(anchor, &e) < 0 ||
        sd_audit_setup(key, anchor, NULL, &e) < 0) {
        sd_db_close(db);
        return cli_fail(&e);
    }
    int rc = sd_db_begin(db, &e);
    if (rc == 0 &&
        (rc = sd_audit(db, c->now, "scaidnsctl", NULL, "audit-key-created", "ok", NULL, &e)) < 0)
        sd_db_rollback(db);
    if (rc == 0)
        rc = sd_db_commit(db, &e);
    sd_db_close(db);
    if (rc < 0)
        return cli_fail(&e);
    printf("created audit key %s (0600; keep it beside the seal key, never in the keystore)\n"
           "new audit rows are keyed from now on; their heads go to %s\n"
           "scaidns-api takes the key up at its next audit row, without a restart\n",
           key, anchor);
    return 0;
}

int cmd_audit(cli *c, const char *sub)
{
    int is_verify = strcmp(sub, "verify") == 0;
    if (!is_verify && strcmp(sub, "init-key") != 0)
        return cli_error("usage: %s", AUDIT_USAGE);
    if (cli_check_args(c, 0, 0, AUDIT_USAGE) != 0)
        return 1;
    return is_verify ? verify(c) : init_key(c);
}
