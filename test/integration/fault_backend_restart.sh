#!/usr/bin/env bash
# fault_backend_restart.sh - scaidns-backend stopped (SIGTERM, then SIGKILL as a crash) and
# started again while pdns_server answers a stream of queries that no cache holds, and a
# validating unbound asks through it. What a user can accept, and what is asserted:
#   - no wrong answer at any time: every NOERROR is the right record with its RRSIG, unbound
#     never answers without AD, and logs a validation failure only for a DNSKEY query that
#     failed while the backend was away (it then answers SERVFAIL for a few seconds);
#   - failures (SERVFAIL, timeouts) only while the backend is away and just after: PowerDNS
#     answers SERVFAIL when it cannot connect, and each of its backend connections fails
#     once more on its first use after the restart (PowerDNS 4.7 sends on the old socket,
#     fails, and reconnects); unbound may hold a SERVFAIL a few seconds;
#   - answers resume within 2 s of the backend's return (unbound's within 6 s), with the same
#     pdns_server: it is neither restarted nor dead.
# PowerDNS runs without primary=yes here: as a primary, PowerDNS 4.7
# exits when the backend call of its communicator thread fails, which a backend restart
# causes; see test/integration/FAULTS.md.
set -euo pipefail
. "$SCAIDNS_SRC/test/integration/lib/pdns.sh"
. "$SCAIDNS_SRC/test/integration/lib/unbound.sh"
. "$SCAIDNS_SRC/test/integration/lib/rollover.sh"
. "$SCAIDNS_SRC/test/integration/lib/faults.sh"
pdns_init
rollover_setup
api POST "$C/enable" '{"algorithm": 13}' >/dev/null
publish_ds_and_confirm
pdns_pid=$PDNS_PID
child_querier_start
dig_loop_start "q@.w.child.sdtest." A # a wildcard: each name new, answered by the backend
: >"$T/windows"
sleep 2

for sig in TERM KILL TERM; do
  window_open
  kill "-$sig" "$BACKEND_PID"
  wait "$BACKEND_PID" 2>/dev/null || true
  sleep 0.5
  backend_start
  window_close
  sleep 3
done
sleep 1
dig_loop_stop
querier_stop
querier_report

n=$(wc -l <"$T/dig.log")
fails=$(awk "$(dig_bad 192.0.2.9)" "$T/dig.log" | wc -l)
echo "     $n answers from PowerDNS, $fails failed, the last $(lateness "$T/dig.log" "$(dig_bad 192.0.2.9)") s after the backend was back"
echo "     $Q_TOTAL answers from unbound, $Q_BAD not validated, the last $(lateness "$T/q.log" "$UNBOUND_BAD") s after"
wrong=$(awk '$2 == "NOERROR" && !($3 >= 1 && $4 == "192.0.2.9" && NF == 4)' "$T/dig.log")
check "no wrong or unsigned NOERROR from PowerDNS: $(head -3 <<<"$wrong")" test -z "$wrong"
late=$(unexcused "$T/dig.log" 2 "$(dig_bad 192.0.2.9)")
check "PowerDNS's failures only during a restart and within 2 s after: $(head -3 <<<"$late")" \
  test -z "$late"
check "PowerDNS answered throughout ($n answers)" test "$n" -ge 60
bogus=$(unbound_bogus 6)
check "unbound logged no validation failure but while a server was away: $(head -2 <<<"$bogus")" \
  test -z "$bogus"
wrong=$(awk '$4 == "NOERROR" && $5 != "ad"' "$T/q.log")
check "unbound never answered without validation: $(head -3 <<<"$wrong")" test -z "$wrong"
late=$(unexcused "$T/q.log" 6 "$UNBOUND_BAD")
check "unbound's failures only during a restart and within 6 s after: $(head -3 <<<"$late")" \
  test -z "$late"
check "the same pdns_server answers: not restarted, not dead" \
  bash -c "[ $pdns_pid = $PDNS_PID ] && kill -0 $PDNS_PID"
check "no sanitizer report" bash -c "! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' \
  '$T/api.log' '$T/backend.log'"
finish
