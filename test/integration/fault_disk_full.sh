#!/usr/bin/env bash
# fault_disk_full.sh - the keystore's file system fills up (a 3 MiB tmpfs filled to the last
# byte) while scaidns-api, its scheduler, scaidns-backend and pdns_server work:
#   - /healthz says 503 and why; API writes (records, a new zone, enable, rotate) end in 503
#     with a JSON error naming the full disk and Retry-After; scaidnsctl says so and exits 1;
#   - nothing is half-written: the keystore's dump is unchanged, integrity_check passes;
#   - reads and PowerDNS's signed answers go on; a rollover step due meanwhile is retried;
# and once space is freed, without a restart: /healthz 200, every write goes through, the
# rollover goes on, the audit chain verifies. Before the fix the writes were 500s ("commit:
# database or disk is full") and /healthz said 200. Needs root to mount (SKIP otherwise).
set -euo pipefail
. "$SCAIDNS_SRC/test/integration/lib/pdns.sh"
. "$SCAIDNS_SRC/test/integration/lib/unbound.sh"
. "$SCAIDNS_SRC/test/integration/lib/rollover.sh"
. "$SCAIDNS_SRC/test/integration/lib/faults.sh"
pdns_init
rollover_world
small_fs 3m
api POST "$C/enable" '{"algorithm": 13}' >/dev/null
ctl dnssec confirm-ds child.sdtest >/dev/null
api POST /api/v1/domains '{"name": "spare.test"}' >/dev/null
W=/api/v1/domains/child.sdtest./rrsets/www/A
check "PowerDNS serves the child, signed" eventually 5 bash -c \
  "dig @127.0.0.1 -p $PORT +norec +dnssec www.child.sdtest. A | grep -q 'RRSIG.*A 13'"

# A ZSK rollover whose first step falls while the disk is full.
api POST "$C/rotate-zsk" >/dev/null
due=$(state | jq -r '[.zsk[] | select(.state == "published")][0].activate_at')
fill_fs "$T/small"
echo "     keystore file system: $(df -k "$T/small" | awk 'NR == 2 { print $4 }') KiB free"
before=$(db_sum)

call_api GET /healthz
check "healthz: 503 naming the full file system ($(head -c 160 "$T/call.json"))" \
  bash -c "[ $CODE = 503 ] && grep -q full '$T/call.json'"
for req in "PUT $W {\"ttl\":3,\"records\":[\"192.0.2.7\"]}" \
  'POST /api/v1/domains {"name":"new.test"}' \
  'POST /api/v1/domains/spare.test/dnssec/enable {"algorithm":13}' \
  "POST /api/v1/domains/sdtest./dnssec/rotate-ksk"; do
  read -r m p b <<<"$req"
  call_api "$m" "$p" "$b"
  check "$m $p on a full disk: 503 naming it ($CODE: $(head -c 160 "$T/call.json"))" \
    bash -c "[ $CODE = 503 ] && jq -e '.code == 503 and (.error | test(\"disk is full\"))' '$T/call.json'"
  check "$m $p: Retry-After ($(retry_after))" test -n "$(retry_after)"
done
rc=0
ctl zone create cli.test >/dev/null 2>"$T/ctl.err" || rc=$?
check "scaidnsctl on a full disk: exit $rc, says so ($(head -c 120 "$T/ctl.err"))" \
  bash -c "[ $rc -ne 0 ] && grep -q 'disk is full' '$T/ctl.err'"
call_api GET "$C"
check "reads go on (GET state: $CODE)" test "$CODE" = 200
check "PowerDNS still serves signed answers" bash -c \
  "dig @127.0.0.1 -p $PORT +norec +dnssec www.child.sdtest. A | grep -q 'RRSIG.*A 13'"
while [ "$(date -u +%s)" -le "$(($(date -u -d "$due" +%s) + 1))" ]; do sleep 0.2; done
sleep 1
check "the due rollover step failed and was logged" grep -q 'step failed.*disk is full' "$T/api.log"
check "nothing was half-written: the keystore's dump is unchanged" test "$(db_sum)" = "$before"
check "integrity_check passes on the full disk" test \
  "$(sqlite3 -cmd '.timeout 5000' "$T/scaidns.db" 'PRAGMA integrity_check')" = ok

rm -f "$T/small/fill"
check "space freed: healthz 200 again" eventually 3 curl -sf "$URL/healthz"
call_api PUT "$W" '{"ttl":3,"records":["192.0.2.7"]}'
check "the record write goes through ($CODE)" test "$CODE" = 200
check "and PowerDNS serves it" eventually 5 served www.child.sdtest. A 192.0.2.7
call_api POST /api/v1/domains/spare.test/dnssec/enable '{"algorithm":13}'
check "enable goes through ($CODE)" test "$CODE" = 200
check "the rollover goes on: the new ZSK is active" eventually 5 bash -c \
  "curl -s -H 'Authorization: Bearer $TOK' '$URL$C' | jq -e '.status == \"rotating_zsk\" and
    ([.zsk[] | select(.state == \"active\")] | length == 1) and
    ([.zsk[] | select(.state == \"published\")] | length == 0)'"
wait_for 30 "$TWO_KEYS_ACTIVE"
ok "the zone's rollover completes"
check "zone create through scaidnsctl works again" ctl zone create cli.test
check "the keystore is intact and its audit chain verifies" db_ok
check "scaidns-api and scaidns-backend are still running" kill -0 "$API_PID" "$BACKEND_PID"
check "no sanitizer report" bash -c "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' \
  '$T/api.log' '$T/backend.log'"
finish
