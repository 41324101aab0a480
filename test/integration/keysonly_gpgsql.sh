#!/usr/bin/env bash
# keysonly_gpgsql.sh - keys-only mode over gpgsql against a private PostgreSQL (initdb as the postgres user, Unix socket):
# records written the operator's way, DNSSEC through scaidns-api, delv, a ZSK and a KSK
# rollover under a validating unbound (test/integration/lib/keysonly_backend.sh).
set -euo pipefail
. "$SCAIDNS_SRC/test/integration/lib/pdns.sh"
. "$SCAIDNS_SRC/test/integration/lib/unbound.sh"
. "$SCAIDNS_SRC/test/integration/lib/rollover.sh"
. "$SCAIDNS_SRC/test/integration/lib/hook.sh"
. "$SCAIDNS_SRC/test/integration/lib/keysonly_backend.sh"
pdns_init
ko_run gpgsql
