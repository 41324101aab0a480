#!/usr/bin/env bash
# cds_registry.sh - CDS/CDNSKEY (RFC 7344/8078) drive the parent without a human: a registry
# that follows the child's CDS (a loop in this test, editing the parent zone's DS through the
# API) and scaidns's parent check (parent-servers) take the zone live, through a KSK rollover
# and back to insecure. dig sees CDS at the right moments: none before the KSK's DNSKEY is
# everywhere, then exactly the KSK the parent should keep (the new one alone once it is ready,
# never the leaving one), the RFC 8078 DELETE pair while going insecure; dnssec-dsfromkey agrees
# with every CDS. unbound validates the child all along and never sees a broken chain.
set -euo pipefail
. "$SCAIDNS_SRC/test/integration/lib/pdns.sh"
. "$SCAIDNS_SRC/test/integration/lib/unbound.sh"
. "$SCAIDNS_SRC/test/integration/lib/rollover.sh"
pdns_init
rollover_setup --parent-check
P=/api/v1/domains/sdtest./rrsets/child.sdtest./DS
PASSED=0
pass() { PASSED=$((PASSED + 1)); echo "ok   $*"; }
audit_count() { sqlite3 "$T/scaidns.db" "SELECT count(*) FROM audit WHERE actor = 'scheduler' AND action = '$1'"; }
# The child's RRset of type $1 as PowerDNS serves it: one "rdata" per line, sorted.
served() {
  dig +norec +short @127.0.0.1 -p "$PORT" child.sdtest "$1" |
    awk '{ printf "%s %s %s ", $1, $2, $3; for (i = 4; i <= NF; i++) printf "%s", $i; print "" }' |
    sed 's/ $//' | tr a-f A-F | sort
}
# Waits up to $1 s until served "$2" equals $3 (lines).
wait_served() {
  local end=$((SECONDS + $1))
  while [ $SECONDS -lt $end ]; do
    [ "$(served "$2")" = "$3" ] && return 0
    sleep 0.3
  done
  echo "FAIL: $2 is"; served "$2"; echo "not"; echo "$3"; exit 1
}
# The CDS (digest 2) that dnssec-dsfromkey computes for the KSK with tag $1 from the served
# DNSKEY RRset: the oracle.
oracle_cds() {
  dig +norec @127.0.0.1 -p "$PORT" child.sdtest DNSKEY | awk '$4 == "DNSKEY" && $5 == 257' >"$T/dnskey.txt"
  dnssec-dsfromkey -2 -f "$T/dnskey.txt" child.sdtest | awk -v t="$1" '$4 == t { print $4, $5, $6, toupper($7) }'
}

# The registry: every second it reads the child's CDS from PowerDNS and makes the parent's DS
# RRset say the same (digest type 2), or deletes it on "0 0 0 00".
registry() {
  local last="" cds
  while sleep 1; do
    cds=$(served CDS | awk '$3 == 2 || $1 == 0')
    [ -n "$cds" ] && [ "$cds" != "$last" ] || continue
    if [ "$cds" = "0 0 0 00" ]; then
      curl -s -o /dev/null -X DELETE -H "Authorization: Bearer $TOK" "$URL$P"
    else
      curl -s -o /dev/null -X PUT -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' \
        --data "{\"ttl\": 3, \"records\": $(jq -R . <<<"$cds" | jq -sc .)}" "$URL$P"
    fi
    echo "$(date +%s) parent DS <- $cds" >>"$T/registry.log"
    last=$cds
  done
}
registry &
PIDS+=($!)

api PUT "$C/policy" '{"cds_delete": true}' >/dev/null

# 1. Go-live: no CDS until the zone is signed everywhere; then the KSK's, and the registry
#    and the parent check make the zone active.
api POST "$C/enable" '{"algorithm": 13}' >/dev/null
K1=$(state | jq -r '.ksk[0].key_tag')
[ -z "$(served CDS)" ] && [ -z "$(served CDNSKEY)" ] || { echo "FAIL: CDS before the DNSKEY was everywhere"; served CDS; exit 1; }
pass "no CDS/CDNSKEY right after enable"
wait_served 30 CDS "$(oracle_cds "$K1")"
want=$(awk -v t="$K1" '{ printf "%s %s %s ", $5, $6, $7; for (i = 8; i <= NF; i++) printf "%s", $i; print "" }' "$T/dnskey.txt" | tr a-f A-F)
[ "$(served CDNSKEY)" = "$want" ] || { echo "FAIL: CDNSKEY is not the KSK's DNSKEY:"; served CDNSKEY; echo "$want"; exit 1; }
pass "CDS names KSK $K1 once it is ready, as dnssec-dsfromkey computes it"
wait_for 30 '.status == "active"'
[ "$(audit_count parent-ds-seen)" -ge 1 ] || { echo "FAIL: not confirmed by the parent check"; exit 1; }
pass "the registry published the DS from CDS; the parent check confirmed it"
sleep 1
child_querier_start

# 2. KSK rollover: CDS stays on the old KSK until the new DNSKEY is everywhere, then names the
#    new one alone; the registry swaps the DS, the old KSK leaves.
api POST "$C/rotate-ksk" >/dev/null
K2=$(state | jq -r '[.ksk[] | select(.ds_seen_at == null)][0].key_tag')
[ "$(served CDS)" = "$(oracle_cds "$K1")" ] || { echo "FAIL: CDS left the old KSK too early"; served CDS; exit 1; }
pass "rollover started: CDS still names only the old KSK $K1"
wait_served 30 CDS "$(oracle_cds "$K2")"
pass "the new KSK $K2 is ready: CDS names it alone"
wait_for 40 "$TWO_KEYS_ACTIVE and ([.ksk[] | select(.key_tag == $K1)] | length == 0)"
[ "$(served CDS)" = "$(oracle_cds "$K2")" ] || { echo "FAIL: CDS after the rollover"; served CDS; exit 1; }
pass "DS swapped by the registry, old KSK removed, CDS on $K2"
child_querier_verdict 40

# 3. Going insecure: disable publishes the DELETE pair and keeps signing until the registry has
#    removed the DS and its TTL has passed; no answer is ever bogus.
querier_start "www.child.sdtest. A" "child.sdtest. DNSKEY" "nx.child.sdtest. A"
api POST "$C/disable" >"$T/disable.json"
jq -e '.status == "disabling"' "$T/disable.json" >/dev/null || { echo "FAIL: $(cat "$T/disable.json")"; exit 1; }
[ "$(served CDS)" = "0 0 0 00" ] && [ "$(served CDNSKEY)" = "0 3 0 AA==" ] ||
  { echo "FAIL: no DELETE pair"; served CDS; served CDNSKEY; exit 1; }
[ "$(served DNSKEY | wc -l)" = 2 ] || { echo "FAIL: keys gone before the parent dropped the DS"; exit 1; }
pass "disable: CDS 0 0 0 00 and CDNSKEY 0 3 0 AA==, the zone still signed"
wait_for 40 '.status == "disabled"'
[ "$(audit_count parent-ds-gone)" = 1 ] && [ "$(audit_count dnssec-unsign)" = 1 ] ||
  { echo "FAIL: the unsigning was not the parent check's"; exit 1; }
api GET "$C/events?limit=50" | jq -e '[.events[] | select(.action == "parent-ds-gone")][0].detail.parent | length == 1' >/dev/null ||
  { echo "FAIL: no evidence in the events"; exit 1; }
[ -z "$(served CDS)" ] && [ -z "$(served DNSKEY)" ] || { echo "FAIL: still CDS or DNSKEY after unsigning"; exit 1; }
sleep 4
querier_stop
querier_report
echo "     $Q_TOTAL answers while going insecure, $Q_SERVFAIL SERVFAIL"
[ "$Q_SERVFAIL" = 0 ] && [ "$Q_TOTAL" -ge 20 ] || { querier_show_bad; echo "FAIL: SERVFAIL while going insecure"; exit 1; }
pass "DS gone at the parent -> keys removed after its TTL (evidence in the events); no SERVFAIL"
echo "$PASSED passed, 0 failed"
