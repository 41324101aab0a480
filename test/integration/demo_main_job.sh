#!/usr/bin/env bash
# demo_main_job.sh - the README's first command, as a new user runs it: scripts/demo.sh walks
# through create zone -> records -> enable -> DS -> confirm -> rotate-zsk with curl against a
# real pdns_server + scaidns-backend + scaidns-api, and must end with delv's "fully validated"
# after the scheduler finished the rollover. Run twice: the second run must work as well.
set -euo pipefail
cd "$SCAIDNS_SRC"
for run in 1 2; do
  out=$(mktemp)
  if ! timeout 300 scripts/demo.sh --once >"$out" 2>&1; then
    tail -30 "$out"; rm -f "$out"
    echo "FAIL: scripts/demo.sh --once (run $run) failed"; exit 1
  fi
  n=$(grep -c '^; fully validated' "$out" || true)
  grep -q '"status": "active"' "$out" || { tail -30 "$out"; echo "FAIL: run $run did not end active"; exit 1; }
  rm -f "$out"
  [ "$n" -ge 2 ] || { echo "FAIL: run $run showed $n validated answers, wanted 2"; exit 1; }
  echo "ok   run $run: validated before and after the ZSK rollover"
done
echo "2 passed, 0 failed"
