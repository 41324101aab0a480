/* routes_misc.c - GET /healthz and GET /api/v1/openapi.json (both without a token). */
#include <jansson.h>

#include "api_json_io.h"
#include "api_routes.h"

/* 200 {"status": "ok", "schema_version": N} when the keystore answers a query, else 503. */
void api_h_healthz(api_req *rq, api_resp *rs)
{
    sqlite3_stmt *st;
    int version = -1;
    if (sqlite3_prepare_v2(rq->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            version = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    if (version < 0) {
        api_error(rs, 503, "the keystore does not answer: %s", sqlite3_errmsg(rq->db));
        rs->retry_after = 1;
        return;
    }
    api_reply(rs, 200, json_pack("{s:s, s:i}", "status", "ok", "schema_version", version));
}

/* 200 with the embedded OpenAPI document, sent as is. */
void api_h_openapi(api_req *rq, api_resp *rs)
{
    rs->status = 200;
    rs->raw = rq->srv->openapi;
    rs->raw_len = rq->srv->openapi_len;
}
