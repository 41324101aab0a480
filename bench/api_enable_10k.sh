#!/usr/bin/env bash
# api_enable_10k.sh - enabling DNSSEC (algorithm 13, a KSK and a ZSK) on many zones through
# scaidns-api, both ways, and with pdnsutil on gsqlite3 for comparison, in the same run:
#   1. scaidnsctl zone import DIR: 2 x ZONES small zones into a fresh keystore (timed too);
#   2. POST /api/v1/dnssec/enable in batches of BATCH zones (the route takes at most 1,000),
#      BULK_CLIENTS batches at a time;
#   3. POST /api/v1/domains/{zone}/dnssec/enable once per zone, from CLIENTS concurrent curl
#      processes, each on one kept-alive connection;
#   4. `pdnsutil secure-zone` once per zone (one process each, as an operator's loop would),
#      PDNSUTIL_CLIENTS at a time, on ZONES zones of a gsqlite3 database
#      (default-ksk-algorithm and default-zsk-algorithm ecdsa256, so also a KSK and a ZSK).
# Every way is checked afterwards: each zone has its two keys, none failed.
#
#   bench/api_enable_10k.sh [BUILD_BIN_DIR]
#   env: ZONES (10000), BATCH (1000), BULK_CLIENTS (1), CLIENTS (4), API_THREADS (4),
#        PDNSUTIL (1: run step 4), PDNSUTIL_CLIENTS (1)
#
# The API runs without pdns-control-socket (no cache purge after each enable; pdnsutil does
# not purge either) and at log-level warning. Everything stays in a temporary directory and
# on 127.0.0.1; every process started is stopped at exit. Needs curl, jq, sqlite3, python3
# (and pdnsutil with pdns-backend-sqlite3 for step 4).
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BIN=${1:-$SRC/build/bin}
ZONES=${ZONES:-10000}
BATCH=${BATCH:-1000}
BULK_CLIENTS=${BULK_CLIENTS:-1}
CLIENTS=${CLIENTS:-4}
API_THREADS=${API_THREADS:-4}
PDNSUTIL=${PDNSUTIL:-1}
PDNSUTIL_CLIENTS=${PDNSUTIL_CLIENTS:-1}
GSQL_SCHEMA=/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql
for tool in curl jq sqlite3 python3; do
  command -v "$tool" >/dev/null || { echo "api_enable_10k: $tool is not installed" >&2; exit 1; }
done
[ -x "$BIN/scaidns-api" ] || { echo "api_enable_10k: $BIN/scaidns-api not built" >&2; exit 1; }
if [ "$PDNSUTIL" = 1 ] && { ! command -v pdnsutil >/dev/null || [ ! -f "$GSQL_SCHEMA" ]; }; then
  echo "api_enable_10k: pdnsutil or pdns-backend-sqlite3 missing: PDNSUTIL=0 to skip" >&2
  exit 1
fi

T=$(mktemp -d /tmp/scaidns-enable10k.XXXXXX)
API_PID=
cleanup() {
  [ -n "$API_PID" ] && kill "$API_PID" 2>/dev/null && wait "$API_PID" 2>/dev/null
  [ "${KEEP:-0}" = 1 ] || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
# rate LABEL T0 T1 N: prints one result line (seconds and per second) and keeps it.
rate() {
  awk -v l="$1" -v a="$2" -v b="$3" -v n="$4" \
    'BEGIN { printf "| %s | %d | %.1f | %.0f |\n", l, n, b - a, n / (b - a) }' | tee -a "$T/table"
}

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'),"\
  "Linux $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
echo "zones: $ZONES per way; batches of $BATCH ($BULK_CLIENTS at a time); $CLIENTS clients for"\
  "one call per zone; scaidns-api --threads=$API_THREADS"

CONF=$T/scaidns.conf
cat >"$CONF" <<CONF
db=$T/scaidns.db
seal-key=$T/seal.key
backend-socket=$T/backend.sock
pdns-control-socket=
log-level=warning
default-ns=ns1.example.net.,ns2.example.net.
default-soa-mail=hostmaster.example.net.
CONF
ctl() { "$BIN/scaidnsctl" --config "$CONF" "$@"; }
ctl init >/dev/null
TOK=$(ctl token create --name bench --scopes dnssec:read,dnssec:enable,zones:read,zones:write)

# Zone files: bulk-NNNNN.bench (step 2) and one-NNNNN.bench (step 3), each a SOA, two NS and
# two A records; the same zones' records for gsqlite3 (step 4) as SQL.
mkdir -p "$T/zones"
python3 - "$T/zones" "$ZONES" "$T/gsql.sql" <<'PY'
import os, sys
d, n, sql = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def records(z):
    return [(z, "SOA", f"ns1.example.net. hostmaster.example.net. 1 10800 3600 604800 3600"),
            (z, "NS", "ns1.example.net."), (z, "NS", "ns2.example.net."),
            ("www." + z, "A", "192.0.2.1"), ("mail." + z, "A", "192.0.2.2")]
for kind in ("bulk", "one"):
    for i in range(n):
        z = f"{kind}-{i:05d}.bench."
        with open(os.path.join(d, z + "zone"), "w") as f:
            f.write("$TTL 3600\n")
            for name, t, c in records(z):
                f.write(f"{name} IN {t} {c}\n")
with open(sql, "w") as f:
    f.write("BEGIN;\n")
    for i in range(n):
        z = f"one-{i:05d}.bench"
        f.write(f"INSERT INTO domains(id, name, type) VALUES ({i + 1}, '{z}', 'NATIVE');\n")
        for name, t, c in records(z + "."):
            f.write("INSERT INTO records(domain_id, name, type, content, ttl, prio, disabled, auth)"
                    f" VALUES ({i + 1}, '{name.rstrip('.')}', '{t}', '{c}', 3600, 0, 0, 1);\n")
    f.write("COMMIT;\n")
PY

echo
echo "| step | zones | seconds | zones/s |" | tee "$T/table"
echo "| --- | ---: | ---: | ---: |" | tee -a "$T/table"
t0=$(now)
ctl zone import "$T/zones" >"$T/import.out" 2>"$T/import.err"
t1=$(now)
imported=$(wc -l <"$T/import.out")
[ "$imported" = $((2 * ZONES)) ] || { echo "FAIL: imported $imported zones, not $((2 * ZONES))"; exit 1; }
rate "scaidnsctl zone import DIR (no DNSSEC)" "$t0" "$t1" "$imported"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN/scaidns-api" --config "$CONF" --api-listen="127.0.0.1:$PORT" --threads="$API_THREADS" \
  2>"$T/api.log" &
API_PID=$!
URL=http://127.0.0.1:$PORT
for _ in $(seq 100); do curl -s -o /dev/null "$URL/healthz" && break; sleep 0.05; done

# Step 2: the bulk route, BATCH zones a request.
mkdir -p "$T/batches"
seq 0 $((ZONES - 1)) | awk '{ printf "bulk-%05d.bench\n", $1 }' | split -l "$BATCH" - "$T/batches/b"
for b in "$T"/batches/b*; do jq -R . "$b" | jq -sc '{zones: ., algorithm: 13}' >"$b.json"; done
bulk_one() { # bulk_one BATCH.json: POSTs it, writes the per-zone statuses to BATCH.status
  curl -s --max-time 600 -X POST -H "Authorization: Bearer $TOK" \
    -H 'Content-Type: application/json' --data-binary @"$1" "$URL/api/v1/dnssec/enable" |
    jq -r '.results[].status' >"${1%.json}.status"
}
export -f bulk_one
export TOK URL
t0=$(now)
ls "$T"/batches/b*.json | xargs -P "$BULK_CLIENTS" -I{} bash -c 'bulk_one {}'
t1=$(now)
ok=$(cat "$T"/batches/*.status | grep -c '^200$' || true)
[ "$ok" = "$ZONES" ] || { echo "FAIL: bulk enable: $ok of $ZONES zones answered 200"; exit 1; }
rate "API: POST /api/v1/dnssec/enable, $BATCH zones a request, $BULK_CLIENTS client(s)" "$t0" "$t1" "$ok"

# Step 3: one request per zone; each client is one curl process on one connection.
mkdir -p "$T/clients"
seq 0 $((ZONES - 1)) | awk -v u="$URL" -v c="$CLIENTS" -v d="$T/clients" \
  '{ f = sprintf("%s/c%02d", d, $1 % c)
     printf "url = \"%s/api/v1/domains/one-%05d.bench/dnssec/enable\"\noutput = \"/dev/null\"\n", u, $1 > f }'
t0=$(now)
pids=()
for f in "$T"/clients/c*; do
  curl -s -X POST -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' \
    -d '{"algorithm":13}' -w '%{http_code}\n' -K "$f" >"$f.codes" &
  pids+=($!)
done
wait "${pids[@]}"
t1=$(now)
ok=$(cat "$T"/clients/*.codes | grep -c '^200$' || true)
[ "$ok" = "$ZONES" ] || { echo "FAIL: per-zone enable: $ok of $ZONES answered 200"; exit 1; }
rate "API: POST .../domains/{zone}/dnssec/enable, $CLIENTS clients" "$t0" "$t1" "$ok"

keys=$(sqlite3 "$T/scaidns.db" "SELECT count(*) FROM keys WHERE algorithm = 13 AND state = 'active'")
pending=$(sqlite3 "$T/scaidns.db" "SELECT count(*) FROM dnssec_status WHERE status = 'pending_ds'")
[ "$keys" = $((4 * ZONES)) ] && [ "$pending" = $((2 * ZONES)) ] ||
  { echo "FAIL: keystore holds $keys active keys and $pending pending_ds zones"; exit 1; }
kill "$API_PID"
wait "$API_PID" 2>/dev/null || true
API_PID=

# Step 4: pdnsutil secure-zone on gsqlite3, one process per zone.
if [ "$PDNSUTIL" = 1 ]; then
  mkdir -p "$T/gsql"
  sqlite3 "$T/pdns.sqlite3" <"$GSQL_SCHEMA"
  sqlite3 "$T/pdns.sqlite3" <"$T/gsql.sql"
  printf '%s\n' launch=gsqlite3 "gsqlite3-database=$T/pdns.sqlite3" gsqlite3-dnssec=yes \
    default-ksk-algorithm=ecdsa256 default-zsk-algorithm=ecdsa256 >"$T/gsql/pdns.conf"
  seq 0 $((ZONES - 1)) | awk '{ printf "one-%05d.bench\n", $1 }' >"$T/gsql.zones"
  t0=$(now)
  xargs -P "$PDNSUTIL_CLIENTS" -n 1 pdnsutil --config-dir="$T/gsql" secure-zone \
    <"$T/gsql.zones" >"$T/pdnsutil.out" 2>&1
  t1=$(now)
  keys=$(sqlite3 "$T/pdns.sqlite3" "SELECT count(*) FROM cryptokeys WHERE active = 1")
  [ "$keys" = $((2 * ZONES)) ] || { echo "FAIL: gsqlite3 holds $keys active keys"; exit 1; }
  rate "pdnsutil secure-zone (gsqlite3), $PDNSUTIL_CLIENTS at a time" "$t0" "$t1" "$ZONES"
fi
echo
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
