#!/usr/bin/env bash
# secondary_tsig.sh - scale-out with TSIG: PowerDNS + scaidns-backend as a hidden primary, BIND 9
# and Knot DNS as the secondaries that serve the child zone (child.sdtest.), each on a port of
# its own and each transferring with its own TSIG key (xfr-bind. hmac-sha256, made with
# scaidnsctl; xfr-knot. hmac-sha512, made through the API), and a validating unbound whose stub
# for the child lists the two secondaries only (the parent stays on PowerDNS). PowerDNS allows
# AXFR from no address (allow-axfr-ips names a documentation address): only a TSIG key named
# in the child's TSIG-ALLOW-AXFR, which scaidns-backend serves, opens a transfer. scaidns bumps
# the child's SOA serial on every key change; PowerDNS then NOTIFYs both secondaries, which
# transfer the zone as PowerDNS signs it live.
#
# Checked: an unsigned AXFR, one signed with a key the zone does not list and one with a wrong
# secret are refused, a signed one is served; the API never shows a secret again; the signed
# zone reaches both secondaries with PowerDNS's serial, after a NOTIFY; a ZSK and a KSK
# rollover reach both; and unbound, asked without pause, validates every answer throughout.
# BIND and Knot listen on 127.0.0.1 like the others (lo carries 127.0.0.1 alone).
set -euo pipefail
. "$SCAIDNS_SRC/test/integration/lib/pdns.sh"
. "$SCAIDNS_SRC/test/integration/lib/unbound.sh"
. "$SCAIDNS_SRC/test/integration/lib/rollover.sh"
pdns_init
command -v named >/dev/null || { echo "SKIP: named (bind9) not installed"; exit 0; }
command -v knotd >/dev/null || { echo "SKIP: knotd (knot) not installed"; exit 0; }

SEC=127.0.0.1
BPORT=$(free_port)
KPORT=$(free_port)

# The world of rollover.sh, with PowerDNS as the child's primary (kind 'master', NOTIFY to both
# secondaries) and short SOA timers. No address may transfer a zone; NOTIFYs go unsigned
# (PowerDNS would sign them with the first key of TSIG-ALLOW-AXFR, which Knot does not know:
# see the README's scale-out section).
rollover_world --propagation 4 --child-timers "5 2" --notify "$SEC:$BPORT,$SEC:$KPORT" \
  --pdns allow-axfr-ips=192.0.2.1/32 --pdns send-signed-notify=no
TTOK=$(ctl token create --name xfr --scopes tsig:read,tsig:write)

# tsig_api METHOD PATH [BODY]: the API with the TSIG token; prints "STATUS BODY".
tsig_api() {
  local code
  code=$(curl -s -o "$T/tsig.json" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $TTOK" \
    ${3:+-H 'Content-Type: application/json' --data-binary "$3"} "$URL$2")
  echo "$code $(cat "$T/tsig.json")"
}

# The two keys: one from scaidnsctl (the secret alone on stdout), one through the API.
BIND_SECRET=$(ctl tsig create xfr-bind)
check "scaidnsctl tsig create prints a 32-byte base64 secret alone" \
  test "$(base64 -d <<<"$BIND_SECRET" | wc -c)" = 32
out=$(tsig_api POST /api/v1/tsigkeys '{"name": "xfr-knot", "algorithm": "hmac-sha512"}')
KNOT_SECRET=$(jq -r .secret <<<"${out#* }")
check "POST /api/v1/tsigkeys: 201 with a 64-byte secret" \
  test "${out%% *}" = 201 -a "$(base64 -d <<<"$KNOT_SECRET" | wc -c)" = 64
OTHER_SECRET=$(ctl tsig create xfr-other --algorithm hmac-md5 2>"$T/md5.err")
check "hmac-md5 is accepted with a warning" grep -q 'weak' "$T/md5.err"
out=$(tsig_api GET /api/v1/tsigkeys)
check "the key list shows no secret, and flags hmac-md5 as weak" \
  test "$(jq -c '[.tsigkeys[] | [.name, .weak, has("secret")]]' <<<"${out#* }")" \
  = '[["xfr-bind.",false,false],["xfr-knot.",false,false],["xfr-other.",true,false]]'
if grep -qF -e "$BIND_SECRET" -e "$KNOT_SECRET" <(sqlite3 "$T/scaidns.db" .dump) "$T/api.log"; then
  bad "no secret in the keystore or the API's log"
else
  ok "no secret in the keystore or the API's log"
fi

# Both keys may transfer the child: set with scaidnsctl, read back through the API.
ctl zone allow-axfr child.sdtest xfr-knot xfr-bind >/dev/null
out=$(tsig_api GET /api/v1/domains/child.sdtest./metadata/TSIG-ALLOW-AXFR)
check "the API shows the child's TSIG-ALLOW-AXFR" \
  test "$out" = '200 {"kind":"TSIG-ALLOW-AXFR","metadata":["xfr-bind.","xfr-knot."]}'
sleep 1.5 # PowerDNS's metadata cache (1 s here)

# AXFR as a stranger would try it.
axfr() { dig @127.0.0.1 -p "$PORT" +time=3 +tries=1 child.sdtest. AXFR "$@"; }
soas() { grep -c 'IN[[:space:]]*SOA' || true; }
check "an unsigned AXFR is refused" test "$(axfr | soas)" = 0
check "an AXFR signed with a key the zone does not list is refused" \
  test "$(axfr -y "hmac-md5:xfr-other.:$OTHER_SECRET" | soas)" = 0
check "an AXFR signed with a wrong secret is refused" \
  test "$(axfr -y "hmac-sha256:xfr-bind.:$KNOT_SECRET" | soas)" = 0
check "an AXFR signed with xfr-bind. is served" \
  test "$(axfr -y "hmac-sha256:xfr-bind.:$BIND_SECRET" | soas)" = 2
grep -q "does not grant access" "$T/pdns.log" &&
  echo "     PowerDNS: $(grep -m1 'does not grant access' "$T/pdns.log" | sed 's/^.*AXFR-out/AXFR-out/')"

mkdir -p "$T/named" "$T/knot/db"
cat >"$T/named.conf" <<CONF
key "xfr-bind." {
  algorithm hmac-sha256;
  secret "$BIND_SECRET";
};
options {
  directory "$T/named";
  pid-file "$T/named/named.pid";
  session-keyfile "$T/named/session.key";
  managed-keys-directory "$T/named";
  listen-on port $BPORT { $SEC; };
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
  primaries port $PORT { 127.0.0.1 key "xfr-bind."; };
  file "child.db";
};
CONF
cat >"$T/knot.conf" <<CONF
server:
    rundir: "$T/knot"
    pidfile: "$T/knot/knot.pid"
    listen: $SEC@$KPORT
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
log:
  - target: "$T/knot.log"
    any: info
database:
    storage: "$T/knot/db"
key:
  - id: xfr-knot.
    algorithm: hmac-sha512
    secret: $KNOT_SECRET
remote:
  - id: primary
    address: 127.0.0.1@$PORT
    key: xfr-knot.
acl:
  - id: notify-from-primary
    address: 127.0.0.1
    action: notify
template:
  - id: default
    storage: "$T/knot"
    zonefile-sync: -1
    zonefile-load: none
    journal-content: none
    refresh-min-interval: 2
    retry-min-interval: 2
zone:
  - domain: child.sdtest.
    master: primary
    acl: notify-from-primary
CONF
named -4 -g -c "$T/named.conf" >>"$T/named.log" 2>&1 &
PIDS+=($!)
NAMED_PID=$!
knotd -c "$T/knot.conf" >>"$T/knotd.out" 2>&1 &
PIDS+=($!)
KNOT_PID=$!

bq() { dig @"$SEC" -p "$BPORT" +norec +time=2 +tries=2 "$@"; }
kq() { dig @"$SEC" -p "$KPORT" +norec +time=2 +tries=2 "$@"; }
serial() { "$@" +short child.sdtest. SOA | awk '{ print $3 }'; }
dnskeys() { "$@" +short child.sdtest. DNSKEY | sort; }

# wait_secondaries SECONDS WHAT: until BIND and Knot serve PowerDNS's serial and DNSKEY set.
wait_secondaries() {
  local end=$((SECONDS + $1)) t0=$SECONDS p
  while [ $SECONDS -lt $end ]; do
    p=$(serial q)
    if [ -n "$p" ] && [ "$p" = "$(serial bq)" ] && [ "$p" = "$(serial kq)" ] &&
      [ "$(dnskeys q)" = "$(dnskeys bq)" ] && [ "$(dnskeys q)" = "$(dnskeys kq)" ]; then
      ok "$2 at BIND and Knot (serial $p, after $((SECONDS - t0)) s)"
      return 0
    fi
    kill -0 "$NAMED_PID" 2>/dev/null && kill -0 "$KNOT_PID" 2>/dev/null || break
    sleep 0.5
  done
  bad "$2: serial $(serial q) at PowerDNS, $(serial bq) at BIND, $(serial kq) at Knot"
  tail -n 15 "$T/named.log" "$T/knot.log" "$T/knotd.out"
  exit 1
}

wait_secondaries 60 "the unsigned zone transferred" # named and knotd start first (15 s seen on busy cores)
unbound_start "$PORT" sdtest. "child.sdtest.=$SEC@$BPORT,$SEC@$KPORT"
stubs=$(grep 'stub-addr:' "$T/unbound.conf" | tr -d ' ' | paste -sd ' ')
check "unbound asks PowerDNS for the parent and BIND and Knot alone for the child" \
  test "$stubs" = "stub-addr:127.0.0.1@$PORT stub-addr:$SEC@$BPORT stub-addr:$SEC@$KPORT"

# Go live: algorithm 13; the signed zone must reach both before the DS is at the parent. The
# SOA timers are 5 s: within 4 s only a NOTIFY brings a new serial.
n_knot=$(grep -ci 'notify, incoming' "$T/knot.log" || true)
api POST "$C/enable" '{"algorithm": 13}' >/dev/null
wait_secondaries 30 "the signed zone transferred"
check "Knot received a NOTIFY from PowerDNS" \
  test "$(grep -ci 'notify, incoming' "$T/knot.log" || true)" -gt "$n_knot"
check "BIND received a NOTIFY from PowerDNS" grep -q 'received notify for zone' "$T/named.log"
for s in bq kq; do
  if $s +dnssec child.sdtest. DNSKEY | grep -q 'RRSIG[[:space:]]*DNSKEY'; then
    ok "$s serves the DNSKEY set with its RRSIGs"
  else
    bad "$s serves the DNSKEY set with its RRSIGs"
  fi
done
publish_ds_and_confirm
wait_secondaries 30 "the zone after go-live"
sleep 1
if dig @127.0.0.1 -p "$UPORT" +dnssec www.child.sdtest. A | grep -q '^;; flags:[^;]* ad[ ;]'; then
  ok "unbound validates the child through the secondaries"
else
  bad "unbound validates the child through the secondaries"
  querier_show_bad
fi
child_querier_start
echo "     unbound is asked without pause from now on"

t0=$SECONDS
api POST "$C/rotate-zsk" >/dev/null
wait_for 90 "$TWO_KEYS_ACTIVE"
wait_secondaries 30 "the final DNSKEY set of the ZSK rollover ($((SECONDS - t0)) s)"

t0=$SECONDS
api POST "$C/rotate-ksk" >/dev/null
publish_ds_and_confirm
wait_for 90 "$TWO_KEYS_ACTIVE"
wait_secondaries 30 "the final DNSKEY set of the KSK rollover ($((SECONDS - t0)) s)"

child_querier_verdict 40 # dig alone took ~0.5 s a question with the 2 cores busy
ok "every answer validated during both rollovers"
echo "     $(grep -c 'Transfer completed' "$T/named.log") transfers at BIND," \
  "$(grep -ci 'XFR, incoming.*finished' "$T/knot.log" || true) at Knot"

# The key in use cannot go; once the zone no longer lists it, it can.
out=$(tsig_api DELETE /api/v1/tsigkeys/xfr-knot)
check "a key the zone lists cannot be deleted (409)" test "${out%% *}" = 409
out=$(tsig_api PUT /api/v1/domains/child.sdtest./metadata/TSIG-ALLOW-AXFR '{"metadata": ["xfr-bind"]}')
check "PUT .../metadata/TSIG-ALLOW-AXFR replaces the list" \
  test "$out" = '200 {"kind":"TSIG-ALLOW-AXFR","metadata":["xfr-bind."]}'
out=$(tsig_api DELETE /api/v1/tsigkeys/xfr-knot)
check "then it can (204)" test "${out%% *}" = 204
sleep 1.5
check "an AXFR signed with the deleted key is refused" \
  test "$(axfr -y "hmac-sha512:xfr-knot.:$KNOT_SECRET" | soas)" = 0
check "the changes are audited" test "$(sqlite3 "$T/scaidns.db" \
  "SELECT group_concat(action, ',') FROM (SELECT action FROM audit WHERE action LIKE 'tsig-%' ORDER BY id)")" \
  = "tsig-create,tsig-create,tsig-create,tsig-allow-axfr,tsig-allow-axfr,tsig-delete"
finish
