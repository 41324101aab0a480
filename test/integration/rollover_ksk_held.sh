#!/usr/bin/env bash
# rollover_ksk_held.sh - a KSK rollover whose new DS never appears at the parent is held, not
# completed: scaidns asks the parent itself (parent-servers, a real parent zone on PowerDNS),
# the webhook receiver gets ds_to_publish, then rollover_held once ds_publish_after and the
# parent's propagation delay have passed (one event, not one per pass); the zone stays
# rotating_ksk with the old KSK in place and no confirmation; the evidence (the parent's
# answers) is in the events. When the DS finally appears the rollover goes on.
set -euo pipefail
. "$SCAIDNS_SRC/test/integration/lib/pdns.sh"
. "$SCAIDNS_SRC/test/integration/lib/rollover.sh"
. "$SCAIDNS_SRC/test/integration/lib/hook.sh"
pdns_init
hook_prepare
hook_start
rollover_world --parent-check --conf "${HOOK_CONF[0]}" --conf "${HOOK_CONF[1]}"
P=/api/v1/domains/sdtest./rrsets/child.sdtest./DS
db() { sqlite3 "$T/scaidns.db" "$@"; }
# parent_ds TAG...: the parent's DS RRset for the child becomes the digest-2 DS of those KSKs.
parent_ds() {
  local recs="" tag
  for tag in "$@"; do
    recs="$recs${recs:+, }$(ctl ds child.sdtest | awk -v t="$tag" '$4 == t && $6 == 2 { printf "\"%s %s %s %s\"", $4, $5, $6, $7 }')"
  done
  api PUT "$P" "{\"ttl\": 3, \"records\": [$recs]}" >/dev/null
}
held_rows() { db "SELECT count(*) FROM audit WHERE zone = 'child.sdtest.' AND action = 'parent-ds-wait'"; }

# 1. Go-live with the DS at the parent early: confirmed by the scheduler, nothing held.
api POST "$C/enable" '{"algorithm": 13}' >/dev/null
K1=$(state | jq -r '.ksk[0].key_tag')
parent_ds "$K1"
wait_for 20 '.status == "active"'
ok "go-live: the parent shows KSK $K1's DS, confirmed by the scheduler"

# 2. rotate-ksk: the operator is told the new DS, and never publishes it.
api POST "$C/rotate-ksk" >"$T/rot.json"
K2=$(jq -r .new_key.key_tag "$T/rot.json")
hook_wait 10 ".event == \"ds_to_publish\" and .sig_ok and any(.body.ds_records[]; .key_tag == $K2)" ||
  { echo "FAIL: no ds_to_publish for KSK $K2"; cat "$HOOK_LOG"; exit 1; }
ok "webhook: ds_to_publish names the new KSK $K2"
after=$(date -u -d "$(state | jq -r --argjson t "$K2" '.ksk[] | select(.key_tag == $t) | .ds_publish_after')" +%s)
[ "$(held_rows)" = 0 ] || { echo "FAIL: held before ds_publish_after"; exit 1; }
hook_wait 30 ".event == \"rollover_held\" and .sig_ok and .body.zone == \"child.sdtest.\" and
  .body.action == \"parent-ds-wait\" and .body.outcome == \"waiting\" and .body.detail.key_tag == $K2" ||
  { echo "FAIL: no rollover_held for the missing DS"; cat "$HOOK_LOG"; exit 1; }
got=$(hook_count '.event == "rollover_held"')
first=$(db "SELECT at FROM audit WHERE action = 'parent-ds-wait' ORDER BY id LIMIT 1")
[ "$first" -ge $((after + 1)) ] || { echo "FAIL: held at $first, before ds_publish_after $after + propagation 1"; exit 1; }
ok "webhook: rollover_held for KSK $K2 (held at $first, ds_publish_after $after + 1 s propagation)"

# 3. Time passes, the DS never comes: still rotating_ksk, the old KSK kept, no confirmation.
sleep 10
state >"$T/state.json"
jq -e --argjson k1 "$K1" --argjson k2 "$K2" '.status == "rotating_ksk" and
  (.ksk[] | select(.key_tag == $k2) | .ds_seen_at == null) and
  (.ksk[] | select(.key_tag == $k1) | .state == "active" and .remove_at == null)' "$T/state.json" >/dev/null ||
  { echo "FAIL: the rollover moved without the DS: $(jq -c '{status, ksk}' "$T/state.json")"; exit 1; }
[ "$(db "SELECT count(*) FROM audit WHERE zone = 'child.sdtest.' AND action = 'dnssec-confirm-ds'")" = 1 ] ||
  { echo "FAIL: a confirmation was recorded for the missing DS"; exit 1; }
ok "10 s later: still rotating_ksk, KSK $K2 unconfirmed, KSK $K1 active and not scheduled for removal"
[ "$(held_rows)" = 1 ] && [ "$(hook_count '.event == "rollover_held"')" = "$got" ] && [ "$got" = 1 ] ||
  { echo "FAIL: $(held_rows) parent-ds-wait rows, $(hook_count '.event == "rollover_held"') rollover_held events (one each expected)"; exit 1; }
ok "one parent-ds-wait row and one rollover_held event, not one per pass"
api GET "$C/events?limit=50" >"$T/events.json"
jq -e --argjson k1 "$K1" '[.events[] | select(.action == "parent-ds-wait")][0].detail |
  .servers_showing == 0 and (.parent | length == 1) and
  (.parent[0].ds | length == 1 and (.[0] | startswith("\($k1) ")))' "$T/events.json" >/dev/null ||
  { echo "FAIL: the evidence: $(jq -c '[.events[] | select(.action == "parent-ds-wait")]' "$T/events.json")"; exit 1; }
ok "events: the parent's answer (only KSK $K1's DS) kept as evidence"

# 4. The registrar publishes the new DS at last: confirmed, the rollover goes on.
parent_ds "$K1" "$K2"
wait_for 20 "[.ksk[] | select(.key_tag == $K2 and .ds_seen_at != null)] | length == 1"
ok "the DS appears: KSK $K2 confirmed by the scheduler"
finish
