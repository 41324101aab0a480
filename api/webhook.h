/* webhook.h - notifications: a webhook POSTed with a JSON event when the operator must
 * act (ds_to_publish, ds_to_remove), when a rollover is held (rollover_held) and when the
 * scheduler takes a step (step_completed).
 *
 * Every event is first written to the keystore's outbox (table webhook_outbox, see
 * schema/002_webhook_outbox.sql), then a delivery thread POSTs it, signed with HMAC-SHA256
 * (X-Scaidns-Signature: sha256=<hex>), retrying with exponential backoff. Nothing is lost when
 * scaidns-api stops: the thread of the next start finds the pending rows. With webhook-url
 * empty nothing is queued and no thread runs. */
#ifndef SCAIDNS_API_WEBHOOK_H
#define SCAIDNS_API_WEBHOOK_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "api/api.h"
#include "keystore/config.h"
#include "keystore/error.h"
#include "keystore/zone.h"

#define API_WEBHOOK_KEY_MAX 256        /* bytes of HMAC key read from webhook-secret-file */
#define API_WEBHOOK_BACKOFF_MAX 300000 /* ms: the longest wait between two attempts */

typedef struct api_webhook api_webhook;

/* --- signing (webhook_sign.c) --------------------------------------------------------- */

/* Reads the HMAC key from path into key (cap bytes), without its trailing newline, and sets
 * *len. Fails (400, a message naming the file) when path is missing, empty, too long, or
 * readable or writable by group or others. key is wiped on failure. */
int api_webhook_load_secret(const char *path, unsigned char *key, size_t cap, size_t *len,
                            sd_err *e);

/* Writes the lower-case hex HMAC-SHA256 of body[0..len) under key into hex (65 bytes). */
void api_webhook_sign(const unsigned char *key, size_t keylen, const char *body, size_t len,
                      char hex[65]);

/* Milliseconds to wait after the attempts-th failed attempt (attempts >= 1): 1000, 2000,
 * 4000, ... at most API_WEBHOOK_BACKOFF_MAX. */
int64_t api_webhook_backoff_ms(int attempts);

/* --- the outbox (webhook_outbox.c) ------------------------------------------------------ */

/* Queues one event: body {"event", "zone", "at" (RFC 3339 of now), "message"} plus every
 * member of fields (which may be NULL; it is not changed). zone may be NULL. Writes the row in
 * its own statement (the caller must not hold a transaction it may roll back); sets *id. */
int api_webhook_enqueue(sqlite3 *db, int64_t now, const char *event, const char *zone,
                        const char *message, const json_t *fields, int64_t *id, sd_err *e);

/* Queues the event of an API route after its lifecycle call succeeded, and wakes the
 * delivery thread: "ds_to_publish" (the DS records the parent should hold and the latest
 * ds_publish_after) or "ds_to_remove" (the DS of KSKs leaving now: after a KSK rollover's
 * confirmation, or all of them after disable; nothing is queued when there is none). Does
 * nothing when webhook-url is empty; a failure is logged, never returned: the change is
 * made. */
void api_notify(const api_req *rq, const sd_zone *z, const char *event);

/* The id of the newest audit row (0 when none): the scheduler's mark before a pass. */
int64_t api_webhook_audit_mark(sqlite3 *db);

/* Queues one event per audit row written by actor 'scheduler' after the row mark:
 * "rollover_held" for outcome 'postponed' or 'waiting' (a step postponed, the served-data check
 * or the parent's DS holding a rollover), none for the other served-check rows (evidence),
 * "step_completed" otherwise, each with the row's
 * "action", "outcome", "audit_id" and "detail"; a KSK rollover the scheduler started also
 * queues "ds_to_publish", a DS it confirmed "ds_to_remove" (when a KSK now leaves). Does
 * nothing when cfg's webhook-url is empty;
 * failures are logged. Returns the number of audit rows turned into events. */
int api_webhook_from_audit(sqlite3 *db, const sd_config *cfg, int64_t mark);

/* --- delivery (webhook_http.c, webhook.c) ---------------------------------------------- */

/* POSTs body to url (http://host[:port][/path]) with the given extra header lines (each
 * ending in CRLF) within timeout_ms overall; sets *status to the HTTP status. Fails (500,
 * message in e) when the URL is bad or the connection, the send or the status line fails
 * or takes too long. */
int api_http_post(const char *url, const char *headers, const char *body, size_t len,
                  long timeout_ms, int *status, sd_err *e);

/* Checks that url is a plain http:// URL api_http_post can reach; fails with a message. */
int api_webhook_check_url(const char *url, sd_err *e);

/* Attempts every pending row due at now_ms (Unix milliseconds) on db, one after the other:
 * a 2xx marks it delivered; otherwise it is retried after api_webhook_backoff_ms, or given up
 * (next_try_at NULL, last_error set, an audit row action 'webhook' outcome 'failed') after
 * cfg's webhook-retries retries. key signs the bodies. Sets *next_ms to the time of the next
 * pending attempt (0: none) and returns the number of rows attempted, or -code. stop, when
 * not NULL, is polled between rows and ends the pass early when it returns non-zero. */
int api_webhook_deliver_due(sqlite3 *db, const sd_config *cfg, const unsigned char *key,
                            size_t keylen, int64_t now_ms, int64_t *next_ms, int (*stop)(void *),
                            void *stop_arg, sd_err *e);

/* Starts the delivery thread with its own keystore connection when cfg's webhook-url is set
 * (*out NULL otherwise): checks the URL and loads the secret (fails, with a message for the
 * operator, when either is unusable). cfg must outlive it. */
int api_webhook_start(const sd_config *cfg, api_webhook **out, sd_err *e);

/* Makes the thread look at the outbox now. NULL-safe. */
void api_webhook_wake(api_webhook *w);

/* Stops the thread (after the attempt under way), wipes the key and frees w. NULL-safe. */
void api_webhook_stop(api_webhook *w);

#endif
