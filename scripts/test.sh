#!/usr/bin/env bash
# Runs every test: installs what is missing, builds twice (plain, and with AddressSanitizer +
# UndefinedBehaviorSanitizer), runs the whole suite under both builds, then runs each fuzzer
# for a bounded time (scripts/fuzz.sh, FUZZ_SECONDS each, 25 by default).
#   scripts/test.sh            both builds and the fuzzers
#   scripts/test.sh plain      only the plain build (quicker while developing)
#   scripts/test.sh fuzz       only the fuzzers
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh

[ $# -gt 0 ] || set -- plain asan fuzz
jobs=$(nproc 2>/dev/null || echo 2)

for v in "$@"; do
  case "$v" in
    plain) dir=build; flags=() ;;
    asan) dir=build-asan; flags=(-DSCAIDNS_SANITIZE=ON) ;;
    fuzz) scripts/fuzz.sh "${FUZZ_SECONDS:-25}"; continue ;;
    *) echo "unknown variant $v (plain, asan or fuzz)" >&2; exit 2 ;;
  esac
  echo "=== scaidns: $v build in $dir" >&2
  # SCAIDNS_BUILD_TESTS=ON: build/ may have been configured by scripts/demo.sh, which leaves
  # the tests out.
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSCAIDNS_BUILD_TESTS=ON "${flags[@]}" >/dev/null
  cmake --build "$dir" -j"$jobs"
  echo "=== scaidns: $v tests" >&2
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$dir" --output-on-failure -j"$jobs"
done
