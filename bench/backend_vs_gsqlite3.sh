#!/usr/bin/env bash
# backend_vs_gsqlite3.sh - queries per second of pdns_server + scaidns-backend beside
# pdns_server + gsqlite3, same zone, same algorithm (13), signed answers (DO bit), in the same
# run, with every PowerDNS cache off, with
# the packet and query caches off (key and metadata caches on), and with the default caches. Also reports the CPU time
# scaidns-backend used, which is what decides its threading model (backend/server.c).
#
#   bench/backend_vs_gsqlite3.sh [BUILD_BIN_DIR] [SECONDS]
#
# Everything runs on 127.0.0.1 with ports picked at run time; every process is stopped at
# exit. Needs pdns-backend-sqlite3, pdns-backend-remote, dnsperf, sqlite3.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
export SCAIDNS_BIN=${1:-$SRC/build/bin}
export SCAIDNS_SRC=$SRC
DURATION=${2:-10}
. "$SRC/test/integration/lib/pdns.sh"
. "$SRC/test/integration/lib/signed_zone.sh"
pdns_init
Z=bench.test.
sd_conf
ctl init >/dev/null
make_signed_zone "$Z" 13 nsec
ctl dnssec confirm-ds "$Z" >/dev/null
backend_start

# The same zone in gsqlite3, signed by pdnsutil with the same algorithm.
sqlite3 "$T/pdns.sqlite3" </usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql
test_zone_file "$T/bench.zone"
mkdir -p "$T/gsql"
cat >"$T/gsql/pdns.conf" <<CONF
launch=gsqlite3
gsqlite3-database=$T/pdns.sqlite3
gsqlite3-dnssec=yes
CONF
pdnsutil --config-dir="$T/gsql" load-zone "$Z" "$T/bench.zone" >/dev/null 2>&1
pdnsutil --config-dir="$T/gsql" secure-zone "$Z" >/dev/null 2>&1
pdnsutil --config-dir="$T/gsql" rectify-zone "$Z" >/dev/null 2>&1

# Queries: positive, wildcard, NXDOMAIN, NODATA, DNSKEY, referral.
for name in www mail ns1 www host.wild nope.nope other; do echo "$name.$Z A"; done >"$T/queries"
{ echo "www.$Z AAAA"; echo "www.$Z TXT"; echo "$Z DNSKEY"; echo "$Z SOA"; echo "x.sub.$Z A"; } >>"$T/queries"

PACKET_CACHES_OFF=(cache-ttl=0 query-cache-ttl=0 negquery-cache-ttl=0)
CACHES_OFF=(cache-ttl=0 query-cache-ttl=0 negquery-cache-ttl=0 dnssec-key-cache-ttl=0
  zone-metadata-cache-ttl=0)

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# run LABEL BACKEND(remote|gsqlite3) [pdns.conf lines...] -> prints "LABEL QPS backend-cpu%"
run() {
  local label=$1 kind=$2; shift 2
  local port lines=()
  port=$(free_port)
  if [ "$kind" = gsqlite3 ]; then
    lines=("launch=gsqlite3" "gsqlite3-database=$T/pdns.sqlite3" "gsqlite3-dnssec=yes")
  fi
  pdns_conf "$port" "${lines[@]}" "$@"
  [ "$kind" = gsqlite3 ] && sed -i '/^remote-/d; /^launch=remote$/d' "$T/pdns/pdns.conf"
  pdns_start
  dnsperf -s 127.0.0.1 -p "$port" -d "$T/queries" -D -l 2 -c 4 -q 64 >/dev/null 2>&1 || true # warm up
  local t0 t1 hz
  hz=$(getconf CLK_TCK)
  t0=$(cpu_ticks "$BACKEND_PID")
  dnsperf -s 127.0.0.1 -p "$port" -d "$T/queries" -D -l "$DURATION" -c 4 -q 64 >"$T/perf-$label" 2>&1
  t1=$(cpu_ticks "$BACKEND_PID")
  pdns_stop
  local qps lost
  qps=$(awk '/Queries per second/ { print int($4) }' "$T/perf-$label")
  lost=$(awk '/Queries lost/ { print $3 }' "$T/perf-$label")
  local cpu="-"
  [ "$kind" = remote ] && cpu=$(((t1 - t0) * 100 / hz / DURATION))
  printf '%-28s %8s qps  lost %-6s  scaidns-backend CPU %s%%\n' "$label" "$qps" "$lost" "$cpu"
  eval "QPS_${label//[^a-zA-Z0-9]/_}=$qps"
}

echo "zone $Z, algorithm 13, NSEC, $(wc -l <"$T/queries") query kinds, dnsperf -D -c 4 -q 64 -l $DURATION"
run remote-caches-off remote "${CACHES_OFF[@]}"
run gsqlite3-caches-off gsqlite3 "${CACHES_OFF[@]}"
run remote-packet-caches-off remote "${PACKET_CACHES_OFF[@]}"
run gsqlite3-packet-caches-off gsqlite3 "${PACKET_CACHES_OFF[@]}"
run remote-default-caches remote
run gsqlite3-default-caches gsqlite3
awk -v a="$QPS_remote_caches_off" -v b="$QPS_gsqlite3_caches_off" \
  'BEGIN { printf "ratio scaidns/gsqlite3, caches off:     %.2f\n", a / b }'
awk -v a="$QPS_remote_packet_caches_off" -v b="$QPS_gsqlite3_packet_caches_off" \
  'BEGIN { printf "ratio scaidns/gsqlite3, packet caches off: %.2f\n", a / b }'
awk -v a="$QPS_remote_default_caches" -v b="$QPS_gsqlite3_default_caches" \
  'BEGIN { printf "ratio scaidns/gsqlite3, default caches: %.2f\n", a / b }'
