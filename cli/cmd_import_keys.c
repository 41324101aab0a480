/* cmd_import_keys.c - scaidnsctl dnssec import: adopting the keys of a zone another signer
 * already signs, from key files (ROLE:FILE) or from a running PowerDNS's REST API
 * (--from-pdns-api, cli/pdns_rest.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cli/cli.h"
#include "cli/pdns_rest.h"
#include "keystore/db.h"
#include "lifecycle/dnssec.h"
#include "lifecycle/import.h"

#define KEYFILE_MAX (64 * 1024)

static const char USAGE[] =
    "scaidnsctl dnssec import ZONE ROLE:FILE [ROLE:FILE ...] [--ds-published] [--algorithm N] "
    "| dnssec import ZONE --from-pdns-api URL --api-key-file FILE [--records] [--ds-published]";

/* Reads a whole key file (at most KEYFILE_MAX bytes) into a malloc'ed NUL-terminated text;
 * the caller wipes and frees it. NULL with e filled on failure; missing_ok: NULL and no error
 * when the file does not exist. */
static char *read_text(const char *path, int missing_ok, sd_err *e)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (!(missing_ok && errno == ENOENT))
            sd_fail(e, SD_EBADINPUT, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(KEYFILE_MAX + 1);
    size_t len = 0;
    ssize_t r = 0;
    while (buf && len < KEYFILE_MAX && (r = read(fd, buf + len, KEYFILE_MAX - len)) > 0)
        len += (size_t)r;
    close(fd);
    if (!buf) {
        sd_fail(e, SD_EINTERNAL, "out of memory");
        return NULL;
    }
    if (r < 0 || len == KEYFILE_MAX) {
        sodium_memzero(buf, KEYFILE_MAX + 1);
        free(buf);
        sd_fail(e, SD_EBADINPUT, "%s: %s", path,
                r < 0 ? strerror(errno) : "too large for a key file");
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}

/* Wipes and frees a text read by read_text (NULL-safe). */
static void free_text(char *t)
{
    if (t) {
        sodium_memzero(t, strlen(t));
        free(t);
    }
}

/* Fills keys from ROLE:FILE arguments (argv[1..]); a FILE ending in ".private" brings the
 * ".key" file beside it, when there is one, as its public half. texts[] receives what to free. */
static int keys_from_files(const cli *c, int algorithm, sd_import_key *keys, char **texts,
                           size_t *n, sd_err *e)
{
    *n = 0;
    for (int i = 1; i < c->argc; i++) {
        const char *arg = c->argv[i], *colon = strchr(arg, ':');
        if (*n == SD_IMPORT_MAX_KEYS)
            return sd_fail(e, SD_EBADINPUT, "at most %d keys in one import", SD_IMPORT_MAX_KEYS);
        char role[8];
        if (!colon || colon == arg || (size_t)(colon - arg) >= sizeof role || !colon[1])
            return sd_fail(e, SD_EBADINPUT, "'%s' is not ROLE:FILE (ROLE is csk, ksk or zsk)", arg);
        memcpy(role, arg, (size_t)(colon - arg));
        role[colon - arg] = '\0';
        sd_import_key *k = &keys[*n];
        memset(k, 0, sizeof *k);
        if (sd_import_role_parse(role, &k->role, e) < 0)
            return -e->code;
        const char *path = colon + 1;
        char **priv = &texts[2 * *n], **pub = &texts[2 * *n + 1];
        if (!(*priv = read_text(path, 0, e)))
            return -e->code;
        size_t pl = strlen(path);
        if (pl > 8 && strcmp(path + pl - 8, ".private") == 0) {
            char keyfile[4096];
            snprintf(keyfile, sizeof keyfile, "%.*s.key", (int)(pl - 8), path);
            e->code = 0;
            *pub = read_text(keyfile, 1, e);
            if (!*pub && e->code)
                return -e->code;
        }
        k->private_key = *priv;
        k->public_key = *pub;
        k->algorithm = algorithm;
        k->published = k->active = 1;
        (*n)++;
    }
    return 0;
}

/* Prints what was imported and the DS of the imported KSK/CSK. */
static int report(sqlite3 *db, const sd_zone *z, json_t *detail, int ds_published, sd_err *e)
{
    size_t i;
    json_t *k;
    json_array_foreach(json_object_get(detail, "keys"), i, k)
    {
        printf("imported %s %lld (algorithm %lld, flags %lld)\n",
               json_string_value(json_object_get(k, "role")),
               (long long)json_integer_value(json_object_get(k, "key_tag")),
               (long long)json_integer_value(json_object_get(k, "algorithm")),
               (long long)json_integer_value(json_object_get(k, "flags")));
    }
    json_t *split = json_object_get(detail, "split_zsk");
    if (split) {
        char when[32] = "?";
        time_t at = (time_t)json_integer_value(json_object_get(detail, "split_activate_at"));
        struct tm tm;
        if (gmtime_r(&at, &tm))
            strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        printf("new ZSK %lld pre-published: it takes over the zone's signatures from the CSK at "
               "%s; switch PowerDNS to scaidns before then (with auth-servers set, the "
               "scheduler waits until PowerDNS serves it)\n",
               (long long)json_integer_value(split), when);
    }
    printf(ds_published ? "status active; the parent's DS stays as it is:\n"
                        : "status pending_ds; publish one of these DS records at the parent, "
                          "then run 'scaidnsctl dnssec confirm-ds %s':\n",
           z->name);
    json_t *ds;
    if (sd_dnssec_ds_json(db, z, &ds, e) < 0)
        return -e->code;
    json_t *d;
    json_array_foreach(ds, i, d)
    {
        printf("%s\n", json_string_value(json_object_get(d, "ds")));
    }
    json_decref(ds);
    return 0;
}

int cmd_dnssec_import(cli *c)
{
    const char *dsp = cli_take_opt(c, "ds-published", 1);
    const char *alg_opt = cli_take_opt(c, "algorithm", 0);
    const char *url = cli_take_opt(c, "from-pdns-api", 0);
    const char *keyfile = cli_take_opt(c, "api-key-file", 0);
    const char *records = cli_take_opt(c, "records", 1);
    if (cli_check_args(c, 1, url ? 1 : 1 + SD_IMPORT_MAX_KEYS, USAGE) != 0)
        return 1;
    if (!url && (keyfile || records))
        return cli_error("--api-key-file and --records go with --from-pdns-api");
    if (url && !keyfile)
        return cli_error("--from-pdns-api needs --api-key-file FILE (PowerDNS's api-key)");
    if (!url && c->argc < 2)
        return cli_error("usage: %s", USAGE);
    int alg = 0;
    if (alg_opt) {
        char *end;
        long v = strtol(alg_opt, &end, 10);
        if (*alg_opt == '\0' || *end || v < 0 || v > 255)
            return cli_error("--algorithm must be a number, not '%s'", alg_opt);
        alg = (int)v;
    }
    sd_err e = {0, ""};
    sd_import_key keys[SD_IMPORT_MAX_KEYS];
    char *texts[2 * SD_IMPORT_MAX_KEYS] = {0};
    size_t n = 0;
    sd_pdns_zone_dump dump;
    memset(&dump, 0, sizeof dump);
    sqlite3 *db = cli_open_db(c);
    if (!db)
        return 1;
    sd_zone z;
    sd_seal_keys seal;
    sd_policy defaults;
    sd_policy_from_config(&c->cfg, &defaults);
    sd_ctx ctx = {db, &seal, &defaults, "scaidnsctl", c->now};
    json_t *detail = NULL;
    int created = 0;
    int rc = sd_seal_load_public(c->cfg.seal_key, &seal, &e);
    if (rc == 0 && url) {
        rc = sd_pdns_zone_fetch(url, keyfile, c->argv[0], records != NULL, &dump, &e);
        if (rc == 0 && records &&
            (rc = sd_pdns_records_import(db, &dump, "scaidnsctl", c->now, &e)) == 0)
            created = 1;
        if (rc == 0)
            rc = sd_pdns_import_keys(&dump, keys, &n, &e);
        if (rc == 0 && dump.skipped)
            printf("left out %zu key(s) that PowerDNS neither publishes nor signs with\n",
                   dump.skipped);
    } else if (rc == 0) {
        rc = keys_from_files(c, alg, keys, texts, &n, &e);
    }
    if (rc == 0)
        rc = sd_zone_find(db, c->argv[0], &z, &e);
    if (rc == 0)
        rc = sd_dnssec_import(&ctx, &z, keys, n, dsp != NULL, &detail, &e);
    if (rc < 0 && created) {
        /* The zone this command created goes again: a second run starts from the same place. */
        sd_err de;
        sd_zone_delete(db, dump.zone, "scaidnsctl", c->now, &de);
    }
    if (rc == 0)
        rc = report(db, &z, detail, dsp != NULL, &e);
    json_decref(detail);
    for (size_t i = 0; i < 2 * SD_IMPORT_MAX_KEYS; i++)
        free_text(texts[i]);
    sd_pdns_zone_dump_free(&dump);
    sd_db_close(db);
    return rc < 0 ? cli_fail(&e) : 0;
}
