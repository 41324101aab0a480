#!/usr/bin/env bash
# backend_memory.sh - scaidns-backend's resident memory under steady load, with the
# keystore changing every few seconds (each change drops and rebuilds every cache, the
# unsealed-key arena included): the RSS should level off, not grow.
#
#   bench/backend_memory.sh [BUILD_BIN_DIR] [SECONDS] [ZONES]
#
# Load: 4 connections asking lookup and 4 asking getDomainKeys, as fast as they can; the
# keystore is written (one UPDATE) every 5 s; RSS is printed every 30 s. With ZONES > 1 the
# keystore also holds ZONES - 1 unsigned copies of the zone (zNNNNNN.bench.).
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
export SCAIDNS_BIN=${1:-$SRC/build/bin}
export SCAIDNS_SRC=$SRC
DURATION=${2:-300}
ZONES=${3:-1}
LOAD=${LOAD:-$SCAIDNS_BIN/scaidns-bench-backend-load}
. "$SRC/test/integration/lib/pdns.sh"
. "$SRC/test/integration/lib/signed_zone.sh"
pdns_init
Z=bench.test.
sd_conf
ctl init >/dev/null
make_signed_zone "$Z" 13 nsec
if [ "$ZONES" -gt 1 ]; then
  sqlite3 "$T/scaidns.db" <<SQL
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $((ZONES - 1)))
INSERT INTO zones(public_id, name, created_at, updated_at)
  SELECT printf('d_%016x', 4096 + i), printf('z%06d.bench.', i), 0, 0 FROM n;
INSERT INTO rrsets(zone_id, name, type, ttl)
  SELECT id, name, 'SOA', 300 FROM zones WHERE name LIKE 'z%.bench.';
INSERT INTO records(rrset_id, content)
  SELECT r.id, 'ns1.' || r.name || ' hostmaster.' || r.name || ' 1 3600 600 86400 300'
  FROM rrsets r WHERE r.name LIKE 'z%.bench.';
SQL
fi
backend_start
rss() { awk '/VmRSS/ { print $2 }' "/proc/$BACKEND_PID/status"; }
echo "scaidns-backend, $ZONES zones, load for $DURATION s; RSS at start: $(rss) kB"
NAMES=("$Z" "www.$Z" "mail.$Z" "host.wild.$Z" "b.$Z" "nope.$Z")
"$LOAD" "$T/backend.sock" lookup "$Z" 4 "$DURATION" "${NAMES[@]}" >"$T/l1" &
L1=$!
"$LOAD" "$T/backend.sock" getDomainKeys "$Z" 4 "$DURATION" >"$T/l2" &
L2=$!
for ((s = 5; s <= DURATION; s += 5)); do
  sleep 5
  sqlite3 "$T/scaidns.db" "UPDATE zones SET updated_at = updated_at + 1 WHERE name = '$Z'"
  [ $((s % 30)) -eq 0 ] && echo "t=${s}s RSS $(rss) kB"
done
wait "$L1" "$L2"
cat "$T/l1" "$T/l2"
echo "RSS at end: $(rss) kB"
