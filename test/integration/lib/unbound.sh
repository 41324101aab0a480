# unbound.sh - a validating unbound on loopback for the rollover tests, and a querier that
# asks it without pause and logs every answer. Source after pdns.sh (uses $T, PIDS, free_port).
#
#   unbound_start PORT_OF_PDNS "test." "child.test."   # trusts the first zone's DS; $UPORT
#   unbound_start PORT "test." "child.test.=127.0.0.1@5353"   # a stub elsewhere
#   unbound_start PORT "test." "child.test.=127.0.0.1@5353,127.0.0.1@5354"   # two servers
#   (the addresses separated by commas or spaces)
#   querier_start "www.child.test. A" "child.test. DNSKEY" ...   # background, logs to $T/q.log
#   querier_stop                                         # waits for the loop to end
#   querier_report                                       # counts; sets Q_TOTAL, Q_BAD

# Writes the trust anchor of zone (its DS from the keystore) to $T/anchor.
unbound_anchor() {
  local zone=$1
  ctl ds "$zone" | awk '$0 ~ / DS [0-9]+ [0-9]+ 2 / { sub(/ IN /, " "); print }' >"$T/anchor"
  [ -s "$T/anchor" ] || { echo "FAIL: no DS for $zone"; return 1; }
}

# Starts unbound on a free port ($UPORT): stub zones for every zone given (all served by the
# pdns_server on port $1, unless given as ZONE=ADDR@PORT), trusting the first zone's DS. Its
# cache lives as long as it runs.
unbound_start() {
  local pdns_port=$1; shift
  command -v unbound >/dev/null || { echo "FAIL: unbound is not installed"; exit 1; }
  unbound_anchor "$1"
  UPORT=$(free_port)
  {
    echo "server:"
    echo "  interface: 127.0.0.1"
    echo "  port: $UPORT"
    echo "  do-daemonize: no"
    echo "  use-syslog: no"
    echo "  logfile: \"$T/unbound.log\""
    echo "  username: \"\""
    echo "  chroot: \"\""
    echo "  directory: \"$T\""
    echo "  pidfile: \"$T/unbound.pid\""
    echo "  do-ip6: no"
    echo "  do-not-query-localhost: no"
    echo "  access-control: 127.0.0.0/8 allow"
    echo "  trust-anchor-file: \"$T/anchor\""
    echo "  module-config: \"validator iterator\""
    echo "  verbosity: 1"
    echo "  val-log-level: 2"
    echo "  prefetch: no"
    echo "  serve-expired: no"
    echo "  cache-min-ttl: 0"
    echo "  val-bogus-ttl: 5"
    echo "  num-threads: 1"
    local line
    for line in ${UNBOUND_EXTRA:+"${UNBOUND_EXTRA[@]}"}; do echo "  $line"; done
    local z
    for z in "$@"; do
      echo "stub-zone:"
      echo "  name: \"${z%%=*}\""
      if [ "$z" != "${z%%=*}" ]; then
        local a
        for a in $(tr ',' ' ' <<<"${z#*=}"); do echo "  stub-addr: $a"; done
      else echo "  stub-addr: 127.0.0.1@$pdns_port"; fi
    done
    echo "remote-control:"
    echo "  control-enable: no"
  } >"$T/unbound.conf"
  unbound -d -c "$T/unbound.conf" >>"$T/unbound.out" 2>&1 &
  PIDS+=($!)
  UNBOUND_PID=$!
  for _ in $(seq 100); do
    if dig @127.0.0.1 -p "$UPORT" +time=1 +tries=1 "$1" SOA >/dev/null 2>&1; then return 0; fi
    kill -0 "$UNBOUND_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "FAIL: unbound did not start"; cat "$T/unbound.out" "$T/unbound.log" 2>/dev/null | tail -20
  return 1
}

# One question to unbound (UQ_TIMEOUT seconds, 4 by default); prints "epoch name type status
# ad|noad".
# One process a question (dig; the answer is read with bash's own patterns), so that a loaded
# machine still asks several times a second.
uq() {
  local out st=TIMEOUT ad=noad re_st='status: ([A-Z]+)' re_ad=';; flags:[^;]* ad[ ;]'
  out=$(dig @127.0.0.1 -p "$UPORT" +dnssec +time="${UQ_TIMEOUT:-4}" +tries=1 "$1" "$2" 2>&1) || true
  [[ $out =~ $re_st ]] && st=${BASH_REMATCH[1]}
  [[ $out =~ $re_ad ]] && ad=ad
  echo "$EPOCHREALTIME $1 $2 $st $ad"
}

# Starts the querier: asks each "name type" in turn, without pause, until querier_stop.
querier_start() {
  rm -f "$T/q.stop"
  : >"$T/q.log"
  (
    while [ ! -e "$T/q.stop" ]; do
      for q in "$@"; do
        # shellcheck disable=SC2086
        uq $q >>"$T/q.log"
      done
    done
  ) &
  QUERIER_PID=$!
  PIDS+=($!)
}

querier_stop() {
  touch "$T/q.stop"
  wait "$QUERIER_PID" 2>/dev/null || true
}

# Counts the answers in the log; an answer is good when it is NOERROR or NXDOMAIN with AD.
querier_report() {
  Q_TOTAL=$(wc -l <"$T/q.log")
  Q_BAD=$(awk '!(($4 == "NOERROR" || $4 == "NXDOMAIN") && $5 == "ad")' "$T/q.log" | wc -l)
  Q_SERVFAIL=$(awk '$4 == "SERVFAIL"' "$T/q.log" | wc -l)
}

# Prints the first few bad answers and unbound's view of them.
querier_show_bad() {
  awk '!(($4 == "NOERROR" || $4 == "NXDOMAIN") && $5 == "ad")' "$T/q.log" | head -10
  grep -iE 'bogus|validation failure' "$T/unbound.log" 2>/dev/null | head -10 || true
}
