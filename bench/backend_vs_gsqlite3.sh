#!/usr/bin/env bash
# backend_vs_gsqlite3.sh - queries per second of pdns_server + scaidns-backend beside
# pdns_server + gsqlite3 and pdns_server + bind (in memory, keys in its sqlite3 DNSSEC db):
# the same zone, algorithm 13, signed answers (DO bit), the same pdns.conf settings for all
# three, measured A B C A B C in the same run, for three cache configurations:
#   caches-off         cache-ttl, query-cache-ttl, negquery-cache-ttl, dnssec-key-cache-ttl
#                      and zone-metadata-cache-ttl all 0
#   packet-caches-off  only the first three 0 (key and metadata caches on)
#   default            PowerDNS's defaults
# It also reports, for scaidns-backend, the CPU it used and the remote calls PowerDNS made
# per query (the backend is restarted for each run and logs its request count at stop).
#
#   bench/backend_vs_gsqlite3.sh [BUILD_BIN_DIR] [SECONDS] [ROUNDS]
#   env: DISTRIBUTOR_THREADS (2), CONFIGS ("caches-off packet-caches-off default"),
#        BACKENDS ("remote gsqlite3 bind")
#
# Everything runs on 127.0.0.1 with ports picked at run time; every process is stopped at
# exit. Needs pdns-backend-sqlite3, pdns-backend-bind, pdns-backend-remote, dnsperf, sqlite3.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
export SCAIDNS_BIN=${1:-$SRC/build/bin}
export SCAIDNS_SRC=$SRC
DURATION=${2:-10}
ROUNDS=${3:-2}
THREADS=${DISTRIBUTOR_THREADS:-2}
CONFIGS=${CONFIGS:-caches-off packet-caches-off default}
BACKENDS=${BACKENDS:-remote gsqlite3 bind}
. "$SRC/test/integration/lib/pdns.sh"
. "$SRC/test/integration/lib/signed_zone.sh"
pdns_init
Z=bench.test.
sd_conf
ctl init >/dev/null
make_signed_zone "$Z" 13 nsec
ctl dnssec confirm-ds "$Z" >/dev/null

# The same zone in gsqlite3, signed by pdnsutil with the same algorithm.
sqlite3 "$T/pdns.sqlite3" </usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql
test_zone_file "$T/bench.zone"
mkdir -p "$T/gsql" "$T/bind"
GSQL=("launch=gsqlite3" "gsqlite3-database=$T/pdns.sqlite3" "gsqlite3-dnssec=yes")
printf '%s\n' "${GSQL[@]}" >"$T/gsql/pdns.conf"
pdnsutil --config-dir="$T/gsql" load-zone "$Z" "$T/bench.zone" >/dev/null 2>&1
pdnsutil --config-dir="$T/gsql" secure-zone "$Z" >/dev/null 2>&1
pdnsutil --config-dir="$T/gsql" rectify-zone "$Z" >/dev/null 2>&1

# And in the bind backend (records in memory), keys in its DNSSEC database.
printf 'zone "%s" { type master; file "%s"; };\n' "${Z%.}" "$T/bench.zone" >"$T/named.conf"
BIND=("launch=bind" "bind-config=$T/named.conf" "bind-dnssec-db=$T/bind-dnssec.sqlite3")
printf '%s\n' "${BIND[@]}" >"$T/bind/pdns.conf"
pdnsutil --config-dir="$T/bind" create-bind-db "$T/bind-dnssec.sqlite3" >/dev/null 2>&1
pdnsutil --config-dir="$T/bind" secure-zone "$Z" >/dev/null 2>&1

# Queries: positive, wildcard, NXDOMAIN, NODATA, DNSKEY, SOA, referral.
for name in www mail ns1 www host.wild nope.nope other; do echo "$name.$Z A"; done >"$T/queries"
{ echo "www.$Z AAAA"; echo "www.$Z TXT"; echo "$Z DNSKEY"; echo "$Z SOA"; echo "x.sub.$Z A"; } >>"$T/queries"

conf_lines() { # CONFIG -> the pdns.conf lines of that cache configuration
  case $1 in
  caches-off) echo cache-ttl=0 query-cache-ttl=0 negquery-cache-ttl=0 dnssec-key-cache-ttl=0 \
    zone-metadata-cache-ttl=0 ;;
  packet-caches-off) echo cache-ttl=0 query-cache-ttl=0 negquery-cache-ttl=0 ;;
  default) echo ;;
  esac
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
completed() { awk '/Queries completed/ { print $3 }' "$1"; }

# run CONFIG BACKEND ROUND -> one result line, also appended to $T/results
run() {
  local cfg=$1 kind=$2 round=$3 port lines=()
  port=$(free_port)
  case $kind in
  gsqlite3) lines=("${GSQL[@]}") ;;
  bind) lines=("${BIND[@]}") ;;
  remote)
    : >"$T/backend.log"
    backend_start --log-level=info ;;
  esac
  # shellcheck disable=SC2046
  pdns_conf "$port" "distributor-threads=$THREADS" "${lines[@]}" $(conf_lines "$cfg")
  [ "$kind" = remote ] || sed -i '/^remote-/d; /^launch=remote$/d' "$T/pdns/pdns.conf"
  pdns_start
  dnsperf -s 127.0.0.1 -p "$port" -d "$T/queries" -D -l 2 -c 4 -q 64 >"$T/warm" 2>&1 || true
  local t0=0 t1=0 hz
  hz=$(getconf CLK_TCK)
  [ "$kind" = remote ] && t0=$(cpu_ticks "$BACKEND_PID")
  dnsperf -s 127.0.0.1 -p "$port" -d "$T/queries" -D -l "$DURATION" -c 4 -q 64 >"$T/perf" 2>&1
  [ "$kind" = remote ] && t1=$(cpu_ticks "$BACKEND_PID")
  pdns_stop
  local qps cpu=- calls=-
  qps=$(awk '/Queries per second/ { print int($4) }' "$T/perf")
  if [ "$kind" = remote ]; then
    cpu=$(((t1 - t0) * 100 / hz / DURATION))
    kill "$BACKEND_PID"
    wait "$BACKEND_PID" 2>/dev/null || true
    local reqs
    reqs=$(awk '/stopped after/ { print $5 }' "$T/backend.log")
    calls=$(awk -v r="${reqs:-0}" -v a="$(completed "$T/warm")" -v b="$(completed "$T/perf")" \
      'BEGIN { printf "%.1f", r / (a + b) }')
  fi
  printf '%-18s %-9s round %s %8s qps  backend CPU %4s%%  remote calls/query %s\n' \
    "$cfg" "$kind" "$round" "$qps" "$cpu" "$calls"
  echo "$cfg $kind $round $qps $cpu $calls" >>"$T/results"
}

echo "zone $Z, algorithm 13, NSEC, $(wc -l <"$T/queries") query kinds," \
  "dnsperf -D -c 4 -q 64 -l $DURATION, distributor-threads=$THREADS, $ROUNDS rounds"
: >"$T/results"
for round in $(seq "$ROUNDS"); do
  for cfg in $CONFIGS; do
    for kind in $BACKENDS; do run "$cfg" "$kind" "$round"; done
  done
done

# The ratio table: per round, then the mean and the spread (lowest-highest) over rounds.
echo
echo "| configuration | scaidns QPS | gsqlite3 QPS | bind QPS | scaidns/gsqlite3 | scaidns/bind | calls/query |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
for cfg in $CONFIGS; do
  awk -v cfg="$cfg" '
    $1 == cfg { q[$2, $3] = $4; if ($2 == "remote") calls = $6; if ($3 > n) n = $3 }
    function stats(a, b,    r, i, s, lo, hi, m) {
      lo = 1e9; hi = 0; s = 0; m = 0
      for (i = 1; i <= n; i++) if (q[b, i] > 0) { r = q[a, i] / q[b, i]; s += r; m++
        if (r < lo) lo = r; if (r > hi) hi = r }
      return m ? sprintf("%.2f (%.2f-%.2f)", s / m, lo, hi) : "-"
    }
    function list(k,    i, s) { s = ""; for (i = 1; i <= n; i++) s = s (i > 1 ? " / " : "") q[k, i]; return s }
    END { printf "| %s | %s | %s | %s | %s | %s | %s |\n", cfg, list("remote"), list("gsqlite3"),
          list("bind"), stats("remote", "gsqlite3"), stats("remote", "bind"), calls }' "$T/results"
done
