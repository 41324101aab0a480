#!/usr/bin/env bash
# Runs every test: installs what is missing, builds twice (plain, and with AddressSanitizer +
# UndefinedBehaviorSanitizer), and runs the whole suite under both builds.
#   scripts/test.sh            both builds
#   scripts/test.sh plain      only the plain build (quicker while developing)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh

[ $# -gt 0 ] || set -- plain asan
jobs=$(nproc 2>/dev/null || echo 2)

for v in "$@"; do
  case "$v" in
    plain) dir=build; flags=() ;;
    asan) dir=build-asan; flags=(-DSCAIDNS_SANITIZE=ON) ;;
    *) echo "unknown variant $v (plain or asan)" >&2; exit 2 ;;
  esac
  echo "=== scaidns: $v build in $dir" >&2
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${flags[@]}" >/dev/null
  cmake --build "$dir" -j"$jobs"
  echo "=== scaidns: $v tests" >&2
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$dir" --output-on-failure -j"$jobs"
done
