#!/usr/bin/env bash
# rollover_served.sh - the served-data check with two PowerDNS servers in front of one keystore
# (auth-servers lists both). The second one keeps its DNSSEC key cache for an hour and the API
# cannot purge it (it knows only the first one's control socket). A ZSK rollover's next step is
# held while that server still serves the old DNSKEY set: the events show both servers'
# answers, one "waiting" row however many passes, the webhook says rollover_held, /metrics
# counts the held zone. Once its operator purges it, the step waits for cached answers to
# expire ("settling"), then runs with the answers as evidence. Then sync: the stale server is
# named (in_sync false) until it is purged, then in_sync.
set -euo pipefail
. "$SCAIDNS_SRC/test/integration/lib/pdns.sh"
. "$SCAIDNS_SRC/test/integration/lib/rollover.sh"
. "$SCAIDNS_SRC/test/integration/lib/hook.sh"
pdns_init
command -v pdns_control >/dev/null || { echo "SKIP: pdns_control not installed"; exit 0; }
hook_prepare
hook_start
rollover_world --second-pdns --conf "${HOOK_CONF[0]}" --conf "${HOOK_CONF[1]}"
A=127.0.0.1:$PORT
B=127.0.0.1:$PORT2
db() { sqlite3 "$T/scaidns.db" "$@"; }
dnskeys() { "$@" child.sdtest. DNSKEY +short | awk '{print $1}' | wc -l; }
served_rows() { db "SELECT count(*) FROM audit WHERE zone = 'child.sdtest.' AND action = 'served-check' AND outcome = '$1'"; }
metric() { curl -s -H "Authorization: Bearer $TOK" "$URL/metrics" | awk -v m="$1" '$1 == m {print $2}'; }

# 1. The child goes live; both servers serve its two keys (the second caches them now).
api POST "$C/enable" '{"algorithm": 13}' >/dev/null
publish_ds_and_confirm
wait_for 10 '.status == "active"'
[ "$(dnskeys q)" = 2 ] && [ "$(dnskeys q2)" = 2 ] ||
  { echo "FAIL: the servers do not both serve the two keys"; exit 1; }
ok "live: both servers serve the two keys"

# 2. ZSK rollover: the API purges the first server only; the second keeps the old set.
api POST "$C/rotate-zsk" >"$T/rot.json"
NEW=$(jq -r .new_key.key_tag "$T/rot.json")
OLD=$(jq -r .old_key.key_tag "$T/rot.json")
[ "$(dnskeys q)" = 3 ] && [ "$(dnskeys q2)" = 2 ] ||
  { echo "FAIL: expected 3 keys at the first server, 2 at the stale one"; exit 1; }
at=$(date -u -d "$(state | jq -r --argjson t "$NEW" '.zsk[] | select(.key_tag == $t) | .activate_at')" +%s)
while [ "$(date -u +%s)" -lt $((at + 4)) ]; do sleep 0.5; done
state | jq -e --argjson t "$NEW" '.zsk[] | select(.key_tag == $t) | .state == "published"' >/dev/null ||
  { echo "FAIL: the new ZSK signs although the second server does not serve it"; exit 1; }
[ "$(db "SELECT count(*) FROM audit WHERE zone = 'child.sdtest.' AND action = 'zsk-activate'")" = 0 ] ||
  { echo "FAIL: a zsk-activate step was taken"; exit 1; }
ok "the ZSK's activation is held past its time ($((at + 4)) > $at)"

api GET "$C/events?limit=50" >"$T/events.json"
jq -e --arg a "$A" --arg b "$B" --argjson new "$NEW" '
  [.events[] | select(.action == "served-check" and .outcome == "waiting")][0].detail as $d |
  $d.agree == false and any($d.expected.dnskey[]; . == $new) and
  ($d.servers | length == 2) and
  ($d.servers[] | select(.server == $a) | .agrees == true and (.dnskey | length == 3)) and
  ($d.servers[] | select(.server == $b) | .agrees == false and any(.differs[]; . == "dnskey") and
    .missing == [$new] and (.dnskey | length == 2))' "$T/events.json" >/dev/null ||
  { echo "FAIL: the events do not hold both servers' answers:"; jq -c '[.events[] | select(.action == "served-check")]' "$T/events.json"; exit 1; }
ok "events: a served-check 'waiting' row with both servers' answers (the second misses $NEW)"

# A row is written when the answers change (the stale server's SOA may still catch up at
# first), never for a pass that sees the same answers.
w1=$(served_rows waiting)
p1=$(metric scaidns_scheduler_passes_total)
sleep 6
w2=$(served_rows waiting)
p2=$(metric scaidns_scheduler_passes_total)
distinct=$(db "SELECT count(DISTINCT detail) FROM audit WHERE zone = 'child.sdtest.' AND action = 'served-check' AND outcome = 'waiting'")
[ "$w1" -le 2 ] && [ "$w2" = "$w1" ] && [ "$distinct" = "$w2" ] && [ "$p2" -gt "$p1" ] || {
  echo "FAIL: waiting rows $w1 then $w2 ($distinct distinct) over passes $p1..$p2:"
  db "SELECT at, json_extract(detail, '\$.servers') FROM audit WHERE zone = 'child.sdtest.' AND action = 'served-check' AND outcome = 'waiting'"
  exit 1; }
ok "$w2 waiting row(s), one per change of the answers, none for the $((p2 - p1)) passes of 6 s that saw the same"
[ "$(metric scaidns_scheduler_held_zones)" = 1 ] || { echo "FAIL: /metrics does not show the held zone"; exit 1; }
ok "/metrics: scaidns_scheduler_held_zones 1"
hook_wait 10 '.event == "rollover_held" and .sig_ok and .body.zone == "child.sdtest." and
  .body.action == "served-check" and (.body.detail.servers | length == 2)' ||
  { echo "FAIL: no rollover_held webhook for the served-data check"; cat "$HOOK_LOG"; exit 1; }
ok "webhook: rollover_held with the servers' answers"

# 3. The second server's operator purges it: the servers agree, the step runs after settling.
pdns2_purge
[ "$(dnskeys q2)" = 3 ] || { echo "FAIL: the purged server does not serve the new key"; exit 1; }
purged=$(date -u +%s)
wait_for 30 "[.zsk[] | select(.key_tag == $NEW and .state == \"active\")] | length == 1"
after=$(db "SELECT json_extract(detail, '\$.steps_after') FROM audit WHERE zone = 'child.sdtest.' AND action = 'served-check' AND outcome = 'settling' ORDER BY id DESC LIMIT 1")
act=$(db "SELECT at FROM audit WHERE zone = 'child.sdtest.' AND action = 'zsk-activate' AND outcome = 'ok'")
[ -n "$after" ] && [ "$after" -ge $((purged + 5)) ] && [ "$act" -ge "$after" ] ||
  { echo "FAIL: settling until '$after', activated at '$act', purged at $purged"; exit 1; }
ok "after the purge: settling until $after (publish/retire wait), activated at $act"
db "SELECT action || ' ' || outcome || ' ' || coalesce(json_extract(detail, '\$.agree'), '') FROM audit WHERE zone = 'child.sdtest.' AND action IN ('served-check', 'zsk-activate') AND id > (SELECT id FROM audit WHERE action = 'dnssec-rotate-zsk') AND id <= (SELECT id FROM audit WHERE action = 'zsk-activate') ORDER BY id" >"$T/seq.txt"
seq=$(tr '\n' '|' <"$T/seq.txt")
[[ $seq =~ ^(served-check\ waiting\ 0\|)+served-check\ settling\ 1\|served-check\ ok\ 1\|zsk-activate\ ok\ \|$ ]] ||
  { echo "FAIL: the rows from rotate-zsk to the step: $seq"; exit 1; }
api GET "$C/events?limit=50" >"$T/events.json"
jq -e '.events as $e | ($e | map(.action) | index("zsk-activate")) as $i |
  $e[$i + 1].action == "served-check" and $e[$i + 1].outcome == "ok" and
  ($e[$i + 1].detail.expected.cds | type == "array" and length == 1) and
  ($e[$i + 1].detail.servers | length == 2 and all(.[]; .agrees and (.dnskey | length == 3)))' \
  "$T/events.json" >/dev/null ||
  { echo "FAIL: the step's evidence is not the row before it:"; jq -c '.events[0:4]' "$T/events.json"; exit 1; }
ok "the step's evidence (both servers agreeing on DNSKEY, SOA serial and CDS) is the row just before it"

# 4. The old ZSK leaves; the second server keeps it in its cache. sync names it.
wait_for 30 "$TWO_KEYS_ACTIVE"
[ "$(dnskeys q2)" = 3 ] || { echo "FAIL: the second server is not stale after the removal"; exit 1; }
api POST "$C/sync" >"$T/sync.json"
jq -e --arg b "$B" --argjson old "$OLD" '.in_sync == false and (.served_key_tags | length == 2) and
  (.servers[] | select(.server == $b) | .agrees == false and .stale == [$old])' "$T/sync.json" >/dev/null ||
  { echo "FAIL: sync does not report the stale server: $(jq -c '{in_sync, served_key_tags, servers}' "$T/sync.json")"; exit 1; }
ok "sync: in_sync false, the second server still serves the removed ZSK $OLD"
pdns2_purge
api POST "$C/sync" >"$T/sync.json"
jq -e '.in_sync == true and (.servers | length == 2) and all(.servers[]; .agrees)' "$T/sync.json" >/dev/null ||
  { echo "FAIL: sync after the purge: $(jq -c '{in_sync, servers}' "$T/sync.json")"; exit 1; }
ok "sync after the second server's purge: in_sync"
[ "$(metric scaidns_scheduler_held_zones)" = 0 ] || { echo "FAIL: the zone still counts as held"; exit 1; }
finish
