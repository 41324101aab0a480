#!/usr/bin/env bash
# keysonly_gsqlite3.sh - keys-only mode over gsqlite3 (launch=remote,gsqlite3); served TTLs larger than the policy's and a TTL raised through PowerDNS's REST API mid-rollover:
# records written the operator's way, DNSSEC through scaidns-api, delv, a ZSK and a KSK
# rollover under a validating unbound (test/integration/lib/keysonly_backend.sh).
set -euo pipefail
. "$SCAIDNS_SRC/test/integration/lib/pdns.sh"
. "$SCAIDNS_SRC/test/integration/lib/unbound.sh"
. "$SCAIDNS_SRC/test/integration/lib/rollover.sh"
. "$SCAIDNS_SRC/test/integration/lib/hook.sh"
. "$SCAIDNS_SRC/test/integration/lib/keysonly_backend.sh"
pdns_init
ko_run gsqlite3 --served-ttls --foreign-key
