#!/usr/bin/env bash
# api_bulk_enable.sh - POST /api/v1/dnssec/enable: many zones in one call, one result per
# zone in the order given, each zone its own transaction: existing zones are enabled (with
# their DS records), missing ones answer 404, enabled ones 409 (naming their status), zones
# outside a limited token's list 404 as if missing, and none of those failures undoes
# another zone.
set -euo pipefail
. "${SCAIDNS_SRC:-$(dirname "$0")/../..}/test/integration/lib/api.sh"

api_init
ALL=dnssec:read,dnssec:enable,dnssec:disable,dnssec:rotate,zones:read,zones:write
TOK=$(api_token ops "$ALL")
LIMITED=$(api_token limited dnssec:read,dnssec:enable "a.example,b.example,c.example,gone.example")
READ=$(api_token reader dnssec:read)
api_start --threads=2
B=/api/v1/dnssec/enable

for z in a.example b.example c.example d.example; do
  expect 201 POST /api/v1/domains "$TOK" "{\"name\":\"$z\"}"
done
expect 200 POST /api/v1/domains/c.example/dnssec/enable "$TOK"

# scopes and malformed bodies: nothing done
sum=$(db_sum)
expect 401 POST "$B" "" '{"zones":["a.example"]}'
expect 403 POST "$B" "$READ" '{"zones":["a.example"]}'
for body in '' '{}' '{"zones":[]}' '{"zones":"a.example"}' '{"zones":["a.example",1]}' \
  '{"zones":[""]}' '{"zones":["a.example"],"algorithm":12}' '{"zones":["a.example"],"algorithm":"13"}' \
  '{"zones":["a.example"],"x":1}' "{\"zones\":[$(printf '"z%d.example",' $(seq 1000))\"last.example\"]}"; do
  expect 400 POST "$B" "$TOK" "$body"
done
check "refusals leave the keystore unchanged" test "$(db_sum)" = "$sum"

# the limited token: a and b enabled, c already (409), gone missing (404), d outside (404,
# word for word the answer for a zone that does not exist)
expect 200 POST "$B" "$LIMITED" '{"zones":["a.example","gone.example","c.example","d.example","B.EXAMPLE."]}'
oas BulkEnableResponse
jcheck "five results in order" '[.results[].zone] == ["a.example","gone.example","c.example","d.example","B.EXAMPLE."]'
jcheck "statuses" '[.results[].status] == [200,404,409,404,200]'
jcheck "outside the list reads as missing" '.results[3].error == .results[1].error'
jcheck "enabled zones carry their DS records (types 2 and 4)" \
  '[.results[0,4].ds_records | map(.digest_type)] == [[2,4],[2,4]]'
jcheck "failures carry an error, no DS" '[.results[1,2,3] | (.error | type == "string") and (has("ds_records") | not)] | all'
jcheck "409 names the current status" '.results[2].dnssec_status == "pending_ds"'
cp "$OUT" "$T/bulk.json"
for z in a.example b.example; do
  call GET "/api/v1/domains/$z/dnssec" "$TOK"
  check "$z pending_ds" test "$(jf .status)" = pending_ds
  check "$z: the DS returned is the zone's" test "$(jf '.ds_records[0].ds')" = \
    "$(jq -r --arg z "$z" '.results[] | select(.zone | ascii_downcase | rtrimstr(".") == $z) | .ds_records[0].ds' "$T/bulk.json")"
done
call GET /api/v1/domains/d.example/dnssec "$TOK"
check "d.example (404) untouched" test "$(jf .status)" = disabled
check "audit: one enable row per enabled zone, by the token" \
  test "$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE actor = 'limited' AND outcome = 'ok'")" = 2

# algorithm, duplicates, ids
D_ID=$(curl -s -H "Authorization: Bearer $TOK" "$URL/api/v1/domains/d.example" | jq -r .id)
expect 200 POST "$B" "$TOK" "{\"zones\":[\"$D_ID\",\"d.example\"],\"algorithm\":8}"
jcheck "an id works, the duplicate is a 409" '[.results[].status] == [200,409]'
jcheck "algorithm 8" '.results[0].ds_records[0].algorithm == 8'
expect 200 POST "$B" "$TOK" '{"zones":["bad..name","'"$(printf 'x%.0s' $(seq 300))"'.example"]}'
jcheck "bad names get 400 or 404 each" '[.results[].status] | all(. == 400 or . == 404)'
api_done
