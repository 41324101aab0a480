#!/usr/bin/env bash
# backend_callgrind.sh - user-space instructions per request of scaidns-backend against the
# zero-cost backend (bench/zerocost_backend.c), counted by valgrind's callgrind: a figure that
# does not move with the machine's load, unlike CPU time. Kernel time (the read, send and
# epoll_wait of each round trip, the same for both) is not counted.
#
#   bench/backend_callgrind.sh [BUILD_BIN_DIR] [SECONDS]
#
# On the benchmark zone of backend_vs_gsqlite3.sh, the load tool (scaidns-bench-backend-load,
# one connection) asks lookup over 8 names (apex, names, wildcard, ENT, nonexistent), then
# getDomainKeys, then getAllDomainMetadata, SECONDS each; first through the zero-cost
# backend's recording proxy (its table), then against each backend under callgrind, counting
# only inside the serving loop (sb_server_run; the zero-cost backend's main, whose start-up is
# reading its table of a few dozen lines): the backend's start-up is left out.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
export SCAIDNS_BIN=${1:-$SRC/build/bin}
export SCAIDNS_SRC=$SRC
DURATION=${2:-3}
LOAD=$SCAIDNS_BIN/scaidns-bench-backend-load
ZEROCOST=$SCAIDNS_BIN/scaidns-bench-zerocost
command -v valgrind >/dev/null || { echo "SKIP: valgrind not installed"; exit 0; }
. "$SRC/test/integration/lib/pdns.sh"
. "$SRC/test/integration/lib/signed_zone.sh"
pdns_init
Z=bench.test.
sd_conf
ctl init >/dev/null
make_signed_zone "$Z" 13 nsec
NAMES=("$Z" "www.$Z" "mail.$Z" "*.wild.$Z" "host.wild.$Z" "b.$Z" "nope.$Z" "sub.$Z")
wait_sock() { for _ in $(seq 600); do [ -S "$1" ] && return 0; sleep 0.1; done; echo "FAIL: no $1"; exit 1; }
mix() { # SOCKET SECONDS: the three request kinds; prints the requests answered
  local n=0 out
  for m in lookup getDomainKeys getAllDomainMetadata; do
    if [ "$m" = lookup ]; then out=$("$LOAD" "$1" lookup "$Z" 1 "$2" "${NAMES[@]}")
    else out=$("$LOAD" "$1" "$m" "$Z" 1 "$2"); fi
    n=$((n + $(sed 's/.*requests=\([0-9]*\).*/\1/' <<<"$out")))
  done
  echo "$n"
}

backend_start
"$ZEROCOST" record "$T/zc.table" "$T/zc.sock" "$T/backend.sock" 2>>"$T/zc.log" &
rec=$!
PIDS+=("$rec")
wait_sock "$T/zc.sock"
mix "$T/zc.sock" 1 >/dev/null
kill "$rec" "$BACKEND_PID"
wait "$rec" "$BACKEND_PID" 2>/dev/null || true

# count NAME FUNCTION SOCKET CMD...: runs CMD under callgrind, the mix against it; prints
# "NAME requests instructions".
count() {
  local name=$1 fn=$2 sock=$3; shift 3
  rm -f "$sock"
  valgrind --tool=callgrind --collect-atstart=no --toggle-collect="$fn" \
    --callgrind-out-file="$T/cg.$name" "$@" 2>>"$T/cg.log" &
  local pid=$!
  PIDS+=("$pid")
  wait_sock "$sock"
  local n
  n=$(mix "$sock" "$DURATION")
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  echo "$name $n $(awk '/^summary:|^totals:/ { print $2; exit }' "$T/cg.$name")"
}
{
  count scaidns-backend sb_server_run "$T/backend.sock" "$BIN/scaidns-backend" --config "$T/scaidns.conf"
  count zero-cost main "$T/zc.sock" "$ZEROCOST" serve "$T/zc.table" "$T/zc.sock"
} >"$T/counts"
awk '{ ipr[$1] = $3 / $2; printf "%-16s %7d requests %12d instructions %8.0f per request\n", $1, $2, $3, $3 / $2 }
  END { printf "scaidns-backend / zero-cost: %.2f\n", ipr["scaidns-backend"] / ipr["zero-cost"] }' "$T/counts"
