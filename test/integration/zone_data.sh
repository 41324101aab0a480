# zone_data.sh - zone data that DNS allows and scaidns used to refuse (issue 18), end to end
# through scaidnsctl, scaidns-backend and a real pdns_server, checked with dig, delv,
# ldns-verify-zone and dnssec-verify:
# - owner names with any octet ("a\.b\000c", "host.*.sub", "0/26", spaces, ';') stored
#   canonically, served back exactly, and signed in the right NSEC order;
# - out-of-zone records ignored with a warning (refused with --strict), TXT strings over 255
#   octets refused naming the record (split with --split-long-txt), the keystore unchanged after
#   each refusal;
# - ALIAS (in an unsigned zone) resolved by PowerDNS (expand-alias, resolver) through an unbound
#   of ours answering the target;
# - AXFR of an NSEC3 zone with disable-axfr-rectify=yes: the empty non-terminals come from the
#   backend's list, and the transferred zone passes dnssec-verify and ldns-verify-zone.
set -euo pipefail
. "$SCAIDNS_SRC/test/integration/lib/pdns.sh"
. "$SCAIDNS_SRC/test/integration/lib/signed_zone.sh"
pdns_init
for tool in unbound dnssec-verify ldns-verify-zone delv sqlite3; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed"; exit 1; }
done
sd_conf
ctl init >/dev/null

# --- the importer ---------------------------------------------------------------------------
long=$(printf 'x%.0s' {1..300})
cat >"$T/names.zone" <<ZONE
\$TTL 300
@              IN SOA   ns1 hostmaster 1 3600 600 86400 300
@              IN NS    ns1
ns1            IN A     127.0.0.1
a\\.b\\000c      IN TXT   "dot and nul"
host.*.sub     IN A     192.0.2.1
0/26           IN NS    ns1.other.example.
1              IN CNAME 1.0/26
sp\\032ace\\;x   IN A     192.0.2.2
long           IN TXT   "$long"
www            IN A     192.0.2.80
www.other.example. IN A 192.0.2.99
ZONE
dump() { sqlite3 "$T/scaidns.db" .dump | sha256sum; }
before=$(dump)
if ctl zone import names.test "$T/names.zone" >"$T/out" 2>"$T/err"; then
  bad "a 300-octet TXT string is refused by default"
else
  check "a 300-octet TXT string is refused naming the record and the length ($(cat "$T/err"))" \
    grep -q "names.zone:10: TXT record of long: a character-string of 300 octets" "$T/err"
fi
check "the keystore is unchanged after that refusal" test "$before" = "$(dump)"
if ctl zone import names.test "$T/names.zone" --split-long-txt --strict >"$T/out" 2>"$T/err"; then
  bad "--strict refuses the out-of-zone record"
else
  check "--strict refuses the out-of-zone record ($(cat "$T/err"))" \
    grep -q "names.zone:12: record www.other.example. is outside the zone names.test." "$T/err"
fi
check "the keystore is unchanged after that refusal" test "$before" = "$(dump)"
if ctl zone import names.test "$T/names.zone" --split-long-txt >"$T/out" 2>"$T/err"; then
  ok "the zone loads with --split-long-txt"
else
  bad "the zone loads with --split-long-txt"; cat "$T/err"
fi
check "a warning names the out-of-zone record" \
  grep -q "warning: .*names.zone:12: ignoring out-of-zone data www.other.example. A" "$T/err"
check "the summary counts it and the split" \
  grep -q "imported names.test.: 10 records, 0 DNSSEC records skipped, 1 out-of-zone records ignored, 1 long TXT strings split" "$T/err"
check "names are stored canonically" test "$(sqlite3 "$T/scaidns.db" \
  "SELECT count(*) FROM rrsets WHERE name IN ('a\\.b\\000c.names.test.', 'host.*.sub.names.test.',
   '0/26.names.test.', 'sp\\032ace;x.names.test.')")" = 4

# ALIAS, in an unsigned zone: PowerDNS 4.7 does not sign the addresses it makes for an ALIAS
# (its documentation: ALIAS is not supported with live signing).
printf '$TTL 300\n@ IN SOA ns1 hostmaster 1 3600 600 86400 300\n@ IN NS ns1\nns1 IN A 127.0.0.1\n@ IN ALIAS target.elsewhere.\nwww 60 IN alias target.elsewhere.\n' >"$T/alias.zone"
check "a zone with ALIAS records imports" ctl zone import alias.test "$T/alias.zone"

# The NSEC3 zone: the test zone of the backend tests, with more empty non-terminals.
test_zone_file "$T/nsec3.zone"
cat >>"$T/nsec3.zone" <<'ZONE'
x.y.z.deep     IN A     192.0.2.70
d\.e.f         IN TXT   "an escaped dot below an ENT"
ZONE
ctl zone import nsec3.test "$T/nsec3.zone" >/dev/null 2>&1
set_nsec_mode nsec3.test. nsec3
for z in names.test. nsec3.test.; do
  ctl dnssec enable "$z" >/dev/null
  ctl dnssec confirm-ds "$z" >/dev/null
  anchor_file "$z" "$T/anchor-$z"
done

# --- a resolver of ours that answers ALIAS targets --------------------------------------------
UPORT=$(free_port)
cat >"$T/unbound.conf" <<CONF
server:
  interface: 127.0.0.1
  port: $UPORT
  do-daemonize: no
  use-syslog: no
  logfile: "$T/unbound.log"
  username: ""
  chroot: ""
  directory: "$T"
  pidfile: "$T/unbound.pid"
  do-ip6: no
  access-control: 127.0.0.0/8 allow
  module-config: "iterator"
  num-threads: 1
  local-zone: "elsewhere." static
  local-data: "target.elsewhere. 60 IN A 192.0.2.77"
  local-data: "target.elsewhere. 60 IN AAAA 2001:db8::77"
remote-control:
  control-enable: no
CONF
unbound -d -c "$T/unbound.conf" >>"$T/unbound.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do
  dig @127.0.0.1 -p "$UPORT" +time=1 +tries=1 target.elsewhere. A >/dev/null 2>&1 && break
  sleep 0.1
done

backend_start
pdns_conf "$(free_port)" "expand-alias=yes" "resolver=127.0.0.1:$UPORT" \
  "disable-axfr-rectify=yes" "allow-axfr-ips=127.0.0.0/8" "8bit-dns=yes"
pdns_start

# --- names served exactly -----------------------------------------------------------------------
out=$(q 'a\.b\000c.names.test.' TXT +dnssec)
check "a label with \\. and \\000 is served, under its own name" \
  dig_has "$out" NOERROR ANSWER '^a\\\.b\\000c\.names\.test\..*"dot and nul"'
check "... and signed" dig_has "$out" NOERROR ANSWER "RRSIG[[:space:]]+TXT "
out=$(q 'host.*.sub.names.test.' A)
check "host.*.sub (a literal '*')" dig_has "$out" NOERROR ANSWER '192\.0\.2\.1$'
out=$(q 'other.*.sub.names.test.' A)
check "... is no wildcard" grep -q "status: NXDOMAIN" <<<"$out"
out=$(q '0/26.names.test.' NS)
check "0/26 delegation (RFC 2317)" dig_has "$out" NOERROR AUTHORITY '^0/26\.names\.test\..*NS[[:space:]]+ns1\.other\.example\.'
out=$(q 'sp\032ace;x.names.test.' A)
check "a label with a space and a ';'" dig_has "$out" NOERROR ANSWER '^sp\\032ace\\;x\.names\.test\..*192\.0\.2\.2$'
out=$(q long.names.test. TXT)
check "the long TXT is served as two strings" \
  dig_has "$out" NOERROR ANSWER "\"$(printf 'x%.0s' {1..255})\" \"$(printf 'x%.0s' {1..45})\""
out=$(q www.other.example. A)
check "the out-of-zone record is not served" bash -c '! grep -q "192.0.2.99" <<<"$1"' _ "$out"
while read -r name type; do
  out=$(dv names.test. "$name" "$type")
  if grep -q "fully validated" <<<"$out"; then ok "delv $name $type"
  else bad "delv $name $type"; echo "$out" | head -5; fi
done <<'LIST'
a\.b\000c.names.test. TXT
host.*.sub.names.test. A
sp\032ace;x.names.test. A
nope\000.names.test. A
a\.b.names.test. A
LIST

# --- ALIAS -------------------------------------------------------------------------------------
out=$(q alias.test. A)
check "ALIAS at the apex answers the target's A from our resolver" dig_has "$out" NOERROR ANSWER '^alias\.test\..*192\.0\.2\.77$'
out=$(q alias.test. AAAA)
check "ALIAS answers the target's AAAA" dig_has "$out" NOERROR ANSWER '2001:db8::77$'
out=$(q www.alias.test. A)
check "ALIAS below the apex too" dig_has "$out" NOERROR ANSWER '^www\.alias\.test\..*192\.0\.2\.77$'
out=$(q alias.test. SOA)
check "the apex keeps its SOA beside the ALIAS" dig_has "$out" NOERROR ANSWER 'SOA'

# --- AXFR without PowerDNS's rectify --------------------------------------------------------
for z in nsec3.test. names.test.; do
  q "$z" AXFR +onesoa >"$T/axfr-$z" 2>&1 || true
  grep -v '^;' "$T/axfr-$z" | grep -v '^$' >"$T/axfr-$z.clean" || true
  check "$z: AXFR signed" grep -q RRSIG "$T/axfr-$z.clean"
  if ldns-verify-zone "$T/axfr-$z.clean" >"$T/lvz-$z" 2>&1; then ok "$z: ldns-verify-zone"
  else bad "$z: ldns-verify-zone"; tail -5 "$T/lvz-$z"; fi
  if dnssec-verify -q -o "$z" "$T/axfr-$z.clean" >"$T/verify-$z" 2>&1; then ok "$z: dnssec-verify"
  else bad "$z: dnssec-verify"; tail -5 "$T/verify-$z"; fi
done
check "nsec3.test.: the AXFR holds the NSEC3 of the ENT deep.nsec3.test." grep -qi \
  "^$(python3 - <<'PY'
import hashlib, base64
def wire(n): return b"".join(bytes([len(l)]) + l.encode() for l in n.split(".")) + b"\0"
h = hashlib.sha1(wire("deep.nsec3.test") + bytes.fromhex("abcd")).digest()
h = hashlib.sha1(h + bytes.fromhex("abcd")).digest()
t = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "0123456789ABCDEFGHIJKLMNOPQRSTUV")
print(base64.b32encode(h).decode().translate(t).lower())
PY
).nsec3.test." "$T/axfr-nsec3.test..clean"
finish
