# shellcheck shell=bash disable=SC2034
# cli.sh - shell helpers for the scaidnsctl integration tests (cli_*.sh). Source it from a
# test script running under bash with set -euo pipefail:
#
#   . "$SCAIDNS_SRC/test/integration/lib/cli.sh"
#   cli_init NAME                  # temp dir $T (removed on exit unless KEEP=1), $CONF, $DB
#   ctl zone list                  # scaidnsctl --config $CONF ...
#   run ctl dnssec enable x.       # runs it: exit status in $RC, stdout in $OUT, stderr in $ERR
#   db_file_sum                    # sha256 of the DB file after a WAL checkpoint
#   q "SELECT ..."                 # sqlite3 on $DB, one value per line
#   check "what" test-command...   # counts a check; on failure prints what and fails the test
#
# Environment: SCAIDNS_BIN (directory holding scaidnsctl), SCAIDNS_SRC (source tree).

BIN=${SCAIDNS_BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)/build/bin}
. "$(dirname "${BASH_SOURCE[0]}")/wrap.sh"
wrap_bin # SCAIDNS_WRAP (e.g. valgrind) in front of our programs, when set
CLI_NAME=cli
CHECKS=0

# Prints why and ends the test with failure.
fail() {
    echo "$CLI_NAME: FAIL: $*" >&2
    exit 1
}

# Makes the scratch directory, the configuration and checks the tools.
cli_init() {
    CLI_NAME=$1
    for tool in sqlite3 jq sha256sum ldns-key2ds; do
        command -v "$tool" >/dev/null || fail "$tool is not installed"
    done
    [[ -x "$BIN/scaidnsctl" ]] || fail "$BIN/scaidnsctl is not built"
    T=$(mktemp -d "/tmp/scaidns-$CLI_NAME.XXXXXX")
    chmod 700 "$T"
    trap 'cli_cleanup' EXIT
    DB=$T/scaidns.db
    CONF=$T/scaidns.conf
    cat >"$CONF" <<EOF
# written by $CLI_NAME
db=$DB
seal-key=$T/seal.key
EOF
}

cli_cleanup() {
    local rc=$?
    if [[ ${KEEP:-0} == 1 || ($rc != 0 && ${KEEP_ON_FAIL:-0} == 1) ]]; then
        echo "$CLI_NAME: kept $T" >&2
    else
        rm -rf "$T"
    fi
    return $rc
}

# scaidnsctl with the test's configuration.
ctl() {
    "$BIN/scaidnsctl" --config "$CONF" "$@"
}

# Runs a command, keeping its exit status, stdout and stderr in RC, OUT and ERR.
run() {
    set +e
    "$@" >"$T/.out" 2>"$T/.err"
    RC=$?
    set -e
    OUT=$(cat "$T/.out")
    ERR=$(cat "$T/.err")
}

# sqlite3 on the keystore.
q() {
    sqlite3 -batch -cmd '.timeout 5000' "$DB" "$@"
}

# The sha256 of the keystore file with everything checkpointed out of the WAL.
db_file_sum() {
    local db=${1:-$DB}
    sqlite3 -cmd '.timeout 5000' "$db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
    sha256sum "$db" | cut -d' ' -f1
}

# Counts a check: check DESCRIPTION COMMAND...; fails the test when COMMAND fails.
check() {
    local what=$1
    shift
    CHECKS=$((CHECKS + 1))
    "$@" || fail "$what"
}

# Passes when $1 contains $2.
contains() {
    [[ $1 == *"$2"* ]]
}
