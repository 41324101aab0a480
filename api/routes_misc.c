/* routes_misc.c - GET /healthz and GET /api/v1/openapi.json (both without a token). */
#include <jansson.h>

#include "api/json_io.h"
#include "api/routes.h"
#include "keystore/db.h"

/* 200 {"status": "ok", "schema_version": N} when the keystore can do its work (it answers a
 * query, is still at its path, can be written and has room: sd_db_health), else 503 naming
 * what is wrong. */
void api_h_healthz(api_req *rq, api_resp *rs)
{
    sd_err e;
    if (sd_db_health(rq->db, &e) < 0) {
        api_error(rs, 503, "%s", e.msg);
        rs->retry_after = 1;
        return;
    }
    api_reply(rs, 200,
              json_pack("{s:s, s:i}", "status", "ok", "schema_version", sd_db_schema_version()));
}

/* 200 with the embedded OpenAPI document, sent as is. */
void api_h_openapi(api_req *rq, api_resp *rs)
{
    rs->status = 200;
    rs->raw = rq->srv->openapi;
    rs->raw_len = rq->srv->openapi_len;
}
