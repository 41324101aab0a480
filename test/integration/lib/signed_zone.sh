# signed_zone.sh - the test zone and the checks every signed zone must pass, shared by the
# backend_* integration tests. Source after pdns.sh.

# Writes the test zone file (relative names; the origin is given at import) to $1.
test_zone_file() {
  cat >"$1" <<'ZONE'
$TTL 300
@        IN SOA   ns1 hostmaster 1 3600 600 86400 300
@        IN NS    ns1
@        IN MX    10 mail
ns1      IN A     127.0.0.1
www      IN A     192.0.2.1
www      IN AAAA  2001:db8::1
mail     IN A     192.0.2.25
a.b      IN TXT   "below an empty non-terminal"
*.wild   IN A     192.0.2.9
sub      IN NS    ns.sub
sub      IN DS    12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
ns.sub   IN A     192.0.2.53
insec    IN NS    ns.insec
ns.insec IN A     192.0.2.54
alias    IN CNAME www
ZONE
}

# Sets the NSEC mode of zone in the keystore: nsec, nsec3 or optout.
set_nsec_mode() {
  local zone=$1 mode=$2 n=0 o=0
  case $mode in nsec) return 0 ;; nsec3) n=1 ;; optout) n=1; o=1 ;; esac
  sqlite3 "$T/scaidns.db" "INSERT INTO policies(zone_id, nsec3, nsec3_iterations, nsec3_salt, nsec3_optout)
    SELECT id, $n, 1, 'abcd', $o FROM zones WHERE name = '$zone';"
}

# Imports the test zone as zone with DNSSEC (algorithm alg, NSEC mode), its DS confirmed, and
# writes its trust anchor file.
make_signed_zone() {
  local zone=$1 alg=$2 mode=$3
  test_zone_file "$T/test.zone"
  ctl zone import "$zone" "$T/test.zone" >/dev/null
  set_nsec_mode "$zone" "$mode"
  ctl dnssec enable "$zone" --algorithm "$alg" >/dev/null
  # The trust anchor plays the parent's DS: confirmed, the KSK is the one CDS names.
  ctl dnssec confirm-ds "$zone" >/dev/null
  anchor_file "$zone" "$T/anchor-$zone"
}

# dig output has "status: $2" and a section ($3) line matching regex $4.
dig_has() {
  local out=$1 status=$2 section=$3 re=$4
  grep -q "status: $status" <<<"$out" || return 1
  awk -v s=";; $section SECTION:" '$0 == s { on = 1; next } /^;; / { on = 0 } on' <<<"$out" |
    grep -Eq "$re"
}

# Runs every check on zone (NSEC mode $2) against the running pdns_server.
check_signed_zone() {
  local z=$1 mode=$2 tag="$1 ($2)" out nsec="NSEC"
  [ "$mode" = nsec ] || nsec="NSEC3"
  out=$(q "www.$z" A +dnssec)
  check "$tag: signed A" dig_has "$out" NOERROR ANSWER "RRSIG[[:space:]]+A "
  out=$(q "nope.$z" A +dnssec)
  check "$tag: NXDOMAIN with $nsec proof" dig_has "$out" NXDOMAIN AUTHORITY "IN[[:space:]]+$nsec[[:space:]]"
  out=$(q "www.$z" TXT +dnssec)
  check "$tag: NODATA with $nsec proof" dig_has "$out" NOERROR AUTHORITY "IN[[:space:]]+$nsec[[:space:]]"
  out=$(q "host.wild.$z" A +dnssec)
  check "$tag: wildcard answer signed" dig_has "$out" NOERROR ANSWER "RRSIG[[:space:]]+A 1?[0-9] 3 "
  out=$(q "x.sub.$z" A +dnssec)
  check "$tag: delegation NS" dig_has "$out" NOERROR AUTHORITY "^sub\.$z.*NS[[:space:]]+ns\.sub"
  check "$tag: delegation DS signed" dig_has "$out" NOERROR AUTHORITY "RRSIG[[:space:]]+DS "
  check "$tag: delegation glue" dig_has "$out" NOERROR ADDITIONAL "^ns\.sub\.$z.*192\.0\.2\.53"
  out=$(q "$z" DNSKEY +dnssec)
  check "$tag: DNSKEY signed" dig_has "$out" NOERROR ANSWER "RRSIG[[:space:]]+DNSKEY "
  out=$(q "$z" CDS +dnssec)
  check "$tag: CDS" dig_has "$out" NOERROR ANSWER "IN[[:space:]]+CDS[[:space:]]"
  out=$(q "$z" CDNSKEY +dnssec)
  check "$tag: CDNSKEY" dig_has "$out" NOERROR ANSWER "IN[[:space:]]+CDNSKEY[[:space:]]"
  local name type
  while read -r name type; do
    out=$(dv "$z" "$name" "$type")
    if grep -q "fully validated" <<<"$out"; then ok "$tag: delv $name $type"
    elif [ "$mode" = optout ] && [ "$name" = "host.wild.$z" ] && grep -q "unsigned answer" <<<"$out"; then
      # With opt-out every NSEC3 carries the opt-out flag, and a validator cannot prove that
      # a wildcard answer's next closer name is not an unsigned delegation hidden in the
      # opt-out span (RFC 5155 sections 8.8 and 9.2): BIND's delv calls it insecure.
      ok "$tag: delv $name $type (insecure by opt-out, as RFC 5155 allows)"
    else
      bad "$tag: delv $name $type"; echo "$out" | head -5; fi
  done <<LIST
www.$z A
www.$z AAAA
nope.$z A
www.$z TXT
b.$z A
host.wild.$z A
alias.$z A
$z DNSKEY
$z CDS
$z SOA
sub.$z DS
LIST
  q "$z" AXFR +onesoa >"$T/axfr-$z" 2>&1 || true
  if grep -q "RRSIG" "$T/axfr-$z"; then ok "$tag: AXFR signed"; else bad "$tag: AXFR signed"; fi
  if command -v ldns-verify-zone >/dev/null; then
    grep -v '^;' "$T/axfr-$z" | grep -v '^$' >"$T/axfr-$z.clean"
    check "$tag: ldns-verify-zone" ldns-verify-zone "$T/axfr-$z.clean"
  fi
  if command -v dnssec-verify >/dev/null; then
    if dnssec-verify -q -o "$z" "$T/axfr-$z.clean" >"$T/verify-$z" 2>&1; then
      ok "$tag: dnssec-verify"; else bad "$tag: dnssec-verify"; tail -5 "$T/verify-$z"; fi
  fi
  if pdnsutil_t check-zone "$z" >"$T/check-$z" 2>&1 && ! grep -q "^\[Error\]" "$T/check-$z"; then
    ok "$tag: pdnsutil check-zone"; else bad "$tag: pdnsutil check-zone"; tail -5 "$T/check-$z"; fi
}
