/* changed.c - purge and wake after a change made through the API. */
#include "api/changed.h"

#include "api/log.h"
#include "lifecycle/pdns_client.h"
#include "api/scheduler.h"

#define PURGE_TIMEOUT_MS 2000

void api_changed(const api_req *rq, const sd_zone *z)
{
    const sd_config *cfg = &rq->srv->cfg;
    sd_err e;
    if (cfg->pdns_control_socket[0] &&
        sd_pdns_purge_zone(cfg->pdns_control_socket, z->name, PURGE_TIMEOUT_MS, &e) < 0)
        api_log_msg(API_LOG_WARNING,
                    "%s changed but the PowerDNS purge failed (%s); PowerDNS serves the change "
                    "when its caches expire",
                    z->name, e.msg);
    api_scheduler_wake(rq->srv->sched);
}
