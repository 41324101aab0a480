/* config.c - reading scaidns.conf and --key=value overrides. */
#include "keystore/config.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keystore/policy.h"

typedef enum { K_STR, K_LONG } kind_t;

typedef struct {
    const char *name;
    kind_t kind;
    size_t off;
    size_t size; /* string buffer size */
    long min, max;
} keydef;

#define S(n, f)                                                                                    \
    {                                                                                              \
        n, K_STR, offsetof(sd_config, f), sizeof(((sd_config *)0)->f), 0, 0                        \
    }
#define L(n, f, lo, hi)                                                                            \
    {                                                                                              \
        n, K_LONG, offsetof(sd_config, f), 0, lo, hi                                               \
    }

static const keydef KEYS[] = {
    S("db", db),
    S("backend-socket", backend_socket),
    S("backend-socket-mode", backend_socket_mode),
    S("backend-allowed-uids", backend_allowed_uids),
    L("backend-threads", backend_threads, 0, 64),
    S("api-listen", api_listen),
    S("api-socket", api_socket),
    S("api-socket-mode", api_socket_mode),
    S("api-socket-allowed-uids", api_socket_allowed_uids),
    S("api-tls-cert", api_tls_cert),
    S("api-tls-key", api_tls_key),
    S("seal-key", seal_key),
    S("audit-key", audit_key),
    S("audit-anchor", audit_anchor),
    S("pdns-control-socket", pdns_control_socket),
    S("pdns-address", pdns_address),
    S("parent-servers", parent_servers),
    S("auth-servers", auth_servers),
    S("served-check", served_check),
    S("soa-edit", soa_edit),
    S("default-ns", default_ns),
    S("default-soa-mail", default_soa_mail),
    S("log-level", log_level),
    L("scheduler-interval", scheduler_interval, 1, 3600),
    L("clock-offset", clock_offset, -315360000, 315360000),
    S("webhook-url", webhook_url),
    S("webhook-secret-file", webhook_secret_file),
    L("webhook-retries", webhook_retries, 0, 100),
    L("webhook-timeout", webhook_timeout, 100, 600000),
    L("policy-dnskey-ttl", policy_dnskey_ttl, 1, 604800),
    L("policy-propagation-delay", policy_propagation_delay, 0, 604800),
    L("policy-publish-safety", policy_publish_safety, 0, 2592000),
    L("policy-retire-safety", policy_retire_safety, 0, 2592000),
    L("policy-parent-ds-ttl", policy_parent_ds_ttl, 1, 604800),
    L("policy-parent-propagation-delay", policy_parent_propagation_delay, 0, 2592000),
    L("policy-zsk-lifetime", policy_zsk_lifetime, 1, 315360000),
    L("policy-ksk-lifetime", policy_ksk_lifetime, 1, 315360000),
    L("policy-algorithm", policy_algorithm, 8, 15),
    L("policy-ksk-bits", policy_ksk_bits, 0, 4096),
    L("policy-zsk-bits", policy_zsk_bits, 0, 4096),
    L("policy-nsec3", policy_nsec3, 0, 1),
    L("policy-nsec3-iterations", policy_nsec3_iterations, 0, 500),
    S("policy-nsec3-salt", policy_nsec3_salt),
    L("policy-nsec3-optout", policy_nsec3_optout, 0, 1),
    L("policy-cds", policy_cds, 0, 1),
    L("policy-cds-delete", policy_cds_delete, 0, 1),
    S("policy-cds-digest-types", policy_cds_digest_types),
};

const char *sd_config_audit_key(const sd_config *c, char *out, size_t len)
{
    if (c->audit_key[0])
        snprintf(out, len, "%s", c->audit_key);
    else
        snprintf(out, len, "%s.audit", c->seal_key);
    return out;
}

const char *sd_config_audit_anchor(const sd_config *c, char *out, size_t len)
{
    if (c->audit_anchor[0])
        snprintf(out, len, "%s", c->audit_anchor);
    else
        snprintf(out, len, "%s.anchor", c->db);
    return out;
}

void sd_config_defaults(sd_config *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->db, sizeof c->db, "scaidns.db");
    snprintf(c->backend_socket, sizeof c->backend_socket, "scaidns-backend.sock");
    snprintf(c->backend_socket_mode, sizeof c->backend_socket_mode, "0660");
    snprintf(c->backend_allowed_uids, sizeof c->backend_allowed_uids, "pdns");
    snprintf(c->api_listen, sizeof c->api_listen, "127.0.0.1:8053");
    snprintf(c->api_socket_mode, sizeof c->api_socket_mode, "0660");
    snprintf(c->api_socket_allowed_uids, sizeof c->api_socket_allowed_uids, "*");
    snprintf(c->seal_key, sizeof c->seal_key, "scaidns-seal.key");
    snprintf(c->pdns_control_socket, sizeof c->pdns_control_socket,
             "/var/run/pdns/pdns.controlsocket");
    snprintf(c->pdns_address, sizeof c->pdns_address, "127.0.0.1:53");
    snprintf(c->served_check, sizeof c->served_check, "auto");
    snprintf(c->default_ns, sizeof c->default_ns, "ns1.example.net.,ns2.example.net.");
    snprintf(c->default_soa_mail, sizeof c->default_soa_mail, "hostmaster.example.net.");
    snprintf(c->log_level, sizeof c->log_level, "info");
    c->scheduler_interval = 60;
    c->clock_offset = 0;
    c->webhook_retries = 5;
    c->webhook_timeout = 3000;
    c->policy_dnskey_ttl = 3600;
    c->policy_propagation_delay = 300;
    c->policy_publish_safety = 3600;
    c->policy_retire_safety = 3600;
    c->policy_parent_ds_ttl = 86400;
    c->policy_parent_propagation_delay = 3600;
    c->policy_zsk_lifetime = 30L * 86400;
    c->policy_ksk_lifetime = 365L * 86400;
    c->policy_algorithm = 13;
    c->policy_ksk_bits = 2048;
    c->policy_zsk_bits = 2048;
    c->policy_nsec3 = 0;
    c->policy_nsec3_iterations = 0;
    c->policy_nsec3_optout = 0;
    c->policy_cds = 1;
    c->policy_cds_delete = 0;
    snprintf(c->policy_cds_digest_types, sizeof c->policy_cds_digest_types, "2");
}

static const keydef *find_key(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof KEYS / sizeof KEYS[0]; i++)
        if (strlen(KEYS[i].name) == len && strncmp(KEYS[i].name, name, len) == 0)
            return &KEYS[i];
    return NULL;
}

int sd_config_known(const char *key)
{
    return find_key(key, strlen(key)) != NULL;
}

int sd_config_set(sd_config *c, const char *key, const char *value, sd_err *e)
{
    const keydef *k = find_key(key, strlen(key));
    if (!k)
        return sd_fail(e, SD_EBADINPUT, "unknown configuration key '%s'", key);
    char *field = (char *)c + k->off;
    if (k->kind == K_STR) {
        if (strlen(value) >= k->size)
            return sd_fail(e, SD_EBADINPUT, "value of '%s' is too long (at most %zu bytes)", key,
                           k->size - 1);
        int bits;
        if (strcmp(key, "policy-cds-digest-types") == 0 &&
            sd_cds_digests_parse(value, &bits, e) < 0)
            return -e->code;
        memcpy(field, value, strlen(value) + 1);
        return 0;
    }
    char *end = NULL;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (errno || end == value || *end != '\0')
        return sd_fail(e, SD_EBADINPUT, "value of '%s' must be a whole number, not '%s'", key,
                       value);
    if (v < k->min || v > k->max)
        return sd_fail(e, SD_EBADINPUT, "value of '%s' must be between %ld and %ld", key, k->min,
                       k->max);
    memcpy(field, &v, sizeof v);
    return 0;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1]))
        *--end = '\0';
    return s;
}

int sd_config_load_file(sd_config *c, const char *path, sd_err *e)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return sd_fail(e, SD_EBADINPUT, "cannot open configuration file %s: %s", path,
                       strerror(errno));
    char line[8192];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            rc = sd_fail(e, SD_EBADINPUT, "%s:%d: line too long", path, lineno);
            break;
        }
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *s = trim(line);
        if (*s == '\0')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            rc = sd_fail(e, SD_EBADINPUT, "%s:%d: expected key=value", path, lineno);
            break;
        }
        *eq = '\0';
        char *key = trim(s), *val = trim(eq + 1);
        sd_err inner;
        if (sd_config_set(c, key, val, &inner) < 0) {
            rc = sd_fail(e, SD_EBADINPUT, "%s:%d: %s", path, lineno, inner.msg);
            break;
        }
    }
    fclose(f);
    return rc;
}

int sd_config_from_args(sd_config *c, int *argc, char **argv, sd_err *e)
{
    int n = *argc;
    /* First pass: the configuration file, so that command-line keys override it. */
    for (int i = 1; i < n; i++) {
        const char *file = NULL;
        if (strcmp(argv[i], "--config") == 0) {
            if (i + 1 >= n)
                return sd_fail(e, SD_EBADINPUT, "--config needs a file name");
            file = argv[i + 1];
        } else if (strncmp(argv[i], "--config=", 9) == 0) {
            file = argv[i] + 9;
        }
        if (file && sd_config_load_file(c, file, e) < 0)
            return -SD_EBADINPUT;
    }
    int out = 1;
    for (int i = 1; i < n; i++) {
        if (strcmp(argv[i], "--config") == 0) {
            i++;
            continue;
        }
        if (strncmp(argv[i], "--config=", 9) == 0)
            continue;
        const char *eq = strncmp(argv[i], "--", 2) == 0 ? strchr(argv[i], '=') : NULL;
        if (eq && find_key(argv[i] + 2, (size_t)(eq - argv[i] - 2))) {
            char key[64];
            size_t klen = (size_t)(eq - argv[i] - 2);
            memcpy(key, argv[i] + 2, klen);
            key[klen] = '\0';
            if (sd_config_set(c, key, eq + 1, e) < 0)
                return -SD_EBADINPUT;
            continue;
        }
        argv[out++] = argv[i];
    }
    argv[out] = NULL;
    *argc = out;
    return 0;
}
