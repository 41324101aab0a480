#!/usr/bin/env bash
# Runs the keys-only test of every record backend with its real server, one after the other:
# bind, gsqlite3 and gpgsql (PostgreSQL) also run in CI (test/integration/keysonly_*.sh);
# gmysql (MariaDB) and lmdb only here (test/integration/extra/), to keep CI within its budget.
# Usage: scripts/keysonly_backends.sh [BUILD_DIR]   (default: build; builds nothing itself)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$SRC/build}" && pwd)
"$SRC/scripts/deps.sh"
fails=0
for t in "$SRC"/test/integration/keysonly_{bind,gsqlite3,gpgsql}.sh \
  "$SRC"/test/integration/extra/keysonly_{gmysql,lmdb}.sh; do
  start=$SECONDS
  if SCAIDNS_BIN=$BUILD/bin SCAIDNS_SRC=$SRC SCAIDNS_BUILD=$BUILD bash "$t" >"$BUILD/$(basename "$t" .sh).log" 2>&1; then
    echo "ok   $(basename "$t") ($((SECONDS - start)) s)"
  else
    fails=$((fails + 1))
    echo "FAIL $(basename "$t") ($((SECONDS - start)) s): see $BUILD/$(basename "$t" .sh).log"
  fi
done
[ "$fails" -eq 0 ]
