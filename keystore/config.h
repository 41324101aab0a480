/* config.h - the one key=value configuration shared by scaidns-backend, scaidns-api and
 * scaidnsctl: read from --config FILE, then overridden by --key=value arguments. */
#ifndef SCAIDNS_CONFIG_H
#define SCAIDNS_CONFIG_H

#include <stddef.h>

#include "keystore/error.h"

/* Every key scaidns knows, in the order scaidns.conf.sample documents them. */
typedef struct sd_config {
    char db[4096];                      /* db: path of the SQLite keystore */
    char backend_socket[4096];          /* backend-socket: Unix socket scaidns-backend listens on */
    char backend_socket_mode[8];        /* backend-socket-mode: octal permissions of the socket */
    char backend_allowed_uids[1024];    /* backend-allowed-uids: who may connect (peer.h) */
    long backend_threads;               /* backend-threads: scaidns-backend workers (0: by cores) */
    char api_listen[256];               /* api-listen: host:port of the HTTP API */
    char api_socket[4096];              /* api-socket: also serve the API on this Unix socket */
    char api_socket_mode[8];            /* api-socket-mode: octal permissions of that socket */
    char api_socket_allowed_uids[1024]; /* api-socket-allowed-uids: who may connect to it */
    char api_tls_cert[4096]; /* api-tls-cert: PEM certificate (chain): HTTPS on api-listen */
    char api_tls_key[4096];  /* api-tls-key: its PEM private key (0600) */
    char seal_key[4096];     /* seal-key: backend key pair file (public half in FILE.pub) */
    char audit_key[4096];    /* audit-key: HMAC key of the audit chain ("" = SEAL-KEY.audit) */
    char audit_anchor[4096]; /* audit-anchor: append-only file of audit heads ("" = DB.anchor) */
    char pdns_control_socket[4096]; /* pdns-control-socket: pdns.controlsocket path */
    char pdns_address[256];         /* pdns-address: host:port where PowerDNS answers DNS */
    char parent_servers[1024];      /* parent-servers: host:port,... asked for the zone's DS */
    char auth_servers[1024];        /* auth-servers: host[:port],... serving every zone ("" = NS) */
    char served_check[8];           /* served-check: auto, yes or no (before every step) */
    char soa_edit[32];              /* soa-edit: SOA-EDIT metadata served for zones ("" = none) */
    char default_ns[1024];          /* default-ns: NS names for new zones, comma separated */
    char default_soa_mail[256];     /* default-soa-mail: SOA RNAME for new zones */
    char log_level[16];             /* log-level: error, warning, info or debug */
    long scheduler_interval;        /* scheduler-interval: longest sleep between checks (s) */
    long clock_offset;              /* clock-offset: seconds added to the clock (tests) */
    char webhook_url[1024];         /* webhook-url: http://host:port/path for events ("" = off) */
    char webhook_secret_file[4096]; /* webhook-secret-file: HMAC key of the webhook (0600) */
    long webhook_retries;           /* webhook-retries: retries after a failed delivery */
    long webhook_timeout;           /* webhook-timeout: ms for one delivery attempt */
    /* default policy (policy-*) */
    long policy_dnskey_ttl;
    long policy_propagation_delay;
    long policy_publish_safety;
    long policy_retire_safety;
    long policy_parent_ds_ttl;
    long policy_parent_propagation_delay;
    long policy_zsk_lifetime;
    long policy_ksk_lifetime;
    long policy_algorithm;
    long policy_ksk_bits;
    long policy_zsk_bits;
    long policy_nsec3; /* policy-nsec3: 0 = NSEC, 1 = NSEC3 */
    long policy_nsec3_iterations;
    char policy_nsec3_salt[130]; /* hex, "" or "-" for none */
    long policy_nsec3_optout;
    long policy_cds;
    long policy_cds_delete; /* policy-cds-delete: CDS/CDNSKEY DELETE before going insecure */
    char policy_cds_digest_types[16]; /* policy-cds-digest-types: "2", "4" or "2,4" */
} sd_config;

/* The audit key's path: audit-key, or seal-key + ".audit" when empty. Returns out. */
const char *sd_config_audit_key(const sd_config *c, char *out, size_t len);

/* The audit anchor's path: audit-anchor, or db + ".anchor" when empty. Returns out. */
const char *sd_config_audit_anchor(const sd_config *c, char *out, size_t len);

/* Fills c with the built-in defaults. */
void sd_config_defaults(sd_config *c);

/* Reads a key=value file into c ('#' starts a comment; blank lines ignored). Unknown keys,
 * malformed lines and out-of-range numbers are errors that name the file and line. */
int sd_config_load_file(sd_config *c, const char *path, sd_err *e);

/* Sets one key (as spelled in the file, e.g. "api-listen") to value. */
int sd_config_set(sd_config *c, const char *key, const char *value, sd_err *e);

/* Returns 1 if key names a configuration key, else 0. */
int sd_config_known(const char *key);

/* Parses argv: "--config FILE" / "--config=FILE" is loaded first, wherever it stands; then
 * every "--key=value" whose key is a configuration key overrides it. Those arguments are
 * removed from argv and *argc lowered; everything else (argv[0], commands, the program's own
 * options) stays in order for the program to parse. */
int sd_config_from_args(sd_config *c, int *argc, char **argv, sd_err *e);

#endif
