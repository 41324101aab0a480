# backend_nsec3.sh - as backend_nsec.sh, with NSEC3 (salt, 1 iteration) and NSEC3 opt-out
# zones for each of algorithms 8, 10, 13, 14 and 15.
set -euo pipefail
. "$SCAIDNS_SRC/test/integration/lib/pdns.sh"
. "$SCAIDNS_SRC/test/integration/lib/signed_zone.sh"
pdns_init
sd_conf
ctl init >/dev/null
ZONES=()
for alg in 8 10 13 14 15; do
  for mode in nsec3 optout; do
    make_signed_zone "a$alg-$mode.test." "$alg" "$mode"
    ZONES+=("a$alg-$mode.test.:$mode")
  done
done
backend_start
pdns_conf "$(free_port)"
pdns_start
for zm in "${ZONES[@]}"; do check_signed_zone "${zm%%:*}" "${zm##*:}"; done
finish
