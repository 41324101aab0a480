#!/usr/bin/env bash
# api_pdns_e2e.sh - the hosted-provider flow end to end, with curl alone: create a zone, add
# records, enable DNSSEC, take the DS from the API's reply; a real pdns_server reading the
# keystore through scaidns-backend then serves answers that delv validates against exactly
# that DS; confirm the DS; after disable the answers carry no RRSIG.
set -euo pipefail
. "$SCAIDNS_SRC/test/integration/lib/pdns.sh"
pdns_init
command -v delv >/dev/null || { echo "FAIL: delv not installed (bind9-dnsutils)"; exit 1; }
PPORT=$(free_port)
sd_conf "default-ns=ns1.e2e.test." "default-soa-mail=hostmaster.e2e.test." "policy-dnskey-ttl=60" \
  "pdns-address=127.0.0.1:$PPORT" "pdns-control-socket=$T/pdns-run/pdns.controlsocket"
ctl init >/dev/null
TOK=$(ctl token create --name e2e \
  --scopes dnssec:read,dnssec:enable,dnssec:disable,dnssec:rotate,zones:read,zones:write)

# scaidns-api on a free loopback port
API_PORT=$(free_port)
"$BIN/scaidns-api" --config "$T/scaidns.conf" --api-listen="127.0.0.1:$API_PORT" --log-level=info \
  2>>"$T/api.log" &
PIDS+=($!)
URL=http://127.0.0.1:$API_PORT
for _ in $(seq 100); do curl -s -o /dev/null "$URL/healthz" && break; sleep 0.05; done

# api METHOD PATH [BODY]: prints the body; the status goes to $T/code.
api() {
  local args=(-s -o "$T/body" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $TOK")
  [ $# -ge 3 ] && args+=(-H 'Content-Type: application/json' --data-binary "$3")
  curl "${args[@]}" "$URL$2" >"$T/code" || true
  cat "$T/body"
}
status() { cat "$T/code"; }

backend_start
# short caches so that each change is served within a few seconds; no zone cache, so that a
# zone created through the API is found at once
pdns_conf "$PPORT" dnssec-key-cache-ttl=1 zone-metadata-cache-ttl=1 cache-ttl=1 \
  query-cache-ttl=1 negquery-cache-ttl=1 zone-cache-refresh-interval=0
pdns_start

Z=e2e.test
D=/api/v1/domains
api POST "$D" "{\"name\": \"$Z\"}" >/dev/null
check "zone created (201)" test "$(status)" = 201
api PUT "$D/$Z/rrsets/ns1/A" '{"ttl": 60, "records": ["127.0.0.1"]}' >/dev/null
check "ns1 A (200)" test "$(status)" = 200
api PUT "$D/$Z/rrsets/www/A" '{"ttl": 60, "records": ["192.0.2.80"]}' >/dev/null
check "www A (200)" test "$(status)" = 200

# waits up to 10 s for "$@" to succeed
eventually() {
  local what=$1; shift
  for _ in $(seq 40); do
    if "$@" >/dev/null 2>&1; then ok "$what"; return 0; fi
    sleep 0.25
  done
  bad "$what"
}
has_rrsig() { q "www.$Z." A +dnssec | grep -q 'RRSIG'; }
answers() { [ "$(q "www.$Z." A +short)" = 192.0.2.80 ]; }

eventually "PowerDNS serves the record added through the API" answers
check "unsigned before enable" bash -c "! dig @127.0.0.1 -p $PORT +norec +dnssec www.$Z. A | grep -q RRSIG"

api POST "$D/$Z/dnssec/enable" '{"algorithm": 13}' >"$T/enable.json"
check "enable (200)" test "$(status)" = 200
check "pending_ds" jq -e '.status == "pending_ds"' "$T/enable.json"
# anchor_from JSON FILE: a trust anchor file from the digest-type-2 DS records in JSON
anchor_from() {
  {
    echo "trust-anchors {"
    jq -r '.ds_records[] | select(.digest_type == 2) |
      "  \"\(.ds | split(" ")[0])\" static-ds \(.key_tag) \(.algorithm) \(.digest_type) \"\(.digest)\";"' "$1"
    echo "};"
  } >"$2"
}
# the trust anchor is the API's DS, nothing else
anchor_from "$T/enable.json" "$T/anchor-$Z."
check "anchor from the API's DS" grep -q static-ds "$T/anchor-$Z."
validated() { dv "$Z." "www.$Z." A | grep -q "fully validated"; }
eventually "answers carry RRSIG after enable" has_rrsig
eventually "delv validates www with the API's DS" validated
dv "$Z." "www.$Z." A >"$T/delv.out" || true
check "delv answer is the record" grep -q '192.0.2.80' "$T/delv.out"
# a DS that is not ours must not validate: the anchor really is what counts
sed 's/static-ds \([0-9]*\) 13 2 "\(.\)/static-ds \1 13 2 "0/' "$T/anchor-$Z." >"$T/anchor-bad"
if [ "$(sed -n 2p "$T/anchor-bad")" = "$(sed -n 2p "$T/anchor-$Z.")" ]; then
  sed -i 's/static-ds \([0-9]*\) 13 2 "0/static-ds \1 13 2 "1/' "$T/anchor-bad"
fi
check "a wrong DS does not validate" bash -c \
  "! delv @127.0.0.1 -p $PORT -a $T/anchor-bad +root=$Z. +tcp www.$Z. A 2>&1 | grep -q 'fully validated'"

api POST "$D/$Z/dnssec/confirm-ds-published" "{\"ds_records\": $(jq -c .ds_records "$T/enable.json")}" >"$T/confirm.json"
check "confirm (200, active)" jq -e '.status == "active"' "$T/confirm.json"
eventually "still validated when active" validated

# ZSK rollover: the new ZSK is published beside the old one; answers still validate
api POST "$D/$Z/dnssec/rotate-zsk" >"$T/rzsk.json"
check "rotate-zsk (200, rotating_zsk)" jq -e '.status == "rotating_zsk"' "$T/rzsk.json"
three_keys() { [ "$(q "$Z." DNSKEY +short | grep -c '^25[67] ')" = 3 ]; }
eventually "the new ZSK is served (3 DNSKEYs)" three_keys
eventually "validated during the ZSK rollover" validated

# KSK rollover on a second zone: the DS of the new KSK, as rotate-ksk returns it, validates
# at once (the new KSK signs the DNSKEY set beside the old one), and so does the old DS
Z2=ksk.e2e.test
api POST "$D" "{\"name\": \"$Z2\"}" >/dev/null
api PUT "$D/$Z2/rrsets/www/A" '{"ttl": 60, "records": ["192.0.2.81"]}' >/dev/null
api POST "$D/$Z2/dnssec/enable" '{"algorithm": 8}' >"$T/enable2.json"
check "enable RSA (200)" jq -e '.algorithm == 8' "$T/enable2.json"
api POST "$D/$Z2/dnssec/confirm-ds-published" "{\"ds_records\": $(jq -c .ds_records "$T/enable2.json")}" >/dev/null
# short waits for this zone (SOA minimum 1, DNSKEY TTL 1): the new DS may go up in seconds
api PUT "$D/$Z2/rrsets/@/SOA" '{"ttl": 60, "records": ["ns1.e2e.test. hostmaster.e2e.test. 5 10800 3600 604800 1"]}' >/dev/null
api PUT "$D/$Z2/dnssec/policy" '{"dnskey_ttl": 1, "propagation_delay": 0, "publish_safety": 2}' >/dev/null
api POST "$D/$Z2/dnssec/rotate-ksk" >"$T/rksk.json"
check "rotate-ksk (200, rotating_ksk)" jq -e '.status == "rotating_ksk"' "$T/rksk.json"
anchor_from "$T/rksk.json" "$T/anchor-$Z2."
validated2() { dv "$Z2." "www.$Z2." A | grep -q "fully validated"; }
eventually "delv validates with the new KSK's DS from rotate-ksk" validated2
anchor_from "$T/enable2.json" "$T/anchor-$Z2."
eventually "and still with the old DS" validated2
while [ "$(date -u +%s)" -lt "$(jq -r .ds_publish_after_unix "$T/rksk.json")" ]; do sleep 0.2; done
api POST "$D/$Z2/dnssec/confirm-ds-published" "{\"ds_records\": $(jq -c .ds_records "$T/rksk.json")}" >"$T/confirm2.json"
check "confirm the new DS (active)" jq -e '.status == "active"' "$T/confirm2.json"

# sync purges PowerDNS's caches and compares what it serves with the keystore.
api POST "$D/$Z/dnssec/sync" >"$T/sync.json"
check "sync: PowerDNS serves exactly the published keys (in_sync)" jq -e \
  '.in_sync == true and (.served_key_tags | sort) == ([.ksk[], .zsk[]] | map(select(.published)) | map(.key_tag) | sort) and .unknown_served_keys == []' "$T/sync.json"
api POST "$D/$Z/dnssec/disable" >"$T/disable.json"
check "disable (200)" jq -e '.status == "disabled"' "$T/disable.json"
unsigned() { ! has_rrsig && [ "$(q "$Z." DNSKEY +short | wc -l)" = 0 ]; }
eventually "after disable: no RRSIG, no DNSKEY" unsigned
check "after disable: the record is still served" answers
# PowerDNS down: sync answers 502 naming why, not a 200 with in_sync false
pdns_stop
api POST "$D/$Z2/dnssec/sync" >"$T/sync-down.json"
check "sync with PowerDNS down: 502 ($(status))" test "$(status)" = 502
check "sync with PowerDNS down: the reason, not a state" jq -e \
  '.code == 502 and (.error | test("the sync did not happen: PowerDNS")) and (has("in_sync") | not)' "$T/sync-down.json"
check "API log names the token, never the secret" bash -c \
  "grep -q 'dnssec/enable 200 .* token=e2e' $T/api.log && ! grep -qF -- '$TOK' $T/api.log"
finish
