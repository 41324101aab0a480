#!/usr/bin/env bash
# keysonly_lmdb.sh - keys-only mode over lmdb (launch=remote,lmdb):
# records written the operator's way, DNSSEC through scaidns-api, delv, a ZSK and a KSK
# rollover under a validating unbound (test/integration/lib/keysonly_backend.sh). Not in CI
# (too heavy for its budget beside gpgsql): scripts/keysonly_backends.sh runs it.
set -euo pipefail
. "$SCAIDNS_SRC/test/integration/lib/pdns.sh"
. "$SCAIDNS_SRC/test/integration/lib/unbound.sh"
. "$SCAIDNS_SRC/test/integration/lib/rollover.sh"
. "$SCAIDNS_SRC/test/integration/lib/hook.sh"
. "$SCAIDNS_SRC/test/integration/lib/keysonly_backend.sh"
pdns_init
ko_run lmdb
