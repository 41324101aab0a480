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
# Besides gsqlite3 and bind, two more stores run in the same rounds (BACKENDS):
#   zerocost     launch=remote against scaidns-bench-zerocost (bench/zerocost_backend.c): it
#                answers every request from a table of replies recorded from scaidns-backend
#                at the start of the run, and does nothing else: the limit of any remote
#                backend. Reported against scaidns-backend as QPS and as backend CPU per call.
#   ko-gsqlite3  keys-only mode, launch=remote,gsqlite3: the records in gsqlite3 (the same
#                zone, its keys deleted), the keys in a second scaidns keystore
#                (zone create --keys-only, dnssec enable) served by a second scaidns-backend.
#   ko-bind      keys-only mode, launch=bind,remote with bind-hybrid (which needs the zone
#                cache off), the records in bind, the keys from that second backend.
#   remote@N     scaidns-backend with backend-threads=N (the others: BACKEND_THREADS, by
#                default chosen by core count), e.g. BACKENDS="remote remote@4 zerocost".
# Keys-only is compared with the same record backend holding its own keys (pdnsutil
# secure-zone): gsqlite3 and bind above.
#
#   bench/backend_vs_gsqlite3.sh [BUILD_BIN_DIR] [SECONDS] [ROUNDS]
#   env: DISTRIBUTOR_THREADS (2), CONFIGS ("caches-off packet-caches-off default"),
#        BACKENDS ("remote zerocost gsqlite3 bind ko-gsqlite3 ko-bind"), ZONES (1),
#        QUERIED_ZONES (1000),
#        ZONE_CACHE (on; off above 5,000 zones, see below)
# With ZONES > 1 every store also holds ZONES - 1 copies of the zone (zNNNNNN.bench.), the
# first QUERIED_ZONES of them signed (scaidns: scaidnsctl dnssec enable, as users do;
# gsqlite3 and bind: the benchmark zone's keys copied, which PowerDNS does not mind), and the
# queries are spread over those signed copies.
# PowerDNS fills its zone cache with one getAllDomains call; through the remote backend the
# reply for 100,000 zones is about 13 MB, which PowerDNS reads 1,500 bytes at a time,
# re-parsing the whole buffer after each read: far past its 2-second timeout, after which
# it gives up and exits. So above 5,000 zones the zone cache is switched off
# (zone-cache-refresh-interval=0) for all three backends, and PowerDNS finds each query's
# zone with SOA lookups instead.
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
ZONES=${ZONES:-1}
QZ=${QUERIED_ZONES:-1000}
[ "$QZ" -lt "$ZONES" ] || QZ=$((ZONES - 1))
ZONE_CACHE=${ZONE_CACHE:-$([ "$ZONES" -le 5000 ] && echo on || echo off)}
COMMON=()
[ "$ZONE_CACHE" = on ] || COMMON=("zone-cache-refresh-interval=0")
CONFIGS=${CONFIGS:-caches-off packet-caches-off default}
BACKENDS=${BACKENDS:-remote zerocost gsqlite3 bind ko-gsqlite3 ko-bind}
ZEROCOST=${ZEROCOST:-$SCAIDNS_BIN/scaidns-bench-zerocost}
. "$SRC/test/integration/lib/pdns.sh"
. "$SRC/test/integration/lib/signed_zone.sh"
pdns_init
Z=bench.test.
sd_conf
ctl init >/dev/null
make_signed_zone "$Z" 13 nsec

# The same zone in gsqlite3, signed by pdnsutil with the same algorithm and, like scaidns's
# zone, a KSK and a ZSK (pdnsutil's default would be one combined key: with the key cache off
# PowerDNS parses every key of the zone on every query, so the key count must match).
sqlite3 "$T/pdns.sqlite3" </usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql
test_zone_file "$T/bench.zone"
mkdir -p "$T/gsql" "$T/bind"
GSQL=("launch=gsqlite3" "gsqlite3-database=$T/pdns.sqlite3" "gsqlite3-dnssec=yes")
KEYS=("default-ksk-algorithm=ecdsa256" "default-zsk-algorithm=ecdsa256")
printf '%s\n' "${GSQL[@]}" "${KEYS[@]}" >"$T/gsql/pdns.conf"
pdnsutil --config-dir="$T/gsql" load-zone "$Z" "$T/bench.zone" >/dev/null 2>&1
pdnsutil --config-dir="$T/gsql" secure-zone "$Z" >/dev/null 2>&1
pdnsutil --config-dir="$T/gsql" rectify-zone "$Z" >/dev/null 2>&1

# And in the bind backend (records in memory), keys in its DNSSEC database.
printf 'zone "%s" { type master; file "%s"; };\n' "${Z%.}" "$T/bench.zone" >"$T/named.conf"
BIND=("launch=bind" "bind-config=$T/named.conf" "bind-dnssec-db=$T/bind-dnssec.sqlite3")
printf '%s\n' "${BIND[@]}" "${KEYS[@]}" >"$T/bind/pdns.conf"
pdnsutil --config-dir="$T/bind" create-bind-db "$T/bind-dnssec.sqlite3" >/dev/null 2>&1
pdnsutil --config-dir="$T/bind" secure-zone "$Z" >/dev/null 2>&1
for d in gsql bind; do
  n=$(pdnsutil --config-dir="$T/$d" list-keys "$Z" 2>/dev/null | grep -cE '^\S+ +(KSK|ZSK) ') || true
  [ "$n" = 2 ] || { echo "FAIL: $d zone has $n keys, not a KSK and a ZSK"; exit 1; }
done

# Keys-only mode: a second keystore holds the zone as keys-only (a KSK and a ZSK, no records),
# served by a second scaidns-backend on its own socket; the records come from gsqlite3 (a copy
# of the database above without its keys) or from bind (bind-hybrid, no DNSSEC db).
sed "s|^db=.*|db=$T/ko.db|; s|^seal-key=.*|seal-key=$T/ko-seal.key|; s|^backend-socket=.*|backend-socket=$T/ko.sock|" \
  "$T/scaidns.conf" >"$T/ko.conf"
"$SCAIDNSCTL" --config "$T/ko.conf" init >/dev/null
"$SCAIDNSCTL" --config "$T/ko.conf" zone create "$Z" --keys-only >/dev/null
"$SCAIDNSCTL" --config "$T/ko.conf" dnssec enable "$Z" --algorithm 13 >/dev/null
cp "$T/pdns.sqlite3" "$T/ko-pdns.sqlite3"
sqlite3 "$T/ko-pdns.sqlite3" "DELETE FROM cryptokeys; DELETE FROM domainmetadata;"
KO_GSQL=("launch=remote,gsqlite3" "gsqlite3-database=$T/ko-pdns.sqlite3" "gsqlite3-dnssec=yes")
KO_BIND=("launch=bind,remote" "bind-config=$T/named.conf" "bind-hybrid=yes"
  "zone-cache-refresh-interval=0") # bind-hybrid refuses to start with the zone cache on

# Queries: positive, wildcard, NXDOMAIN, NODATA, DNSKEY, SOA, referral.
for name in www mail ns1 www host.wild nope.nope other; do echo "$name.$Z A"; done >"$T/queries"
{ echo "www.$Z AAAA"; echo "www.$Z TXT"; echo "$Z DNSKEY"; echo "$Z SOA"; echo "x.sub.$Z A"; } >>"$T/queries"

# many_zones: the ZONES - 1 copies in all three stores and the queries spread over them.
many_zones() {
  local src_id t0
  t0=$(date +%s)
  src_id=$(sqlite3 "$T/scaidns.db" "SELECT id FROM zones WHERE name = '$Z'")
  sqlite3 "$T/scaidns.db" <<SQL
PRAGMA foreign_keys = ON;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $((ZONES - 1)))
INSERT INTO zones(public_id, name, created_at, updated_at)
  SELECT printf('d_%016x', 4096 + i), printf('z%06d.bench.', i), 0, 0 FROM n;
INSERT INTO rrsets(zone_id, name, type, ttl)
  SELECT z.id, replace(r.name, '$Z', z.name), r.type, r.ttl FROM zones z, rrsets r
  WHERE z.name LIKE 'z%.bench.' AND r.zone_id = $src_id;
INSERT INTO records(rrset_id, content)
  SELECT r2.id, replace(c.content, '$Z', z.name) FROM zones z
  JOIN rrsets r2 ON r2.zone_id = z.id
  JOIN rrsets r1 ON r1.zone_id = $src_id AND r1.type = r2.type
    AND replace(r1.name, '$Z', z.name) = r2.name
  JOIN records c ON c.rrset_id = r1.id
  WHERE z.name LIKE 'z%.bench.';
COMMIT;
SQL
  local i
  for i in $(seq "$QZ"); do ctl dnssec enable "$(printf 'z%06d.bench.' "$i")" --algorithm 13 >/dev/null; done
  echo "scaidns keystore: $ZONES zones, $QZ signed, in $(($(date +%s) - t0)) s"
  local g=${Z%.}
  sqlite3 "$T/pdns.sqlite3" <<SQL
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $((ZONES - 1)))
INSERT INTO domains(name, type) SELECT printf('z%06d.bench', i), 'NATIVE' FROM n;
INSERT INTO records(domain_id, name, type, content, ttl, prio, disabled, ordername, auth)
  SELECT d.id, replace(r.name, '$g', d.name), r.type, replace(r.content, '$g', d.name), r.ttl,
         r.prio, r.disabled, r.ordername, r.auth
  FROM domains d, records r
  WHERE d.name LIKE 'z%.bench' AND r.domain_id = (SELECT id FROM domains WHERE name = '$g');
INSERT INTO cryptokeys(domain_id, flags, active, published, content)
  SELECT d.id, k.flags, k.active, k.published, k.content FROM domains d, cryptokeys k
  WHERE d.name LIKE 'z%.bench' AND d.name <= printf('z%06d.bench', $QZ)
    AND k.domain_id = (SELECT id FROM domains WHERE name = '$g');
COMMIT;
SQL
  for i in $(seq "$((ZONES - 1))"); do
    printf 'zone "z%06d.bench" { type master; file "%s"; };\n' "$i" "$T/bench.zone"
  done >>"$T/named.conf"
  sqlite3 "$T/bind-dnssec.sqlite3" <<SQL
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $QZ)
INSERT INTO cryptokeys(domain, flags, active, published, content)
  SELECT printf('z%06d.bench', n.i), k.flags, k.active, k.published, k.content
  FROM n, cryptokeys k WHERE k.domain = '$g';
SQL
  local q
  cp "$T/queries" "$T/queries.one"
  for i in $(seq "$QZ"); do
    q=$(printf 'z%06d.bench.' "$i")
    sed "s/$Z/$q/" "$T/queries.one"
  done >"$T/queries"
}

conf_lines() { # CONFIG -> the pdns.conf lines of that cache configuration
  case $1 in
  caches-off) echo cache-ttl=0 query-cache-ttl=0 negquery-cache-ttl=0 dnssec-key-cache-ttl=0 \
    zone-metadata-cache-ttl=0 ;;
  packet-caches-off) echo cache-ttl=0 query-cache-ttl=0 negquery-cache-ttl=0 ;;
  default) echo ;;
  esac
}

# Like pdns_start, but waits up to 10 minutes: with 100,000 zones the bind backend takes
# a while to load them before it answers.
pdns_start_wait() {
  pdns_server --config-dir="$T/pdns" >>"$T/pdns.log" 2>&1 &
  PIDS+=($!)
  PDNS_PID=$!
  for _ in $(seq 6000); do
    dig @127.0.0.1 -p "$PORT" +time=1 +tries=1 +short version.bind CH TXT >/dev/null 2>&1 && return 0
    kill -0 "$PDNS_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "FAIL: pdns_server did not start"; tail -30 "$T/pdns.log"; return 1
}

# CPU time a process has used so far, in nanoseconds: the sum of its threads' schedstat
# (user + system; pdns_server's threads and the backend's live as long as the process).
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f", s }'; }
completed() { awk '/Queries completed/ { print $3 }' "$1"; }

# Starts what serves the remote backend's socket for KIND: scaidns-backend (remote), the
# zero-cost backend (zerocost) or the keys-only keystore's scaidns-backend (ko-*). Sets
# SERVER_PID and SERVER_LOG; returns 1 for stores without a remote part.
server_start() {
  case $1 in
  remote | remote@*) # remote@N: with backend-threads=N (else BACKEND_THREADS, or by cores)
    local threads=${BACKEND_THREADS:-0}
    [ "$1" = remote ] || threads=${1#remote@}
    : >"$T/backend.log"
    backend_start --log-level=info --backend-threads="$threads"
    SERVER_PID=$BACKEND_PID SERVER_LOG=$T/backend.log ;;
  ko-*)
    : >"$T/ko-backend.log"
    "$BIN/scaidns-backend" --config "$T/ko.conf" --log-level=info \
      --backend-threads="${BACKEND_THREADS:-0}" 2>>"$T/ko-backend.log" &
    SERVER_PID=$! SERVER_LOG=$T/ko-backend.log ;;
  zerocost)
    : >"$T/zc.log"
    "$ZEROCOST" serve "$T/zc.table" "$T/zc.sock" 2>>"$T/zc.log" &
    SERVER_PID=$! SERVER_LOG=$T/zc.log ;;
  *) return 1 ;;
  esac
  PIDS+=("$SERVER_PID")
  local sock
  sock=$(server_sock "$1")
  for _ in $(seq 100); do [ -S "$sock" ] && return 0; sleep 0.1; done
  echo "FAIL: no server on $sock for $1"; cat "$SERVER_LOG"; exit 1
}
server_sock() {
  case $1 in remote | remote@*) echo "$T/backend.sock" ;; ko-*) echo "$T/ko.sock" ;; zerocost) echo "$T/zc.sock" ;; esac
}
# Requests the stopped server answered, from its last log line.
server_requests() {
  awk '/stopped after/ { n = $5 } /zerocost: served/ { n = $3 } END { print n + 0 }' "$SERVER_LOG"
}

# The zero-cost backend's table: every request PowerDNS makes for the benchmark's queries,
# with scaidns-backend's reply, recorded through the proxy mode in the configuration that makes
# the most calls (every cache off), then with PowerDNS's default caches.
record_zerocost() {
  [ -x "$ZEROCOST" ] || { echo "FAIL: $ZEROCOST not built"; exit 1; }
  : >"$T/zc.table"
  backend_start
  "$ZEROCOST" record "$T/zc.table" "$T/zc.sock" "$T/backend.sock" 2>>"$T/zc.log" &
  local rec=$! cfg port
  PIDS+=("$rec")
  for _ in $(seq 100); do [ -S "$T/zc.sock" ] && break; sleep 0.1; done
  for cfg in caches-off default; do
    port=$(free_port)
    # shellcheck disable=SC2046
    pdns_conf "$port" "distributor-threads=$THREADS" "${COMMON[@]}" $(conf_lines "$cfg")
    sed -i "s|^remote-connection-string=.*|remote-connection-string=unix:path=$T/zc.sock|" "$T/pdns/pdns.conf"
    pdns_start_wait
    dnsperf -s 127.0.0.1 -p "$port" -d "$T/queries" -D -l 2 -c 4 -q 64 >/dev/null 2>&1 || true
    pdns_stop
  done
  kill "$rec" "$BACKEND_PID"
  wait "$rec" "$BACKEND_PID" 2>/dev/null || true
  echo "zero-cost table: $(($(wc -l <"$T/zc.table") / 2)) distinct requests recorded from scaidns-backend"
}

# run CONFIG BACKEND ROUND -> one result line, also appended to $T/results
run() {
  local cfg=$1 kind=$2 round=$3 port lines=() remote=0
  port=$(free_port)
  server_start "$kind" && remote=1
  case $kind in
  gsqlite3) lines=("${GSQL[@]}") ;;
  bind) lines=("${BIND[@]}") ;;
  ko-gsqlite3) lines=("${KO_GSQL[@]}") ;;
  ko-bind) lines=("${KO_BIND[@]}") ;;
  esac
  # shellcheck disable=SC2046
  pdns_conf "$port" "distributor-threads=$THREADS" "${COMMON[@]}" "${lines[@]}" $(conf_lines "$cfg")
  if [ "$remote" = 1 ]; then
    sed -i "s|^remote-connection-string=.*|remote-connection-string=unix:path=$(server_sock "$kind")|" "$T/pdns/pdns.conf"
    case $kind in ko-*) sed -i '/^launch=remote$/d' "$T/pdns/pdns.conf" ;; esac
  else
    sed -i '/^remote-/d; /^direct-dnskey=/d; /^launch=remote$/d' "$T/pdns/pdns.conf"
  fi
  pdns_start_wait
  local probe # every store must sign what it serves, or the comparison means nothing
  read -r -a probe <"$T/queries"
  q "${probe[@]}" +dnssec | grep -q 'RRSIG' || { echo "FAIL: $kind serves ${probe[*]} unsigned"; exit 1; }
  dnsperf -s 127.0.0.1 -p "$port" -d "$T/queries" -D -l 2 -c 4 -q 64 >"$T/warm" 2>&1 || true
  local t0=0 t1=0 p0 p1
  [ "$remote" = 1 ] && t0=$(cpu_ns "$SERVER_PID")
  p0=$(cpu_ns "$PDNS_PID")
  dnsperf -s 127.0.0.1 -p "$port" -d "$T/queries" -D -l "$DURATION" -c 4 -q 64 >"$T/perf" 2>&1
  p1=$(cpu_ns "$PDNS_PID")
  [ "$remote" = 1 ] && t1=$(cpu_ns "$SERVER_PID")
  pdns_stop
  local qps cpu=- calls=- percall=-
  qps=$(awk '/Queries per second/ { print int($4) }' "$T/perf")
  # pdns_server's own CPU per query (user + system, microseconds): with a backend that cost
  # nothing, QPS could not exceed what this allows.
  local pus
  pus=$(awk -v d=$((p1 - p0)) -v n="$(completed "$T/perf")" 'BEGIN { printf "%.0f", n ? d / 1e3 / n : 0 }')
  if [ "$remote" = 1 ]; then
    cpu=$(((t1 - t0) / 10000000 / DURATION))
    [ "$kind" = remote ] && echo "scaidns-backend RSS after the $cfg run: $(awk '/VmRSS/ { print $2, $3 }' "/proc/$SERVER_PID/status")" >>"$T/rss"
    kill "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    local reqs
    reqs=$(server_requests)
    calls=$(awk -v r="$reqs" -v a="$(completed "$T/warm")" -v b="$(completed "$T/perf")" \
      'BEGIN { printf "%.1f", r / (a + b) }')
    # The backend's CPU per call during the measurement: its CPU time over the calls of the
    # measured queries (calls per query x queries).
    percall=$(awk -v d=$((t1 - t0)) -v c="$calls" -v n="$(completed "$T/perf")" \
      'BEGIN { printf "%.2f", (c * n > 0) ? d / 1e3 / (c * n) : 0 }')
    if [ "$kind" = zerocost ] && ! grep -q ' 0 misses' "$SERVER_LOG"; then
      echo "WARNING: the zero-cost backend missed requests: $(tail -1 "$SERVER_LOG")"
    fi
  fi
  printf '%-18s %-11s round %s %8s qps  pdns CPU %5s us/query  backend CPU %4s%%  calls/query %-4s  backend %6s us/call  %s\n' \
    "$cfg" "$kind" "$round" "$qps" "$pus" "$cpu" "$calls" "$percall" \
    "$(sed -n 's/^ *Response codes: *//p' "$T/perf")"
  echo "$cfg $kind $round $qps $cpu $calls $pus $percall" >>"$T/results"
}

[ "$ZONES" -gt 1 ] && many_zones
echo "$ZONES zones, queries over $([ "$ZONES" -gt 1 ] && echo "$QZ" || echo 1) of them;" \
  "algorithm 13, NSEC, $(wc -l <"$T/queries") queries," \
  "dnsperf -D -c 4 -q 64 -l $DURATION, distributor-threads=$THREADS, zone cache $ZONE_CACHE," \
  "$ROUNDS rounds"
: >"$T/results"
: >"$T/rss"
case " $BACKENDS " in *" zerocost "*) record_zerocost ;; esac
for round in $(seq "$ROUNDS"); do
  for cfg in $CONFIGS; do
    for kind in $BACKENDS; do run "$cfg" "$kind" "$round"; done
  done
done

cat "$T/rss"
# ratio_table TITLE A B [C D ...]: for each configuration, the QPS of each round of the stores
# named, then for each pair (A B, C D, ...) the mean of A/B over the rounds and the spread
# (lowest-highest). Only stores of this run appear.
ratio_table() {
  local head=$1; shift
  local k
  for k in "$@"; do case " $BACKENDS " in *" $k "*) ;; *) return 0 ;; esac; done
  echo
  echo "$head"
  awk -v kinds="$*" -v cfgs="$CONFIGS" '
    { q[$1, $2, $3] = $4; if ($3 > n) n = $3 }
    function stats(c, a, b,    r, i, s, lo, hi, m) {
      lo = 1e9; hi = 0; s = 0; m = 0
      for (i = 1; i <= n; i++) if (q[c, b, i] > 0) { r = q[c, a, i] / q[c, b, i]; s += r; m++
        if (r < lo) lo = r; if (r > hi) hi = r }
      return m ? sprintf("%.2f (%.2f-%.2f)", s / m, lo, hi) : "-"
    }
    function list(c, k,    i, s) { s = ""; for (i = 1; i <= n; i++) s = s (i > 1 ? " / " : "") q[c, k, i]; return s }
    END {
      nk = split(kinds, k, " "); nc = split(cfgs, cf, " ")
      h = "| configuration |"; d = "| --- |"
      for (j = 1; j <= nk; j++) if (!(k[j] in shown)) { shown[k[j]]; h = h " " k[j] " QPS |"; d = d " ---: |" }
      for (j = 1; j < nk; j += 2) { h = h " " k[j] "/" k[j + 1] " |"; d = d " ---: |" }
      print h; print d
      for (i = 1; i <= nc; i++) {
        line = "| " cf[i] " |"
        delete done
        for (j = 1; j <= nk; j++) if (!(k[j] in done)) { done[k[j]]; line = line " " list(cf[i], k[j]) " |" }
        for (j = 1; j < nk; j += 2) line = line " " stats(cf[i], k[j], k[j + 1]) " |"
        print line
      }
    }' "$T/results"
}
ratio_table "scaidns-backend (full mode) against gsqlite3 and bind:" remote gsqlite3 remote bind
ratio_table "Keys-only mode against the same record backend with its own keys:" \
  ko-gsqlite3 gsqlite3 ko-bind bind
ratio_table "scaidns-backend against the zero-cost remote backend (QPS):" remote zerocost
for k in $BACKENDS; do
  case $k in remote@*) ratio_table "scaidns-backend with backend-threads=${k#remote@} against the default:" "$k" remote ;; esac
done

# Backend CPU per remote call (microseconds, user + system) of scaidns-backend and of the
# zero-cost backend, and their ratio per round (zero-cost / scaidns: 1.0 = scaidns-backend
# costs no more than answering from a table).
has() { case " $BACKENDS " in *" $1 "*) return 0 ;; esac; return 1; }
if has remote && has zerocost; then
  echo
  echo "Backend CPU per call, scaidns-backend against the zero-cost backend:"
  echo "| configuration | calls/query | scaidns us/call | zero-cost us/call | zero-cost/scaidns |"
  echo "| --- | ---: | ---: | ---: | ---: |"
  for cfg in $CONFIGS; do
    awk -v cfg="$cfg" '
      $1 == cfg && $2 == "remote" { a[$3] = $8; calls = $6; if ($3 > n) n = $3 }
      $1 == cfg && $2 == "zerocost" { b[$3] = $8 }
      END {
        lo = 1e9; hi = 0; s = 0; m = 0; la = ""; lb = ""
        for (i = 1; i <= n; i++) { la = la (i > 1 ? " / " : "") a[i]; lb = lb (i > 1 ? " / " : "") b[i]
          if (a[i] > 0 && b[i] > 0) { r = b[i] / a[i]; s += r; m++; if (r < lo) lo = r; if (r > hi) hi = r } }
        printf "| %s | %s | %s | %s | %s |\n", cfg, calls, la, lb,
          m ? sprintf("%.2f (%.2f-%.2f)", s / m, lo, hi) : "-"
      }' "$T/results"
  done
fi

# pdns_server's own CPU per query with each store. With scaidns the backend's work is in
# another process, so pdns_server's CPU per query with scaidns, against its CPU per query
# with gsqlite3 (SQLite's work included), bounds what any remote backend could reach on a
# CPU-bound machine: the "ceiling" column (1.0 = a free backend could match gsqlite3).
echo
echo "| configuration | pdns us/query, scaidns | zero-cost | gsqlite3 | bind | keys-only gsqlite3 | keys-only bind | ceiling vs gsqlite3 |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for cfg in $CONFIGS; do
  awk -v cfg="$cfg" '
    $1 == cfg && $7 > 0 { s[$2] += $7; n[$2]++ }
    function m(k) { return n[k] ? s[k] / n[k] : 0 }
    END { printf "| %s | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %s |\n", cfg, m("remote"), m("zerocost"),
          m("gsqlite3"), m("bind"), m("ko-gsqlite3"), m("ko-bind"),
          m("remote") && m("gsqlite3") ? sprintf("%.2f", m("gsqlite3") / m("remote")) : "-" }' "$T/results"
done
