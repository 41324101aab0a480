/* onoff.h - switching DNSSEC off (and the provider's confirm) the one way every route takes:
 * the native /api/v1 routes, the provider view (/dns/v2) and scaidnsctl call these, never
 * sd_dnssec_disable directly, so that the parent check and the CDS DELETE rule live here only. */
#ifndef SCAIDNS_LIFECYCLE_ONOFF_H
#define SCAIDNS_LIFECYCLE_ONOFF_H

#include <jansson.h>

#include "lifecycle/dnssec.h"

/* What a disable did, or why it did not. */
typedef struct sd_disable_out {
    int cds_delete;  /* 1: the zone went to disabling (CDS/CDNSKEY DELETE), keys kept, signed */
    json_t *parent;  /* the parent servers' answers when the parent check refused (new ref) */
    int retry_after; /* seconds, when the parent could not be asked (503) */
} sd_disable_out;

/* disable with every check: with policy cds_delete (and the zone not yet disabling) the zone
 * goes to disabling and nothing is asked of the parent; otherwise, when parent_servers is set
 * and force is 0, 409 while any parent server still shows a DS for the zone (out->parent holds
 * the answers) and 503 when one did not answer (out->retry_after); then sd_dnssec_disable.
 * 409 when already disabled. out is filled in every case (json_decref(out->parent) after). */
int sd_onoff_disable(const sd_ctx *c, const sd_zone *z, const char *parent_servers, int force,
                     sd_disable_out *out, sd_err *e);

/* The scope that confirming a DS needs in status: dnssec:rotate during a KSK rollover,
 * dnssec:enable otherwise. */
const char *sd_onoff_confirm_scope(const char *status);

/* Confirms the SHA-256 DS of z's current KSK (the newest in the DNSKEY RRset that is not
 * leaving: what the provider view shows), as confirm-ds-published would with that one DS. */
int sd_onoff_confirm_current(const sd_ctx *c, const sd_zone *z, sd_err *e);

#endif
