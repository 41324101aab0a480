#!/usr/bin/env bash
# dist_units.sh - the systemd units in dist/: every key the deployment relies on is there
# (user, groups, socket directory and permissions, hardening, address families), the backend
# socket path agrees with scaidns.conf.sample and pdns.conf.sample, and, when systemd-analyze
# exists, `systemd-analyze verify` accepts both units (with ExecStart pointed at the built
# programs, since verify wants the binaries to exist).
set -euo pipefail
SRC=${SCAIDNS_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${SCAIDNS_BIN:-$SRC/build/bin}
FAILS=0
bad() { FAILS=$((FAILS + 1)); echo "FAIL: $*" >&2; }
# has UNIT LINE: the unit holds exactly this line.
has() { grep -qxF "$2" "$SRC/dist/$1" || bad "$1: missing '$2'"; }

for u in scaidns-backend.service scaidns-api.service; do
  [ -f "$SRC/dist/$u" ] || { bad "dist/$u missing"; continue; }
  for line in "User=scaidns" "NoNewPrivileges=yes" "ProtectSystem=strict" "ProtectHome=yes" \
    "PrivateTmp=yes" "ReadWritePaths=/var/lib/scaidns" "CapabilityBoundingSet=" "[Install]" \
    "WantedBy=multi-user.target"; do
    has "$u" "$line"
  done
  grep -q '^ExecStart=/[^ ]*/'"${u%.service}"' --config /etc/scaidns/scaidns.conf$' "$SRC/dist/$u" ||
    bad "$u: ExecStart does not run ${u%.service} --config /etc/scaidns/scaidns.conf"
done
has scaidns-backend.service "Group=pdns"
has scaidns-backend.service "RuntimeDirectory=scaidns"
has scaidns-backend.service "RuntimeDirectoryMode=0750"
has scaidns-backend.service "RestrictAddressFamilies=AF_UNIX"
has scaidns-backend.service "Before=pdns.service"
has scaidns-api.service "SupplementaryGroups=pdns"
has scaidns-api.service "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6"
# The socket the units prepare is the one both configuration samples name, with mode 0660.
grep -qx 'backend-socket=/run/scaidns/backend.sock' "$SRC/scaidns.conf.sample" || bad "scaidns.conf.sample: backend-socket is not /run/scaidns/backend.sock"
grep -qx 'backend-socket-mode=0660' "$SRC/scaidns.conf.sample" || bad "scaidns.conf.sample: backend-socket-mode is not 0660"
# Of the group that may reach the socket, the sample lets PowerDNS's user (pdns) connect.
grep -qx 'backend-allowed-uids=pdns' "$SRC/scaidns.conf.sample" || bad "scaidns.conf.sample: backend-allowed-uids is not pdns"
grep -q '^remote-connection-string=unix:path=/run/scaidns/backend.sock[,]' "$SRC/pdns.conf.sample" || bad "pdns.conf.sample: the socket path differs"
[ -f "$SRC/dist/README.md" ] || bad "dist/README.md missing"

if command -v systemd-analyze >/dev/null; then
  T=$(mktemp -d /tmp/scaidns-dist.XXXXXX)
  trap 'rm -rf "$T"' EXIT
  for u in scaidns-backend scaidns-api; do
    [ -x "$BIN/$u" ] || { bad "$BIN/$u not built"; continue; }
    sed "s#^ExecStart=/[^ ]*/$u #ExecStart=$BIN/$u #" "$SRC/dist/$u.service" >"$T/$u.service"
  done
  if ! systemd-analyze verify "$T/scaidns-backend.service" "$T/scaidns-api.service" >"$T/verify.out" 2>&1; then
    bad "systemd-analyze verify: $(cat "$T/verify.out")"
  elif grep -v 'pdns.service\|network-online' "$T/verify.out" | grep -q .; then
    bad "systemd-analyze verify warns: $(cat "$T/verify.out")"
  fi
else
  echo "note: systemd-analyze missing: the units were checked for their keys only"
fi
[ "$FAILS" = 0 ] || { echo "dist_units.sh: $FAILS checks FAILED" >&2; exit 1; }
echo "dist_units.sh: all checks passed"
