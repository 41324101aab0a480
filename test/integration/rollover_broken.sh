#!/usr/bin/env bash
# rollover_broken.sh - proof that the rollover harness notices a broken rollover: with the same
# real pdns_server, scaidns-backend and validating unbound as rollover_unbound.sh, a rollover
# done in the wrong order must make unbound answer SERVFAIL:
#   1. the new ZSK signs at once and the old one is removed at once (no pre-publication);
#   2. the old KSK is removed while the parent still serves (and unbound caches) its DS.
set -euo pipefail
. "$SCAIDNS_SRC/test/integration/lib/pdns.sh"
. "$SCAIDNS_SRC/test/integration/lib/unbound.sh"
pdns_init
PORT=$(free_port)
sd_conf "pdns-control-socket=$T/pdns-run/pdns.controlsocket" "pdns-address=127.0.0.1:$PORT"
ctl init >/dev/null

# DNSKEY (SOA minimum) and DS TTLs long, data TTLs short: a cache that keeps the old DNSKEY
# set or DS while the data's signatures change is exactly what a wrong order breaks.
cat >"$T/parent.zone" <<'Z'
$TTL 30
@          SOA ns1 hostmaster 1 3600 600 86400 30
@          NS  ns1
ns1        A   127.0.0.1
child      NS  ns1.child
ns1.child  A   127.0.0.1
Z
cat >"$T/child.zone" <<'Z'
$TTL 1
@     30 SOA ns1 hostmaster 1 3600 600 86400 30
@     30 NS  ns1
ns1   A   127.0.0.1
www   A   192.0.2.1
Z
ctl zone import sdtest "$T/parent.zone" >/dev/null
ctl zone import child.sdtest "$T/child.zone" >/dev/null
ctl dnssec enable sdtest >/dev/null
ctl dnssec confirm-ds sdtest >/dev/null
ctl dnssec enable child.sdtest >/dev/null
ctl dnssec confirm-ds child.sdtest >/dev/null
ds=$(ctl ds child.sdtest | awk '/ DS [0-9]+ [0-9]+ 2 / { print $(NF-3), $(NF-2), $(NF-1), $NF }')
# the DS goes into the parent with TTL 30 (a registrar's change, done here with SQL)
zid=$(sqlite3 "$T/scaidns.db" "SELECT id FROM zones WHERE name = 'sdtest.'")
sqlite3 "$T/scaidns.db" "INSERT INTO rrsets(zone_id, name, type, ttl) VALUES ($zid, 'child.sdtest.', 'DS', 30);
  INSERT INTO records(rrset_id, content) VALUES (last_insert_rowid(), '$ds');"

backend_start
pdns_conf "$PORT" cache-ttl=0 query-cache-ttl=0 negquery-cache-ttl=0 dnssec-key-cache-ttl=0 \
  zone-metadata-cache-ttl=0
pdns_start
unbound_start "$PORT" sdtest. child.sdtest.

# Validation works before anything is broken.
for _ in 1 2 3; do uq www.child.sdtest. A; done >"$T/before.log"
if ! awk '$4 != "NOERROR" || $5 != "ad" { bad = 1 } END { exit bad }' "$T/before.log"; then
  cat "$T/before.log"; echo "FAIL: the zone does not validate to begin with"; exit 1
fi
echo "ok   the zone validates before the broken rollover"
uq child.sdtest. DNSKEY >/dev/null

sql() { sqlite3 "$T/scaidns.db" "$@"; }
servfail_within() { # servfail_within SECONDS NAME TYPE: polls unbound; 0 once it says SERVFAIL
  local end=$((SECONDS + $1)) line
  while [ $SECONDS -lt $end ]; do
    line=$(uq "$2" "$3")
    echo "$line" >>"$T/broken.log"
    [[ $line == *" SERVFAIL "* ]] && return 0
    sleep 0.2
  done
  return 1
}

# 1. A ZSK rollover without pre-publication.
ctl dnssec rotate-zsk child.sdtest >/dev/null
sql "UPDATE keys SET state = 'removed', sealed_private = NULL WHERE role = 'ZSK' AND state = 'active'
       AND zone_id = (SELECT id FROM zones WHERE name = 'child.sdtest.');
     UPDATE keys SET state = 'active' WHERE role = 'ZSK' AND state = 'published';"
if servfail_within 20 www.child.sdtest. A; then
  echo "ok   removing the old ZSK at once makes unbound answer SERVFAIL"
else
  echo "FAIL: a ZSK swap without pre-publication went unnoticed"; tail -5 "$T/broken.log"; exit 1
fi

# 2. A KSK swapped while the parent still has the old DS.
sleep 31 # let unbound forget the bogus data and relearn a valid state
sql "UPDATE keys SET state = 'removed', sealed_private = NULL WHERE role = 'ZSK' AND state <> 'active';"
line=$(uq www.child.sdtest. A)
[[ $line == *" NOERROR ad"* ]] || { echo "FAIL: the zone did not recover: $line"; exit 1; }
ctl dnssec rotate-ksk child.sdtest >/dev/null
sql "UPDATE keys SET state = 'removed', sealed_private = NULL WHERE role = 'KSK' AND ds_seen_at IS NOT NULL
       AND zone_id = (SELECT id FROM zones WHERE name = 'child.sdtest.');"
if servfail_within 40 child.sdtest. DNSKEY; then
  echo "ok   removing the old KSK before its DS is gone makes unbound answer SERVFAIL"
else
  echo "FAIL: a KSK removed under a cached DS went unnoticed"; tail -5 "$T/broken.log"; exit 1
fi
echo "2 passed, 0 failed"
