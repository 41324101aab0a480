/* main.c - scaidnsctl: the admin tool (init, tokens, zones, DNSSEC, DS, audit). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "keystore/audit.h"
#include "keystore/perm.h"

static const char USAGE[] =
    "usage: scaidnsctl [--config FILE] [--key=value ...] COMMAND ...\n"
    "\n"
    "  init                                   create the keystore and the seal key pair\n"
    "  token create --name N --scopes S [--zones Z]   print a new API token (shown once)\n"
    "  token list | token revoke NAME\n"
    "  zone create NAME [--ns a,b] [--soa-mail M] [--keys-only]\n"
    "  zone import NAME FILE                  load an RFC 1035 zone file\n"
    "  zone import DIR                        every zone file of DIR (named after the file)\n"
    "      [--strict]                         refuse records outside the zone (default: ignored)\n"
    "      [--split-long-txt]                 split TXT strings over 255 octets (default: "
    "refused)\n"
    "  zone list | zone delete NAME\n"
    "  zone allow-axfr ZONE KEYNAME... | --none | --show   TSIG keys that may transfer ZONE\n"
    "  tsig create NAME [--algorithm A]       print a new TSIG secret (shown once; hmac-sha256,\n"
    "                                         hmac-sha512, hmac-md5 (weak))\n"
    "  tsig list | tsig delete NAME\n"
    "  dnssec enable ZONE [--algorithm N]     KSK + ZSK, prints the DS to publish\n"
    "  dnssec status ZONE                     state as JSON (the API's GET .../dnssec)\n"
    "  dnssec confirm-ds ZONE [DS ...]        DS published at the parent (default: current)\n"
    "  dnssec rotate-zsk ZONE | rotate-ksk ZONE [--algorithm N] | abort ZONE | disable ZONE\n"
    "  dnssec import ZONE ROLE:FILE ... [--ds-published]   adopt keys another signer made\n"
    "      (ROLE csk|ksk|zsk; FILE a K*.private, its .key beside it is checked, or PEM)\n"
    "  dnssec import ZONE --from-pdns-api URL --api-key-file FILE [--records] [--ds-published]\n"
    "      the zone's keys (and with --records its records) from a running PowerDNS\n"
    "  dnssec plan ZONE                       the zone's next steps, with their arithmetic\n"
    "  dnssec policy ZONE [JSON]              show (or replace) the zone's policy\n"
    "  ds ZONE                                DS records in presentation format\n"
    "  audit verify                           check the audit trail's chain and its anchor\n"
    "  audit init-key                         key the audit trail of an older keystore\n";

/* Audit trouble that does not fail the command (an anchor line not written). */
static void warn(const char *msg)
{
    fprintf(stderr, "scaidnsctl: warning: %s\n", msg);
}

int main(int argc, char **argv)
{
    cli c;
    sd_err e;
    sd_config_defaults(&c.cfg);
    if (sd_config_from_args(&c.cfg, &argc, argv, &e) < 0)
        return cli_fail(&e);
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        fputs(USAGE, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    /* Every command reads the keystore or the seal key: none runs with them open to others. */
    if (sd_perm_check_config(&c.cfg, SD_CHECK_DB | SD_CHECK_SEAL | SD_CHECK_AUDIT, &e) < 0)
        return cli_fail(&e);
    /* Audit rows written by any command are keyed and anchored like the API's. */
    char key[4200], anchor[4200];
    sd_audit_set_warn(warn);
    if (sd_audit_setup(sd_config_audit_key(&c.cfg, key, sizeof key),
                       sd_config_audit_anchor(&c.cfg, anchor, sizeof anchor), NULL, &e) < 0)
        return cli_fail(&e);
    c.now = (int64_t)time(NULL) + c.cfg.clock_offset;
    const char *cmd = argv[1];
    int has_sub = argc >= 3;
    c.argc = argc - (has_sub ? 3 : 2);
    c.argv = argv + (has_sub ? 3 : 2);
    const char *sub = has_sub ? argv[2] : "";
    if (strcmp(cmd, "init") == 0 || strcmp(cmd, "ds") == 0) {
        c.argc = argc - 2;
        c.argv = argv + 2;
        return strcmp(cmd, "init") == 0 ? cmd_init(&c) : cmd_ds(&c);
    }
    if (strcmp(cmd, "token") == 0)
        return cmd_token(&c, sub);
    if (strcmp(cmd, "zone") == 0)
        return cmd_zone(&c, sub);
    if (strcmp(cmd, "tsig") == 0)
        return cmd_tsig(&c, sub);
    if (strcmp(cmd, "dnssec") == 0)
        return cmd_dnssec(&c, sub);
    if (strcmp(cmd, "audit") == 0)
        return cmd_audit(&c, sub);
    fputs(USAGE, stderr);
    return cli_error("unknown command '%s'", cmd);
}
