#!/usr/bin/env bash
# cli_secret_modes.sh - the modes of the files scaidns keeps secret.
#   - `scaidnsctl init` makes the keystore 0600, the seal key 0600 and its .pub 0644, whatever
#     the umask (000, 022, 077, 0277); the -wal and -shm files SQLite adds follow the keystore;
#   - scaidnsctl, scaidns-backend and scaidns-api each refuse to start with a seal key open to
#     group or others, or with a keystore (or its -wal/-shm) open to others, with a message on
#     stderr naming the file, its mode and the chmod that fixes it; nothing listens and the
#     keystore is unchanged;
#   - a keystore shared with its group (0640) is fine, and after the chmod everything starts;
#   - init also makes the audit key (SEAL-KEY.audit) and the audit anchor (DB.anchor) 0600;
#     scaidnsctl and scaidns-api refuse an audit key open to group or others and an anchor
#     writable by them (scaidns-backend reads neither).
set -euo pipefail
SRC=${SCAIDNS_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${SCAIDNS_BIN:-$SRC/build/bin}
. "$SRC/test/integration/lib/wrap.sh"
wrap_bin # SCAIDNS_WRAP (e.g. valgrind) in front of our programs, when set
FAILS=0
CHECKS=0
PIDS=()
T=$(mktemp -d /tmp/scaidns-secret-modes.XXXXXX)
chmod 700 "$T"
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
for p in scaidnsctl scaidns-backend scaidns-api; do
  [ -x "$BIN/$p" ] || { echo "FAIL: $BIN/$p not built"; exit 1; }
done
for tool in sqlite3 curl python3; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed"; exit 1; }
done
mode() { stat -c %a "$1"; }

# --- init under any umask ---------------------------------------------------------------
for um in 000 022 077 0277; do
  D=$T/u$um
  mkdir "$D"
  (umask "$um" && "$BIN/scaidnsctl" --db="$D/k.db" --seal-key="$D/seal.key" init >/dev/null)
  check "umask $um: keystore 0600 (got $(mode "$D/k.db"))" test "$(mode "$D/k.db")" = 600
  check "umask $um: seal key 0600 (got $(mode "$D/seal.key"))" test "$(mode "$D/seal.key")" = 600
  check "umask $um: seal key .pub 0644 (got $(mode "$D/seal.key.pub"))" \
    test "$(mode "$D/seal.key.pub")" = 644
  check "umask $um: audit key 0600 (got $(mode "$D/seal.key.audit"))" \
    test "$(mode "$D/seal.key.audit")" = 600
  check "umask $um: audit anchor 0600 (got $(mode "$D/k.db.anchor"))" \
    test "$(mode "$D/k.db.anchor")" = 600
done

# The -wal and -shm files, while the backend and the API hold the keystore open.
DB=$T/u000/k.db
SEAL=$T/u000/seal.key
CONF=$T/scaidns.conf
SOCK=$T/backend.sock
cat >"$CONF" <<CONF
db=$DB
seal-key=$SEAL
backend-socket=$SOCK
CONF
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_all: backend and API (umask 000), waits until both answer. Fails the test if not.
start_all() {
  (umask 000 && exec "$BIN/scaidns-backend" --config "$CONF") 2>>"$T/backend.log" &
  BPID=$!
  PORT=$(free_port)
  (umask 000 && exec "$BIN/scaidns-api" --config "$CONF" --api-listen="127.0.0.1:$PORT") 2>>"$T/api.log" &
  APID=$!
  PIDS+=("$BPID" "$APID")
  for _ in $(seq "$(wrap_scale 100)"); do
    [ -S "$SOCK" ] && curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && return 0
    sleep 0.05
  done
  echo "FAIL: backend or API did not start"; cat "$T/backend.log" "$T/api.log"; exit 1
}
stop_all() {
  kill "$BPID" "$APID" 2>/dev/null || true
  wait "$BPID" "$APID" 2>/dev/null || true
}
start_all
"$BIN/scaidnsctl" --config "$CONF" zone create m.example >/dev/null
for f in "$DB-wal" "$DB-shm"; do
  check "$(basename "$f") exists while the keystore is open" test -e "$f"
  check "$(basename "$f") is 0600 like the keystore (got $(mode "$f"))" test "$(mode "$f")" = 600
done
stop_all

# --- refusals ------------------------------------------------------------------------------
SUM=$(sqlite3 "$DB" .dump | sha256sum)
# refused WHAT FILE MODE FIX: each program exits 1 with the message, nothing listens.
refused() {
  local what=$1 file=$2 m=$3 fix=$4 rc out
  local want="$what $file has mode $m: it must not be readable or writable by"
  local tail="(fix: chmod $fix $file)"
  rc=0
  "$BIN/scaidnsctl" --config "$CONF" zone list >/dev/null 2>"$T/err" || rc=$?
  check "scaidnsctl refuses $what $m (exit $rc)" test "$rc" = 1
  check "scaidnsctl says why: $(cat "$T/err")" grep -qF "scaidnsctl: $want" "$T/err"
  check "scaidnsctl says how to fix it" grep -qF "$tail" "$T/err"
  rc=0
  timeout 10 "$BIN/scaidns-backend" --config "$CONF" 2>"$T/err" || rc=$?
  check "scaidns-backend refuses $what $m (exit $rc)" test "$rc" = 1
  check "scaidns-backend says why: $(cat "$T/err")" grep -qF "scaidns-backend: error: $want" "$T/err"
  check "scaidns-backend says how to fix it" grep -qF "$tail" "$T/err"
  check "and listens nowhere" test ! -e "$SOCK"
  rc=0
  timeout 10 "$BIN/scaidns-api" --config "$CONF" --api-listen="127.0.0.1:$(free_port)" \
    2>"$T/err" || rc=$?
  check "scaidns-api refuses $what $m (exit $rc)" test "$rc" = 1
  check "scaidns-api says why: $(cat "$T/err")" grep -qF "scaidns-api: error: $want" "$T/err"
  check "scaidns-api says how to fix it" grep -qF "$tail" "$T/err"
  check "the keystore is unchanged" test "$(sqlite3 "$DB" .dump | sha256sum)" = "$SUM"
}
for m in 644 640 604 660 600; do
  chmod "$m" "$SEAL"
  [ "$m" = 600 ] && break
  refused "seal-key file" "$SEAL" "0$m" 600
done
for m in 644 604 666; do
  chmod "$m" "$DB"
  fix=$(printf '%o' $((8#$m & 8#770)))
  refused keystore "$DB" "0$m" "$fix"
done
# The -wal holds the keystore's data as well.
chmod 600 "$DB"
touch "$DB-wal"
chmod 604 "$DB-wal"
refused "keystore file" "$DB-wal" 0604 600
rm -f "$DB-wal"

# The audit key and the anchor: scaidnsctl and scaidns-api refuse them (the backend reads
# neither).
# refused_audit WHAT FILE MODE FIX HOW
refused_audit() {
  local what=$1 file=$2 m=$3 fix=$4 how=$5 rc
  local want="$what $file has mode $m: it must not be $how by group or others (fix: chmod $fix $file)"
  rc=0
  "$BIN/scaidnsctl" --config "$CONF" zone list >/dev/null 2>"$T/err" || rc=$?
  check "scaidnsctl refuses $what $m (exit $rc)" test "$rc" = 1
  check "scaidnsctl says why and how to fix it: $(cat "$T/err")" grep -qF "scaidnsctl: $want" "$T/err"
  rc=0
  timeout 10 "$BIN/scaidns-api" --config "$CONF" --api-listen="127.0.0.1:$(free_port)" \
    2>"$T/err" || rc=$?
  check "scaidns-api refuses $what $m (exit $rc)" test "$rc" = 1
  check "scaidns-api says why and how to fix it: $(cat "$T/err")" grep -qF "scaidns-api: error: $want" "$T/err"
  check "the keystore is unchanged" test "$(sqlite3 "$DB" .dump | sha256sum)" = "$SUM"
}
for m in 644 640 604; do
  chmod "$m" "$SEAL.audit"
  refused_audit "audit-key file" "$SEAL.audit" "0$m" 600 "readable or writable"
done
chmod 600 "$SEAL.audit"
for m in 620 602 666; do
  chmod "$m" "$DB.anchor"
  fix=$(printf '%o' $((8#$m & 8#755)))
  refused_audit "audit-anchor file" "$DB.anchor" "0$m" "$fix" writable
done
chmod 644 "$DB.anchor" # readable by others is fine: it holds hashes only

# Shared with the group is fine: everything starts and works.
chmod 640 "$DB"
start_all
rc=0
"$BIN/scaidnsctl" --config "$CONF" zone list >"$T/out" 2>&1 || rc=$?
check "scaidnsctl works with a 0640 keystore (exit $rc)" test "$rc" = 0
check "and lists the zone" grep -q m.example "$T/out"
check "the backend listens" test -S "$SOCK"
check "the API answers" curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz"
check "the -wal follows the keystore's 0640 ($(mode "$DB-wal"))" test "$(mode "$DB-wal")" = 640
stop_all
check "no sanitizer report" bash -c "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' '$T/backend.log' '$T/api.log'"

if [ "$FAILS" -gt 0 ]; then
  echo "cli_secret_modes.sh: $FAILS of $CHECKS checks FAILED" >&2
  exit 1
fi
echo "cli_secret_modes.sh: all $CHECKS checks passed"
