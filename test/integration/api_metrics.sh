#!/usr/bin/env bash
# api_metrics.sh - GET /metrics: Prometheus text format with a metrics:read token (401 without,
# 403 without the scope or for a token limited to zones); request counters by
# route and status move with the requests made; zones by status, keys by state and the
# seconds until each zone's next step follow the keystore; the scheduler's counters move when
# it carries out a rollover step (the API restarted with its clock two days ahead, so that the
# ZSK rollover's first step is due). The backend's counters: a real pdns_server (caches off)
# on scaidns-backend answers dig; the requests by method grow with the queries, errors are
# counted, each method's latency histogram is consistent, the scrapes themselves are not
# counted; with the backend stopped the scrape still answers, with scaidns_backend_up 0.
set -euo pipefail
. "${SCAIDNS_SRC:-$(dirname "$0")/../..}/test/integration/lib/api.sh"

api_init
ALL=dnssec:read,dnssec:enable,dnssec:disable,dnssec:rotate,zones:read,zones:write
TOK=$(api_token ops "$ALL")
MTOK=$(api_token prometheus metrics:read)
api_backend_start
api_pdns_start
api_start --threads=2
D=/api/v1/domains

# metric NAME{LABELS}: the value of that exact series in the last scrape ("" when absent).
metric() { awk -v k="$1" '$1 == k { print $2 }' "$T/scrape"; }
scrape() {
  expect 200 GET /metrics "$MTOK"
  cp "$OUT" "$T/scrape"
}

scrape
check "content type is Prometheus text 0.0.4" bash -c "[[ '$(hdr Content-Type)' == text/plain*version=0.0.4* ]]"
check "no zones yet" test "$(metric 'scaidns_zones{status="disabled"}')" = 0
check "every status present" test "$(grep -c '^scaidns_zones{' "$T/scrape")" = 5
check "HELP and TYPE for every family" test "$(grep -c '^# TYPE ' "$T/scrape")" = "$(grep -c '^# HELP ' "$T/scrape")"
check "no next-step series without keys" bash -c "! grep -q '^scaidns_zone_next_step_seconds{' '$T/scrape'"
# Every sample line is NAME{labels} VALUE or NAME VALUE with a number.
check "well-formed sample lines" bash -c "grep -v '^#' '$T/scrape' | grep -vqE '^[a-z_]+(\\{[^}]*\\})? -?[0-9]+(\\.[0-9]+)?$' && exit 1 || exit 0"
check "the /metrics scrape itself is counted next time" true
check "the backend answers" test "$(metric scaidns_backend_up)" = 1
check "every backend method has a counter" test "$(grep -c '^scaidns_backend_requests_total{' "$T/scrape")" = 10
check "and a histogram of 9 buckets" test "$(grep -c '^scaidns_backend_request_duration_seconds_bucket{' "$T/scrape")" = 90

for z in a.example b.example c.example; do
  expect 201 POST "$D" "$TOK" "{\"name\":\"$z\"}"
done
expect 409 POST "$D" "$TOK" '{"name":"a.example"}'
expect 401 GET "$D"
expect 404 GET /nope
expect 200 POST "$D/a.example/dnssec/enable" "$TOK"
expect 200 POST "$D/b.example/dnssec/enable" "$TOK"
expect 200 POST "$D/b.example/dnssec/confirm-ds-published" "$TOK" \
  "$(curl -s -H "Authorization: Bearer $TOK" "$URL$D/b.example/dnssec" | jq -c '{ds_records: [.ds_records[] | select(.digest_type == 2)]}')"
expect 200 POST "$D/b.example/dnssec/rotate-zsk" "$TOK"

scrape
R='scaidns_api_requests_total{method="POST",route="/api/v1/domains"'
check "3 zones created (201)" test "$(metric "$R,code=\"201\"}")" = 3
check "1 conflict (409)" test "$(metric "$R,code=\"409\"}")" = 1
check "401 counted on GET /api/v1/domains" test "$(metric 'scaidns_api_requests_total{method="GET",route="/api/v1/domains",code="401"}')" = 1
check "unmatched 404 counted" test "$(metric 'scaidns_api_requests_total{method="",route="unmatched",code="404"}')" = 1
check "enable counted" test "$(metric 'scaidns_api_requests_total{method="POST",route="/api/v1/domains/{domain_id}/dnssec/enable",code="200"}')" = 2
check "the first scrape counted" test "$(metric 'scaidns_api_requests_total{method="GET",route="/metrics",code="200"}')" = 1
check "zones: 1 disabled" test "$(metric 'scaidns_zones{status="disabled"}')" = 1
check "zones: 1 pending_ds" test "$(metric 'scaidns_zones{status="pending_ds"}')" = 1
check "zones: 1 rotating_zsk" test "$(metric 'scaidns_zones{status="rotating_zsk"}')" = 1
check "zones: 0 active" test "$(metric 'scaidns_zones{status="active"}')" = 0
check "keys: 2 active KSKs" test "$(metric 'scaidns_keys{role="KSK",state="active"}')" = 2
check "keys: 1 published ZSK (the new one)" test "$(metric 'scaidns_keys{role="ZSK",state="published"}')" = 1
check "keys: 2 active ZSKs" test "$(metric 'scaidns_keys{role="ZSK",state="active"}')" = 2
nb=$(metric 'scaidns_zone_next_step_seconds{zone="b.example."}')
na=$(metric 'scaidns_zone_next_step_seconds{zone="a.example."}')
check "b.example's next step is ahead (got '$nb')" test -n "$nb" -a "${nb:-0}" -gt 0
check "a.example has a planned step too (got '$na')" test -n "$na"
check "no next step for the disabled zone" test -z "$(metric 'scaidns_zone_next_step_seconds{zone="c.example."}')"
# The gauge is the plan's first step.
plan_at=$(curl -s -H "Authorization: Bearer $TOK" "$URL$D/b.example/dnssec/plan" | jq '[.steps[].at_unix] | min')
now=$(date +%s)
check "b.example's gauge matches the plan ($nb vs $((plan_at - now)))" test $((plan_at - now - nb)) -le 2 -a $((plan_at - now - nb)) -ge -2
# --- the backend's counters, moved by PowerDNS ----------------------------------------------
# bm FAMILY METHOD: the value of scaidns_backend_FAMILY{method="METHOD"} (0 when absent).
bm() { local v; v=$(metric "scaidns_backend_$1{method=\"$2\"}"); echo "${v:-0}"; }
# hist_ok METHOD: the method's 9 buckets never decrease, +Inf = _count = requests_total and
# _sum >= 0 (> 0 once there are requests).
hist_ok() {
  awk -v m="method=\"$1\"" '
    index($1, "scaidns_backend_request_duration_seconds_bucket{" m ",") == 1 {
      if ($2 + 0 < prev) bad = 1; prev = $2 + 0; n++; inf = $2 + 0 }
    $1 == "scaidns_backend_request_duration_seconds_count{" m "}" { cnt = $2 + 0 }
    $1 == "scaidns_backend_requests_total{" m "}" { req = $2 + 0 }
    $1 == "scaidns_backend_request_duration_seconds_sum{" m "}" { sum = $2 + 0; has = 1 }
    END { exit !(n == 9 && !bad && inf == cnt && cnt == req && has && sum >= 0 && (req == 0 || sum > 0)) }' "$T/scrape"
}
l0=$(bm requests_total lookup)
k0=$(bm requests_total getDomainKeys)
ba0=$(bm requests_total getBeforeAndAfterNamesAbsolute)
for _ in 1 2 3 4 5; do
  pq a.example. SOA +dnssec >"$T/dig1"
  pq nope.a.example. A +dnssec >"$T/dig2"
  pq b.example. DNSKEY +dnssec >"$T/dig3"
done
check "PowerDNS serves a.example signed" grep -q 'RRSIG.*SOA' "$T/dig1"
check "PowerDNS denies nope.a.example with NSEC or NSEC3" grep -qE 'NXDOMAIN' "$T/dig2"
check "PowerDNS serves b.example's DNSKEYs" grep -q 'DNSKEY.*257' "$T/dig3"
# two requests that PowerDNS would never send, straight on the backend's socket: both errors
python3 - "$T/backend.sock" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); f = s.makefile("rwb")
for line in (b"garbage", b'{"method":"getDomainKeys","parameters":{}}'):
    f.write(line + b"\n"); f.flush()
    assert b'"result":false' in f.readline()
PY
scrape
l1=$(bm requests_total lookup)
check "lookups counted: $l0 -> $l1 (at least 15 more)" test "$l1" -ge $((l0 + 15))
check "getDomainKeys counted: $k0 -> $(bm requests_total getDomainKeys)" test "$(bm requests_total getDomainKeys)" -gt "$k0"
check "getBeforeAndAfterNamesAbsolute counted (nope.a.example)" test "$(bm requests_total getBeforeAndAfterNamesAbsolute)" -gt "$ba0"
check "initialize counted (PowerDNS's connection)" test "$(bm requests_total initialize)" -ge 1
check "no lookup errors" test "$(bm errors_total lookup)" = 0
check "the malformed line is an error of 'other'" test "$(bm errors_total other)" = 1
check "getDomainKeys without a name is an error" test "$(bm errors_total getDomainKeys)" = 1
for m in lookup list getDomainKeys getAllDomainMetadata getDomainMetadata getAllDomains getDomainInfo \
  getBeforeAndAfterNamesAbsolute initialize other; do
  check "histogram of $m is consistent" hist_ok "$m"
done
check "le in seconds, the last +Inf" grep -q '^scaidns_backend_request_duration_seconds_bucket{method="lookup",le="0.000025"} ' "$T/scrape"
check "lookups took some time" test "$(metric 'scaidns_backend_request_duration_seconds_bucket{method="lookup",le="+Inf"}')" = "$l1"
o1=$(bm requests_total other)
scrape
scrape
check "the scrapes' own stats requests are not counted" test "$(bm requests_total other)" = "$o1"

passes=$(metric scaidns_scheduler_passes_total)
check "the scheduler has passed at least once (got '$passes')" test "${passes:-0}" -ge 1
check "no scheduler steps yet" test "$(metric scaidns_scheduler_steps_total)" = 0
check "no failed steps" test "$(metric scaidns_scheduler_failed_steps_total)" = 0

# Two days later: the new ZSK of b.example is due to sign; the scheduler makes it so.
api_stop
api_start --threads=2 --clock-offset=172800
for _ in $(seq 100); do
  scrape
  [ "$(metric scaidns_scheduler_steps_total)" != 0 ] && break
  sleep 0.1
done
check "the scheduler took steps (got $(metric scaidns_scheduler_steps_total))" test "$(metric scaidns_scheduler_steps_total)" -ge 1
check "failed steps still 0" test "$(metric scaidns_scheduler_failed_steps_total)" = 0
check "the new ZSK signs: no published ZSK left" test -z "$(metric 'scaidns_keys{role="ZSK",state="published"}')"
check "the old ZSK retired" test "$(metric 'scaidns_keys{role="ZSK",state="retired"}')" = 1
check "2 active ZSKs in all (a's and b's new one)" test "$(metric 'scaidns_keys{role="ZSK",state="active"}')" = 2
nb2=$(metric 'scaidns_zone_next_step_seconds{zone="b.example."}')
check "b.example's next step is now the old ZSK's removal, still ahead (got '$nb2')" test "${nb2:-0}" -gt 0
check "request counters start again with the process" test -z "$(metric "$R,code=\"201\"}")"
check "lag is a number" bash -c "[[ '$(metric scaidns_scheduler_lag_seconds)' =~ ^[0-9]+$ ]]"
check "last pass within the clock offset" test "$(metric scaidns_scheduler_last_pass_timestamp_seconds)" -ge $((now + 172800 - 5))
# The backend stopped: the scrape still answers, and says so.
kill "$BACKEND_PID"
wait "$BACKEND_PID" 2>/dev/null || true
check "no sanitizer report in the backend log" bash -c "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' '$BACKEND_LOG'"
scrape
check "scaidns_backend_up 0 without the backend" test "$(metric scaidns_backend_up)" = 0
check "no backend counters without the backend" bash -c "! grep -q '^scaidns_backend_requests_total' '$T/scrape'"
check "the keystore gauges are still there" test "$(grep -c '^scaidns_zones{' "$T/scrape")" = 5
# Not without the scope: the series name every zone.
expect 401 GET /metrics
expect 401 GET /metrics nope
expect 403 GET /metrics "$TOK"
ZTOK=$(api_token limited metrics:read,dnssec:read a.example)
expect 403 GET /metrics "$ZTOK"
check "a refused scrape names no zone" bash -c "! grep -q 'example' '$OUT'"
expect 405 POST /metrics "$MTOK"
api_done
