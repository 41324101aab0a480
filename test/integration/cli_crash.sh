#!/usr/bin/env bash
# cli_crash.sh - crash safety of the lifecycle transitions. A driver runs a stream of
# transitions with scaidnsctl (enable, confirm-ds, rotate-zsk, rotate-ksk, disable over several
# zones, algorithm 13) and is killed with SIGKILL, together with the scaidnsctl it is running,
# at random moments, ROUNDS times. After every kill:
#   - PRAGMA integrity_check is ok and foreign keys hold;
#   - every zone's status is one of the five;
#   - no key is half made: each live key has its sealed private key, key tag and public key,
#     each removed key has none; the keys of each zone fit its status (pending_ds: one KSK
#     waiting for its DS and one ZSK; active: one ZSK, every KSK's DS seen, one KSK not on its
#     way out; rotating_zsk: an active ZSK retiring and a published one coming; rotating_ksk:
#     one KSK waiting for its DS; every enabled zone has exactly one signing ZSK);
#   - `scaidnsctl audit verify` passes.
# At the end the driver runs once more to completion: the keystore is still usable.
#
# ROUNDS (default 20) and SEED (default: random, printed) can be set in the environment.
set -euo pipefail
. "${SCAIDNS_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}/test/integration/lib/cli.sh"
cli_init cli_crash
command -v setsid >/dev/null || fail "setsid is not installed (util-linux)"
command -v ps >/dev/null || fail "ps is not installed (procps)"

ROUNDS=${ROUNDS:-20}
SEED=${SEED:-$RANDOM}
RANDOM=$SEED
echo "cli_crash: $ROUNDS rounds, SEED=$SEED" >&2

ctl init >/dev/null
ZONES=(a.example b.example c.example d.example)
for z in "${ZONES[@]}"; do ctl zone create "$z" >/dev/null; done
echo "policy-algorithm=13" >>"$CONF"

# The driver: forever, pick a zone and make the next transition its status allows. Failures
# (a 409 after a crash left another state, a busy keystore) are ignored: the checks judge.
cat >"$T/driver.sh" <<'EOF'
set -u
BIN=$1 CONF=$2 DB=$3 SEED=$4
shift 4
ZONES=("$@")
RANDOM=$SEED
CUR=$DB.current # the pid of the scaidnsctl running now, for the killer's aim
while :; do
    z=${ZONES[RANDOM % ${#ZONES[@]}]}
    s=$(sqlite3 -cmd '.timeout 2000' "$DB" "SELECT status FROM dnssec_status WHERE zone = '$z.'" 2>/dev/null) || continue
    pre=()
    case "$s:$((RANDOM % 4))" in
    disabled:*) args=(enable "$z" --algorithm 13) ;;
    pending_ds:*) args=(confirm-ds "$z") ;;
    active:0 | active:1) args=(rotate-zsk "$z") ;;
    active:2) args=(rotate-ksk "$z") ;;
    active:3) args=(disable "$z") ;;
    rotating_ksk:3) args=(disable "$z") ;;
    rotating_ksk:*) pre=(--clock-offset=86400); args=(confirm-ds "$z") ;; # after ds_publish_after
    rotating_zsk:*) args=(disable "$z") ;; # its timed steps come from the scheduler
    *) continue ;;
    esac
    "$BIN/scaidnsctl" --config "$CONF" "${pre[@]}" dnssec "${args[@]}" >/dev/null 2>&1 &
    echo $! >"$CUR"
    wait $!
    [[ -z ${ONCE:-} ]] || { ONCE=$((ONCE - 1)); [[ $ONCE -gt 0 ]] || exit 0; }
done
EOF

# Checks the keystore after a crash; $1 names the round.
check_keystore() {
    local round=$1 v
    v=$(q 'PRAGMA integrity_check')
    [[ $v == ok ]] || fail "$round: integrity_check: $v"
    v=$(q 'PRAGMA foreign_key_check')
    [[ -z $v ]] || fail "$round: foreign_key_check: $v"
    v=$(q "SELECT zone || ' ' || status FROM dnssec_status WHERE status NOT IN ('disabled', 'pending_ds', 'active', 'rotating_ksk', 'rotating_zsk')")
    [[ -z $v ]] || fail "$round: zones in no valid status: $v"
    [[ $(q "SELECT count(*) FROM dnssec_status") == "${#ZONES[@]}" ]] || fail "$round: zones lost"
    # No half-made key.
    v=$(q "SELECT id || ' ' || role || ' ' || state FROM keys WHERE state <> 'removed' AND (sealed_private IS NULL OR length(sealed_private) < 48 OR key_tag IS NULL OR public_key IS NULL OR public_key = '' OR kid = '' OR publish_at IS NULL OR expires_at IS NULL)")
    [[ -z $v ]] || fail "$round: live keys without their material or timeline: $v"
    v=$(q "SELECT id FROM keys WHERE state = 'removed' AND sealed_private IS NOT NULL")
    [[ -z $v ]] || fail "$round: removed keys that still hold a private key: $v"
    v=$(q "SELECT id FROM keys WHERE (role = 'KSK') <> (flags = 257) OR algorithm <> 13")
    [[ -z $v ]] || fail "$round: keys with the wrong flags or algorithm: $v"
    # The keys of each zone fit its status.
    v=$(q "
      WITH live AS (SELECT * FROM keys WHERE state <> 'removed'),
      n AS (
        SELECT z.name, s.status,
          (SELECT count(*) FROM live WHERE zone_id = z.id AND role = 'KSK') AS ksk,
          (SELECT count(*) FROM live WHERE zone_id = z.id AND role = 'KSK' AND ds_seen_at IS NULL) AS ksk_waiting,
          (SELECT count(*) FROM live WHERE zone_id = z.id AND role = 'KSK' AND remove_at IS NULL) AS ksk_staying,
          (SELECT count(*) FROM live WHERE zone_id = z.id AND role = 'KSK' AND state = 'active') AS ksk_active,
          (SELECT count(*) FROM live WHERE zone_id = z.id AND role = 'ZSK') AS zsk,
          (SELECT count(*) FROM live WHERE zone_id = z.id AND role = 'ZSK' AND state = 'active') AS zsk_active,
          (SELECT count(*) FROM live WHERE zone_id = z.id AND role = 'ZSK' AND state = 'active' AND retire_at IS NOT NULL AND remove_at IS NOT NULL) AS zsk_retiring,
          (SELECT count(*) FROM live WHERE zone_id = z.id AND role = 'ZSK' AND state = 'published' AND activate_at IS NOT NULL) AS zsk_coming
        FROM zones z JOIN dnssec_status s ON s.zone = z.name)
      SELECT name || ' ' || status || ': ksk ' || ksk || ' waiting ' || ksk_waiting || ' staying ' || ksk_staying || ' active ' || ksk_active || ', zsk ' || zsk || ' active ' || zsk_active || ' retiring ' || zsk_retiring || ' coming ' || zsk_coming
      FROM n WHERE NOT CASE status
        WHEN 'disabled' THEN ksk = 0 AND zsk = 0
        WHEN 'pending_ds' THEN ksk = 1 AND ksk_waiting = 1 AND ksk_active = 1 AND zsk = 1 AND zsk_active = 1
        WHEN 'active' THEN ksk >= 1 AND ksk_waiting = 0 AND ksk_staying = 1 AND ksk_active = ksk AND zsk = 1 AND zsk_active = 1
        WHEN 'rotating_zsk' THEN ksk_waiting = 0 AND ksk_staying = 1 AND zsk = 2 AND zsk_active = 1 AND zsk_retiring = 1 AND zsk_coming = 1
        WHEN 'rotating_ksk' THEN ksk >= 2 AND ksk_waiting = 1 AND ksk_active = ksk AND zsk = 1 AND zsk_active = 1
        ELSE 0 END")
    [[ -z $v ]] || fail "$round: keys do not fit the status: $v"
    run ctl audit verify
    [[ $RC == 0 ]] || fail "$round: audit verify: $ERR"
    # Every zone's SOA is still there and readable.
    v=$(q "SELECT z.name FROM zones z WHERE (SELECT count(*) FROM rrsets s WHERE s.zone_id = z.id AND s.type = 'SOA') <> 1")
    [[ -z $v ]] || fail "$round: zones without their SOA: $v"
    CHECKS=$((CHECKS + 1))
}

DRIVER_PID=
# Kills the driver's whole session and waits until every process of it is gone (so that its
# locks on the keystore are released).
stop_driver() {
    [[ -n $DRIVER_PID ]] || return 0
    kill -KILL -- "-$DRIVER_PID" 2>/dev/null || true
    wait "$DRIVER_PID" 2>/dev/null || true
    for _ in $(seq 100); do
        # (zombies, left for the container's init to reap, hold no locks)
        # shellcheck disable=SC2009
        ps -o stat= -s "$DRIVER_PID" | grep -q '^[^Z]' || break
        sleep 0.02
    done
    DRIVER_PID=
}
# shellcheck disable=SC2154
trap '_rc=$?; stop_driver; (exit "$_rc"); cli_cleanup' EXIT

audit_rows=0
for round in $(seq 1 "$ROUNDS"); do
    # A session of its own, so that one kill reaches the driver and its scaidnsctl at once.
    setsid bash "$T/driver.sh" "$BIN" "$CONF" "$DB" "$RANDOM" "${ZONES[@]}" &
    DRIVER_PID=$!
    # After 50 to 300 ms (several transitions), aim at the scaidnsctl running then: the kill
    # lands 0 to 25 ms into it (a transition takes about 15 to 30 ms here), or just after.
    sleep "0.$(printf '%03d' $((50 + RANDOM % 250)))"
    pid=$(cat "$DB.current" 2>/dev/null || true)
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && break
        sleep 0.003
        pid=$(cat "$DB.current" 2>/dev/null || true)
    done
    sleep "0.0$(printf '%02d' $((RANDOM % 26)))"
    kill -0 "$DRIVER_PID" 2>/dev/null || fail "round $round: the driver was gone before the kill"
    stop_driver
    check_keystore "round $round"
    n=$(q "SELECT count(*) FROM audit")
    [[ $n -ge $audit_rows ]] || fail "round $round: audit rows went from $audit_rows to $n"
    audit_rows=$n
done

# The keystore is still usable: a clean run of the driver to its end.
ONCE=40 bash "$T/driver.sh" "$BIN" "$CONF" "$DB" "$RANDOM" "${ZONES[@]}" ||
    fail "the driver failed after the crashes"

# Something happened: the stream (the killed rounds and the clean run, which a slow build such
# as ASan may need to reach a KSK rollover) made transitions of every kind.
for action in dnssec-enable dnssec-confirm-ds dnssec-rotate-zsk dnssec-rotate-ksk dnssec-disable; do
    check "the stream made some $action" test "$(q "SELECT count(*) FROM audit WHERE action = '$action' AND outcome = 'ok'")" -gt 0
done
check_keystore "after a clean run"
for z in "${ZONES[@]}"; do
    s=$(q "SELECT status FROM dnssec_status WHERE zone = '$z.'")
    [[ $s == disabled || $s == rotating_zsk ]] || continue
    # Bring each zone through a complete cycle to be sure nothing is stuck.
    [[ $s == disabled ]] || ctl dnssec disable "$z" >/dev/null
    ctl dnssec enable "$z" >/dev/null || fail "enable $z after the crashes"
    ctl dnssec confirm-ds "$z" >/dev/null || fail "confirm-ds $z after the crashes"
    check "$z is active after a full cycle" test "$(q "SELECT status FROM dnssec_status WHERE zone = '$z.'")" = active
done
check_keystore "at the end"

echo "cli_crash: ok ($ROUNDS kills, $(q 'SELECT count(*) FROM audit') audit rows, $CHECKS checks)"
