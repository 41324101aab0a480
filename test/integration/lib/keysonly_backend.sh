# keysonly_backend.sh - the one body of the keys-only tests, run over each record backend with
# its real server: PowerDNS holds the records of child.sdtest. in BACKEND (bind, gsqlite3,
# gmysql, gpgsql, lmdb), scaidns-backend gives only its keys and metadata, and serves the parent
# sdtest. in full mode (the child's DS lives there). Source after pdns.sh, unbound.sh,
# rollover.sh and hook.sh, then call
#
#   ko_run BACKEND [--served-ttls]
#
# which: starts the backend's server (MariaDB, PostgreSQL: their own instance in a temp dir,
# stopped by PID), pdns_server with its REST API on loopback, scaidns-api with its scheduler and
# a validating unbound; writes the child's records through PowerDNS's REST API (the way
# operators' tools write them; bind: a zone file); enables DNSSEC through scaidns-api; checks
# delv's "fully validated"; rolls the ZSK and the KSK while unbound is asked without pause
# (0 SERVFAIL, every answer AD).
#
# --served-ttls: the child serves larger TTLs than the policy's (SOA minimum = DNSKEY TTL
# $KO_MIN, records $KO_TTL, policy DNSKEY TTL 2): the plan shows the served TTLs, the new ZSK
# signs only once the served DNSKEY TTL has passed; the API backends raise a record TTL through
# PowerDNS's REST API in the middle of the ZSK rollover, which postpones the old ZSK's removal;
# bind starts without allow-axfr-ips, so the first steps are held (audit row, rollover_held
# webhook, metric) until PowerDNS allows the transfer.

KO_MIN=${KO_MIN:-8}      # --served-ttls: the child's SOA TTL and minimum (DNSKEY TTL served)
KO_TTL=${KO_TTL:-10}     # --served-ttls: the child's record TTL
KO_RAISED=${KO_RAISED:-20} # --served-ttls: the TTL www is raised to mid-rollover
KO_APIKEY=ko-test-api-key

# Prints the wall clock.
now() { date +%s; }

# Starts a private MariaDB on a Unix socket in $T (no TCP), as root, with an empty pdns
# database holding PowerDNS's gmysql schema.
ko_mariadb_start() {
  command -v mariadbd >/dev/null || { echo "SKIP: mariadb-server not installed"; exit 0; }
  mkdir -p "$T/mysql"
  mariadb-install-db --no-defaults --user=root --datadir="$T/mysql" \
    --auth-root-authentication-method=normal --skip-test-db >"$T/mysql-install.log" 2>&1 ||
    { echo "FAIL: mariadb-install-db"; tail "$T/mysql-install.log"; exit 1; }
  mariadbd --no-defaults --user=root --datadir="$T/mysql" --socket="$T/mysql.sock" \
    --skip-networking --pid-file="$T/mysql.pid" --innodb-buffer-pool-size=16M \
    --innodb-log-file-size=8M --skip-log-bin --log-error="$T/mysql.err" 2>>"$T/mysql.err" &
  PIDS+=($!)
  for _ in $(seq 300); do
    mariadb --no-defaults -S "$T/mysql.sock" -u root -e 'SELECT 1' >/dev/null 2>&1 && break
    sleep 0.1
  done
  mariadb --no-defaults -S "$T/mysql.sock" -u root -e 'CREATE DATABASE pdns' ||
    { echo "FAIL: MariaDB did not start"; tail "$T/mysql.err"; exit 1; }
  mariadb --no-defaults -S "$T/mysql.sock" -u root pdns \
    </usr/share/doc/pdns-backend-mysql/schema.mysql.sql
}

# Starts a private PostgreSQL as the postgres user (PostgreSQL refuses root) in its own temp
# dir, on a Unix socket there (no TCP), with an empty pdns database holding PowerDNS's gpgsql
# schema. $PGD is the dir (removed by ko_cleanup).
ko_postgres_start() {
  local pgbin
  pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$pgbin" ] || { echo "SKIP: postgresql not installed"; exit 0; }
  id postgres >/dev/null 2>&1 || { echo "SKIP: no postgres user"; exit 0; }
  PGD=$(mktemp -d "${TMPDIR:-/tmp}/scaidns-pg.XXXXXX")
  chown postgres: "$PGD"
  chmod 700 "$PGD"
  setpriv --reuid=postgres --regid=postgres --init-groups \
    "$pgbin/initdb" -D "$PGD/data" -A trust -U postgres --no-sync >"$T/pg-init.log" 2>&1 ||
    { echo "FAIL: initdb"; tail "$T/pg-init.log"; exit 1; }
  setpriv --reuid=postgres --regid=postgres --init-groups \
    "$pgbin/postgres" -D "$PGD/data" -k "$PGD" -c listen_addresses= -c fsync=off \
    -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=16MB >"$T/pg.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 300); do
    psql -h "$PGD" -U postgres -d postgres -Atc 'SELECT 1' >/dev/null 2>&1 && break
    sleep 0.1
  done
  psql -h "$PGD" -U postgres -d postgres -qc 'CREATE DATABASE pdns' >/dev/null ||
    { echo "FAIL: PostgreSQL did not start"; tail "$T/pg.log"; exit 1; }
  psql -h "$PGD" -U postgres -d pdns -q -v ON_ERROR_STOP=1 \
    -f /usr/share/doc/pdns-backend-pgsql/schema.pgsql.sql >/dev/null
}

# Removes $PGD after everything stopped (pdns_cleanup stops the processes first).
ko_cleanup() {
  pdns_cleanup
  if [ -n "${PGD:-}" ] && [ "${KEEP:-0}" != 1 ]; then rm -rf "$PGD"; fi
}

# Prints the settings of pdns.conf.sample's [keys-only:$1] block, uncommented.
ko_sample_block() {
  awk -v tag="[keys-only:$1]" 'index($0, tag) { on = 1; next }
    on && (/^#[[:space:]]*$/ || !/^#/) { exit }
    on && /^# [a-z0-9-]+=/ { sub(/^# /, ""); print }' "$SCAIDNS_SRC/pdns.conf.sample"
}

# The pdns.conf lines of BACKEND ($KO_CONF): pdns.conf.sample's keys-only block for it, then
# the test's own paths and credentials (later lines win).
ko_backend_conf() {
  mapfile -t KO_CONF < <(ko_sample_block "$1")
  [ ${#KO_CONF[@]} -gt 0 ] || { echo "FAIL: pdns.conf.sample has no [keys-only:$1] block"; exit 1; }
  case $1 in
    bind) KO_CONF+=("bind-config=$T/named.conf") ;;
    gsqlite3) KO_CONF+=("gsqlite3-database=$T/pdns.sqlite3") ;;
    gmysql) KO_CONF+=("gmysql-socket=$T/mysql.sock" "gmysql-user=root" "gmysql-password=") ;;
    gpgsql) KO_CONF+=("gpgsql-host=$PGD" "gpgsql-user=postgres" "gpgsql-password=") ;;
    lmdb) KO_CONF+=("lmdb-filename=$T/pdns.lmdb") ;;
    *) echo "ko_run: unknown backend $1"; exit 1 ;;
  esac
}

# The child's zone file (bind) and the same records as PowerDNS REST rrsets ($T/child.json).
ko_child_records() {
  local min=$1 ttl=$2
  cat >"$T/child.zone" <<Z
\$TTL $ttl
@      $min SOA  ns1 hostmaster 1 3600 600 86400 $min
@      NS   ns1
ns1    A    127.0.0.1
www    A    192.0.2.1
www    AAAA 2001:db8::1
*.w    A    192.0.2.9
Z
  jq -n --argjson min "$min" --argjson ttl "$ttl" '{name: "child.sdtest.", kind: "Native",
    nameservers: [], soa_edit_api: "", rrsets: [
    {name: "child.sdtest.", type: "SOA", ttl: $min,
     records: [{content: "ns1.child.sdtest. hostmaster.child.sdtest. 1 3600 600 86400 \($min)", disabled: false}]},
    {name: "child.sdtest.", type: "NS", ttl: $ttl, records: [{content: "ns1.child.sdtest.", disabled: false}]},
    {name: "ns1.child.sdtest.", type: "A", ttl: $ttl, records: [{content: "127.0.0.1", disabled: false}]},
    {name: "www.child.sdtest.", type: "A", ttl: $ttl, records: [{content: "192.0.2.1", disabled: false}]},
    {name: "www.child.sdtest.", type: "AAAA", ttl: $ttl, records: [{content: "2001:db8::1", disabled: false}]},
    {name: "*.w.child.sdtest.", type: "A", ttl: $ttl, records: [{content: "192.0.2.9", disabled: false}]}]}' \
    >"$T/child.json"
}

# PowerDNS's REST API: pdns_api METHOD PATH [BODY]; body on stdout, an error fails the test.
pdns_api() {
  local code
  code=$(curl -s -o "$T/pdns-out.json" -w '%{http_code}' -X "$1" -H "X-API-Key: $KO_APIKEY" \
    ${3:+-H 'Content-Type: application/json' --data-binary "$3"} \
    "http://127.0.0.1:$WPORT/api/v1/servers/localhost$2")
  if [ "${code:0:1}" != 2 ]; then
    echo "FAIL: PowerDNS API $1 $2 -> $code: $(cat "$T/pdns-out.json")" >&2
    exit 1
  fi
  cat "$T/pdns-out.json"
}

# The newest audit row of the child for action: "at outcome detail".
ko_audit() {
  sqlite3 -separator ' ' "$T/scaidns.db" \
    "SELECT at, outcome, detail FROM audit WHERE zone = 'child.sdtest.' AND action = '$1' ORDER BY id DESC LIMIT 1"
}

# Waits up to $1 s for the child to have an audit row of action $2 with outcome $3.
ko_wait_audit() {
  local end=$((SECONDS + $1))
  until [ "$(sqlite3 "$T/scaidns.db" "SELECT count(*) FROM audit WHERE zone = 'child.sdtest.' AND action = '$2' AND outcome = '$3'")" -gt 0 ]; do
    [ $SECONDS -lt $end ] || { echo "FAIL: no $2 $3 audit row after $1 s"; tail -5 "$T/api.log"; exit 1; }
    sleep 0.5
  done
}

# Prints a metric of scaidns-api.
ko_metric() {
  curl -s -H "Authorization: Bearer $TOK" "$URL/metrics" | awk -v m="$1" '$1 == m { print $2 }'
}

# Writes pdns.conf: the record backend's block, the REST API, short caches, and the AXFR
# permission for scaidns-api unless $1 is "noaxfr".
ko_pdns_conf() {
  local axfr=(allow-axfr-ips=127.0.0.1)
  [ "${1:-}" != noaxfr ] || axfr=(allow-axfr-ips=)
  pdns_conf "$PORT" "${KO_CONF[@]}" cache-ttl=1 query-cache-ttl=1 negquery-cache-ttl=1 \
    dnssec-key-cache-ttl=1 zone-metadata-cache-ttl=1 webserver=yes api=yes \
    "api-key=$KO_APIKEY" webserver-address=127.0.0.1 "webserver-port=$WPORT" \
    webserver-allow-from=127.0.0.0/8 "${axfr[@]}"
}

# Starts the parent's own pdns_server on $PPORT: full mode (launch=remote only) on the same
# scaidns-backend, as a parent lives elsewhere. (One PowerDNS serving the parent from remote
# and the child from bind, launch=bind,remote, answers the child's DS query from the child.)
ko_parent_start() {
  PPORT=$(free_port)
  mkdir -p "$T/pdnsp" "$T/pdnsp-run"
  { grep -vE '^(launch|bind-|gsqlite3-|gmysql-|gpgsql-|lmdb-|webserver|api|allow-axfr)' "$T/pdns/pdns.conf"
    echo "launch=remote"
    echo "local-port=$PPORT"
    echo "socket-dir=$T/pdnsp-run"
  } >"$T/pdnsp/pdns.conf"
  pdns_server --config-dir="$T/pdnsp" >>"$T/pdnsp.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 150); do
    dig @127.0.0.1 -p "$PPORT" +time=1 +tries=1 +short version.bind CH TXT >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "FAIL: the parent's pdns_server did not start"; tail -30 "$T/pdnsp.log"; exit 1
}

ko_run() {
  local backend=$1 served=0 min=3 ttl=3
  [ "${2:-}" != --served-ttls ] || { served=1; min=$KO_MIN; ttl=$KO_TTL; }
  trap ko_cleanup EXIT
  for tool in delv unbound jq curl sqlite3; do
    command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed"; exit 1; }
  done
  case $backend in
    gmysql) ko_mariadb_start ;;
    gpgsql) ko_postgres_start ;;
    gsqlite3) sqlite3 "$T/pdns.sqlite3" </usr/share/doc/pdns-backend-sqlite3/schema.sqlite3.sql ;;
    lmdb) [ -e /usr/lib/x86_64-linux-gnu/pdns/liblmdbbackend.so ] ||
      { echo "SKIP: pdns-backend-lmdb not installed"; exit 0; } ;;
  esac
  ko_backend_conf "$backend"
  PORT=$(free_port)
  APORT=$(free_port)
  WPORT=$(free_port)
  hook_prepare
  sd_conf "pdns-control-socket=$T/pdns-run/pdns.controlsocket" "pdns-address=127.0.0.1:$PORT" \
    "api-listen=127.0.0.1:$APORT" "scheduler-interval=1" "${HOOK_CONF[@]}" \
    "policy-dnskey-ttl=2" "policy-propagation-delay=1" "policy-publish-safety=1" \
    "policy-retire-safety=1" "policy-parent-ds-ttl=3" "policy-parent-propagation-delay=1"
  ctl init >/dev/null
  TOK=$(ctl token create --name ko \
    --scopes dnssec:read,dnssec:enable,dnssec:rotate,dnssec:disable,zones:read,zones:write,metrics:read)
  cat >"$T/parent.zone" <<'Z'
$TTL 3
@          SOA ns1 hostmaster 1 3600 600 86400 2
@          NS  ns1
ns1        A   127.0.0.1
child      NS  ns1.child
ns1.child  A   127.0.0.1
Z
  ctl zone import sdtest "$T/parent.zone" >/dev/null
  ctl dnssec enable sdtest >/dev/null
  ctl dnssec confirm-ds sdtest >/dev/null
  ctl zone create child.sdtest. --keys-only >/dev/null
  ko_child_records "$min" "$ttl"
  printf 'zone "child.sdtest." { type master; file "%s"; };\n' "$T/child.zone" >"$T/named.conf"
  backend_start
  local hold=0
  [ "$backend" != bind ] || [ $served = 0 ] || hold=1
  if [ $hold = 1 ]; then ko_pdns_conf noaxfr; else ko_pdns_conf; fi
  pdns_start
  ko_parent_start
  hook_start
  api_restart
  if [ "$backend" != bind ]; then
    pdns_api POST /zones "$(cat "$T/child.json")" >/dev/null
    ok "$backend: the child's records written through PowerDNS's REST API"
  fi
  local i
  for i in $(seq 50); do
    q www.child.sdtest. A | grep -q '192.0.2.1' && break
    sleep 0.2
  done
  q www.child.sdtest. A | grep -q '192.0.2.1' && ok "$backend: PowerDNS serves the child's records" ||
    { bad "$backend: PowerDNS does not serve the child's records"; q www.child.sdtest. A; tail "$T/pdns.log"; exit 1; }

  api POST "$C/enable" '{"algorithm": 13}' >/dev/null
  if [ $hold = 1 ]; then
    # No allow-axfr-ips: the TTLs cannot be learned, so the DS-ready step is held.
    ko_wait_audit 20 served-ttls waiting
    grep -q 'allow-axfr-ips' <<<"$(ko_audit served-ttls)" &&
      ok "bind: steps held while PowerDNS refuses the transfer; the audit row names allow-axfr-ips" ||
      bad "bind: the held row does not name allow-axfr-ips: $(ko_audit served-ttls)"
    [ "$(ko_metric scaidns_scheduler_held_ttls_zones)" = 1 ] &&
      ok "bind: /metrics scaidns_scheduler_held_ttls_zones 1" ||
      bad "bind: held_ttls metric is $(ko_metric scaidns_scheduler_held_ttls_zones)"
    hook_wait 20 '.event == "rollover_held" and .sig_ok and .body.action == "served-ttls" and .body.outcome == "waiting"' &&
      ok "bind: rollover_held webhook for the unlearned TTLs" ||
      bad "bind: no rollover_held webhook: $(tail -3 "$HOOK_LOG")"
    [ "$(sqlite3 "$T/scaidns.db" "SELECT count(*) FROM keys k JOIN zones z ON z.id = k.zone_id WHERE z.name = 'child.sdtest.' AND k.cds_at IS NOT NULL")" = 0 ] &&
      ok "bind: no DS-ready step taken on guessed TTLs" || bad "bind: a step ran on guessed TTLs"
    pdns_stop
    ko_pdns_conf
    pdns_start
    ko_wait_audit 20 served-ttls ok
    ok "bind: TTLs learned once PowerDNS allows the transfer"
  fi
  if [ "$backend" != bind ]; then
    # PowerDNS wrote the records before the zone had keys, so without the NSEC ordering that
    # a signed zone needs: the operator rectifies once after enabling (README), as
    # `pdnsutil secure-zone` would have; later API changes are rectified by PowerDNS itself.
    pdns_api PUT /zones/child.sdtest./rectify >/dev/null
  fi
  q www.child.sdtest. TXT | grep -q 'status: NOERROR' &&
    ok "$backend: NODATA for www TXT (the zone is ordered for NSEC)" ||
    bad "$backend: www TXT: $(q www.child.sdtest. TXT | grep status:)"
  anchor_file child.sdtest. "$T/anchor-child.sdtest."
  local v
  v=$(dv child.sdtest. www.child.sdtest. A)
  grep -q 'fully validated' <<<"$v" && ok "$backend: delv: fully validated" ||
    { bad "$backend: delv did not validate"; echo "$v" | head; }
  if [ $served = 1 ]; then
    local plan
    plan=$(api GET "$C/plan")
    jq -e --argjson m "$min" --argjson t "$ttl" '.ttls.source == "served" and .ttls.soa_minimum == $m
      and .ttls.max_rrset_ttl == $t and .ttls.served.server != null' <<<"$plan" >/dev/null &&
      ok "$backend: GET .../plan shows the served TTLs (SOA minimum $min, largest $ttl)" ||
      bad "$backend: the plan does not show the served TTLs: $(jq -c .ttls <<<"$plan")"
  fi
  publish_ds_and_confirm
  unbound_start "$PPORT" sdtest. "child.sdtest.=127.0.0.1@$PORT"
  child_querier_start

  # ZSK rollover.
  local t0 act_at act old_zsk
  old_zsk=$(state | jq '[.zsk[] | select(.state == "active")][0].key_tag')
  t0=$(now)
  api POST "$C/rotate-zsk" >/dev/null
  # The new ZSK signs (the old one retired, or already gone on a loaded machine).
  wait_for 60 "([.zsk[] | select(.state == \"retired\")] | length == 1) or
    ([.zsk[] | select(.state == \"active\")][0].key_tag != $old_zsk)"
  act=$(ko_audit zsk-activate)
  act_at=${act%% *}
  if [ $served = 1 ]; then
    # The switch waits for the served DNSKEY TTL (the SOA minimum), not the policy's 2 s.
    [ "$act_at" -ge $((t0 + min + 2)) ] &&
      ok "$backend: the new ZSK signs $((act_at - t0)) s after rotate-zsk (served DNSKEY TTL $min + 2)" ||
      bad "$backend: the new ZSK signed after $((act_at - t0)) s, before the served DNSKEY TTL $min had passed"
    jq -e --argjson m "$min" '.ttls.source == "served" and .ttls.soa_minimum == $m' \
      <<<"${act#* ok }" >/dev/null && ok "$backend: the zsk-activate row keeps the served TTLs used" ||
      bad "$backend: zsk-activate evidence: $act"
    if [ "$backend" != bind ]; then
      # An operator's tool raises a TTL through PowerDNS's API in the middle of the rollover.
      pdns_api PATCH /zones/child.sdtest. "{\"rrsets\": [{\"name\": \"www.child.sdtest.\", \"type\": \"A\",
        \"ttl\": $KO_RAISED, \"changetype\": \"REPLACE\", \"records\": [{\"content\": \"192.0.2.1\", \"disabled\": false}]}]}" >/dev/null
      q www.child.sdtest. A | grep -qE "^www.child.sdtest.[[:space:]]+$KO_RAISED[[:space:]]" ||
        q www.child.sdtest. A | grep -q "$KO_RAISED" || true
      echo "     www A raised to TTL $KO_RAISED through PowerDNS's REST API at +$(($(now) - act_at)) s"
    fi
  fi
  wait_for 90 "$TWO_KEYS_ACTIVE"
  local rm
  rm=$(ko_audit zsk-remove)
  if [ $served = 1 ] && [ "$backend" != bind ]; then
    [ "${rm%% *}" -ge $((act_at + KO_RAISED + 2)) ] &&
      ok "$backend: the old ZSK left $((${rm%% *} - act_at)) s after the switch (raised TTL $KO_RAISED + 2)" ||
      bad "$backend: the old ZSK left $((${rm%% *} - act_at)) s after the switch, before the raised TTL $KO_RAISED had passed"
    [ "$(sqlite3 "$T/scaidns.db" "SELECT count(*) FROM audit WHERE zone = 'child.sdtest.' AND action = 'zsk-remove' AND outcome = 'postponed' AND detail LIKE '%\"max_rrset_ttl\":$KO_RAISED%'")" -ge 1 ] &&
      ok "$backend: the removal was postponed for the raised TTL (audit row)" ||
      bad "$backend: no postponed zsk-remove row naming the raised TTL"
  elif [ $served = 1 ]; then
    [ "${rm%% *}" -ge $((act_at + ttl + 2)) ] &&
      ok "$backend: the old ZSK left $((${rm%% *} - act_at)) s after the switch (served TTL $ttl + 2)" ||
      bad "$backend: the old ZSK left after $((${rm%% *} - act_at)) s, before the served TTL $ttl"
  fi
  ok "$backend: ZSK rollover finished"

  # KSK rollover.
  api POST "$C/rotate-ksk" >/dev/null
  publish_ds_and_confirm
  wait_for 90 "$TWO_KEYS_ACTIVE"
  ok "$backend: KSK rollover finished"
  child_querier_verdict 20
  ok "$backend: unbound validated every answer: $Q_TOTAL answers, $Q_SERVFAIL SERVFAIL"
  [ "${3:-}" != --foreign-key ] || ko_foreign_key "$backend"
  ctl audit verify >/dev/null && ok "$backend: the audit trail verifies" || bad "$backend: audit verify"
  finish
}

# The served DNSKEY tags of the child, sorted, one per line.
ko_served_tags() {
  q child.sdtest. DNSKEY +multi +tcp | sed -n 's/.*; key id = \([0-9]*\).*/\1/p' | sort -n
}

# Keys in two places: an operator adds a key with pdnsutil; it lands in the record backend's
# cryptokeys, and PowerDNS, asking the remote backend first, must keep serving scaidns's keys
# only (the hold for a key that is served is tested in test_served_ttls).
ko_foreign_key() {
  local backend=$1 before after id s
  before=$(ko_served_tags)
  id=$(pdnsutil_t add-zone-key child.sdtest. zsk active ecdsa256 2>"$T/pdnsutil.err" | tail -1) ||
    { bad "$backend: pdnsutil add-zone-key failed: $(cat "$T/pdnsutil.err")"; return; }
  [ "$(sqlite3 "$T/pdns.sqlite3" 'SELECT count(*) FROM cryptokeys')" = 1 ] &&
    echo "     pdnsutil add-zone-key wrote key $id into gsqlite3's cryptokeys"
  sleep 2 # PowerDNS's key cache: 1 s here
  after=$(ko_served_tags)
  [ "$before" = "$after" ] &&
    ok "$backend: the key pdnsutil added is not served (the remote backend's keys win)" ||
    bad "$backend: PowerDNS serves other keys after pdnsutil add-zone-key: $(echo $after)"
  s=$(api POST "$C/sync")
  jq -e '.in_sync == true and (.unknown_served_keys | length == 0)' <<<"$s" >/dev/null &&
    ok "$backend: sync: in sync, no unknown served key" ||
    bad "$backend: sync: $(jq -c '{in_sync, unknown_served_keys, unknown_served_keys_origin}' <<<"$s")"
  pdnsutil_t remove-zone-key child.sdtest. "$id" >/dev/null
}
