#!/usr/bin/env bash
# The main job: builds scaidns, creates a keystore in .demo/, puts a demo zone in it,
# enables DNSSEC and prints the DS to publish. Safe to run again: it starts afresh.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc 2>/dev/null || echo 2)" >/dev/null

DEMO=$PWD/.demo
ZONE=demo.example.
rm -rf "$DEMO"
mkdir -p "$DEMO"
chmod 700 "$DEMO"
cat >"$DEMO/scaidns.conf" <<CONF
db=$DEMO/scaidns.db
seal-key=$DEMO/seal.key
backend-socket=$DEMO/backend.sock
CONF
cat >"$DEMO/demo.zone" <<ZONEFILE
\$TTL 300
@     IN SOA ns1.demo.example. hostmaster.demo.example. 1 3600 600 86400 300
@     IN NS  ns1.demo.example.
ns1   IN A   127.0.0.1
www   IN A   192.0.2.80
www   IN AAAA 2001:db8::80
@     IN MX  10 mail.demo.example.
mail  IN A   192.0.2.25
*.apps IN A  192.0.2.99
@     IN TXT "v=spf1 mx -all"
ZONEFILE

ctl() {
  echo "\$ scaidnsctl $*" >&2
  build/bin/scaidnsctl --config "$DEMO/scaidns.conf" "$@"
}

ctl init
ctl zone import "$ZONE" "$DEMO/demo.zone"
ctl dnssec enable "$ZONE"
ctl dnssec status "$ZONE" | jq '{status, algorithm, ksk: [.ksk[].key_tag], zsk: [.zsk[].key_tag]}'
echo "The keystore is $DEMO/scaidns.db; try: sqlite3 $DEMO/scaidns.db 'SELECT * FROM dnssec_status'"

# --- Serving it: pdns_server + scaidns-backend on loopback, checked by a validating delv ---
PIDS=()
stop_all() {
  trap - EXIT
  kill "${PIDS[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  echo "stopped pdns_server and scaidns-backend"
}
trap stop_all EXIT
trap 'exit 0' INT TERM
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "\$ scaidns-backend --config $DEMO/scaidns.conf" >&2
build/bin/scaidns-backend --config "$DEMO/scaidns.conf" 2>>"$DEMO/backend.log" &
PIDS+=($!)
for _ in $(seq 100); do [ -S "$DEMO/backend.sock" ] && break; sleep 0.1; done
mkdir -p "$DEMO/pdns" "$DEMO/pdns-run"
cat >"$DEMO/pdns/pdns.conf" <<CONF
launch=remote
remote-connection-string=unix:path=$DEMO/backend.sock
remote-dnssec=yes
local-address=127.0.0.1
local-port=$PORT
socket-dir=$DEMO/pdns-run
guardian=no
daemon=no
disable-syslog=yes
loglevel=4
security-poll-suffix=
CONF
echo "\$ pdns_server --config-dir=$DEMO/pdns   (127.0.0.1 port $PORT)" >&2
pdns_server --config-dir="$DEMO/pdns" >>"$DEMO/pdns.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 150); do
  dig @127.0.0.1 -p "$PORT" +short +time=1 +tries=1 "$ZONE" SOA >/dev/null 2>&1 && break
  sleep 0.1
done
# Trust exactly the DS printed above, as a parent zone would publish it.
{
  echo "trust-anchors {"
  build/bin/scaidnsctl --config "$DEMO/scaidns.conf" ds "$ZONE" |
    awk '{ for (i = 2; i <= NF; i++) if ($i == "DS") {
      printf "  \"%s\" static-ds %s %s %s \"%s\";\n", $1, $(i + 1), $(i + 2), $(i + 3), $(i + 4); break } }'
  echo "};"
} >"$DEMO/anchor.conf"
echo "\$ delv @127.0.0.1 -p $PORT -a $DEMO/anchor.conf +root=$ZONE www.$ZONE A" >&2
delv @127.0.0.1 -p "$PORT" -a "$DEMO/anchor.conf" +root="$ZONE" "www.$ZONE" A
echo
echo "pdns_server answers signed on 127.0.0.1 port $PORT, e.g.:"
echo "  dig @127.0.0.1 -p $PORT +dnssec www.$ZONE A"
echo "  delv @127.0.0.1 -p $PORT -a $DEMO/anchor.conf +root=$ZONE nothere.$ZONE A"
echo "Ctrl-C stops everything."
while :; do
  sleep 3600 &
  PIDS+=($!)
  wait $! || true
done
