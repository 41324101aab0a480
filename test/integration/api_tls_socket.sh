#!/usr/bin/env bash
# api_tls_socket.sh - scaidns-api over HTTPS (api-tls-cert/api-tls-key) and on a Unix socket
# (api-socket): a client that trusts the certificate gets its answers over TLS, plain HTTP to
# the TLS port gets none, a key file readable by others is refused at start, and the Unix
# socket serves the same API with its configured permissions.
set -euo pipefail
. "$SCAIDNS_SRC/test/integration/lib/api.sh"
api_init
command -v openssl >/dev/null || { echo "FAIL: openssl is not installed"; exit 1; }
TOK=$(api_token ops zones:read,zones:write,dnssec:read)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 \
  -keyout "$T/tls.key" -out "$T/tls.crt" 2>/dev/null
chmod 600 "$T/tls.key"
SOCK=$T/api.sock
PORT=$(api_free_port)
"$BIN/scaidns-api" --config "$CONF" --api-listen="127.0.0.1:$PORT" "--api-tls-cert=$T/tls.crt" \
  "--api-tls-key=$T/tls.key" "--api-socket=$SOCK" --api-socket-mode=0660 2>>"$T/api.log" &
API_PID=$!
API_PIDS+=("$API_PID")

PASS=0
FAILN=0
t() { if "$@" >/dev/null 2>&1; then PASS=$((PASS + 1)); else FAILN=$((FAILN + 1)); echo "FAIL: $*"; fi; }
HTTPS=https://127.0.0.1:$PORT
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

for _ in $(seq 100); do
  [ "$(code --cacert "$T/tls.crt" "$HTTPS/healthz")" = 200 ] && break
  sleep 0.1
done
t test "$(code --cacert "$T/tls.crt" "$HTTPS/healthz")" = 200
t test "$(code --cacert "$T/tls.crt" -H "Authorization: Bearer $TOK" -X POST \
  -H 'Content-Type: application/json' --data '{"name": "tls.example"}' "$HTTPS/api/v1/domains")" = 201
t test "$(code --cacert "$T/tls.crt" -H "Authorization: Bearer $TOK" "$HTTPS/api/v1/domains/tls.example/dnssec")" = 200
# A client that does not trust the certificate, or speaks plain HTTP, gets no answer.
t test "$(code "$HTTPS/healthz")" != 200
t test "$(code "http://127.0.0.1:$PORT/healthz")" != 200

# The Unix socket: same API, mode 0660.
t test -S "$SOCK"
t test "$(stat -c %a "$SOCK")" = 660
t test "$(code --unix-socket "$SOCK" http://localhost/healthz)" = 200
t test "$(code --unix-socket "$SOCK" -H "Authorization: Bearer $TOK" http://localhost/api/v1/domains/tls.example)" = 200
t test "$(code --unix-socket "$SOCK" http://localhost/api/v1/domains)" = 401
api_stop
t test ! -e "$SOCK" # removed at a clean stop

# A key readable by others is refused, with a message, and nothing listens.
chmod 644 "$T/tls.key"
P2=$(api_free_port)
if "$BIN/scaidns-api" --config "$CONF" --api-listen="127.0.0.1:$P2" "--api-tls-cert=$T/tls.crt" \
  "--api-tls-key=$T/tls.key" 2>"$T/refused.log"; then
  FAILN=$((FAILN + 1)); echo "FAIL: started with a world-readable TLS key"
else
  t grep -q "chmod 600" "$T/refused.log"
fi
echo "$PASS passed, $FAILN failed"
[ "$FAILN" -eq 0 ]
