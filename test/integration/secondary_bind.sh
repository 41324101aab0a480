#!/usr/bin/env bash
# secondary_bind.sh - scale-out: PowerDNS + scaidns-backend as a hidden primary, BIND 9 as the
# secondary that serves the child zone (child.sdtest.) on a port of its own, and a validating
# unbound whose stub for the child points at BIND only (the parent stays on PowerDNS). scaidns bumps
# the child's SOA serial on every key change; PowerDNS then NOTIFYs BIND, which transfers the
# zone as PowerDNS signs it live. Checked: the signed zone arrives at BIND with PowerDNS's
# serial, a ZSK and a KSK rollover reach BIND, and unbound, asked without pause, validates
# every answer throughout. BIND listens on 127.0.0.1 like the others: it binds only addresses
# configured on an interface, and lo carries 127.0.0.1 alone (127.0.0.2 would need `ip addr`).
set -euo pipefail
. "$SCAIDNS_SRC/test/integration/lib/pdns.sh"
. "$SCAIDNS_SRC/test/integration/lib/unbound.sh"
. "$SCAIDNS_SRC/test/integration/lib/rollover.sh"
pdns_init
command -v named >/dev/null || { echo "SKIP: named (bind9) not installed"; exit 0; }

SEC=127.0.0.1
SPORT=$(free_port)

# The world of rollover.sh, with PowerDNS as the child's primary (kind 'master', NOTIFY to
# BIND, AXFR from loopback) and short SOA timers; unbound comes once BIND has the zone.
rollover_world --propagation 4 --child-timers "5 2" --notify "$SEC:$SPORT"

mkdir -p "$T/named"
cat >"$T/named.conf" <<CONF
options {
  directory "$T/named";
  pid-file "$T/named/named.pid";
  session-keyfile "$T/named/session.key";
  managed-keys-directory "$T/named";
  listen-on port $SPORT { $SEC; };
  query-source address $SEC;
  transfer-source $SEC;
  listen-on-v6 { none; };
  dnssec-validation no;
  recursion no;
  notify no;
  request-ixfr no;
  min-refresh-time 1;
  min-retry-time 1;
};
controls { };
zone "child.sdtest" {
  type secondary;
  primaries port $PORT { 127.0.0.1; };
  file "child.db";
};
CONF
named -4 -g -c "$T/named.conf" >>"$T/named.log" 2>&1 &
PIDS+=($!)
NAMED_PID=$!

sq() { dig @"$SEC" -p "$SPORT" +norec +time=2 +tries=2 "$@"; }
serial_p() { q +short child.sdtest. SOA | awk '{ print $3 }'; }
serial_s() { sq +short child.sdtest. SOA | awk '{ print $3 }'; }
dnskeys() { "$@" +short child.sdtest. DNSKEY | sort; }

# wait_secondary SECONDS WHAT: until BIND serves PowerDNS's serial and DNSKEY set.
wait_secondary() {
  local end=$((SECONDS + $1)) t0=$SECONDS p
  while [ $SECONDS -lt $end ]; do
    p=$(serial_p)
    if [ -n "$p" ] && [ "$p" = "$(serial_s)" ] && [ "$(dnskeys q)" = "$(dnskeys sq)" ]; then
      ok "$2 at BIND (serial $p, after $((SECONDS - t0)) s)"
      return 0
    fi
    kill -0 "$NAMED_PID" 2>/dev/null || break
    sleep 0.5
  done
  bad "$2 at BIND: serial $(serial_p) at PowerDNS, $(serial_s) at BIND"
  tail -20 "$T/named.log"
  exit 1
}

wait_secondary 30 "the unsigned zone transferred"
unbound_start "$PORT" sdtest. "child.sdtest.=$SEC@$SPORT"
stubs=$(grep 'stub-addr:' "$T/unbound.conf" | tr -d ' ' | paste -sd ' ')
check "unbound asks PowerDNS for the parent and BIND alone for the child" \
  test "$stubs" = "stub-addr:127.0.0.1@$PORT stub-addr:$SEC@$SPORT"

# Go live: algorithm 13; the signed zone must reach BIND before the DS is at the parent.
api POST "$C/enable" '{"algorithm": 13}' >/dev/null
wait_secondary 30 "the signed zone transferred"
if sq +dnssec child.sdtest. DNSKEY | grep -q 'RRSIG[[:space:]]*DNSKEY'; then
  ok "BIND serves the DNSKEY set with its RRSIGs"
else
  bad "BIND serves the DNSKEY set with its RRSIGs"
fi
publish_ds_and_confirm
wait_secondary 30 "the zone after go-live"
sleep 1
if dig @127.0.0.1 -p "$UPORT" +dnssec www.child.sdtest. A | grep -q '^;; flags:[^;]* ad[ ;]'; then
  ok "unbound validates the child through BIND"
else
  bad "unbound validates the child through BIND"
  querier_show_bad
fi
child_querier_start
echo "     unbound is asked without pause from now on"

t0=$SECONDS
api POST "$C/rotate-zsk" >/dev/null
wait_for 90 "$TWO_KEYS_ACTIVE"
wait_secondary 30 "the final DNSKEY set of the ZSK rollover ($((SECONDS - t0)) s)"

t0=$SECONDS
api POST "$C/rotate-ksk" >/dev/null
publish_ds_and_confirm
wait_for 90 "$TWO_KEYS_ACTIVE"
wait_secondary 30 "the final DNSKEY set of the KSK rollover ($((SECONDS - t0)) s)"

child_querier_verdict 100
ok "every answer validated during both rollovers"
grep -q 'transfer of .child.sdtest/IN. from 127.0.0.1#' "$T/named.log" &&
  echo "     $(grep -c 'Transfer completed' "$T/named.log") transfers completed at BIND"
finish
