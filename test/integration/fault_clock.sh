#!/usr/bin/env bash
# fault_clock.sh - scaidns-api's wall clock stepped forward and back while it runs
# (libfaketime, offset read from a file at every call; the monotonic clock is left alone, as
# a real clock step leaves it), during ZSK rollovers watched by a validating unbound:
#   forward 1 h, once the new ZSK is published and seen: the step now due (activation) runs
#   at once, the next (removal) still waits its full retire wait after it, each runs once,
#   in order;
#   back 2 h, before the next activation: nothing runs early, nothing runs twice, no key goes
#   back to an earlier state, the API still writes, and the scheduler keeps passing every
#   interval (before the fix it slept on CLOCK_REALTIME and stalled for the size of the step,
#   here two hours);
#   forward again to where the clock was: the rollover completes.
# A webhook receiver runs throughout: an event queued while the clock is two hours back is
# delivered within seconds (the sender sleeps on the monotonic clock too; before the fix it
# waited for the wall clock to come back, here two hours).
# unbound validates every answer throughout; the audit chain verifies.
set -euo pipefail
. "$SCAIDNS_SRC/test/integration/lib/pdns.sh"
. "$SCAIDNS_SRC/test/integration/lib/unbound.sh"
. "$SCAIDNS_SRC/test/integration/lib/rollover.sh"
. "$SCAIDNS_SRC/test/integration/lib/faults.sh"
. "$SCAIDNS_SRC/test/integration/lib/hook.sh"
pdns_init
FAKETIME_LIB=$(ls /usr/lib/*/faketime/libfaketimeMT.so.1 2>/dev/null | head -1 || true)
[ -n "$FAKETIME_LIB" ] || { echo "FAIL: libfaketime is not installed (scripts/deps.sh)"; exit 1; }

# scaidns-api runs through a wrapper that gives it the clock of $T/clock ("+0", "+3600"...).
echo "+0" >"$T/clock"
mkdir "$T/bin"
ln -s "$BIN/scaidns-backend" "$T/bin/scaidns-backend"
cat >"$T/bin/scaidns-api" <<EOF
#!/bin/sh
LD_PRELOAD=$FAKETIME_LIB FAKETIME_TIMESTAMP_FILE=$T/clock FAKETIME_NO_CACHE=1 \\
FAKETIME_DONT_FAKE_MONOTONIC=1 ASAN_OPTIONS=\${ASAN_OPTIONS:+\$ASAN_OPTIONS:}verify_asan_link_order=0 \\
exec "$BIN/scaidns-api" "\$@"
EOF
chmod +x "$T/bin/scaidns-api"
BIN=$T/bin
set_clock() { echo "$1" >"$T/clock.tmp" && mv "$T/clock.tmp" "$T/clock"; }
api_now() { date -u -d "$(curl -s -D - -o /dev/null "$URL/healthz" | tr -d '\r' |
  sed -n 's/^Date: //p')" +%s; }
passes() { curl -s -H "Authorization: Bearer $TOK" "$URL/metrics" | awk '$1 == "scaidns_scheduler_passes_total" { print $2 }'; }
sql() { sqlite3 -cmd '.timeout 5000' "$T/scaidns.db" "$1"; }
steps() { sql "SELECT count(*) FROM audit WHERE actor = 'scheduler'"; }
keys_states() { sql "SELECT group_concat(id || ':' || state, ' ') FROM keys ORDER BY id"; }

hook_prepare
hook_start
rollover_setup --conf "${HOOK_CONF[0]}" --conf "${HOOK_CONF[1]}"
api POST "$C/enable" '{"algorithm": 13}' >/dev/null
publish_ds_and_confirm
sleep 1
child_querier_start

# --- forward one hour, once the new ZSK is published and its DNSKEY seen ---
api POST "$C/rotate-zsk" >/dev/null
sleep 3
t0=$(date -u +%s)
set_clock "+3600"
check "the API's clock stepped forward one hour" test $(($(api_now) - t0)) -ge 3590
wait_for 5 '([.zsk[] | select(.state == "active")] | length == 1) and
  ([.zsk[] | select(.state == "published")] | length == 0)'
ok "forward: the activation now due ran at once"
wait_for 20 "$TWO_KEYS_ACTIVE"
ok "forward: the rollover completed"
act=$(sql "SELECT at FROM audit WHERE action = 'zsk-activate' AND outcome = 'ok' ORDER BY id DESC LIMIT 1")
rem=$(sql "SELECT at FROM audit WHERE action = 'zsk-remove' AND outcome = 'ok' ORDER BY id DESC LIMIT 1")
check "forward: the removal still waited its retire wait (6 s) after the activation ($((rem - act)) s)" \
  test $((rem - act)) -ge 6
check "forward: ZSK steps in order, each once" test \
  "$(sql "SELECT group_concat(action, ' ') FROM (SELECT action FROM audit WHERE actor = 'scheduler' AND outcome = 'ok' AND action LIKE 'zsk-%' ORDER BY id)")" \
  = "zsk-activate zsk-remove"

# --- back two hours, before the next activation ---
api POST "$C/rotate-zsk" >/dev/null
set_clock "-3600"
check "the API's clock stepped back two hours" test $(($(api_now) - $(date -u +%s))) -le -3590
s0=$(steps)
k0=$(keys_states)
p0=$(passes)
sleep 7
check "back: no step ran (the activation is not due by this clock)" test "$(steps)" = "$s0"
check "back: no key changed state" test "$(keys_states)" = "$k0"
p1=$(passes)
check "back: the scheduler kept passing about every second, no more ($p0 -> $p1 passes in 7 s)" \
  test $((p1 - p0)) -ge 4 -a $((p1 - p0)) -le 20
call_api PUT /api/v1/domains/child.sdtest./rrsets/www/TXT '{"ttl": 3, "records": ["\"back\""]}'
check "back: the API still writes ($CODE)" test "$CODE" = 200
# An event queued now (as another connection would queue it) reaches the receiver at once.
sql "INSERT INTO webhook_outbox(created_at, event, zone, body) VALUES (strftime('%s', 'now'),
  'step_completed', 'child.sdtest.', '{\"event\":\"step_completed\",\"zone\":\"child.sdtest.\",\"message\":\"clock-back\"}')"
if hook_wait 4 '.body.message == "clock-back"'; then
  ok "back: a webhook event queued two hours \"earlier\" was delivered within 4 s"
else
  echo "FAIL: back: the webhook sender stalled after the clock stepped back"; exit 1
fi

# --- forward again to where the clock was: the rollover goes on ---
set_clock "+3600"
wait_for 20 "$TWO_KEYS_ACTIVE"
ok "the clock restored: the second rollover completed"
child_querier_verdict 60

dups=$(sql "SELECT action, json_extract(detail, '$.key_tag'), count(*) FROM audit WHERE actor = 'scheduler'
  AND outcome = 'ok' GROUP BY action, json_extract(detail, '$.key_tag') HAVING count(*) > 1")
check "no step ran twice: $dups" test -z "$dups"
check "four ZSK steps in all, in order" test \
  "$(sql "SELECT group_concat(action, ' ') FROM (SELECT action FROM audit WHERE actor = 'scheduler' AND outcome = 'ok' AND action LIKE 'zsk-%' ORDER BY id)")" \
  = "zsk-activate zsk-remove zsk-activate zsk-remove"
check "exactly the two old ZSKs removed" test \
  "$(sql "SELECT count(*) FROM keys WHERE state = 'removed' AND role = 'ZSK'")" = 2
check "the keystore is intact and its audit chain verifies" db_ok
check "no sanitizer report" bash -c "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' \
  '$T/api.log' '$T/backend.log'"
finish
