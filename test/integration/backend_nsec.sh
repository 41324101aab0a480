# backend_nsec.sh - pdns_server + scaidns-backend serve NSEC-signed zones of algorithms 8, 10,
# 13, 14 and 15; dig, delv (with the zone's DS as trust anchor), ldns-verify-zone,
# dnssec-verify and pdnsutil check-zone agree that every answer is correctly signed.
set -euo pipefail
. "$SCAIDNS_SRC/test/integration/lib/pdns.sh"
. "$SCAIDNS_SRC/test/integration/lib/signed_zone.sh"
pdns_init
sd_conf
ctl init >/dev/null
ZONES=()
for alg in 8 10 13 14 15; do
  make_signed_zone "a$alg-nsec.test." "$alg" nsec
  ZONES+=("a$alg-nsec.test.")
done
backend_start
pdns_conf "$(free_port)"
pdns_start
for z in "${ZONES[@]}"; do check_signed_zone "$z" nsec; done
finish
