#!/usr/bin/env bash
# api_http.sh - the scaidns-api HTTP suite: every endpoint, every status code, every field of
# the reference's examples (reference-dnssec.md), and the lifecycle state machine: every
# transition it allows and 409 (naming the status) for each one it refuses.
set -euo pipefail
. "${SCAIDNS_SRC:-$(dirname "$0")/../..}/test/integration/lib/api.sh"

api_init
ALL=dnssec:read,dnssec:enable,dnssec:disable,dnssec:rotate,zones:read,zones:write
TOK=$(api_token ops "$ALL")
READ=$(api_token reader dnssec:read,zones:read)
ENABLER=$(api_token enabler dnssec:read,dnssec:enable)
ROTATOR=$(api_token rotator dnssec:read,dnssec:rotate)
ONLY_A=$(api_token only-a "$ALL" a.example)
api_start --threads=4

RFC3339='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'
D=/api/v1/domains

# --- health, OpenAPI, unknown paths, methods ------------------------------------------------
expect 200 GET /healthz
jcheck healthz '.status == "ok" and .schema_version >= 1'
oas Health
expect 200 GET /api/v1/openapi.json
check "openapi served equals api/openapi.json" cmp -s "$OUT" "$SRC/api/openapi.json"
check "openapi content type" test "$(hdr Content-Type)" = application/json
expect 200 HEAD /healthz "" "" -I
check "HEAD has no body" bash -c "! grep -q status \"$OUT\""
expect 200 HEAD "$D" "$TOK" "" -I
expect 404 GET /nope "$TOK"
expect 404 GET /api/v2/domains "$TOK"
expect 405 PATCH "$D" "$TOK"
check "405 Allow header" test "$(hdr Allow)" = "GET, POST"
expect 405 GET "$D/x/dnssec/enable" "$TOK"
check "405 Allow POST" test "$(hdr Allow)" = "POST"
expect 405 DELETE "$D/x/dnssec" "$TOK"

# --- 401 -------------------------------------------------------------------------------------
expect 401 GET "$D"
check "401 WWW-Authenticate" test -n "$(hdr WWW-Authenticate)"
expect 401 GET "$D" "scai_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
expect 401 GET "$D" "" "" -H "Authorization: Basic b3BzOm9wcw=="
expect 401 GET "$D" "" "" -H "Authorization: Bearer"
GONE=$(api_token gone "$ALL")
expect 200 GET "$D" "$GONE"
ctl token revoke gone >/dev/null
expect 401 GET "$D" "$GONE"

# --- zones -------------------------------------------------------------------------------------
expect 201 POST "$D" "$TOK" '{"name": "Example.COM"}'
jcheck "zone fields" '(.id | test("^d_[0-9a-f]{16}$")) and .name == "example.com." and
  .keys_only == false and .dnssec_status == "disabled" and (.serial | type == "number")'
ZID=$(jf .id)
oas Zone
check "Location header" test "$(hdr Location)" = "$D/$ZID"
jcheck "created_at RFC 3339" ".created_at | test(\"$RFC3339\")"
expect 409 POST "$D" "$TOK" '{"name": "example.com."}'
expect 201 POST "$D" "$TOK" '{"name": "custom.example", "ns": ["ns1.custom.example", "ns2.other.example."], "soa_mail": "admin.custom.example"}'
expect 200 GET "$D/custom.example/rrsets" "$TOK"
jcheck "custom NS" '[.rrsets[] | select(.type == "NS") | .records[]] == ["ns1.custom.example.", "ns2.other.example."]'
jcheck "custom SOA" '.rrsets[] | select(.type == "SOA") | .records[0] | startswith("ns1.custom.example. admin.custom.example. ")'
expect 200 GET "$D/example.com/rrsets" "$TOK"
jcheck "default NS" '[.rrsets[] | select(.type == "NS") | .records[]] == ["ns1.example.net.", "ns2.example.net."]'
jcheck "default SOA mail" '.rrsets[] | select(.type == "SOA") | .records[0] | split(" ")[1] == "hostmaster.example.net."'
expect 201 POST "$D" "$TOK" '{"name": "keys.example", "keys_only": true}'
jcheck "keys_only zone" '.keys_only == true'
expect 409 PUT "$D/keys.example/rrsets/www/A" "$TOK" '{"records": ["192.0.2.1"]}'
expect 200 GET "$D" "$TOK"
jcheck "list" '[.domains[].name] == ["custom.example.", "example.com.", "keys.example."]'
oas ZoneList
jcheck "one page" '.next_after == null'
expect 200 GET "$D?limit=2" "$TOK"
jcheck "page 1 of 2" '[.domains[].name] == ["custom.example.", "example.com."] and .next_after == "example.com."'
oas ZoneList
expect 200 GET "$D?limit=2&after=example.com." "$TOK"
jcheck "page 2 of 2" '[.domains[].name] == ["keys.example."] and .next_after == null'
expect 400 GET "$D?limit=0" "$TOK"
expect 400 GET "$D?after=a..b" "$TOK"
expect 200 GET "$D/$ZID" "$TOK"
jcheck "get by id" ".id == \"$ZID\" and .name == \"example.com.\""
expect 200 GET "$D/EXAMPLE.com." "$TOK"
jcheck "get by name" ".id == \"$ZID\""
expect 404 GET "$D/d_0000000000000000" "$TOK"
expect 404 GET "$D/nothere.example" "$TOK"
expect 403 POST "$D" "$READ" '{"name": "r.example"}'
expect 204 DELETE "$D/custom.example" "$TOK"
expect 404 GET "$D/custom.example" "$TOK"
expect 404 DELETE "$D/custom.example" "$TOK"

# --- RRsets ------------------------------------------------------------------------------------
expect 200 GET "$D/$ZID" "$TOK"
S0=$(jf .serial)
expect 200 PUT "$D/$ZID/rrsets/www/A" "$TOK" '{"ttl": 300, "records": ["192.0.2.1", "192.0.2.2"]}'
jcheck "put reply" '.name == "www.example.com." and .type == "A" and .ttl == 300 and .records == ["192.0.2.1", "192.0.2.2"]'
oas RRset
expect 200 GET "$D/$ZID" "$TOK"
check "serial bumped by PUT" test "$(jf .serial)" -gt "$S0"
S1=$(jf .serial)
expect 200 PUT "$D/$ZID/rrsets/www.example.com./aaaa" "$TOK" '{"records": ["2001:DB8::1"]}'
jcheck "aaaa canonical, default ttl" '.type == "AAAA" and .ttl == 3600 and .records == ["2001:db8::1"]'
expect 200 PUT "$D/$ZID/rrsets/@/MX" "$TOK" '{"ttl": 600, "records": ["10 mail.example.com."]}'
expect 200 PUT "$D/$ZID/rrsets/txt/TXT" "$TOK" '{"records": ["\"v=spf1 -all\""]}'
expect 200 GET "$D/$ZID/rrsets" "$TOK"
oas RRsetList
jcheck "rrsets list" "[.rrsets[] | .name + \" \" + .type] == [\"example.com. MX\", \"example.com. NS\", \"example.com. SOA\", \"txt.example.com. TXT\", \"www.example.com. A\", \"www.example.com. AAAA\"] and .domain_id == \"$ZID\""
expect 400 PUT "$D/$ZID/rrsets/www/A" "$TOK" '{"records": ["not-an-address"]}'
expect 400 PUT "$D/$ZID/rrsets/www/DNSKEY" "$TOK" '{"records": ["257 3 13 AAAA"]}'
expect 400 PUT "$D/$ZID/rrsets/www.other.example./A" "$TOK" '{"records": ["192.0.2.1"]}'
expect 400 PUT "$D/$ZID/rrsets/www/NOTATYPE" "$TOK" '{"records": ["192.0.2.1"]}'
expect 204 DELETE "$D/$ZID/rrsets/txt/TXT" "$TOK"
expect 404 DELETE "$D/$ZID/rrsets/txt/TXT" "$TOK"
expect 400 DELETE "$D/$ZID/rrsets/@/SOA" "$TOK"
expect 200 GET "$D/$ZID" "$TOK"
check "serial bumped by DELETE" test "$(jf .serial)" -gt "$S1"
expect 403 PUT "$D/$ZID/rrsets/www/A" "$READ" '{"records": ["192.0.2.9"]}'
expect 404 PUT "$D/nothere.example/rrsets/www/A" "$TOK" '{"records": ["192.0.2.9"]}'

# --- zone-limited token --------------------------------------------------------------------------
expect 201 POST "$D" "$ONLY_A" '{"name": "a.example"}'
expect 403 POST "$D" "$ONLY_A" '{"name": "b.example"}'
expect 200 GET "$D" "$ONLY_A"
jcheck "only-a sees a.example only" '[.domains[].name] == ["a.example."]'
# other zones are answered as if they did not exist
expect 404 GET "$D/example.com" "$ONLY_A"
expect 404 GET "$D/example.com/dnssec" "$ONLY_A"
expect 404 POST "$D/example.com/dnssec/enable" "$ONLY_A"
expect 200 GET "$D/a.example/dnssec" "$ONLY_A"

# --- DNSSEC: the reference's fields ------------------------------------------------------------
expect 200 GET "$D/$ZID/dnssec" "$TOK"
oas DnssecState
jcheck "disabled state" '.enabled == false and .status == "disabled" and .ksk == [] and .zsk == [] and .ds_records == [] and .algorithm == null'
expect 403 POST "$D/$ZID/dnssec/enable" "$READ"
expect 403 POST "$D/$ZID/dnssec/enable" "$ROTATOR"
expect 403 GET "$D/$ZID/dnssec" "" "" -H "Authorization: Bearer $(api_token zw zones:write)"
expect 200 POST "$D/$ZID/dnssec/enable" "$TOK"
jcheck "enable reply" ".domain_id == \"$ZID\" and .action == \"enable\" and .message == \"DNSSEC enabled\" and .status == \"pending_ds\" and .algorithm == 13"
KEYF='(.key_tag | type == "number") and .algorithm == 13 and (.public_key | length > 40) and
  (.created_at | test($t)) and (.expires_at | test($t)) and .active == true and .published == true
  and .state == "active" and (.dnskey | test("^example\\.com\\. IN DNSKEY 25[67] 3 13 "))'
jq -e --arg t "$RFC3339" ".ksk | $KEYF and .key_type == \"KSK\" and .flags == 257" "$OUT" >/dev/null && ok || bad "enable ksk fields"
jq -e --arg t "$RFC3339" ".zsk | $KEYF and .key_type == \"ZSK\" and .flags == 256" "$OUT" >/dev/null && ok || bad "enable zsk fields"
jcheck "lifetimes 365/30 days" '((.ksk.expires_at | fromdate) - (.ksk.created_at | fromdate)) == 31536000 and ((.zsk.expires_at | fromdate) - (.zsk.created_at | fromdate)) == 2592000'
KSK1=$(jf .ksk.key_tag)
oas EnableResponse
jcheck "enable ds_records" "(.ds_records | length == 2) and all(.ds_records[]; .key_tag == $KSK1 and .algorithm == 13 and (.digest | test(\"^[0-9A-F]+\$\")) and .ds == \"example.com. IN DS \\(.key_tag) 13 \\(.digest_type) \\(.digest)\") and ([.ds_records[].digest_type] == [2, 4])"
DS_ENABLE=$(jq -c .ds_records "$OUT")
expect 200 GET "$D/$ZID/dnssec" "$READ"
oas DnssecState
jcheck "state after enable" ".enabled == true and .status == \"pending_ds\" and .algorithm == 13 and (.ksk | length) == 1 and (.zsk | length) == 1 and .ds_records == $DS_ENABLE"
jq -e --arg t "$RFC3339" ".ksk[0] | $KEYF and .key_type == \"KSK\"" "$OUT" >/dev/null && ok || bad "state ksk fields"
jq -e --arg t "$RFC3339" ".zsk[0] | $KEYF and .key_type == \"ZSK\"" "$OUT" >/dev/null && ok || bad "state zsk fields"
# the DS agrees with BIND's dnssec-dsfromkey on the DNSKEY we serve
if command -v dnssec-dsfromkey >/dev/null; then
  jf '.ksk[0].dnskey' | sed 's/ IN / 3600 IN /' >"$T/dnskey"
  want=$(dnssec-dsfromkey -2 -f "$T/dnskey" example.com | awk '{print $(NF-3), $(NF-2), $(NF-1), $NF}')
  got=$(jf '.ds_records[] | select(.digest_type == 2) | "\(.key_tag) \(.algorithm) \(.digest_type) \(.digest)"')
  check "DS matches dnssec-dsfromkey" test "$want" = "$got"
fi

# --- confirm-ds-published: validation and scopes ----------------------------------------------
expect 403 POST "$D/$ZID/dnssec/confirm-ds-published" "$ROTATOR" "{\"ds_records\": $DS_ENABLE}"
expect 400 POST "$D/$ZID/dnssec/confirm-ds-published" "$TOK" '{"ds_records": [{"key_tag": 1, "algorithm": 13, "digest_type": 2, "digest": "00"}]}'
jcheck "mismatch message" '.error | test("matches no current KSK")'
expect 400 POST "$D/$ZID/dnssec/confirm-ds-published" "$TOK" '{"ds_records": []}'
expect 200 GET "$D/$ZID/dnssec" "$TOK"
jcheck "still pending_ds" '.status == "pending_ds"'
# the objects exactly as GET returned them (with "ds") are accepted
expect 200 POST "$D/$ZID/dnssec/confirm-ds-published" "$ENABLER" "{\"ds_records\": $DS_ENABLE}"
oas ActionResponse
jcheck "confirm reply" ".domain_id == \"$ZID\" and .action == \"confirm-ds-published\" and .message == \"DS publication confirmed\" and .status == \"active\""
expect 200 GET "$D/$ZID/dnssec" "$TOK"
jcheck "ds_seen_at set" '.ksk[0].ds_seen_at | test("Z$")'

# --- rotate-zsk ------------------------------------------------------------------------------------
ZSK1=$(jf '.zsk[0].key_tag')
expect 403 POST "$D/$ZID/dnssec/rotate-zsk" "$ENABLER"
expect 200 POST "$D/$ZID/dnssec/rotate-zsk" "$ROTATOR"
oas RotateZskResponse
jcheck "rotate-zsk reply" ".domain_id == \"$ZID\" and .action == \"rotate-zsk\" and .status == \"rotating_zsk\" and .old_key.key_tag == $ZSK1 and .new_key.key_tag != $ZSK1 and .new_key.key_type == \"ZSK\" and .new_key.state == \"published\" and .new_key.active == false and (.new_key.activate_at | test(\"Z$\")) and (.old_key.retire_at | test(\"Z$\")) and (.old_key.remove_at | test(\"Z$\")) and .zsk == .new_key"
expect 200 GET "$D/$ZID/dnssec" "$TOK"
jcheck "two ZSKs" '.status == "rotating_zsk" and (.zsk | length) == 2'
# no PowerDNS runs here: the sync did not happen, and the answer says so (api_pdns_e2e: 200)
expect 502 POST "$D/$ZID/dnssec/sync" "$ROTATOR"
oas Error
jcheck "sync without PowerDNS: 502 naming why" '.code == 502 and (.error | test("the sync did not happen: PowerDNS"))'
expect 403 POST "$D/$ZID/dnssec/sync" "$READ"

# --- rotate-ksk on a zone that is active ------------------------------------------------------------
expect 201 POST "$D" "$TOK" '{"name": "k.example"}'
expect 200 POST "$D/k.example/dnssec/enable" "$TOK" '{"algorithm": 15}'
jcheck "ed25519" '.algorithm == 15 and .ksk.algorithm == 15 and .zsk.algorithm == 15'
expect 200 POST "$D/k.example/dnssec/confirm-ds-published" "$TOK" "{\"ds_records\": $(jq -c '[.ds_records[0] | {key_tag, algorithm, digest_type, digest}]' "$OUT")}"
expect 200 GET "$D/k.example/dnssec" "$TOK"
OLDK=$(jf '.ksk[0].key_tag')
# short waits for this zone: its new KSK's DS may go to the parent 6 s after rotate-ksk
expect 200 PUT "$D/k.example/rrsets/@/SOA" "$TOK" '{"ttl": 60, "records": ["ns1.example.net. hostmaster.example.net. 5 3600 600 86400 1"]}'
expect 200 PUT "$D/k.example/dnssec/policy" "$TOK" '{"dnskey_ttl": 1, "propagation_delay": 0, "publish_safety": 5}'
expect 200 POST "$D/k.example/dnssec/rotate-ksk" "$ROTATOR"
oas RotateKskResponse
jcheck "rotate-ksk reply" ".action == \"rotate-ksk\" and .status == \"rotating_ksk\" and .old_key.key_tag == $OLDK and .new_key.key_tag != $OLDK and .new_key.key_type == \"KSK\" and (.ds_records | length) == 2 and all(.ds_records[]; .key_tag == .key_tag and .algorithm == 15) and ([.ds_records[].key_tag] | unique) == [.new_key.key_tag]"
jcheck "rotate-ksk says when the DS may go to the parent" '.ds_publish_after == .new_key.ds_publish_after and (.ds_publish_after_unix | type == "number") and (.ds_publish_after_unix | todate) == .ds_publish_after and (.message | test("ds_publish_after"))'
READY=$(jf .ds_publish_after_unix)
NEWK=$(jf .new_key.key_tag)
DS_NEW=$(jq -c .ds_records "$OUT")
expect 200 GET "$D/k.example/dnssec" "$TOK"
oas DnssecState
jcheck "two KSKs, DS of both" "(.ksk | length) == 2 and ([.ds_records[].key_tag] | unique | sort) == ([$OLDK, $NEWK] | sort)"
DS_OLD=$(jq -c "[.ds_records[] | select(.key_tag == $OLDK)]" "$OUT")
expect 403 POST "$D/k.example/dnssec/confirm-ds-published" "$ENABLER" "{\"ds_records\": $DS_NEW}"
# confirming only the old DS: 409 naming the DS still awaited, nothing changed
sum=$(db_sum)
expect 409 POST "$D/k.example/dnssec/confirm-ds-published" "$ROTATOR" "{\"ds_records\": $DS_OLD}"
jcheck "old DS only: 409 naming the awaited KSK" ".status == \"rotating_ksk\" and (.error | test(\"awaits the DS of KSK $NEWK\"))"
# the new DS before its ds_publish_after: 409 naming ds_publish_after, nothing changed
expect 409 POST "$D/k.example/dnssec/confirm-ds-published" "$ROTATOR" "{\"ds_records\": $DS_NEW}"
jcheck "new DS too early: 409 naming ds_publish_after" '.status == "rotating_ksk" and (.error | test("ds_publish_after"))'
check "early confirmations change nothing" test "$(db_sum)" = "$sum"
while [ "$(date -u +%s)" -lt "$READY" ]; do sleep 0.2; done
expect 200 POST "$D/k.example/dnssec/confirm-ds-published" "$ROTATOR" "{\"ds_records\": $DS_NEW}"
jcheck "new DS from ds_publish_after: active" '.status == "active"'
expect 200 GET "$D/k.example/dnssec" "$TOK"
jcheck "old KSK removal scheduled, DS only of the new" "([.ksk[] | select(.key_tag == $OLDK) | .remove_at] | .[0] | test(\"Z\$\")) and ([.ds_records[].key_tag] | unique) == [$NEWK]"

# --- disable ------------------------------------------------------------------------------------------
expect 403 POST "$D/k.example/dnssec/disable" "$ROTATOR"
expect 200 POST "$D/k.example/dnssec/disable" "$TOK"
oas ActionResponse
jcheck "disable reply" '.action == "disable" and .message == "DNSSEC disabled" and .status == "disabled" and (.domain_id | startswith("d_"))'
expect 200 GET "$D/k.example/dnssec" "$TOK"
jcheck "disabled after disable" '.enabled == false and .ksk == [] and .zsk == [] and .ds_records == []'

# --- every algorithm ------------------------------------------------------------------------------------
for alg in 8 10 13 14 15; do
  expect 201 POST "$D" "$TOK" "{\"name\": \"alg$alg.example\"}"
  expect 200 POST "$D/alg$alg.example/dnssec/enable" "$TOK" "{\"algorithm\": $alg}"
  jcheck "algorithm $alg" ".algorithm == $alg and .ksk.algorithm == $alg and .zsk.algorithm == $alg and all(.ds_records[]; .algorithm == $alg)"
done
expect 400 POST "$D/alg13.example/dnssec/enable" "$TOK" '{"algorithm": 7}'

# --- the state machine: every action from every status ---------------------------------------------
# make_zone NAME STATUS: a fresh zone brought to STATUS through the API.
make_zone() {
  local z=$1 st=$2
  expect 201 POST "$D" "$TOK" "{\"name\": \"$z\"}"
  [ "$st" = disabled ] && return 0
  expect 200 POST "$D/$z/dnssec/enable" "$TOK"
  [ "$st" = pending_ds ] && return 0
  expect 200 POST "$D/$z/dnssec/confirm-ds-published" "$TOK" "{\"ds_records\": $(jq -c .ds_records "$OUT")}"
  case $st in
    rotating_ksk) expect 200 POST "$D/$z/dnssec/rotate-ksk" "$TOK" ;;
    rotating_zsk) expect 200 POST "$D/$z/dnssec/rotate-zsk" "$TOK" ;;
  esac
  expect 200 GET "$D/$z/dnssec" "$TOK"
  jcheck "$z is $st" ".status == \"$st\""
}
# the expected outcome of ACTION from STATUS: the new status, or 409 (a ZSK rollover runs while
# the first DS is awaited and pending_ds shows until it is confirmed; the new KSK's DS is refused
# right after rotate-ksk, before its ds_publish_after: k.example above waits for it)
declare -A NEXT=(
  [disabled:enable]=pending_ds [disabled:disable]=409 [disabled:rotate-zsk]=409
  [disabled:rotate-ksk]=409 [disabled:confirm-ds-published]=409
  [pending_ds:enable]=409 [pending_ds:disable]=disabled [pending_ds:rotate-zsk]=pending_ds
  [pending_ds:rotate-ksk]=409 [pending_ds:confirm-ds-published]=active
  [active:enable]=409 [active:disable]=disabled [active:rotate-zsk]=rotating_zsk
  [active:rotate-ksk]=rotating_ksk [active:confirm-ds-published]=409
  [rotating_ksk:enable]=409 [rotating_ksk:disable]=disabled [rotating_ksk:rotate-zsk]=409
  [rotating_ksk:rotate-ksk]=409 [rotating_ksk:confirm-ds-published]=409
  [rotating_zsk:enable]=409 [rotating_zsk:disable]=disabled [rotating_zsk:rotate-zsk]=409
  [rotating_zsk:rotate-ksk]=409 [rotating_zsk:confirm-ds-published]=409
)
n=0
for st in disabled pending_ds active rotating_ksk rotating_zsk; do
  for action in enable disable rotate-zsk rotate-ksk confirm-ds-published; do
    n=$((n + 1))
    z=sm$n.example
    make_zone "$z" "$st"
    body=''
    if [ "$action" = confirm-ds-published ]; then
      expect 200 GET "$D/$z/dnssec" "$TOK"
      # the DS of the newest KSK (or any well-formed DS when there is none)
      ds=$(jq -c '[.ds_records[-2:][] ] | if length == 0 then [{"key_tag": 1, "algorithm": 13, "digest_type": 2, "digest": "AA"}] else . end' "$OUT")
      body="{\"ds_records\": $ds}"
    fi
    before=$(db_sum)
    want=${NEXT[$st:$action]}
    if [ "$want" = 409 ]; then
      expect 409 POST "$D/$z/dnssec/$action" "$TOK" "$body"
      jcheck "409 names the status ($st $action)" ".status == \"$st\" and (.error | length > 0)"
      check "409 leaves the keystore as it was ($st $action)" test "$before" = "$(db_sum)"
    else
      expect 200 POST "$D/$z/dnssec/$action" "$TOK" "$body"
      expect 200 GET "$D/$z/dnssec" "$TOK"
      jcheck "$st --$action--> $want" ".status == \"$want\""
    fi
  done
done

# --- events -------------------------------------------------------------------------------------------
expect 200 GET "$D/k.example/dnssec/events" "$READ"
oas Events
jcheck "events newest first" '[.events[] | select(.actor != "scheduler") | .action][0:3] == ["dnssec-disable", "dnssec-confirm-ds", "dnssec-rotate-ksk"] and (.events | length) >= 6 and .next_before == null'
jcheck "event fields" "all(.events[]; (.id | type == \"number\") and (.at | test(\"$RFC3339\")) and (.actor | length > 0) and (.outcome | length > 0))"
jcheck "actors are token names" '[.events[].actor] | index("rotator") != null and index("ops") != null'
expect 200 GET "$D/k.example/dnssec/events?limit=2" "$READ"
jcheck "page 1" '(.events | length) == 2 and (.next_before | type == "number")'
NB=$(jf .next_before)
FIRST2=$(jq -c '[.events[].id]' "$OUT")
expect 200 GET "$D/k.example/dnssec/events?limit=2&before=$NB" "$READ"
jcheck "page 2 older" "(.events | length) == 2 and all(.events[]; .id < $NB) and ([.events[].id] != $FIRST2)"
expect 400 GET "$D/k.example/dnssec/events?limit=0" "$READ"
expect 400 GET "$D/k.example/dnssec/events?limit=abc" "$READ"
expect 400 GET "$D/k.example/dnssec/events?before=-1" "$READ"
expect 403 GET "$D/k.example/dnssec/events" "$(api_token zr zones:read)"

# --- 413 and 503 ----------------------------------------------------------------------------------------
head -c 70000 /dev/zero | tr '\0' ' ' >"$T/big"
expect 413 POST "$D" "$TOK" "" --data-binary @"$T/big" -H 'Content-Type: application/json'
expect 413 POST "$D" "$TOK" "" --data-binary @"$T/big" -H 'Transfer-Encoding: chunked'
expect 200 GET /healthz
# a writer holding the keystore past the busy timeout: 503 with Retry-After
(echo "BEGIN IMMEDIATE; INSERT INTO meta VALUES ('lock-test', 'x');"; sleep 7; echo "ROLLBACK;") | sqlite3 "$DB" &
LOCKER=$!
sleep 0.5
expect 503 POST "$D" "$TOK" '{"name": "busy.example"}'
check "Retry-After" test "$(hdr Retry-After)" = 1
expect 200 GET "$D/example.com/dnssec" "$TOK"   # readers are not blocked (WAL)
wait $LOCKER
expect 201 POST "$D" "$TOK" '{"name": "busy.example"}'

# --- the request log ----------------------------------------------------------------------------------------
check "a change is logged at info" grep -qE '^scaidns-api: info: POST /api/v1/domains/k\.example/dnssec/rotate-ksk 200 [0-9.]+ms token=rotator$' "$API_LOG"
check "a 401 is logged at warning, without token name" grep -qE '^scaidns-api: warning: GET /api/v1/domains 401 [0-9.]+ms token=-$' "$API_LOG"
for secret in "$TOK" "$READ" "$ROTATOR" "$ENABLER" "$GONE"; do
  check "the log never holds a token" bash -c "! grep -qF -- '$secret' '$API_LOG'"
done
check "audit chain intact" ctl audit verify

api_done
