#!/usr/bin/env bash
# load_churn.sh - DNS load through PowerDNS and scaidns-backend while API clients keep
# enabling, confirming, rotating, aborting and disabling DNSSEC on many zones, with the
# scheduler carrying out the timed rollover steps all along (issue 9, "Load").
#
#   bench/load_churn.sh BIN_DIR [SECONDS] [ZONES]      (defaults: 300 s, 300 zones)
#
# Runs: pdns_server (launch=remote, remote-dnssec, direct-dnskey, caches of 1 s), scaidns-backend,
# scaidns-api with its scheduler (policy timings of a few seconds so that rollovers finish during
# the run), dnsperf with the DO bit over names of every zone for the whole run, and CLIENTS
# curl loops calling the lifecycle actions on random zones. RSS of the three processes is
# sampled every SAMPLE seconds. Afterwards it checks, and prints in a summary table:
#   - DNS: no SERVFAIL and no rcode but NOERROR/NXDOMAIN (the keystore is consistent at every
#     moment, each transition being one transaction, so PowerDNS has no reason to fail), at
#     most LOST_PCT % of queries lost;
#   - API: no 5xx and no status but 200 / 409 (a race: the zone's status changed under the
#     client) / 400 on confirm-ds-published (a race too: the DS read a moment earlier names a
#     KSK that is gone); every 200 left exactly one audit row of its action, and no refused
#     call left one;
#   - the keystore: PRAGMA integrity_check = ok, no foreign key violation, `scaidnsctl audit
#     verify` ok; every zone's status (derived from its keys) agrees with its audit trail
#     (see AUDIT_SQL below); no timed step left overdue once the clients stop;
#   - what PowerDNS serves once the scheduler is idle: per zone, exactly the published keys
#     in DNSKEY, and RRSIGs if and only if DNSSEC is on;
#   - processes: all three still running, scaidns-backend and scaidns-api exit 0 on SIGTERM,
#     no sanitizer report and no line at level error in their logs;
#   - memory: per process, the mean anonymous RSS (RssAnon: heap, stacks; not the pages of
#     files) of the last third of the samples (after WARMUP s) is within MEM_TOL_PCT % (or
#     MEM_TOL_KB) of the mean of the first third, plus what the caches that follow the data
#     may take (pdns_server: SIG_BYTES per entry its signature cache gained; scaidns-backend
#     and scaidns-api: the keystore's growth, for SQLite's page caches; see MEMTAB below);
#     VmRSS is shown beside it. Not asserted for sanitizer or wrapped (valgrind) builds,
#     whose allocators hold memory on purpose.
#   - every state-changing 200 has exactly one audit row: each client has its own token, and
#     per client and action the 200s equal the audit rows of that token; each rotate-ksk and
#     rotate-zsk 200 names in its body (new_key.key_tag) a key that exactly one audit row of
#     that client made and that the keys table holds (issue 14 item 10).
# Exit status 0 when every check passes. Env: CLIENTS (4), HOT (0: the first HOT clients all
# work on the first zone, to stress concurrent calls on one zone), QPS (dnsperf -Q, 2000),
# SAMPLE (5), WARMUP (10), MEM_TOL_PCT (10), MEM_TOL_KB (1024), SIG_BYTES (512), LOST_PCT (0.1),
# KEEP=1 keeps the work dir.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 BIN_DIR [SECONDS] [ZONES]" >&2; exit 2; }
SCAIDNS_BIN=$(cd "$1" && pwd)
export SCAIDNS_BIN
export SCAIDNS_SRC=$SRC
DURATION=${2:-300}
ZONES=${3:-300}
CLIENTS=${CLIENTS:-4}
HOT=${HOT:-0}
QPS=${QPS:-2000}
SAMPLE=${SAMPLE:-5}
WARMUP=${WARMUP:-10}
MEM_TOL_PCT=${MEM_TOL_PCT:-10}
MEM_TOL_KB=${MEM_TOL_KB:-1024}
SIG_BYTES=${SIG_BYTES:-512}
LOST_PCT=${LOST_PCT:-0.1}
REAL_BIN=$SCAIDNS_BIN
. "$SRC/test/integration/lib/pdns.sh"
pdns_init
for tool in dnsperf curl jq sqlite3; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed (scripts/deps.sh)"; exit 1; }
done

# --- the world ------------------------------------------------------------------------------
PORT=$(free_port)
APORT=$(free_port)
sd_conf "pdns-control-socket=$T/pdns-run/pdns.controlsocket" "pdns-address=127.0.0.1:$PORT" \
  "api-listen=127.0.0.1:$APORT" "scheduler-interval=1" \
  "policy-dnskey-ttl=2" "policy-propagation-delay=2" "policy-publish-safety=1" \
  "policy-retire-safety=1" "policy-parent-ds-ttl=3" "policy-parent-propagation-delay=1"
ctl init >/dev/null
# one token per client (load1, load2, ...): the audit rows name who made each change
declare -A TOKS
for ((c = 1; c <= CLIENTS; c++)); do
  TOKS[$c]=$(ctl token create --name "load$c" \
    --scopes dnssec:read,dnssec:enable,dnssec:rotate,dnssec:disable,zones:read)
done
mkdir "$T/zones"
ZNAMES=()
for ((i = 1; i <= ZONES; i++)); do
  z=$(printf 'z%04d.load.test' "$i")
  ZNAMES+=("$z.")
  # TTLs and SOA minimum (the DNSKEY TTL) of seconds, as the policy assumes
  printf '$TTL 3\n@ SOA ns1 hostmaster 1 3600 600 86400 2\n@ NS ns1\nns1 A 127.0.0.1\nwww A 192.0.2.1\n' \
    >"$T/zones/$z"
done
ctl zone import "$T/zones" >/dev/null 2>"$T/import.err" || { cat "$T/import.err"; exit 1; }
# every fourth zone denies with NSEC3, the others with NSEC
sqlite3 "$T/scaidns.db" "INSERT INTO policies(zone_id, nsec3, nsec3_iterations, nsec3_salt)
  SELECT id, 1, 0, '' FROM zones WHERE id % 4 = 0"
backend_start
pdns_conf "$PORT" cache-ttl=1 query-cache-ttl=1 negquery-cache-ttl=1 dnssec-key-cache-ttl=1 \
  zone-metadata-cache-ttl=1
pdns_start
"$BIN/scaidns-api" --config "$T/scaidns.conf" 2>>"$T/api.log" &
PIDS+=($!)
API_PID=$!
URL=http://127.0.0.1:$APORT
for _ in $(seq 300); do
  curl -s -o /dev/null "$URL/healthz" && break
  kill -0 "$API_PID" 2>/dev/null || break
  sleep 0.1
done
curl -s -o /dev/null "$URL/healthz" || { echo "FAIL: scaidns-api did not start"; tail "$T/api.log"; exit 1; }

# --- load -----------------------------------------------------------------------------------
# dnsperf: per zone the apex SOA and DNSKEY, a name (A), a name that does not exist (NXDOMAIN).
for z in "${ZNAMES[@]}"; do
  printf '%s SOA\n%s DNSKEY\nwww.%s A\nnx.%s A\n' "$z" "$z" "$z" "$z"
done >"$T/queries"

# api_call ID ACTION METHOD PATH [BODY]: one API call; appends "ACTION STATUS" to the client's log.
api_call() {
  local id=$1 action=$2 method=$3 path=$4 body=${5:-} code
  local args=(-s -o "$T/c$id.body" -w '%{http_code}' --max-time 60 -X "$method"
    -H "Authorization: Bearer ${TOKS[$id]}")
  [ -z "$body" ] || args+=(-H 'Content-Type: application/json' --data-binary "$body")
  code=$(curl "${args[@]}" "$URL$path" || true)
  echo "$action ${code:-000}" >>"$T/c$id.log"
  # the key a rollover's 200 says it made: "client zone action key_tag"
  if [ "$code" = 200 ] && { [ "$action" = rotate-ksk ] || [ "$action" = rotate-zsk ]; }; then
    echo "$id ${path#/api/v1/domains/} $action $(jq -r '.new_key.key_tag // "null"' "$T/c$id.body")" |
      sed 's|/dnssec/[a-z-]* | |' >>"$T/c$id.made"
  fi
  [ "$action" != confirm-ds ] || [ "$code" != 400 ] || cat "$T/c$id.body" >>"$T/c$id.400"
  CODE=$code
}

# client ID END: calls random lifecycle actions on random zones until the time END (epoch s).
client() {
  local id=$1 end=$2 z p r ds
  RANDOM=$((id * 7919 + $$))
  : >"$T/c$id.log"
  while [ "$EPOCHSECONDS" -lt "$end" ]; do
    z=${ZNAMES[RANDOM % ${#ZNAMES[@]}]}
    [ "$id" -gt "$HOT" ] || z=${ZNAMES[0]}
    p=/api/v1/domains/$z/dnssec
    r=$((RANDOM % 100))
    if [ $r -lt 22 ]; then
      api_call "$id" enable POST "$p/enable" '{"algorithm": 13}'
    elif [ $r -lt 44 ]; then
      # the operator's view: the DS of the KSKs that stay, as the API shows them now
      api_call "$id" get GET "$p"
      [ "$CODE" = 200 ] || continue
      ds=$(jq -c '[.ksk[] | select(.remove_at == null and .state != "signing") | .key_tag] as $t |
        [.ds_records[] | select(.digest_type == 2 and (.key_tag as $k | $t | index($k)))
         | {key_tag, algorithm, digest_type, digest}]' "$T/c$id.body")
      [ "$ds" != "[]" ] || continue
      api_call "$id" confirm-ds POST "$p/confirm-ds-published" "{\"ds_records\": $ds}"
    elif [ $r -lt 60 ]; then
      api_call "$id" rotate-zsk POST "$p/rotate-zsk"
    elif [ $r -lt 72 ]; then
      api_call "$id" rotate-ksk POST "$p/rotate-ksk"
    elif [ $r -lt 76 ]; then
      # an algorithm rollover (13 <-> 15) now and then
      api_call "$id" rotate-ksk POST "$p/rotate-ksk" "{\"algorithm\": $((RANDOM % 2 ? 15 : 13))}"
    elif [ $r -lt 86 ]; then
      api_call "$id" abort POST "$p/abort"
    else
      api_call "$id" disable POST "$p/disable"
    fi
  done
}

# RSS in kB of a process, 0 once it is gone.
# "VmRSS RssAnon" in kB of a process ("0 0" once it is gone). RssAnon leaves out the pages of
# files (program text, libraries touched on a new path, SQLite's shared WAL index): a leak or a
# cache that keeps growing shows there.
mem() { awk '/^VmRSS/ { r = $2 } /^RssAnon/ { a = $2 } END { print r + 0, a + 0 }' "/proc/$1/status" 2>/dev/null || echo "0 0"; }

START=$EPOCHSECONDS
END=$((START + DURATION))
echo "load: $DURATION s, $ZONES zones, $CLIENTS API clients, dnsperf -Q $QPS, work dir $T"
dnsperf -s 127.0.0.1 -p "$PORT" -d "$T/queries" -D -c 4 -q 64 -Q "$QPS" -l "$DURATION" \
  >"$T/dnsperf.out" 2>&1 &
DNSPERF_PID=$!
PIDS+=("$DNSPERF_PID")
CLIENT_PIDS=()
for ((c = 1; c <= CLIENTS; c++)); do
  client "$c" "$END" &
  CLIENT_PIDS+=($!)
  PIDS+=($!)
done
: >"$T/rss.tsv"
while [ "$EPOCHSECONDS" -lt "$END" ]; do
  # seconds; VmRSS of the three; PowerDNS's signature cache (entries); the keystore's size
  # (kB, WAL included); RssAnon of the three
  read -r pr pa <<<"$(mem "$PDNS_PID")"
  read -r br ba <<<"$(mem "$BACKEND_PID")"
  read -r ar aa <<<"$(mem "$API_PID")"
  echo "$((EPOCHSECONDS - START)) $pr $br $ar" \
    "$(pdns_control --config-dir="$T/pdns" show signature-cache-size 2>/dev/null || echo 0)" \
    "$((($(stat -c %s "$T/scaidns.db") + $(stat -c %s "$T/scaidns.db-wal" 2>/dev/null || echo 0)) / 1024))" \
    "$pa $ba $aa" >>"$T/rss.tsv"
  sleep "$SAMPLE"
done
wait "${CLIENT_PIDS[@]}"
DNSPERF_RC=0
wait "$DNSPERF_PID" || DNSPERF_RC=$?
LOAD_SECONDS=$((EPOCHSECONDS - START))

# --- checks ---------------------------------------------------------------------------------
CHECKS=()
# verdict NAME OK(0|1) DETAIL: records one line of the summary.
verdict() {
  if [ "$2" = 1 ]; then CHECKS+=("PASS  $1: $3"); else CHECKS+=("FAIL  $1: $3"); FAILED=$((FAILED + 1)); fi
}
ALIVE=1
for p in "$PDNS_PID" "$BACKEND_PID" "$API_PID"; do kill -0 "$p" 2>/dev/null || ALIVE=0; done
verdict "processes" "$ALIVE" "pdns_server, scaidns-backend and scaidns-api ran to the end"

# DNS: the final statistics block of dnsperf
stats=$(awk '/^Statistics:/ { s = "" } { s = s $0 "\n" } END { printf "%s", s }' "$T/dnsperf.out")
num() { awk -v k="$1" -v f="$2" 'index($0, k) { print $f; exit }' <<<"$stats"; }
SENT=$(num 'Queries sent:' 3)
DONE=$(num 'Queries completed:' 3)
LOST=$(num 'Queries lost:' 3)
DQPS=$(num 'Queries per second:' 4)
RCODES=$(sed -n 's/.*Response codes: *//p' <<<"$stats" | head -1)
rcode() { awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }' <<<"$RCODES"; }
NOERROR=$(rcode NOERROR); NOERROR=${NOERROR:-0}
NXDOMAIN=$(rcode NXDOMAIN); NXDOMAIN=${NXDOMAIN:-0}
SERVFAIL=$(rcode SERVFAIL); SERVFAIL=${SERVFAIL:-0}
OTHER=$(( ${DONE:-0} - NOERROR - NXDOMAIN - SERVFAIL ))
verdict "dnsperf" "$([ "$DNSPERF_RC" = 0 ] && [ "${SENT:-0}" -gt 0 ] && echo 1 || echo 0)" \
  "$SENT queries sent, $DONE completed, $DQPS QPS (exit $DNSPERF_RC)"
verdict "no SERVFAIL" "$([ "$SERVFAIL" = 0 ] && echo 1 || echo 0)" \
  "NOERROR $NOERROR, NXDOMAIN $NXDOMAIN, SERVFAIL $SERVFAIL, other $OTHER"
verdict "no other rcode" "$([ "$OTHER" = 0 ] && echo 1 || echo 0)" "$RCODES"
verdict "queries lost" "$(awk -v l="${LOST:-0}" -v s="${SENT:-1}" -v m="$LOST_PCT" \
  'BEGIN { print (l * 100 <= m * s) ? 1 : 0 }')" "$LOST of $SENT (at most $LOST_PCT % allowed)"

# API: statuses by action
cat "$T"/c*.log >"$T/calls"
API_TOTAL=$(wc -l <"$T/calls")
API_BAD=$(awk '!($2 == 200 || $2 == 409 || ($1 == "confirm-ds" && $2 == 400))' "$T/calls" | wc -l)
API_5XX=$(awk '$2 >= 500' "$T/calls" | wc -l)
verdict "API statuses" "$([ "$API_BAD" = 0 ] && echo 1 || echo 0)" \
  "$API_TOTAL calls, $API_5XX 5xx, $API_BAD not 200/409/400-race"
# a 400 on confirm-ds must be the race (the DS names a KSK that is gone), nothing else
BAD400=$(cat "$T"/c*.400 2>/dev/null | jq -r .error 2>/dev/null | grep -vc 'matches no current KSK' || true)
verdict "confirm-ds 400s are races" "$([ "$BAD400" = 0 ] && echo 1 || echo 0)" "$BAD400 other 400s"

# the scheduler finishes every step that comes due once the clients stop (rollovers in flight
# take a few seconds more; a KSK rollover waiting for its DS has no timed step)
due() {
  sqlite3 -cmd '.timeout 5000' "$T/scaidns.db" "SELECT count(*) FROM dnssec_status
    WHERE next_step_at IS NOT NULL AND next_step_at < datetime('now', '+60 seconds')"
}
SETTLE=0
while [ "$(due)" != 0 ] && [ $SETTLE -lt 90 ]; do sleep 1; SETTLE=$((SETTLE + 1)); done
verdict "scheduler idle" "$([ "$(due)" = 0 ] && echo 1 || echo 0)" \
  "no step due after $SETTLE s (zones with a step due: $(due))"

Q() { sqlite3 -batch -cmd '.timeout 5000' "$T/scaidns.db" "$@"; }
IC=$(Q 'PRAGMA integrity_check' | tr '\n' ' ' | sed 's/ $//')
FK=$(Q 'PRAGMA foreign_key_check' | wc -l)
verdict "integrity_check" "$([ "$IC" = ok ] && [ "$FK" = 0 ] && echo 1 || echo 0)" \
  "PRAGMA integrity_check: $IC; foreign_key_check: $FK rows"
AV=$(ctl audit verify 2>&1) && AVOK=1 || AVOK=0
verdict "audit verify" "$AVOK" "$(echo "$AV" | tail -1)"

# Every zone's status, derived from its keys (the dnssec_status view), against its audit trail
# (only rows with outcome 'ok' change anything):
#   on     = the zone's last dnssec-enable comes after its last dnssec-disable / dnssec-unsign;
#            DNSSEC is on (status <> 'disabled') exactly when on (cds-delete is off here, so a
#            disable removes the keys at once);
#   after the last enable:
#     pending_ds   exactly when no dnssec-confirm-ds followed it (every confirmation marks a
#                  current KSK's DS as seen, and a KSK whose DS was seen stays until another
#                  one's DS is seen);
#     rotating_ksk when the last of {rotate-ksk, confirm-ds, abort of a KSK rollover} is a
#                  rotate-ksk; and conversely rotating_ksk only after a rotate-ksk that no abort
#                  followed (a confirmation that names only the old KSK keeps the rollover on);
#     rotating_zsk only after a rotate-zsk;
#     and the zone has an active KSK and an active ZSK (something signs the DNSKEY set and
#     the rest).
# Prints one line per zone that breaks a rule: zone, status, the rule.
AUDIT_SQL=$(cat <<'SQL'
WITH ok AS (SELECT id, zone, action, detail FROM audit WHERE outcome = 'ok'),
z AS (
  SELECT s.zone, s.zone_id, s.status,
    coalesce((SELECT max(id) FROM ok WHERE ok.zone = s.zone AND action = 'dnssec-enable'), 0) AS en,
    coalesce((SELECT max(id) FROM ok WHERE ok.zone = s.zone
              AND action IN ('dnssec-disable', 'dnssec-unsign')), 0) AS dis
  FROM dnssec_status s),
y AS (
  SELECT z.*, en > dis AS on_audit,
    (SELECT count(*) FROM ok WHERE ok.zone = z.zone AND action = 'dnssec-confirm-ds'
       AND id > en) AS confirms,
    (SELECT action FROM ok WHERE ok.zone = z.zone AND id > en
       AND (action IN ('dnssec-rotate-ksk', 'dnssec-confirm-ds') OR (action = 'dnssec-abort'
            AND json_extract(detail, '$.aborted') = 'rotating_ksk'))
       ORDER BY id DESC LIMIT 1) AS last_ksk,
    coalesce((SELECT max(id) FROM ok WHERE ok.zone = z.zone AND id > en
       AND action = 'dnssec-rotate-ksk'), 0) AS rksk,
    coalesce((SELECT max(id) FROM ok WHERE ok.zone = z.zone AND id > en AND action = 'dnssec-abort'
       AND json_extract(detail, '$.aborted') = 'rotating_ksk'), 0) AS aksk,
    (SELECT count(*) FROM ok WHERE ok.zone = z.zone AND id > en
       AND action = 'dnssec-rotate-zsk') AS rzsk,
    (SELECT count(*) FROM keys k WHERE k.zone_id = z.zone_id AND k.role = 'KSK'
       AND k.state = 'active') AS aksks,
    (SELECT count(*) FROM keys k WHERE k.zone_id = z.zone_id AND k.role = 'ZSK'
       AND k.state = 'active') AS azsks
  FROM z)
SELECT zone, status, CASE
    WHEN on_audit <> (status <> 'disabled') THEN 'on/off differs from the last enable/disable'
    WHEN NOT on_audit THEN NULL
    WHEN (status = 'pending_ds') <> (confirms = 0) THEN 'pending_ds differs from confirm-ds rows'
    WHEN last_ksk = 'dnssec-rotate-ksk' AND status <> 'rotating_ksk' THEN 'rotate-ksk not seen in keys'
    WHEN status = 'rotating_ksk' AND NOT (rksk > aksk) THEN 'rotating_ksk without rotate-ksk'
    WHEN status = 'rotating_zsk' AND rzsk = 0 THEN 'rotating_zsk without rotate-zsk'
    WHEN aksks = 0 OR azsks = 0 THEN 'no active KSK or ZSK'
  END AS problem
FROM y WHERE problem IS NOT NULL;
SQL
)
Q "$AUDIT_SQL" >"$T/audit-mismatch"
MISMATCH=$(wc -l <"$T/audit-mismatch")
STATUSES=$(Q "SELECT group_concat(status || ' ' || n, ', ') FROM
  (SELECT status, count(*) AS n FROM dnssec_status GROUP BY status ORDER BY n DESC)")
verdict "status vs audit trail" "$([ "$MISMATCH" = 0 ] && echo 1 || echo 0)" \
  "$ZONES zones ($STATUSES), $MISMATCH disagree$([ "$MISMATCH" = 0 ] || echo ": $(head -3 "$T/audit-mismatch" | tr '\n' ';')")"

# every state-changing 200 has exactly one audit row: per client (actor = its token's name)
# and action, as many rows as 200s, and no refusal left one
declare -A ACTION_OF=([enable]=dnssec-enable [confirm-ds]=dnssec-confirm-ds
  [rotate-zsk]=dnssec-rotate-zsk [rotate-ksk]=dnssec-rotate-ksk [abort]=dnssec-abort
  [disable]=dnssec-disable)
ROWS_OK=1
ROWS_DETAIL=""
for a in enable confirm-ds rotate-zsk rotate-ksk abort disable; do
  t200=0 trow=0
  for ((c = 1; c <= CLIENTS; c++)); do
    n200=$(awk -v a="$a" '$1 == a && $2 == 200' "$T/c$c.log" | wc -l)
    nrow=$(Q "SELECT count(*) FROM audit WHERE actor = 'load$c' AND action = '${ACTION_OF[$a]}'")
    [ "$n200" = "$nrow" ] || ROWS_OK=0
    t200=$((t200 + n200)) trow=$((trow + nrow))
  done
  ROWS_DETAIL+="$a $t200/$trow "
done
verdict "200s = audit rows" "$ROWS_OK" "(200s/rows, per client) $ROWS_DETAIL"
# each rollover 200 names the key it made: one audit row of that client and zone made that key
# (detail new_ksk / new_zsk), and the keys table holds it
cat "$T"/c*.made 2>/dev/null >"$T/made" || true
{
  echo "CREATE TEMP TABLE made(client, zone, action, tag);"
  awk '{ printf "INSERT INTO made VALUES (%d, %c%s%c, %c%s%c, %s);\n", $1, 39, $2, 39, 39, $3, 39, ($4 == "null" ? "NULL" : $4) }' "$T/made"
  cat <<'SQL'
SELECT m.client, m.zone, m.action, m.tag,
  (SELECT count(*) FROM audit a WHERE a.actor = 'load' || m.client AND a.zone = m.zone
     AND a.action = 'dnssec-' || m.action AND json_extract(a.detail,
       CASE m.action WHEN 'rotate-ksk' THEN '$.new_ksk' ELSE '$.new_zsk' END) = m.tag) AS rows,
  (SELECT count(*) FROM keys k JOIN zones z ON z.id = k.zone_id WHERE z.name = m.zone
     AND k.role = CASE m.action WHEN 'rotate-ksk' THEN 'KSK' ELSE 'ZSK' END
     AND k.key_tag = m.tag) AS keyrows
FROM made m WHERE rows <> 1 OR keyrows < 1;
SQL
} >"$T/made.sql"
Q <"$T/made.sql" >"$T/made-mismatch"
MADE=$(wc -l <"$T/made")
MADE_BAD=$(wc -l <"$T/made-mismatch")
verdict "rollover 200s = their keys" "$([ "$MADE_BAD" = 0 ] && echo 1 || echo 0)" \
  "$MADE rotate-ksk/rotate-zsk 200s, $MADE_BAD name a key without exactly one audit row of their client or without a keys row$([ "$MADE_BAD" = 0 ] || echo ": $(head -3 "$T/made-mismatch" | tr '\n' ';')")"

# what PowerDNS serves now that nothing changes: the published keys, RRSIGs iff DNSSEC is on
sleep 3 # PowerDNS's caches (1 s) forget what they held
for z in "${ZNAMES[@]}"; do
  printf '@127.0.0.1 -p %s +norec +dnssec +noall +answer +time=3 +tries=2 %s DNSKEY\n' "$PORT" "$z"
  printf '@127.0.0.1 -p %s +norec +dnssec +noall +answer +time=3 +tries=2 www.%s A\n' "$PORT" "$z"
done >"$T/served.batch"
dig -f "$T/served.batch" >"$T/served.out" 2>&1 || true
awk '$4 == "DNSKEY" { print $1, "DNSKEY" } $4 == "A" { print $1, "A" }
     $4 == "RRSIG" && $5 == "A" { print $1, "SIG" }' "$T/served.out" | sort | uniq -c |
  awk '{ print $2, $3, $1 }' >"$T/served.counts"
Q "SELECT z.name, (SELECT count(*) FROM keys k WHERE k.zone_id = z.id
     AND k.state IN ('published', 'active', 'retired')), s.status <> 'disabled'
   FROM zones z JOIN dnssec_status s ON s.zone_id = z.id" | tr '|' ' ' >"$T/expected"
SERVED_BAD=$(awk 'NR == FNR { c[$1 " " $2] = $3; next }
  { dk = c[$1 " DNSKEY"] + 0; a = c["www." $1 " A"] + 0; sig = c["www." $1 " SIG"] + 0
    if (dk != $2 || a != 1 || (sig > 0) != $3) { n++; if (n <= 3) printf "%s served %d DNSKEY (want %d), A %d, RRSIG %d (want %s); ", $1, dk, $2, a, sig, $3 ? "yes" : "no" } }
  END { print n + 0 }' "$T/served.counts" "$T/expected")
verdict "served = keystore" "$([ "${SERVED_BAD##*; }" = 0 ] && echo 1 || echo 0)" \
  "$ZONES zones: DNSKEY set = published keys, RRSIG iff on; mismatches: $SERVED_BAD"

# the lifecycle work done
AUDIT_ROWS=$(Q "SELECT count(*) FROM audit")
STEPS=$(Q "SELECT group_concat(action || ' ' || n, ', ') FROM (SELECT action, count(*) AS n
  FROM audit WHERE actor = 'scheduler' AND outcome = 'ok' GROUP BY action ORDER BY n DESC)")
ZROLLS=$(Q "SELECT count(*) FROM audit WHERE actor = 'scheduler' AND outcome = 'ok' AND action = 'zsk-remove'")
KROLLS=$(Q "SELECT count(*) FROM audit WHERE actor = 'scheduler' AND outcome = 'ok' AND action = 'ksk-remove'")

# memory: mean RSS (and RssAnon, which decides) of the first and last third of the samples
# after the warm-up
MEMNOTE=""
if ldd "$REAL_BIN/scaidns-backend" 2>/dev/null | grep -q libasan || [ -n "${SCAIDNS_WRAP:-}" ]; then
  MEMNOTE="(sanitizer or wrapped build: shown, not asserted)"
fi
# Two caches grow with the data the churn creates, and are allowed for on top of the tolerance:
# PowerDNS keeps one signature cache entry per key and RRset signed (emptied weekly), so
# pdns_server may grow SIG_BYTES per new entry (measured here: about 240 bytes an entry); and
# each SQLite connection caches pages of the keystore (up to cache_size, 2 MB a connection),
# so scaidns-backend and scaidns-api may grow by as much as the keystore grew (heaptrack on
# scaidns-api during this load: all of its heap growth is SQLite's pager).
MEMTAB=$(awk -v w="$WARMUP" -v pct="$MEM_TOL_PCT" -v kb="$MEM_TOL_KB" -v sb="$SIG_BYTES" '
  $1 >= w { n++; for (i = 2; i <= 9; i++) { v[n, i] = $i; if ($i > peak[i]) peak[i] = $i } }
  END {
    split("pdns_server scaidns-backend scaidns-api", name, " ")
    t = int(n / 3); if (t < 1) t = 1
    sa = sb3 = da = db = 0
    for (j = 1; j <= t; j++) { sa += v[j, 5]; sb3 += v[n - t + j, 5]; da += v[j, 6]; db += v[n - t + j, 6] }
    sig = (sb3 - sa) / t; if (sig < 0) sig = 0
    dbg = (db - da) / t; if (dbg < 0) dbg = 0
    for (p = 0; p < 3; p++) {
      r = 2 + p; q = 7 + p; ra = rb = aa = ab = 0
      for (j = 1; j <= t; j++) { ra += v[j, r]; rb += v[n - t + j, r]; aa += v[j, q]; ab += v[n - t + j, q] }
      ra /= t; rb /= t; aa /= t; ab /= t; g = ab - aa; tol = aa * pct / 100; if (tol < kb) tol = kb
      if (p == 0) tol += sig * sb / 1024; else tol += dbg
      printf "%s %d %d %d %d %d %+d %s %d\n", name[p + 1], ra, rb, peak[r], aa, ab, g, (g <= tol) ? "flat" : "GROWS", tol
    }
  }' "$T/rss.tsv")
MEMOK=1
if grep -q GROWS <<<"$MEMTAB" && [ -z "$MEMNOTE" ]; then MEMOK=0; fi
verdict "memory flat" "$MEMOK" "$(awk '{ printf "%s %s; ", $1, $8 }' <<<"$MEMTAB")$MEMNOTE"

# nothing went wrong inside the programs either: no line at level error in their logs (a
# scheduler step that failed, a request that hit an internal error)
LOG_ERRORS=$(cat "$T/api.log" "$T/backend.log" | grep -c '^scaidns-[a-z]*: error:' || true)
verdict "no errors logged" "$([ "$LOG_ERRORS" = 0 ] && echo 1 || echo 0)" \
  "$LOG_ERRORS error lines in the logs of scaidns-api and scaidns-backend$([ "$LOG_ERRORS" = 0 ] ||
    echo ", e.g. $(grep -h -m1 '^scaidns-[a-z]*: error:' "$T/api.log" "$T/backend.log" | head -1)")"

# a clean stop: SIGTERM, exit 0, no sanitizer report
STOP_OK=1
for p in "$API_PID" "$BACKEND_PID"; do
  kill -TERM "$p" 2>/dev/null || true
  rc=0
  wait "$p" || rc=$?
  [ "$rc" = 0 ] || STOP_OK=0
done
if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' "$T/api.log" "$T/backend.log"; then STOP_OK=0; fi
verdict "clean stop" "$STOP_OK" "scaidns-api and scaidns-backend exit 0 on SIGTERM, no sanitizer report"

# --- summary --------------------------------------------------------------------------------
{
  echo
  echo "== load with churn: $LOAD_SECONDS s, $ZONES zones, $CLIENTS API clients ($HOT on one zone), dnsperf -Q $QPS (DO bit) =="
  printf '%-22s %s\n' "DNS" "$SENT sent, $DONE completed, $LOST lost, $DQPS QPS; $RCODES"
  printf '%-22s %s\n' "API calls" "$API_TOTAL in $LOAD_SECONDS s ($(awk -v n="$API_TOTAL" -v s="$LOAD_SECONDS" 'BEGIN { printf "%.1f", n / s }')/s)"
  printf '  %-12s %7s %7s %7s %7s %7s\n' action total 200 409 400 other
  awk '{ t[$1]++; if ($2 == 200 || $2 == 409 || $2 == 400) c[$1, $2]++; else c[$1, "x"]++ }
    END { for (a in t) printf "  %-12s %7d %7d %7d %7d %7d\n", a, t[a], c[a, 200], c[a, 409], c[a, 400], c[a, "x"] }' \
    "$T/calls" | sort
  printf '%-22s %s\n' "audit rows" "$AUDIT_ROWS; scheduler steps: $STEPS"
  printf '%-22s %s\n' "rollovers completed" "ZSK $ZROLLS (old ZSK removed), KSK $KROLLS (old KSK removed)"
  printf '%-22s %s\n' "final states" "$STATUSES"
  printf '%-22s %s\n' "memory (kB)" "$(awk -v w="$WARMUP" '$1 >= w { if (!n++) { s = $5; d = $6 } e = $5; f = $6 }
    END { printf "PowerDNS signature cache %d -> %d entries, keystore %d -> %d kB (after the warm-up)", s, e, d, f }' "$T/rss.tsv")"
  printf '  %-16s %10s %10s %10s %10s %10s %10s %10s %s\n' process "RSS 1st/3" "RSS 3rd/3" \
    "RSS peak" "anon 1st" "anon 3rd" "anon +" allowed verdict
  awk '{ printf "  %-16s %10d %10d %10d %10d %10d %+10d %10d %s\n", $1, $2, $3, $4, $5, $6, $7, $9, $8 }' <<<"$MEMTAB"
  echo "checks:"
  for line in "${CHECKS[@]}"; do echo "  $line"; done
  echo "result: $([ "$FAILED" = 0 ] && echo PASS || echo "FAIL ($FAILED checks)")"
} | tee "$T/summary"
[ "$FAILED" = 0 ]
