#!/usr/bin/env bash
# ui_status_page.sh - the status page at /ui/ in a real browser (headless Chromium through
# chromedriver, test/integration/lib/webdriver.py): scaidns-api with a zone in rotating_zsk;
# the page is served without a token, with a strict Content-Security-Policy, logs in with a
# zone-limited read-only token typed into its prompt and must show the zone's status, both
# ZSKs on the timeline in their states, the next step with the plan's time, the DS/CDS to
# publish, and not the zone the token may not see. Then the same page through a reverse
# proxy that puts the API's Unix socket under /scaidns/ (relative URLs only). A screenshot
# is kept in $SCAIDNS_BUILD/test-artifacts/. No Chromium: FAIL (deps.sh installs it).
set -euo pipefail
. "$SCAIDNS_SRC/test/integration/lib/api.sh"
for f in /usr/bin/chromium /usr/bin/chromedriver; do
  [ -x "$f" ] || { echo "FAIL: $f is not installed (scripts/deps.sh installs chromium chromium-driver)"; exit 1; }
done
api_init
# The served-data check asks a server that does not answer: a zone whose step falls due is
# held (served-check / waiting), which the page must say.
DEAD=$(api_free_port)
cat >>"$CONF" <<CONF
api-socket=$T/api.sock
served-check=yes
auth-servers=127.0.0.1:$DEAD
scheduler-interval=1
CONF
ART=${SCAIDNS_BUILD:-$T}/test-artifacts
mkdir -p "$ART"
ADMIN=$(api_token admin zones:read,zones:write,dnssec:read,dnssec:enable,dnssec:rotate)
api_start
D=/api/v1/domains

# --- the page's files: no token, CSP, relative redirect, 404 for others ------------------
for p in /ui/ /ui/ui.js /ui/ui.css; do
  expect 200 GET "$p"
  csp=$(hdr Content-Security-Policy)
  check "$p has a strict CSP (got: $csp)" grep -q "default-src 'none'; script-src 'self'; style-src 'self';.*connect-src 'self'" <<<"$csp"
  check "$p is not sniffed" test "$(hdr X-Content-Type-Options)" = nosniff
done
expect 200 GET /ui/
check "index.html is text/html" grep -q '^text/html' <<<"$(hdr Content-Type)"
check "the page has no inline script" bash -c "! grep -Eq '<script>|<script [^>]*>[^<]' '$OUT'"
check "the page has no inline style" bash -c "! grep -Eiq '<style|style=' '$OUT'"
check "the page holds no data" bash -c "! grep -q 'example' '$OUT'"
check "the page uses relative URLs only" bash -c "! grep -Eq '(src|href)=\"(/|http)' '$OUT'"
check "the script uses relative URLs only" bash -c "curl -s '$URL/ui/ui.js' | grep -q 'const API = \"../api/v1/\"' && ! curl -s '$URL/ui/ui.js' | grep -Eq 'fetch\\(\"/|\"/api/'"
expect 200 GET /ui/ui.js
check "ui.js is JavaScript" grep -q '^text/javascript' <<<"$(hdr Content-Type)"
expect 301 GET /ui
check "/ui redirects to ui/ (relative)" test "$(hdr Location)" = "ui/"
expect 404 GET /ui/nothing.js
expect 404 GET /ui/..%2Fscaidns.conf
expect 405 POST /ui/
expect 401 GET "$D"

# --- a zone in rotating_zsk, another one the page's token may not see ------------------
# Enabled 90 minutes ago (the API's clock set back), so that the timeline has a past.
api_stop
api_start --clock-offset=-5400
expect 201 POST "$D" "$ADMIN" '{"name": "ui.example", "ns": ["ns1.ui.example."]}'
expect 201 POST "$D" "$ADMIN" '{"name": "other.example"}'
expect 200 POST "$D/ui.example./dnssec/enable" "$ADMIN" '{"algorithm": 13}'
DS=$(jq -c .ds_records "$OUT")
api_stop
api_start --clock-offset=-3600
expect 200 POST "$D/ui.example./dnssec/confirm-ds-published" "$ADMIN" "{\"ds_records\": $DS}"
api_stop
api_start
expect 200 POST "$D/ui.example./dnssec/rotate-zsk" "$ADMIN"
expect 200 GET "$D/ui.example./dnssec" "$ADMIN"
jcheck "the zone is rotating its ZSK" '.status == "rotating_zsk" and (.zsk | length == 2)'
cp "$OUT" "$T/state.json"
expect 200 GET "$D/ui.example./dnssec/plan" "$ADMIN"
cp "$OUT" "$T/plan.json"
jq -n --slurpfile s "$T/state.json" --slurpfile p "$T/plan.json" '
  ($s[0]) as $s | ($p[0].steps | sort_by(.at_unix)) as $steps | {
  zone: "ui.example.", status: $s.status, hidden: ["other.example."],
  held: {zone: "wait.example.", text: "served-check waiting", server: "127.0.0.1"},
  zsk: ($s.zsk | map({key: (.key_tag | tostring), value: .state}) | from_entries),
  ksk: ($s.ksk | map({key: (.key_tag | tostring), value: .state}) | from_entries),
  new_zsk: ($s.zsk[] | select(.state == "published") | .key_tag | tostring),
  old_zsk: ($s.zsk[] | select(.state == "active") | .key_tag | tostring),
  next_at: $steps[0].at, next_step: $steps[0].step,
  ds: [$s.ds_records[].ds]}' >"$T/expect.json"
check "both ZSKs expected (published and active)" jq -e '.zsk | to_entries | map(.value) | sort == ["active", "published"]' "$T/expect.json" >/dev/null

# A zone with waits of a second: its first step (the KSK's DS ready) falls due at once and
# is held by the served-data check.
expect 201 POST "$D" "$ADMIN" '{"name": "wait.example", "ns": ["ns1.wait.example."], "ttl": 1}'
expect 200 PUT "$D/wait.example./dnssec/policy" "$ADMIN" \
  '{"dnskey_ttl": 1, "propagation_delay": 0, "publish_safety": 0, "retire_safety": 0}'
expect 200 POST "$D/wait.example./dnssec/enable" "$ADMIN" '{"algorithm": 13}'
for _ in $(seq 60); do
  call GET "$D/wait.example./dnssec/events" "$ADMIN"
  jq -e '[.events[] | select(.action == "served-check" and .outcome == "waiting")] | length > 0' "$OUT" >/dev/null && break
  sleep 0.5
done
jcheck "wait.example is held by the served-data check" '[.events[] | select(.action == "served-check" and .outcome == "waiting")] | length > 0'

READER=$(api_token viewer zones:read,dnssec:read ui.example,wait.example)
echo "--- the page on $URL/ui/"
if python3 "$SRC/test/integration/lib/ui_check.py" "$URL/ui/" "$READER" "$T/expect.json" \
  "$ART/ui_status_page.png" >"$T/ui1.out" 2>&1; then ok; else bad "the status page (see above)"; fi
cat "$T/ui1.out"

# --- the same page on the API's Unix socket, behind a proxy under /scaidns/ -------------
PPORT=$(api_free_port)
python3 "$SRC/test/integration/lib/unix_proxy.py" "$PPORT" /scaidns "$T/api.sock" 2>"$T/proxy.log" &
API_PIDS+=($!)
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PPORT/scaidns/healthz" && break; sleep 0.1; done
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PPORT/scaidns/ui")
check "/scaidns/ui redirects through the proxy (got $code)" test "$code" = 301
echo "--- the page on the Unix socket, at http://127.0.0.1:$PPORT/scaidns/ui/"
if python3 "$SRC/test/integration/lib/ui_check.py" "http://127.0.0.1:$PPORT/scaidns/ui/" "$READER" \
  "$T/expect.json" >"$T/ui2.out" 2>&1; then ok; else bad "the status page behind /scaidns/ on the Unix socket"; fi
cat "$T/ui2.out"

oas_verify
echo "$((CHECKS - FAILS)) passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
