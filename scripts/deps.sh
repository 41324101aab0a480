#!/usr/bin/env bash
# Installs the Debian packages that building, running and testing scaidns need.
# A no-op when all are there; uses sudo when not run as root.
set -euo pipefail

PACKAGES=(
  # build
  build-essential cmake pkg-config clang clang-format
  libjansson-dev libsodium-dev libssl-dev libsqlite3-dev libcmocka-dev
  libmicrohttpd-dev libldns-dev libidn2-dev
  # libFuzzer's runtime for clang -fsanitize=fuzzer (scripts/fuzz.sh); only a recommendation
  # of clang, which --no-install-recommends leaves out
  libclang-rt-dev
  # PowerDNS and the DNS tools the tests use as oracles and peers
  pdns-server pdns-backend-remote pdns-backend-sqlite3
  # keys-only mode over every record backend, each with its real server (keysonly_*.sh)
  pdns-backend-bind pdns-backend-mysql pdns-backend-pgsql pdns-backend-lmdb
  mariadb-server postgresql
  ldnsutils bind9 bind9-dnsutils bind9-utils unbound dnsperf wrk
  # everyday tools of the scripts and tests
  sqlite3 curl jq python3 procps iproute2 openssl
  # setpriv: the access tests connect to the sockets as another user
  util-linux
  # the fault tests: a clock stepped under a running scaidns-api (fault_clock.sh)
  libfaketime
  # memcheck over the integration suite (scripts/valgrind.sh)
  valgrind
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "scaidns: installing ${missing[*]}" >&2
SUDO=()
[ "$(id -u)" -eq 0 ] || SUDO=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian enables the services of pdns-server and unbound where it can; scaidns runs its own
# private instances on loopback, so stop any system instance that may have started.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  "${SUDO[@]}" systemctl disable --now pdns unbound >/dev/null 2>&1 || true
fi
