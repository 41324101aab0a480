#!/usr/bin/env bash
# cli_audit_anchor.sh - the audit trail cannot be cut or rewritten unseen (issue 17, item 4),
# with rows written by a real scaidns-api and by scaidnsctl:
#   - `scaidnsctl init` makes the audit key and the anchor; every row is keyed, every head
#     anchored; `audit verify` says intact, with the counts;
#   - on copies of that keystore (same key, a copy of the anchor): the newest rows deleted ->
#     "3 rows missing after sequence S"; a row edited with sqlite3 and the chain recomputed
#     without the key (lib/audit_rewrite.py) -> "row S altered"; a row deleted in the middle
#     -> "1 row missing after sequence S"; the anchor deleted as well -> refused;
#   - the control: the same rewrite against a keystore without key and anchor (as before
#     issue 17) passes verify, so the rewrite is a real one;
#   - upgrading that older keystore: scaidns-api starts with a warning naming
#     `scaidnsctl audit init-key`; after it, the running API keys its next rows (no restart)
#     and the trail verifies.
set -euo pipefail
. "${SCAIDNS_SRC:-$(dirname "$0")/../..}/test/integration/lib/api.sh"

api_init
TOK=$(api_token ops zones:read,zones:write,dnssec:read,dnssec:enable)
api_start --threads=2
D=/api/v1/domains
for z in a b c; do expect 201 POST "$D" "$TOK" "{\"name\":\"$z.example\"}"; done
expect 200 POST "$D/a.example/dnssec/enable" "$TOK"
ctl token create --name second --scopes zones:read >/dev/null
expect 200 POST "$D/b.example/dnssec/enable" "$TOK"
N=$(sqlite3 "$DB" 'SELECT max(id) FROM audit')
check "rows were written ($N)" test "$N" -ge 6
check "the audit key is 0600 beside the seal key" test "$(stat -c %a "$T/seal.key.audit")" = 600
check "every row is keyed" test "$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE hash NOT LIKE 'k1:%'")" = 0
check "the key is not in the keystore" bash -c "! sqlite3 '$DB' .dump | grep -qi \"\$(cat '$T/seal.key.audit')\""
check "the anchor's last line is the head ($(tail -1 "$DB.anchor"))" test \
  "$(tail -1 "$DB.anchor")" = "$(sqlite3 "$DB" "SELECT id || ' ' || hash FROM audit WHERE id = $N")"
out=$(ctl audit verify)
check "verify: intact, all keyed, anchored to the head ($out)" \
  grep -qF "audit trail intact: $N rows ($N keyed; the anchor $DB.anchor holds heads up to sequence $N)" <<<"$out"

# tampered NAME SQL [REWRITE_FROM]: on a copy of the keystore and the anchor, runs SQL (and
# the keyless rewrite from row REWRITE_FROM), then verify; sets $RC and $ERR.
tampered() {
  local c=$T/copy-$1
  mkdir "$c"
  sqlite3 "$DB" ".backup '$c/k.db'"
  chmod 600 "$c/k.db"
  cp -p "$DB.anchor" "$c/k.db.anchor"
  sqlite3 "$c/k.db" "$2"
  [ -z "${3:-}" ] || python3 "$SRC/test/integration/lib/audit_rewrite.py" "$c/k.db" "$3" >/dev/null
  RC=0
  ERR=$(ctl --db="$c/k.db" audit verify 2>&1) || RC=$?
}
tampered cut "DELETE FROM audit WHERE id > $((N - 3))"
check "truncation: verify fails ($RC)" test "$RC" = 1
check "truncation: '3 rows missing after sequence $((N - 3))' ($ERR)" \
  grep -qF "3 rows missing after sequence $((N - 3))" <<<"$ERR"
tampered edit "UPDATE audit SET outcome = 'refused' WHERE id = 3" 3
check "edited and recomputed without the key: verify fails ($RC)" test "$RC" = 1
check "edited: 'row 3 altered' ($ERR)" grep -qF "row 3 altered" <<<"$ERR"
tampered middle "DELETE FROM audit WHERE id = 4"
check "a row deleted in the middle: verify fails ($RC)" test "$RC" = 1
check "middle: '1 row missing after sequence 3' ($ERR)" grep -qF "1 row missing after sequence 3" <<<"$ERR"
tampered middle2 "DELETE FROM audit WHERE id = 4" 4
check "deleted and the chain recomputed without the key: verify fails ($RC: $ERR)" test "$RC" = 1
tampered noanchor "DELETE FROM audit WHERE id > $((N - 1))"
rm "$T/copy-noanchor/k.db.anchor"
RC=0
ERR=$(ctl --db="$T/copy-noanchor/k.db" audit verify 2>&1) || RC=$?
check "the anchor removed too: verify fails ($RC)" test "$RC" = 1
check "and says the anchor is missing ($ERR)" grep -qF "is missing" <<<"$ERR"
check "the real trail still verifies" ctl audit verify

# --- the control, and the upgrade of a keystore from before the audit key ----------------
api_stop
L=$T/legacy
mkdir "$L"
LCONF=$L/scaidns.conf
sed "s|$T/|$L/|g" "$CONF" >"$LCONF"
lctl() { "$BIN/scaidnsctl" --config "$LCONF" "$@"; }
lctl init >/dev/null
rm "$L/seal.key.audit" "$L/scaidns.db.anchor" # as a keystore made before issue 17
for z in x y z; do lctl zone create "$z.example" >/dev/null; done
check "rows without the key are plain" test "$(sqlite3 "$L/scaidns.db" "SELECT count(*) FROM audit WHERE hash LIKE 'k1:%'")" = 0
sqlite3 "$L/scaidns.db" ".backup '$L/control.db'"
chmod 600 "$L/control.db"
sqlite3 "$L/control.db" "UPDATE audit SET outcome = 'refused' WHERE id = 2"
python3 "$SRC/test/integration/lib/audit_rewrite.py" "$L/control.db" 2 >/dev/null
RC=0
ERR=$("$BIN/scaidnsctl" --config "$LCONF" --db="$L/control.db" audit verify 2>&1) || RC=$?
check "control: without key and anchor the same rewrite passes verify ($RC: $ERR)" test "$RC" = 0
# Upgrade: the API starts, warns, keeps working; init-key; the next rows are keyed.
CONF=$LCONF
DB=$L/scaidns.db
api_start --threads=2
check "the API warns that the trail is not keyed, and says what to run" \
  grep -q "audit-key $L/seal.key.audit does not exist.*scaidnsctl audit init-key" "$API_LOG"
TOK2=$(lctl token create --name ops --scopes zones:write,zones:read)
expect 201 POST "$D" "$TOK2" '{"name":"before.example"}'
out=$(lctl audit init-key)
check "init-key says what it made ($out)" grep -qF "created audit key $L/seal.key.audit" <<<"$out"
check "init-key: the key is 0600" test "$(stat -c %a "$L/seal.key.audit")" = 600
check "init-key refuses to run twice" bash -c "! '$BIN/scaidnsctl' --config '$LCONF' audit init-key 2>/dev/null"
expect 201 POST "$D" "$TOK2" '{"name":"after.example"}'
check "the running API keys its rows now" test \
  "$(sqlite3 "$DB" "SELECT hash LIKE 'k1:%' FROM audit WHERE action = 'zone-create' AND zone = 'after.example.'")" = 1
out=$(lctl audit verify)
check "the upgraded trail verifies, with 2 keyed rows ($out)" grep -qF "(2 keyed;" <<<"$out"
api_done
