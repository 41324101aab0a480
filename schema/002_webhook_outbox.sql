-- 002_webhook_outbox.sql - the webhook outbox of scaidns-api: every notification is written
-- here before it is sent, so that none is lost when scaidns-api stops or the receiver is down.
--
-- A row is pending while delivered_at IS NULL and (attempts = 0 OR next_try_at IS NOT NULL);
-- given up when delivered_at IS NULL, attempts > 0 and next_try_at IS NULL (last_error says why).
CREATE TABLE webhook_outbox (
    id           INTEGER PRIMARY KEY,          -- sent as X-Scaidns-Delivery
    created_at   INTEGER NOT NULL,             -- Unix seconds (the event's time)
    event        TEXT    NOT NULL,             -- ds_to_publish, ds_to_remove, rollover_held, step_completed
    zone         TEXT,                         -- the zone's name, when the event has one
    body         TEXT    NOT NULL,             -- the JSON sent, exactly as signed
    attempts     INTEGER NOT NULL DEFAULT 0,   -- delivery attempts made
    next_try_at  INTEGER,                      -- Unix milliseconds of the next attempt (NULL: now, or given up)
    delivered_at INTEGER,                      -- Unix seconds of the 2xx answer
    last_error   TEXT                          -- why the last attempt failed
);
CREATE INDEX webhook_outbox_pending ON webhook_outbox(id) WHERE delivered_at IS NULL;
