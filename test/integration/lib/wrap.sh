# shellcheck shell=bash
# wrap.sh - runs scaidns's own programs (scaidns-api, scaidns-backend, scaidnsctl) under a
# wrapper command when the environment variable SCAIDNS_WRAP holds one, e.g.
#
#   SCAIDNS_WRAP="valgrind --error-exitcode=99 --leak-check=full \
#                 --log-file=/tmp/vg/%q{SCAIDNS_WRAP_PROG}.%p.log" ctest -L integration
#
# (scripts/valgrind.sh does exactly this). pdns.sh, api.sh and cli.sh call wrap_bin right
# after they set $BIN; a test that sources none of them calls it itself. Without SCAIDNS_WRAP
# nothing changes.
#
# wrap_bin points $BIN at a directory of shims, one per program, each running
#   exec $SCAIDNS_WRAP REAL_BIN/PROGRAM "$@"
# with SCAIDNS_WRAP_PROG=PROGRAM in its environment (valgrind's --log-file names the log
# with %q{SCAIDNS_WRAP_PROG}). exec keeps the process id, so $!, kill and wait reach the
# program itself. The shims live in $SCAIDNS_BUILD/wrap-bin (or beside $BIN); each is
# written to a temporary name and renamed, so tests running side by side may share them.
wrap_bin() {
  [ -n "${SCAIDNS_WRAP:-}" ] || return 0
  local dir p tmp
  dir=${SCAIDNS_BUILD:-$BIN/..}/wrap-bin
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  [ "$(cd "$BIN" && pwd)" != "$dir" ] || return 0 # $BIN is wrapped already
  WRAP_REAL_BIN=$(cd "$BIN" && pwd)
  for p in scaidns-api scaidns-backend scaidnsctl; do
    [ -x "$WRAP_REAL_BIN/$p" ] || continue # not built: the test says so as usual
    tmp=$(mktemp "$dir/.$p.XXXXXX")
    printf '#!/bin/sh\n# shim written by test/integration/lib/wrap.sh\nSCAIDNS_WRAP_PROG=%s\nexport SCAIDNS_WRAP_PROG\nexec $SCAIDNS_WRAP "%s/%s" "$@"\n' \
      "$p" "$WRAP_REAL_BIN" "$p" >"$tmp"
    chmod 755 "$tmp"
    mv -f "$tmp" "$dir/$p"
  done
  BIN=$dir
}

# wrap_scale N: N, or N times SCAIDNS_WRAP_SLOWDOWN (default 10) when wrapped: the number of
# polls a test allows a program to start or stop in (valgrind runs it 10-50 times slower, and
# checks for leaks at exit).
wrap_scale() {
  if [ -n "${SCAIDNS_WRAP:-}" ]; then echo $(($1 * ${SCAIDNS_WRAP_SLOWDOWN:-10})); else echo "$1"; fi
}
