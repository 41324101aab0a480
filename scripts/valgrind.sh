#!/usr/bin/env bash
# valgrind.sh - valgrind memcheck over the integration suite: builds scaidns without
# sanitizers at -O1 -g (build-valgrind), runs the integration tests with every scaidns-api,
# scaidns-backend and scaidnsctl they start under valgrind (test/integration/lib/wrap.sh,
# SCAIDNS_WRAP), then reads every valgrind log and fails on any memory error or any definitely
# or indirectly lost block. Prints a summary per program.
#
#   scripts/valgrind.sh                 the integration suite, less EXCLUDE below
#   scripts/valgrind.sh -R api_http     extra ctest arguments narrow the run
#
# Env: JOBS (ctest -j, default 2), EXCLUDE (ctest -E regex, default below), BUILD_DIR.
# Logs: BUILD_DIR/valgrind-logs/PROGRAM.PID.log. Slow (tens of minutes on 2 cores): not part
# of scripts/test.sh or CI.
#
# Left out by default, and why:
#   load_churn_short  a load test: its dnsperf rate and 1 s caches assume native speed; under
#                     valgrind's 20-50x slowdown the backend cannot answer PowerDNS within its
#                     timeout, and the run says nothing about memory that the others do not.
#   demo_main_job     runs scripts/demo.sh, which builds and starts the programs of build/,
#                     not of this build, so valgrind would never see them.
#   rollover_unbound  counts every answer a validating resolver gets during rollovers with
#                     1-2 s TTLs and delays; a program 20x slower misses those deadlines (the
#                     same code runs under valgrind in rollover_parent and rollover_restart).
#   cli_crash         SIGKILLs scaidnsctl 0-25 ms into a transition; under valgrind that is
#                     still the program's start-up, so no transition is ever interrupted (the
#                     test says so and fails), and a killed process leaves no leak report.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$(pwd)
BUILD_DIR=${BUILD_DIR:-build-valgrind}
JOBS=${JOBS:-2}
EXCLUDE=${EXCLUDE:-load_churn_short|demo_main_job|rollover_unbound|cli_crash}
command -v valgrind >/dev/null || { echo "valgrind is not installed (scripts/deps.sh)" >&2; exit 1; }

echo "=== valgrind: -O1 -g build in $BUILD_DIR" >&2
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS_DEBUG="-O1 -g" \
  -DSCAIDNS_SANITIZE=OFF >/dev/null
cmake --build "$BUILD_DIR" -j"$JOBS"

LOGS=$SRC/$BUILD_DIR/valgrind-logs
rm -rf "$LOGS"
mkdir -p "$LOGS"
# some tests run a program as another user (setpriv --reuid=nobody): its log goes here too
chmod 1777 "$LOGS"
# definite and indirect leaks count as errors (exit 99 from the program, and in the logs);
# possibly lost and still reachable blocks (threads and libraries alive at exit) do not.
# RSA key generation under valgrind takes minutes: the tests' waits grow 20 times
export SCAIDNS_WRAP_SLOWDOWN=20
export SCAIDNS_WRAP="valgrind --tool=memcheck --error-exitcode=99 --leak-check=full \
--show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --track-fds=no \
--num-callers=30 --log-file=$LOGS/%q{SCAIDNS_WRAP_PROG}.%p.log"

echo "=== valgrind: integration tests (excluding: $EXCLUDE)" >&2
START=$SECONDS
CTEST_RC=0
ctest --test-dir "$BUILD_DIR" -L integration -E "$EXCLUDE" -j"$JOBS" --output-on-failure \
  "$@" 2>&1 | tee "$LOGS/ctest.out" || CTEST_RC=$?
grep -q '100% tests passed' "$LOGS/ctest.out" || CTEST_RC=1
TESTS=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\2/p' "$LOGS/ctest.out")

# One line per log: program, complete (1/0), errors, definitely and indirectly lost bytes.
for f in "$LOGS"/*.log; do
  [ -e "$f" ] || continue
  prog=$(basename "$f" | sed 's/\.[0-9]*\.log$//')
  awk -v p="$prog" -v f="$f" '
    /ERROR SUMMARY:/ { done = 1; err = $4 + 0 }
    /definitely lost:/ { gsub(",", "", $4); def = $4 + 0 }
    /indirectly lost:/ { gsub(",", "", $4); ind = $4 + 0 }
    END { print p, done + 0, err + 0, def + 0, ind + 0, f }' "$f"
done >"$LOGS/summary.tsv"

echo
echo "== valgrind memcheck over the integration suite ($((SECONDS - START)) s, $TESTS tests) =="
printf '%-16s %9s %9s %10s %8s %12s %12s\n' program processes complete "killed(*)" errors \
  "def. bytes" "ind. bytes"
awk '{ n[$1]++; c[$1] += $2; e[$1] += $3; d[$1] += $4; i[$1] += $5 }
  END { for (p in n) printf "%-16s %9d %9d %10d %8d %12d %12d\n", p, n[p], c[p], n[p] - c[p], e[p], d[p], i[p] }' \
  "$LOGS/summary.tsv" | sort
echo "(*) stopped by SIGKILL on purpose (crash tests) or by a test's timeout: no summary to read"
BAD=$(awk '$3 > 0 || $4 > 0 || $5 > 0 { print $6 }' "$LOGS/summary.tsv")
if [ -n "$BAD" ]; then
  echo
  echo "logs with errors or leaks:"
  for f in $BAD; do
    echo "--- $f"
    # the first report of each log, with its stack
    awk '/^==[0-9]+== (Invalid|Conditional|Use of|Syscall param|Mismatched|Source and destination|.*(definitely|indirectly) lost in loss record)/ { on = 1 }
      on { print; if (/^==[0-9]+== $/) exit }' "$f" | head -40
  done
fi
[ "$CTEST_RC" = 0 ] || echo "some tests failed under valgrind (see $LOGS/ctest.out)"
if [ -z "$BAD" ] && [ "$CTEST_RC" = 0 ]; then
  echo "result: PASS (no memory error, no definite or indirect leak)"
else
  echo "result: FAIL"
  exit 1
fi
