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
jcheck "exactly the provider's fields" \
  '(keys) == ["algorithm","digest","digest_algorithm","digest_type","ds","flags","key_tag","key_type","public_key"]'
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

# after a KSK rollover the view shows the new KSK
expect 200 POST /api/v1/domains/example.com/dnssec/confirm-ds-published "$TOK" \
  "{\"ds_records\":[{\"ds\":\"$(jq -r .ds "$T/patch.json")\"}]}"
expect 200 POST /api/v1/domains/example.com/dnssec/rotate-ksk "$TOK"
new_tag=$(jf .new_key.key_tag)
expect 200 GET "$V/example.com/dnssec" "$TOK"
check "during a KSK rollover the view shows the new KSK" test "$(jf .key_tag)" = "$new_tag"
check "new KSK differs from the old" test "$new_tag" != "$ksk_tag"

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
call GET "/api/v1/domains/example.com/dnssec/events?limit=20" "$TOK"
check "audit rows name the token" bash -c "jq -e '[.events[] | select(.actor == \"enabler\" or .actor == \"disabler\" or .actor == \"ops\")] | length >= 4' '$OUT' >/dev/null"
api_done
