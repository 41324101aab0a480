#!/usr/bin/env bash
# cli_import_dir.sh - scaidnsctl zone import DIR: every zone file of a directory becomes a zone
# named after its file (NAME, NAME.zone, NAME.db, db.NAME), each in its own transaction: a bad
# file is reported and stops only itself; the exit status says that something failed.
set -euo pipefail
BIN=${SCAIDNS_BIN:?}
. "$(dirname "$0")/lib/wrap.sh"
wrap_bin # SCAIDNS_WRAP (e.g. valgrind) in front of our programs, when set
T=$(mktemp -d /tmp/scaidns-importdir.XXXXXX)
trap 'rm -rf "$T"' EXIT
printf 'db=%s/k.db\nseal-key=%s/seal.key\n' "$T" "$T" >"$T/c.conf"
ctl() { "$BIN/scaidnsctl" --config "$T/c.conf" "$@"; }
ctl init >/dev/null
mkdir "$T/zones"
zone() { printf '$TTL 300\n@ SOA ns1.%s. h.%s. 1 3600 600 86400 300\n@ NS ns1.%s.\nwww A 192.0.2.1\n' "$1" "$1" "$1"; }
zone a.example >"$T/zones/a.example"
zone b.example >"$T/zones/b.example.zone"
zone c.example >"$T/zones/c.example.db"
zone d.example >"$T/zones/db.d.example"
printf '$TTL 300\n@ SOA broken\n' >"$T/zones/e.example"
mkdir "$T/zones/subdir"
FAILS=0
PASSED=0
check() { if "$@"; then PASSED=$((PASSED + 1)); else FAILS=$((FAILS + 1)); echo "FAIL: $*"; fi; }
set +e
ctl zone import "$T/zones" >"$T/out" 2>"$T/err"
rc=$?
set -e
check test "$rc" = 1
check grep -q 'e.example: ' "$T/err"
check grep -q 'imported 4 zone(s)' "$T/err"
for z in a b c d; do check grep -q " $z.example.\$" "$T/out"; done
check test "$(sqlite3 "$T/k.db" "SELECT group_concat(name, ' ') FROM (SELECT name FROM zones ORDER BY name)")" = \
  "a.example. b.example. c.example. d.example."
check test "$(sqlite3 "$T/k.db" "SELECT count(*) FROM rrsets r JOIN zones z ON z.id = r.zone_id WHERE z.name = 'b.example.'")" = 3
# Importing again: every zone exists already; nothing changes.
before=$(sqlite3 "$T/k.db" .dump | sha256sum)
set +e
ctl zone import "$T/zones" >/dev/null 2>"$T/err2"
rc=$?
set -e
check test "$rc" = 1
check grep -q 'exists already' "$T/err2"
check test "$(sqlite3 "$T/k.db" .dump | sha256sum)" = "$before"
echo "$PASSED passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
