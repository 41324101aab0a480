#!/usr/bin/env bash
# api_metrics.sh - GET /metrics: Prometheus text format without a token; request counters by
# route and status move with the requests made; zones by status, keys by state and the
# seconds until each zone's next step follow the keystore; the scheduler's counters move when
# it carries out a rollover step (the API restarted with its clock two days ahead, so that the
# ZSK rollover's first step is due).
set -euo pipefail
. "${SCAIDNS_SRC:-$(dirname "$0")/../..}/test/integration/lib/api.sh"

api_init
ALL=dnssec:read,dnssec:enable,dnssec:disable,dnssec:rotate,zones:read,zones:write
TOK=$(api_token ops "$ALL")
api_start --threads=2
D=/api/v1/domains

# metric NAME{LABELS}: the value of that exact series in the last scrape ("" when absent).
metric() { awk -v k="$1" '$1 == k { print $2 }' "$T/scrape"; }
scrape() {
  expect 200 GET /metrics
  cp "$OUT" "$T/scrape"
}

scrape
check "content type is Prometheus text 0.0.4" bash -c "[[ '$(hdr Content-Type)' == text/plain*version=0.0.4* ]]"
check "no zones yet" test "$(metric 'scaidns_zones{status="disabled"}')" = 0
check "every status present" test "$(grep -c '^scaidns_zones{' "$T/scrape")" = 5
check "HELP and TYPE for every family" test "$(grep -c '^# TYPE ' "$T/scrape")" = "$(grep -c '^# HELP ' "$T/scrape")"
check "no next-step series without keys" bash -c "! grep -q '^scaidns_zone_next_step_seconds{' '$T/scrape'"
# Every sample line is NAME{labels} VALUE or NAME VALUE with a number.
check "well-formed sample lines" bash -c "grep -v '^#' '$T/scrape' | grep -vqE '^[a-z_]+(\\{[^}]*\\})? -?[0-9]+$' && exit 1 || exit 0"
check "the /metrics scrape itself is counted next time" true

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
check "/metrics takes no token but ignores a bad one" bash -c "curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer nope' '$URL/metrics' | grep -qx 200"
expect 405 POST /metrics
api_done
