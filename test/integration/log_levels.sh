#!/usr/bin/env bash
# log_levels.sh - both programs log one line per event on stderr, "<program>: <level>: ...",
# filtered by log-level: at error nothing shows in a run without errors; at debug every
# request and connection shows, at its level (a change at info, a 401 at warning, a read at
# debug); at the default (info) reads are not logged. In no run does a token (valid, bogus or
# in a query string), the seal key or private key text appear, although PowerDNS fetches the
# zone's private keys through the backend. An unknown log-level stops either program at once.
set -euo pipefail
. "${SCAIDNS_SRC:-$(dirname "$0")/../..}/test/integration/lib/api.sh"

api_init
TOK=$(api_token ops dnssec:read,dnssec:enable,zones:read,zones:write,metrics:read)
BOGUS=bogus-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
D=/api/v1/domains

# run LEVEL: the backend, pdns_server and the API at LEVEL (empty: the default), the same
# requests and queries each time, then everything stopped; logs in $T/LEVEL-{api,backend}.log.
run() {
  local lv=$1 args=() z=z-${1:-default}.example
  [ -n "$lv" ] && args=("--log-level=$lv")
  api_backend_start "${args[@]}"
  api_pdns_start
  api_start --threads=2 "--pdns-control-socket=$T/pdns-run/pdns.controlsocket" "${args[@]}"
  expect 201 POST "$D" "$TOK" "{\"name\":\"$z\"}"
  expect 200 POST "$D/$z/dnssec/enable" "$TOK"
  expect 200 GET "$D/$z/dnssec" "$TOK"
  expect 401 GET "$D" "$BOGUS"
  expect 401 GET "$D?access_token=$TOK"
  expect 404 GET "$D/nope.example" "$TOK"
  expect 409 POST "$D" "$TOK" "{\"name\":\"$z\"}"
  expect 200 GET /metrics "$TOK"
  pq "$z." DNSKEY +dnssec >"$T/dig"
  check "PowerDNS served $z's keys (fetched through the backend)" grep -q 'RRSIG.*DNSKEY' "$T/dig"
  api_stop
  kill "$PDNS_PID" "$BACKEND_PID"
  wait "$PDNS_PID" "$BACKEND_PID" 2>/dev/null || true
  mv "$API_LOG" "$T/${lv:-default}-api.log"
  mv "$BACKEND_LOG" "$T/${lv:-default}-backend.log"
}

# has FILE REGEX / hasnt FILE REGEX
has() { grep -qE -- "$2" "$1"; }
hasnt() { ! grep -qE -- "$2" "$1"; }

run error
run debug
run ""
A=$T/debug-api.log
B=$T/debug-backend.log

check "error: the API wrote nothing ($(head -c 300 "$T/error-api.log"))" test ! -s "$T/error-api.log"
check "error: the backend wrote nothing" test ! -s "$T/error-backend.log"

for f in "$A" "$B" "$T/default-api.log" "$T/default-backend.log"; do
  check "$(basename "$f"): every line is one event with its level" \
    bash -c "! grep -vE '^scaidns-(api|backend): (error|warning|info|debug): [^ ]' '$f'"
done
check "debug: start at info" has "$A" '^scaidns-api: info: listening on 127\.0\.0\.1:'
check "debug: stop at info" has "$A" '^scaidns-api: info: signal 15: stopping$'
check "debug: a zone created, at info" has "$A" '^scaidns-api: info: POST /api/v1/domains 201 [0-9.]+ms token=ops$'
check "debug: DNSSEC enabled, at info" has "$A" '^scaidns-api: info: POST /api/v1/domains/z-debug\.example/dnssec/enable 200 [0-9.]+ms token=ops$'
check "debug: a read, at debug" has "$A" '^scaidns-api: debug: GET /api/v1/domains/z-debug\.example/dnssec 200 [0-9.]+ms token=ops$'
check "debug: a bogus token, at warning, without a name" has "$A" '^scaidns-api: warning: GET /api/v1/domains 401 [0-9.]+ms token=-$'
check "debug: a 404, at debug" has "$A" '^scaidns-api: debug: GET /api/v1/domains/nope\.example 404 '
check "debug: a conflict (a client error), at debug" has "$A" '^scaidns-api: debug: POST /api/v1/domains 409 '
check "debug: no warning but the 401s (PowerDNS's caches purged)" bash -c "! grep ': warning: ' '$A' | grep -qv ' 401 '"
check "debug: the scrape, at debug" has "$A" '^scaidns-api: debug: GET /metrics 200 '
check "debug: backend start at info" has "$B" '^scaidns-backend: info: listening on '
check "debug: backend connections at debug" has "$B" '^scaidns-backend: debug: connection [0-9]+ opened \([0-9]+ open\)$'
check "debug: backend closes at debug" has "$B" '^scaidns-backend: debug: connection [0-9]+ closed \([0-9]+ open\)$'
check "debug: backend stop at info" has "$B" '^scaidns-backend: info: stopped after [0-9]+ requests'

D0=$T/default-api.log
check "default: start at info" has "$D0" '^scaidns-api: info: listening on '
check "default: a change at info" has "$D0" '^scaidns-api: info: POST /api/v1/domains/z-default\.example/dnssec/enable 200 '
check "default: a 401 at warning" has "$D0" '^scaidns-api: warning: GET /api/v1/domains 401 '
check "default: no debug line" hasnt "$D0" ': debug: '
check "default: reads are not logged" hasnt "$D0" ' GET /api/v1/domains/z-default\.example/dnssec '
check "default: the backend's connections are not logged" hasnt "$T/default-backend.log" ': debug: '

SEAL=$(cat "$T/seal.key")
for f in "$T"/*-api.log "$T"/*-backend.log; do
  n=$(basename "$f")
  check "$n: no token" bash -c "! grep -qF -- '$TOK' '$f'"
  check "$n: no bogus token" bash -c "! grep -qF -- '$BOGUS' '$f'"
  check "$n: no seal key" bash -c "! grep -qF -- '$SEAL' '$f'"
  check "$n: no private key text" hasnt "$f" 'Private-key-format|PrivateKey'
  check "$n: no sanitizer report" hasnt "$f" 'AddressSanitizer|LeakSanitizer|runtime error'
done

# An unknown level: refused at start, with a line that says why.
for prog in scaidns-api scaidns-backend; do
  rc=0
  "$BIN/$prog" --config "$CONF" --log-level=loud 2>"$T/bad.log" || rc=$?
  check "$prog: unknown log-level exits 2 (got $rc)" test "$rc" = 2
  check "$prog: and says so" has "$T/bad.log" "^$prog: error: unknown log-level 'loud'"
done
API_PID=
api_done
