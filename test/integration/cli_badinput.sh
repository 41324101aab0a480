#!/usr/bin/env bash
# cli_badinput.sh - bad input to scaidnsctl: malformed and overlong zone names, unknown
# algorithms, confirmation with a wrong DS, zone files with syntax errors, refused transitions,
# bad tokens, bad TSIG keys and allow-axfr lists, and a keystore from a newer scaidns. Each
# must exit non-zero, say what is wrong on stderr (a "scaidnsctl: ..." line), print nothing
# on stdout, and leave the keystore file byte for byte as it was (sha256 after a WAL
# checkpoint).
set -euo pipefail
. "${SCAIDNS_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}/test/integration/lib/cli.sh"
cli_init cli_badinput

ctl init >/dev/null
cat >"$T/good.zone" <<'EOF'
$TTL 300
@    IN SOA ns1.example.com. hostmaster.example.com. 1 3600 600 86400 300
@    IN NS  ns1
ns1  IN A   192.0.2.53
EOF
ctl zone import example.com "$T/good.zone" >/dev/null
ctl zone create pending.example >/dev/null
ctl dnssec enable pending.example >/dev/null
ctl zone create active.example >/dev/null
ctl dnssec enable active.example >/dev/null
ctl dnssec confirm-ds active.example >/dev/null
ctl token create --name taken --scopes zones:read >/dev/null

# bad WANT ARGS...: runs scaidnsctl ARGS, expects failure with WANT in its message and no
# change to the keystore file.
bad() {
    local want=$1
    shift
    local before
    before=$(db_file_sum)
    run ctl "$@"
    local after
    after=$(db_file_sum)
    CHECKS=$((CHECKS + 1))
    [[ $RC != 0 ]] || fail "scaidnsctl $* succeeded (stdout: $OUT)"
    [[ -z $OUT ]] || fail "scaidnsctl $*: printed on stdout: $OUT"
    grep -qF "scaidnsctl: " <<<"$ERR" || fail "scaidnsctl $*: no 'scaidnsctl: ' message on stderr: $ERR"
    [[ $ERR == *"$want"* ]] || fail "scaidnsctl $*: stderr does not say '$want': $ERR"
    [[ $before == "$after" ]] || fail "scaidnsctl $* changed the keystore"
}

# refused WANT ARGS...: like bad, for a lifecycle call that is refused (409): nothing changes,
# the audit trail included.
refused() {
    local want=$1
    shift
    local before
    before=$(sqlite3 "$DB" .dump | sha256sum)
    run ctl "$@"
    CHECKS=$((CHECKS + 1))
    [[ $RC != 0 ]] || fail "scaidnsctl $* succeeded (stdout: $OUT)"
    [[ -z $OUT ]] || fail "scaidnsctl $*: printed on stdout: $OUT"
    [[ $ERR == "scaidnsctl: "*"$want"* ]] || fail "scaidnsctl $*: stderr does not say '$want': $ERR"
    [[ $(sqlite3 "$DB" .dump | sha256sum) == "$before" ]] || fail "scaidnsctl $* changed the keystore"
}

long63=$(printf 'a%.0s' {1..63})
long64=$(printf 'b%.0s' {1..64})
name254="$long63.$long63.$long63.$(printf 'c%.0s' {1..62})"
name253="$long63.$long63.$long63.$(printf 'c%.0s' {1..61})"

# --- zone names -----------------------------------------------------------------------------
bad "empty label" zone create bad..example
bad "empty label" zone create .example
bad "not allowed" zone create "exa mple.com"
bad "not allowed" zone create $'ex\tmple.com'
bad "three digits" zone create 'ex\12mple.com'
# shellcheck disable=SC2016 # a name that is a shell command must not be run as one
bad "not allowed" zone create 'exa$(touch x)mple.com'
bad "above 255" zone create 'ex\256mple.com'
bad "63 octets" zone create "$long64.example"
bad "255 octets" zone create "$name254"
bad "255 octets" zone create "$name254."
bad "255 octets" zone create "$(printf 'a.%.0s' {1..200})com"
bad "cannot be a zone name" zone create .
bad "cannot be a zone name" zone create "*.example.com"
bad "empty name" zone create ""
bad "internationalised" zone create $'ex\xff.com'
bad "exists already" zone create EXAMPLE.com.
bad "empty label" zone import bad..example "$T/good.zone"
bad "63 octets" zone import "$long64.example" "$T/good.zone"
bad "domain not found" dnssec enable nowhere.example
bad "domain not found" dnssec status nowhere.example
bad "domain not found" ds nowhere.example
bad "domain not found" zone delete nowhere.example
# The longest legal name is fine (and then removed again).
run ctl zone create "$name253"
check "a 253-character name is a valid zone ($ERR)" test "$RC" = 0
ctl zone delete "$name253" >/dev/null

# --- algorithms -----------------------------------------------------------------------------
for alg in 1 5 7 9 12 16 99 253 255; do
    bad "unsupported algorithm $alg" dnssec enable example.com --algorithm "$alg"
done
bad "must be a number" dnssec enable example.com --algorithm abc
bad "must be a number" dnssec enable example.com --algorithm=-1
bad "must be a number" dnssec enable example.com --algorithm 256
bad "must be a number" dnssec enable example.com --algorithm ""
bad "unsupported algorithm 12" --policy-algorithm=12 dnssec enable example.com
bad "policy-algorithm' must be between 8 and 15" --policy-algorithm=99 dnssec enable example.com
bad "unknown option --algorithm" dnssec rotate-zsk active.example --algorithm 13

# --- refused transitions (409) ------------------------------------------------------------
refused "already enabled" dnssec enable pending.example
refused "already enabled" dnssec enable active.example
refused "status: disabled" dnssec disable example.com
refused "status: disabled" dnssec rotate-zsk example.com
refused "status: disabled" dnssec rotate-ksk example.com
refused "zone is pending_ds" dnssec rotate-ksk pending.example
# a ZSK rollover may run while the first DS is awaited, one at a time
ctl zone create zsk.example >/dev/null
ctl dnssec enable zsk.example >/dev/null
ctl dnssec rotate-zsk zsk.example >/dev/null || fail "rotate-zsk in pending_ds was refused"
refused "already under way" dnssec rotate-zsk zsk.example

# --- DS that are malformed (refused before anything is opened for writing) ---------------
bad "invalid DS" dnssec confirm-ds pending.example "12345 13 2"
bad "hex" dnssec confirm-ds pending.example "12345 13 2 XYZ"
bad "numbers" dnssec confirm-ds pending.example "99999 13 2 AABB"

# --- confirm with a wrong DS: 400, nothing changes (the audit trail included). -------------
good=$(ctl ds pending.example | grep ' 13 2 ')
read -r _ _ _ tag alg dt digest <<<"$good"
flip=${digest:0:10}$([[ ${digest:10:1} == 0 ]] && echo 1 || echo 0)${digest:11}
other_tag=$(((tag + 1) % 65536))
zsk_pub=$(q "SELECT public_key FROM keys k JOIN zones z ON z.id = k.zone_id WHERE z.name = 'pending.example.' AND role = 'ZSK'")
echo "pending.example. 3600 IN DNSKEY 256 3 13 $zsk_pub" >"$T/zsk.key"
zsk_ds=$( (cd "$T" && ldns-key2ds -f -n -2 zsk.key) | awk '{print $(NF-3), $(NF-2), $(NF-1), $NF}')
[[ -n $zsk_ds ]] || fail "ldns-key2ds gave no DS for the ZSK"
for wrong in "$tag $alg $dt $flip" "$other_tag $alg $dt $digest" "$tag 8 $dt $digest" \
    "$tag $alg 4 $digest" "$tag $alg 1 $digest" "$zsk_ds" "$(ctl ds active.example | head -1)"; do
    keys_before=$(q "SELECT * FROM keys ORDER BY id" | sha256sum)
    rest_before=$(sqlite3 "$DB" .dump | sha256sum)
    audit_before=$(q "SELECT count(*) FROM audit")
    run ctl dnssec confirm-ds pending.example "$wrong"
    CHECKS=$((CHECKS + 1))
    [[ $RC != 0 ]] || fail "confirm-ds with a wrong DS ($wrong) succeeded"
    [[ -z $OUT ]] || fail "confirm-ds with a wrong DS printed on stdout: $OUT"
    [[ $ERR == "scaidnsctl: "*"matches no current KSK"* ]] || fail "confirm-ds with a wrong DS ($wrong): $ERR"
    [[ $(q "SELECT * FROM keys ORDER BY id" | sha256sum) == "$keys_before" ]] || fail "a wrong DS ($wrong) changed the keys"
    [[ $(sqlite3 "$DB" .dump | sha256sum) == "$rest_before" ]] || fail "a wrong DS ($wrong) changed the keystore"
    [[ $(q "SELECT count(*) FROM audit") == "$audit_before" ]] || fail "a wrong DS ($wrong) wrote to the audit trail"
    [[ $(q "SELECT status FROM dnssec_status WHERE zone = 'pending.example.'") == pending_ds ]] || fail "a wrong DS ($wrong) changed the status"
done
# And the same for confirm on a zone that is not waiting for a DS (409).
run ctl dnssec confirm-ds active.example "$good"
check "confirm-ds on an active zone fails ($OUT)" test "$RC" != 0
check "... naming its status ($ERR)" contains "$ERR" "zone is active"
run ctl audit verify
check "the audit trail verifies after the refusals ($ERR)" test "$RC" = 0

# --- zone files -----------------------------------------------------------------------------
# badzone FILE-TEXT WANT: zone import of FILE-TEXT as new.example must fail saying WANT.
badzone() {
    printf '%s' "$1" >"$T/bad.zone"
    bad "$2" zone import new.example "$T/bad.zone"
}
SOA='@ IN SOA ns1.new.example. h.new.example. 1 3600 600 86400 300
'
badzone "\$TTL 300
${SOA}www IN A 192.0.2.1
bad IN A 999.0.0.1
" "bad.zone:4:"
badzone "\$TTL 300
${SOA}
; comment

www IN A
" "bad.zone:6:"
badzone "\$TTL 300
${SOA}www IN BOGUS 1
" "bad.zone:3:"
badzone "\$TTL 300
${SOA}@ IN MX mail
" "bad.zone:3:"
badzone "\$TTL 300
${SOA}www IN AAAA 192.0.2.1
" "bad.zone:3:"
badzone "\$TTL 300
www IN A 192.0.2.1
" "has no SOA record"
badzone "" "has no SOA record"
badzone "\$TTL 300
${SOA}www IN A 192.0.2.1
@ IN SOA ns2.new.example. h.new.example. 2 3600 600 86400 300
" "bad.zone:4: more than one SOA"
printf '%s' "\$TTL 300
${SOA}www.example.org. IN A 192.0.2.1
" >"$T/bad.zone"
bad "bad.zone:3: record www.example.org. is outside the zone new.example. (--strict)" \
    zone import new.example "$T/bad.zone" --strict
badzone "\$TTL 300
${SOA}long IN TXT \"$(printf 'x%.0s' {1..256})\"
" "bad.zone:3: TXT record of long: a character-string of 256 octets, more than 255"
badzone "\$TTL 300
sub IN SOA ns1.new.example. h.new.example. 1 3600 600 86400 300
" "not at the apex"
bad "exists already" zone import example.com "$T/good.zone"
bad "cannot open $T/missing.zone" zone import new.example "$T/missing.zone"
check "no zone new.example was left behind" test "$(q "SELECT count(*) FROM zones WHERE name = 'new.example.'")" = 0

# --- tokens and usage -------------------------------------------------------------------
bad "unknown scope 'dnssec:admin'" token create --name x --scopes dnssec:admin
bad "unknown scope 'bogus'" token create --name x --scopes dnssec:read,bogus
bad "at least one scope" token create --name x --scopes ,
bad "needs --name and --scopes" token create --name x
bad "exists already" token create --name taken --scopes zones:read
bad "empty label" token create --name x --scopes zones:read --zones bad..zone
bad "no active token named 'nobody'" token revoke nobody
bad "unknown command 'frobnicate'" frobnicate
bad "unknown option --bogus" zone list --bogus
bad "cannot open directory onlyonearg" zone import onlyonearg
bad "usage" dnssec
printf 'db=%s\nbogus-key=1\n' "$DB" >"$T/badkey.conf"
bad "badkey.conf:2: unknown configuration key 'bogus-key'" --config "$T/badkey.conf" zone list
bad "must be a whole number" --policy-algorithm=x zone list

# --- TSIG keys ---------------------------------------------------------------------------
ctl tsig create xfr >/dev/null
ctl zone allow-axfr example.com xfr >/dev/null
bad "unknown TSIG algorithm 'hmac-sha1'" tsig create k --algorithm hmac-sha1
bad "only letters, digits" tsig create 'bad key'
bad "empty label" tsig create a..b
bad "TSIG key xfr. already exists" tsig create XFR
bad "TSIG key nope. not found" tsig delete nope
bad "may still transfer example.com." tsig delete xfr
bad "TSIG key nope. not found" zone allow-axfr example.com xfr nope
bad "named twice" zone allow-axfr example.com xfr xfr.
bad "domain not found" zone allow-axfr nozone.example xfr
bad "needs key names, --none" zone allow-axfr example.com
bad "usage" tsig

# --- a keystore from a newer scaidns ------------------------------------------------------
version=$(q 'PRAGMA user_version')
newer=$((version + 1))
# Two copies: one in WAL mode as scaidns leaves it, one restored by the sqlite3 shell into
# the default rollback journal.
for mode in wal delete; do
    NDB=$T/newer-$mode.db
    sqlite3 "$DB" ".backup '$NDB'"
    chmod 600 "$NDB" # the sqlite3 shell made it by the umask; scaidns refuses others reading it
    sqlite3 "$NDB" "PRAGMA journal_mode = $mode; PRAGMA user_version = $newer" >/dev/null
    NCONF=$T/newer-$mode.conf
    printf 'db=%s\nseal-key=%s\n' "$NDB" "$T/seal.key" >"$NCONF"
    for args in "zone list" "dnssec enable example.com" "zone import other.example $T/good.zone" \
        "token create --name n --scopes zones:read" "audit verify" "dnssec status example.com"; do
        before=$(db_file_sum "$NDB")
        # shellcheck disable=SC2086
        run "$BIN/scaidnsctl" --config "$NCONF" $args
        CHECKS=$((CHECKS + 1))
        [[ $RC != 0 ]] || fail "newer keystore ($mode): scaidnsctl $args succeeded"
        [[ -z $OUT ]] || fail "newer keystore ($mode): scaidnsctl $args printed: $OUT"
        [[ $ERR == *"schema version $newer"*"only up to $version"*"newer scaidns"* ]] ||
            fail "newer keystore ($mode): scaidnsctl $args said: $ERR"
        [[ $(db_file_sum "$NDB") == "$before" ]] || fail "newer keystore ($mode): scaidnsctl $args changed the file"
        [[ ! -s $NDB-wal ]] || fail "newer keystore ($mode): scaidnsctl $args left a -wal file"
    done
    check "the newer keystore ($mode) keeps its version" test "$(sqlite3 "$NDB" 'PRAGMA user_version')" = "$newer"
    check "the newer keystore ($mode) keeps its journal mode" test "$(sqlite3 "$NDB" 'PRAGMA journal_mode')" = "$mode"
done
# init refuses it too (it exists), without touching it.
before=$(db_file_sum "$T/newer-wal.db")
run "$BIN/scaidnsctl" --config "$T/newer-wal.conf" init
check "init refuses an existing (newer) keystore" test "$RC" != 0
check "... and leaves it alone" test "$(db_file_sum "$T/newer-wal.db")" = "$before"

echo "cli_badinput: ok ($CHECKS checks)"
