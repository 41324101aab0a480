-- 004_tsig.sql - TSIG keys for zone transfers (RFC 8945) and which of them may transfer which
-- zone (PowerDNS's TSIG-ALLOW-AXFR metadata).
--
-- A key's secret is stored only as a crypto_box_seal box to the backend's seal key, like a
-- private DNSSEC key: scaidns-api and scaidnsctl create it, show it once and can never read
-- it back; only scaidns-backend opens it, to hand it to PowerDNS (getTSIGKey).
CREATE TABLE tsig_keys (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE,          -- canonical: lower case, trailing dot
    algorithm     TEXT    NOT NULL
                  CHECK (algorithm IN ('hmac-md5', 'hmac-sha256', 'hmac-sha512')),
    sealed_secret BLOB    NOT NULL,                 -- the base64 secret, sealed to the backend
    created_at    INTEGER NOT NULL
);

-- The keys that may transfer a zone. A key named here cannot be deleted (the foreign key has
-- no ON DELETE: scaidns refuses first, naming the zones).
CREATE TABLE zone_tsig_axfr (
    zone_id     INTEGER NOT NULL REFERENCES zones(id) ON DELETE CASCADE,
    tsig_key_id INTEGER NOT NULL REFERENCES tsig_keys(id),
    PRIMARY KEY (zone_id, tsig_key_id)
);
CREATE INDEX zone_tsig_axfr_key ON zone_tsig_axfr(tsig_key_id);

-- For admins: every key with the zones it may transfer (never the secret).
CREATE VIEW tsig_key_zones AS
SELECT t.name AS key, t.algorithm, t.algorithm = 'hmac-md5' AS weak,
       datetime(t.created_at, 'unixepoch') AS created,
       (SELECT group_concat(z.name, ', ') FROM zone_tsig_axfr a JOIN zones z ON z.id = a.zone_id
         WHERE a.tsig_key_id = t.id) AS zones
FROM tsig_keys t;
