/* cli.h - what the scaidnsctl commands share. */
#ifndef SCAIDNS_CLI_H
#define SCAIDNS_CLI_H

#include <sqlite3.h>
#include <stdint.h>

#include "keystore/config.h"
#include "keystore/error.h"
#include "keystore/zone.h"

/* One invocation: configuration, the command's arguments (after the command words), now. */
typedef struct cli {
    sd_config cfg;
    int argc;
    char **argv;
    int64_t now;
} cli;

/* Prints "scaidnsctl: msg" to stderr and returns the exit status 1. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints e's message to stderr; returns 1. */
int cli_fail(const sd_err *e);

/* Opens the keystore (must exist). On failure prints why and returns NULL. */
sqlite3 *cli_open_db(const cli *c);

/* Looks for "--name VALUE" or "--name=VALUE" in the arguments; removes it and returns the
 * value, or NULL when absent. A bare "--name" (flag) returns "" . */
const char *cli_take_opt(cli *c, const char *name, int is_flag);

/* After options were taken: fails (prints, returns 1) if an unknown "--" option is left or
 * the number of positional arguments is outside [min, max]. */
int cli_check_args(const cli *c, int min, int max, const char *usage);

int cmd_init(cli *c);
int cmd_token(cli *c, const char *sub);
int cmd_zone(cli *c, const char *sub);

/* zone import DIR: each regular file of dir as a zone named after the file ("example.com",
 * "example.com.zone", "example.com.db", "db.example.com"), each in its own transaction; prints
 * one line per imported zone, an error per bad file; exit status 1 when any file failed. */
int cmd_import_dir(cli *c, const char *dir, const sd_import_opts *o);

/* Prints one warning of a zone import on stderr (sd_import_opts.warn). */
void cli_import_warn(const char *msg, void *arg);

/* Prints the summary of one zone import on stderr. */
void cli_import_summary(const char *zone, const sd_import_stats *st);
int cmd_dnssec(cli *c, const char *sub);

/* dnssec import ZONE ROLE:FILE ... | --from-pdns-api URL --api-key-file FILE [--records]
 * (cmd_import_keys.c). */
int cmd_dnssec_import(cli *c);
int cmd_ds(cli *c);
int cmd_audit(cli *c, const char *sub);

/* tsig create NAME [--algorithm A] (prints the base64 secret alone, once) | list | delete NAME
 * (cmd_tsig.c). */
int cmd_tsig(cli *c, const char *sub);

/* zone allow-axfr ZONE KEYNAME... | --none | --show: the TSIG keys that may transfer ZONE
 * (PowerDNS's TSIG-ALLOW-AXFR), replaced as a whole (cmd_tsig.c). */
int cmd_zone_allow_axfr(cli *c);

#endif
