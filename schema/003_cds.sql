-- 003_cds.sql - CDS/CDNSKEY (RFC 7344) for the KSKs the parent should trust, and going insecure
-- through CDS/CDNSKEY DELETE (RFC 8078).
--
-- A KSK is named in the zone's CDS/CDNSKEY from cds_at on: the engine sets it once the key's
-- DNSKEY is everywhere (ds_publish_at has come). While a zone goes insecure (insecure_at set),
-- its CDS/CDNSKEY are the DELETE records instead, every key keeps signing, and the keys are
-- removed at unsign_at, which the parent check sets once no parent server shows a DS any more
-- (plus the parent's DS TTL and the policy's delays).
ALTER TABLE keys ADD COLUMN cds_at INTEGER;            -- KSK: named in CDS/CDNSKEY since
ALTER TABLE zones ADD COLUMN insecure_at INTEGER;      -- going insecure (CDS DELETE) since
ALTER TABLE zones ADD COLUMN unsign_at INTEGER;        -- going insecure: when the keys go
ALTER TABLE policies ADD COLUMN cds_delete INTEGER CHECK (cds_delete IN (0, 1));
ALTER TABLE policies ADD COLUMN cds_digests INTEGER CHECK (cds_digests BETWEEN 1 AND 3);

-- KSKs whose DS the parent already holds are ready now.
UPDATE keys SET cds_at = coalesce(ds_publish_at, ds_seen_at)
 WHERE role = 'KSK' AND state = 'active' AND remove_at IS NULL AND ds_seen_at IS NOT NULL;

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
       datetime(CASE WHEN unsign_at IS NOT NULL AND (next_at IS NULL OR unsign_at < next_at)
                     THEN unsign_at ELSE next_at END, 'unixepoch') AS next_step_at,
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
           (SELECT min(CASE WHEN k.state = 'published' THEN coalesce(k.activate_at, k.remove_at)
                            WHEN k.state = 'active' THEN coalesce(k.unpublish_at, k.retire_at,
                                                                  k.remove_at, k.roll_at)
                            WHEN k.state = 'signing' AND k.unpublish_at IS NULL
                                 AND k.remove_at IS NULL THEN k.publish_at
                            ELSE k.remove_at END)
              FROM keys k WHERE k.zone_id = z.id AND k.state <> 'removed') AS next_at,
           (SELECT group_concat(k.role || ' ' || k.key_tag || ' ' || k.state, ', ')
              FROM keys k WHERE k.zone_id = z.id AND k.state <> 'removed') AS keys
    FROM zones z
);
