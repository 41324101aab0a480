# backend_keysonly.sh - keys-only mode: the records live in PowerDNS's bind backend
# (launch=bind,remote with bind-hybrid), scaidns-backend gives only keys and metadata, and
# the zones (NSEC and NSEC3) validate all the same.
set -euo pipefail
. "$SCAIDNS_SRC/test/integration/lib/pdns.sh"
. "$SCAIDNS_SRC/test/integration/lib/signed_zone.sh"
pdns_init
sd_conf
ctl init >/dev/null
: >"$T/named.conf"
for mode in nsec nsec3; do
  z=ko-$mode.test.
  test_zone_file "$T/$z.zone"
  printf 'zone "%s" { type master; file "%s"; };\n' "$z" "$T/$z.zone" >>"$T/named.conf"
  ctl zone create "$z" --keys-only >/dev/null
  set_nsec_mode "$z" "$mode"
  ctl dnssec enable "$z" --algorithm 13 >/dev/null
  anchor_file "$z" "$T/anchor-$z"
done
# The keystore holds no records for these zones: the backend must not invent any.
[ "$(sqlite3 "$T/scaidns.db" "SELECT count(*) FROM rrsets r JOIN zones z ON z.id = r.zone_id WHERE z.keys_only = 1")" = 0 ] &&
  ok "keys-only zones have no records in the keystore" || bad "keys-only zones have no records in the keystore"
backend_start
pdns_conf "$(free_port)" "launch=bind,remote" "bind-config=$T/named.conf" "bind-hybrid=yes" \
  "zone-cache-refresh-interval=0" # bind-hybrid refuses to start with the zone cache on
pdns_start
check_signed_zone ko-nsec.test. nsec
check_signed_zone ko-nsec3.test. nsec3
finish
