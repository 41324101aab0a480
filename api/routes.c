/* routes.c - the route table: every path, method and scope the API serves. The OpenAPI
 * document (openapi.json) lists exactly these; test_api_openapi checks both ways. */
#include "api/router.h"
#include "api/routes.h"

#define D "/api/v1/domains/{domain_id}"

static const api_route ROUTES[] = {
    {"GET", "/healthz", NULL, NULL, 0, api_h_healthz},
    {"GET", "/api/v1/openapi.json", NULL, NULL, 0, api_h_openapi},
    {"GET", "/api/v1/domains", "zones:read", NULL, 0, api_h_zones_list},
    {"POST", "/api/v1/domains", "zones:write", NULL, 1, api_h_zone_create},
    {"GET", D, "zones:read", NULL, 0, api_h_zone_get},
    {"DELETE", D, "zones:write", NULL, 0, api_h_zone_delete},
    {"GET", D "/rrsets", "zones:read", NULL, 0, api_h_rrsets_list},
    {"PUT", D "/rrsets/{name}/{type}", "zones:write", NULL, 1, api_h_rrset_put},
    {"DELETE", D "/rrsets/{name}/{type}", "zones:write", NULL, 0, api_h_rrset_delete},
    {"GET", D "/dnssec", "dnssec:read", NULL, 0, api_h_dnssec_get},
    {"POST", D "/dnssec/enable", "dnssec:enable", NULL, 1, api_h_dnssec_enable},
    {"POST", D "/dnssec/import", "dnssec:enable", NULL, 1, api_h_dnssec_import},
    {"POST", D "/dnssec/disable", "dnssec:disable", NULL, 1, api_h_dnssec_disable},
    {"POST", D "/dnssec/rotate-zsk", "dnssec:rotate", NULL, 1, api_h_dnssec_rotate_zsk},
    {"POST", D "/dnssec/rotate-ksk", "dnssec:rotate", NULL, 1, api_h_dnssec_rotate_ksk},
    /* dnssec:enable while pending_ds, dnssec:rotate while rotating_ksk: the handler decides */
    {"POST", D "/dnssec/confirm-ds-published", "dnssec:enable", "dnssec:rotate", 1,
     api_h_dnssec_confirm_ds},
    {"POST", D "/dnssec/sync", "dnssec:rotate", NULL, 1, api_h_dnssec_sync},
    {"GET", D "/dnssec/events", "dnssec:read", NULL, 0, api_h_dnssec_events},
    {"POST", D "/dnssec/abort", "dnssec:rotate", NULL, 1, api_h_dnssec_abort},
    {"GET", D "/dnssec/policy", "dnssec:read", NULL, 0, api_h_dnssec_policy_get},
    {"PUT", D "/dnssec/policy", "dnssec:rotate", NULL, 1, api_h_dnssec_policy_put},
    {"GET", D "/dnssec/plan", "dnssec:read", NULL, 0, api_h_dnssec_plan},
    {"GET", "/metrics", "metrics:read", NULL, 0, api_h_metrics},
    {"GET", "/dns/v2/zones/{zone}/dnssec", "dnssec:read", NULL, 0, api_h_provider_get},
    /* dnssec:enable for {"enabled": true}, dnssec:disable for false: the handler decides */
    {"PATCH", "/dns/v2/zones/{zone}/dnssec", "dnssec:enable", "dnssec:disable", 1,
     api_h_provider_patch},
    {"POST", "/api/v1/dnssec/enable", "dnssec:enable", NULL, 1, api_h_bulk_enable},
    {"GET", "/api/v1/tsigkeys", "tsig:read", NULL, 0, api_h_tsig_list},
    {"POST", "/api/v1/tsigkeys", "tsig:write", NULL, 1, api_h_tsig_create},
    {"GET", "/api/v1/tsigkeys/{name}", "tsig:read", NULL, 0, api_h_tsig_get},
    {"DELETE", "/api/v1/tsigkeys/{name}", "tsig:write", NULL, 0, api_h_tsig_delete},
    {"GET", D "/metadata/TSIG-ALLOW-AXFR", "tsig:read", NULL, 0, api_h_tsig_allow_axfr_get},
    {"PUT", D "/metadata/TSIG-ALLOW-AXFR", "tsig:write", NULL, 1, api_h_tsig_allow_axfr_put},
    {"GET", "/ui", NULL, NULL, 0, api_h_ui_redirect},
    {"GET", "/ui/", NULL, NULL, 0, api_h_ui_index},
    {"GET", "/ui/{file}", NULL, NULL, 0, api_h_ui_file},
};

const api_route *api_routes(size_t *n)
{
    *n = sizeof ROUTES / sizeof ROUTES[0];
    return ROUTES;
}
