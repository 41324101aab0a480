#!/usr/bin/env bash
# backend_load.sh - scaidns-backend alone (no PowerDNS): lookup, getDomainKeys and
# getAllDomainMetadata per second and their latency percentiles over the Unix socket, with
# 1 and 8 connections, on the benchmark zone of backend_vs_gsqlite3.sh, and the backend's CPU
# time per request.
#
#   bench/backend_load.sh [BUILD_BIN_DIR] [SECONDS]
#
# The lookups cycle over the names PowerDNS asks for when answering the benchmark's queries
# (apex, existing names, a wildcard, an empty non-terminal, a nonexistent name).
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
export SCAIDNS_BIN=${1:-$SRC/build/bin}
export SCAIDNS_SRC=$SRC
DURATION=${2:-5}
LOAD=${LOAD:-$SCAIDNS_BIN/scaidns-bench-backend-load} # override to load an older backend
[ -x "$LOAD" ] || { echo "FAIL: $LOAD not built"; exit 1; }
. "$SRC/test/integration/lib/pdns.sh"
. "$SRC/test/integration/lib/signed_zone.sh"
pdns_init
Z=bench.test.
sd_conf
ctl init >/dev/null
make_signed_zone "$Z" 13 nsec
backend_start
NAMES=("$Z" "www.$Z" "mail.$Z" "*.wild.$Z" "host.wild.$Z" "b.$Z" "nope.$Z" "sub.$Z")
echo "scaidns-backend alone, zone $Z, $DURATION s per line, $(nproc) cores"
HZ=$(getconf CLK_TCK)
# load ARGS...: one line of the load tool, followed by the backend's own CPU time (user +
# system, from /proc) per request, which moves much less than requests/s when other work
# shares the cores.
load() {
  local t0 t1 out
  t0=$(awk '{ print $14 + $15 }' "/proc/$BACKEND_PID/stat")
  out=$("$LOAD" "$T/backend.sock" "$@")
  t1=$(awk '{ print $14 + $15 }' "/proc/$BACKEND_PID/stat")
  echo "$out" | awk -v a="$t0" -v b="$t1" -v hz="$HZ" '{ n = $3; sub(/.*=/, "", n)
    printf "%s backend_cpu_us_per_request=%.2f\n", $0, (b - a) / hz * 1e6 / (n > 0 ? n : 1) }'
}
for conns in 1 8; do
  load lookup "$Z" "$conns" "$DURATION" "${NAMES[@]}"
  load getDomainKeys "$Z" "$conns" "$DURATION"
  load getAllDomainMetadata "$Z" "$conns" "$DURATION"
done
