#!/usr/bin/env bash
# rollover_parent.sh - scaidns asks the parent itself (parent-servers): a DS is confirmed
# automatically once the parent shows it, and not before; in a KSK rollover the old KSK stays
# while the parent still shows its DS and goes once that DS is gone; the decisions are in the
# events with the parent's answers as evidence; disable is refused while the parent shows a DS
# (unless forced). unbound validates every answer meanwhile.
set -euo pipefail
. "$SCAIDNS_SRC/test/integration/lib/pdns.sh"
. "$SCAIDNS_SRC/test/integration/lib/unbound.sh"
. "$SCAIDNS_SRC/test/integration/lib/rollover.sh"
pdns_init
rollover_setup --parent-check
P=/api/v1/domains/sdtest./rrsets/child.sdtest./DS
audit_count() { sqlite3 "$T/scaidns.db" "SELECT count(*) FROM audit WHERE actor = 'scheduler' AND action = '$1' AND outcome = '${2:-ok}'"; }
# parent_ds TAG...: the parent's DS RRset for the child becomes the digest-2 DS of those KSKs.
parent_ds() {
  local recs="" tag
  for tag in "$@"; do
    recs="$recs${recs:+, }$(ctl ds child.sdtest | awk -v t="$tag" '$4 == t && $6 == 2 { printf "\"%s %s %s %s\"", $4, $5, $6, $7 }')"
  done
  api PUT "$P" "{\"ttl\": 3, \"records\": [$recs]}" >/dev/null
}
PASSED=0
pass() { PASSED=$((PASSED + 1)); echo "ok   $*"; }

# 1. Go-live: no DS at the parent -> no confirmation, even after ds_publish_after.
api POST "$C/enable" '{"algorithm": 13}' >/dev/null
K1=$(state | jq -r '.ksk[0].key_tag')
after=$(state | jq -r '.ksk[0].ds_publish_after')
while [ "$(date -u +%s)" -lt $(($(date -u -d "$after" +%s) + 4)) ]; do sleep 0.5; done
[ "$(state | jq -r .status)" = pending_ds ] || { echo "FAIL: confirmed without a DS at the parent"; exit 1; }
pass "no DS at the parent: still pending_ds after ds_publish_after"
parent_ds "$K1"
wait_for 20 '.status == "active"'
[ "$(audit_count dnssec-confirm-ds)" = 1 ] && [ "$(audit_count parent-ds-seen)" = 1 ] ||
  { echo "FAIL: the confirmation was not the scheduler's, with evidence"; exit 1; }
api GET "$C/events?limit=50" >"$T/events.json"
jq -e '[.events[] | select(.action == "parent-ds-seen")][0].detail.parent[0].ds | length == 1' "$T/events.json" >/dev/null ||
  { echo "FAIL: the evidence is not in the events"; jq -c '.events[0:3]' "$T/events.json"; exit 1; }
pass "the DS appeared at the parent: confirmed by the scheduler, the answers in the events"
sleep 1
child_querier_start

# 2. KSK rollover: the parent gets the new DS but keeps the old one for a while.
api POST "$C/rotate-ksk" >/dev/null
K2=$(state | jq -r '[.ksk[] | select(.ds_seen_at == null)][0].key_tag')
after=$(state | jq -r --argjson t "$K2" '.ksk[] | select(.key_tag == $t) | .ds_publish_after')
while [ "$(date -u +%s)" -lt "$(date -u -d "$after" +%s)" ]; do sleep 0.2; done
parent_ds "$K1" "$K2"
wait_for 20 "[.ksk[] | select(.key_tag == $K2 and .ds_seen_at != null)] | length == 1"
pass "new DS at the parent: confirmed by the scheduler"
sleep 12 # the old KSK's planned removal (5 s) passes while the parent still shows its DS
state | jq -e "[.ksk[] | select(.key_tag == $K1)] | length == 1" >/dev/null ||
  { echo "FAIL: the old KSK was removed while the parent still showed its DS"; exit 1; }
[ "$(audit_count ksk-remove postponed)" -ge 1 ] || { echo "FAIL: no postponement recorded"; exit 1; }
pass "old KSK kept while the parent still shows its DS (postponed, with the reason)"
parent_ds "$K2"
wait_for 30 "$TWO_KEYS_ACTIVE"
pass "old DS gone from the parent: the old KSK is removed"
child_querier_verdict 50

# 3. disable while the parent shows a DS: 409 naming it, through every route (the provider
#    view's PATCH too); after the DS is removed: 200.
code=$(curl -s -o "$T/dis.json" -w '%{http_code}' -X PATCH -H "Authorization: Bearer $TOK" \
  -H 'Content-Type: application/json' --data '{"enabled": false}' "$URL/dns/v2/zones/child.sdtest/dnssec")
[ "$code" = 409 ] && jq -e '.parent[0].ds | length == 1' "$T/dis.json" >/dev/null &&
  [ "$(state | jq '[.ksk[], .zsk[]] | length')" = 2 ] ||
  { echo "FAIL: the provider view's disable with a DS at the parent answered $code: $(cat "$T/dis.json")"; exit 1; }
pass "provider view: PATCH {\"enabled\": false} refused (409) while the parent shows a DS, keys kept"
code=$(curl -s -o "$T/dis.json" -w '%{http_code}' -X GET -H "Authorization: Bearer $TOK" "$URL/dns/v2/zones/child.sdtest/dnssec")
[ "$code" = 200 ] && jq -e '.status == "active" and .ds_confirmed == true' "$T/dis.json" >/dev/null ||
  { echo "FAIL: the provider view does not show the DS the scheduler confirmed: $(cat "$T/dis.json")"; exit 1; }
pass "provider view: the DS confirmed by the parent check shows as ds_confirmed"
code=$(curl -s -o "$T/dis.json" -w '%{http_code}' -X POST -H "Authorization: Bearer $TOK" "$URL$C/disable")
[ "$code" = 409 ] && jq -e '.parent[0].ds | length == 1' "$T/dis.json" >/dev/null ||
  { echo "FAIL: disable with a DS at the parent answered $code: $(cat "$T/dis.json")"; exit 1; }
pass "disable refused (409) while the parent shows a DS, naming it"
code=$(curl -s -o "$T/dis.json" -w '%{http_code}' -X POST -H "Authorization: Bearer $TOK" \
  -H 'Content-Type: application/json' --data '{"force": "yes"}' "$URL$C/disable")
[ "$code" = 400 ] || { echo "FAIL: force must be a boolean ($code)"; exit 1; }
api DELETE "$P" >/dev/null
api POST "$C/disable" >/dev/null
pass "DS removed at the parent: disable succeeds"
api POST "$C/enable" '{"algorithm": 13}' >/dev/null
parent_ds "$(state | jq -r '.ksk[0].key_tag')"
api POST "$C/disable" '{"force": true}' >/dev/null
[ "$(state | jq -r .status)" = disabled ] || { echo "FAIL: force did not disable"; exit 1; }
pass "disable {\"force\": true} disables despite the parent's DS"
echo "$PASSED passed, 0 failed"
