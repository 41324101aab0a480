#!/usr/bin/env bash
# cli_admin.sh - the admin's way through scaidns with scaidnsctl and sqlite3 alone:
# init (and its refusal to overwrite), zone import, dnssec enable, ds (checked against
# ldns-key2ds computing from the DNSKEY that `dnssec status` shows), confirm-ds, both
# rollovers, disable, tokens (the secret alone on stdout, only a hash in the DB), the admin
# views answering "what state, which keys, what next", and audit verify.
set -euo pipefail
. "${SCAIDNS_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}/test/integration/lib/cli.sh"
cli_init cli_admin

# --- init ---------------------------------------------------------------------------------
run ctl init
check "init succeeds ($ERR)" test "$RC" = 0
check "init says what it made" contains "$OUT" "created keystore $DB"
check "the keystore is 0600" test "$(stat -c %a "$DB")" = 600
check "the seal secret is 0600" test "$(stat -c %a "$T/seal.key")" = 600
check "the seal public half exists" test -s "$T/seal.key.pub"
check "the schema is applied" test "$(q 'PRAGMA user_version')" -ge 1
check "the keystore is in WAL mode" test "$(q 'PRAGMA journal_mode')" = wal

sum=$(db_file_sum "$DB")
seal_sum=$(sha256sum "$T/seal.key" "$T/seal.key.pub")
run ctl init
check "a second init fails" test "$RC" != 0
check "a second init says why ($ERR)" contains "$ERR" "refuses to overwrite"
check "a second init leaves the keystore alone" test "$(db_file_sum "$DB")" = "$sum"
check "a second init leaves the seal keys alone" test "$(sha256sum "$T/seal.key" "$T/seal.key.pub")" = "$seal_sum"

# --key=value overrides the file: another db path that does not exist.
run ctl --db="$T/other.db" zone list
check "--db= overrides the configuration file" test "$RC" != 0
check "... and names the file it looked for ($ERR)" contains "$ERR" "$T/other.db"

# --- zone import --------------------------------------------------------------------------
cat >"$T/example.zone" <<'EOF'
$TTL 300
@       IN SOA ns1.example.com. hostmaster.example.com. ( 2024060101 3600 600 86400 300 )
@       IN NS  ns1
@       IN NS  ns2.example.net.
ns1     IN A   192.0.2.53
www     IN A   192.0.2.80
www     IN AAAA 2001:db8::80
@       IN MX  10 mail
mail    IN A   192.0.2.25
*.apps  IN A   192.0.2.99
@       IN TXT "v=spf1 mx -all"
EOF
run ctl zone import Example.COM "$T/example.zone"
check "zone import succeeds ($ERR)" test "$RC" = 0
check "zone import prints the id and the canonical name ($OUT)" \
    grep -Eq '^d_[0-9a-f]{16} example\.com\.$' <<<"$OUT"
zone_id=${OUT%% *}
check "every RRset is stored" test "$(q "SELECT count(*) FROM rrsets s JOIN zones z ON z.id = s.zone_id WHERE z.name = 'example.com.'")" = 9
check "relative names are made absolute" test "$(q "SELECT r.content FROM records r JOIN rrsets s ON s.id = r.rrset_id WHERE s.type = 'MX'")" = "10 mail.example.com."
check "the SOA is kept" contains "$(q "SELECT r.content FROM records r JOIN rrsets s ON s.id = r.rrset_id WHERE s.type = 'SOA'")" " 2024060101 "
run ctl zone list
check "zone list shows it, disabled ($OUT)" grep -Eq "^$zone_id +example\.com\. +disabled" <<<"$OUT"
check "the view says disabled" test "$(q "SELECT status FROM dnssec_status WHERE zone = 'example.com.'")" = disabled

# --- dnssec enable, ds, and the DS checked by ldns ---------------------------------------
run ctl dnssec enable example.com
check "dnssec enable succeeds ($ERR)" test "$RC" = 0
check "enable prints DS records to publish ($OUT)" grep -Eq '^example\.com\. IN DS [0-9]+ 13 2 [0-9A-F]{64}$' <<<"$OUT"

run ctl dnssec status example.com
check "dnssec status succeeds ($ERR)" test "$RC" = 0
status_json=$OUT
check "status JSON parses" jq -e . <<<"$status_json" >/dev/null
check "status: enabled, pending_ds, algorithm 13" test "$(jq -c '[.enabled, .status, .algorithm]' <<<"$status_json")" = '[true,"pending_ds",13]'
check "status: one KSK and one ZSK, both active" test "$(jq -c '[(.ksk | length), (.zsk | length), .ksk[0].active, .zsk[0].active, .ksk[0].key_type, .zsk[0].key_type]' <<<"$status_json")" = '[1,1,true,true,"KSK","ZSK"]'
check "status: the reference's key fields" jq -e '.ksk[0] | (.key_tag | type) == "number" and (.public_key | type) == "string" and (.created_at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$")) and (.expires_at | type) == "string" and .algorithm == 13' <<<"$status_json" >/dev/null
check "status: domain_id is the zone's id" test "$(jq -r .domain_id <<<"$status_json")" = "$zone_id"
check "status: DS records of digest types 2 and 4" test "$(jq -c '[.ds_records[].digest_type] | sort' <<<"$status_json")" = '[2,4]'

ksk_tag=$(jq -r '.ksk[0].key_tag' <<<"$status_json")
ksk_pub=$(jq -r '.ksk[0].public_key' <<<"$status_json")
mkdir "$T/ldns"
echo "example.com. 3600 IN DNSKEY 257 3 13 $ksk_pub" >"$T/ldns/ksk.key"
ldns2=$( (cd "$T/ldns" && ldns-key2ds -n -2 ksk.key) | awk '{print $(NF-3), $(NF-2), $(NF-1), toupper($NF)}')
ldns4=$( (cd "$T/ldns" && ldns-key2ds -n -4 ksk.key) | awk '{print $(NF-3), $(NF-2), $(NF-1), toupper($NF)}')
check "ldns computed a DS" grep -Eq "^$ksk_tag 13 2 [0-9A-F]{64}$" <<<"$ldns2"

run ctl ds example.com
check "ds succeeds ($ERR)" test "$RC" = 0
check "ds prints two lines" test "$(wc -l <<<"$OUT")" = 2
ours=$(awk '{print $(NF-3), $(NF-2), $(NF-1), $NF}' <<<"$OUT")
check "our SHA-256 DS equals ldns-key2ds's (ours: $ours; ldns: $ldns2)" grep -qxF "$ldns2" <<<"$ours"
check "our SHA-384 DS equals ldns-key2ds's (ours: $ours; ldns: $ldns4)" grep -qxF "$ldns4" <<<"$ours"
check "the JSON's DS equals ldns-key2ds's" test "$(jq -r '.ds_records[] | select(.digest_type == 2) | "\(.key_tag) \(.algorithm) \(.digest_type) \(.digest)"' <<<"$status_json")" = "$ldns2"

# --- the admin views ------------------------------------------------------------------------
check "dnssec_status: pending_ds, one KSK, one ZSK" test "$(q "SELECT status, ksks, zsks FROM dnssec_status WHERE zone = 'example.com.'")" = "pending_ds|1|1"
check "dnssec_keys: both keys published and active" test "$(q "SELECT role, key_tag, published, active FROM dnssec_keys WHERE zone = 'example.com.' ORDER BY role")" = "KSK|$ksk_tag|1|1
ZSK|$(jq -r '.zsk[0].key_tag' <<<"$status_json")|1|1"
check "dnssec_keys: the KSK's DS is submitted, not yet seen" test "$(q "SELECT ds_submitted IS NOT NULL, ds_seen IS NULL FROM dnssec_keys WHERE zone = 'example.com.' AND role = 'KSK'")" = "1|1"
check "no private key in clear in the keystore" test -z "$(sqlite3 "$DB" .dump | grep -i 'private-key-format' || true)"

# --- confirm-ds with the DS the parent got ------------------------------------------------
ds_line=$(grep ' 13 2 ' <<<"$OUT")
run ctl dnssec confirm-ds example.com "$ds_line"
check "confirm-ds with the right DS succeeds ($ERR)" test "$RC" = 0
check "the zone is active" test "$(q "SELECT status FROM dnssec_status WHERE zone = 'example.com.'")" = active
check "status JSON says active" test "$(ctl dnssec status example.com | jq -r .status)" = active

# --- ZSK rollover -------------------------------------------------------------------------
run ctl dnssec rotate-zsk example.com
check "rotate-zsk succeeds ($ERR)" test "$RC" = 0
check "the zone is rotating_zsk with two ZSKs" test "$(q "SELECT status, zsks FROM dnssec_status WHERE zone = 'example.com.'")" = "rotating_zsk|2"
check "the new ZSK is published, not active" test "$(q "SELECT count(*) FROM dnssec_keys WHERE zone = 'example.com.' AND role = 'ZSK' AND published AND NOT active")" = 1
check "the view names the next step: the new ZSK's activation" test "$(q "SELECT s.next_step_at = k.activate FROM dnssec_status s JOIN dnssec_keys k ON k.zone = s.zone WHERE s.zone = 'example.com.' AND k.role = 'ZSK' AND NOT k.active")" = 1
check "the old ZSK has its retire and remove times" test "$(q "SELECT retire IS NOT NULL AND remove > retire FROM dnssec_keys WHERE zone = 'example.com.' AND role = 'ZSK' AND active")" = 1

# --- KSK rollover on a second zone, confirmed the lazy way (no DS given) ------------------
run ctl zone create example.org --ns ns1.example.org.,ns2.example.org. --soa-mail hostmaster.example.org.
check "zone create succeeds ($ERR)" test "$RC" = 0
check "zone create makes SOA and NS" test "$(q "SELECT group_concat(s.type, ',') FROM (SELECT s.type FROM rrsets s JOIN zones z ON z.id = s.zone_id WHERE z.name = 'example.org.' ORDER BY s.type) s")" = "NS,SOA"
run ctl dnssec enable example.org --algorithm 15
check "enable with --algorithm 15 ($ERR)" test "$RC" = 0
check "the keys are Ed25519" test "$(q "SELECT group_concat(DISTINCT algorithm) FROM dnssec_keys WHERE zone = 'example.org.'")" = 15
run ctl dnssec confirm-ds example.org
check "confirm-ds without DS confirms the current one ($ERR)" test "$RC" = 0
old_ksk=$(q "SELECT key_id FROM dnssec_keys WHERE zone = 'example.org.' AND role = 'KSK'")
run ctl dnssec rotate-ksk example.org
check "rotate-ksk succeeds ($ERR)" test "$RC" = 0
check "rotate-ksk prints the DS to publish ($OUT)" grep -Eq '^example\.org\. IN DS [0-9]+ 15 2 ' <<<"$OUT"
check "the zone is rotating_ksk with two KSKs" test "$(q "SELECT status, ksks FROM dnssec_status WHERE zone = 'example.org.'")" = "rotating_ksk|2"
check "status JSON lists both KSKs" test "$(ctl dnssec status example.org | jq -c '[.status, (.ksk | length), ([.ksk[].active] | all)]')" = '["rotating_ksk",2,true]'
check "rotate-ksk says from when the DS may be published ($OUT)" grep -Eq 'at the parent from [0-9-]+T[0-9:]+Z on' <<<"$OUT"
run ctl dnssec confirm-ds example.org
check "confirm-ds before ds_publish_after is refused ($ERR)" test "$RC" != 0
check "the refusal names ds_publish_after ($ERR)" grep -q "ds_publish_after" <<<"$ERR"
check "the zone is still rotating_ksk" test "$(q "SELECT status FROM dnssec_status WHERE zone = 'example.org.'")" = rotating_ksk
run ctl --clock-offset=86400 dnssec confirm-ds example.org
check "confirm-ds ends the rollover once ds_publish_after has passed ($ERR)" test "$RC" = 0
check "the zone is active again" test "$(q "SELECT status FROM dnssec_status WHERE zone = 'example.org.'")" = active
check "the old KSK is scheduled for removal" test "$(q "SELECT remove IS NOT NULL FROM dnssec_keys WHERE key_id = $old_ksk")" = 1
check "the new KSK is not" test "$(q "SELECT count(*) FROM dnssec_keys WHERE zone = 'example.org.' AND role = 'KSK' AND remove IS NULL AND key_id <> $old_ksk")" = 1
check "ds now gives only the new KSK's DS" test "$(ctl ds example.org | awk '{print $4}' | sort -u)" = "$(q "SELECT key_tag FROM dnssec_keys WHERE zone = 'example.org.' AND role = 'KSK' AND key_id <> $old_ksk")"
check "the view names the next step: the old KSK's removal" test "$(q "SELECT s.next_step_at = k.remove FROM dnssec_status s JOIN dnssec_keys k ON k.zone = s.zone WHERE k.key_id = $old_ksk")" = 1

# --- tokens -------------------------------------------------------------------------------
run ctl token create --name ci --scopes dnssec:read,dnssec:enable --zones example.com
check "token create succeeds ($ERR)" test "$RC" = 0
check "token create prints the token alone on stdout ($OUT)" grep -Eqx 'scai_[A-Za-z0-9_-]{43}' <<<"$OUT"
check "token create prints one line" test "$(printf '%s\n' "$OUT" | wc -l)" = 1
token=$OUT
check "the token is not stored in clear" test -z "$(sqlite3 "$DB" .dump | grep -F "${token#scai_}" || true)"
check "the token's hash is stored" test "$(q "SELECT length(hash) FROM tokens WHERE name = 'ci'")" = 32
run ctl token list
check "token list shows it with its zone ($OUT)" grep -Eq '^ci +dnssec:read,dnssec:enable +example\.com\. +created .* revoked -$' <<<"$OUT"
check "token list does not show the secret" test -z "$(grep -F "$token" <<<"$OUT" || true)"
run ctl token create --name ci --scopes zones:read
check "a second token of the same name is refused" test "$RC" != 0
check "... on stderr, with nothing on stdout ($ERR)" test -z "$OUT" -a -n "$ERR"
run ctl token revoke ci
check "token revoke succeeds ($ERR)" test "$RC" = 0
check "token list shows it revoked" grep -Eq '^ci .* revoked [0-9]{4}-' <<<"$(ctl token list)"

# --- disable with policy cds_delete: says what happened (disabling, keys kept) ---------------
ctl dnssec policy example.org '{"cds_delete": true}' >/dev/null
keys_org=$(q "SELECT count(*) FROM dnssec_keys WHERE zone = 'example.org.'")
run ctl dnssec disable example.org
check "cds_delete disable succeeds ($ERR)" test "$RC" = 0
check "it says the zone is disabling with its keys ($OUT)" grep -q "example.org. is now disabling: CDS/CDNSKEY DELETE published, every key kept" <<<"$OUT"
check "it does not claim the keys were removed ($OUT)" bash -c "! grep -q 'all keys removed' <<<'$OUT'"
check "the zone is disabling, every key kept" test "$(q "SELECT status FROM dnssec_status WHERE zone = 'example.org.'")|$(q "SELECT count(*) FROM dnssec_keys WHERE zone = 'example.org.'")" = "disabling|$keys_org"
run ctl dnssec disable example.org
check "disable again finishes: all keys removed ($OUT)" grep -q "DNSSEC disabled on example.org.; all keys removed" <<<"$OUT"
check "the zone is disabled" test "$(q "SELECT status FROM dnssec_status WHERE zone = 'example.org.'")" = disabled

# --- disable ------------------------------------------------------------------------------
run ctl dnssec disable example.com
check "disable succeeds ($ERR)" test "$RC" = 0
check "the zone is disabled" test "$(q "SELECT status, ksks, zsks FROM dnssec_status WHERE zone = 'example.com.'")" = "disabled|0|0"
check "every key of the zone is removed and its private key wiped" test "$(q "SELECT count(*) FROM keys k JOIN zones z ON z.id = k.zone_id WHERE z.name = 'example.com.' AND (state <> 'removed' OR sealed_private IS NOT NULL)")" = 0
check "status JSON: not enabled, no keys, no DS" test "$(ctl dnssec status example.com | jq -c '[.enabled, .status, (.ksk | length), (.zsk | length), (.ds_records | length)]')" = '[false,"disabled",0,0,0]'
check "ds prints nothing for a disabled zone" test -z "$(ctl ds example.com)"

# --- audit ----------------------------------------------------------------------------------
run ctl audit verify
check "audit verify passes ($ERR)" test "$RC" = 0
check "audit verify counts the rows ($OUT)" contains "$OUT" "audit trail intact: $(q 'SELECT count(*) FROM audit') rows"
check "every change is in the audit trail" test "$(q "SELECT group_concat(action, ' ') FROM (SELECT action FROM audit WHERE zone = 'example.com.' AND outcome = 'ok' ORDER BY id)")" = "zone-import dnssec-enable dnssec-confirm-ds dnssec-rotate-zsk dnssec-disable"
check "the admin is the actor" test "$(q "SELECT DISTINCT actor FROM audit")" = scaidnsctl

# --- zone delete ----------------------------------------------------------------------------
run ctl zone delete "$zone_id"
check "zone delete by id succeeds ($ERR)" test "$RC" = 0
check "its rows are gone" test "$(q "SELECT (SELECT count(*) FROM zones WHERE name = 'example.com.') + (SELECT count(*) FROM keys WHERE zone_id NOT IN (SELECT id FROM zones)) + (SELECT count(*) FROM rrsets WHERE zone_id NOT IN (SELECT id FROM zones))")" = 0
check "the audit trail still verifies" ctl audit verify >/dev/null

echo "cli_admin: ok ($CHECKS checks)"
