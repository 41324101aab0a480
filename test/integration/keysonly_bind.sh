#!/usr/bin/env bash
# keysonly_bind.sh - keys-only mode over bind (bind-hybrid, launch=bind,remote); served TTLs larger than the policy's, steps held until PowerDNS allows the AXFR:
# records written the operator's way, DNSSEC through scaidns-api, delv, a ZSK and a KSK
# rollover under a validating unbound (test/integration/lib/keysonly_backend.sh).
set -euo pipefail
. "$SCAIDNS_SRC/test/integration/lib/pdns.sh"
. "$SCAIDNS_SRC/test/integration/lib/unbound.sh"
. "$SCAIDNS_SRC/test/integration/lib/rollover.sh"
. "$SCAIDNS_SRC/test/integration/lib/hook.sh"
. "$SCAIDNS_SRC/test/integration/lib/keysonly_backend.sh"
pdns_init
ko_run bind --served-ttls
