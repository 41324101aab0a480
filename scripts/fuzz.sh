#!/usr/bin/env bash
# Builds the libFuzzer fuzzers (clang, ASan + UBSan, in build-fuzz) and runs each for a
# bounded time over a scratch copy of its seed corpus (fuzz/corpus/NAME, with
# fuzz/dict/NAME.dict), one after the other. Prints, per fuzzer, the executions, exec/s,
# coverage (cov: edges, ft: features) and corpus size from libFuzzer's final stats; fails when
# any fuzzer crashes, leaks, breaks a checked contract or times out (its input is kept in
# build-fuzz/fuzz-artifacts/NAME/, its log printed).
#   scripts/fuzz.sh [SECONDS] [NAME...]   SECONDS per fuzzer (default 30); NAMEs: backend, api,
#                                         zimport, ds, key_import (default: every fuzz/fuzz_*.c)
# FUZZ_KEEP=DIR keeps each fuzzer's grown corpus in DIR/NAME (e.g. to merge it into the seeds
# with the fuzzer's -merge=1).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh

secs=${1:-30}
[ $# -gt 0 ] && shift
case "$secs" in '' | *[!0-9]*) echo "fuzz.sh: SECONDS must be a number, not '$secs'" >&2; exit 2 ;; esac
if [ $# -gt 0 ]; then
  names=("$@")
else
  names=()
  for f in fuzz/fuzz_*.c; do
    n=$(basename "$f" .c)
    [ "$n" = fuzz_world ] || names+=("${n#fuzz_}")
  done
fi
dir=build-fuzz
jobs=$(nproc 2>/dev/null || echo 2)

echo "=== scaidns: fuzz build in $dir" >&2
cmake -S . -B "$dir" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSCAIDNS_FUZZ=ON >/dev/null
cmake --build "$dir" -j"$jobs" --target fuzzers

scratch=$(mktemp -d "${TMPDIR:-/tmp}/scaidns-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
failed=()
printf '%-8s %9s %10s %7s %7s %8s  %s\n' fuzzer seconds executions exec/s cov ft corpus >&2
for n in "${names[@]}"; do
  bin=$dir/bin/fuzz_$n
  [ -x "$bin" ] || { echo "fuzz.sh: no fuzzer '$n' ($bin)" >&2; exit 2; }
  w=$scratch/$n
  mkdir -p "$w/corpus" "$w/tmp" "$w/artifacts"
  cp -r "fuzz/corpus/$n/." "$w/corpus/"
  opts=(-max_total_time="$secs" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1
    -artifact_prefix="$w/artifacts/")
  [ -f "fuzz/dict/$n.dict" ] && opts+=(-dict="fuzz/dict/$n.dict")
  rc=0
  TMPDIR=$w/tmp ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$bin" "${opts[@]}" "$w/corpus" >"$w/log" 2>&1 || rc=$?
  # The last status line ("#N DONE cov: C ft: F corp: U/Sb ...") and the final stats.
  last=$(grep -E '^#[0-9]+' "$w/log" | tail -n 1 || true)
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
  corp=$(sed -nE 's/.* corp: ([0-9]+\/[0-9]+[a-zA-Z]*).*/\1/p' <<<"$last")
  execs=$(sed -nE 's/^stat::number_of_executed_units: ([0-9]+)/\1/p' "$w/log")
  rate=$(sed -nE 's/^stat::average_exec_per_sec: +([0-9]+)/\1/p' "$w/log")
  printf '%-8s %9s %10s %7s %7s %8s  %s\n' "$n" "$secs" "${execs:-?}" "${rate:-?}" "${cov:-?}" \
    "${ft:-?}" "${corp:-?}" >&2
  if [ -n "${FUZZ_KEEP:-}" ]; then
    mkdir -p "$FUZZ_KEEP/$n"
    cp -r "$w/corpus/." "$FUZZ_KEEP/$n/"
  fi
  if [ "$rc" -ne 0 ]; then
    failed+=("$n")
    keep=$dir/fuzz-artifacts/$n
    rm -rf "$keep"
    mkdir -p "$keep"
    cp -r "$w/artifacts/." "$keep/" 2>/dev/null || true
    echo "--- fuzz_$n failed (exit $rc); inputs kept in $keep; its log ends:" >&2
    tail -n 60 "$w/log" >&2
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "=== scaidns: fuzzers failed: ${failed[*]}" >&2
  exit 1
fi
echo "=== scaidns: every fuzzer ran ${secs}s without a finding" >&2
