#!/usr/bin/env bash
# api_load.sh - requests per second and latency percentiles (p50, p99) of scaidns-api under
# many concurrent clients (wrk), for:
#   GET   .../dnssec          (state of one signed zone)
#   POST  /api/v1/domains     (zone creation: the zones the next phase enables)
#   POST  .../dnssec/enable   (algorithm 13; every request a different zone)
# while pdns_server answers signed queries for another zone through scaidns-backend
# (dnsperf in the background), unless PDNS=0.
#
#   bench/api_load.sh [BUILD_BIN_DIR] [SECONDS] [CONNECTIONS]
#   env: API_THREADS (scaidns-api --threads, default 4), WRK_THREADS (2), PDNS (1),
#        DNS_QPS (dnsperf rate limit while the API is measured, default 2000)
#
# Everything runs on 127.0.0.1 with ports picked at run time; every process is stopped at
# exit. Needs wrk, curl, jq, sqlite3 (and pdns_server, pdns-backend-remote, dnsperf).
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
export SCAIDNS_BIN=${1:-$SRC/build/bin}
export SCAIDNS_SRC=$SRC
DURATION=${2:-10}
CONNS=${3:-64}
API_THREADS=${API_THREADS:-4}
WRK_THREADS=${WRK_THREADS:-2}
PDNS=${PDNS:-1}
DNS_QPS=${DNS_QPS:-2000}
command -v wrk >/dev/null || { echo "api_load: wrk is not installed (scripts/deps.sh)" >&2; exit 1; }
. "$SRC/test/integration/lib/pdns.sh"
pdns_init
sd_conf
ctl init >/dev/null
TOK=$(ctl token create --name bench \
  --scopes dnssec:read,dnssec:enable,dnssec:disable,dnssec:rotate,zones:read,zones:write)

API_PORT=$(free_port)
# wrk's CONNS connections all come from 127.0.0.1: lift the per-address connection limit.
"$BIN/scaidns-api" --config "$T/scaidns.conf" --api-listen="127.0.0.1:$API_PORT" \
  --threads="$API_THREADS" --per-ip-connections=0 2>"$T/api.log" &
PIDS+=($!)
URL=http://127.0.0.1:$API_PORT
for _ in $(seq 100); do curl -s -o /dev/null "$URL/healthz" && break; sleep 0.05; done
H="Authorization: Bearer $TOK"
curl -sf -H "$H" -d '{"name": "state.bench"}' "$URL/api/v1/domains" >/dev/null
curl -sf -H "$H" -X PUT -d '{"ttl": 300, "records": ["192.0.2.1"]}' \
  "$URL/api/v1/domains/state.bench/rrsets/www/A" >/dev/null
curl -sf -H "$H" -X POST "$URL/api/v1/domains/state.bench/dnssec/enable" >/dev/null

DNSPERF_PID=
if [ "$PDNS" = 1 ]; then
  backend_start
  pdns_conf "$(free_port)" zone-cache-refresh-interval=0
  pdns_start
  for _ in $(seq 500); do echo "www.state.bench. A"; echo "state.bench. DNSKEY"; done >"$T/queries"
  dnsperf -s 127.0.0.1 -p "$PORT" -d "$T/queries" -D -l 100000 -Q "$DNS_QPS" -c 4 \
    >"$T/dnsperf.log" 2>&1 &
  DNSPERF_PID=$!
  PIDS+=("$DNSPERF_PID")
  sleep 1
fi

# wrk Lua: each thread gets its own number (id) so that zone names never collide; with a
# limit table, a thread stops once it has used up its zones.
cat >"$T/bench.lua" <<'LUA'
local n = 0
local ids = 0
function setup(thread)
  ids = ids + 1
  thread:set("id", ids)
end
function init(args)
  mode = args[1]
  token = args[2]
  limit = tonumber(args[3] or "0")
  headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
end
function request()
  if mode == "state" then
    return wrk.format("GET", "/api/v1/domains/state.bench/dnssec", headers)
  end
  n = n + 1
  if mode == "create" then
    return wrk.format("POST", "/api/v1/domains", headers,
      string.format('{"name": "z%d-%d.bench"}', id, n))
  end
  if n > limit then -- out of zones: a cheap read while the thread winds down
    return wrk.format("GET", "/healthz", headers)
  end
  return wrk.format("POST", string.format("/api/v1/domains/z%d-%d.bench/dnssec/enable", id, n),
    headers, '{"algorithm": 13}')
end
function response(status, hdrs, body)
  if mode == "enable" and n >= limit then wrk.thread:stop() end
end
LUA

# run NAME MODE [LIMIT]: one wrk run; prints a result line and keeps wrk's output.
RESULTS=()
run() {
  local name=$1 mode=$2 limit=${3:-0} secs=${4:-$DURATION}
  wrk -t"$WRK_THREADS" -c"$CONNS" -d"${secs}s" --timeout 10s --latency -s "$T/bench.lua" \
    "$URL" -- "$mode" "$TOK" "$limit" >"$T/wrk-$mode.txt" 2>&1
  local rps p50 p99 non2xx
  rps=$(awk '/^Requests\/sec/ { print $2 }' "$T/wrk-$mode.txt")
  p50=$(awk '$1 == "50%" { print $2 }' "$T/wrk-$mode.txt")
  p99=$(awk '$1 == "99%" { print $2 }' "$T/wrk-$mode.txt")
  non2xx=$(awk '/Non-2xx/ { print $NF }' "$T/wrk-$mode.txt")
  RESULTS+=("$(printf '%-28s %10s req/s   p50 %9s   p99 %9s   non-2xx %s' "$name" "$rps" "$p50" "$p99" "${non2xx:-0}")")
}

run "GET .../dnssec" state
# twice as long as the others, so that the enable run cannot run out of zones
run "POST /api/v1/domains" create 0 $((2 * DURATION))
# zones each wrk thread created: z<id>-1 .. z<id>-N
LIMIT=$(sqlite3 "$T/scaidns.db" "SELECT min(c) FROM (SELECT count(*) AS c FROM zones
  WHERE name LIKE 'z%-%.bench.' GROUP BY substr(name, 1, instr(name, '-')))")
run "POST .../dnssec/enable (13)" enable "$LIMIT"
ENABLED=$(sqlite3 "$T/scaidns.db" "SELECT count(*) FROM keys WHERE role = 'KSK'")

echo "scaidns-api load: $CONNS connections, $WRK_THREADS wrk threads, ${DURATION}s a run, API threads $API_THREADS, $(nproc) CPUs"
if [ -n "$DNSPERF_PID" ]; then
  kill -INT "$DNSPERF_PID" 2>/dev/null || true
  wait "$DNSPERF_PID" 2>/dev/null || true
  echo "meanwhile pdns_server + scaidns-backend answered signed queries (dnsperf, limit $DNS_QPS/s):" \
    "$(awk '/Queries per second/ { print $4 }' "$T/dnsperf.log") q/s," \
    "$(awk '/Queries lost/ { print $3, $4 }' "$T/dnsperf.log") lost"
fi
printf '%s\n' "${RESULTS[@]}"
echo "zones with DNSSEC enabled during the enable run: $((ENABLED - 1)) of $((LIMIT * WRK_THREADS)) created$(
  [ $((ENABLED - 1)) -ge $((LIMIT * WRK_THREADS)) ] && echo ' (RAN OUT OF ZONES: the enable figure is low)')"
