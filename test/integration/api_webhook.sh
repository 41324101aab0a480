#!/usr/bin/env bash
# api_webhook.sh - notifications: a local receiver (python3 http.server on loopback) records
# every POST and checks its HMAC with the secret. enable -> a signed ds_to_publish; disable ->
# ds_to_remove; a receiver answering 500 twice -> delivered on the 3rd attempt, 1 s then 2 s
# later; receiver down across a restart of scaidns-api -> the event still arrives (outbox in
# the keystore); a secret file readable by others -> scaidns-api refuses to start.
set -euo pipefail
. "${SCAIDNS_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}/test/integration/lib/api.sh"
api_init

SECRET=$T/hook.secret
printf 'test-hook-secret\n' >"$SECRET"
chmod 600 "$SECRET"
HOOK_PORT=$(api_free_port)
RECV_LOG=$T/received.jsonl
STATUSES=$T/statuses # one status per line, used up in order; 200 when empty
: >"$RECV_LOG"
: >"$STATUSES"
cat >>"$CONF" <<CONF
webhook-url=http://127.0.0.1:$HOOK_PORT/hook
webhook-secret-file=$SECRET
webhook-retries=5
webhook-timeout=2000
CONF

cat >"$T/receiver.py" <<'PY'
import hashlib, hmac, http.server, json, sys, time
port, log, statuses, secret = int(sys.argv[1]), sys.argv[2], sys.argv[3], open(sys.argv[4], 'rb').read().rstrip(b'\r\n')
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
        want = 'sha256=' + hmac.new(secret, body, hashlib.sha256).hexdigest()
        lines = open(statuses).read().split()
        status = int(lines[0]) if lines else 200
        open(statuses, 'w').write('\n'.join(lines[1:]))
        rec = {'t': time.time(), 'path': self.path, 'status': status,
               'event': self.headers.get('X-Scaidns-Event'),
               'delivery': self.headers.get('X-Scaidns-Delivery'),
               'ctype': self.headers.get('Content-Type'),
               'sig_ok': hmac.compare_digest(want, self.headers.get('X-Scaidns-Signature', '')),
               'body': json.loads(body)}
        with open(log, 'a') as f:
            f.write(json.dumps(rec) + '\n')
        self.send_response(status)
        self.send_header('Content-Length', '0')
        self.end_headers()
    def log_message(self, *a):
        pass
http.server.HTTPServer(('127.0.0.1', port), H).serve_forever()
PY
RECV_PID=
recv_start() {
  python3 "$T/receiver.py" "$HOOK_PORT" "$RECV_LOG" "$STATUSES" "$SECRET" &
  RECV_PID=$!
  API_PIDS+=("$RECV_PID")
  for _ in $(seq 100); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $HOOK_PORT), 0.2)" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "FAIL: the receiver did not start"; exit 1
}
recv_stop() { kill "$RECV_PID" 2>/dev/null || true; wait "$RECV_PID" 2>/dev/null || true; }

# jqq ARGS...: jq without output (for check).
jqq() { jq "$@" >/dev/null; }

# wait_for SECONDS JQ-FILTER: waits until a received request (one JSON per line) matches.
wait_for() {
  local end=$((SECONDS + $1))
  while [ $SECONDS -le "$end" ]; do
    if jq -e -s "any(.[]; $2)" "$RECV_LOG" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  return 1
}

recv_start
TOK=$(api_token ops zones:read,zones:write,dnssec:read,dnssec:enable,dnssec:disable,dnssec:rotate)
api_start

# --- enable -> a signed ds_to_publish ----------------------------------------------------
expect 201 POST /api/v1/domains "$TOK" '{"name":"a.example"}'
expect 200 POST /api/v1/domains/a.example/dnssec/enable "$TOK"
check "ds_to_publish for a.example arrives, signed" wait_for 10 \
  '.event == "ds_to_publish" and .body.zone == "a.example." and .sig_ok and .status == 200'
check "its body: event, at, message, DS records, ds_publish_after, JSON content type" \
  jqq -e -s 'map(select(.body.zone == "a.example." and .event == "ds_to_publish"))[0] |
    .path == "/hook" and .ctype == "application/json" and .body.event == "ds_to_publish" and
    (.body.at | test("^[0-9-]{10}T[0-9:]{8}Z$")) and (.body.message | length > 0) and
    (.body.ds_records | length >= 2) and (.body.ds_records[0].ds | test(" DS ")) and
    has("body") and (.body | has("ds_publish_after")) and (.delivery | test("^[0-9]+$"))' "$RECV_LOG"
check "the row is marked delivered" test \
  "$(sqlite3 "$DB" "SELECT count(*) FROM webhook_outbox WHERE zone = 'a.example.' AND delivered_at IS NOT NULL AND attempts = 1")" = 1
# The event carries the audit head (a copy outside the keystore): the keyed hash of the
# enable's own audit row.
HEAD=$(jq -s -r 'map(select(.body.zone == "a.example." and .event == "ds_to_publish"))[0].body.audit_head | "\(.seq) \(.hash)"' "$RECV_LOG")
check "ds_to_publish carries the audit head of the enable's row ($HEAD)" test \
  "$(sqlite3 "$DB" "SELECT id || ' ' || hash FROM audit WHERE zone = 'a.example.' AND action = 'dnssec-enable'")" = "$HEAD"
check "a keyed one" bash -c "[[ '$HEAD' == *' k1:'* ]]"

# --- disable -> ds_to_remove -------------------------------------------------------------
expect 200 POST /api/v1/domains/a.example/dnssec/disable "$TOK"
check "ds_to_remove for a.example arrives with the DS to remove" wait_for 10 \
  '.event == "ds_to_remove" and .body.zone == "a.example." and .sig_ok and (.body.ds_records | length >= 2)'

# --- 500, 500, then 200: delivered on the 3rd attempt, 1 s then 2 s apart -----------------
printf '500\n500\n' >"$STATUSES"
expect 201 POST /api/v1/domains "$TOK" '{"name":"b.example"}'
expect 200 POST /api/v1/domains/b.example/dnssec/enable "$TOK"
check "b.example's ds_to_publish is accepted at last" wait_for 15 \
  '.body.zone == "b.example." and .status == 200'
jq -s -c '[.[] | select(.body.zone == "b.example.")]' "$RECV_LOG" >"$T/b.json"
check "three attempts, the same delivery id, all signed: $(cat "$T/b.json")" jqq -e \
  'length == 3 and (map(.status) == [500, 500, 200]) and (map(.delivery) | unique | length == 1) and all(.[]; .sig_ok)' "$T/b.json"
check "gaps grow: ~1 s then ~2 s: $(jq -c '[.[1].t - .[0].t, .[2].t - .[1].t]' "$T/b.json")" jqq -e \
  '(.[1].t - .[0].t) >= 0.9 and (.[2].t - .[1].t) >= 1.9 and (.[2].t - .[1].t) > (.[1].t - .[0].t)' "$T/b.json"
check "the outbox row says 3 attempts, delivered" test \
  "$(sqlite3 "$DB" "SELECT attempts || ' ' || (delivered_at IS NOT NULL) FROM webhook_outbox WHERE zone = 'b.example.'")" = "3 1"

# --- receiver down, scaidns-api restarted, receiver up: the event still arrives -----------
recv_stop
expect 201 POST /api/v1/domains "$TOK" '{"name":"c.example"}'
expect 200 POST /api/v1/domains/c.example/dnssec/enable "$TOK"
sleep 1.5
api_stop
check "c.example's event waits in the keystore, undelivered" test \
  "$(sqlite3 "$DB" "SELECT count(*) FROM webhook_outbox WHERE zone = 'c.example.' AND delivered_at IS NULL AND attempts >= 1 AND last_error <> ''")" = 1
api_start
recv_start
check "after the restart c.example's ds_to_publish arrives" wait_for 20 \
  '.body.zone == "c.example." and .event == "ds_to_publish" and .sig_ok and .status == 200'
check "and is marked delivered" test \
  "$(sqlite3 "$DB" "SELECT count(*) FROM webhook_outbox WHERE zone = 'c.example.' AND delivered_at IS NOT NULL")" = 1

# --- a secret readable by others: refused at start ---------------------------------------
chmod 644 "$SECRET"
rc=0
timeout 10 "$BIN/scaidns-api" --config "$CONF" --api-listen="127.0.0.1:$(api_free_port)" \
  2>"$T/refused.log" || rc=$?
check "scaidns-api refuses a 0644 webhook-secret-file (exit $rc)" test "$rc" = 1
check "with a clear message: $(cat "$T/refused.log")" \
  grep -q "webhook-secret-file $SECRET has mode 0644: it must not be readable or writable by group or others (fix: chmod 600 $SECRET)" "$T/refused.log"
chmod 600 "$SECRET"

api_done
