#!/usr/bin/env bash
# rollover_restart.sh - scaidns-api (and with it the scheduler) killed with SIGKILL at random
# moments during a ZSK and a KSK rollover, and started again each time: every rollover
# completes, no step runs twice, nothing is lost, and unbound validates every answer meanwhile.
set -euo pipefail
. "$SCAIDNS_SRC/test/integration/lib/pdns.sh"
. "$SCAIDNS_SRC/test/integration/lib/unbound.sh"
. "$SCAIDNS_SRC/test/integration/lib/rollover.sh"
pdns_init
rollover_setup
SEED=${SEED:-$RANDOM}
RANDOM=$SEED
echo "     seed $SEED (SEED=$SEED reproduces the kill times)"

api POST "$C/enable" '{"algorithm": 13}' >/dev/null
publish_ds_and_confirm
sleep 1
child_querier_start

KILLS=0
# Kills scaidns-api after a random 0.1 .. 2.0 s and starts it again at once, until the
# child's state satisfies the filter (or the time runs out).
kill_until() {
  local end=$((SECONDS + $1))
  while [ $SECONDS -lt $end ]; do
    state | jq -e "$2" >/dev/null && return 0
    sleep "$(printf '0.%02d' $((RANDOM % 100)))"
    sleep "$((RANDOM % 2))"
    api_kill
    KILLS=$((KILLS + 1))
    api_restart
  done
  echo "FAIL: after $1 s of kills the state does not satisfy $2"; state | jq -c .; exit 1
}

api POST "$C/rotate-zsk" >/dev/null
kill_until 90 "$TWO_KEYS_ACTIVE"
echo "ok   ZSK rollover completed through kills"

api POST "$C/rotate-ksk" >/dev/null
api_kill
KILLS=$((KILLS + 1))
api_restart
publish_ds_and_confirm
kill_until 90 "$TWO_KEYS_ACTIVE"
echo "ok   KSK rollover completed through kills"
echo "     scaidns-api killed $KILLS times"
child_querier_verdict 50

# No step ran twice: each key was activated, retired and removed at most once.
dups=$(sqlite3 "$T/scaidns.db" "SELECT action, detail, count(*) FROM audit WHERE actor = 'scheduler'
  AND outcome = 'ok' GROUP BY action, json_extract(detail, '$.key_tag') HAVING count(*) > 1")
[ -z "$dups" ] || { echo "FAIL: a step ran twice: $dups"; exit 1; }
echo "ok   no step ran twice"
[ "$(sqlite3 "$T/scaidns.db" 'PRAGMA integrity_check')" = ok ] || { echo "FAIL: integrity"; exit 1; }
ctl audit verify >/dev/null || { echo "FAIL: the audit trail does not verify"; exit 1; }
removed=$(sqlite3 "$T/scaidns.db" "SELECT count(*) FROM keys WHERE state = 'removed' AND zone_id =
  (SELECT id FROM zones WHERE name = 'child.sdtest.')")
[ "$removed" = 2 ] || { echo "FAIL: $removed keys removed, wanted the old ZSK and the old KSK"; exit 1; }
echo "ok   keystore intact, audit chain verifies, exactly the two old keys removed"
echo "4 passed, 0 failed"
