/* timing.c - rollover waits (RFC 7583), pure functions. */
#include "timing.h"

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
