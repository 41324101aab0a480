# backend_keychange.sh - a key added, activated, deactivated or removed in the keystore
# changes what PowerDNS serves within the configured cache TTLs, with nothing restarted; the
# answers stay fully validated throughout.
set -euo pipefail
. "$SCAIDNS_SRC/test/integration/lib/pdns.sh"
. "$SCAIDNS_SRC/test/integration/lib/signed_zone.sh"
pdns_init
sd_conf
ctl init >/dev/null
Z=change.test.
make_signed_zone "$Z" 13 nsec
backend_start
# Cache TTLs that bound how late a change is seen: 2 s keys/metadata, 1 s packets/queries.
pdns_conf "$(free_port)" dnssec-key-cache-ttl=2 zone-metadata-cache-ttl=2 cache-ttl=1 \
  query-cache-ttl=1 negquery-cache-ttl=1
pdns_start
LIMIT=6 # seconds: the TTLs above plus a margin

dnskeys() { q "$Z" DNSKEY +short | grep -c '^25[67] ' || true; }
signer() { q "www.$Z" A +dnssec +short | awk '$1 == "A" { print $7 }'; }
# Waits until "$@" prints $want; reports how long it took.
within() {
  local what=$1 want=$2; shift 2
  local start=$SECONDS got=
  while [ $((SECONDS - start)) -le $LIMIT ]; do
    got=$("$@")
    if [ "$got" = "$want" ]; then ok "$what (after $((SECONDS - start)) s)"; return 0; fi
    sleep 0.5
  done
  bad "$what: still '$got', wanted '$want' after $LIMIT s"
}
validated() { dv "$Z" "www.$Z" A | grep -q "fully validated" && echo yes || echo no; }

within "two DNSKEYs at the start" 2 dnskeys
old=$(sqlite3 "$T/scaidns.db" "SELECT key_tag FROM keys WHERE role = 'ZSK' AND state = 'active'")
within "signed by the ZSK" "$old" signer
ctl dnssec rotate-zsk "$Z" >/dev/null
new=$(sqlite3 "$T/scaidns.db" "SELECT key_tag FROM keys WHERE role = 'ZSK' AND state = 'published'")
within "new ZSK published" 3 dnskeys
within "still signed by the old ZSK" "$old" signer
within "validates with three keys" yes validated
sqlite3 "$T/scaidns.db" "UPDATE keys SET state = CASE state WHEN 'active' THEN 'retired' ELSE 'active' END
  WHERE role = 'ZSK' AND state IN ('active', 'published')"
within "new ZSK signs" "$new" signer
within "validates after the switch" yes validated
sqlite3 "$T/scaidns.db" "UPDATE keys SET state = 'removed', sealed_private = NULL WHERE role = 'ZSK' AND state = 'retired'"
within "old ZSK removed" 2 dnskeys
within "validates after the removal" yes validated
kill -0 "$BACKEND_PID" && kill -0 "$PDNS_PID" && ok "nothing was restarted" || bad "nothing was restarted"
finish
