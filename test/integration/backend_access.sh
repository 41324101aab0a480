#!/usr/bin/env bash
# backend_access.sh - who may talk to scaidns-backend. The socket is made 0666 here so that
# only backend-allowed-uids (SO_PEERCRED) stands between another user and the keys:
#   - root (and the backend's own uid) always gets answers; so does pdns by default;
#   - nobody connects, is closed before a reply, and the backend logs one line with its uid
#     and pid; the backend goes on serving root;
#   - backend-allowed-uids=nobody (by name) or =65534 (by number) or =* lets nobody in;
#   - an unknown user name is warned about at start and not allowed (fails closed); a
#     malformed list stops the backend with exit 2 and a message naming the key.
# The cross-uid parts need root (setpriv); CI runs as root.
set -euo pipefail
SRC=${SCAIDNS_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${SCAIDNS_BIN:-$SRC/build/bin}
. "$SRC/test/integration/lib/wrap.sh"
wrap_bin # SCAIDNS_WRAP (e.g. valgrind) in front of our programs, when set
FAILS=0
CHECKS=0
PIDS=()
T=$(mktemp -d /tmp/scaidns-backend-access.XXXXXX)
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  [ "${KEEP:-0}" = 1 ] || rm -rf "$T"
}
trap cleanup EXIT
check() {
  local what=$1
  shift
  CHECKS=$((CHECKS + 1))
  if ! "$@"; then FAILS=$((FAILS + 1)); echo "FAIL: $what" >&2; fi
}
[ -x "$BIN/scaidns-backend" ] || { echo "FAIL: $BIN/scaidns-backend not built"; exit 1; }
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
chmod 711 "$T" # others may reach the socket by its name, nothing else
SOCK=$T/backend.sock
"$BIN/scaidnsctl" --db="$T/k.db" --seal-key="$T/seal.key" init >/dev/null

# The client: connects, sends initialize, prints the reply line, or "closed" when the
# backend hangs up without one. Prints its pid first (the backend's log names it).
cat >"$T/client.py" <<'PY'
import os, socket, sys
print(os.getpid(), flush=True)
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sys.argv[1])
try:
    s.sendall(b'{"method":"initialize","parameters":{}}\n')
    data = s.recv(4096)
except (ConnectionResetError, BrokenPipeError):
    data = b""
print(data.decode().strip() or "closed")
PY
chmod 644 "$T/client.py"

# start_backend [--key=value ...]: starts the backend, waits for its socket.
start_backend() {
  LOG=$T/backend.$CHECKS.log
  "$BIN/scaidns-backend" --db="$T/k.db" --seal-key="$T/seal.key" --backend-socket="$SOCK" \
    --backend-socket-mode=0666 "$@" 2>"$LOG" &
  BPID=$!
  PIDS+=("$BPID")
  for _ in $(seq "$(wrap_scale 100)"); do [ -S "$SOCK" ] && return 0; sleep 0.05; done
  echo "FAIL: the backend did not start: $(cat "$LOG")"
  exit 1
}
stop_backend() {
  kill "$BPID" 2>/dev/null || true
  local rc=0
  wait "$BPID" || rc=$?
  check "the backend exits 0 on SIGTERM (got $rc)" test "$rc" = 0
  check "no sanitizer report" bash -c "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' '$LOG'"
}
# as USER: runs the client as USER (groups dropped); prints "pid reply".
as() {
  if [ "$1" = root ]; then
    "$PY" "$T/client.py" "$SOCK" | paste -sd' '
  else
    setpriv --reuid="$1" --regid="$(id -g "$1")" --clear-groups "$PY" "$T/client.py" "$SOCK" |
      paste -sd' '
  fi
}
OK_REPLY='{"result":true}'

start_backend
R=$(as root)
check "root gets its answer ($R)" test "${R#* }" = "$OK_REPLY"
CROSS=0
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
  CROSS=1
else
  echo "note: not root or no setpriv/nobody: the checks across uids are not run" >&2
fi
if [ "$CROSS" = 1 ]; then
  NOBODY=$(id -u nobody)
  R=$(as nobody)
  check "nobody is closed without a reply ($R)" test "${R#* }" = closed
  check "the refusal is logged with uid and pid: $(cat "$LOG")" grep -qx \
    "scaidns-backend: warning: refused a connection from uid $NOBODY pid ${R%% *}: not in backend-allowed-uids" "$LOG"
  check "one line per refused connection" test "$(grep -c 'refused a connection' "$LOG")" = 1
  R=$(as root)
  check "root is still served ($R)" test "${R#* }" = "$OK_REPLY"
  if id pdns >/dev/null 2>&1; then
    R=$(as pdns)
    check "pdns is allowed by default ($R)" test "${R#* }" = "$OK_REPLY"
  else
    echo "note: no pdns user here: the default list was not tried with it" >&2
  fi
  # A burst of 50 in a fraction of a second: each closed; at most 10 lines a second are
  # logged, and the next line logged counts the ones that were not.
  setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$PY" -c '
import socket, sys
closed = 0
for _ in range(50):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(5)
    s.connect(sys.argv[1])
    try:
        closed += s.recv(16) == b""
    except ConnectionResetError:
        closed += 1
    s.close()
print(closed)' "$SOCK" >"$T/burst"
  check "a burst of 50 is refused, each one ($(cat "$T/burst"))" test "$(cat "$T/burst")" = 50
  sleep 1.1
  R=$(as nobody)
  LOGGED=$(($(grep -c 'refused a connection' "$LOG") - 2))
  UNLOGGED=$(sed -n 's/.*(and \([0-9]*\) more since the last such line)$/\1/p' "$LOG" | tail -1)
  check "the burst was logged in at most 20 lines ($LOGGED)" test "$LOGGED" -le 20
  check "the next line counts the rest: $LOGGED + ${UNLOGGED:-none} = 50" \
    test "$((LOGGED + ${UNLOGGED:-0}))" = 50
  stop_backend

  for spec in nobody "$NOBODY" '*' "root, nobody"; do
    start_backend "--backend-allowed-uids=$spec"
    R=$(as nobody)
    check "backend-allowed-uids=$spec lets nobody in ($R)" test "${R#* }" = "$OK_REPLY"
    R=$(as root)
    check "backend-allowed-uids=$spec still lets root in ($R)" test "${R#* }" = "$OK_REPLY"
    stop_backend
  done
  start_backend --backend-allowed-uids=scaidns-no-such-user
  check "an unknown name is warned about at start: $(cat "$LOG")" grep -q \
    "backend-allowed-uids: no such user here: scaidns-no-such-user (not allowed)" "$LOG"
  R=$(as nobody)
  check "and lets nobody else in ($R)" test "${R#* }" = closed
  stop_backend
else
  stop_backend
fi

# A malformed list: exit 2, a message naming the key, no socket.
for spec in 'root,,pdns' '*,root' '-5' 'root,4294967295'; do
  rc=0
  "$BIN/scaidns-backend" --db="$T/k.db" --seal-key="$T/seal.key" --backend-socket="$SOCK" \
    "--backend-allowed-uids=$spec" 2>"$T/bad.log" || rc=$?
  check "backend-allowed-uids='$spec' stops the backend (exit $rc)" test "$rc" = 2
  check "with a message naming the key: $(cat "$T/bad.log")" grep -q '^scaidns-backend: error: backend-allowed-uids: ' "$T/bad.log"
  check "and no socket" test ! -e "$SOCK"
done

if [ "$FAILS" -gt 0 ]; then
  echo "backend_access.sh: $FAILS of $CHECKS checks FAILED" >&2
  exit 1
fi
echo "backend_access.sh: all $CHECKS checks passed"
