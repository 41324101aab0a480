#!/usr/bin/env bash
# package_deb.sh - the Debian package as an operator uses it: scripts/package.sh builds it
# (lintian: no error or warning that dist/deb/lintian-overrides does not explain), dpkg
# installs it on this machine (user and group scaidns, /var/lib/scaidns 0700 with the
# keystore and seal key made by postinst, /etc/scaidns/scaidns.conf a conffile, the units'
# ExecStart naming the installed programs); the programs are started as the units would
# start them (their user, groups, umask and runtime directory; systemd does not run here)
# with a pdns_server as user pdns; DNSSEC is enabled on a zone through the API and delv
# validates an answer with the DS it gave; then dpkg -r and dpkg --purge must keep the
# keystore unchanged. Needs root (or sudo); it refuses to run where /var/lib/scaidns or the
# user scaidns exist already and were not made by this test, and removes what it made.
set -euo pipefail
SRC=${SCAIDNS_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
FAILS=0
CHECKS=0
ok() { CHECKS=$((CHECKS + 1)); echo "ok   $*"; }
bad() { CHECKS=$((CHECKS + 1)); FAILS=$((FAILS + 1)); echo "FAIL: $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
jqt() { jq -e "$1" "$2" >/dev/null; }
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  sudo -n true 2>/dev/null || { echo "FAIL: the package test needs root or password-less sudo"; exit 1; }
  SUDO=(sudo -n)
fi
for tool in dpkg lintian pdns_server delv dig setpriv curl jq; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed (scripts/deps.sh)"; exit 1; }
done
MARK=/var/lib/scaidns/.made-by-package-test
if dpkg-query -W -f='${Status}' scaidns 2>/dev/null | grep -q installed ||
  { [ -e /var/lib/scaidns ] && [ ! -e "$MARK" ]; } ||
  { getent passwd scaidns >/dev/null && [ ! -e "$MARK" ]; }; then
  echo "FAIL: scaidns is installed or /var/lib/scaidns or the user scaidns exist on this machine:"
  echo "      this test installs and removes the package system-wide and will not touch them"
  exit 1
fi

T=$(mktemp -d /tmp/scaidns-pkg.XXXXXX)
chmod 755 "$T" # pdns_server reads its configuration here as user pdns
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do "${SUDO[@]}" kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  "${SUDO[@]}" dpkg --purge scaidns >/dev/null 2>&1 || true
  # Only what this test made: the marker says so.
  if [ -e "$MARK" ]; then
    "${SUDO[@]}" rm -rf /var/lib/scaidns
    "${SUDO[@]}" deluser --quiet --system scaidns >/dev/null 2>&1 || true
    "${SUDO[@]}" delgroup --quiet --system scaidns >/dev/null 2>&1 || true
  fi
  "${SUDO[@]}" rm -rf /run/scaidns /etc/scaidns
  [ "${KEEP:-0}" = 1 ] || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- build and lint ------------------------------------------------------------------------
t0=$SECONDS
if ! deb=$(SCAIDNS_PKG_BUILD="${SCAIDNS_BUILD:-$T}/deb-build" "$SRC/scripts/package.sh" 2>"$T/package.log" | tail -1) ||
  [ ! -f "$deb" ]; then
  tail -40 "$T/package.log"
  echo "FAIL: scripts/package.sh"; exit 1
fi
ok "scripts/package.sh built $(basename "$deb") in $((SECONDS - t0)) s, lintian clean but for the overrides"
grep -E '^[EW]: ' "$T/package.log" && bad "lintian errors or warnings left" || true
contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
for f in ./usr/bin/scaidns-api ./usr/bin/scaidns-backend ./usr/bin/scaidnsctl ./etc/scaidns/scaidns.conf \
  ./lib/systemd/system/scaidns-api.service ./lib/systemd/system/scaidns-backend.service \
  ./usr/share/scaidns/schema/001_init.sql ./usr/share/scaidns/scaidns.conf.sample \
  ./usr/share/scaidns/pdns.conf.sample ./usr/share/doc/scaidns/copyright; do
  grep -qxF "$f" <<<"$contents" || bad "the package lacks $f"
done
ok "the package holds the programs, units, configuration, schema and samples"
check "/etc/scaidns/scaidns.conf is a conffile" bash -c "dpkg-deb -I '$deb' conffiles | grep -qx /etc/scaidns/scaidns.conf"

# --- install -------------------------------------------------------------------------------
"${SUDO[@]}" install -d -m 0700 /var/lib/scaidns
"${SUDO[@]}" touch "$MARK"
if ! "${SUDO[@]}" dpkg -i "$deb" >"$T/dpkg-i.log" 2>&1; then
  cat "$T/dpkg-i.log"; echo "FAIL: dpkg -i"; exit 1
fi
ok "dpkg -i installed it"
check "user and group scaidns exist" bash -c 'getent passwd scaidns >/dev/null && getent group scaidns >/dev/null'
check "scaidns is not made a member of pdns (the units give that group)" bash -c '! id -nG scaidns | grep -qw pdns'
check "/var/lib/scaidns is 0700 scaidns:scaidns" test "$(stat -c '%a %U:%G' /var/lib/scaidns)" = "700 scaidns:scaidns"
check "postinst made the keystore (0600 scaidns)" test "$(stat -c '%a %U' /var/lib/scaidns/scaidns.db 2>&1)" = "600 scaidns"
check "postinst made the seal key (0600 scaidns)" test "$(stat -c '%a %U' /var/lib/scaidns/seal.key 2>&1)" = "600 scaidns"
for u in backend api; do
  check "the $u unit runs /usr/bin/scaidns-$u" grep -qx "ExecStart=/usr/bin/scaidns-$u --config /etc/scaidns/scaidns.conf" \
    "/lib/systemd/system/scaidns-$u.service"
done
# A second configure (as an upgrade does) must not touch the keystore.
sum=$("${SUDO[@]}" sha256sum /var/lib/scaidns/scaidns.db /var/lib/scaidns/seal.key)
"${SUDO[@]}" dpkg-reconfigure scaidns >/dev/null 2>&1 || "${SUDO[@]}" dpkg --configure -a >/dev/null 2>&1 || true
check "configuring again keeps the keystore" test "$("${SUDO[@]}" sha256sum /var/lib/scaidns/scaidns.db /var/lib/scaidns/seal.key)" = "$sum"

# --- start as the units would --------------------------------------------------------------
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
PDNS_PORT=$(free_port)
API_PORT=$(free_port)
# What the units' ExecStart lines say, with the test's own ports (every key may be given on
# the command line too).
exec_of() { sed -n 's/^ExecStart=//p' "/lib/systemd/system/scaidns-$1.service"; }
OVR=(--pdns-address="127.0.0.1:$PDNS_PORT" --pdns-control-socket="$T/pdns-run/pdns.controlsocket"
  --api-listen="127.0.0.1:$API_PORT" --default-ns=ns1.pkg.example. --scheduler-interval=2)
# RuntimeDirectory=scaidns, RuntimeDirectoryMode=0750, User=scaidns, Group=pdns, UMask=0077
"${SUDO[@]}" install -d -o scaidns -g pdns -m 0750 /run/scaidns
# shellcheck disable=SC2046
"${SUDO[@]}" setpriv --reuid=scaidns --regid=pdns --clear-groups -- sh -c "umask 077; exec $(exec_of backend)" \
  2>"$T/backend.log" &
PIDS+=($!)
for _ in $(seq 100); do [ -S /run/scaidns/backend.sock ] && break; sleep 0.1; done
check "scaidns-backend listens on /run/scaidns/backend.sock (0660 scaidns:pdns)" \
  test "$(stat -c '%a %U:%G' /run/scaidns/backend.sock 2>&1)" = "660 scaidns:pdns"
mkdir -p "$T/pdns" "$T/pdns-run"
"${SUDO[@]}" chown pdns:pdns "$T/pdns-run"
chmod 0750 "$T/pdns-run"
cat >"$T/pdns/pdns.conf" <<PDNS
launch=remote
remote-connection-string=unix:path=/run/scaidns/backend.sock
remote-dnssec=yes
direct-dnskey=yes
setuid=pdns
setgid=pdns
local-address=127.0.0.1
local-port=$PDNS_PORT
socket-dir=$T/pdns-run
guardian=no
daemon=no
disable-syslog=yes
loglevel=4
security-poll-suffix=
cache-ttl=0
query-cache-ttl=0
negquery-cache-ttl=0
dnssec-key-cache-ttl=0
zone-metadata-cache-ttl=0
zone-cache-refresh-interval=0
PDNS
chmod 644 "$T/pdns/pdns.conf"
"${SUDO[@]}" pdns_server --config-dir="$T/pdns" >"$T/pdns.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do
  dig @127.0.0.1 -p "$PDNS_PORT" +time=1 +tries=1 version.bind CH TXT >/dev/null 2>&1 && break
  sleep 0.1
done
# User=scaidns, Group=scaidns, SupplementaryGroups=pdns, UMask=0077
"${SUDO[@]}" setpriv --reuid=scaidns --regid=scaidns --groups=pdns -- sh -c "umask 077; exec $(exec_of api) $(printf '%q ' "${OVR[@]}")" \
  2>"$T/api.log" &
PIDS+=($!)
URL=http://127.0.0.1:$API_PORT
for _ in $(seq 100); do curl -s -o /dev/null "$URL/healthz" && break; sleep 0.1; done
check "scaidns-api answers /healthz" bash -c "curl -s '$URL/healthz' | jq -e '.status == \"ok\"' >/dev/null"
check "the installed scaidns-api serves the status page" bash -c "curl -s '$URL/ui/' | grep -q '<script src=\"ui.js\"'"

# --- DNSSEC through the API, validated by delv -----------------------------------------------
TOKEN=$("${SUDO[@]}" runuser -u scaidns -- /usr/bin/scaidnsctl --config /etc/scaidns/scaidns.conf token create \
  --name pkgtest --scopes zones:read,zones:write,dnssec:read,dnssec:enable)
api() {
  curl -s -X "$1" "$URL$2" -H "Authorization: Bearer $TOKEN" ${3:+-H 'Content-Type: application/json' -d "$3"}
}
api POST /api/v1/domains '{"name": "pkg.example", "ns": ["ns1.pkg.example."], "ttl": 60}' >"$T/zone.json"
check "zone created" jqt '.name == "pkg.example."' "$T/zone.json"
api PUT /api/v1/domains/pkg.example./rrsets/www/A '{"ttl": 60, "records": ["192.0.2.1"]}' >/dev/null
api POST /api/v1/domains/pkg.example./dnssec/enable '{"algorithm": 13}' >"$T/enable.json"
check "DNSSEC enabled" jqt '.status == "pending_ds"' "$T/enable.json"
ds=$(jq -r '.ds_records[] | select(.digest_type == 2) | .ds' "$T/enable.json")
read -r _ _ _ tag alg dt digest <<<"$ds"
printf 'trust-anchors { "pkg.example." static-ds %s %s %s "%s"; };\n' "$tag" "$alg" "$dt" "$digest" >"$T/anchor.conf"
for _ in $(seq 30); do
  delv @127.0.0.1 -p "$PDNS_PORT" -a "$T/anchor.conf" +root=pkg.example. www.pkg.example. A >"$T/delv.out" 2>&1 || true
  grep -q '; fully validated' "$T/delv.out" && break
  sleep 1
done
check "delv: fully validated with the DS the API gave" grep -q '; fully validated' "$T/delv.out" ||
  { cat "$T/delv.out"; tail -5 "$T/backend.log" "$T/pdns.log" "$T/api.log"; }

for pid in "${PIDS[@]}"; do "${SUDO[@]}" kill "$pid" 2>/dev/null || true; done
for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
PIDS=()

# --- removal keeps the keystore ------------------------------------------------------------
sum=$("${SUDO[@]}" sha256sum /var/lib/scaidns/scaidns.db /var/lib/scaidns/seal.key /var/lib/scaidns/seal.key.pub)
"${SUDO[@]}" dpkg -r scaidns >"$T/dpkg-r.log" 2>&1 || { cat "$T/dpkg-r.log"; bad "dpkg -r"; }
check "dpkg -r removed the programs" test ! -e /usr/bin/scaidns-api
check "dpkg -r kept the keystore and seal key unchanged" \
  test "$("${SUDO[@]}" sha256sum /var/lib/scaidns/scaidns.db /var/lib/scaidns/seal.key /var/lib/scaidns/seal.key.pub)" = "$sum"
check "dpkg -r kept /etc/scaidns/scaidns.conf (conffile)" test -f /etc/scaidns/scaidns.conf
"${SUDO[@]}" dpkg --purge scaidns >"$T/dpkg-purge.log" 2>&1 || { cat "$T/dpkg-purge.log"; bad "dpkg --purge"; }
check "dpkg --purge kept the keystore too, and says so" bash -c \
  "test \"\$(${SUDO[*]} sha256sum /var/lib/scaidns/scaidns.db /var/lib/scaidns/seal.key /var/lib/scaidns/seal.key.pub)\" = '$sum' && grep -q 'is kept' '$T/dpkg-purge.log'"
check "dpkg --purge removed /etc/scaidns/scaidns.conf" test ! -e /etc/scaidns/scaidns.conf

echo "$((CHECKS - FAILS)) passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
