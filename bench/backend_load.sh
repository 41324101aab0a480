#!/usr/bin/env bash
# backend_load.sh - scaidns-backend alone (no PowerDNS): lookup, getDomainKeys and
# getAllDomainMetadata per second and their latency percentiles over the Unix socket, with
# 1 and 8 connections, on the benchmark zone of backend_vs_gsqlite3.sh.
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
for conns in 1 8; do
  "$LOAD" "$T/backend.sock" lookup "$Z" "$conns" "$DURATION" "${NAMES[@]}"
  "$LOAD" "$T/backend.sock" getDomainKeys "$Z" "$conns" "$DURATION"
  "$LOAD" "$T/backend.sock" getAllDomainMetadata "$Z" "$conns" "$DURATION"
done
