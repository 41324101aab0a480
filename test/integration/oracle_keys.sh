#!/usr/bin/env bash
# oracle_keys.sh - checks keystore/key.c against independent DNSSEC implementations.
#
# For every algorithm (8, 10, 13, 14, 15) and both flags (256, 257), plus larger RSA sizes,
# sd-keytool generates a key; then
#   1. ldns-key2ds (ldns) and dnssec-dsfromkey (BIND) must compute, from our DNSKEY, the same
#      key tag and the same DS digests (types 2 and 4) as we do;
#   2. pdnsutil (PowerDNS) must import our private-key text into a scratch gsqlite3 zone and
#      show-zone must print our key tag, bits, DNSKEY and DS digests (PowerDNS derives the
#      public key from the private text, so this also proves the two halves belong together);
#   3. BIND's dnssec-signzone must sign a zone with our private keys (checking every signature
#      it makes) and dnssec-verify must accept the signed zone.
#
# Environment: SCAIDNS_BUILD, the build directory (holds test/tools/sd-keytool); KEEP=1 keeps
# the scratch directory for a post-mortem. Any mismatch or missing tool fails the test with a
# message; nothing is skipped.
set -euo pipefail

fail() {
    echo "oracle_keys: FAIL: $*" >&2
    exit 1
}

: "${SCAIDNS_BUILD:?SCAIDNS_BUILD must name the build directory}"
KEYTOOL="$SCAIDNS_BUILD/test/tools/sd-keytool"
[[ -x "$KEYTOOL" ]] || fail "sd-keytool is not built at $KEYTOOL"
for tool in ldns-key2ds dnssec-dsfromkey dnssec-signzone dnssec-verify pdnsutil sqlite3 awk; do
    command -v "$tool" >/dev/null 2>&1 ||
        fail "required tool '$tool' is missing (packages: ldnsutils, bind9-utils, pdns-server, pdns-backend-sqlite3, sqlite3)"
done
SCHEMA=/usr/share/doc/pdns-backend-sqlite3/schema.sqlite3.sql
[[ -r "$SCHEMA" ]] || fail "PowerDNS gsqlite3 schema not found at $SCHEMA (package pdns-backend-sqlite3)"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/oracle_keys.XXXXXX")
trap '[[ -n ${KEEP:-} ]] || rm -rf "$TMP"' EXIT

# "tag alg type DIGEST" from the last four fields of a DS line (any TTL/class layout, comments
# after ";" dropped).
ds_norm() { awk '{ sub(/[ \t]*;.*$/, "") } $0 ~ /[ \t]DS[ \t]/ { print $(NF-3), $(NF-2), $(NF-1), toupper($NF) }'; }

# Checks one key: $1 zone, $2 alg, $3 flags, $4 bits (0 = default); leaves its files in
# $TMP/<zone>/ for the per-zone PowerDNS and BIND checks.
check_key() {
    local zone=$1 alg=$2 flags=$3 bits=$4
    local name="alg $alg flags $flags"
    [[ $bits == 0 ]] || name+=" bits $bits"
    local dir="$TMP/$zone" out
    mkdir -p "$dir"
    out="$dir/key.$flags.$bits"
    if [[ $bits == 0 ]]; then
        "$KEYTOOL" "$zone" "$alg" "$flags" >"$out" || fail "$name: sd-keytool failed"
    else
        "$KEYTOOL" "$zone" "$alg" "$flags" "$bits" >"$out" || fail "$name: sd-keytool failed"
    fi
    local dnskey ds2 ds4 tag
    dnskey=$(sed -n 1p "$out")
    ds2=$(sed -n 2p "$out" | ds_norm)
    ds4=$(sed -n 3p "$out" | ds_norm)
    [[ -n $dnskey && -n $ds2 && -n $ds4 ]] || fail "$name: sd-keytool output is malformed"
    [[ -z $(sed -n 4p "$out") ]] || fail "$name: sd-keytool line 4 is not empty"
    tag=${ds2%% *}
    [[ $ds2 == "$tag $alg 2 "* && $ds4 == "$tag $alg 4 "* ]] || fail "$name: DS lines disagree: $ds2 / $ds4"
    echo "$dnskey" >"$dir/dnskey.$tag"
    sed -n 2,3p "$out" >"$dir/ds.$tag"
    printf '$TTL 3600\n%s\n' "$dnskey" >"$dir/zonefile.$tag"
    sed -n '5,$p' "$out" >"$dir/private.$tag"
    local kbits=$bits
    case $alg in
    8 | 10) [[ $kbits == 0 ]] && kbits=2048 ;;
    14) kbits=384 ;;
    *) kbits=256 ;;
    esac
    echo "$flags $tag $kbits $dnskey" >>"$dir/keys"

    # 1. ldns and BIND compute tag and DS from our DNSKEY alone.
    local got
    for dt in 2 4; do
        local want=$ds2
        [[ $dt == 4 ]] && want=$ds4
        got=$(cd "$dir" && ldns-key2ds -n -f "-$dt" "dnskey.$tag" | ds_norm) ||
            fail "$name: ldns-key2ds failed"
        [[ $got == "$want" ]] || fail "$name: ldns-key2ds says DS '$got', we say '$want'"
        local bindalg=SHA-256
        [[ $dt == 4 ]] && bindalg=SHA-384
        got=$(dnssec-dsfromkey -a "$bindalg" -A -f "$dir/zonefile.$tag" "$zone" | ds_norm) ||
            fail "$name: dnssec-dsfromkey failed"
        [[ $got == "$want" ]] || fail "$name: dnssec-dsfromkey says DS '$got', we say '$want'"
    done

    # 2. PowerDNS reads our private key and derives the same DNSKEY, tag and DS.
    check_pdns "$zone" "$alg" "$flags" "$tag" "$kbits"
    echo "ok   $zone $name: tag $tag; DS 2 and 4 agree with ldns and BIND; PowerDNS agrees"
}

# Imports one key ($1 zone, $2 alg, $3 flags, $4 tag, $5 bits) into a fresh PowerDNS gsqlite3
# database, alone in its zone, and compares show-zone with what we computed.
check_pdns() {
    local zone=$1 alg=$2 flags=$3 tag=$4 kbits=$5 dir="$TMP/$1"
    local pdns="$dir/pdns.$tag"
    mkdir -p "$pdns"
    sqlite3 "$pdns/pdns.sqlite3" <"$SCHEMA" || fail "cannot create a gsqlite3 database"
    printf 'launch=gsqlite3\ngsqlite3-database=%s\ngsqlite3-dnssec=yes\n' \
        "$pdns/pdns.sqlite3" >"$pdns/pdns.conf"
    local msg kind=zsk
    [[ $flags == 257 ]] && kind=ksk
    msg=$(pdnsutil --config-dir="$pdns" create-zone "$zone" 2>&1) ||
        fail "$zone: pdnsutil create-zone failed: $msg"
    msg=$(pdnsutil --config-dir="$pdns" import-zone-key "$zone" "$dir/private.$tag" "$kind" 2>&1) ||
        fail "$zone: PowerDNS refused our private key (tag $tag): $msg"
    local show
    show=$(pdnsutil --config-dir="$pdns" show-zone "$zone" 2>&1) ||
        fail "$zone: pdnsutil show-zone failed: $show"
    grep -qF "flags = $flags, tag = $tag, algo = $alg, bits = $kbits" <<<"$show" ||
        fail "$zone: show-zone has no key with flags $flags tag $tag algo $alg bits $kbits:"$'\n'"$show"
    local pub
    pub=$(awk '{ print $NF }' "$dir/dnskey.$tag")
    grep -qF "IN DNSKEY $flags 3 $alg $pub" <<<"$show" ||
        fail "$zone: PowerDNS derived another DNSKEY from our private key (tag $tag):"$'\n'"$show"
    local dt got want
    for dt in 2 4; do
        got=$(grep -F "IN DS $tag $alg $dt " <<<"$show" | ds_norm || true)
        want=$(grep -F " $tag $alg $dt " "$dir/ds.$tag" | ds_norm || true)
        [[ -n $want && $got == "$want" ]] ||
            fail "$zone: PowerDNS shows DS '$got', we say '$want' (tag $tag)"
    done
}

# Signs a small zone with all keys of $1 using BIND, which checks every signature it makes,
# then runs dnssec-verify on the result.
check_bind_sign() {
    local zone=$1 alg=$2 dir="$TMP/$1" kdir="$TMP/$1/bind" flags tag kbits rest
    mkdir -p "$kdir"
    {
        echo "\$TTL 300"
        echo "@ IN SOA ns1 hostmaster 1 3600 600 86400 300"
        echo "@ IN NS ns1"
        echo "ns1 IN A 192.0.2.1"
        echo "www IN A 192.0.2.2"
        cat "$dir"/dnskey.*
    } >"$kdir/zone"
    local keys=()
    while read -r flags tag kbits rest; do
        local base
        base=$(printf 'K%s.+%03d+%05d' "$zone" "$alg" "$tag")
        cp "$dir/dnskey.$tag" "$kdir/$base.key"
        cp "$dir/private.$tag" "$kdir/$base.private"
        keys+=("$base")
    done <"$dir/keys"
    local msg
    msg=$(cd "$kdir" && dnssec-signzone -a -K "$kdir" -o "$zone" -f "$kdir/signed" "$kdir/zone" \
        "${keys[@]}" 2>&1) || fail "$zone: BIND could not sign with our private keys: $msg"
    msg=$(dnssec-verify -o "$zone" "$kdir/signed" 2>&1) ||
        fail "$zone: dnssec-verify rejects the zone signed with our keys: $msg"
    echo "ok   $zone: BIND signed with our private keys and dnssec-verify accepts the zone"
}

start=$SECONDS
for alg in 8 10 13 14 15; do
    zone="alg$alg.oracle-test.example."
    check_key "$zone" "$alg" 256 0
    check_key "$zone" "$alg" 257 0
    case $alg in
    8) check_key "$zone" "$alg" 257 4096 ;;
    10) check_key "$zone" "$alg" 256 3072 ;;
    esac
    check_bind_sign "$zone" "$alg"
done
# A name given in mixed case: the DS digest is over the canonical (lower-case) owner name.
check_key "Mixed-Case.Example." 13 257 0
echo "oracle_keys: all checks passed in $((SECONDS - start)) s"
