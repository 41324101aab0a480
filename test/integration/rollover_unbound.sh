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
pdns_init
PORT=$(free_port)
APORT=$(free_port)
sd_conf "pdns-control-socket=$T/pdns-run/pdns.controlsocket" "pdns-address=127.0.0.1:$PORT" \
  "api-listen=127.0.0.1:$APORT" "scheduler-interval=1" \
  "policy-dnskey-ttl=2" "policy-propagation-delay=2" "policy-publish-safety=1" \
  "policy-retire-safety=1" "policy-parent-ds-ttl=3" "policy-parent-propagation-delay=1"
ctl init >/dev/null
TOK=$(ctl token create --name rollover --scopes dnssec:read,dnssec:enable,dnssec:rotate,zones:read,zones:write)

cat >"$T/parent.zone" <<'Z'
$TTL 3
@          SOA ns1 hostmaster 1 3600 600 86400 2
@          NS  ns1
ns1        A   127.0.0.1
child      NS  ns1.child
ns1.child  A   127.0.0.1
Z
cat >"$T/child.zone" <<'Z'
$TTL 3
@      SOA  ns1 hostmaster 1 3600 600 86400 2
@      NS   ns1
ns1    A    127.0.0.1
www    A    192.0.2.1
www    AAAA 2001:db8::1
*.w    A    192.0.2.9
Z
ctl zone import sdtest "$T/parent.zone" >/dev/null
ctl zone import child.sdtest "$T/child.zone" >/dev/null
ctl dnssec enable sdtest >/dev/null
ctl dnssec confirm-ds sdtest >/dev/null

backend_start
pdns_conf "$PORT" cache-ttl=1 query-cache-ttl=1 negquery-cache-ttl=1 dnssec-key-cache-ttl=1 \
  zone-metadata-cache-ttl=1
pdns_start
"$BIN/scaidns-api" --config "$T/scaidns.conf" 2>>"$T/api.log" &
PIDS+=($!)
URL=http://127.0.0.1:$APORT
for _ in $(seq 100); do curl -s -o /dev/null "$URL/healthz" && break; sleep 0.1; done
unbound_start "$PORT" sdtest. child.sdtest.

C=/api/v1/domains/child.sdtest./dnssec
# api METHOD PATH [BODY]: the answer's body on stdout; fails the test on an error status.
api() {
  local code
  code=$(curl -s -o "$T/out.json" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $TOK" \
    ${3:+-H 'Content-Type: application/json' --data-binary "$3"} "$URL$2")
  if [ "${code:0:1}" != 2 ]; then
    echo "FAIL: $1 $2 -> $code: $(cat "$T/out.json")" >&2; exit 1
  fi
  cat "$T/out.json"
}
state() { api GET "$C"; }
# wait_for SECONDS JQ-FILTER: polls the zone's state until the filter is true.
wait_for() {
  local end=$((SECONDS + $1))
  while [ $SECONDS -lt $end ]; do
    state | jq -e "$2" >/dev/null && return 0
    sleep 0.5
  done
  echo "FAIL: after $1 s the zone's state does not satisfy $2:"; state | jq -c '{status, ksk: [.ksk[] | {key_tag, algorithm, state}], zsk: [.zsk[] | {key_tag, algorithm, state}]}'
  tail -5 "$T/api.log"; exit 1
}
# The parent's DS for the child becomes the DS (digest 2) of the KSK waiting for it, at the
# earliest time scaidns says, as a registrar would; then the operator confirms.
publish_ds_and_confirm() {
  local s tag after ds
  s=$(state)
  tag=$(jq -r '[.ksk[] | select(.ds_seen_at == null and .remove_at == null)][0].key_tag' <<<"$s")
  after=$(jq -r --argjson t "$tag" '.ksk[] | select(.key_tag == $t) | .ds_publish_after' <<<"$s")
  while [ "$(date -u +%s)" -lt "$(date -u -d "$after" +%s)" ]; do sleep 0.2; done
  ds=$(jq -c --argjson t "$tag" '[.ds_records[] | select(.key_tag == $t and .digest_type == 2)]' <<<"$s")
  api PUT "/api/v1/domains/sdtest./rrsets/child.sdtest./DS" \
    "{\"ttl\": 3, \"records\": [$(jq '.[0] | "\(.key_tag) \(.algorithm) \(.digest_type) \(.digest)"' <<<"$ds")]}" >/dev/null
  api POST "$C/confirm-ds-published" "{\"ds_records\": $ds}" >/dev/null
  echo "     DS $tag published at the parent and confirmed"
}
two_keys_active='(.status == "active") and ([.ksk[], .zsk[]] | length == 2)'

# Go live: algorithm 8; the DS appears at the parent when scaidns says it may.
api POST "$C/enable" '{"algorithm": 8}' >/dev/null
publish_ds_and_confirm
sleep 1
querier_start "www.child.sdtest. A" "child.sdtest. DNSKEY" "nx.child.sdtest. A" \
  "www.child.sdtest. TXT" "a.w.child.sdtest. A" "child.sdtest. SOA"
echo "ok   live; unbound is asked without pause from now on"

api POST "$C/rotate-zsk" >/dev/null
wait_for 60 "$two_keys_active"
echo "ok   ZSK rollover finished by the scheduler"

api POST "$C/rotate-ksk" >/dev/null
publish_ds_and_confirm
wait_for 60 "$two_keys_active"
echo "ok   KSK rollover finished"

api POST "$C/rotate-ksk" '{"algorithm": 13}' >/dev/null
publish_ds_and_confirm
wait_for 90 "$two_keys_active and ([.ksk[], .zsk[]] | all(.algorithm == 13))"
echo "ok   algorithm rollover 8 -> 13 finished"

api POST "$C/rotate-zsk" >/dev/null
wait_for 30 '[.zsk[] | select(.state == "retired")] | length == 1' # the new ZSK signs
api POST "$C/abort" >/dev/null
wait_for 60 "$two_keys_active"
echo "ok   ZSK rollover aborted after the new key signed; back to the old key"

api PUT "$C/policy" '{"zsk_lifetime": 20}' >/dev/null
api POST "$C/rotate-zsk" >/dev/null # the next ZSK lives 20 s: the scheduler must roll it
before=$(sqlite3 "$T/scaidns.db" "SELECT count(*) FROM audit WHERE actor = 'scheduler' AND action = 'dnssec-rotate-zsk'")
end=$((SECONDS + 90))
until [ "$(sqlite3 "$T/scaidns.db" "SELECT count(*) FROM audit WHERE actor = 'scheduler' AND action = 'dnssec-rotate-zsk'")" -gt "$before" ]; do
  [ $SECONDS -lt $end ] || { echo "FAIL: the scheduler never rolled the expiring ZSK"; exit 1; }
  sleep 0.5
done
wait_for 60 "$two_keys_active"
echo "ok   expiring ZSK rolled by the scheduler alone"
sleep 4 # answers cached during the last step expire and are asked again
querier_stop
querier_report
echo "     $Q_TOTAL answers from unbound, $Q_BAD not validated, $Q_SERVFAIL SERVFAIL"
sqlite3 "$T/scaidns.db" "SELECT count(*) || ' steps by the scheduler' FROM audit WHERE actor = 'scheduler'"
if [ "$Q_BAD" -ne 0 ] || [ "$Q_TOTAL" -lt 100 ]; then
  querier_show_bad
  echo "FAIL: validation broke during a rollover (or too few answers)"
  exit 1
fi
ctl audit verify >/dev/null || { echo "FAIL: the audit trail does not verify"; exit 1; }
echo "7 passed, 0 failed"
