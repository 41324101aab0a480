-- 006_next_step.sql - each key's next step, stored by the lifecycle on every commit that writes
-- keys (lifecycle/keystate.c, sd_key_steps: the one rule), so that the scheduler's due-zone
-- query, the admin views and /metrics read the engine's own answer instead of a copy of its rule.
-- Rows written before this migration get their values when scaidns-api starts (it stores them
-- for every zone), and again whenever the lifecycle writes the zone's keys.
ALTER TABLE keys ADD COLUMN next_step TEXT;     -- e.g. 'zsk-activate', 'ksk-ds-ready'; NULL: none
ALTER TABLE keys ADD COLUMN next_at INTEGER;    -- when next_step falls due
CREATE INDEX keys_next ON keys(next_at) WHERE next_at IS NOT NULL;

DROP VIEW dnssec_keys;
CREATE VIEW dnssec_keys AS
SELECT z.name AS zone, k.id AS key_id, k.role, k.key_tag, k.algorithm, k.flags, k.state,
       k.state IN ('published', 'active', 'retired') AS published,
       k.state IN ('active', 'signing') AS active,
       datetime(k.created_at, 'unixepoch') AS created,
       datetime(k.publish_at, 'unixepoch') AS publish,
       datetime(k.activate_at, 'unixepoch') AS activate,
       datetime(k.retire_at, 'unixepoch') AS retire,
       datetime(k.remove_at, 'unixepoch') AS remove,
       datetime(k.roll_at, 'unixepoch') AS roll,
       datetime(k.unpublish_at, 'unixepoch') AS unpublish,
       datetime(k.expires_at, 'unixepoch') AS expires,
       datetime(k.ds_submitted_at, 'unixepoch') AS ds_submitted,
       datetime(k.ds_publish_at, 'unixepoch') AS ds_publish_after,
       datetime(k.ds_seen_at, 'unixepoch') AS ds_seen,
       datetime(k.cds_at, 'unixepoch') AS cds,
       k.next_step,
       datetime(k.next_at, 'unixepoch') AS next_step_at
FROM keys k JOIN zones z ON z.id = k.zone_id
WHERE k.state <> 'removed';

DROP VIEW dnssec_status;
CREATE VIEW dnssec_status AS
SELECT zone, id, zone_id,
       CASE WHEN n_keys = 0 THEN 'disabled'
            WHEN insecure_at IS NOT NULL THEN 'disabling'
            WHEN n_ksk_ds = 0 THEN 'pending_ds'
            WHEN n_ksk_ds < n_ksk THEN 'rotating_ksk'
            WHEN n_zsk > 1 THEN 'rotating_zsk'
            ELSE 'active' END AS status,
       n_ksk AS ksks, n_zsk AS zsks,
       CASE WHEN unsign_at IS NOT NULL AND (next_at IS NULL OR unsign_at < next_at)
            THEN 'unsign' ELSE next_step END AS next_step,
       datetime(CASE WHEN unsign_at IS NOT NULL AND (next_at IS NULL OR unsign_at < next_at)
                     THEN unsign_at ELSE next_at END, 'unixepoch') AS next_step_at,
       CASE WHEN unsign_at IS NOT NULL AND (next_at IS NULL OR unsign_at < next_at)
            THEN unsign_at ELSE next_at END AS next_step_unix,
       keys
FROM (
    SELECT z.name AS zone, z.public_id AS id, z.id AS zone_id, z.insecure_at, z.unsign_at,
           (SELECT count(*) FROM keys k WHERE k.zone_id = z.id AND k.state <> 'removed') AS n_keys,
           (SELECT count(*) FROM keys k WHERE k.zone_id = z.id AND k.state <> 'removed'
                AND k.role = 'KSK' AND k.remove_at IS NULL) AS n_ksk,
           (SELECT count(*) FROM keys k WHERE k.zone_id = z.id AND k.state <> 'removed'
                AND k.role = 'KSK' AND k.remove_at IS NULL AND k.ds_seen_at IS NOT NULL) AS n_ksk_ds,
           (SELECT count(*) FROM keys k WHERE k.zone_id = z.id AND k.state <> 'removed'
                AND k.role = 'ZSK') AS n_zsk,
           (SELECT min(k.next_at) FROM keys k WHERE k.zone_id = z.id AND k.state <> 'removed')
                AS next_at,
           (SELECT k.next_step FROM keys k WHERE k.zone_id = z.id AND k.state <> 'removed'
                AND k.next_at IS NOT NULL ORDER BY k.next_at, k.id LIMIT 1) AS next_step,
           (SELECT group_concat(k.role || ' ' || k.key_tag || ' ' || k.state, ', ')
              FROM keys k WHERE k.zone_id = z.id AND k.state <> 'removed') AS keys
    FROM zones z
);
