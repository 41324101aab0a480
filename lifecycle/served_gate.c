/* served_gate.c - the scheduler's served-data gate before a zone's steps (sd_served_gate). */
#include "lifecycle/served.h"

#include <stdio.h>
#include <string.h>

#include "lifecycle/evidence.h"
#include "lifecycle/notes.h"
#include "lifecycle/dnssec.h"
#include "lifecycle/timing.h"

#define ACTION "served-check"

/* Adds to detail how long the zone stays held after its servers caught up, and returns the
 * time its steps may run: now + the longer of the publish and retire waits. */
static int64_t settle(sqlite3 *db, const sd_policy *defaults, const sd_zone *z, int64_t now,
                      json_t *detail, sd_err *e)
{
    sd_policy p;
    sd_zone_ttls t;
    if (sd_policy_load(db, z->id, defaults, &p, e) < 0 || sd_zone_ttls_load(db, z->id, &t, e) < 0)
        return -1;
    char terms[160];
    int64_t pub = sd_wait_publish(&p, &t), ret = sd_wait_retire(&p, &t);
    const char *why = pub >= ret ? sd_terms_publish(&p, &t, terms, sizeof terms)
                                 : sd_terms_retire(&p, &t, terms, sizeof terms);
    int64_t after = now + (pub >= ret ? pub : ret);
    json_object_set_new(detail, "steps_after", json_integer(after));
    json_object_set_new(detail, "terms", json_string(why));
    return after;
}

int sd_served_gate(sqlite3 *db, const sd_config *cfg, const sd_policy *defaults, const sd_zone *z,
                   int64_t now, sd_notes *notes, sd_err *e)
{
    json_t *ev, *prev;
    int agree;
    if (sd_served_check(db, cfg, z, &ev, &agree, e) < 0)
        return -e->code;
    char last[32];
    sd_evidence_last(db, z->name, ACTION, last, sizeof last, &prev);
    int rc = 0;
    if (!agree) {
        /* Held; one row per change of the answers, not one per pass. */
        if (strcmp(last, "waiting") != 0 || !prev || !json_equal(prev, ev)) {
            rc = sd_evidence_write(db, now, z->name, ACTION, "waiting", ev, e);
            if (rc == 0)
                sd_note(notes, SD_NOTE_WARNING,
                        "scheduler: %s: steps held: not every server serves what the "
                        "keystore says (see the zone's events)",
                        z->name);
        }
    } else if (strcmp(last, "waiting") == 0) {
        /* Caught up: what resolvers took from the stale server must expire first. */
        rc = settle(db, defaults, z, now, ev, e) < 0
                 ? -e->code
                 : sd_evidence_write(db, now, z->name, ACTION, "settling", ev, e);
    } else if (strcmp(last, "settling") == 0 &&
               json_integer_value(json_object_get(prev, "steps_after")) > now) {
        rc = 0; /* still settling */
    } else {
        /* The evidence of the step about to run (one row per distinct set of answers). */
        rc = sd_evidence_same(db, z->name, ACTION, "ok", ev)
                 ? 1
                 : sd_evidence_write(db, now, z->name, ACTION, "ok", ev, e);
        if (rc == 0)
            rc = 1;
    }
    json_decref(prev);
    json_decref(ev);
    return rc;
}
