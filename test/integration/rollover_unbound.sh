#!/usr/bin/env bash
# rollover_unbound.sh - the test that carries the weight: real pdns_server + scaidns-backend,
# scaidns-api with its scheduler, a parent zone (served by the same PowerDNS) holding the
# child's DS, and a validating unbound that trusts only the parent and is asked without pause
# for several names and types of the child, its DNSKEY included, through:
#   go-live, a ZSK rollover, a KSK rollover (the parent's DS changed between rotate-ksk and
#   confirm), an algorithm rollover 8 -> 13, an aborted ZSK rollover, and an expiry-driven ZSK
#   rollover started by the scheduler alone.
# Every answer must be validated (AD bit), with zero SERVFAIL, unbound's cache kept throughout.
# TTLs are seconds, PowerDNS's caches 1 s, the policy's delays to match.
set -euo pipefail
. "$SCAIDNS_SRC/test/integration/lib/pdns.sh"
. "$SCAIDNS_SRC/test/integration/lib/unbound.sh"
. "$SCAIDNS_SRC/test/integration/lib/rollover.sh"
pdns_init
rollover_setup

# Go live: algorithm 8; the DS appears at the parent when scaidns says it may.
api POST "$C/enable" '{"algorithm": 8}' >/dev/null
publish_ds_and_confirm
sleep 1
child_querier_start
echo "ok   live; unbound is asked without pause from now on"

api POST "$C/rotate-zsk" >/dev/null
wait_for 60 "$TWO_KEYS_ACTIVE"
echo "ok   ZSK rollover finished by the scheduler"

api POST "$C/rotate-ksk" >/dev/null
publish_ds_and_confirm
wait_for 60 "$TWO_KEYS_ACTIVE"
echo "ok   KSK rollover finished"

api POST "$C/rotate-ksk" '{"algorithm": 13}' >/dev/null
publish_ds_and_confirm
wait_for 90 "$TWO_KEYS_ACTIVE and ([.ksk[], .zsk[]] | all(.algorithm == 13))"
echo "ok   algorithm rollover 8 -> 13 finished"

api POST "$C/rotate-zsk" >/dev/null
wait_for 30 '[.zsk[] | select(.state == "retired")] | length == 1' # the new ZSK signs
api POST "$C/abort" >/dev/null
wait_for 60 "$TWO_KEYS_ACTIVE"
echo "ok   ZSK rollover aborted after the new key signed; back to the old key"

api PUT "$C/policy" '{"zsk_lifetime": 20}' >/dev/null
api POST "$C/rotate-zsk" >/dev/null # the next ZSK lives 20 s: the scheduler must roll it
before=$(sqlite3 "$T/scaidns.db" "SELECT count(*) FROM audit WHERE actor = 'scheduler' AND action = 'dnssec-rotate-zsk'")
end=$((SECONDS + 90))
until [ "$(sqlite3 "$T/scaidns.db" "SELECT count(*) FROM audit WHERE actor = 'scheduler' AND action = 'dnssec-rotate-zsk'")" -gt "$before" ]; do
  [ $SECONDS -lt $end ] || { echo "FAIL: the scheduler never rolled the expiring ZSK"; exit 1; }
  sleep 0.5
done
wait_for 60 "$TWO_KEYS_ACTIVE"
echo "ok   expiring ZSK rolled by the scheduler alone"
child_querier_verdict 100
sqlite3 "$T/scaidns.db" "SELECT count(*) || ' steps by the scheduler' FROM audit WHERE actor = 'scheduler'"
ctl audit verify >/dev/null || { echo "FAIL: the audit trail does not verify"; exit 1; }
echo "7 passed, 0 failed"
