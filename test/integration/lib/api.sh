# api.sh - shell helpers for the scaidns-api integration tests. Source it from a test
# script (bash, set -euo pipefail):
#
#   . "$SCAIDNS_SRC/test/integration/lib/api.sh"
#   api_init                        # temp dir $T, keystore, seal key, cleanup trap
#   TOK=$(api_token ops dnssec:read,zones:read [zones])
#   api_start [--threads=N ...]     # scaidns-api on a free loopback port -> $URL, $API_LOG
#   api_backend_start; api_pdns_start   # scaidns-backend, pdns_server on it -> $PDNS_PORT, pq
#   call POST /api/v1/domains "$TOK" '{"name":"example.com"}'   # sets $CODE, body in $OUT
#   expect 201 POST /api/v1/domains "$TOK" '{"name":"b.example"}'  # call + check status
#   jf '.id'                        # jq -r on the last body
#   db_sum                          # sha256 of `sqlite3 DB .dump`
#
# Every process started here is stopped by the EXIT trap. KEEP=1 keeps $T for a look.

BIN=${SCAIDNS_BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)/build/bin}
SRC=${SCAIDNS_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}
. "$(dirname "${BASH_SOURCE[0]}")/wrap.sh"
wrap_bin # SCAIDNS_WRAP (e.g. valgrind) in front of our programs, when set
API_PIDS=()
FAILS=0
CHECKS=0

# Stops what the test started; removes $T unless KEEP=1.
api_cleanup() {
  local pid
  for pid in "${API_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${API_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  API_PIDS=()
  if [ -n "${T:-}" ] && [ "${KEEP:-0}" != 1 ]; then rm -rf "$T"; fi
}

# Makes $T with a keystore ($DB), a seal key pair and $T/scaidns.conf ($CONF).
api_init() {
  for tool in curl jq sqlite3 python3 sha256sum; do
    command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed"; exit 1; }
  done
  [ -x "$BIN/scaidns-api" ] || { echo "FAIL: $BIN/scaidns-api not built"; exit 1; }
  T=$(mktemp -d /tmp/scaidns-api-it.XXXXXX)
  chmod 700 "$T"
  trap api_cleanup EXIT
  trap 'exit 130' INT TERM
  DB=$T/scaidns.db
  CONF=$T/scaidns.conf
  cat >"$CONF" <<CONF
db=$DB
seal-key=$T/seal.key
backend-socket=$T/backend.sock
default-ns=ns1.example.net.,ns2.example.net.
default-soa-mail=hostmaster.example.net.
CONF
  "$BIN/scaidnsctl" --config "$CONF" init >/dev/null
}

# Runs scaidnsctl on the test's keystore.
ctl() { "$BIN/scaidnsctl" --config "$CONF" "$@"; }

# Prints a new token named $1 with scopes $2 (and zones $3).
api_token() {
  if [ $# -ge 3 ]; then ctl token create --name "$1" --scopes "$2" --zones "$3"
  else ctl token create --name "$1" --scopes "$2"; fi
}

# Prints a TCP port on 127.0.0.1 that is free right now.
api_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Starts scaidns-api (extra arguments passed on) on a free port; sets $PORT, $URL, $API_LOG
# and $API_PID, and waits until /healthz answers.
api_start() {
  local try
  API_LOG=$T/api.log
  for try in 1 2 3 4 5; do
    PORT=$(api_free_port)
    "$BIN/scaidns-api" --config "$CONF" --api-listen="127.0.0.1:$PORT" "$@" 2>>"$API_LOG" &
    API_PID=$!
    API_PIDS+=("$API_PID")
    URL=http://127.0.0.1:$PORT
    for _ in $(seq "$(wrap_scale 100)"); do
      if curl -s -o /dev/null "$URL/healthz"; then return 0; fi
      kill -0 "$API_PID" 2>/dev/null || break
      sleep 0.05
    done
    kill "$API_PID" 2>/dev/null || true
  done
  echo "FAIL: scaidns-api did not start:"; cat "$API_LOG"; exit 1
}

# Stops the server started last.
api_stop() {
  kill "$API_PID" 2>/dev/null || true
  wait "$API_PID" 2>/dev/null || true
}

# Starts scaidns-backend on the test's keystore (socket $T/backend.sock, log $BACKEND_LOG,
# extra arguments passed on); sets $BACKEND_PID and waits for the socket.
api_backend_start() {
  BACKEND_LOG=$T/backend.log
  rm -f "$T/backend.sock"
  "$BIN/scaidns-backend" --config "$CONF" "$@" 2>>"$BACKEND_LOG" &
  BACKEND_PID=$!
  API_PIDS+=("$BACKEND_PID")
  for _ in $(seq 100); do
    [ -S "$T/backend.sock" ] && return 0
    kill -0 "$BACKEND_PID" 2>/dev/null || break
    sleep 0.05
  done
  echo "FAIL: scaidns-backend did not start:"; cat "$BACKEND_LOG"; exit 1
}

# Starts pdns_server (launch=remote on the backend, every cache off, so that each query
# reaches the backend) on a free loopback port $PDNS_PORT; waits until it answers. Exits 0
# with SKIP when pdns_server or dig is missing.
api_pdns_start() {
  local tool
  for tool in pdns_server dig; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed"; exit 0; }
  done
  # A port free for both UDP and TCP: the UDP port the kernel picks may be taken for TCP
  # (a listener, or a connection in TIME_WAIT), so try again until both bind.
  PDNS_PORT=$(python3 - <<'PY'
import socket
for _ in range(200):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    p = u.getsockname()[1]
    t = socket.socket()
    try:
        t.bind(("127.0.0.1", p))
    except OSError:
        continue
    finally:
        t.close()
        u.close()
    print(p)
    break
PY
)
  mkdir -p "$T/pdns" "$T/pdns-run"
  cat >"$T/pdns/pdns.conf" <<PDNS
launch=remote
remote-connection-string=unix:path=$T/backend.sock
remote-dnssec=yes
local-address=127.0.0.1
local-port=$PDNS_PORT
socket-dir=$T/pdns-run
guardian=no
daemon=no
disable-syslog=yes
loglevel=4
security-poll-suffix=
webserver=no
distributor-threads=1
cache-ttl=0
query-cache-ttl=0
negquery-cache-ttl=0
dnssec-key-cache-ttl=0
zone-metadata-cache-ttl=0
zone-cache-refresh-interval=0
PDNS
  pdns_server --config-dir="$T/pdns" >>"$T/pdns.log" 2>&1 &
  PDNS_PID=$!
  API_PIDS+=("$PDNS_PID")
  for _ in $(seq 150); do
    dig @127.0.0.1 -p "$PDNS_PORT" +time=1 +tries=1 +short version.bind CH TXT >/dev/null 2>&1 && return 0
    kill -0 "$PDNS_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "FAIL: pdns_server did not start:"; tail -30 "$T/pdns.log"; exit 1
}

# dig against the test's pdns_server, without recursion, with a short timeout.
pq() { dig @127.0.0.1 -p "$PDNS_PORT" +norec +time=2 +tries=2 "$@"; }

# call METHOD PATH [TOKEN] [BODY] [curl options...]: sets $CODE and the body file $OUT
# (headers in $HDR). The path is sent as is (--path-as-is).
call() {
  local method=$1 path=$2 tok=${3:-} body=${4:-}
  shift $(($# < 4 ? $# : 4))
  OUT=$T/out.json
  HDR=$T/out.hdr
  local args=(-s --path-as-is -o "$OUT" -D "$HDR" -w '%{http_code}' -X "$method"
    --max-time "$(wrap_scale 30)")
  [ -n "$tok" ] && args+=(-H "Authorization: Bearer $tok")
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
  CODE=$(curl "${args[@]}" "$@" "$URL$path" || true)
}

# Records a check: ok "what" or bad "what".
ok() { CHECKS=$((CHECKS + 1)); }
bad() { CHECKS=$((CHECKS + 1)); FAILS=$((FAILS + 1)); echo "FAIL: $*" >&2; }

# check "what" COMMAND...: runs the command; a failure is recorded with what.
check() { local what=$1; shift; if "$@"; then ok; else bad "$what"; fi; }

# expect STATUS METHOD PATH [TOKEN] [BODY] [curl options...]: call and compare the status;
# an error status must come with a JSON body {"error": string, "code": STATUS}.
expect() {
  local want=$1
  shift
  call "$@"
  if [ "$CODE" != "$want" ]; then
    bad "$1 $2: status $CODE, wanted $want; body: $(head -c 300 "$OUT")"
    return 0
  fi
  ok
  if [ "$want" -ge 400 ] && [ "$1" != HEAD ]; then
    check "$1 $2: error body" jq -e --argjson c "$want" \
      '(.error | type == "string" and length > 0) and .code == $c' "$OUT" >/dev/null
    oas Error
  fi
}

# oas SCHEMA: keeps the last body to be checked against components/schemas/SCHEMA of
# api/openapi.json by oas_verify (error bodies are kept by expect on their own).
OAS_ARGS=()
oas() {
  mkdir -p "$T/oas"
  local f=$T/oas/${#OAS_ARGS[@]}.json
  cp "$OUT" "$f"
  OAS_ARGS+=("$1=$f")
}

# Checks every body kept by oas against the OpenAPI document (needs the Python module
# openapi-schema-validator; says so and skips when it is missing).
oas_verify() {
  [ ${#OAS_ARGS[@]} -gt 0 ] || return 0
  local rc=0
  python3 "$SRC/test/integration/lib/oas_check.py" "$SRC/api/openapi.json" "${OAS_ARGS[@]}" \
    >"$T/oas.out" 2>&1 || rc=$?
  if [ "$rc" = 3 ]; then
    echo "note: openapi-schema-validator missing: ${#OAS_ARGS[@]} bodies not checked against the OpenAPI schemas"
    return 0
  fi
  check "${#OAS_ARGS[@]} response bodies match their OpenAPI schemas: $(head -c 600 "$T/oas.out")" test "$rc" = 0
}

# jf FILTER: jq -r FILTER on the last body.
jf() { jq -r "$1" "$OUT"; }

# jcheck "what" FILTER: the filter must be true on the last body.
jcheck() {
  if jq -e "$2" "$OUT" >/dev/null 2>&1; then ok; else bad "$1: $2 on $(head -c 400 "$OUT")"; fi
}

# hdr NAME: the value of response header NAME of the last call.
hdr() { tr -d '\r' <"$HDR" | awk -v n="$(echo "$1" | tr 'A-Z' 'a-z')" -F': ' 'tolower($1) == n { print $2 }' | tail -1; }

# Prints the sha256 of the whole keystore's SQL dump.
db_sum() { sqlite3 "$DB" .dump | sha256sum | cut -d' ' -f1; }

# Ends the test: stops the server (it must exit 0 on SIGTERM, and a sanitizer build must
# have reported nothing: no error, no leak), prints the count, exits 1 on any failure.
api_done() {
  oas_verify
  if [ -n "${API_PID:-}" ] && kill -0 "$API_PID" 2>/dev/null; then
    kill -TERM "$API_PID"
    local rc=0
    wait "$API_PID" || rc=$?
    check "scaidns-api exits 0 on SIGTERM (got $rc)" test "$rc" = 0
    check "no sanitizer report in the server log" \
      bash -c "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' '$API_LOG'"
  fi
  if [ "$FAILS" -gt 0 ]; then
    echo "$(basename "$0"): $FAILS of $CHECKS checks FAILED" >&2
    [ -n "${API_LOG:-}" ] && tail -20 "$API_LOG" >&2
    exit 1
  fi
  echo "$(basename "$0"): all $CHECKS checks passed"
}
