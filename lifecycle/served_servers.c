/* served_servers.c - which servers the served-data check asks: auth-servers, or the addresses
 * of the zone's NS names. */
#include "lifecycle/served.h"

#include <arpa/inet.h>
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifecycle/pdns_client.h"
#include "keystore/db.h"

#define RESOLVE_TIMEOUT_MS 2000

int sd_served_on(const sd_config *cfg)
{
    if (strcmp(cfg->served_check, "yes") == 0)
        return 1;
    return strcmp(cfg->served_check, "auto") == 0 && cfg->auth_servers[0] != '\0';
}

int sd_served_parse_server(const char *s, char *out, size_t len, sd_err *e)
{
    char addr[64];
    const char *port = NULL;
    size_t alen;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || (close[1] != '\0' && close[1] != ':'))
            return sd_fail(e, SD_EBADINPUT, "auth-servers entry '%s' is not [address]:port", s);
        alen = (size_t)(close - s - 1);
        s++;
        port = close[1] == ':' ? close + 2 : NULL;
    } else {
        const char *colon = strchr(s, ':');
        int v6 = colon && strchr(colon + 1, ':');
        alen = colon && !v6 ? (size_t)(colon - s) : strlen(s);
        port = colon && !v6 ? colon + 1 : NULL;
    }
    if (alen == 0 || alen >= sizeof addr)
        return sd_fail(e, SD_EBADINPUT, "auth-servers entry '%s' has no address", s);
    memcpy(addr, s, alen);
    addr[alen] = '\0';
    unsigned char buf[16];
    int v6 = inet_pton(AF_INET6, addr, buf) == 1;
    if (!v6 && inet_pton(AF_INET, addr, buf) != 1)
        return sd_fail(e, SD_EBADINPUT, "auth-servers entry '%s' is not an IP address", addr);
    long p = 53;
    if (port) {
        char *end;
        p = strtol(port, &end, 10);
        if (*port == '\0' || *end || p <= 0 || p > 65535)
            return sd_fail(e, SD_EBADINPUT, "auth-servers entry for %s has a bad port", addr);
    }
    int n = snprintf(out, len, v6 ? "[%s]:%ld" : "%s:%ld", addr, p);
    if (n < 0 || (size_t)n >= len)
        return sd_fail(e, SD_EBADINPUT, "auth-servers entry '%s' is too long", addr);
    return 0;
}

/* Calls fn on each comma- or space-separated entry of list (a copy); stops at an error. */
static int each_entry(const char *list, int (*fn)(const char *s, void *arg), void *arg, sd_err *e)
{
    char buf[sizeof((sd_config *)0)->auth_servers], *save = NULL;
    if (strlen(list) >= sizeof buf)
        return sd_fail(e, SD_EBADINPUT, "auth-servers is too long");
    snprintf(buf, sizeof buf, "%s", list);
    for (char *s = strtok_r(buf, ", ", &save); s; s = strtok_r(NULL, ", ", &save)) {
        int rc = fn(s, arg);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* What each_entry's callbacks share. */
typedef struct entry_ctx {
    json_t *servers; /* NULL: only check */
    sd_err *e;
} entry_ctx;

/* each_entry callback: checks one auth-servers entry and appends its normal form. */
static int add_entry(const char *s, void *arg)
{
    entry_ctx *c = arg;
    char norm[80];
    if (sd_served_parse_server(s, norm, sizeof norm, c->e) < 0)
        return -c->e->code;
    if (c->servers && json_array_size(c->servers) < SD_SERVED_MAX)
        json_array_append_new(c->servers, json_string(norm));
    return 0;
}

int sd_served_check_config(const sd_config *cfg, sd_err *e)
{
    const char *v = cfg->served_check;
    if (strcmp(v, "auto") != 0 && strcmp(v, "yes") != 0 && strcmp(v, "no") != 0)
        return sd_fail(e, SD_EBADINPUT, "served-check must be auto, yes or no, not '%s'", v);
    entry_ctx c = {NULL, e};
    return each_entry(cfg->auth_servers, add_entry, &c, e);
}

/* Appends "addr:53" (or "[addr]:53") to servers unless it is there already or full. */
static void add_address(json_t *servers, const char *addr)
{
    char s[80];
    snprintf(s, sizeof s, strchr(addr, ':') ? "[%s]:53" : "%s:53", addr);
    size_t i;
    json_t *v;
    json_array_foreach(servers, i, v)
    {
        if (strcmp(json_string_value(v), s) == 0)
            return;
    }
    if (json_array_size(servers) < SD_SERVED_MAX)
        json_array_append_new(servers, json_string(s));
}

/* Adds the A/AAAA records the keystore holds for name (any zone); returns how many. */
static int keystore_addresses(sqlite3 *db, const char *name, json_t *servers)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT r.content FROM rrsets s JOIN records r ON r.rrset_id = s.id "
                           "WHERE s.name = ? AND s.type IN ('A', 'AAAA') ORDER BY r.id",
                           -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        add_address(servers, (const char *)sqlite3_column_text(st, 0));
        n++;
    }
    sqlite3_finalize(st);
    return n;
}

/* Adds the addresses the system resolver (/etc/resolv.conf, /etc/hosts) gives for name;
 * returns how many, or -1 with the reason in why. */
static int system_addresses(ldns_resolver *res, const char *name, json_t *servers, char *why,
                            size_t len)
{
    if (!res) {
        snprintf(why, len, "no address in the keystore and no system resolver");
        return -1;
    }
    ldns_rdf *dn = ldns_dname_new_frm_str(name);
    ldns_rr_list *list = dn ? ldns_get_rr_list_addr_by_name(res, dn, LDNS_RR_CLASS_IN, 0) : NULL;
    int n = 0;
    for (size_t i = 0; list && i < ldns_rr_list_rr_count(list); i++) {
        ldns_rdf *a = ldns_rr_rdf(ldns_rr_list_rr(list, i), 0);
        char *text = a ? ldns_rdf2str(a) : NULL;
        if (text) {
            add_address(servers, text);
            n++;
        }
        free(text);
    }
    ldns_rr_list_deep_free(list);
    ldns_rdf_deep_free(dn);
    if (n == 0)
        snprintf(why, len, "no A or AAAA record found for the NS name");
    return n > 0 ? n : -1;
}

/* The NS names of z's apex: from the keystore, or (keys-only zone without them) as PowerDNS
 * at pdns-address serves them. A new array. */
static json_t *ns_names(sqlite3 *db, const sd_config *cfg, const sd_zone *z)
{
    json_t *names = json_array();
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT r.content FROM rrsets s JOIN records r ON r.rrset_id = s.id "
                           "WHERE s.zone_id = ? AND s.name = ? AND s.type = 'NS' ORDER BY r.id",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, z->id);
        sqlite3_bind_text(st, 2, z->name, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW)
            json_array_append_new(names, json_string((const char *)sqlite3_column_text(st, 0)));
        sqlite3_finalize(st);
    }
    ldns_pkt *pkt;
    sd_err e;
    if (json_array_size(names) == 0 && sd_dns_query(cfg->pdns_address, z->name, LDNS_RR_TYPE_NS,
                                                    RESOLVE_TIMEOUT_MS, &pkt, &e) == 0) {
        ldns_rr_list *ans = ldns_pkt_answer(pkt);
        for (size_t i = 0; i < ldns_rr_list_rr_count(ans); i++) {
            ldns_rr *rr = ldns_rr_list_rr(ans, i);
            char *text = ldns_rr_get_type(rr) == LDNS_RR_TYPE_NS && ldns_rr_rdf(rr, 0)
                             ? ldns_rdf2str(ldns_rr_rdf(rr, 0))
                             : NULL;
            if (text)
                json_array_append_new(names, json_string(text));
            free(text);
        }
        ldns_pkt_free(pkt);
    }
    return names;
}

int sd_served_servers(sqlite3 *db, const sd_config *cfg, const sd_zone *z, json_t **servers,
                      json_t **unresolved, sd_err *e)
{
    *servers = json_array();
    *unresolved = json_array();
    if (cfg->auth_servers[0]) {
        entry_ctx c = {*servers, e};
        if (each_entry(cfg->auth_servers, add_entry, &c, e) < 0) {
            json_decref(*servers);
            json_decref(*unresolved);
            *servers = *unresolved = NULL;
            return -e->code;
        }
        return 0;
    }
    json_t *names = ns_names(db, cfg, z), *v;
    ldns_resolver *res = NULL;
    size_t i;
    json_array_foreach(names, i, v)
    {
        const char *name = json_string_value(v);
        char why[128];
        if (keystore_addresses(db, name, *servers) > 0)
            continue;
        if (!res && ldns_resolver_new_frm_file(&res, NULL) == LDNS_STATUS_OK) {
            struct timeval tv = {RESOLVE_TIMEOUT_MS / 1000, 0};
            ldns_resolver_set_timeout(res, tv);
            ldns_resolver_set_retry(res, 1);
        }
        if (system_addresses(res, name, *servers, why, sizeof why) < 0)
            json_array_append_new(*unresolved,
                                  json_pack("{s:s, s:s}", "server", name, "error", why));
    }
    if (json_array_size(names) == 0)
        json_array_append_new(*unresolved, json_pack("{s:s, s:s}", "server", z->name, "error",
                                                     "the zone has no NS records to ask"));
    if (res)
        ldns_resolver_deep_free(res);
    json_decref(names);
    return 0;
}
