/* pdns_client.c - PowerDNS's control socket and DNS, as a client. */
#include "lifecycle/pdns_client.h"

#include "lifecycle/io.h"

#include <errno.h>
#include <ldns/ldns.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int sd_pdns_control(const char *path, const char *command, int timeout_ms, char *reply, size_t len,
                    sd_err *e)
{
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    if (!path || !*path || strlen(path) >= sizeof sa.sun_path)
        return sd_fail(e, SD_EINTERNAL, "pdns-control-socket is not set or too long");
    memcpy(sa.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return sd_fail(e, SD_EINTERNAL, "socket: %s", strerror(errno));
    int64_t deadline = sd_mono_ms() + timeout_ms;
    int rc = 0;
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS) {
        rc = sd_fail(e, SD_EBUSY, "cannot reach PowerDNS's control socket %s: %s", path,
                     strerror(errno));
        goto out;
    }
    char line[600];
    int n = snprintf(line, sizeof line, "%s\n", command);
    if (n < 0 || (size_t)n >= sizeof line) {
        rc = sd_fail(e, SD_EINTERNAL, "control command too long");
        goto out;
    }
    for (int sent = 0; sent < n;) {
        if (sd_wait_fd(fd, POLLOUT, deadline) < 0) {
            rc = sd_fail(e, SD_EBUSY, "PowerDNS's control socket %s did not accept the command",
                         path);
            goto out;
        }
        ssize_t w = send(fd, line + sent, (size_t)(n - sent), MSG_NOSIGNAL);
        if (w < 0 && errno != EAGAIN && errno != EINTR) {
            rc = sd_fail(e, SD_EBUSY, "sending to %s: %s", path, strerror(errno));
            goto out;
        }
        if (w > 0)
            sent += (int)w;
    }
    size_t got = 0;
    for (;;) {
        if (sd_wait_fd(fd, POLLIN, deadline) < 0) {
            rc = sd_fail(e, SD_EBUSY, "PowerDNS did not answer '%s' within %d ms", command,
                         timeout_ms);
            goto out;
        }
        char buf[512];
        ssize_t r = recv(fd, buf, sizeof buf, 0);
        if (r == 0)
            break;
        if (r < 0) {
            if (errno == EAGAIN || errno == EINTR)
                continue;
            rc = sd_fail(e, SD_EBUSY, "reading from %s: %s", path, strerror(errno));
            goto out;
        }
        for (ssize_t i = 0; i < r && reply && got + 1 < len; i++)
            reply[got++] = buf[i];
    }
    if (reply && len)
        reply[got] = '\0';
out:
    close(fd);
    return rc;
}

int sd_pdns_purge_zone(const char *path, const char *zone, int timeout_ms, sd_err *e)
{
    char cmd[300], reply[128];
    int n = snprintf(cmd, sizeof cmd, "purge %s$", zone);
    if (n < 0 || (size_t)n >= sizeof cmd)
        return sd_fail(e, SD_EINTERNAL, "zone name too long");
    return sd_pdns_control(path, cmd, timeout_ms, reply, sizeof reply, e);
}

/* Splits "host:port" (or "[v6]:port") into an ldns address and a port. */
static int parse_address(const char *address, ldns_rdf **addr, uint16_t *port, sd_err *e)
{
    char host[128];
    const char *colon = strrchr(address, ':');
    if (!colon || colon == address || (size_t)(colon - address) >= sizeof host)
        return sd_fail(e, SD_EINTERNAL, "pdns-address '%s' is not host:port", address);
    const char *h = address;
    size_t hl = (size_t)(colon - address);
    if (h[0] == '[' && hl >= 2 && h[hl - 1] == ']') {
        h++;
        hl -= 2;
    }
    memcpy(host, h, hl);
    host[hl] = '\0';
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (*end || p <= 0 || p > 65535)
        return sd_fail(e, SD_EINTERNAL, "pdns-address '%s' has a bad port", address);
    *port = (uint16_t)p;
    *addr = ldns_rdf_new_frm_str(strchr(host, ':') ? LDNS_RDF_TYPE_AAAA : LDNS_RDF_TYPE_A, host);
    if (!*addr)
        return sd_fail(e, SD_EINTERNAL, "pdns-address '%s' is not an IP address", address);
    return 0;
}

int sd_dns_query(const char *address, const char *name, int type, int timeout_ms, ldns_pkt **out,
                 sd_err *e)
{
    *out = NULL;
    ldns_rdf *addr = NULL, *qname = NULL;
    uint16_t port = 0;
    if (parse_address(address, &addr, &port, e) < 0)
        return -e->code;
    ldns_resolver *res = ldns_resolver_new();
    ldns_pkt *pkt = NULL;
    int rc = 0;
    qname = ldns_dname_new_frm_str(name);
    if (!res || !qname) {
        rc = sd_fail(e, SD_EINTERNAL, "out of memory");
        goto out;
    }
    ldns_resolver_push_nameserver(res, addr);
    ldns_resolver_set_port(res, port);
    ldns_resolver_set_recursive(res, false);
    ldns_resolver_set_usevc(res, true);
    ldns_resolver_set_dnssec(res, true);
    ldns_resolver_set_retry(res, 1);
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    ldns_resolver_set_timeout(res, tv);
    ldns_status s =
        ldns_resolver_query_status(&pkt, res, qname, (ldns_rr_type)type, LDNS_RR_CLASS_IN, LDNS_RD);
    if (s != LDNS_STATUS_OK || !pkt) {
        rc = sd_fail(e, SD_EBUSY, "%s did not answer the query for %s: %s", address, name,
                     ldns_get_errorstr_by_id(s));
        goto out;
    }
    if (ldns_pkt_get_rcode(pkt) != LDNS_RCODE_NOERROR &&
        ldns_pkt_get_rcode(pkt) != LDNS_RCODE_NXDOMAIN) {
        rc = sd_fail(e, SD_EINTERNAL, "%s answered the query for %s with rcode %d", address, name,
                     (int)ldns_pkt_get_rcode(pkt));
        goto out;
    }
    *out = pkt;
    pkt = NULL;
out:
    ldns_pkt_free(pkt);
    ldns_rdf_deep_free(qname);
    if (res)
        ldns_resolver_deep_free(res); /* frees the pushed address copy */
    ldns_rdf_deep_free(addr);
    return rc;
}

int sd_pdns_dnskey_tags(const char *address, const char *zone, int timeout_ms, uint16_t *tags,
                        size_t max, size_t *n, sd_err *e)
{
    ldns_pkt *pkt;
    *n = 0;
    if (sd_dns_query(address, zone, LDNS_RR_TYPE_DNSKEY, timeout_ms, &pkt, e) < 0)
        return -e->code;
    ldns_rr_list *ans = ldns_pkt_answer(pkt);
    for (size_t i = 0; i < ldns_rr_list_rr_count(ans) && *n < max; i++) {
        ldns_rr *rr = ldns_rr_list_rr(ans, i);
        if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_DNSKEY)
            tags[(*n)++] = ldns_calc_keytag(rr);
    }
    ldns_pkt_free(pkt);
    return 0;
}

/* Reads the next record of the transfer under way on res into *rr (NULL at the end); a
 * failure is written to e. */
static int axfr_next(ldns_resolver *res, const char *address, const char *zone, ldns_rr **rr,
                     sd_err *e)
{
    *rr = ldns_axfr_next(res);
    if (*rr || ldns_axfr_complete(res))
        return 0;
    ldns_pkt *last = ldns_axfr_last_pkt(res);
    /* PowerDNS answers NOTAUTH to an address allow-axfr-ips does not list. */
    if (last && (ldns_pkt_get_rcode(last) == LDNS_RCODE_REFUSED ||
                 ldns_pkt_get_rcode(last) == LDNS_RCODE_NOTAUTH))
        return sd_fail(e, SD_EBUSY,
                       "%s refused the zone transfer of %s (rcode %s): PowerDNS needs "
                       "allow-axfr-ips to include the address scaidns-api connects from (e.g. "
                       "allow-axfr-ips=127.0.0.1,::1)",
                       address, zone,
                       ldns_pkt_get_rcode(last) == LDNS_RCODE_REFUSED ? "REFUSED" : "NOTAUTH");
    if (last && ldns_pkt_get_rcode(last) != LDNS_RCODE_NOERROR)
        return sd_fail(e, SD_EBUSY, "%s answered the zone transfer of %s with rcode %d", address,
                       zone, (int)ldns_pkt_get_rcode(last));
    return sd_fail(e, SD_EBUSY,
                   "the zone transfer of %s from %s ended before its closing SOA (no answer, "
                   "a timeout or a closed connection)",
                   zone, address);
}

int sd_pdns_axfr_ttls(const char *address, const char *zone, int timeout_ms, int64_t max_rrs,
                      sd_axfr_ttls *out, sd_err *e)
{
    memset(out, 0, sizeof *out);
    ldns_rdf *addr = NULL, *qname = NULL;
    uint16_t port = 0;
    if (parse_address(address, &addr, &port, e) < 0)
        return -e->code;
    ldns_resolver *res = ldns_resolver_new();
    int rc = 0, started = 0;
    ldns_rr *rr = NULL;
    qname = ldns_dname_new_frm_str(zone);
    if (!res || !qname) {
        rc = sd_fail(e, SD_EINTERNAL, "out of memory");
        goto out;
    }
    ldns_resolver_push_nameserver(res, addr);
    ldns_resolver_set_port(res, port);
    ldns_resolver_set_recursive(res, false);
    ldns_resolver_set_retry(res, 1);
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    ldns_resolver_set_timeout(res, tv);
    ldns_status s = ldns_axfr_start(res, qname, LDNS_RR_CLASS_IN);
    if (s != LDNS_STATUS_OK) {
        rc = sd_fail(e, SD_EBUSY, "cannot start the zone transfer of %s from %s: %s", zone, address,
                     ldns_get_errorstr_by_id(s));
        goto out;
    }
    started = 1;
    int64_t soas = 0;
    for (;;) {
        if (axfr_next(res, address, zone, &rr, e) < 0) {
            rc = -e->code;
            goto out;
        }
        if (!rr)
            break;
        ldns_rr_type type = ldns_rr_get_type(rr);
        int64_t ttl = (int64_t)ldns_rr_ttl(rr);
        if (out->rrs == 0 && soas == 0) {
            ldns_rdf *minimum = ldns_rr_rdf(rr, 6);
            if (type != LDNS_RR_TYPE_SOA || !minimum) {
                rc = sd_fail(e, SD_EINTERNAL,
                             "the zone transfer of %s from %s does not start with its SOA", zone,
                             address);
                goto out;
            }
            out->soa_ttl = ttl;
            out->soa_minimum = (int64_t)ldns_rdf2native_int32(minimum);
        }
        if (type == LDNS_RR_TYPE_SOA && soas++ > 0) {
            ldns_rr_free(rr);
            rr = NULL;
            continue; /* the closing SOA */
        }
        out->rrs++;
        if (type == LDNS_RR_TYPE_DNSKEY && out->dnskeys < SD_AXFR_DNSKEYS &&
            ldns_rr_rd_count(rr) >= 3 && ldns_dname_compare(ldns_rr_owner(rr), qname) == 0) {
            out->dnskey[out->dnskeys].tag = ldns_calc_keytag(rr);
            out->dnskey[out->dnskeys].flags = ldns_rdf2native_int16(ldns_rr_rdf(rr, 0));
            out->dnskey[out->dnskeys].algorithm = ldns_rdf2native_int8(ldns_rr_rdf(rr, 2));
            out->dnskeys++;
        }
        if (ttl > out->max_rrset_ttl || out->rrs == 1) {
            out->max_rrset_ttl = ttl;
            char *owner = ldns_rdf2str(ldns_rr_owner(rr));
            char *tname = ldns_rr_type2str(type);
            snprintf(out->max_rrset, sizeof out->max_rrset, "%s %s", owner ? owner : "?",
                     tname ? tname : "?");
            free(owner);
            free(tname);
        }
        ldns_rr_free(rr);
        rr = NULL;
        if (max_rrs > 0 && out->rrs > max_rrs) {
            rc = sd_fail(e, SD_EBUSY, "the zone transfer of %s from %s has more than %lld records",
                         zone, address, (long long)max_rrs);
            goto out;
        }
    }
    if (soas == 0)
        rc = sd_fail(e, SD_EBUSY, "the zone transfer of %s from %s returned no records", zone,
                     address);
out:
    ldns_rr_free(rr);
    if (started && !ldns_axfr_complete(res))
        ldns_axfr_abort(res);
    ldns_rdf_deep_free(qname);
    if (res)
        ldns_resolver_deep_free(res);
    ldns_rdf_deep_free(addr);
    return rc;
}
