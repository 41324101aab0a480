-- scaidns keystore, version 1.
-- Times are Unix seconds (UTC). A NULL timeline column means "not (yet) scheduled".

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- One row per zone. Names are canonical: lower case, A-labels, trailing dot.
CREATE TABLE zones (
    id          INTEGER PRIMARY KEY,
    public_id   TEXT    NOT NULL UNIQUE,            -- "d_" + 16 hex digits, what the API shows
    name        TEXT    NOT NULL UNIQUE,
    kind        TEXT    NOT NULL DEFAULT 'native' CHECK (kind IN ('native', 'master')),
    keys_only   INTEGER NOT NULL DEFAULT 0 CHECK (keys_only IN (0, 1)), -- records live in another backend
    notified_serial INTEGER,                        -- last serial PowerDNS sent NOTIFY for
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- An RRset: owner name (absolute, canonical), type, one TTL.
CREATE TABLE rrsets (
    id      INTEGER PRIMARY KEY,
    zone_id INTEGER NOT NULL REFERENCES zones(id) ON DELETE CASCADE,
    name    TEXT    NOT NULL,
    type    TEXT    NOT NULL,
    ttl     INTEGER NOT NULL CHECK (ttl >= 0 AND ttl <= 2147483647),
    UNIQUE (zone_id, name, type)
);
CREATE INDEX rrsets_name ON rrsets(name, type);

-- The records of an RRset, content in presentation format as PowerDNS wants it.
CREATE TABLE records (
    id       INTEGER PRIMARY KEY,
    rrset_id INTEGER NOT NULL REFERENCES rrsets(id) ON DELETE CASCADE,
    content  TEXT    NOT NULL,
    UNIQUE (rrset_id, content)
);

-- Signing keys with their whole timeline (RFC 7583 terms).
-- state: published = in the DNSKEY RRset, not signing; active = published and signing;
-- retired = published, no longer signing; signing = signing but not in the DNSKEY RRset
-- (algorithm rollovers: new signatures before new keys, old keys before old signatures);
-- removed = gone from the zone (private key wiped).
CREATE TABLE keys (
    id              INTEGER PRIMARY KEY,            -- the id PowerDNS sees
    kid             TEXT    NOT NULL UNIQUE,        -- random id sealed into the private key
    zone_id         INTEGER NOT NULL REFERENCES zones(id) ON DELETE CASCADE,
    role            TEXT    NOT NULL CHECK (role IN ('KSK', 'ZSK')),
    flags           INTEGER NOT NULL CHECK (flags IN (256, 257)),
    algorithm       INTEGER NOT NULL CHECK (algorithm IN (8, 10, 13, 14, 15)),
    bits            INTEGER NOT NULL,
    key_tag         INTEGER NOT NULL CHECK (key_tag BETWEEN 0 AND 65535),
    public_key      TEXT    NOT NULL,               -- base64 public key field of the DNSKEY
    sealed_private  BLOB,                           -- crypto_box_seal to the backend; NULL once removed
    state           TEXT    NOT NULL
                    CHECK (state IN ('published', 'active', 'retired', 'signing', 'removed')),
    created_at      INTEGER NOT NULL,
    publish_at      INTEGER,
    activate_at     INTEGER,
    retire_at       INTEGER,
    remove_at       INTEGER,
    roll_at         INTEGER,                        -- when the engine starts this key's successor
    unpublish_at    INTEGER,                        -- algorithm rollover: leaves the DNSKEY RRset
    expires_at      INTEGER NOT NULL,
    ds_submitted_at INTEGER,                        -- KSK: DS handed to the operator
    ds_publish_at   INTEGER,                        -- KSK: earliest safe time to publish its DS
    ds_seen_at      INTEGER                         -- KSK: DS confirmed at the parent
);
CREATE INDEX keys_zone ON keys(zone_id, state);

-- Per-zone policy; a NULL column takes the default from scaidns.conf.
CREATE TABLE policies (
    zone_id                  INTEGER PRIMARY KEY REFERENCES zones(id) ON DELETE CASCADE,
    dnskey_ttl               INTEGER,
    propagation_delay        INTEGER,
    publish_safety           INTEGER,
    retire_safety            INTEGER,
    parent_ds_ttl            INTEGER,
    parent_propagation_delay INTEGER,
    zsk_lifetime             INTEGER,
    ksk_lifetime             INTEGER,
    algorithm                INTEGER,
    ksk_bits                 INTEGER,
    zsk_bits                 INTEGER,
    nsec3                    INTEGER CHECK (nsec3 IN (0, 1)),
    nsec3_iterations         INTEGER,
    nsec3_salt               TEXT,
    nsec3_optout             INTEGER CHECK (nsec3_optout IN (0, 1)),
    cds                      INTEGER CHECK (cds IN (0, 1))
);

-- API tokens: only a hash of the secret is kept.
CREATE TABLE tokens (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    hash       BLOB    NOT NULL UNIQUE,             -- BLAKE2b-256 of the token
    scopes     TEXT    NOT NULL,                    -- comma separated
    zones      TEXT,                                -- comma separated canonical names; NULL = all
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

-- Every change, by whom, and how it ended. hash chains each row to the one before.
CREATE TABLE audit (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor     TEXT    NOT NULL,
    zone      TEXT,
    action    TEXT    NOT NULL,
    outcome   TEXT    NOT NULL,
    detail    TEXT,
    prev_hash TEXT    NOT NULL,
    hash      TEXT    NOT NULL
);
CREATE INDEX audit_zone ON audit(zone, id);

-- Admin views ---------------------------------------------------------------------------

-- One row per key still in the zone, with readable times.
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
       datetime(k.ds_seen_at, 'unixepoch') AS ds_seen
FROM keys k JOIN zones z ON z.id = k.zone_id
WHERE k.state <> 'removed';

-- One row per zone: its status as the API shows it, and what happens next. Written with
-- correlated subqueries only, so that "WHERE zone = ?" costs one index lookup per table.
CREATE VIEW dnssec_status AS
SELECT zone, id, zone_id,
       CASE WHEN n_keys = 0 THEN 'disabled'
            WHEN n_ksk_ds = 0 THEN 'pending_ds'
            WHEN n_ksk_ds < n_ksk THEN 'rotating_ksk'
            WHEN n_zsk > 1 THEN 'rotating_zsk'
            ELSE 'active' END AS status,
       n_ksk AS ksks, n_zsk AS zsks,
       datetime(next_at, 'unixepoch') AS next_step_at,
       keys
FROM (
    SELECT z.name AS zone, z.public_id AS id, z.id AS zone_id,
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
