#!/usr/bin/env bash
# demo_main_job.sh - the README's first command, as a new user runs it: scripts/demo.sh walks
# through create zone -> records -> enable -> DS -> confirm -> rotate-zsk with curl against a
# real pdns_server + scaidns-backend + scaidns-api, and must end with delv's "fully validated"
# after the scheduler finished the rollover. Run twice: the second run must work as well.
# Run 1 starts from an empty build directory and keeps serving: it must build only the three
# programs, show the build's progress, end with the three closing lines, and every curl
# command it printed must work when pasted into another shell that exported TOKEN as told.
set -euo pipefail
cd "$SCAIDNS_SRC"
W=$(mktemp -d "${SCAIDNS_BUILD:-/tmp}/demo_main_job.XXXXXX")
export SCAIDNS_DEMO_BUILD=$W/build SCAIDNS_DEMO_DIR=$W/state
DPID=
cleanup() {
  if [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; then
    kill -TERM "$DPID" 2>/dev/null || true
    wait "$DPID" 2>/dev/null || true
  fi
  rm -rf "$W"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
pass=0

# Run 1: fresh build directory, keeps serving until stopped.
out=$W/run1.out
t0=$SECONDS
scripts/demo.sh >"$out" 2>&1 &
DPID=$!
for _ in $(seq 600); do
  grep -q '^next:    ' "$out" && break
  kill -0 "$DPID" 2>/dev/null || { tail -30 "$out"; fail "run 1: scripts/demo.sh exited early"; }
  sleep 0.5
done
grep -q '^next:    ' "$out" || { tail -30 "$out"; fail "run 1: no end of the walk-through after 300 s"; }
echo "ok   run 1: walk-through done in $((SECONDS - t0)) s from an empty build directory"
n=$(grep -c '^; fully validated' "$out" || true)
[ "$n" -ge 2 ] || fail "run 1 showed $n validated answers, wanted 2"
grep -q '"status": "active"' "$out" || fail "run 1 did not end active"
echo "ok   run 1: validated before and after the ZSK rollover"
pass=$((pass + 1))

# Only the three programs were built, and the build's progress was shown.
progs=$(cd "$W/build/bin" && ls | sort | tr '\n' ' ')
[ "$progs" = "scaidns-api scaidns-backend scaidnsctl " ] || fail "the demo built: $progs"
[ ! -d "$W/build/test" ] || fail "the demo configured the tests ($W/build/test exists)"
grep -qE '^  \[ *[0-9]+%\]' "$out" || fail "no build progress ([ NN%] lines) shown"
echo "ok   only scaidns-api, scaidns-backend and scaidnsctl built, with progress shown"
pass=$((pass + 1))

# The three closing lines, after the line saying how to stop.
tail -4 "$out" | head -1 | grep -q '^Ctrl-C stops everything' || fail "no 'Ctrl-C stops everything' before the closing lines"
tail -3 "$out" | grep -q '^running: pdns_server on 127.0.0.1 port [0-9]*.*scaidns-api on http://127.0.0.1:[0-9]*' ||
  { tail -5 "$out"; fail "no 'running:' line"; }
tail -3 "$out" | grep -q "^where:   $SCAIDNS_DEMO_DIR" || fail "no 'where:' line naming $SCAIDNS_DEMO_DIR"
tail -3 "$out" | grep -q '^next:    (1) .*(2) .*(3) ' || fail "no 'next:' line with three things to try"
echo "ok   three closing lines: running, where, next"
pass=$((pass + 1))

# Every printed curl command works when pasted into a clean shell that ran the printed
# export line (GET and PUT are safe to repeat; POST would create the zone twice).
export_line=$(grep -m1 '^  export TOKEN=' "$out" | sed 's/^  //') || fail "no 'export TOKEN=' line"
grep '^\$ curl ' "$out" | sed 's/^\$ //' >"$W/cmds"
[ "$(wc -l <"$W/cmds")" -ge 10 ] || fail "only $(wc -l <"$W/cmds") curl commands printed"
grep -v -- "-H 'Content-Type: application/json'" "$W/cmds" | grep -q -- "-X POST.*-d" &&
  fail "a request with a body but no Content-Type"
ran=0
while IFS= read -r cmd; do
  case "$cmd" in *"-X POST"*) continue ;; esac
  res=$(env -i PATH="$PATH" bash -c "$export_line; $cmd -w '\n%{http_code}'") ||
    fail "pasted command failed: $cmd"
  code=$(tail -1 <<<"$res")
  [ "${code:0:1}" = 2 ] || fail "pasted command answered $code: $cmd"
  ran=$((ran + 1))
done <"$W/cmds"
[ "$ran" -ge 6 ] || fail "only $ran pasted commands run"
# The first of the next three things to try, and the printed dig.
next1=$(tail -1 "$out" | sed -n "s/^next:    (1) the plan: \(curl .*\)  (2) .*/\1/p")
[ -n "$next1" ] || { tail -1 "$out"; fail "cannot read the first thing to try"; }
env -i PATH="$PATH" bash -c "$export_line; $next1" | jq -e '.steps | type == "array"' >/dev/null ||
  fail "the plan command of the 'next:' line did not answer a plan: $next1"
next2=$(tail -1 "$out" | sed -n 's/.*(2) a signed answer: \(dig .*\)  (3) .*/\1/p')
bash -c "$next2" | grep -q 'RRSIG' || fail "the dig of the 'next:' line shows no RRSIG: $next2"
echo "ok   $ran printed curl commands and the first two things to try work when pasted"
pass=$((pass + 1))

kill -TERM "$DPID"
wait "$DPID" 2>/dev/null || true
DPID=
grep -q '^stopped pdns_server, scaidns-backend and scaidns-api' "$out" || fail "run 1 did not stop cleanly"

# Run 2: the same build directory, --once.
out=$W/run2.out
t0=$SECONDS
if ! timeout 300 scripts/demo.sh --once >"$out" 2>&1; then
  tail -30 "$out"
  fail "scripts/demo.sh --once (run 2) failed"
fi
n=$(grep -c '^; fully validated' "$out" || true)
grep -q '"status": "active"' "$out" || { tail -30 "$out"; fail "run 2 did not end active"; }
[ "$n" -ge 2 ] || fail "run 2 showed $n validated answers, wanted 2"
echo "ok   run 2: validated before and after the ZSK rollover ($((SECONDS - t0)) s)"
pass=$((pass + 1))
echo "$pass passed, 0 failed"
