# pdns.sh - shell helpers for integration tests that run pdns_server with scaidns-backend on
# loopback. Source it from a test script (bash, set -euo pipefail):
#
#   . "$SCAIDNS_SRC/test/integration/lib/pdns.sh"
#   pdns_init                      # temp dir $T, cleanup trap, $BIN, $SCAIDNSCTL
#   sd_conf                        # writes $T/scaidns.conf (db, seal key, socket)
#   ctl init                       # scaidnsctl --config $T/scaidns.conf init
#   backend_start                  # scaidns-backend in the background, waits for its socket
#   PORT=$(free_port)
#   pdns_conf "$PORT" [extra pdns.conf lines...]   # $T/pdns/pdns.conf, launch=remote
#   pdns_start                     # pdns_server in the background, waits until it answers
#   q www.example. A +dnssec       # dig @127.0.0.1 -p $PORT ...
#
# Every process started here is stopped by the EXIT trap, whatever happens. Nothing listens
# beyond 127.0.0.1. Env: SCAIDNS_BIN (built programs), SCAIDNS_SRC, SCAIDNS_BUILD; KEEP=1
# keeps $T for a look after a failure.

BIN=${SCAIDNS_BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)/build/bin}
. "$(dirname "${BASH_SOURCE[0]}")/wrap.sh"
wrap_bin # SCAIDNS_WRAP (e.g. valgrind) in front of our programs, when set
SCAIDNSCTL=$BIN/scaidnsctl
PIDS=()

# Stops everything this test started and removes its files (unless KEEP=1).
pdns_cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq "$(wrap_scale 50)"); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  PIDS=()
  if [ -n "${T:-}" ] && [ "${KEEP:-0}" != 1 ]; then rm -rf "$T"; fi
}

# Creates the test's temporary directory $T and installs the cleanup trap.
pdns_init() {
  T=$(mktemp -d "${TMPDIR:-/tmp}/scaidns-it.XXXXXX")
  chmod 700 "$T"
  trap pdns_cleanup EXIT
  trap 'exit 130' INT TERM
  for tool in pdns_server dig; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed"; exit 0; }
  done
  [ -x "$SCAIDNSCTL" ] || { echo "FAIL: $SCAIDNSCTL not built"; exit 1; }
  [ -x "$BIN/scaidns-backend" ] || { echo "FAIL: $BIN/scaidns-backend not built"; exit 1; }
}

# Prints a TCP+UDP port on 127.0.0.1 that is free right now.
free_port() {
  python3 - <<'PY'
import socket, random
for _ in range(200):
    p = random.randint(20000, 60000)
    try:
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", p))
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM); t.bind(("127.0.0.1", p))
        u.close(); t.close(); print(p); break
    except OSError:
        pass
PY
}

# Writes $T/scaidns.conf; extra arguments are appended as key=value lines.
sd_conf() {
  {
    echo "db=$T/scaidns.db"
    echo "seal-key=$T/seal.key"
    echo "backend-socket=$T/backend.sock"
    echo "log-level=warning"
    local line
    for line in "$@"; do echo "$line"; done
  } >"$T/scaidns.conf"
}

# scaidnsctl with the test's configuration.
ctl() {
  "$SCAIDNSCTL" --config "$T/scaidns.conf" "$@"
}

# Starts scaidns-backend and waits (up to 10 s, longer when wrapped) for its socket.
backend_start() {
  "$BIN/scaidns-backend" --config "$T/scaidns.conf" "$@" 2>>"$T/backend.log" &
  PIDS+=($!)
  BACKEND_PID=$!
  for _ in $(seq "$(wrap_scale 100)"); do
    [ -S "$T/backend.sock" ] && return 0
    kill -0 "$BACKEND_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "FAIL: scaidns-backend did not start"; cat "$T/backend.log"; return 1
}

# Writes $T/pdns/pdns.conf for a private pdns_server on 127.0.0.1:port using the remote
# backend; extra arguments are appended as lines (and override earlier settings).
pdns_conf() {
  local port=$1; shift
  mkdir -p "$T/pdns" "$T/pdns-run"
  PORT=$port
  {
    echo "launch=remote"
    echo "remote-connection-string=unix:path=$T/backend.sock"
    echo "remote-dnssec=yes"
    echo "direct-dnskey=yes"
    echo "local-address=127.0.0.1"
    echo "local-port=$port"
    echo "socket-dir=$T/pdns-run"
    echo "guardian=no"
    echo "daemon=no"
    echo "disable-syslog=yes"
    echo "loglevel=4"
    echo "security-poll-suffix="
    echo "webserver=no"
    echo "primary=no"
    echo "distributor-threads=2"
    local line
    for line in "$@"; do echo "$line"; done
  } >"$T/pdns/pdns.conf"
}

# Starts pdns_server with $T/pdns as its config dir; waits (up to 15 s) until it answers.
pdns_start() {
  pdns_server --config-dir="$T/pdns" >>"$T/pdns.log" 2>&1 &
  PIDS+=($!)
  PDNS_PID=$!
  for _ in $(seq 150); do
    if dig @127.0.0.1 -p "$PORT" +time=1 +tries=1 +short version.bind CH TXT >/dev/null 2>&1; then
      return 0
    fi
    kill -0 "$PDNS_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "FAIL: pdns_server did not start"; tail -30 "$T/pdns.log"; return 1
}

# Stops pdns_server (e.g. to restart it with another configuration).
pdns_stop() {
  kill "$PDNS_PID" 2>/dev/null || true
  wait "$PDNS_PID" 2>/dev/null || true
}

# dig against the test's pdns_server, without recursion, a short timeout.
q() {
  dig @127.0.0.1 -p "$PORT" +norec +time=2 +tries=2 "$@"
}

# pdnsutil with the test's pdns configuration.
pdnsutil_t() {
  pdnsutil --config-dir="$T/pdns" "$@"
}

# Writes a BIND trust-anchors file for zone from `scaidnsctl ds` output into $2.
anchor_file() {
  local zone=$1 out=$2
  {
    echo "trust-anchors {"
    ctl ds "$zone" | awk '{ for (i = 2; i <= NF; i++) if ($i == "DS") {
      printf "  \"%s\" static-ds %s %s %s \"%s\";\n", $1, $(i + 1), $(i + 2), $(i + 3), $(i + 4); break } }'
    echo "};"
  } >"$out"
}

# delv for name/type against our pdns_server, trusting only zone's DS.
dv() {
  local zone=$1; shift
  delv @127.0.0.1 -p "$PORT" -a "$T/anchor-$zone" +root="$zone" +tcp "$@" 2>&1
}

# Test bookkeeping: ok/bad print one line each; finish prints the plain summary line.
PASSED=0
FAILED=0
ok() { PASSED=$((PASSED + 1)); echo "ok   $*"; }
bad() { FAILED=$((FAILED + 1)); echo "FAIL $*"; }
check() { # check "description" command...
  local what=$1; shift
  if "$@" >/dev/null 2>&1; then ok "$what"; else bad "$what"; fi
}
finish() {
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
}
