#!/usr/bin/env bash
# fault_busy.sh - the keystore locked by an admin's sqlite3 shell while scaidns-api,
# scaidns-backend and a primary pdns_server work (PowerDNS's communicator asks for updated
# zones every second and records each notification with setNotified, the backend's one
# write). While a write transaction is held for longer than the busy timeouts:
#   - API writes end in 503 with a JSON error and Retry-After after about 5 s (no hang, no
#     500), reads and /healthz answer at once, scaidnsctl says the keystore is busy;
#   - the backend answers setNotified {"result": false, "log": [...]} in well under PowerDNS's
#     2 s timeout (before the fix it waited 5 s and PowerDNS exited: "communicator thread
#     died"), and PowerDNS keeps answering signed queries without a pause;
#   - a rollover step due during the lock fails, is logged, and runs once the lock is gone.
# An exclusive lock (locking_mode=EXCLUSIVE) cannot be taken while the services are
# connected; taken while they are stopped, it makes their start fail with a message, and
# they start once it is gone. Afterwards every write goes through and the keystore is intact.
set -euo pipefail
. "$SCAIDNS_SRC/test/integration/lib/pdns.sh"
. "$SCAIDNS_SRC/test/integration/lib/unbound.sh"
. "$SCAIDNS_SRC/test/integration/lib/rollover.sh"
. "$SCAIDNS_SRC/test/integration/lib/faults.sh"
pdns_init
for tool in sqlite3 jq python3 curl; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed"; exit 1; }
done
NPORT=$(free_port)
rollover_world --notify "127.0.0.1:$NPORT"
api POST "$C/enable" '{"algorithm": 13}' >/dev/null
ctl dnssec confirm-ds child.sdtest >/dev/null
W=/api/v1/domains/child.sdtest./rrsets/www/A
ZID=$(sqlite3 "$T/scaidns.db" "SELECT id FROM zones WHERE name = 'child.sdtest.'")
serves() { [ "$(q www.child.sdtest. A +short)" = "$1" ]; }

api PUT "$W" '{"ttl": 3, "records": ["192.0.2.2"]}' >/dev/null
check "PowerDNS serves the first change" eventually 5 serves 192.0.2.2
# A change PowerDNS has not yet notified, then the lock: its next cycle calls setNotified.
api PUT "$W" '{"ttl": 3, "records": ["192.0.2.3"]}' >/dev/null
dig_loop_start www.child.sdtest. A
hold_lock 8
lock_start=$SECONDS

ctl dnssec rotate-ksk child.sdtest >"$T/ctl.out" 2>"$T/ctl.err" &
CTL_PID=$!
backend_ask "{\"method\":\"setNotified\",\"parameters\":{\"id\":$ZID,\"serial\":99}}" >"$T/sn.out"
check "backend: setNotified during the lock is {result: false} naming the busy keystore" \
  jq -e '.result == false and (.log[0] | test("busy"))' <(head -1 "$T/sn.out")
check "backend: it answers in under 1 s ($(tail -1 "$T/sn.out") s)" \
  awk -v s="$(tail -1 "$T/sn.out")" 'BEGIN { exit !(s < 1.0) }'
call_api GET "$C"
check "API read during the lock: 200 at once ($SECS s)" \
  awk -v c="$CODE" -v s="$SECS" 'BEGIN { exit !(c == 200 && s < 1) }'
call_api GET /healthz
check "healthz during the lock: 200 (busy is not broken)" test "$CODE" = 200
call_api PUT "$W" '{"ttl": 3, "records": ["192.0.2.4"]}'
check "API write during the lock: 503 with a JSON error (got $CODE: $(head -c 200 "$T/call.json"))" \
  error_is 503
check "the error says the keystore is busy" jq -e '.error | test("busy")' "$T/call.json"
check "Retry-After is set ($(retry_after))" test -n "$(retry_after)"
check "the write waited the busy timeout, no more ($SECS s)" \
  awk -v s="$SECS" 'BEGIN { exit !(s >= 3 && s < 7) }'
rc=0
wait "$CTL_PID" || rc=$?
check "scaidnsctl during the lock: non-zero exit and a message ($(head -c 120 "$T/ctl.err"))" \
  bash -c "[ $rc -ne 0 ] && grep -q busy '$T/ctl.err'"
release_lock
check "the lock was held for at least 7 s" test $((SECONDS - lock_start)) -ge 7
sleep 1
dig_loop_stop
n=$(wc -l <"$T/dig.log")
check "PowerDNS answered during the lock ($n answers)" test "$n" -ge 20
bad_answers=$(awk '!($2 == "NOERROR" && $3 >= 1 && ($4 == "192.0.2.2" || $4 == "192.0.2.3"))' "$T/dig.log")
check "every answer was signed and right: $(head -3 <<<"$bad_answers")" test -z "$bad_answers"
gap=$(awk 'NR > 1 { g = $1 - p; if (g > m) m = g } { p = $1 } END { printf "%.2f", m }' "$T/dig.log")
check "no answer took longer than 1.5 s (longest gap $gap s)" \
  awk -v g="$gap" 'BEGIN { exit !(g < 1.5) }'
check "pdns_server is still running" kill -0 "$PDNS_PID"
check "scaidns-backend is still running" kill -0 "$BACKEND_PID"
notified() {
  [ "$(sqlite3 -cmd '.timeout 5000' "$T/scaidns.db" "SELECT notified_serial FROM zones WHERE id = $ZID")" = \
    "$(q child.sdtest. SOA +short | awk '{ print $3 }')" ]
}
check "PowerDNS's notification of the change is recorded once the lock is gone" eventually 10 notified

call_api PUT "$W" '{"ttl": 3, "records": ["192.0.2.4"]}'
check "after the lock the write goes through ($CODE)" test "$CODE" = 200
check "and PowerDNS serves it" eventually 5 serves 192.0.2.4

# A rollover step due while the lock is held: it fails (logged) and runs after the lock.
api POST "$C/rotate-zsk" >/dev/null
due=$(state | jq -r '[.zsk[] | select(.state == "published")][0].activate_at')
due_s=$(date -u -d "$due" +%s)
while [ "$(date -u +%s)" -lt $((due_s - 1)) ]; do sleep 0.2; done
hold_lock 8
release_lock
check "the scheduler logged the step it could not take" grep -q 'step failed.*busy' "$T/api.log"
check "the ZSK is activated within 4 s of the lock's end" \
  eventually 4 bash -c "curl -s -H 'Authorization: Bearer $TOK' '$URL$C' |
    jq -e '[.zsk[] | select(.state == \"active\")] | length == 1 and .[0].activate_at >= \"$due\"' &&
    [ \"\$(sqlite3 -cmd '.timeout 5000' '$T/scaidns.db' \"SELECT count(*) FROM audit
      WHERE action = 'zsk-activate' AND outcome = 'ok'\")\" = 1 ]"

# EXCLUSIVE locking mode cannot be had while the services hold their connections.
rc=0
sqlite3 -cmd '.timeout 2000' "$T/scaidns.db" "PRAGMA locking_mode=EXCLUSIVE;" \
  "BEGIN EXCLUSIVE;" "UPDATE zones SET kind = kind;" "COMMIT;" >"$T/ex.out" 2>&1 || rc=$?
check "an exclusive lock is refused while the services are connected" \
  bash -c "[ $rc -ne 0 ] && grep -q locked '$T/ex.out'"
check "PowerDNS still answers" serves 192.0.2.4

# Taken while they are stopped, it makes their start fail, clearly; then they start.
pdns_stop
api_kill
kill "$BACKEND_PID"
wait "$BACKEND_PID" 2>/dev/null || true
hold_lock 9 "PRAGMA locking_mode=EXCLUSIVE;"
rc_b=0
rc_a=0
timeout 20 "$BIN/scaidns-backend" --config "$T/scaidns.conf" 2>"$T/b.err" &
B=$!
timeout 20 "$BIN/scaidns-api" --config "$T/scaidns.conf" 2>"$T/a.err" &
A=$!
wait "$B" || rc_b=$?
wait "$A" || rc_a=$?
check "scaidns-backend refuses to start on an exclusively locked keystore ($rc_b: $(head -c 150 "$T/b.err"))" \
  bash -c "[ $rc_b -ne 0 ] && [ $rc_b -ne 124 ] && grep -q busy '$T/b.err'"
check "scaidns-api refuses to start on an exclusively locked keystore ($rc_a: $(head -c 150 "$T/a.err"))" \
  bash -c "[ $rc_a -ne 0 ] && [ $rc_a -ne 124 ] && grep -q busy '$T/a.err'"
release_lock
backend_start
pdns_start
api_restart
call_api PUT "$W" '{"ttl": 3, "records": ["192.0.2.5"]}'
check "after the exclusive lock: writes go through ($CODE)" test "$CODE" = 200
check "and PowerDNS serves them" eventually 5 serves 192.0.2.5
check "the keystore is intact and its audit chain verifies" db_ok
check "no sanitizer report" bash -c "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' \
  '$T/api.log' '$T/backend.log' '$T/a.err' '$T/b.err'"
finish
