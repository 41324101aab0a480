# backend_threads.sh - scaidns-backend with worker threads (backend-threads=4) behind a
# pdns_server with 8 distributor threads and every cache off: under load every query is
# answered (no SERVFAIL, none lost), a key change committed by another process is served by
# the very next query, whichever connection and worker it reaches, and the backend stops
# cleanly.
set -euo pipefail
. "$SCAIDNS_SRC/test/integration/lib/pdns.sh"
. "$SCAIDNS_SRC/test/integration/lib/signed_zone.sh"
pdns_init
command -v dnsperf >/dev/null || { echo "SKIP: dnsperf not installed"; exit 0; }
sd_conf backend-threads=4 log-level=info
ctl init >/dev/null
Z=threads.test.
make_signed_zone "$Z" 13 nsec
ctl dnssec rotate-zsk "$Z" >/dev/null # a published ZSK to switch on and off
backend_start
grep -q "4 worker threads" "$T/backend.log" && ok "the backend runs 4 worker threads" ||
  bad "the backend runs 4 worker threads: $(grep listening "$T/backend.log")"
pdns_conf "$(free_port)" distributor-threads=8 cache-ttl=0 query-cache-ttl=0 negquery-cache-ttl=0 \
  dnssec-key-cache-ttl=0 zone-metadata-cache-ttl=0
pdns_start

for name in www mail ns1 nope "" ; do echo "${name:+$name.}$Z A"; done >"$T/queries"
echo "$Z DNSKEY" >>"$T/queries"
dnsperf -s 127.0.0.1 -p "$PORT" -d "$T/queries" -D -l 8 -c 8 -q 32 >"$T/perf" 2>&1 &
PERF=$!
PIDS+=($PERF)
sleep 1

# Ten switches of the published ZSK, each checked by the first query after the commit.
dnskeys() { q "$Z" DNSKEY +short | grep -c '^25[67] ' || true; }
late=0
for i in $(seq 10); do
  if [ $((i % 2)) = 1 ]; then state=removed want=2; else state=published want=3; fi
  sqlite3 "$T/scaidns.db" "UPDATE keys SET state = '$state' WHERE role = 'ZSK' AND state IN ('published', 'removed') AND sealed_private IS NOT NULL"
  got=$(dnskeys)
  [ "$got" = "$want" ] || { late=$((late + 1)); echo "     switch $i: $got DNSKEYs, wanted $want"; }
done
check "every key change served by the very next query ($late late of 10)" test "$late" = 0

wait "$PERF" || true
sent=$(awk '/Queries sent/ { print $3 }' "$T/perf")
done_=$(awk '/Queries completed/ { print $3 }' "$T/perf")
servfail=$(grep -c SERVFAIL "$T/perf" || true)
echo "     dnsperf: $sent sent, $done_ completed, $(awk '/Queries per second/ { print int($4) }' "$T/perf") QPS"
check "dnsperf: every query answered ($done_ of $sent)" test "${sent:-0}" -gt 0 -a "$sent" = "$done_"
check "dnsperf: no SERVFAIL" test "$servfail" = 0
check "signed answers" bash -c "dig @127.0.0.1 -p $PORT +norec +dnssec www.$Z A | grep -q RRSIG"

pdns_stop
kill "$BACKEND_PID"
rc=0
wait "$BACKEND_PID" || rc=$?
check "the backend stops cleanly on SIGTERM (exit $rc)" test "$rc" = 0
check "and logs its stop" grep -q "stopped after" "$T/backend.log"
check "no error logged" bash -c "! grep -qiE 'error|AddressSanitizer|runtime error' '$T/backend.log'"
check "its socket is gone" test ! -e "$T/backend.sock"
finish
