#!/usr/bin/env bash
# fault_pdns_restart.sh - pdns_server stopped and started again at random moments of a ZSK
# and a KSK rollover (SEED=N reproduces them), a validating unbound asking throughout:
#   - both rollovers complete, each step once (the scheduler's purges that find PowerDNS
#     away are logged and harmless: a started PowerDNS has empty caches);
#   - unbound never fails validation: no answer without AD, no validation failure in its log
#     but for a query that failed while PowerDNS was away; it fails to answer (SERVFAIL,
#     timeout) only while PowerDNS is away and shortly after.
set -euo pipefail
. "$SCAIDNS_SRC/test/integration/lib/pdns.sh"
. "$SCAIDNS_SRC/test/integration/lib/unbound.sh"
. "$SCAIDNS_SRC/test/integration/lib/rollover.sh"
. "$SCAIDNS_SRC/test/integration/lib/faults.sh"
pdns_init
rollover_setup
SEED=${SEED:-$RANDOM}
RANDOM=$SEED
echo "     seed $SEED (SEED=$SEED reproduces the restart times)"
api POST "$C/enable" '{"algorithm": 13}' >/dev/null
publish_ds_and_confirm
sleep 1
: >"$T/windows"
child_querier_start

RESTARTS=0
# Restarts pdns_server after a random 0.5 .. 3.5 s, until the child's state satisfies the
# filter (or the time runs out).
restart_until() {
  local end=$((SECONDS + $1))
  while [ $SECONDS -lt $end ]; do
    state | jq -e "$2" >/dev/null && return 0
    sleep "$((RANDOM % 3)).$((5 + RANDOM % 5))"
    window_open
    pdns_stop
    pdns_start
    window_close
    RESTARTS=$((RESTARTS + 1))
  done
  echo "FAIL: after $1 s of restarts the state does not satisfy $2"; state | jq -c .; exit 1
}

api POST "$C/rotate-zsk" >/dev/null
restart_until 60 "$TWO_KEYS_ACTIVE"
ok "ZSK rollover completed through PowerDNS restarts"
api POST "$C/rotate-ksk" >/dev/null
window_open
pdns_stop
pdns_start
window_close
RESTARTS=$((RESTARTS + 1))
publish_ds_and_confirm
restart_until 60 "$TWO_KEYS_ACTIVE"
ok "KSK rollover completed through PowerDNS restarts"
echo "     pdns_server restarted $RESTARTS times"
sleep 4 # the answers cached during the last step expire and are asked again
querier_stop
querier_report
echo "     $Q_TOTAL answers from unbound, $Q_BAD not validated, the last" \
  "$(lateness "$T/q.log" "$UNBOUND_BAD") s after PowerDNS was back"
bogus=$(unbound_bogus 6)
check "unbound logged no validation failure but while a server was away: $(head -2 <<<"$bogus")" \
  test -z "$bogus"
wrong=$(awk '$4 == "NOERROR" && $5 != "ad"' "$T/q.log")
check "unbound never answered without validation: $(head -3 <<<"$wrong")" test -z "$wrong"
late=$(unexcused "$T/q.log" 6 "$UNBOUND_BAD")
check "unbound failed only while PowerDNS was away and within 6 s after: $(head -3 <<<"$late")" \
  test -z "$late"
check "unbound answered throughout ($Q_TOTAL answers)" test "$Q_TOTAL" -ge 50

dups=$(sqlite3 "$T/scaidns.db" "SELECT action, json_extract(detail, '$.key_tag'), count(*) FROM audit
  WHERE actor = 'scheduler' AND outcome = 'ok' GROUP BY 1, 2 HAVING count(*) > 1")
check "no step ran twice: $dups" test -z "$dups"
check "exactly the old ZSK and the old KSK removed" test "$(sqlite3 "$T/scaidns.db" \
  "SELECT count(*) FROM keys WHERE state = 'removed' AND zone_id =
    (SELECT id FROM zones WHERE name = 'child.sdtest.')")" = 2
check "the keystore is intact and its audit chain verifies" db_ok
check "no sanitizer report" bash -c "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' \
  '$T/api.log' '$T/backend.log'"
finish
