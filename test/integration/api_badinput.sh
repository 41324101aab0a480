#!/usr/bin/env bash
# api_badinput.sh - malformed and hostile requests to scaidns-api: bad JSON, wrong types, huge
# numbers, unknown algorithms, path tricks, overlong names, invalid UTF-8, missing and
# wrong tokens, oversized bodies, slow clients. Each gets its status, and the keystore is
# byte-for-byte unchanged afterwards (sha256 of `sqlite3 DB .dump`). The server must still
# answer at the end.
set -euo pipefail
. "${SCAIDNS_SRC:-$(dirname "$0")/../..}/test/integration/lib/api.sh"

api_init
ALL=dnssec:read,dnssec:enable,dnssec:disable,dnssec:rotate,zones:read,zones:write
TOK=$(api_token ops "$ALL")
READ=$(api_token reader dnssec:read,zones:read)
ONLY_A=$(api_token only-a "$ALL" a.example)
api_start --threads=4 --timeout=2
D=/api/v1/domains
RAW="python3 $SRC/test/integration/lib/rawhttp.py 127.0.0.1"

expect 201 POST "$D" "$TOK" '{"name": "bad.example"}'
expect 201 POST "$D" "$TOK" '{"name": "pend.example"}'
expect 200 POST "$D/pend.example/dnssec/enable" "$TOK"
DS=$(jq -c '.ds_records[0] | {key_tag, algorithm, digest_type, digest}' "$OUT")
CASES=0

# bad STATUS METHOD PATH TOKEN BODY [curl options...]: one malformed request; the status
# must be STATUS and the keystore unchanged.
bad_req() {
  local before
  before=$(db_sum)
  CASES=$((CASES + 1))
  expect "$@"
  check "case $CASES ($2 $3): keystore unchanged" test "$before" = "$(db_sum)"
}

# raw STATUS [rawhttp options...] < request: one request sent byte for byte.
raw_req() {
  local want=$1 before got
  shift
  before=$(db_sum)
  CASES=$((CASES + 1))
  got=$($RAW "$PORT" "$@")
  check "raw case $CASES: status $got, wanted $want" test "$got" = "$want"
  check "raw case $CASES: keystore unchanged" test "$before" = "$(db_sum)"
}

LONG_LABEL=$(printf 'a%.0s' $(seq 64))
LONG_NAME=$(printf 'abcdefghi.%.0s' $(seq 30))example
E=$D/bad.example/dnssec/enable
C=$D/pend.example/dnssec/confirm-ds-published
R=$D/bad.example/rrsets/www/A

# bad JSON and wrong shapes
bad_req 400 POST "$D" "$TOK" '{'
bad_req 400 POST "$D" "$TOK" '[]'
bad_req 400 POST "$D" "$TOK" '"bad.example"'
bad_req 400 POST "$D" "$TOK" '{"name": "x.example"} trailing'
bad_req 400 POST "$D" "$TOK" '{"name": "x.example", "name": "y.example"}'
bad_req 400 POST "$D" "$TOK" '{"name": "x\u0000.example"}'
printf '{"name": "x\xff\xfe.example"}' >"$T/utf8.json"
bad_req 400 POST "$D" "$TOK" "" --data-binary @"$T/utf8.json"
printf '{"name": "\xc0\xae\xc0\xae"}' >"$T/overlong-utf8.json"
bad_req 400 POST "$D" "$TOK" "" --data-binary @"$T/overlong-utf8.json"
# wrong types and bad values for zones
bad_req 400 POST "$D" "$TOK" '{"name": 5}'
bad_req 400 POST "$D" "$TOK" '{"name": ""}'
bad_req 400 POST "$D" "$TOK" '{}'
bad_req 400 POST "$D" "$TOK" '{"name": "a..b"}'
bad_req 400 POST "$D" "$TOK" '{"name": "."}'
bad_req 400 POST "$D" "$TOK" '{"name": "*.example"}'
bad_req 400 POST "$D" "$TOK" "{\"name\": \"$LONG_LABEL.example\"}"
bad_req 400 POST "$D" "$TOK" "{\"name\": \"$LONG_NAME\"}"
bad_req 400 POST "$D" "$TOK" '{"name": "x y.example"}'
bad_req 400 POST "$D" "$TOK" '{"name": "x.example", "extra": 1}'
bad_req 400 POST "$D" "$TOK" '{"name": "x.example", "ns": "ns1.example"}'
bad_req 400 POST "$D" "$TOK" '{"name": "x.example", "ns": []}'
bad_req 400 POST "$D" "$TOK" '{"name": "x.example", "ns": ["a.example,b.example"]}'
bad_req 400 POST "$D" "$TOK" '{"name": "x.example", "ns": [1]}'
bad_req 400 POST "$D" "$TOK" '{"name": "x.example", "keys_only": "yes"}'
bad_req 409 POST "$D" "$TOK" '{"name": "BAD.example."}'
# enable: algorithms and types
bad_req 400 POST "$E" "$TOK" '{"algorithm": "13"}'
bad_req 400 POST "$E" "$TOK" '{"algorithm": 13.0}'
bad_req 400 POST "$E" "$TOK" '{"algorithm": 99999999999999999999999}'
bad_req 400 POST "$E" "$TOK" '{"algorithm": 1e400}'
bad_req 400 POST "$E" "$TOK" '{"algorithm": 7}'
bad_req 400 POST "$E" "$TOK" '{"algorithm": 0}'
bad_req 400 POST "$E" "$TOK" '{"algorithm": -13}'
bad_req 400 POST "$E" "$TOK" '{"algorithm": 4294967309}'
bad_req 400 POST "$E" "$TOK" '{"algorithm": 9223372036854775807}'
bad_req 400 POST "$E" "$TOK" '{"algorithm": null}'
bad_req 400 POST "$E" "$TOK" '{"algorithm": true}'
bad_req 400 POST "$E" "$TOK" '{"algorithm": [13]}'
bad_req 400 POST "$E" "$TOK" '{"algoritm": 8}'
bad_req 400 POST "$E" "$TOK" '[13]'
bad_req 400 POST "$D/bad.example/dnssec/disable" "$TOK" '{"forced": true}'
bad_req 400 POST "$D/bad.example/dnssec/disable" "$TOK" '{"force": "yes"}'
# confirm-ds-published: shapes and values
bad_req 400 POST "$C" "$TOK" '{}'
bad_req 400 POST "$C" "$TOK" '{"ds_records": "x"}'
bad_req 400 POST "$C" "$TOK" '{"ds_records": {}}'
bad_req 400 POST "$C" "$TOK" '{"ds_records": [1]}'
bad_req 400 POST "$C" "$TOK" "{\"ds_records\": [$(echo "$DS" | jq -c '.key_tag = 70000')]}"
bad_req 400 POST "$C" "$TOK" "{\"ds_records\": [$(echo "$DS" | jq -c '.key_tag = -1')]}"
bad_req 400 POST "$C" "$TOK" "{\"ds_records\": [$(echo "$DS" | jq -c '.digest = "XYZ"')]}"
bad_req 400 POST "$C" "$TOK" "{\"ds_records\": [$(echo "$DS" | jq -c '.digest = ""')]}"
bad_req 400 POST "$C" "$TOK" "{\"ds_records\": [$(echo "$DS" | jq -c '.digest_type = "2"')]}"
bad_req 400 POST "$C" "$TOK" "{\"ds_records\": [$(echo "$DS" | jq -c '.digest_type = 1')]}"
bad_req 400 POST "$C" "$TOK" "{\"ds_records\": [$(echo "$DS" | jq -c 'del(.algorithm)')]}"
bad_req 400 POST "$C" "$TOK" "{\"ds_records\": [$(echo "$DS" | jq -c '.extra = 1')]}"
bad_req 400 POST "$C" "$TOK" "{\"ds_records\": [$(echo "$DS" | jq -c '.digest = ("A" * 200)')]}"
bad_req 400 POST "$C" "$TOK" "{\"ds_records\": $(echo "$DS" | jq -c '[range(17) as $i | .]')}"
bad_req 400 POST "$C" "$TOK" '{"ds_records": [{"ds": "garbage"}]}'
# RRsets
bad_req 400 PUT "$R" "$TOK" '{"ttl": -1, "records": ["192.0.2.1"]}'
bad_req 400 PUT "$R" "$TOK" '{"ttl": 2147483648, "records": ["192.0.2.1"]}'
bad_req 400 PUT "$R" "$TOK" '{"ttl": "300", "records": ["192.0.2.1"]}'
bad_req 400 PUT "$R" "$TOK" '{"records": []}'
bad_req 400 PUT "$R" "$TOK" '{"records": "192.0.2.1"}'
bad_req 400 PUT "$R" "$TOK" '{"records": [1]}'
bad_req 400 PUT "$R" "$TOK" '{"records": [""]}'
bad_req 400 PUT "$R" "$TOK" '{"records": ["192.0.2.300"]}'
bad_req 400 PUT "$R" "$TOK" '{"records": ["192.0.2.1"], "type": "A"}'
bad_req 400 PUT "$D/bad.example/rrsets/$LONG_LABEL/A" "$TOK" '{"records": ["192.0.2.1"]}'
bad_req 400 PUT "$D/bad.example/rrsets/www/RRSIG" "$TOK" '{"records": ["x"]}'
bad_req 400 PUT "$D/bad.example/rrsets/www/ANY" "$TOK" '{"records": ["x"]}'
bad_req 400 PUT "$D/bad.example/rrsets/www/$(printf 'A%.0s' $(seq 40))" "$TOK" '{"records": ["x"]}'
bad_req 400 PUT "$D/bad.example/rrsets/x.elsewhere./A" "$TOK" '{"records": ["192.0.2.1"]}'
bad_req 400 DELETE "$D/bad.example/rrsets/@/SOA" "$TOK"
# data DNS cannot serve correctly: 400 naming the rule, keystore unchanged (rrset_rules.h)
expect 200 PUT "$D/bad.example/rrsets/taken/A" "$TOK" '{"ttl": 300, "records": ["192.0.2.1"]}'
expect 200 PUT "$D/bad.example/rrsets/alias/CNAME" "$TOK" '{"ttl": 300, "records": ["www.example.net."]}'
rule_req() { # rule_req RULE METHOD PATH [BODY]
  local rule=$1
  shift
  bad_req 400 "$1" "$2" "$TOK" "${3:-}"
  jcheck "$1 $2 names $rule" ".error | contains(\"$rule\")"
}
rule_req "RFC 1034 section 3.6.2" PUT "$D/bad.example/rrsets/taken/CNAME" '{"records": ["www.example.net."]}'
rule_req "RFC 1034 section 3.6.2" PUT "$D/bad.example/rrsets/alias/TXT" '{"records": ["\"x\""]}'
rule_req "RFC 1034 section 3.6.2" PUT "$D/bad.example/rrsets/@/CNAME" '{"records": ["www.example.net."]}'
rule_req "RFC 2181 section 10.1" PUT "$D/bad.example/rrsets/two/CNAME" '{"records": ["a.example.net.", "b.example.net."]}'
rule_req "RFC 4034 section 5" PUT "$D/bad.example/rrsets/@/DS" "{\"records\": [\"12345 13 2 $(printf 'AB%.0s' $(seq 32))\"]}"
rule_req "RFC 6672" PUT "$D/bad.example/rrsets/old/DNAME" '{"records": ["example.net."]}'
rule_req "RFC 1034 section 4.2.1" DELETE "$D/bad.example/rrsets/@/NS"
for t in DNSKEY RRSIG NSEC NSEC3 NSEC3PARAM CDS CDNSKEY; do
  rule_req "RFC 4034" PUT "$D/bad.example/rrsets/@/$t" '{"records": ["0 0 0 00"]}'
done
# path tricks
bad_req 404 GET "$D/%2e%2e/dnssec" "$TOK"
bad_req 404 GET "$D/../domains" "$TOK"
bad_req 404 POST "$D/bad.example/../pend.example/dnssec/enable" "$TOK"
bad_req 404 POST "$D/..%2f..%2fetc%2fpasswd/dnssec/enable" "$TOK"
bad_req 404 GET "$D/%2Fetc%2Fpasswd" "$TOK"
bad_req 400 GET "$D/%zz" "$TOK"
bad_req 400 GET "$D/bad%00.example/dnssec" "$TOK"
bad_req 404 GET "$D/%ff%fe.example/dnssec" "$TOK"
bad_req 404 GET "$D/$(printf 'a%.0s' $(seq 3000))" "$TOK"
bad_req 404 GET "$D/$LONG_NAME/dnssec" "$TOK"
bad_req 404 GET "$D//dnssec" "$TOK"
bad_req 405 PATCH "$D/bad.example" "$TOK" '{"name": "x"}'
bad_req 405 TRACE "$D" "$TOK"
raw_req 404 <<<$'GET /api/v1/domains/\xff\xfe.example/dnssec HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer '"$TOK"$'\r\nConnection: close\r\n\r\n'
# MHD closes a connection whose first line is not an HTTP request line, without an answer
raw_req 000 <<<$'GARBAGE\r\n\r\n'
# tokens
bad_req 401 POST "$E" "" '{}'
bad_req 401 POST "$E" "scai_$(printf 'B%.0s' $(seq 43))" '{}'
bad_req 401 POST "$E" "$(printf 'x%.0s' $(seq 5000))" '{}'
bad_req 401 POST "$E" "" '{}' -H "Authorization: $TOK"
bad_req 401 POST "$E" "" '{}' -H "Authorization: Bearer ${TOK:0:20}"
bad_req 403 POST "$E" "$READ" '{}'
# a zone outside the token's list is answered as one that does not exist
bad_req 404 POST "$E" "$ONLY_A" '{}'
bad_req 404 DELETE "$D/bad.example" "$ONLY_A"
bad_req 403 POST "$D" "$READ" '{"name": "x.example"}'
# sizes
head -c 70000 /dev/zero | tr '\0' ' ' >"$T/big"
bad_req 413 POST "$D" "$TOK" "" --data-binary @"$T/big"
bad_req 413 POST "$D" "$TOK" "" --data-binary @"$T/big" -H 'Transfer-Encoding: chunked'
bad_req 413 PUT "$R" "$TOK" "{\"records\": [\"$(head -c 70000 /dev/zero | tr '\0' 'a')\"]}"
raw_req 413 <<<$'POST /api/v1/domains HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n{}'
# slow clients: a stalled header and a stalled body are dropped after the idle timeout (2 s)
raw_req 000 --pause-after 20 --pause 4 <<<$'POST /api/v1/domains HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer '"$TOK"$'\r\nContent-Length: 24\r\n\r\n{"name": "slow.example"}'
raw_req 000 --pause-after 150 --pause 4 <<<$'POST /api/v1/domains HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer '"$TOK"$'\r\nContent-Length: 24\r\n\r\n{"name": "slow.example"}'
# forty stalled clients (one process holding 40 half-sent requests for 5 s, beyond the
# 2 s idle timeout, from 127.0.0.1: more than the per-address connection limit) do not hold
# up anyone else (a client from another address)
before=$(db_sum)
python3 - "$PORT" <<'PY' &
import socket, sys, time
socks = []
for _ in range(40):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.sendall(b'POST /api/v1/domains HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"na')
    socks.append(s)
time.sleep(5)
PY
STALLER=$!
sleep 1
call GET "$D/bad.example/dnssec" "$TOK" "" -w '%{http_code} %{time_total}' --interface 127.0.0.2
secs=${CODE#* }
check "a request beside 40 stalled clients: status ${CODE% *}" test "${CODE% *}" = 200
check "a request beside 40 stalled clients answers before their timeout (${secs} s)" \
  awk -v s="$secs" 'BEGIN { exit !(s < 1.5) }'
wait "$STALLER" || true
CASES=$((CASES + 1))
check "stalled clients: keystore unchanged" test "$before" = "$(db_sum)"

# a refused DS (well-formed, matching no KSK) changes nothing either, the audit trail included
bad_req 400 POST "$C" "$TOK" "{\"ds_records\": [$(echo "$DS" | jq -c '.digest = ("00" * 32)')]}"
jcheck "mismatching DS: says so" '.error | test("matches no current KSK")'

check "at least 40 malformed requests ($CASES)" test "$CASES" -ge 40
expect 200 GET /healthz
expect 200 GET "$D/pend.example/dnssec" "$TOK"
jcheck "state untouched" '.status == "pending_ds"'
check "server still running" kill -0 "$API_PID"
check "audit chain intact" ctl audit verify
api_done
