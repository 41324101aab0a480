#!/usr/bin/env bash
# fault_db_file.sh - the keystore file deleted, made immutable, or made read-only under
# running scaidns-api (and its scheduler), scaidns-backend and pdns_server.
#   Deleted ("rm scaidns.db*"), then restored from a backup: meanwhile /healthz is 503 naming
#   it, every API write is 503 (before the fix they were acknowledged, 201 and 200, into the
#   deleted file: lost), reads and PowerDNS's signed answers go on from the last state; once
#   the backup is back in place the API, its scheduler and the backend take it up without a
#   restart: writes go through, PowerDNS serves them, a rollover runs.
#   Immutable (chattr +i, which binds root too): /healthz and writes 503 with the reason, DNS
#   goes on; chattr -i and the writes go through.
#   Read-only by its mode for scaidns-api running as another user (setpriv): /healthz and
#   writes 503; chmod 0600 and the API takes the file up again without a restart.
# No process crashes, the keystore passes integrity_check and its audit chain verifies.
set -euo pipefail
. "$SCAIDNS_SRC/test/integration/lib/pdns.sh"
. "$SCAIDNS_SRC/test/integration/lib/unbound.sh"
. "$SCAIDNS_SRC/test/integration/lib/rollover.sh"
. "$SCAIDNS_SRC/test/integration/lib/faults.sh"
pdns_init
rollover_world
api POST "$C/enable" '{"algorithm": 13}' >/dev/null
ctl dnssec confirm-ds child.sdtest >/dev/null
W=/api/v1/domains/child.sdtest./rrsets/www/A
signed() {
  dig @127.0.0.1 -p "$PORT" +norec +dnssec www.child.sdtest. A | grep -q "A[[:space:]]*$1" &&
    dig @127.0.0.1 -p "$PORT" +norec +dnssec www.child.sdtest. A | grep -q 'RRSIG.*A 13'
}
api PUT "$W" '{"ttl": 3, "records": ["192.0.2.2"]}' >/dev/null
check "PowerDNS serves the child, signed" eventually 5 signed 192.0.2.2
alive() { kill -0 "$API_PID" && kill -0 "$BACKEND_PID" && kill -0 "$PDNS_PID"; }

# --- deleted, then restored from a backup ---
sqlite3 -cmd '.timeout 5000' "$T/scaidns.db" ".backup '$T/backup.db'"
rm -f "$T/scaidns.db" "$T/scaidns.db-wal" "$T/scaidns.db-shm"
call_api GET /healthz
check "deleted: healthz 503 naming it ($(head -c 150 "$T/call.json"))" \
  bash -c "[ $CODE = 503 ] && grep -q 'deleted' '$T/call.json'"
call_api PUT "$W" '{"ttl": 3, "records": ["192.0.2.66"]}'
check "deleted: a write is 503 and says why ($CODE: $(head -c 150 "$T/call.json"))" \
  bash -c "[ $CODE = 503 ] && jq -e '.code == 503 and (.error | test(\"deleted\"))' '$T/call.json'"
call_api POST /api/v1/domains '{"name": "lost.test"}'
check "deleted: a new zone is 503 ($CODE)" error_is 503
call_api POST "$C/rotate-zsk"
check "deleted: a rotation is 503 ($CODE)" error_is 503
call_api GET "$C"
check "deleted: reads go on from the last state ($CODE)" test "$CODE" = 200
sleep 1.5 # the backend looks at the file once a second
check "deleted: PowerDNS goes on serving the last state, signed" signed 192.0.2.2
logged() { # a query no cache holds reaches the backend, which looks at its file once a second
  q "n$RANDOM.w.child.sdtest." A >/dev/null
  grep -q 'deleted or replaced' "$T/backend.log"
}
check "deleted: the backend logged it" eventually 5 logged
check "deleted: every process is still running" alive

cp "$T/backup.db" "$T/restore.tmp" # mode 0644 by the umask: others may read it
mv "$T/restore.tmp" "$T/scaidns.db" # in place in one step, as a restore should be
call_api GET /healthz
check "restored with mode 0644: not taken up, healthz 503 names the fix ($(head -c 200 "$T/call.json"))" \
  bash -c "[ $CODE = 503 ] && grep -q 'chmod 640' '$T/call.json'"
call_api PUT "$W" '{"ttl": 3, "records": ["192.0.2.66"]}'
check "restored with mode 0644: writes still 503 ($CODE)" error_is 503
chmod 600 "$T/scaidns.db"
check "restored: healthz 200" eventually 3 curl -sf "$URL/healthz"
check "restored: the write refused meanwhile is not there (nothing half-written)" test \
  "$(sqlite3 -cmd '.timeout 5000' "$T/scaidns.db" "SELECT count(*) FROM records WHERE content = '192.0.2.66'")" = 0
call_api PUT "$W" '{"ttl": 3, "records": ["192.0.2.3"]}'
check "restored: writes go through ($CODE)" test "$CODE" = 200
check "restored: the backend took up the file, PowerDNS serves the new record" \
  eventually 5 signed 192.0.2.3
api POST "$C/rotate-zsk" >/dev/null
wait_for 20 '[.zsk[] | select(.state == "active" or .state == "retired")] | length == 2'
ok "restored: the scheduler took up the file too: the ZSK rollover's first step ran"
check "restored: integrity and audit chain" db_ok

# --- immutable ---
if chattr +i "$T/scaidns.db" "$T/scaidns.db-wal" "$T/scaidns.db-shm" 2>"$T/chattr.err"; then
  call_api GET /healthz
  check "immutable: healthz 503 naming it ($(head -c 150 "$T/call.json"))" \
    bash -c "[ $CODE = 503 ] && grep -q 'cannot be written' '$T/call.json'"
  call_api PUT "$W" '{"ttl": 3, "records": ["192.0.2.4"]}'
  check "immutable: a write is 503 and says why ($CODE: $(head -c 200 "$T/call.json"))" \
    bash -c "[ $CODE = 503 ] && jq -e '.error | test(\"cannot be written\")' '$T/call.json'"
  check "immutable: PowerDNS goes on, signed" signed 192.0.2.3
  check "immutable: every process is still running" alive
  chattr -i "$T/scaidns.db" "$T/scaidns.db-wal" "$T/scaidns.db-shm"
  check "immutable no more: healthz 200" eventually 3 curl -sf "$URL/healthz"
  call_api PUT "$W" '{"ttl": 3, "records": ["192.0.2.4"]}'
  check "immutable no more: writes go through ($CODE)" test "$CODE" = 200
  check "and PowerDNS serves them" eventually 5 signed 192.0.2.4
else
  echo "SKIP immutable: chattr +i is not possible here: $(cat "$T/chattr.err")"
fi

# --- read-only by its mode, for scaidns-api running as another user ---
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
  api_kill
  chmod 711 "$T"
  chown nobody "$T/scaidns.db" "$T/scaidns.db-wal" "$T/scaidns.db-shm" "$T/seal.key.pub" \
    "$T/scaidns.conf"
  # the audit trail's key and anchor go with the keystore (scaidnsctl init made them)
  for f in "$T/seal.key.audit" "$T/scaidns.db.anchor"; do
    [ -e "$f" ] && chown nobody "$f"
  done
  chmod 0400 "$T/scaidns.db"
  setpriv --reuid=nobody --regid=nogroup --clear-groups "$BIN/scaidns-api" \
    --config "$T/scaidns.conf" 2>>"$T/api.log" &
  API_PID=$!
  PIDS+=($!)
  eventually 10 curl -s -o /dev/null "$URL/healthz" || true
  call_api GET /healthz
  check "read-only for its user: healthz 503 naming it ($(head -c 150 "$T/call.json"))" \
    bash -c "[ $CODE = 503 ] && grep -q 'read-only' '$T/call.json'"
  call_api PUT "$W" '{"ttl": 3, "records": ["192.0.2.5"]}'
  check "read-only: a write is 503 and says why ($CODE: $(head -c 200 "$T/call.json"))" \
    bash -c "[ $CODE = 503 ] && jq -e '.error | test(\"readonly|read-only\")' '$T/call.json'"
  chmod 0600 "$T/scaidns.db"
  check "writable again: healthz 200 without a restart" eventually 3 curl -sf "$URL/healthz"
  call_api PUT "$W" '{"ttl": 3, "records": ["192.0.2.5"]}'
  check "writable again: writes go through ($CODE)" test "$CODE" = 200
  check "and PowerDNS serves them" eventually 5 signed 192.0.2.5
  check "every process is still running" alive
else
  echo "SKIP read-only by mode: needs root, setpriv and the user nobody"
fi
check "the keystore is intact and its audit chain verifies" db_ok
check "no sanitizer report" bash -c "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' \
  '$T/api.log' '$T/backend.log'"
finish
