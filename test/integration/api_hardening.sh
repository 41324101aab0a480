#!/usr/bin/env bash
# api_hardening.sh - what a client without a token can learn or block (issue 17), on real
# sockets against a real scaidns-api:
#   1. /metrics names every signed zone: it needs a metrics:read token (401 without, and no
#      zone named in the answer);
#   2. a slow client on 127.0.0.1 holding as many connections as it can, each trickling an
#      unfinished request head: it holds at most --per-ip-connections of them, each closed at
#      the request deadline however it trickles, while /healthz and an authenticated GET from
#      127.0.0.2 answer within a second;
#   3. failed tokens from one address: 401 for the burst, then 429 with Retry-After for every
#      request that needs a token from it (a good token too), one warning line per burst,
#      counted in /metrics; another address is not affected; after Retry-After one more try.
set -euo pipefail
. "${SCAIDNS_SRC:-$(dirname "$0")/../..}/test/integration/lib/api.sh"

api_init
TOK=$(api_token ops zones:read,zones:write,dnssec:read,dnssec:enable)
MTOK=$(api_token prometheus metrics:read)
api_start --threads=2 --request-deadline=3 --per-ip-connections=16 --auth-fail-burst=5 \
  --auth-fail-interval=5
D=/api/v1/domains
expect 201 POST "$D" "$TOK" '{"name":"secret-zone.example"}'
expect 200 POST "$D/secret-zone.example/dnssec/enable" "$TOK"

# --- 1. /metrics -------------------------------------------------------------------------
expect 401 GET /metrics
check "a refused scrape names no zone" bash -c "! grep -q secret-zone '$OUT'"
expect 200 GET /metrics "$MTOK"
check "the scrape with metrics:read names the zone" grep -q 'zone="secret-zone.example."' "$OUT"

# --- 2. a slow client ----------------------------------------------------------------------
# at2 PATH [TOKEN]: GET from 127.0.0.2 with a 1 s limit; prints "status seconds".
at2() {
  local a=(-s -o /dev/null -w '%{http_code} %{time_total}' --max-time 1 --interface 127.0.0.2)
  [ -n "${2:-}" ] && a+=(-H "Authorization: Bearer $2")
  curl "${a[@]}" "$URL$1" || true
}
python3 "$SRC/test/integration/lib/slowloris.py" 127.0.0.1 "$PORT" 1000 9 0.5 >"$T/slow.json" &
SLOW=$!
API_PIDS+=("$SLOW")
sleep 2
for i in 1 2 3; do
  h=$(at2 /healthz)
  g=$(at2 "$D" "$TOK")
  check "during the slow client ($i): /healthz from 127.0.0.2 within 1 s (got '$h')" \
    bash -c "[[ '$h' == 200\ * ]]"
  check "during the slow client ($i): an authenticated GET from 127.0.0.2 within 1 s (got '$g')" \
    bash -c "[[ '$g' == 200\ * ]]"
  sleep 1.5
done
wait "$SLOW"
echo "slow client: $(cat "$T/slow.json")"
peak=$(jq .peak "$T/slow.json")
longest=$(jq .longest_held "$T/slow.json")
closed=$(jq .closed_by_server "$T/slow.json")
check "the slow client held at most 16 connections at once (held $peak)" test "$peak" -le 16
check "and did hold some (held $peak)" test "$peak" -ge 8
check "no trickling connection outlived the 3 s deadline by more than 1.5 s (longest $longest s)" \
  python3 -c "import sys; sys.exit(0 if $longest <= 4.5 else 1)"
check "the server closed the trickling connections ($closed)" test "$closed" -ge 16
expect 200 GET /metrics "$MTOK"
dl=$(awk '$1 == "scaidns_api_request_deadline_closed_total" { print $2 }' "$OUT")
check "/metrics counts the connections closed at the deadline (got '$dl')" test "${dl:-0}" -ge 16
check "the closures are logged at warning" grep -q 'warning: closed [0-9]* connection(s) that did not send a whole request within 3 s' "$API_LOG"

# --- 3. failed tokens ----------------------------------------------------------------------
for i in 1 2 3 4 5; do
  expect 401 GET "$D" "wrong-token-$i" "" --interface 127.0.0.3
done
expect 429 GET "$D" "wrong-token-6" "" --interface 127.0.0.3
ra=$(hdr Retry-After)
check "429 comes with Retry-After 1..5 (got '$ra')" test "${ra:-0}" -ge 1 -a "${ra:-0}" -le 5
expect 429 GET "$D" "$TOK" "" --interface 127.0.0.3
expect 429 GET /metrics "$MTOK" "" --interface 127.0.0.3
expect 200 GET "$D" "$TOK" "" --interface 127.0.0.4
expect 200 GET /healthz "" "" --interface 127.0.0.3
check "one warning line for the burst" test "$(grep -c 'failed authentications from 127.0.0.3' "$API_LOG")" = 1
sleep "$ra"
expect 401 GET "$D" "wrong-token-7" "" --interface 127.0.0.3
expect 429 GET "$D" "wrong-token-8" "" --interface 127.0.0.3
check "still one warning line (the burst goes on)" test "$(grep -c 'failed authentications from 127.0.0.3' "$API_LOG")" = 1
expect 200 GET /metrics "$MTOK"
m() { awk -v k="$1" '$1 == k { print $2 }' "$OUT"; }
# 401s so far: 1 (section 1) + 6 from 127.0.0.3
check "/metrics: failed authentications counted (got '$(m scaidns_api_auth_failures_total)')" \
  test "$(m scaidns_api_auth_failures_total)" = 7
check "/metrics: 429s counted (got '$(m scaidns_api_auth_rate_limited_total)')" \
  test "$(m scaidns_api_auth_rate_limited_total)" = 4
api_done
