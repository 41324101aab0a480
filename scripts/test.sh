#!/usr/bin/env bash
# Runs every test: installs what is missing, builds twice (plain, and with AddressSanitizer +
# UndefinedBehaviorSanitizer), runs the whole suite under both builds, then runs each fuzzer
# for a bounded time (scripts/fuzz.sh, FUZZ_SECONDS each, 25 by default). The tests labelled
# "system" (the status page in headless Chromium, the Debian package installed with dpkg) run
# once, in their own step on the plain build, each bounded to 420 s.
#   scripts/test.sh            plain, asan, ui and fuzz
#   scripts/test.sh plain      only the plain build (quicker while developing)
#   scripts/test.sh ui         only the system tests (builds build/ first if needed)
#   scripts/test.sh fuzz       only the fuzzers
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh

[ $# -gt 0 ] || set -- plain asan ui fuzz
jobs=$(nproc 2>/dev/null || echo 2)

for v in "$@"; do
  case "$v" in
    plain) dir=build; flags=() ;;
    asan) dir=build-asan; flags=(-DSCAIDNS_SANITIZE=ON) ;;
    fuzz) scripts/fuzz.sh "${FUZZ_SECONDS:-25}"; continue ;;
    ui)
      echo "=== scaidns: system tests (browser, Debian package) on build" >&2
      cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSCAIDNS_BUILD_TESTS=ON >/dev/null
      cmake --build build -j"$jobs"
      ctest --test-dir build --output-on-failure -L system
      continue ;;
    *) echo "unknown variant $v (plain, asan, ui or fuzz)" >&2; exit 2 ;;
  esac
  echo "=== scaidns: $v build in $dir" >&2
  # SCAIDNS_BUILD_TESTS=ON: build/ may have been configured by scripts/demo.sh, which leaves
  # the tests out.
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSCAIDNS_BUILD_TESTS=ON "${flags[@]}" >/dev/null
  cmake --build "$dir" -j"$jobs"
  echo "=== scaidns: $v tests" >&2
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$dir" --output-on-failure -j"$jobs" -LE system
done
