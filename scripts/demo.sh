#!/usr/bin/env bash
# The main job: builds scaidns and runs, on loopback, pdns_server + scaidns-backend +
# scaidns-api with a demo zone; then, through the API with curl (each request and answer
# printed), creates the zone, adds records, enables DNSSEC, takes the DS, confirms it, rolls the
# ZSK and waits for the scheduler to finish the rollover; shows delv's validated answer at each
# stage. Ctrl-C stops everything. Safe to run again: it starts afresh in .demo/.
#   scripts/demo.sh          keep serving after the walk-through (Ctrl-C stops)
#   scripts/demo.sh --once   stop after the walk-through (for tests)
#   SCAIDNS_DEMO_BUILD=DIR   build directory (default build/; tests use their own)
#   SCAIDNS_DEMO_DIR=DIR     state directory (default .demo/)
# It builds only the three programs (-DSCAIDNS_BUILD_TESTS=OFF: no unit tests, test tools or
# benchmarks) and shows the progress of apt and of the build.
set -euo pipefail
cd "$(dirname "$0")/.."
ONCE=0
[ "${1:-}" = --once ] && ONCE=1
BUILD=${SCAIDNS_DEMO_BUILD:-build}
T0=$SECONDS
scripts/deps.sh
TAPT=$((SECONDS - T0))

# build_step LOG CMD...: runs CMD with its output in LOG, showing cmake's "[ NN%]" progress:
# on a terminal on one line, rewritten in place; otherwise a line each 10% and each program
# linked. On failure shows the end of LOG.
build_step() {
  local log=$1 last=-10 pct
  shift
  if ! "$@" 2>&1 | tee "$log" | while IFS= read -r line; do
    case "$line" in
      "["*"%] Built target"*) ;;
      "["*"%]"*)
        if [ -t 1 ]; then
          printf '\r\033[K  %.100s' "$line"
        else
          pct=${line#[}
          pct=${pct%%%*}
          pct=${pct// /}
          [[ "$pct" =~ ^[0-9]+$ ]] || continue
          if [ "$pct" -ge $((last + 10)) ] || [[ "$line" == *"Linking C executable"* ]]; then
            printf '  %s\n' "$line"
            last=$pct
          fi
        fi ;;
    esac
  done; then
    [ -t 1 ] && echo
    tail -40 "$log"
    echo "demo: the build failed (whole log: $log)" >&2
    exit 1
  fi
  if [ -t 1 ]; then printf '\r\033[K'; fi
  return 0
}
echo "demo: building scaidns-backend, scaidns-api and scaidnsctl in $BUILD/ (tests left out)"
mkdir -p "$BUILD"
build_step "$BUILD/demo-configure.log" cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSCAIDNS_BUILD_TESTS=OFF
build_step "$BUILD/demo-build.log" cmake --build "$BUILD" -j"$(nproc 2>/dev/null || echo 2)"
BIN=$(cd "$BUILD/bin" && pwd)
echo "demo: built in $((SECONDS - T0 - TAPT)) s (packages: $TAPT s)"

DEMO=${SCAIDNS_DEMO_DIR:-$PWD/.demo}
mkdir -p "$DEMO"
DEMO=$(cd "$DEMO" && pwd)
ZONE=demo.example.
PIDS=()
stop_all() {
  trap - EXIT
  [ ${#PIDS[@]} -eq 0 ] || kill "${PIDS[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  echo "stopped pdns_server, scaidns-backend and scaidns-api"
}
trap stop_all EXIT
trap 'exit 0' INT TERM
# A previous run that was not stopped cleanly may still hold .demo's sockets.
pkill -f "$DEMO/scaidns.conf" 2>/dev/null || true
pkill -f "config-dir=$DEMO/pdns" 2>/dev/null || true
rm -rf "$DEMO"
mkdir -p "$DEMO/pdns" "$DEMO/pdns-run"
chmod 700 "$DEMO"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
APORT=$(free_port)
# Short TTLs and delays so that the rollover finishes in seconds (production keeps the
# defaults of scaidns.conf.sample: hours).
cat >"$DEMO/scaidns.conf" <<CONF
db=$DEMO/scaidns.db
seal-key=$DEMO/seal.key
backend-socket=$DEMO/backend.sock
api-listen=127.0.0.1:$APORT
pdns-control-socket=$DEMO/pdns-run/pdns.controlsocket
pdns-address=127.0.0.1:$PORT
default-ns=ns1.demo.example.
default-soa-mail=hostmaster.demo.example.
scheduler-interval=1
policy-dnskey-ttl=5
policy-propagation-delay=2
policy-publish-safety=1
policy-retire-safety=1
CONF
cat >"$DEMO/pdns/pdns.conf" <<CONF
launch=remote
remote-connection-string=unix:path=$DEMO/backend.sock
remote-dnssec=yes
direct-dnskey=yes
local-address=127.0.0.1
local-port=$PORT
socket-dir=$DEMO/pdns-run
guardian=no
daemon=no
disable-syslog=yes
loglevel=4
security-poll-suffix=
cache-ttl=1
query-cache-ttl=1
negquery-cache-ttl=1
dnssec-key-cache-ttl=1
zone-metadata-cache-ttl=1
zone-cache-refresh-interval=0
CONF

say() {
  if [ -t 1 ]; then printf '\n\033[1m== %s\033[0m\n' "$*"; else printf '\n== %s\n' "$*"; fi
}
ctl() { "$BIN"/scaidnsctl --config "$DEMO/scaidns.conf" "$@"; }

say "keystore and API token"
# Every command printed below after "$ " can be pasted into another shell as it is, once
# TOKEN is exported there as this step says.
echo "\$ $BIN/scaidnsctl --config $DEMO/scaidns.conf init"
ctl init
SCOPES=zones:read,zones:write,dnssec:read,dnssec:enable,dnssec:rotate,dnssec:disable
echo "\$ $BIN/scaidnsctl --config $DEMO/scaidns.conf token create --name demo --scopes $SCOPES > $DEMO/token"
(umask 077 && ctl token create --name demo --scopes "$SCOPES" >"$DEMO/token")
TOKEN=$(cat "$DEMO/token")
export TOKEN
echo "The token is shown once and was saved in $DEMO/token (mode 0600). To paste the curl"
echo "commands below into another shell, first run there:"
echo "  export TOKEN=\$(cat $DEMO/token)"

say "starting scaidns-backend, pdns_server (127.0.0.1 port $PORT) and scaidns-api (port $APORT)"
"$BIN"/scaidns-backend --config "$DEMO/scaidns.conf" 2>>"$DEMO/backend.log" &
PIDS+=($!)
for _ in $(seq 100); do [ -S "$DEMO/backend.sock" ] && break; sleep 0.1; done
pdns_server --config-dir="$DEMO/pdns" >>"$DEMO/pdns.log" 2>&1 &
PIDS+=($!)
"$BIN"/scaidns-api --config "$DEMO/scaidns.conf" 2>>"$DEMO/api.log" &
PIDS+=($!)
for _ in $(seq 150); do
  curl -s -o /dev/null "http://127.0.0.1:$APORT/healthz" &&
    dig @127.0.0.1 -p "$PORT" +time=1 +tries=1 version.bind CH TXT >/dev/null 2>&1 && break
  sleep 0.1
done

# api METHOD PATH [BODY]: prints the request as a command that works when pasted (with TOKEN
# exported) and runs exactly that command; prints the answer and keeps its body in $OUT.
OUT=$DEMO/last.json
api() {
  local code cmd
  cmd="curl -sS -X $1 'http://127.0.0.1:$APORT$2' -H \"Authorization: Bearer \$TOKEN\""
  [ -z "${3:-}" ] || cmd+=" -H 'Content-Type: application/json' -d '$3'"
  printf '\n$ %s\n' "$cmd"
  code=$(eval "$cmd -o '$OUT' -w '%{http_code}'")
  echo "HTTP $code"
  if jq . "$OUT" >"$OUT.pretty" 2>/dev/null; then
    head -n "${LINES_SHOWN:-40}" "$OUT.pretty"
    [ "$(wc -l <"$OUT.pretty")" -le "${LINES_SHOWN:-40}" ] || echo "  ..."
  else
    cat "$OUT"
  fi
  [ "${code:0:1}" = 2 ] || { echo "demo: the API refused that request" >&2; exit 1; }
}
D=/api/v1/domains/$ZONE

say "1. create the zone and add records"
api POST /api/v1/domains '{"name": "demo.example", "ns": ["ns1.demo.example."], "ttl": 5}'
api PUT "$D/rrsets/ns1/A" '{"ttl": 5, "records": ["127.0.0.1"]}'
LINES_SHOWN=8 api PUT "$D/rrsets/www/A" '{"ttl": 5, "records": ["192.0.2.80"]}'
LINES_SHOWN=8 api PUT "$D/rrsets/www/AAAA" '{"ttl": 5, "records": ["2001:db8::80"]}'
LINES_SHOWN=8 api PUT "$D/rrsets/@/MX" '{"ttl": 5, "records": ["10 mail.demo.example."]}'

say "2. enable DNSSEC (algorithm 13): KSK + ZSK, and the DS for the registrar"
LINES_SHOWN=60 api POST "$D/dnssec/enable" '{"algorithm": 13}'
DS=$(jq -c '[.ds_records[] | select(.digest_type == 2)]' "$OUT")
DSLINE=$(jq -r '.[0].ds' <<<"$DS")
echo
echo "publish at the registrar:  $DSLINE"

# delv trusts exactly that DS, as a validating resolver does once the parent publishes it.
{
  echo "trust-anchors {"
  awk '{ for (i = 2; i <= NF; i++) if ($i == "DS") {
    printf "  \"%s\" static-ds %s %s %s \"%s\";\n", $1, $(i + 1), $(i + 2), $(i + 3), $(i + 4); break } }' <<<"$DSLINE"
  echo "};"
} >"$DEMO/anchor.conf"
validate() {
  echo
  echo "\$ delv @127.0.0.1 -p $PORT -a $DEMO/anchor.conf +root=$ZONE www.$ZONE A"
  delv @127.0.0.1 -p "$PORT" -a "$DEMO/anchor.conf" +root="$ZONE" "www.$ZONE" A 2>&1 | tee "$DEMO/delv.out"
  grep -q '; fully validated' "$DEMO/delv.out" || { echo "demo: not validated" >&2; exit 1; }
}
validate

say "3. the DS is at the parent: confirm it"
api POST "$D/dnssec/confirm-ds-published" "{\"ds_records\": $DS}"

say "4. roll the ZSK: the scheduler inside scaidns-api finishes it by itself"
LINES_SHOWN=12 api POST "$D/dnssec/rotate-zsk"
api GET "$D/dnssec/plan"
echo
printf 'waiting for the scheduler'
for _ in $(seq 120); do
  curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$APORT$D/dnssec" >"$OUT"
  if jq -e '.status == "active" and (.zsk | length == 1)' "$OUT" >/dev/null; then break; fi
  printf '.'
  sleep 1
done
echo
LINES_SHOWN=12 api GET "$D/dnssec/events?limit=4"
LINES_SHOWN=30 api GET "$D/dnssec"
jq -e '.status == "active" and (.zsk | length == 1)' "$OUT" >/dev/null ||
  { echo "demo: the rollover did not finish" >&2; exit 1; }
validate

say "done in $((SECONDS - T0)) s"
[ "$ONCE" = 1 ] || echo "Ctrl-C stops everything."
U=http://127.0.0.1:$APORT
echo "running: pdns_server on 127.0.0.1 port $PORT (signed answers), scaidns-backend, scaidns-api on $U (status page $U/ui/)"
echo "where:   $DEMO (scaidns.conf, keystore scaidns.db, token, logs *.log); programs in $BIN"
echo "next:    (1) the plan: curl -sS '$U/api/v1/domains/$ZONE/dnssec/plan' -H \"Authorization: Bearer \$TOKEN\"  (2) a signed answer: dig @127.0.0.1 -p $PORT +dnssec www.$ZONE A  (3) the status page: open $U/ui/ and paste the token (cat $DEMO/token)"
[ "$ONCE" = 1 ] && exit 0
while :; do
  sleep 3600 &
  PIDS+=($!)
  wait $! || true
done
