/* policy.h - a zone's DNSSEC policy: defaults from scaidns.conf, per-zone overrides in the
 * policies table. */
#ifndef SCAIDNS_POLICY_H
#define SCAIDNS_POLICY_H

#include <sqlite3.h>
#include <stdint.h>

#include "keystore/config.h"
#include "keystore/error.h"

/* Bits of sd_policy.cds_digests. */
enum { SD_CDS_SHA256 = 1, SD_CDS_SHA384 = 2 };

typedef struct sd_policy {
    int64_t dnskey_ttl;
    int64_t propagation_delay;
    int64_t publish_safety;
    int64_t retire_safety;
    int64_t parent_ds_ttl;
    int64_t parent_propagation_delay;
    int64_t zsk_lifetime;
    int64_t ksk_lifetime;
    int algorithm;
    int ksk_bits;
    int zsk_bits;
    int nsec3; /* 0 = NSEC */
    int nsec3_iterations;
    char nsec3_salt[130]; /* hex; "" = no salt */
    int nsec3_optout;
    int cds;
    int cds_delete;  /* going insecure publishes CDS/CDNSKEY DELETE and waits for the parent */
    int cds_digests; /* SD_CDS_SHA256 | SD_CDS_SHA384: the digest types of the CDS records */
} sd_policy;

/* Parses a digest type list ("2", "4", "2,4") into SD_CDS_* bits. Returns 0, or < 0 with e
 * filled. */
int sd_cds_digests_parse(const char *text, int *bits, sd_err *e);

/* The default policy described by the configuration. */
void sd_policy_from_config(const sd_config *c, sd_policy *p);

/* The policy of zone_id: *def overlaid with the zone's non-NULL overrides. */
int sd_policy_load(sqlite3 *db, int64_t zone_id, const sd_policy *def, sd_policy *out, sd_err *e);

#endif
