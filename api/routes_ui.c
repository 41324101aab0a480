/* routes_ui.c - the status page: GET /ui (a redirect to ui/), GET /ui/ and GET /ui/{file},
 * served without a token from the files embedded in the binary (api/ui_files.h). The page
 * holds no data: its script asks the JSON routes with the operator's token. Every answer
 * carries a strict Content-Security-Policy (no inline script or style, connections only to
 * this origin). */
#include <stdio.h>
#include <string.h>

#include "api/json_io.h"
#include "api/routes.h"
#include "api/ui_files.h"

/* Only this origin's script, style and API; no inline code, no frames, no forms. */
static const char UI_CSP[] = "default-src 'none'; script-src 'self'; style-src 'self'; "
                             "img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
                             "form-action 'none'; frame-ancestors 'none'";

/* Fills rs with the embedded file called name, or a 404 when there is none. */
static void send_file(api_resp *rs, const char *name)
{
    for (size_t i = 0; i < api_ui_nfiles; i++) {
        if (strcmp(api_ui_files[i].name, name) != 0)
            continue;
        rs->status = 200;
        rs->raw = api_ui_files[i].data;
        rs->raw_len = api_ui_files[i].len;
        rs->content_type = api_ui_files[i].content_type;
        rs->csp = UI_CSP;
        return;
    }
    api_error(rs, 404, "no such file in the status page");
}

/* 301 to "ui/" (relative, so it works behind a path prefix): the page's relative URLs
 * need the trailing slash. */
void api_h_ui_redirect(api_req *rq, api_resp *rs)
{
    (void)rq;
    api_error(rs, 301, "the status page is at ui/");
    snprintf(rs->location, sizeof rs->location, "ui/");
}

/* 200 with the page itself. */
void api_h_ui_index(api_req *rq, api_resp *rs)
{
    (void)rq;
    send_file(rs, "index.html");
}

/* 200 with one of the page's files (ui.css, ui.js, ...), 404 for any other name. */
void api_h_ui_file(api_req *rq, api_resp *rs)
{
    send_file(rs, rq->params[0]);
}
