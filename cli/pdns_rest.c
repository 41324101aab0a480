/* pdns_rest.c - a zone's keys and records from PowerDNS's REST API (pdns_rest.h): one
 * HTTP/1.1 GET per request over plain TCP, "Connection: close", the whole reply read within a
 * deadline, Content-Length or chunked bodies. The api-key and the private keys are wiped
 * after use. */
#include "cli/pdns_rest.h"

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "keystore/name.h"
#include "keystore/zone.h"

#define REPLY_MAX (32 * 1024 * 1024) /* a zone's whole JSON: far above any key list */
#define TIMEOUT_MS 10000

/* The server part of a URL. */
typedef struct endpoint {
    char host[256];
    char port[8];
    char key[256]; /* the api-key (secret) */
} endpoint;

/* Splits "http://host[:port][/...]" into ep. 0 or -400. */
static int parse_url(const char *url, endpoint *ep, sd_err *e)
{
    if (strncmp(url, "http://", 7) != 0)
        return sd_fail(e, SD_EBADINPUT,
                       "--from-pdns-api '%s' must start with http:// (PowerDNS's webserver)", url);
    const char *h = url + 7;
    size_t hl = strcspn(h, "/");
    const char *colon = h[0] == '[' ? NULL : memchr(h, ':', hl);
    size_t namel = colon ? (size_t)(colon - h) : hl, portl = colon ? hl - namel - 1 : 0;
    if (namel == 0 || namel >= sizeof ep->host || (colon && (portl == 0 || portl > 5)))
        return sd_fail(e, SD_EBADINPUT, "--from-pdns-api '%s': bad host or port", url);
    memcpy(ep->host, h, namel);
    ep->host[namel] = '\0';
    snprintf(ep->port, sizeof ep->port, "%.*s", colon ? (int)portl : 2, colon ? colon + 1 : "80");
    for (const char *p = ep->port; *p; p++)
        if (!isdigit((unsigned char)*p))
            return sd_fail(e, SD_EBADINPUT, "--from-pdns-api '%s': bad port", url);
    return 0;
}

/* Reads the api-key from path (first line, white space trimmed). 0 or -400. */
static int read_key(const char *path, endpoint *ep, sd_err *e)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return sd_fail(e, SD_EBADINPUT, "cannot read the api key file %s: %s", path,
                       strerror(errno));
    char line[sizeof ep->key + 2] = "";
    char *ok = fgets(line, sizeof line, f);
    fclose(f);
    size_t n = ok ? strcspn(line, "\r\n") : 0;
    line[n] = '\0';
    while (n > 0 && isspace((unsigned char)line[n - 1]))
        line[--n] = '\0';
    int rc = 0;
    if (n == 0 || n >= sizeof ep->key)
        rc = sd_fail(e, SD_EBADINPUT, "the api key file %s holds no key (or one too long)", path);
    for (size_t i = 0; rc == 0 && i < n; i++)
        if ((unsigned char)line[i] < 0x21 || line[i] == 0x7f)
            rc = sd_fail(e, SD_EBADINPUT, "the api key in %s has a control character", path);
    if (rc == 0)
        memcpy(ep->key, line, n + 1);
    sodium_memzero(line, sizeof line);
    return rc;
}

/* Milliseconds on the monotonic clock. */
static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Connects to ep (blocking connect, bounded by the socket's timeouts). fd or -503. */
static int connect_to(const endpoint *ep, sd_err *e)
{
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_socktype = SOCK_STREAM;
    int g = getaddrinfo(ep->host, ep->port, &hints, &res);
    if (g != 0)
        return sd_fail(e, SD_EBUSY, "PowerDNS API %s:%s: %s", ep->host, ep->port, gai_strerror(g));
    int fd = -1, err = 0;
    for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0)
            continue;
        struct timeval tv = {TIMEOUT_MS / 1000, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        if (connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
            err = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        return sd_fail(e, SD_EBUSY, "cannot connect to the PowerDNS API at %s:%s: %s", ep->host,
                       ep->port, strerror(err));
    return fd;
}

/* Decodes a chunked body in place; returns its length, or -1 when malformed. */
static long dechunk(char *body, size_t len)
{
    size_t in = 0, out = 0;
    for (;;) {
        char *end;
        if (in >= len)
            return -1;
        unsigned long n = strtoul(body + in, &end, 16);
        char *crlf = strstr(body + in, "\r\n");
        if (!crlf || end == body + in)
            return -1;
        in = (size_t)(crlf - body) + 2;
        if (n == 0)
            return (long)out;
        if (n > len - in)
            return -1;
        memmove(body + out, body + in, n);
        out += n;
        in += n + 2;
    }
}

/* 1 when the headers (NUL terminated, lines split by CRLF) say Transfer-Encoding: chunked. */
static int chunked(const char *headers)
{
    for (const char *h = strstr(headers, "\r\n"); h; h = strstr(h, "\r\n")) {
        h += 2;
        size_t n = strcspn(h, "\r");
        if (n > 18 && strncasecmp(h, "Transfer-Encoding:", 18) == 0) {
            for (size_t i = 18; i + 7 <= n; i++)
                if (strncasecmp(h + i, "chunked", 7) == 0)
                    return 1;
        }
    }
    return 0;
}

/* GET path from ep; on 200 returns the parsed JSON body in *out. 404 when PowerDNS says so,
 * 503 when it cannot be reached or answers another status (its "error" included). */
static int http_get_json(const endpoint *ep, const char *path, json_t **out, sd_err *e)
{
    *out = NULL;
    int fd = connect_to(ep, e);
    if (fd < 0)
        return fd;
    char req[1024 + sizeof ep->key];
    int rl = snprintf(req, sizeof req,
                      "GET %s HTTP/1.1\r\nHost: %s\r\nX-API-Key: %s\r\nAccept: application/json\r\n"
                      "Connection: close\r\n\r\n",
                      path, ep->host, ep->key);
    int rc = 0;
    if (rl < 0 || (size_t)rl >= sizeof req)
        rc = sd_fail(e, SD_EBADINPUT, "the request path is too long");
    for (size_t off = 0; rc == 0 && off < (size_t)rl;) {
        ssize_t w = send(fd, req + off, (size_t)rl - off, MSG_NOSIGNAL);
        if (w <= 0)
            rc = sd_fail(e, SD_EBUSY, "PowerDNS API: sending the request failed: %s",
                         strerror(errno));
        else
            off += (size_t)w;
    }
    sodium_memzero(req, sizeof req);
    size_t len = 0, cap = 0;
    char *buf = NULL;
    int64_t deadline = now_ms() + TIMEOUT_MS;
    while (rc == 0) {
        if (len + 4096 + 1 > cap) {
            size_t ncap = cap ? 2 * cap : 65536;
            char *nb = ncap > REPLY_MAX + 1 ? NULL : malloc(ncap);
            if (!nb) {
                rc = sd_fail(e, SD_EBUSY, "PowerDNS API: the reply is too large");
                break;
            }
            if (buf) {
                memcpy(nb, buf, len);
                sodium_memzero(buf, cap);
                free(buf);
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t r = recv(fd, buf + len, cap - len - 1, 0);
        if (r == 0)
            break;
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 || now_ms() > deadline)
            rc = sd_fail(e, SD_EBUSY, "PowerDNS API: reading the reply failed: %s",
                         r < 0 ? strerror(errno) : "timed out");
        else
            len += (size_t)r;
    }
    close(fd);
    int status = 0;
    char *body = NULL;
    long blen = 0;
    if (rc == 0) {
        buf[len] = '\0';
        body = strstr(buf, "\r\n\r\n");
        if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1 || !body)
            rc = sd_fail(e, SD_EBUSY, "PowerDNS API: not an HTTP reply");
    }
    if (rc == 0) {
        *body = '\0';
        body += 4;
        blen = (long)(len - (size_t)(body - buf));
        if (chunked(buf))
            blen = dechunk(body, (size_t)blen);
        if (blen < 0)
            rc = sd_fail(e, SD_EBUSY, "PowerDNS API: malformed chunked reply");
    }
    if (rc == 0) {
        json_error_t je;
        json_t *j = json_loadb(body, (size_t)blen, 0, &je);
        const char *msg = j ? json_string_value(json_object_get(j, "error")) : NULL;
        if (status == 200 && j)
            *out = j;
        else if (status == 404 || status == 422)
            rc = sd_fail(e, SD_ENOTFOUND, "PowerDNS API: %s: %s", path, msg ? msg : "not found");
        else if (status == 401)
            rc = sd_fail(e, SD_EBADINPUT, "PowerDNS API: the api key was refused (401)");
        else
            rc = sd_fail(e, SD_EBUSY, "PowerDNS API: %s: HTTP %d%s%s", path, status,
                         msg ? ": " : "", msg ? msg : (j ? "" : " (not JSON)"));
        if (!*out)
            json_decref(j);
    }
    if (buf) {
        sodium_memzero(buf, cap);
        free(buf);
    }
    return rc;
}

int sd_pdns_zone_fetch(const char *url, const char *key_file, const char *zone, int records,
                       sd_pdns_zone_dump *out, sd_err *e)
{
    endpoint ep;
    memset(out, 0, sizeof *out);
    memset(&ep, 0, sizeof ep);
    if (sd_name_canon(zone, out->zone, sizeof out->zone, e) < 0)
        return -e->code;
    int rc = parse_url(url, &ep, e);
    if (rc == 0)
        rc = read_key(key_file, &ep, e);
    char path[600];
    json_t *list = NULL;
    if (rc == 0) {
        snprintf(path, sizeof path, "/api/v1/servers/localhost/zones/%s/cryptokeys", out->zone);
        rc = http_get_json(&ep, path, &list, e);
    }
    if (rc == 0 && !json_is_array(list))
        rc = sd_fail(e, SD_EBUSY, "PowerDNS API: the cryptokeys reply is not a list");
    if (rc == 0) {
        /* The list leaves out the private keys: one request per key brings them. */
        out->cryptokeys = json_array();
        size_t i;
        json_t *k;
        json_array_foreach(list, i, k)
        {
            json_t *full = NULL;
            json_t *id = json_object_get(k, "id");
            if (!json_is_integer(id)) {
                rc = sd_fail(e, SD_EBUSY, "PowerDNS API: a cryptokey without an id");
                break;
            }
            snprintf(path, sizeof path, "/api/v1/servers/localhost/zones/%s/cryptokeys/%lld",
                     out->zone, (long long)json_integer_value(id));
            if ((rc = http_get_json(&ep, path, &full, e)) < 0)
                break;
            json_array_append_new(out->cryptokeys, full);
        }
    }
    json_decref(list);
    if (rc == 0 && records) {
        snprintf(path, sizeof path, "/api/v1/servers/localhost/zones/%s", out->zone);
        rc = http_get_json(&ep, path, &out->zone_json, e);
    }
    sodium_memzero(&ep, sizeof ep);
    if (rc < 0)
        sd_pdns_zone_dump_free(out);
    return rc;
}

/* 1 for the types PowerDNS makes itself when it signs (never imported as records). */
static int dnssec_type(const char *type)
{
    static const char *const t[] = {"DNSKEY",     "RRSIG", "NSEC",    "NSEC3",
                                    "NSEC3PARAM", "CDS",   "CDNSKEY", NULL};
    for (int i = 0; t[i]; i++)
        if (strcasecmp(type, t[i]) == 0)
            return 1;
    return 0;
}

int sd_pdns_records_import(sqlite3 *db, const sd_pdns_zone_dump *d, const char *actor, int64_t now,
                           sd_err *e)
{
    json_t *rrsets = json_object_get(d->zone_json, "rrsets");
    if (!json_is_array(rrsets))
        return sd_fail(e, SD_EBUSY, "PowerDNS API: the zone has no 'rrsets'");
    char dir[] = "/tmp/scaidnsctl-XXXXXX", path[64];
    if (!mkdtemp(dir))
        return sd_fail(e, SD_EINTERNAL, "cannot make a temporary directory: %s", strerror(errno));
    snprintf(path, sizeof path, "%s/zone", dir);
    FILE *f = fopen(path, "w");
    if (!f) {
        rmdir(dir);
        return sd_fail(e, SD_EINTERNAL, "cannot write %s: %s", path, strerror(errno));
    }
    size_t i, j;
    json_t *rr, *rec;
    json_array_foreach(rrsets, i, rr)
    {
        const char *name = json_string_value(json_object_get(rr, "name"));
        const char *type = json_string_value(json_object_get(rr, "type"));
        if (!name || !type || dnssec_type(type))
            continue;
        json_array_foreach(json_object_get(rr, "records"), j, rec)
        {
            const char *content = json_string_value(json_object_get(rec, "content"));
            if (content && !json_is_true(json_object_get(rec, "disabled")))
                fprintf(f, "%s %lld IN %s %s\n", name,
                        (long long)json_integer_value(json_object_get(rr, "ttl")), type, content);
        }
    }
    int bad = fclose(f) != 0;
    sd_zone z;
    int rc = bad ? sd_fail(e, SD_EINTERNAL, "cannot write %s", path)
                 : sd_zone_import(db, d->zone, path, actor, now, &z, e);
    unlink(path);
    rmdir(dir);
    return rc;
}

int sd_pdns_import_keys(sd_pdns_zone_dump *d, sd_import_key *keys, size_t *n, sd_err *e)
{
    size_t i;
    json_t *k;
    *n = 0;
    if (json_array_size(d->cryptokeys) == 0)
        return sd_fail(e, SD_EBADINPUT, "PowerDNS holds no key for %s: nothing to import", d->zone);

    json_array_foreach(d->cryptokeys, i, k)
    {
        int active = json_is_true(json_object_get(k, "active"));
        int published =
            json_object_get(k, "published") ? json_is_true(json_object_get(k, "published")) : 1;
        if (active || published) {
            if (*n == SD_IMPORT_MAX_KEYS)
                return sd_fail(e, SD_EBADINPUT,
                               "PowerDNS serves more than %d keys for %s: finish its rollover "
                               "first",
                               SD_IMPORT_MAX_KEYS, d->zone);
        } else {
            /* Neither served nor signing: nobody depends on it, it stays behind. */
            d->skipped++;
            continue;
        }
        sd_import_key *x = &keys[*n];
        memset(x, 0, sizeof *x);
        const char *type = json_string_value(json_object_get(k, "keytype"));
        const char *priv = json_string_value(json_object_get(k, "privatekey"));
        const char *dnskey = json_string_value(json_object_get(k, "dnskey"));
        if (!priv)
            return sd_fail(e, SD_EBUSY, "PowerDNS API: key %lld of %s came without its private key",
                           (long long)json_integer_value(json_object_get(k, "id")), d->zone);
        if (sd_import_role_parse(type, &x->role, e) < 0)
            return -e->code;
        x->private_key = priv;
        if (dnskey) {
            size_t len = strlen(d->zone) + strlen(dnskey) + 16;
            d->dnskeys[*n] = malloc(len);
            if (!d->dnskeys[*n])
                return sd_fail(e, SD_EINTERNAL, "out of memory");
            snprintf(d->dnskeys[*n], len, "%s IN DNSKEY %s", d->zone, dnskey);
            x->public_key = d->dnskeys[*n];
        }
        x->published = published;
        x->active = active;
        (*n)++;
    }
    return 0;
}

void sd_pdns_zone_dump_free(sd_pdns_zone_dump *d)
{
    if (!d)
        return;
    size_t i;
    json_t *k;
    json_array_foreach(d->cryptokeys, i, k)
    {
        json_t *p = json_object_get(k, "privatekey");
        if (json_is_string(p)) {
            /* jansson keeps its own copy: wipe it in place before it is freed. */
            char *s = (char *)json_string_value(p);
            sodium_memzero(s, strlen(s));
        }
    }
    json_decref(d->cryptokeys);
    json_decref(d->zone_json);
    for (i = 0; i < SD_IMPORT_MAX_KEYS; i++)
        free(d->dnskeys[i]);
    memset(d, 0, sizeof *d);
}
