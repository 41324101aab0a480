/* routes.h - the route handlers (one file per group) and helpers they share. */
#ifndef SCAIDNS_API_ROUTES_H
#define SCAIDNS_API_ROUTES_H

#include "api/api.h"

/* routes_misc.c */
void api_h_healthz(api_req *rq, api_resp *rs);
void api_h_openapi(api_req *rq, api_resp *rs);

/* routes_zones.c */
void api_h_zones_list(api_req *rq, api_resp *rs);
void api_h_zone_create(api_req *rq, api_resp *rs);
void api_h_zone_get(api_req *rq, api_resp *rs);
void api_h_zone_delete(api_req *rq, api_resp *rs);
void api_h_rrsets_list(api_req *rq, api_resp *rs);
void api_h_rrset_put(api_req *rq, api_resp *rs);
void api_h_rrset_delete(api_req *rq, api_resp *rs);

/* routes_dnssec.c */
void api_h_dnssec_get(api_req *rq, api_resp *rs);
void api_h_dnssec_enable(api_req *rq, api_resp *rs);
void api_h_dnssec_disable(api_req *rq, api_resp *rs);
void api_h_dnssec_rotate_zsk(api_req *rq, api_resp *rs);
void api_h_dnssec_rotate_ksk(api_req *rq, api_resp *rs);
void api_h_dnssec_confirm_ds(api_req *rq, api_resp *rs);
void api_h_dnssec_sync(api_req *rq, api_resp *rs);
void api_h_dnssec_events(api_req *rq, api_resp *rs);
void api_h_dnssec_abort(api_req *rq, api_resp *rs);
void api_h_dnssec_policy_get(api_req *rq, api_resp *rs);
void api_h_dnssec_policy_put(api_req *rq, api_resp *rs);
void api_h_dnssec_plan(api_req *rq, api_resp *rs);

/* routes_import.c */
void api_h_dnssec_import(api_req *rq, api_resp *rs);

/* routes_metrics.c */
void api_h_metrics(api_req *rq, api_resp *rs);

/* routes_provider.c */
void api_h_provider_get(api_req *rq, api_resp *rs);
void api_h_provider_patch(api_req *rq, api_resp *rs);

/* routes_ui.c */
void api_h_ui_redirect(api_req *rq, api_resp *rs);
void api_h_ui_index(api_req *rq, api_resp *rs);
void api_h_ui_file(api_req *rq, api_resp *rs);

/* routes_bulk.c */
void api_h_bulk_enable(api_req *rq, api_resp *rs);

/* routes_tsig.c */
void api_h_tsig_create(api_req *rq, api_resp *rs);
void api_h_tsig_list(api_req *rq, api_resp *rs);
void api_h_tsig_get(api_req *rq, api_resp *rs);
void api_h_tsig_delete(api_req *rq, api_resp *rs);
void api_h_tsig_allow_axfr_get(api_req *rq, api_resp *rs);
void api_h_tsig_allow_axfr_put(api_req *rq, api_resp *rs);

#endif
