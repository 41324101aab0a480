# faults.sh - helpers of the fault tests (fault_*.sh): a call to the API that records the
# status instead of failing, a lock held on the keystore by the sqlite3 shell, and a loop
# asking PowerDNS directly. Source after pdns.sh and rollover.sh (uses $T, $URL, $TOK, q).
#
#   call_api PUT /api/v1/... '{"ttl": 3, ...}'   # $CODE, $SECS; body $T/call.json, headers $T/call.hdr
#   error_is 503                                 # the last reply is a JSON error with that code
#   hold_lock 8                                  # sqlite3 holds the write lock for 8 s ($LOCK_PID)
#   release_lock                                 # waits for it to end
#   dig_loop_start www.child.sdtest. A / dig_loop_stop   # one line a question in $T/dig.log
#   db_ok                                        # integrity_check and audit verify pass
#   small_fs 3m / fill_fs DIR                    # the keystore moved to a small tmpfs; fill it
#   eventually 5 served www.x. A 192.0.2.1       # polls a command until it passes
#   window_open; ...; window_close               # an outage; unexcused FILE SLACK COND
#                                                #   prints bad answers outside the outages

# call_api METHOD PATH [BODY]: sets CODE and SECS (the time taken); never fails the test.
call_api() {
  local out
  out=$(curl -s -o "$T/call.json" -D "$T/call.hdr" -w '%{http_code} %{time_total}' --max-time 30 \
    -X "$1" -H "Authorization: Bearer $TOK" \
    ${3:+-H 'Content-Type: application/json' --data-binary "$3"} "$URL$2" || echo "000 30")
  CODE=${out%% *}
  SECS=${out#* }
}

# error_is STATUS: the last reply has that status and a JSON body {"error": "...", "code": STATUS}.
error_is() {
  [ "$CODE" = "$1" ] &&
    jq -e --argjson c "$1" '(.error | type == "string" and length > 0) and .code == $c' \
      "$T/call.json" >/dev/null
}

# retry_after: the Retry-After header of the last reply (empty when none).
retry_after() {
  tr -d '\r' <"$T/call.hdr" | awk -F': ' 'tolower($1) == "retry-after" { print $2 }'
}

# hold_lock SECONDS [PRAGMA...]: the sqlite3 shell takes the keystore's write lock (BEGIN
# IMMEDIATE and a write) and holds it for SECONDS; returns once it holds it. LOCK_PID.
hold_lock() {
  local secs=$1
  shift
  rm -f "$T/lock.held"
  sqlite3 -cmd '.timeout 10000' "$T/scaidns.db" "$@" "BEGIN IMMEDIATE;" \
    "UPDATE zones SET kind = kind WHERE id = (SELECT min(id) FROM zones);" \
    ".shell touch $T/lock.held" ".shell sleep $secs" "COMMIT;" >"$T/lock.out" 2>&1 &
  LOCK_PID=$!
  for _ in $(seq 100); do
    [ -e "$T/lock.held" ] && return 0
    kill -0 "$LOCK_PID" 2>/dev/null || break
    sleep 0.05
  done
  echo "FAIL: sqlite3 did not get the write lock: $(cat "$T/lock.out")"
  exit 1
}

release_lock() {
  wait "$LOCK_PID" 2>/dev/null || true
}

# dig_loop_start NAME TYPE: asks PowerDNS (DO bit, 1 s timeout) without pause until
# dig_loop_stop; each line of $T/dig.log: epoch status rrsig-count answer-rdata... An @ in
# NAME becomes a new random number each time (a name no cache holds, under a wildcard).
dig_loop_start() {
  rm -f "$T/dig.stop"
  : >"$T/dig.log"
  (
    # One dig and one awk a question (no other process), so that a loaded machine still asks
    # several times a second: "time status sigs rdata... " (rdata sorted, each followed by a
    # space).
    while [ ! -e "$T/dig.stop" ]; do
      out=$(dig @127.0.0.1 -p "$PORT" +norec +dnssec +time=1 +tries=1 "${1//@/$RANDOM}" "$2" 2>&1) ||
        true
      echo "$EPOCHREALTIME $(awk -v t="$2" '
        st == "" && /status: [A-Z]/ { x = $0; sub(/.*status: /, "", x); sub(/[^A-Z].*/, "", x); st = x }
        $4 == "RRSIG" && $5 == t { sigs++ }
        $1 !~ /^;/ && $4 == t { $1 = $2 = $3 = $4 = ""; sub(/^ */, ""); r[++n] = $0 }
        END {
          for (i = 2; i <= n; i++) {
            v = r[i]
            for (j = i - 1; j > 0 && r[j] > v; j--) r[j + 1] = r[j]
            r[j + 1] = v
          }
          line = (st == "" ? "TIMEOUT" : st) " " (sigs + 0) " "
          for (i = 1; i <= n; i++) line = line r[i] " "
          print line
        }' <<<"$out")" >>"$T/dig.log"
      sleep 0.02
    done
  ) &
  DIG_PID=$!
  PIDS+=($!)
}

dig_loop_stop() {
  touch "$T/dig.stop"
  wait "$DIG_PID" 2>/dev/null || true
}

# db_ok: the keystore passes PRAGMA integrity_check and its audit chain verifies.
db_ok() {
  [ "$(sqlite3 -cmd '.timeout 5000' "$T/scaidns.db" 'PRAGMA integrity_check')" = ok ] &&
    ctl audit verify >/dev/null
}

# backend_ask JSON: sends one request line to scaidns-backend's socket; prints the reply line
# and, on the next line, the seconds it took (at most 5 s are waited).
backend_ask() {
  python3 - "$T/backend.sock" "$1" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sys.argv[1])
t = time.monotonic()
s.sendall(sys.argv[2].encode() + b"\n")
buf = b""
try:
    while not buf.endswith(b"\n"):
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
except socket.timeout:
    pass
print(buf.decode().strip() or "NO REPLY")
print("%.3f" % (time.monotonic() - t))
PY
}

# small_fs SIZE: moves the keystore of a running world (rollover.sh) onto a tmpfs of SIZE
# (e.g. 3m) mounted on $T/small, $T/scaidns.db becoming a symbolic link to it (SQLite keeps
# its -wal and -shm beside the link's target); scaidns-api and scaidns-backend are stopped
# for the move and started again. The EXIT trap unmounts it. Ends the test with SKIP when
# mount is impossible (not root, no CAP_SYS_ADMIN).
small_fs() {
  mkdir -p "$T/small"
  if ! mount -t tmpfs -o "size=$1,mode=0700" tmpfs "$T/small" 2>"$T/mount.err"; then
    echo "SKIP: cannot mount a tmpfs for the keystore: $(cat "$T/mount.err")"
    exit 0
  fi
  trap 'small_fs_cleanup' EXIT
  api_kill
  kill "$BACKEND_PID"
  wait "$BACKEND_PID" 2>/dev/null || true
  sqlite3 -cmd '.timeout 5000' "$T/scaidns.db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
  mv "$T/scaidns.db" "$T/small/scaidns.db"
  rm -f "$T/scaidns.db-wal" "$T/scaidns.db-shm"
  ln -s "$T/small/scaidns.db" "$T/scaidns.db"
  backend_start
  api_restart
}

small_fs_cleanup() {
  local keep=${KEEP:-0}
  KEEP=1
  pdns_cleanup
  umount "$T/small" 2>/dev/null || umount -l "$T/small" 2>/dev/null || true
  [ "$keep" = 1 ] || rm -rf "$T"
}

# fill_fs DIR: fills DIR's file system to the last byte ($DIR/fill).
fill_fs() {
  dd if=/dev/zero of="$1/fill" bs=4k 2>/dev/null || true
}

# db_sum: the sha256 of the keystore's SQL dump.
db_sum() {
  sqlite3 -cmd '.timeout 5000' "$T/scaidns.db" .dump | sha256sum | cut -d' ' -f1
}

# eventually SECONDS COMMAND...: true once COMMAND succeeds, false after SECONDS without.
eventually() {
  local end=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $end ] || return 1
    sleep 0.2
  done
}

# served NAME TYPE VALUE: PowerDNS answers NAME TYPE with exactly VALUE.
served() {
  [ "$(q "$1" "$2" +short)" = "$3" ]
}

# window_open / window_close: mark the start and end of an outage in $T/windows.
window_open() { printf '%s' "$(date +%s.%N)" >>"$T/windows"; }
window_close() { echo " $(date +%s.%N)" >>"$T/windows"; }

# unexcused FILE SLACK BAD: prints the lines of FILE (first field: epoch) for which the awk
# condition BAD holds and that fall outside every outage of $T/windows stretched by SLACK s.
unexcused() {
  awk -v slack="$2" "NR == FNR { s[NR] = \$1; e[NR] = \$2; n = NR; next }
    $3 { ok = 0; for (i = 1; i <= n; i++) if (\$1 >= s[i] && \$1 <= e[i] + slack) ok = 1
         if (!ok) print }" "$T/windows" "$1"
}

# dig_bad VALUE: the awk condition of a dig_loop_start line that is not a signed NOERROR
# answer with exactly VALUE; UNBOUND_BAD: of a querier line (unbound.sh) not validated.
dig_bad() { echo "!(\$2 == \"NOERROR\" && \$3 >= 1 && \$4 == \"$1\" && NF == 4)"; }
UNBOUND_BAD='!(($4 == "NOERROR" || $4 == "NXDOMAIN") && $5 == "ad")'

# unbound_bogus [SLACK]: the validation failures unbound logged ("[epoch] unbound...: info:
# validation failure <...>"); with SLACK, only those outside the outages of $T/windows
# stretched by SLACK s (a DNSKEY query that fails while a server is away is logged as one).
unbound_bogus() {
  # (the epoch is whole seconds, cut down: + 1 so that it is not before the true time)
  grep -iE 'validation failure|bogus' "$T/unbound.log" 2>/dev/null |
    awk '{ t = substr($1, 2, length($1) - 2) + 1; $1 = t; print }' >"$T/bogus.log" || true
  if [ $# -gt 0 ]; then unexcused "$T/bogus.log" "$1" 1; else cat "$T/bogus.log"; fi
}

# lateness FILE BAD: the most seconds by which a bad line (awk condition BAD) of FILE came
# after the end of the outage before it (0.0 when none came after one).
lateness() {
  awk "NR == FNR { s[NR] = \$1; e[NR] = \$2; n = NR; next }
    $2 { for (i = n; i >= 1; i--) if (\$1 >= s[i]) { d = \$1 - e[i]; if (d > m) m = d; break } }
    END { printf \"%.1f\", m }" "$T/windows" "$1"
}
