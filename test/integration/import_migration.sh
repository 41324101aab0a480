#!/usr/bin/env bash
# import_migration.sh - a PowerDNS that signs its zones itself (gsqlite3, `pdnsutil
# secure-zone`: one CSK each) hands them over to scaidns while a validating unbound, trusting
# only the parent, is asked without pause:
#   1. import: child.sdtest. (full mode) with `scaidnsctl dnssec import --from-pdns-api
#      --records` from the old PowerDNS's REST API; ko.sdtest. (keys-only mode) through the
#      scaidns API with `pdnsutil export-zone-key`'s text; the parent's DS untouched;
#   2. the switch, one server of the zones' NS set after the other (a rolling restart, as an
#      operator does it): each pdns_server is restarted with launch=remote,gsqlite3 (the
#      child's records gone from its gsqlite3 copy: full mode; the keys-only zone's records
#      kept there);
#   3. the split: each CSK keeps the DNSKEY RRset, a new ZSK takes over the other signatures;
#   4. a KSK rollover of the child that replaces the imported CSK (new DS at the parent);
#   5. a ZSK rollover of the child; and the old keys removed from PowerDNS's own backend.
# At each phase the key tags PowerDNS serves are checked; at the end every one of unbound's
# answers must have validated (no SERVFAIL).
set -euo pipefail
. "$SCAIDNS_SRC/test/integration/lib/pdns.sh"
. "$SCAIDNS_SRC/test/integration/lib/unbound.sh"
. "$SCAIDNS_SRC/test/integration/lib/rollover.sh"
pdns_init
for tool in pdnsutil sqlite3 jq curl unbound; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed"; exit 1; }
done
SCHEMA=/usr/share/doc/pdns-backend-sqlite3/schema.sqlite3.sql
[ -r "$SCHEMA" ] || { echo "FAIL: $SCHEMA missing (pdns-backend-sqlite3)"; exit 1; }
KO=/api/v1/domains/ko.sdtest./dnssec
P1=$(free_port)
P2=$(free_port)
W1=$(free_port)
APORT=$(free_port)

# --- the old world: both zones in gsqlite3, signed by pdnsutil ---------------------------------
# old_conf DIR PORT DB [lines...]: a pdns.conf serving DB with gsqlite3 alone.
old_conf() {
  local dir=$1 port=$2 db=$3
  shift 3
  mkdir -p "$dir" "$dir-run"
  {
    echo "launch=gsqlite3"
    echo "gsqlite3-database=$db"
    echo "gsqlite3-dnssec=yes"
    echo "local-address=127.0.0.1"
    echo "local-port=$port"
    echo "socket-dir=$dir-run"
    echo "guardian=no"
    echo "daemon=no"
    echo "disable-syslog=yes"
    echo "loglevel=4"
    echo "security-poll-suffix="
    echo "distributor-threads=2"
    echo "cache-ttl=1"
    echo "query-cache-ttl=1"
    echo "negquery-cache-ttl=1"
    echo "dnssec-key-cache-ttl=1"
    echo "zone-metadata-cache-ttl=1"
    echo "zone-cache-refresh-interval=0"
    local l
    for l in "$@"; do echo "$l"; done
  } >"$dir/pdns.conf"
}
# start_pdns DIR: pdns_server on DIR's configuration; prints its pid once it answers on its
# control socket (its port may be shared with the server it replaces).
start_pdns() {
  pdns_server --config-dir="$1" >>"$1.log" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  for _ in $(seq 150); do
    [ "$(pdns_control --socket-dir="$1-run" rping 2>/dev/null)" = PONG ] && {
      echo "$pid"
      return 0
    }
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "FAIL: pdns_server ($1) did not start" >&2
  tail -20 "$1.log" >&2
  exit 1
}
stop_pid() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
# tags PORT ZONE: "flags tag" of each served DNSKEY, sorted, on one line.
tags() {
  dig @127.0.0.1 -p "$1" +norec +time=2 +tries=2 "$2" DNSKEY +multi |
    awk '/DNSKEY[ \t]+25[67] / { f = $(NF-3) } /key id = / { print f, $NF }' | sort | tr '\n' ' '
}
# sig_tags PORT NAME TYPE: the key tags of the RRSIGs over NAME/TYPE, sorted.
sig_tags() {
  dig @127.0.0.1 -p "$1" +norec +dnssec +time=2 +tries=2 "$2" "$3" |
    awk -v t="$3" '$4 == "RRSIG" && $5 == t { print $11 }' | sort | tr '\n' ' '
}
want_tags() { printf '%s\n' "$@" | sort | tr '\n' ' '; }
PASSED=0
expect() { # expect WHAT GOT WANT
  if [ "$2" = "$3" ]; then PASSED=$((PASSED + 1)); echo "ok   $1"
  else echo "FAIL: $1: got '$2', want '$3'"; exit 1; fi
}
zstate() { api GET "/api/v1/domains/$1/dnssec"; }
# zwait ZONE SECONDS JQ: polls the zone's state until the filter holds.
zwait() {
  local end=$((SECONDS + $2))
  while [ $SECONDS -lt $end ]; do
    zstate "$1" | jq -e "$3" >/dev/null && return 0
    sleep 0.5
  done
  echo "FAIL: after $2 s $1 does not satisfy $3:"
  zstate "$1" | jq -c '{status, ksk: [.ksk[] | {key_tag, state}], zsk: [.zsk[] | {key_tag, state}]}'
  tail -5 "$T/api.log"
  exit 1
}

OLD=$T/old1
sqlite3 "$T/old.sqlite3" <"$SCHEMA"
old_conf "$OLD" "$P1" "$T/old.sqlite3" api=yes api-key=migrate-me webserver=yes \
  webserver-address=127.0.0.1 "webserver-port=$W1" webserver-allow-from=127.0.0.0/8
echo migrate-me >"$T/pdns-api-key"
chmod 600 "$T/pdns-api-key"
for z in child ko; do
  cat >"$T/$z.zone" <<Z
\$TTL 3
@      SOA  ns1 hostmaster 1 3600 600 86400 2
@      NS   ns1
ns1    A    127.0.0.1
www    A    192.0.2.1
www    AAAA 2001:db8::1
*.w    A    192.0.2.9
Z
  pdnsutil --config-dir="$OLD" load-zone "$z.sdtest" "$T/$z.zone" >/dev/null 2>&1
  pdnsutil --config-dir="$OLD" secure-zone "$z.sdtest" >/dev/null 2>&1
done
# A key PowerDNS keeps but neither publishes nor uses (a leftover): not to be imported.
pdnsutil --config-dir="$OLD" add-zone-key child.sdtest zsk inactive unpublished ecdsa256 >/dev/null 2>&1
csk_tag() { pdnsutil --config-dir="$OLD" export-zone-ds "$1" 2>/dev/null | awk '!d && $3 == "DS" && $6 == 2 { print $4; d = 1 }'; }
CT=$(csk_tag child.sdtest)
KT=$(csk_tag ko.sdtest)
[ -n "$CT" ] && [ -n "$KT" ] || { echo "FAIL: pdnsutil secure-zone made no keys"; exit 1; }

# --- the parent in scaidns, holding the DS pdnsutil gave --------------------------------------
sd_conf "pdns-control-socket=$T/new1-run/pdns.controlsocket" "auth-servers=127.0.0.1:$P1,127.0.0.1:$P2" \
  "pdns-address=127.0.0.1:$P1" \
  "api-listen=127.0.0.1:$APORT" "scheduler-interval=1" \
  "policy-dnskey-ttl=2" "policy-propagation-delay=2" "policy-publish-safety=3" \
  "policy-retire-safety=1" "policy-parent-ds-ttl=3" "policy-parent-propagation-delay=1"
ctl init >/dev/null
TOK=$(ctl token create --name migrate \
  --scopes dnssec:read,dnssec:enable,dnssec:rotate,dnssec:disable,zones:read,zones:write)
{
  printf '$TTL 3\n@ SOA ns1 hostmaster 1 3600 600 86400 2\n@ NS ns1\nns1 A 127.0.0.1\n'
  for z in child ko; do
    printf '%s NS ns1.%s\nns1.%s A 127.0.0.1\n' "$z" "$z" "$z"
    pdnsutil --config-dir="$OLD" export-zone-ds "$z.sdtest" 2>/dev/null |
      awk -v z="$z" '!d && $3 == "DS" && $6 == 2 { print z, "DS", $4, $5, $6, $7; d = 1 }'
  done
} >"$T/parent.zone"
ctl zone import sdtest "$T/parent.zone" >/dev/null
ctl dnssec enable sdtest >/dev/null
ctl dnssec confirm-ds sdtest >/dev/null
backend_start
pdns_conf "$(free_port)" cache-ttl=1 query-cache-ttl=1 negquery-cache-ttl=1 dnssec-key-cache-ttl=1 \
  zone-metadata-cache-ttl=1
pdns_start # the parent's server (PORT)

# Both old servers (the zones' NS set: P1 and P2) serve the gsqlite3 zones.
OLD1_PID=$(start_pdns "$OLD")
old_conf "$T/old2" "$P2" "$T/old.sqlite3"
OLD2_PID=$(start_pdns "$T/old2")
UNBOUND_EXTRA=("infra-host-ttl: 3" "infra-keep-probing: yes")
# The rolling restart leaves each server down for a moment; on a loaded machine unbound may
# take more than 4 s to turn to the other one. The answer must still come, and validate.
UQ_TIMEOUT=10
unbound_start "$PORT" sdtest. "child.sdtest.=127.0.0.1@$P1 127.0.0.1@$P2" \
  "ko.sdtest.=127.0.0.1@$P1 127.0.0.1@$P2"
api_restart
querier_start "www.child.sdtest. A" "child.sdtest. DNSKEY" "nx.child.sdtest. A" \
  "a.w.child.sdtest. A" "www.ko.sdtest. AAAA" "ko.sdtest. DNSKEY" "nx.ko.sdtest. TXT"
expect "before: pdnsutil's CSKs served" "$(tags "$P1" child.sdtest.)$(tags "$P2" ko.sdtest.)" \
  "$(want_tags "257 $CT")$(want_tags "257 $KT")"
sleep 2

# --- 1. import -----------------------------------------------------------------------------------
echo wrong-key >"$T/bad-key"
if out=$(ctl dnssec import child.sdtest --from-pdns-api "http://127.0.0.1:$W1" \
  --api-key-file "$T/bad-key" --records 2>&1); then echo "FAIL: a wrong api key was accepted"; exit 1; fi
expect "import: a wrong PowerDNS api-key is refused, saying so" \
  "$(grep -c 'api key was refused (401)' <<<"$out")$(sqlite3 "$T/scaidns.db" "SELECT count(*) FROM zones WHERE name = 'child.sdtest.'")" 10
ctl dnssec import child.sdtest --from-pdns-api "http://127.0.0.1:$W1" \
  --api-key-file "$T/pdns-api-key" --records --ds-published >"$T/import-child.out"
expect "full mode: the key PowerDNS neither publishes nor uses is left out" \
  "$(grep -c 'left out 1 key' "$T/import-child.out")" 1
expect "full mode: the records came from PowerDNS's API" \
  "$(sqlite3 "$T/scaidns.db" "SELECT group_concat(name || ' ' || type, ', ') FROM (SELECT s.name, s.type FROM rrsets s JOIN zones z ON z.id = s.zone_id WHERE z.name = 'child.sdtest.' ORDER BY 1, 2)")" \
  "*.w.child.sdtest. A, child.sdtest. NS, child.sdtest. SOA, ns1.child.sdtest. A, www.child.sdtest. A, www.child.sdtest. AAAA"
ctl zone create ko.sdtest --keys-only >/dev/null
kid=$(pdnsutil --config-dir="$OLD" list-keys ko.sdtest 2>/dev/null | awk '$1 == "ko.sdtest" { print $7; exit }')
pdnsutil --config-dir="$OLD" export-zone-key ko.sdtest "$kid" 2>/dev/null >"$T/ko.private"
jq -n --rawfile k "$T/ko.private" '{keys: [{role: "csk", private_key: $k}], ds_published: true}' >"$T/ko.json"
api POST "$KO/import" "$(cat "$T/ko.json")" >"$T/import-ko.out"
expect "import: the DS scaidns gives is pdnsutil's (child)" \
  "$(ctl ds child.sdtest | awk '$6 == 2 { print $4, toupper($7) }')" \
  "$(pdnsutil --config-dir="$OLD" export-zone-ds child.sdtest 2>/dev/null | awk '!d && $3 == "DS" && $6 == 2 { print $4, toupper($7); d = 1 }')"
expect "import: ko.sdtest. active with the CSK $KT, a ZSK to take over" \
  "$(jq -c '[.status, .imported[0].key_tag, (.split_zsk != null)]' "$T/import-ko.out")" "[\"active\",$KT,true]"
CZ=$(zstate child.sdtest. | jq -r '.zsk[0].key_tag')
KZ=$(zstate ko.sdtest. | jq -r '.zsk[0].key_tag')
sleep 3
expect "import: nothing changed in what is served yet" "$(tags "$P1" child.sdtest.)" "$(want_tags "257 $CT")"

# --- 2. the switch ---------------------------------------------------------------------------------
sqlite3 "$T/old.sqlite3" ".backup '$T/new.sqlite3'"
sqlite3 "$T/new.sqlite3" "PRAGMA journal_mode = WAL" >/dev/null
mkdir -p "$T/util"
printf 'launch=gsqlite3\ngsqlite3-database=%s\ngsqlite3-dnssec=yes\n' "$T/new.sqlite3" >"$T/util/pdns.conf"
pdnsutil --config-dir="$T/util" delete-zone child.sdtest >/dev/null 2>&1 # full mode: scaidns has it
for n in 2 1; do
  port=$P1
  [ $n = 2 ] && port=$P2
  if [ $n = 1 ]; then stop_pid "$OLD1_PID"; else stop_pid "$OLD2_PID"; fi
  # allow-axfr-ips: scaidns learns the TTLs the keys-only zone serves by AXFR (README)
  old_conf "$T/new$n" "$port" "$T/new.sqlite3" "launch=remote,gsqlite3" \
    "remote-connection-string=unix:path=$T/backend.sock" remote-dnssec=yes allow-axfr-ips=127.0.0.1
  start_pdns "$T/new$n" >/dev/null
  # unbound forgets the restart (infra-host-ttl) before the other server goes
  [ $n = 1 ] || sleep 5
done
SWITCHED=$(date +%s)
# First what changes soonest: the new ZSK must not sign before its publish wait (7 s: DNSKEY
# TTL 2 + propagation 2 + safety 3). On a machine so slow that the answers come later than
# that, the audit check of the split below still proves the order.
got="$(sig_tags "$P2" www.child.sdtest. A)$(sig_tags "$P2" www.ko.sdtest. A)"
if [ "$(date +%s)" -lt $((SWITCHED + 6)) ]; then
  expect "switch: the CSK still signs everything" "$got" "$(want_tags "$CT")$(want_tags "$KT")"
else
  echo "note: the answers came $(($(date +%s) - SWITCHED)) s after the switch: not checked for the CSK's signatures"
fi
expect "switch: child (full mode) serves the CSK and the pre-published ZSK" "$(tags "$P2" child.sdtest.)" \
  "$(want_tags "257 $CT" "256 $CZ")"
expect "switch: ko (keys-only) serves the CSK and the pre-published ZSK" "$(tags "$P2" ko.sdtest.)" \
  "$(want_tags "257 $KT" "256 $KZ")"

# --- 3. the split ------------------------------------------------------------------------------------
zwait child.sdtest. 60 "[.zsk[] | select(.key_tag == $CZ and .state == \"active\")] | length == 1"
zwait ko.sdtest. 30 "[.zsk[] | select(.key_tag == $KZ and .state == \"active\")] | length == 1"
first=$(sqlite3 "$T/scaidns.db" "SELECT min(at) FROM audit WHERE action = 'zsk-activate' AND outcome = 'ok'")
# The publish wait (DNSKEY TTL 2 + propagation 2 + safety 3) counts from the switch, not from
# the import: the served-data check held the split until both servers served the new ZSK.
expect "split: not before the publish wait after the switch" "$([ "$first" -ge $((SWITCHED + 6)) ] && echo yes)" yes
sleep 2
expect "split: the new ZSKs sign the records" "$(sig_tags "$P2" www.child.sdtest. A)$(sig_tags "$P2" www.ko.sdtest. A)" \
  "$(want_tags "$CZ")$(want_tags "$KZ")"
expect "split: the CSKs sign the DNSKEY RRsets" "$(sig_tags "$P2" child.sdtest. DNSKEY)$(sig_tags "$P2" ko.sdtest. DNSKEY)" \
  "$(want_tags "$CT")$(want_tags "$KT")"

# --- 4. a KSK rollover that replaces the imported key ------------------------------------------------
api POST "$C/rotate-ksk" >/dev/null
publish_ds_and_confirm
NK=$(zstate child.sdtest. | jq -r '[.ksk[] | select(.key_tag != '"$CT"')][0].key_tag')
zwait child.sdtest. 60 "$TWO_KEYS_ACTIVE and ([.ksk[] | select(.key_tag == $CT)] | length == 0)"
sleep 2
expect "KSK rollover: the imported CSK is gone" "$(tags "$P2" child.sdtest.)" "$(want_tags "257 $NK" "256 $CZ")"

# --- 5. a ZSK rollover, and the old keys out of PowerDNS's own backend -------------------------------
api POST "$C/rotate-zsk" >/dev/null
NZ=$(zstate child.sdtest. | jq -r '[.zsk[] | select(.key_tag != '"$CZ"')][0].key_tag')
zwait child.sdtest. 60 "$TWO_KEYS_ACTIVE and ([.zsk[] | select(.key_tag == $CZ)] | length == 0)"
sleep 2
expect "ZSK rollover: the new ZSK signs" "$(tags "$P2" child.sdtest.) $(sig_tags "$P2" www.child.sdtest. A)" \
  "$(want_tags "257 $NK" "256 $NZ") $(want_tags "$NZ")"
pdnsutil --config-dir="$T/util" remove-zone-key ko.sdtest "$kid" >/dev/null 2>&1
expect "keys-only: PowerDNS's own key removed from gsqlite3" \
  "$(pdnsutil --config-dir="$T/util" list-keys ko.sdtest 2>/dev/null | grep -c '^ko.sdtest' || true)" 0
sleep 2
expect "keys-only: still scaidns's keys served" "$(tags "$P2" ko.sdtest.)" "$(want_tags "257 $KT" "256 $KZ")"
child_querier_verdict 50
awk '$4 == "SERVFAIL"' "$T/q.log" | grep -q . && { echo "FAIL: SERVFAIL seen"; exit 1; }
PASSED=$((PASSED + 1))
echo "ok   every answer validated, no SERVFAIL ($Q_TOTAL answers)"
echo "$PASSED passed, 0 failed"
