/* cmd_init.c - scaidnsctl init: a new keystore, the backend's seal key pair, the audit key
 * and the audit anchor. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "keystore/audit.h"
#include "keystore/db.h"
#include "keystore/seal.h"

/* Creates the keystore, the seal key pair, the audit key and the (empty) anchor; refuses to
 * overwrite the keystore, keeps a seal key pair or audit key already there, and refuses an
 * anchor that already holds heads (it belongs to another keystore). */
int cmd_init(cli *c)
{
    sd_err e;
    if (cli_check_args(c, 0, 0, "scaidnsctl init") != 0)
        return 1;
    if (access(c->cfg.db, F_OK) == 0)
        return cli_error("%s exists already: init refuses to overwrite a keystore", c->cfg.db);
    char pub[4200];
    snprintf(pub, sizeof pub, "%s.pub", c->cfg.seal_key);
    int have_seal = access(c->cfg.seal_key, F_OK) == 0;
    if (!have_seal && access(pub, F_OK) == 0)
        return cli_error("%s exists without %s: remove it or restore the secret key", pub,
                         c->cfg.seal_key);
    char akey[4200], anchor[4200];
    sd_config_audit_key(&c->cfg, akey, sizeof akey);
    sd_config_audit_anchor(&c->cfg, anchor, sizeof anchor);
    struct stat st;
    if (stat(anchor, &st) == 0 && st.st_size > 0)
        return cli_error("the audit anchor %s holds the heads of another keystore: move it away "
                         "first",
                         anchor);
    int have_akey = access(akey, F_OK) == 0;
    if (!have_seal && sd_seal_create(c->cfg.seal_key, &e) < 0)
        return cli_fail(&e);
    if ((!have_akey && sd_audit_key_create(akey, &e) < 0) ||
        sd_audit_anchor_create(anchor, &e) < 0) {
        if (!have_seal) {
            unlink(c->cfg.seal_key);
            unlink(pub);
        }
        return cli_fail(&e);
    }
    sqlite3 *db = NULL;
    if (sd_db_open(c->cfg.db, SD_DB_CREATE, &db, &e) < 0) {
        if (!have_seal) {
            unlink(c->cfg.seal_key);
            unlink(pub);
        }
        if (!have_akey)
            unlink(akey);
        unlink(anchor);
        return cli_fail(&e);
    }
    sd_db_close(db);
    printf("created keystore %s (schema version %d)\n", c->cfg.db, sd_db_schema_version());
    if (have_seal)
        printf("kept the existing seal key pair %s\n", c->cfg.seal_key);
    else
        printf("created seal key pair %s (secret, for scaidns-backend) and %s\n", c->cfg.seal_key,
               pub);
    printf("%s audit key %s and the audit anchor %s\n", have_akey ? "kept the existing" : "created",
           akey, anchor);
    return 0;
}
