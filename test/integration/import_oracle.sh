#!/usr/bin/env bash
# import_oracle.sh - keys made by other tools, imported into scaidns and served by the real
# pdns_server + scaidns-backend, with BIND as the judge:
#   - rsa.test.: a KSK and a ZSK from BIND's dnssec-keygen, algorithm 8, through scaidnsctl
#     (ksk:K*.private zsk:K*.private, the .key files beside them checked);
#   - ec.test.: a KSK and a ZSK from dnssec-keygen, algorithm 13, through the API (the
#     .private text and the .key file in the body);
#   - ed.test.: a PEM key from `openssl genpkey -algorithm ed25519` as a CSK (algorithm 15).
# For each, scaidns's DS must equal dnssec-dsfromkey's (for the PEM key: of the DNSKEY built
# from OpenSSL's own public key), PowerDNS must serve the imported key tags, and delv, trusting
# only dnssec-dsfromkey's DS, must validate the answers. Refusals (a 1024-bit RSA key, a .key
# file that is another key's, a KSK role on a flags-256 key, a second import) leave the
# keystore unchanged.
set -euo pipefail
. "$SCAIDNS_SRC/test/integration/lib/pdns.sh"
. "$SCAIDNS_SRC/test/integration/lib/signed_zone.sh"
pdns_init
for tool in dnssec-keygen dnssec-dsfromkey openssl delv curl jq sqlite3; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed"; exit 1; }
done
APORT=$(free_port)
sd_conf "api-listen=127.0.0.1:$APORT"
ctl init >/dev/null
TOK=$(ctl token create --name importer --scopes dnssec:read,dnssec:enable,zones:read)
mkdir -p "$T/keys"
db_sum() { sqlite3 "$T/scaidns.db" .dump | sha256sum | cut -d' ' -f1; }

# keygen ZONE ALG [KSK]: a BIND key pair in $T/keys; prints its base name.
keygen() {
  local flags=()
  [ "${3:-}" = KSK ] && flags=(-f KSK)
  (cd "$T/keys" && dnssec-keygen -q -a "$2" ${3:+"${flags[@]}"} $([ "$2" = 8 ] && echo -b 2048) "$1")
}
# bind_ds KEYFILE: "tag alg 2 DIGEST" of dnssec-dsfromkey.
bind_ds() { dnssec-dsfromkey -2 "$1" | awk '{ print $(NF-3), $(NF-2), $(NF-1), toupper($NF) }'; }
# our_ds ZONE: "tag alg 2 DIGEST" of scaidnsctl ds.
our_ds() { ctl ds "$1" | awk '$6 == 2 { print $4, $5, $6, toupper($7) }'; }
# anchor ZONE "tag alg 2 DIGEST": a delv trust anchor file of that DS alone.
anchor() {
  printf 'trust-anchors {\n  "%s" static-ds %s %s %s "%s";\n};\n' "$1" $2 >"$T/anchor-$1"
}
# served_tags ZONE: "flags tag" of each DNSKEY PowerDNS serves, sorted, on one line.
served_tags() {
  q "$1" DNSKEY +multi | awk '/DNSKEY[ \t]+25[67] / { f = $(NF-3) } /key id = / { print f, $NF }' |
    sort | tr '\n' ' '
}
# tag of a BIND base name Kzone.+aaa+ttttt
tag_of() { echo $((10#${1##*+})); }

for z in rsa.test. ec.test. ed.test.; do
  test_zone_file "$T/zone"
  ctl zone import "$z" "$T/zone" >/dev/null
done

# --- refusals first: nothing stored ------------------------------------------------------
(cd "$T/keys" && dnssec-keygen -q -a 8 -b 1024 rsa.test >"$T/small")
before=$(db_sum)
if out=$(ctl dnssec import rsa.test. "csk:$T/keys/$(cat "$T/small").private" 2>&1); then
  bad "a 1024-bit RSA key was imported"
else
  check "1024-bit RSA refused, saying so ($out)" grep -q "1024 bits refused.*2048" <<<"$out"
fi
RK=$(keygen rsa.test 8 KSK)
RZ=$(keygen rsa.test 8)
cp "$T/keys/$RZ.key" "$T/keys/other.key"
cp "$T/keys/$RK.private" "$T/keys/other.private"
if out=$(ctl dnssec import rsa.test. "csk:$T/keys/other.private" 2>&1); then
  bad "a .private with another key's .key file was imported"
else
  check "public/private mismatch refused ($out)" grep -q "public/private mismatch" <<<"$out"
fi
if out=$(ctl dnssec import rsa.test. "ksk:$T/keys/$RZ.private" "zsk:$T/keys/$RK.private" 2>&1); then
  bad "a KSK role on a flags-256 key was imported"
else
  check "KSK role on a .key with flags 256 refused ($out)" grep -q "says flags 256" <<<"$out"
fi
[ "$(db_sum)" = "$before" ] && ok "refusals left the keystore unchanged" ||
  bad "refusals left the keystore unchanged"

# --- algorithm 8 through scaidnsctl --------------------------------------------------------
out=$(ctl dnssec import rsa.test. "ksk:$T/keys/$RK.private" "zsk:$T/keys/$RZ.private" --ds-published)
check "rsa.test.: imported, status active" \
  test "$(sqlite3 "$T/scaidns.db" "SELECT status FROM dnssec_status WHERE zone = 'rsa.test.'")" = active
want=$(bind_ds "$T/keys/$RK.key")
check "rsa.test.: DS equals dnssec-dsfromkey's ($want)" test "$(our_ds rsa.test.)" = "$want"
anchor rsa.test. "$want"

# --- algorithm 13 through the API ------------------------------------------------------------
EK=$(keygen ec.test 13 KSK)
EZ=$(keygen ec.test 13)
jq -n --rawfile kp "$T/keys/$EK.private" --rawfile kk "$T/keys/$EK.key" \
  --rawfile zp "$T/keys/$EZ.private" --rawfile zk "$T/keys/$EZ.key" \
  '{keys: [{role: "ksk", private_key: $kp, public_key: $kk}, {role: "zsk", private_key: $zp, public_key: $zk, published: true, active: true}], ds_published: false}' \
  >"$T/ec.json"
"$BIN/scaidns-api" --config "$T/scaidns.conf" 2>>"$T/api.log" &
PIDS+=($!)
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$APORT/healthz" && break; sleep 0.1; done
code=$(curl -s -o "$T/ec.out" -w '%{http_code}' -X POST -H "Authorization: Bearer $TOK" \
  -H 'Content-Type: application/json' --data-binary "@$T/ec.json" \
  "http://127.0.0.1:$APORT/api/v1/domains/ec.test./dnssec/import")
check "ec.test.: API import 200 ($code)" test "$code" = 200
check "ec.test.: reply names the tags, status pending_ds" jq -e \
  --argjson k "$(tag_of "$EK")" --argjson z "$(tag_of "$EZ")" \
  '.status == "pending_ds" and ([.imported[].key_tag] == [$k, $z]) and .split_zsk == null and (.ds_records | length > 0) and (tostring | test("PrivateKey") | not)' "$T/ec.out"
rc=0
python3 "$SCAIDNS_SRC/test/integration/lib/oas_check.py" "$SCAIDNS_SRC/api/openapi.json" \
  "ImportResponse=$T/ec.out" "ImportRequest=$T/ec.json" >"$T/oas.out" 2>&1 || rc=$?
if [ $rc = 3 ]; then echo "note: openapi-schema-validator missing: the reply is not checked against the schema"
else check "ec.test.: request and reply match the OpenAPI schemas $(cat "$T/oas.out")" test $rc = 0; fi
want=$(bind_ds "$T/keys/$EK.key")
check "ec.test.: DS equals dnssec-dsfromkey's ($want)" test "$(our_ds ec.test.)" = "$want"
anchor ec.test. "$want"
code=$(curl -s -o "$T/ec2.out" -w '%{http_code}' -X POST -H "Authorization: Bearer $TOK" \
  -H 'Content-Type: application/json' --data-binary "@$T/ec.json" \
  "http://127.0.0.1:$APORT/api/v1/domains/ec.test./dnssec/import")
# Bad requests: 400 (403 without the scope), nothing stored.
RO=$(ctl token create --name reader --scopes dnssec:read)
before=$(db_sum)
post_code() { # post_code TOKEN BODY: the status of POST ed.test.'s .../dnssec/import
  curl -s -o "$T/bad.out" -w '%{http_code}' -X POST -H "Authorization: Bearer $1" \
    -H 'Content-Type: application/json' --data-binary "$2" \
    "http://127.0.0.1:$APORT/api/v1/domains/ed.test./dnssec/import"
}
check "API: unknown field 400" test "$(post_code "$TOK" '{"keys": [], "extra": 1}')" = 400
check "API: empty keys 400" test "$(post_code "$TOK" '{"keys": []}')" = 400
check "API: bad role 400" test "$(post_code "$TOK" '{"keys": [{"role": "xsk", "private_key": "x"}]}')" = 400
check "API: garbage key 400 naming the key" test "$(post_code "$TOK" '{"keys": [{"role": "csk", "private_key": "Private-key-format: v1.2\nAlgorithm: 13 (ECDSAP256SHA256)\nPrivateKey: AAAA\n"}]}')" = 400
check "API: ... with a clear message" jq -e '.error | test("key 1 \\(csk\\): malformed private key")' "$T/bad.out"
check "API: without dnssec:enable 403" test "$(post_code "$RO" "$(cat "$T/ec.json")")" = 403
[ "$(db_sum)" = "$before" ] && ok "API refusals left the keystore unchanged" ||
  bad "API refusals left the keystore unchanged"
check "ec.test.: a second import is 409 naming the status" jq -e '.code == 409 and .status == "pending_ds"' "$T/ec2.out"

# --- algorithm 15 from an OpenSSL PEM key, as a CSK ---------------------------------------
openssl genpkey -algorithm ed25519 -out "$T/keys/ed.pem" 2>/dev/null
pub=$(openssl pkey -in "$T/keys/ed.pem" -pubout -outform DER | tail -c 32 | base64)
echo "ed.test. 300 IN DNSKEY 257 3 15 $pub" >"$T/keys/ed.dnskey"
want=$(dnssec-dsfromkey -2 -f "$T/keys/ed.dnskey" ed.test. | awk '{ print $(NF-3), $(NF-2), $(NF-1), toupper($NF) }')
ctl dnssec import ed.test. "csk:$T/keys/ed.pem" --ds-published >"$T/ed.out"
check "ed.test.: DS equals dnssec-dsfromkey's of OpenSSL's public key ($want)" \
  test "$(our_ds ed.test.)" = "$want"
check "ed.test.: a ZSK pre-published to split the CSK" grep -q "pre-published" "$T/ed.out"
anchor ed.test. "$want"

# --- served by PowerDNS, validated by delv trusting only BIND's DS -------------------------
backend_start
pdns_conf "$(free_port)" cache-ttl=0 query-cache-ttl=0 negquery-cache-ttl=0
pdns_start
check "rsa.test.: PowerDNS serves tags $(tag_of "$RK") and $(tag_of "$RZ")" \
  test "$(served_tags rsa.test.)" = "$(printf '%s\n' "256 $(tag_of "$RZ")" "257 $(tag_of "$RK")" | sort | tr '\n' ' ')"
check "ec.test.: PowerDNS serves the imported keys" \
  grep -q "$(cut -d' ' -f7- "$T/keys/$EK.key" | tr -d ' ' | cut -c1-20)" <<<"$(q ec.test. DNSKEY +short | tr -d ' ')"
check "ed.test.: PowerDNS serves the PEM key" grep -q "257 3 15 $pub" <<<"$(q ed.test. DNSKEY +short)"
for z in rsa.test. ec.test. ed.test.; do
  for nt in "www.$z A" "$z DNSKEY" "nope.$z A" "$z SOA"; do
    # shellcheck disable=SC2086
    out=$(dv "$z" $nt)
    if grep -q "fully validated" <<<"$out"; then ok "$z: delv $nt fully validated"
    else bad "$z: delv $nt"; echo "$out" | head -5; fi
  done
done
finish
