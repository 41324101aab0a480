#!/usr/bin/env bash
# api_startup.sh - scaidns-api's command line and start-up: --help, unknown or bad arguments,
# a missing keystore or seal key, an address it cannot use, a port already taken; each
# refused with a message and a non-zero exit. Then a clean start and a clean stop (SIGTERM
# and SIGINT, exit 0), port 0 picking a free port, and a --key=value override of the file.
set -euo pipefail
. "${SCAIDNS_SRC:-$(dirname "$0")/../..}/test/integration/lib/api.sh"
api_init
A="$BIN/scaidns-api"

# refused START_ARGS... : scaidns-api must exit non-zero within 5 s with a message.
refused() {
  local what=$1 rc=0
  shift
  timeout 5 "$A" "$@" >"$T/out" 2>"$T/err" || rc=$?
  check "$what: exits non-zero (got $rc)" test "$rc" -ne 0 -a "$rc" -ne 124
  check "$what: says why" test -s "$T/err"
}

timeout 5 "$A" --help >"$T/help"
check "--help prints the usage" grep -q -- '--threads' "$T/help"
refused "unknown argument" --config "$CONF" --bogus
refused "bad --threads" --config "$CONF" --threads=0
refused "bad --timeout" --config "$CONF" --timeout=abc
refused "unknown configuration key" --config "$CONF" --no-such-key=1
refused "missing configuration file" --config "$T/nope.conf"
refused "missing keystore" --config "$CONF" --db="$T/nope.db"
check "missing keystore: names scaidnsctl init" grep -q 'scaidnsctl init' "$T/err"
refused "missing seal key" --config "$CONF" --seal-key="$T/nope.key"
refused "api-listen without a port" --config "$CONF" --api-listen=127.0.0.1
refused "api-listen not an address" --config "$CONF" --api-listen=999.1.2.3:80
refused "api-listen bad IPv6 form" --config "$CONF" --api-listen='[::1:80'
check "no keystore was created by a refused start" test ! -e "$T/nope.db"

# port 0: the kernel picks, the log says which
"$A" --config "$CONF" --api-listen=127.0.0.1:0 2>"$T/zero.log" &
ZPID=$!
API_PIDS+=("$ZPID")
for _ in $(seq 50); do grep -q 'port [0-9]' "$T/zero.log" && break; sleep 0.1; done
ZPORT=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$T/zero.log")
check "port 0 picks a port ($ZPORT)" test -n "$ZPORT" -a "${ZPORT:-0}" -gt 0
check "it answers there" curl -sf "http://127.0.0.1:$ZPORT/healthz" -o /dev/null
refused "port already taken" --config "$CONF" --api-listen="127.0.0.1:$ZPORT"
kill -INT "$ZPID"
rc=0
wait "$ZPID" || rc=$?
check "SIGINT: exit 0 (got $rc)" test "$rc" = 0
check "SIGINT: says it stops" grep -q stopping "$T/zero.log"

# IPv6 loopback, when the machine has it
if python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
  "$A" --config "$CONF" --api-listen='[::1]:0' 2>"$T/v6.log" &
  V6=$!
  API_PIDS+=("$V6")
  for _ in $(seq 50); do grep -q 'port [0-9]' "$T/v6.log" && break; sleep 0.1; done
  V6PORT=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$T/v6.log")
  check "IPv6 [::1] answers" curl -sf -g "http://[::1]:$V6PORT/healthz" -o /dev/null
  kill -TERM "$V6"
  wait "$V6" || true
fi

api_start --threads=1 --timeout=5
expect 200 GET /healthz
api_done
