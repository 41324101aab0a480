/* audit.h - the audit trail: one row per change, chained by hash. */
#ifndef SCAIDNS_AUDIT_H
#define SCAIDNS_AUDIT_H

#include <sqlite3.h>
#include <stdint.h>

#include "keystore/error.h"

/* Appends a row (call inside the transaction of the change it records). zone and detail
 * (a JSON text) may be NULL. The row's hash covers its fields and the previous row's hash. */
int sd_audit(sqlite3 *db, int64_t now, const char *actor, const char *zone, const char *action,
             const char *outcome, const char *detail, sd_err *e);

/* Checks the whole chain; on a break returns -SD_ECONFLICT and names the first bad row. */
int sd_audit_verify(sqlite3 *db, int64_t *rows, sd_err *e);

#endif
