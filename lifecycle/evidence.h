/* evidence.h - the scheduler's checks (parent DS, served data) keep what they saw as audit
 * rows (actor "scheduler"), readable through GET .../dnssec/events. A check that keeps seeing
 * the same thing writes one row, not one per pass: it compares with the zone's last row of the
 * same action first. */
#ifndef SCAIDNS_LIFECYCLE_EVIDENCE_H
#define SCAIDNS_LIFECYCLE_EVIDENCE_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "keystore/error.h"

/* Writes one audit row by the scheduler for zone at now, detail as compact JSON, in its own
 * transaction (the caller must hold none). */
int sd_evidence_write(sqlite3 *db, int64_t now, const char *zone, const char *action,
                      const char *outcome, const json_t *detail, sd_err *e);

/* The zone's newest audit row of action: its outcome into outcome (len bytes) and its detail
 * into *detail (new reference, NULL when none or not JSON). Returns 1 when found, 0 when the
 * zone has no such row (outcome "" then). */
int sd_evidence_last(sqlite3 *db, const char *zone, const char *action, char *outcome, size_t len,
                     json_t **detail);

/* 1 when the zone's newest row of action has this outcome and a detail equal to detail. */
int sd_evidence_same(sqlite3 *db, const char *zone, const char *action, const char *outcome,
                     const json_t *detail);

#endif
