#!/usr/bin/env bash
# api_provider_view.sh - the provider-compatible view (../shared/peer-gcore-dnssec.md), the
# provider's flow: create a zone, PATCH {"enabled": true}, GET .../dnssec; every field must
# agree with the DS that `scaidnsctl ds` prints and that ldns-key2ds computes from the zone's
# DNSKEY; PATCH {"enabled": false}; both PATCHes idempotent; scopes and bad input.
set -euo pipefail
. "${SCAIDNS_SRC:-$(dirname "$0")/../..}/test/integration/lib/api.sh"

api_init
ALL=dnssec:read,dnssec:enable,dnssec:disable,dnssec:rotate,zones:read,zones:write
TOK=$(api_token ops "$ALL")
READ=$(api_token reader dnssec:read)
ENABLER=$(api_token enabler dnssec:read,dnssec:enable)
DISABLER=$(api_token disabler dnssec:read,dnssec:disable)
OTHER=$(api_token other "$ALL" other.example)
api_start --threads=2
V=/dns/v2/zones

expect 201 POST /api/v1/domains "$TOK" '{"name":"example.com"}'
expect 404 GET "$V/example.com/dnssec" "$TOK"
jcheck "404 says DNSSEC is not enabled" '.error | test("not enabled")'
expect 404 GET "$V/nope.example/dnssec" "$TOK"
expect 404 PATCH "$V/nope.example/dnssec" "$TOK" '{"enabled":true}'

# scopes: reader cannot PATCH; enabler cannot disable; disabler cannot enable; zone limits.
expect 401 GET "$V/example.com/dnssec"
expect 401 PATCH "$V/example.com/dnssec" "" '{"enabled":true}'
expect 403 PATCH "$V/example.com/dnssec" "$READ" '{"enabled":true}'
expect 403 PATCH "$V/example.com/dnssec" "$DISABLER" '{"enabled":true}'
expect 404 PATCH "$V/example.com/dnssec" "$OTHER" '{"enabled":true}'
expect 404 GET "$V/example.com/dnssec" "$OTHER"
# bad input: nothing changes
sum=$(db_sum)
for body in '' '{}' '{"enabled":1}' '{"enabled":"true"}' '{"enabled":null}' '{"enabled":true,"x":1}' '[true]' '{"enabled":tru'; do
  expect 400 PATCH "$V/example.com/dnssec" "$TOK" "$body"
done
check "refusals leave the keystore unchanged" test "$(db_sum)" = "$sum"

# enable
expect 200 PATCH "$V/example.com/dnssec" "$ENABLER" '{"enabled":true}'
oas ProviderDnssec
cp "$OUT" "$T/patch.json"
jcheck "the provider's fields and the real state" \
  '(keys) == ["algorithm","digest","digest_algorithm","digest_type","ds","ds_confirmed","ds_publish_after","ds_publish_after_unix","enabled","flags","key_tag","key_type","public_key","status"]'
jcheck "pending_ds: the DS with the moment from which it may be published, not confirmed" \
  '.enabled == true and .status == "pending_ds" and .ds_confirmed == false and (.ds_publish_after_unix | todate) == .ds_publish_after'
jcheck "types and constants" '(.algorithm == "13") and .digest_algorithm == "SHA256" and .digest_type == "2"
  and .flags == 257 and (.key_tag | type == "number") and .key_type == "ECDSAP256SHA256"
  and (.digest | test("^[0-9A-F]{64}$")) and (.public_key | length > 40)'
jcheck "ds line: name, TTL, IN DS, tag, alg, 2, digest" \
  '.ds == "example.com. 86400 IN DS \(.key_tag) 13 2 \(.digest)"'
expect 200 GET "$V/example.com/dnssec" "$READ"
oas ProviderDnssec
check "GET answers what PATCH answered" cmp -s "$OUT" "$T/patch.json"
# the native view agrees and the zone waits for its DS
call GET /api/v1/domains/example.com/dnssec "$TOK"
check "native status pending_ds" test "$(jf .status)" = pending_ds
ksk_tag=$(jf '.ksk[0].key_tag')
dnskey=$(jf '.ksk[0].dnskey')
expect 200 GET "$V/example.com/dnssec" "$TOK"
check "key_tag is the KSK's" test "$(jf .key_tag)" = "$ksk_tag"
# scaidnsctl ds prints the same SHA-256 DS (without TTL)
ctl_ds=$(ctl ds example.com | awk '$5 == 2 || $6 == 2' | head -1)
check "scaidnsctl ds prints the digest ($ctl_ds)" bash -c "echo '$ctl_ds' | grep -q '$(jf .digest)'"
check "scaidnsctl ds names the same tag" bash -c "echo '$ctl_ds' | grep -q ' DS $(jf .key_tag) 13 2 '"
# ldns-key2ds computes the same DS from the DNSKEY
if command -v ldns-key2ds >/dev/null; then
  (cd "$T" && echo "$dnskey" >Kexample.key && ldns-key2ds -n -2 Kexample.key >key2ds.out)
  want=$(awk '{print toupper($NF)}' "$T/key2ds.out")
  check "ldns-key2ds digest ($want) matches" test "$want" = "$(jf .digest)"
  check "ldns-key2ds tag matches" test "$(awk '{print $(NF-3)}' "$T/key2ds.out")" = "$(jf .key_tag)"
else
  echo "note: ldns-key2ds missing: DS not checked against ldns"
fi

# idempotent enable: same view, no new keys, no audit row
sum=$(db_sum)
expect 200 PATCH "$V/example.com/dnssec" "$TOK" '{"enabled":true}'
check "second enable answers the same view" cmp -s "$OUT" "$T/patch.json"
check "second enable changes nothing" test "$(db_sum)" = "$sum"

# the way out of pending_ds in this view: the DS shown is at the parent
expect 400 PATCH "$V/example.com/dnssec" "$TOK" '{"enabled":true,"ds_published":"yes"}'
expect 400 PATCH "$V/example.com/dnssec" "$TOK" '{"enabled":false,"ds_published":true}'
expect 400 PATCH "$V/example.com/dnssec" "$TOK" '{"enabled":true,"ds_removed":true}'
expect 200 PATCH "$V/example.com/dnssec" "$ENABLER" '{"enabled":true,"ds_published":true}'
oas ProviderDnssec
jcheck "ds_published confirms: active" '.status == "active" and .ds_confirmed == true and .enabled == true'
sum=$(db_sum)
expect 200 PATCH "$V/example.com/dnssec" "$ENABLER" '{"enabled":true,"ds_published":true}'
check "confirming again changes nothing" test "$(db_sum)" = "$sum"
call GET "/api/v1/domains/example.com/dnssec/events?limit=5" "$TOK"
check "the confirmation is audited as the enabler's" bash -c "jq -e '[.events[] | select(.action == \"dnssec-confirm-ds\" and .actor == \"enabler\")] | length == 1' '$OUT' >/dev/null"

# after a KSK rollover the view shows the new KSK, and when its DS may go to the parent
expect 200 POST /api/v1/domains/example.com/dnssec/rotate-ksk "$TOK"
new_tag=$(jf .new_key.key_tag)
ready=$(jf .ds_publish_after)
expect 200 GET "$V/example.com/dnssec" "$TOK"
oas ProviderDnssec
check "during a KSK rollover the view shows the new KSK" test "$(jf .key_tag)" = "$new_tag"
check "new KSK differs from the old" test "$new_tag" != "$ksk_tag"
jcheck "rotating_ksk, the new DS not confirmed, its ds_publish_after shown" \
  ".status == \"rotating_ksk\" and .ds_confirmed == false and .ds_publish_after == \"$ready\""
sum=$(db_sum)
expect 403 PATCH "$V/example.com/dnssec" "$ENABLER" '{"enabled":true,"ds_published":true}'
expect 409 PATCH "$V/example.com/dnssec" "$TOK" '{"enabled":true,"ds_published":true}'
jcheck "the new DS before ds_publish_after: 409 naming it" '.error | test("ds_publish_after")'
check "refused confirmations change nothing" test "$(db_sum)" = "$sum"

# disable (idempotent)
expect 403 PATCH "$V/example.com/dnssec" "$ENABLER" '{"enabled":false}'
expect 200 PATCH "$V/example.com/dnssec" "$DISABLER" '{"enabled":false}'
oas ProviderDisabled
jcheck "disable answers enabled false" '. == {"enabled": false}'
call GET /api/v1/domains/example.com/dnssec "$TOK"
check "native status disabled" test "$(jf .status)" = disabled
expect 404 GET "$V/example.com/dnssec" "$TOK"
sum=$(db_sum)
expect 200 PATCH "$V/example.com/dnssec" "$TOK" '{"enabled":false}'
jcheck "second disable answers enabled false" '. == {"enabled": false}'
check "second disable changes nothing" test "$(db_sum)" = "$sum"
# and on again: a new KSK
expect 200 PATCH "$V/example.com/dnssec" "$TOK" '{"enabled":true}'
check "re-enabled with another KSK" test "$(jf .key_tag)" != "$ksk_tag"
expect 200 GET "$V/EXAMPLE.com./dnssec" "$TOK"
check "name in any case, trailing dot" test "$(jf .ds | cut -d' ' -f1)" = example.com.
expect 405 POST "$V/example.com/dnssec" "$TOK"
check "405 Allow" test "$(hdr Allow)" = "GET, PATCH"

# policy cds_delete: disabling first (CDS DELETE, still signed), and the view says so; repeating
# the PATCH does not skip the wait; ds_removed (the parent dropped the DS) finishes it
expect 201 POST /api/v1/domains "$TOK" '{"name":"cds.example"}'
expect 200 PUT /api/v1/domains/cds.example/dnssec/policy "$TOK" '{"cds_delete": true}'
expect 200 PATCH "$V/cds.example/dnssec" "$TOK" '{"enabled":true}'
# while the first DS is awaited a ZSK rollover may run (nothing at the parent depends on it)
expect 200 POST /api/v1/domains/cds.example/dnssec/rotate-zsk "$TOK"
jcheck "rotate-zsk in pending_ds" '.status == "pending_ds" and .new_key.state == "published"'
expect 409 POST /api/v1/domains/cds.example/dnssec/rotate-zsk "$TOK"
jcheck "one ZSK rollover at a time" '.error | test("already under way")'
expect 200 PATCH "$V/cds.example/dnssec" "$TOK" '{"enabled":true,"ds_published":true}'
jcheck "confirmed: the ZSK rollover shows" '.status == "rotating_zsk" and .ds_confirmed == true'
keys_before=$(sqlite3 "$DB" "SELECT count(*) FROM keys k JOIN zones z ON z.id = k.zone_id WHERE z.name = 'cds.example.' AND k.state <> 'removed'")
expect 202 PATCH "$V/cds.example/dnssec" "$DISABLER" '{"enabled":false}'
oas ProviderDnssec
jcheck "disable with cds_delete: 202, the real state (disabling, still enabled)" '.status == "disabling" and .enabled == true'
sum=$(db_sum)
expect 202 PATCH "$V/cds.example/dnssec" "$DISABLER" '{"enabled":false}'
jcheck "second disable: still disabling" '.status == "disabling"'
check "second disable changes nothing (no key removed)" test "$(db_sum)" = "$sum"
check "every key still there" test "$(sqlite3 "$DB" "SELECT count(*) FROM keys k JOIN zones z ON z.id = k.zone_id WHERE z.name = 'cds.example.' AND k.state <> 'removed'")" = "$keys_before"
expect 200 GET "$V/cds.example/dnssec" "$READ"
jcheck "GET shows disabling" '.status == "disabling"'
expect 200 PATCH "$V/cds.example/dnssec" "$DISABLER" '{"enabled":false,"ds_removed":true}'
jcheck "ds_removed finishes: enabled false" '. == {"enabled": false}'
call GET /api/v1/domains/cds.example/dnssec "$TOK"
check "native status disabled" test "$(jf .status)" = disabled
call GET "/api/v1/domains/example.com/dnssec/events?limit=20" "$TOK"
check "audit rows name the token" bash -c "jq -e '[.events[] | select(.actor == \"enabler\" or .actor == \"disabler\" or .actor == \"ops\")] | length >= 4' '$OUT' >/dev/null"
api_done
