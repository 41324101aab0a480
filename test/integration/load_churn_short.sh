#!/usr/bin/env bash
# load_churn_short.sh - bench/load_churn.sh at CI size: 30 s of dnsperf (DO bit) through
# pdns_server and scaidns-backend on 30 zones while 3 API clients (one of them always on the same
# zone) enable, confirm, rotate, abort and disable at random and the scheduler completes
# rollovers. It must pass every check of the full run: no SERVFAIL, no 5xx, every state-changing
# 200 with exactly one audit row of its client (each rollover 200 naming the key it made), each
# zone's status agreeing with its audit trail, integrity_check and the audit chain ok, PowerDNS
# serving exactly the keystore's keys afterwards, a clean stop, and flat memory (plain builds).
set -euo pipefail
SRC=${SCAIDNS_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v dnsperf >/dev/null || { echo "FAIL: dnsperf not installed (scripts/deps.sh)"; exit 1; }
CLIENTS=3 HOT=1 QPS=1000 SAMPLE=2 WARMUP=8 exec bash "$SRC/bench/load_churn.sh" \
  "${SCAIDNS_BIN:-$SRC/build/bin}" 30 30
