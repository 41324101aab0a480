# rollover.sh - the world of the rollover tests: pdns_server + scaidns-backend serving a parent
# zone (sdtest.) and a child (child.sdtest.), scaidns-api with its scheduler, and a validating
# unbound that trusts only the parent. TTLs and the policy's delays are seconds; PowerDNS's
# caches 1 s. Source after pdns.sh and unbound.sh, then:
#   rollover_setup [OPTIONS]      the world above; the child is not signed yet
#   rollover_world [OPTIONS]      the same without unbound (for a test that starts its own)
#   api METHOD PATH [BODY]        the API as the operator; $C is the child's .../dnssec path
#   state / wait_for SECONDS JQ   the child's DNSSEC state, polled until the filter holds
#   publish_ds_and_confirm        the registrar's and the operator's part of a KSK change
#   api_restart / api_kill        scaidns-api (re)started / killed with SIGKILL

C=/api/v1/domains/child.sdtest./dnssec
TWO_KEYS_ACTIVE='(.status == "active") and ([.ksk[], .zsk[]] | length == 2)'

# Starts (or starts again) scaidns-api and waits until it answers.
api_restart() {
  "$BIN/scaidns-api" --config "$T/scaidns.conf" 2>>"$T/api.log" &
  PIDS+=($!)
  API_PID=$!
  URL=http://127.0.0.1:$APORT
  for _ in $(seq "$(wrap_scale 100)"); do
    curl -s -o /dev/null "$URL/healthz" && return 0
    sleep 0.1
  done
  echo "FAIL: scaidns-api did not start"; tail -5 "$T/api.log"; exit 1
}

# Kills scaidns-api with SIGKILL, wherever it is.
api_kill() {
  kill -9 "$API_PID" 2>/dev/null || true
  wait "$API_PID" 2>/dev/null || true
}

# rollover_world [OPTIONS]: everything but unbound. Options:
#   --parent-check        scaidns asks the parent (the same pdns_server) for the child's DS
#   --propagation N       the policy's propagation delay (default 2 s)
#   --child-timers "R T"  SOA refresh and retry of the child (default "3600 600")
#   --notify ADDR:PORT    PowerDNS is the child's primary and NOTIFYs a secondary there
#                         (ADDR:PORT,ADDR:PORT for several)
#   --second-pdns         a second pdns_server on $PORT2 in front of the same backend, its
#                         key cache an hour long and out of the API's reach (it knows only the
#                         first one's control socket); auth-servers lists both, so the
#                         served-data check asks both (pdns2_purge, q2 below)
#   --conf KEY=VALUE      one more line of scaidns.conf
#   --pdns KEY=VALUE      one more line of pdns.conf (after the others: it overrides them)
rollover_world() {
  PORT=$(free_port)
  APORT=$(free_port)
  PORT2=
  local extra=() pdns_extra=() pdns_more=() propagation=2 timers="3600 600" notify=""
  while [ $# -gt 0 ]; do
    case $1 in
      --parent-check) extra+=("parent-servers=127.0.0.1:$PORT") ;;
      --second-pdns)
        PORT2=$(free_port)
        extra+=("auth-servers=127.0.0.1:$PORT,127.0.0.1:$PORT2") ;;
      --conf) extra+=("$2"); shift ;;
      --pdns) pdns_more+=("$2"); shift ;;
      --propagation) propagation=$2; shift ;;
      --child-timers) timers=$2; shift ;;
      --notify) notify=$2; shift ;;
      *) echo "rollover_world: unknown option $1"; exit 1 ;;
    esac
    shift
  done
  [ -z "$notify" ] || pdns_extra=(primary=yes "also-notify=$notify" allow-axfr-ips=127.0.0.0/8
    xfr-cycle-interval=1)
  sd_conf "pdns-control-socket=$T/pdns-run/pdns.controlsocket" "pdns-address=127.0.0.1:$PORT" \
    "${extra[@]}" \
    "api-listen=127.0.0.1:$APORT" "scheduler-interval=1" \
    "policy-dnskey-ttl=2" "policy-propagation-delay=$propagation" "policy-publish-safety=1" \
    "policy-retire-safety=1" "policy-parent-ds-ttl=3" "policy-parent-propagation-delay=1"
  ctl init >/dev/null
  TOK=$(ctl token create --name rollover \
    --scopes dnssec:read,dnssec:enable,dnssec:rotate,dnssec:disable,zones:read,zones:write,metrics:read)
  cat >"$T/parent.zone" <<'Z'
$TTL 3
@          SOA ns1 hostmaster 1 3600 600 86400 2
@          NS  ns1
ns1        A   127.0.0.1
child      NS  ns1.child
ns1.child  A   127.0.0.1
Z
  cat >"$T/child.zone" <<Z
\$TTL 3
@      SOA  ns1 hostmaster 1 $timers 86400 2
@      NS   ns1
ns1    A    127.0.0.1
www    A    192.0.2.1
www    AAAA 2001:db8::1
*.w    A    192.0.2.9
Z
  ctl zone import sdtest "$T/parent.zone" >/dev/null
  ctl zone import child.sdtest "$T/child.zone" >/dev/null
  [ -z "$notify" ] ||
    sqlite3 "$T/scaidns.db" "UPDATE zones SET kind = 'master' WHERE name = 'child.sdtest.'"
  ctl dnssec enable sdtest >/dev/null
  ctl dnssec confirm-ds sdtest >/dev/null
  backend_start
  pdns_conf "$PORT" cache-ttl=1 query-cache-ttl=1 negquery-cache-ttl=1 dnssec-key-cache-ttl=1 \
    zone-metadata-cache-ttl=1 "${pdns_extra[@]}" "${pdns_more[@]}"
  pdns_start
  [ -z "$PORT2" ] || pdns2_start
  api_restart
}

# Starts the second pdns_server: the first one's configuration on $PORT2 with its own socket
# dir and an hour of DNSSEC key and metadata caches (its other caches expire with the TTLs, so
# that only its DNSKEY set lags behind).
pdns2_start() {
  mkdir -p "$T/pdns2" "$T/pdns2-run"
  { cat "$T/pdns/pdns.conf"
    echo "local-port=$PORT2"
    echo "socket-dir=$T/pdns2-run"
    echo "dnssec-key-cache-ttl=3600"
    echo "zone-metadata-cache-ttl=3600"
  } >"$T/pdns2/pdns.conf"
  pdns_server --config-dir="$T/pdns2" >>"$T/pdns2.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 150); do
    dig @127.0.0.1 -p "$PORT2" +time=1 +tries=1 +short version.bind CH TXT >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "FAIL: the second pdns_server did not start"; tail -30 "$T/pdns2.log"; exit 1
}

# What an operator of the second server does: purges the child in its caches.
pdns2_purge() {
  pdns_control --socket-dir="$T/pdns2-run" purge 'child.sdtest$' >/dev/null
}

# dig against the second pdns_server.
q2() {
  dig @127.0.0.1 -p "$PORT2" +norec +time=2 +tries=2 "$@"
}

# rollover_setup [OPTIONS]: rollover_world, and unbound with both zones on PowerDNS.
rollover_setup() {
  rollover_world "$@"
  unbound_start "$PORT" sdtest. child.sdtest.
}

# api METHOD PATH [BODY]: the answer's body on stdout; an error status fails the test.
api() {
  local code
  code=$(curl -s -o "$T/out.json" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $TOK" \
    ${3:+-H 'Content-Type: application/json' --data-binary "$3"} "$URL$2")
  if [ "${code:0:1}" != 2 ]; then
    echo "FAIL: $1 $2 -> $code: $(cat "$T/out.json")" >&2
    exit 1
  fi
  cat "$T/out.json"
}

state() { api GET "$C"; }

# wait_for SECONDS JQ-FILTER: polls the child's state until the filter is true.
wait_for() {
  local end=$((SECONDS + $1))
  while [ $SECONDS -lt $end ]; do
    state | jq -e "$2" >/dev/null && return 0
    sleep 0.5
  done
  echo "FAIL: after $1 s the zone's state does not satisfy $2:"
  state | jq -c '{status, ksk: [.ksk[] | {key_tag, algorithm, state}], zsk: [.zsk[] | {key_tag, algorithm, state}]}'
  tail -5 "$T/api.log"
  exit 1
}

# The parent's DS for the child becomes the DS (digest 2) of the KSK waiting for it, at the
# earliest time scaidns says, as a registrar would; then the operator confirms.
publish_ds_and_confirm() {
  local s tag after ds
  s=$(state)
  tag=$(jq -r '[.ksk[] | select(.ds_seen_at == null and .remove_at == null)][0].key_tag' <<<"$s")
  after=$(jq -r --argjson t "$tag" '.ksk[] | select(.key_tag == $t) | .ds_publish_after' <<<"$s")
  while [ "$(date -u +%s)" -lt "$(date -u -d "$after" +%s)" ]; do sleep 0.2; done
  ds=$(jq -c --argjson t "$tag" '[.ds_records[] | select(.key_tag == $t and .digest_type == 2)]' <<<"$s")
  api PUT "/api/v1/domains/sdtest./rrsets/child.sdtest./DS" \
    "{\"ttl\": 3, \"records\": [$(jq '.[0] | "\(.key_tag) \(.algorithm) \(.digest_type) \(.digest)"' <<<"$ds")]}" >/dev/null
  api POST "$C/confirm-ds-published" "{\"ds_records\": $ds}" >/dev/null
  echo "     DS $tag published at the parent and confirmed"
}

# Starts the querier on the child's names and types, DNSKEY included.
child_querier_start() {
  querier_start "www.child.sdtest. A" "child.sdtest. DNSKEY" "nx.child.sdtest. A" \
    "www.child.sdtest. TXT" "a.w.child.sdtest. A" "child.sdtest. SOA"
}

# Stops the querier and fails the test unless every answer (at least min) validated.
child_querier_verdict() {
  local min=$1
  sleep 4 # answers cached during the last step expire and are asked again
  querier_stop
  querier_report
  echo "     $Q_TOTAL answers from unbound, $Q_BAD not validated, $Q_SERVFAIL SERVFAIL"
  if [ "$Q_BAD" -ne 0 ] || [ "$Q_TOTAL" -lt "$min" ]; then
    querier_show_bad
    echo "FAIL: validation broke during a rollover (or fewer than $min answers)"
    exit 1
  fi
}
