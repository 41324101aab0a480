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
