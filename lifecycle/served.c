/* served.c - asking a zone's authoritative servers what they serve at the apex and comparing
 * it with the keystore (see lifecycle/served.h). */
#include "lifecycle/served.h"

#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lifecycle/pdns_client.h"
#include "keystore/rdata.h"

#define SERVED_TIMEOUT_MS 2000

/* The apex records of type in pkt's answer (owner == zone), or NULL (caller frees the list,
 * not the records). */
static ldns_rr_list *apex_rrs(ldns_pkt *pkt, const char *zone, ldns_rr_type type)
{
    ldns_rdf *owner = ldns_dname_new_frm_str(zone);
    ldns_rr_list *all = ldns_pkt_answer(pkt), *out = ldns_rr_list_new();
    for (size_t i = 0; owner && out && i < ldns_rr_list_rr_count(all); i++) {
        ldns_rr *rr = ldns_rr_list_rr(all, i);
        if (ldns_rr_get_type(rr) == type && ldns_dname_compare(ldns_rr_owner(rr), owner) == 0)
            ldns_rr_list_push_rr(out, rr);
    }
    ldns_rdf_deep_free(owner);
    return out;
}

/* Asks server for zone/type; an authoritative answer in *pkt, else 0 with why filled. */
static int ask(const char *server, const char *zone, ldns_rr_type type, int timeout_ms,
               ldns_pkt **pkt, char *why, size_t len)
{
    sd_err e;
    if (sd_dns_query(server, zone, type, timeout_ms, pkt, &e) < 0) {
        snprintf(why, len, "%s", e.msg);
        return 0;
    }
    if (!ldns_pkt_aa(*pkt) || ldns_pkt_get_rcode(*pkt) != LDNS_RCODE_NOERROR) {
        snprintf(why, len, "%s is not authoritative for %s (%s)", server, zone,
                 ldns_pkt_aa(*pkt) ? "NXDOMAIN" : "no AA bit");
        ldns_pkt_free(*pkt);
        *pkt = NULL;
        return 0;
    }
    return 1;
}

/* The DNSKEYs of an answer as [{"key_tag", "rdata" (hex)}]. */
static json_t *dnskeys_of(ldns_pkt *pkt, const char *zone)
{
    json_t *arr = json_array();
    ldns_rr_list *rrs = apex_rrs(pkt, zone, LDNS_RR_TYPE_DNSKEY);
    for (size_t i = 0; rrs && i < ldns_rr_list_rr_count(rrs); i++) {
        ldns_rr *rr = ldns_rr_list_rr(rrs, i);
        ldns_buffer *b = ldns_buffer_new(512);
        if (b && ldns_rr_rdata2buffer_wire(b, rr) == LDNS_STATUS_OK) {
            size_t n = ldns_buffer_position(b);
            char *hex = malloc(2 * n + 1);
            for (size_t j = 0; hex && j < n; j++)
                snprintf(hex + 2 * j, 3, "%02x", ldns_buffer_at(b, 0)[j]);
            if (hex) {
                hex[2 * n] = '\0';
                json_array_append_new(arr, json_pack("{s:i, s:s}", "key_tag",
                                                     (int)ldns_calc_keytag(rr), "rdata", hex));
            }
            free(hex);
        }
        ldns_buffer_free(b);
    }
    ldns_rr_list_free(rrs);
    return arr;
}

json_t *sd_served_ask(const char *server, const char *zone, int timeout_ms)
{
    char why[600];
    ldns_pkt *pkt;
    if (!ask(server, zone, LDNS_RR_TYPE_DNSKEY, timeout_ms, &pkt, why, sizeof why))
        return json_pack("{s:s, s:s}", "server", server, "error", why);
    json_t *out = json_pack("{s:s, s:o}", "server", server, "dnskey", dnskeys_of(pkt, zone));
    ldns_pkt_free(pkt);
    if (!ask(server, zone, LDNS_RR_TYPE_SOA, timeout_ms, &pkt, why, sizeof why)) {
        json_decref(out);
        return json_pack("{s:s, s:s}", "server", server, "error", why);
    }
    ldns_rr_list *soa = apex_rrs(pkt, zone, LDNS_RR_TYPE_SOA);
    ldns_rdf *serial =
        soa && ldns_rr_list_rr_count(soa) == 1 ? ldns_rr_rdf(ldns_rr_list_rr(soa, 0), 2) : NULL;
    json_object_set_new(out, "soa_serial",
                        serial ? json_integer(ldns_rdf2native_int32(serial)) : json_null());
    ldns_rr_list_free(soa);
    ldns_pkt_free(pkt);
    if (!ask(server, zone, LDNS_RR_TYPE_CDS, timeout_ms, &pkt, why, sizeof why)) {
        json_decref(out);
        return json_pack("{s:s, s:s}", "server", server, "error", why);
    }
    json_t *cds = json_array();
    ldns_rr_list *rrs = apex_rrs(pkt, zone, LDNS_RR_TYPE_CDS);
    for (size_t i = 0; rrs && i < ldns_rr_list_rr_count(rrs); i++) {
        char *text = sd_rdata_text(ldns_rr_list_rr(rrs, i));
        if (text)
            json_array_append_new(cds, json_string(text));
        free(text);
    }
    ldns_rr_list_free(rrs);
    ldns_pkt_free(pkt);
    json_object_set_new(out, "cds", cds);
    return out;
}

/* The key of keys (sd_served_expected) whose "rdata" is rdata, or NULL. */
static const json_t *key_by_rdata(const json_t *keys, const char *rdata)
{
    size_t i;
    json_t *k;
    json_array_foreach(keys, i, k)
    {
        if (strcmp(json_string_value(json_object_get(k, "rdata")), rdata) == 0)
            return k;
    }
    return NULL;
}

/* 1 when the string arrays a and b hold the same strings (any case, any order). */
static int same_strings(const json_t *a, const json_t *b)
{
    if (json_array_size(a) != json_array_size(b))
        return 0;
    size_t i, j;
    json_t *x, *y;
    json_array_foreach(a, i, x)
    {
        int found = 0;
        json_array_foreach(b, j, y)
        {
            found |= strcasecmp(json_string_value(x), json_string_value(y)) == 0;
        }
        if (!found)
            return 0;
    }
    return 1;
}

/* Adds name: arr to o when arr is not empty (arr is consumed). */
static void set_if_any(json_t *o, const char *name, json_t *arr)
{
    if (json_array_size(arr) > 0)
        json_object_set_new(o, name, arr);
    else
        json_decref(arr);
}

json_t *sd_served_compare(const json_t *answer, const json_t *expected, const json_t *keys,
                          int keys_only)
{
    const char *server = json_string_value(json_object_get(answer, "server"));
    json_t *err = json_object_get(answer, "error");
    if (err)
        return json_pack("{s:s, s:b, s:O}", "server", server ? server : "", "agrees", 0, "error",
                         err);
    json_t *tags = json_array(), *missing = json_array(), *stale = json_array(),
           *unknown = json_array(), *differs = json_array(), *d, *k;
    size_t i;
    json_array_foreach(json_object_get(answer, "dnskey"), i, d)
    {
        json_t *tag = json_object_get(d, "key_tag");
        json_array_append(tags, tag);
        const json_t *known = key_by_rdata(keys, json_string_value(json_object_get(d, "rdata")));
        if (!known)
            json_array_append(unknown, tag);
        else if (!json_is_true(json_object_get(known, "published")))
            json_array_append(stale, tag);
    }
    json_array_foreach(keys, i, k)
    {
        if (!json_is_true(json_object_get(k, "published")))
            continue;
        int served = 0;
        size_t j;
        json_array_foreach(json_object_get(answer, "dnskey"), j, d)
        {
            served |= json_equal(json_object_get(d, "rdata"), json_object_get(k, "rdata"));
        }
        if (!served)
            json_array_append(missing, json_object_get(k, "key_tag"));
    }
    if (json_array_size(missing) || json_array_size(stale) || json_array_size(unknown))
        json_array_append_new(differs, json_string("dnskey"));
    json_t *want = json_object_get(expected, "soa_serial"),
           *got = json_object_get(answer, "soa_serial");
    if (json_is_integer(want) && !json_equal(want, got))
        json_array_append_new(differs, json_string("soa_serial"));
    json_t *cds_want = json_object_get(expected, "cds");
    if (json_is_array(cds_want) && !same_strings(cds_want, json_object_get(answer, "cds")))
        json_array_append_new(differs, json_string("cds"));
    json_t *o = json_pack("{s:s, s:b, s:o, s:O, s:O}", "server", server ? server : "", "agrees",
                          json_array_size(differs) == 0, "dnskey", tags, "soa_serial",
                          got ? got : json_null(), "cds", json_object_get(answer, "cds"));
    set_if_any(o, "differs", differs);
    set_if_any(o, "missing", missing);
    set_if_any(o, "stale", stale);
    if (json_array_size(unknown) && keys_only)
        json_object_set_new(o, "unknown_origin", json_string(SD_FOREIGN_KEY_ORIGIN));
    set_if_any(o, "unknown", unknown);
    return o;
}

int sd_served_check(sqlite3 *db, const sd_config *cfg, const sd_zone *z, json_t **evidence,
                    int *agree, sd_err *e)
{
    json_t *expected, *keys, *servers, *results;
    *evidence = NULL;
    *agree = 0;
    if (sd_served_expected(db, cfg, z, &expected, &keys, e) < 0)
        return -e->code;
    if (sd_served_servers(db, cfg, z, &servers, &results, e) < 0) {
        json_decref(expected);
        json_decref(keys);
        return -e->code;
    }
    /* results starts with the NS names that have no address: they never agree. */
    json_t *r;
    size_t i;
    json_array_foreach(results, i, r)
    {
        json_object_set_new(r, "agrees", json_false());
    }
    int all = json_array_size(results) == 0 && json_array_size(servers) > 0;
    json_t *s;
    json_array_foreach(servers, i, s)
    {
        json_t *answer = sd_served_ask(json_string_value(s), z->name, SERVED_TIMEOUT_MS);
        json_t *one = sd_served_compare(answer, expected, keys, z->keys_only);
        json_decref(answer);
        all &= json_is_true(json_object_get(one, "agrees"));
        json_array_append_new(results, one);
    }
    json_decref(servers);
    json_decref(keys);
    *agree = all;
    *evidence =
        json_pack("{s:o, s:o, s:b}", "expected", expected, "servers", results, "agree", all);
    return 0;
}
