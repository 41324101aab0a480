# hook.sh - a webhook receiver for integration tests: python3 http.server on loopback that
# answers 200 and appends each POST as one JSON line {t, event, sig_ok, body} to $HOOK_LOG,
# checking the HMAC signature with the secret. Source after pdns.sh (it uses $T and PIDS), then:
#   hook_prepare      picks $HOOK_PORT, writes the 0600 secret; $HOOK_CONF holds the two
#                     scaidns.conf lines (webhook-url, webhook-secret-file)
#   hook_start        starts the receiver (stopped by pdns.sh's cleanup)
#   hook_wait S JQ    waits up to S seconds for a received POST matching the jq filter
#   hook_count JQ     how many received POSTs match

hook_prepare() {
  HOOK_PORT=$(free_port)
  HOOK_SECRET=$T/hook.secret
  HOOK_LOG=$T/hook.jsonl
  printf 'integration-hook-secret\n' >"$HOOK_SECRET"
  chmod 600 "$HOOK_SECRET"
  : >"$HOOK_LOG"
  HOOK_CONF=("webhook-url=http://127.0.0.1:$HOOK_PORT/hook" "webhook-secret-file=$HOOK_SECRET")
}

hook_start() {
  cat >"$T/hook.py" <<'PY'
import hashlib, hmac, http.server, json, sys, time
port, log, secret = int(sys.argv[1]), sys.argv[2], open(sys.argv[3], 'rb').read().rstrip(b'\r\n')
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
        want = 'sha256=' + hmac.new(secret, body, hashlib.sha256).hexdigest()
        rec = {'t': time.time(), 'event': self.headers.get('X-Scaidns-Event'),
               'sig_ok': hmac.compare_digest(want, self.headers.get('X-Scaidns-Signature', '')),
               'body': json.loads(body)}
        with open(log, 'a') as f:
            f.write(json.dumps(rec) + '\n')
        self.send_response(200)
        self.send_header('Content-Length', '0')
        self.end_headers()
    def log_message(self, *a):
        pass
http.server.HTTPServer(('127.0.0.1', port), H).serve_forever()
PY
  python3 "$T/hook.py" "$HOOK_PORT" "$HOOK_LOG" "$HOOK_SECRET" &
  PIDS+=($!)
  for _ in $(seq 100); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $HOOK_PORT), 0.2)" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "FAIL: the webhook receiver did not start"; exit 1
}

hook_wait() {
  local end=$((SECONDS + $1))
  while [ $SECONDS -le "$end" ]; do
    jq -e -s "any(.[]; $2)" "$HOOK_LOG" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  return 1
}

hook_count() {
  jq -s "[.[] | select($1)] | length" "$HOOK_LOG"
}
