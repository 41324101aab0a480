/* timing.c - rollover waits (RFC 7583), pure functions. */
#include "lifecycle/timing.h"

#include <stdio.h>

/* The larger of a and b. */
static int64_t max64(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

int64_t sd_wait_dnskey_ttl(const sd_policy *p, const sd_zone_ttls *t)
{
    return max64(p->dnskey_ttl, t->soa_minimum);
}

int64_t sd_wait_publish(const sd_policy *p, const sd_zone_ttls *t)
{
    return sd_wait_dnskey_ttl(p, t) + p->propagation_delay + p->publish_safety;
}

int64_t sd_wait_retire(const sd_policy *p, const sd_zone_ttls *t)
{
    int64_t neg = t->soa_ttl < t->soa_minimum ? t->soa_ttl : t->soa_minimum;
    int64_t m = max64(max64(t->max_rrset_ttl, t->soa_ttl), max64(neg, sd_wait_dnskey_ttl(p, t)));
    return m + p->propagation_delay + p->retire_safety;
}

int64_t sd_wait_parent_ds(const sd_policy *p)
{
    return p->parent_ds_ttl + p->parent_propagation_delay + p->retire_safety;
}

int64_t sd_roll_zsk_at(const sd_policy *p, const sd_zone_ttls *t, int64_t expires_at,
                       int64_t not_before)
{
    return max64(expires_at - 2 * sd_wait_publish(p, t), not_before);
}

int64_t sd_roll_ksk_at(const sd_policy *p, const sd_zone_ttls *t, int64_t expires_at,
                       int64_t not_before)
{
    int64_t human = p->ksk_lifetime / 10;
    if (human > 7 * 86400)
        human = 7 * 86400;
    return max64(expires_at - sd_wait_publish(p, t) - sd_wait_parent_ds(p) - human, not_before);
}

const char *sd_terms_publish(const sd_policy *p, const sd_zone_ttls *t, char *buf, size_t len)
{
    snprintf(buf, len, "DNSKEY TTL %lld%s + propagation %lld + safety %lld",
             (long long)sd_wait_dnskey_ttl(p, t),
             t->soa_minimum > p->dnskey_ttl ? " (SOA minimum)" : "",
             (long long)p->propagation_delay, (long long)p->publish_safety);
    return buf;
}

const char *sd_terms_retire(const sd_policy *p, const sd_zone_ttls *t, char *buf, size_t len)
{
    int64_t neg = t->soa_ttl < t->soa_minimum ? t->soa_ttl : t->soa_minimum;
    int64_t m = sd_wait_retire(p, t) - p->propagation_delay - p->retire_safety;
    const char *what = m == t->max_rrset_ttl ? "largest RRset TTL"
                       : m == t->soa_ttl     ? "SOA TTL"
                       : m == neg            ? "negative TTL"
                                             : "DNSKEY TTL";
    snprintf(buf, len, "%s %lld + propagation %lld + safety %lld", what, (long long)m,
             (long long)p->propagation_delay, (long long)p->retire_safety);
    return buf;
}

const char *sd_terms_parent_ds(const sd_policy *p, char *buf, size_t len)
{
    snprintf(buf, len, "parent DS TTL %lld + parent propagation %lld + safety %lld",
             (long long)p->parent_ds_ttl, (long long)p->parent_propagation_delay,
             (long long)p->retire_safety);
    return buf;
}
