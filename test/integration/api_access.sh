#!/usr/bin/env bash
# api_access.sh - what a token limited to some zones, and a user not allowed on the API's
# Unix socket, can get from scaidns-api.
#   - A token limited to a.example, guessing another zone (b.example, DNSSEC enabled) by
#     name, in other case, percent-encoded or by its d_ id, gets on every route that names a
#     zone (every one in openapi.json) word for word the 404 of a zone that does not exist;
#     the bulk enable answers 404 for it too; nothing in the keystore changes (dump and
#     audit) and b.example's DNSSEC state stays as it was. The same token still works on
#     a.example, so the 404s are not a broken token.
#   - api-socket-allowed-uids=root: nobody (the socket 0666, so only SO_PEERCRED stops it)
#     is closed without an answer, even with a valid token, and the API logs its uid and pid;
#     root is served. The default (*) lets nobody in, and the token then decides (401).
set -euo pipefail
. "${SCAIDNS_SRC:-$(dirname "$0")/../..}/test/integration/lib/api.sh"

api_init
ALL=dnssec:read,dnssec:enable,dnssec:disable,dnssec:rotate,zones:read,zones:write,tsig:read,tsig:write
TOK=$(api_token ops "$ALL")
ONLY_A=$(api_token only-a "$ALL" a.example)
chmod 711 "$T" # nobody may reach the API socket by its name below, nothing else
SOCK=$T/api.sock
api_start --api-socket="$SOCK" --api-socket-mode=0666 --api-socket-allowed-uids=root
D=/api/v1/domains

expect 201 POST "$D" "$TOK" '{"name": "a.example"}'
expect 201 POST "$D" "$TOK" '{"name": "b.example"}'
BID=$(jf .id)
expect 200 POST "$D/b.example/dnssec/enable" "$TOK"
DS=$(jq -c '{ds_records: [.ds_records[0] | {key_tag, algorithm, digest_type, digest}]}' "$OUT")
expect 200 GET "$D/a.example/dnssec" "$ONLY_A"
expect 200 GET "$D" "$ONLY_A"
jcheck "only-a lists a.example alone" '[.domains[].name] == ["a.example."]'
expect 200 GET "$D/b.example/dnssec" "$TOK"
B_STATE=$(jq -c '{status, ksk, zsk, ds_records}' "$OUT")
SUM=$(db_sum)
AUDIT=$(sqlite3 "$DB" 'SELECT count(*) FROM audit')

# Every route of the OpenAPI document that names a zone, with a body it would accept.
mapfile -t ROUTES < <(jq -r '.paths | to_entries[] | select(.key | test("[{](domain_id|zone)[}]")) |
  .key as $p | .value | keys[] | select(test("^(get|put|post|delete|patch)$")) | "\(ascii_upcase) \($p)"' \
  "$SRC/api/openapi.json")
check "the OpenAPI document names 19 zone routes (${#ROUTES[@]})" test "${#ROUTES[@]}" -ge 19
GUESSES=(b.example B.EXAMPLE. b%2eexample "$BID")
for r in "${ROUTES[@]}"; do
  method=${r%% *}
  pattern=${r#* }
  body=
  case "$method $pattern" in
  PATCH*) body='{"enabled": false}' ;;
  *rrsets/*) body='{"ttl": 300, "records": ["192.0.2.66"]}' ;;
  *confirm-ds-published) body=$DS ;;
  *dnssec/policy) body='{"zsk_lifetime": 86400}' ;;
  POST*) body='{}' ;;
  esac
  path() { local p=${pattern//\{domain_id\}/$1}; p=${p//\{zone\}/$1}; p=${p//\{name\}/www}; echo "${p//\{type\}/A}"; }
  expect 404 "$method" "$(path nope.example)" "$ONLY_A" "$body"
  WANT=$(jq -cS . "$OUT")
  for g in "${GUESSES[@]}"; do
    expect 404 "$method" "$(path "$g")" "$ONLY_A" "$body"
    check "$method $(path "$g"): answered like an unknown zone ($(head -c 200 "$OUT"))" \
      test "$(jq -cS . "$OUT")" = "$WANT"
  done
done
expect 200 POST /api/v1/dnssec/enable "$ONLY_A" "{\"zones\": [\"b.example\", \"$BID\", \"nope.example\"]}"
jcheck "the bulk enable: 404 for every zone outside the list" \
  '[.results[] | .status == 404 and .error == "domain not found"] == [true, true, true]'
check "nothing changed in the keystore" test "$(db_sum)" = "$SUM"
check "no audit row was written" test "$(sqlite3 "$DB" 'SELECT count(*) FROM audit')" = "$AUDIT"
expect 200 GET "$D/b.example/dnssec" "$TOK"
check "b.example's DNSSEC state is as it was" test "$(jq -c '{status, ksk, zsk, ds_records}' "$OUT")" = "$B_STATE"

# --- the API's Unix socket: SO_PEERCRED -------------------------------------------------------
ucode() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 --unix-socket "$SOCK" "$@" || true; }
check "root is served on the socket" test "$(ucode http://localhost/healthz)" = 200
check "root with the token too" test "$(ucode -H "Authorization: Bearer $TOK" http://localhost$D)" = 200
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
  NOBODY=$(id -u nobody)
  as_nobody() { setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$@"; }
  check "nobody gets no answer" test "$(as_nobody bash -c "$(declare -f ucode); SOCK=$SOCK ucode http://localhost/healthz")" = 000
  check "nobody gets no answer with a valid token either" test \
    "$(as_nobody bash -c "$(declare -f ucode); SOCK=$SOCK ucode -H 'Authorization: Bearer $TOK' http://localhost$D")" = 000
  check "the refusals are logged with uid and pid: $(grep refused "$API_LOG" || true)" test \
    "$(grep -cE "^scaidns-api: warning: refused a connection to api-socket from uid $NOBODY pid [0-9]+: not in api-socket-allowed-uids$" "$API_LOG")" = 2
  check "root is still served" test "$(ucode http://localhost/healthz)" = 200
  api_stop
  api_start --api-socket="$SOCK" --api-socket-mode=0666
  check "by default (*) nobody reaches the API" test \
    "$(as_nobody bash -c "$(declare -f ucode); SOCK=$SOCK ucode http://localhost/healthz")" = 200
  check "where the token decides" test \
    "$(as_nobody bash -c "$(declare -f ucode); SOCK=$SOCK ucode http://localhost$D")" = 401
else
  echo "note: not root or no setpriv/nobody: the socket checks across uids are not run" >&2
fi
api_done
