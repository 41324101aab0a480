-- 005_served_ttls.sql - the TTLs PowerDNS really serves for a keys-only zone, learned by AXFR
-- from pdns-address (lifecycle/served_ttls.c) when the zone is enabled or rotated and again
-- before each timed step. The waits of a keys-only zone are computed from this row (the
-- keystore holds none of its records); a zone without a row has its steps held.
--
-- A TTL that went down still counts at its old value until the old one has passed since the
-- transfer that first showed it lower (resolvers keep what they fetched before): the *_until
-- columns say until when (0: not lowered), and the value columns hold what the waits use.
CREATE TABLE served_ttls (
    zone_id INTEGER PRIMARY KEY REFERENCES zones(id) ON DELETE CASCADE,
    soa_ttl INTEGER NOT NULL,
    soa_minimum INTEGER NOT NULL,      -- PowerDNS serves DNSKEY/CDS/CDNSKEY with this TTL
    negative_ttl INTEGER NOT NULL,     -- min(SOA TTL, SOA minimum): the TTL of NXDOMAIN/NODATA
    max_rrset_ttl INTEGER NOT NULL,    -- the largest TTL of any RRset transferred
    max_rrset TEXT NOT NULL,           -- which RRset has it ("name type")
    rrsets INTEGER NOT NULL,           -- records transferred
    server TEXT NOT NULL,              -- where they were learned (pdns-address)
    learned_at INTEGER NOT NULL,       -- Unix seconds
    soa_ttl_until INTEGER NOT NULL DEFAULT 0,
    soa_minimum_until INTEGER NOT NULL DEFAULT 0,
    max_rrset_ttl_until INTEGER NOT NULL DEFAULT 0
);
