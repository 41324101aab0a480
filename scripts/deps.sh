#!/usr/bin/env bash
# Installs the Debian packages that building, running and testing scaidns need.
# A no-op when all are there; uses sudo when not run as root. When another apt or dpkg holds
# the package lock, it waits for it up to SCAIDNS_APT_LOCK_WAIT seconds (600 by default),
# saying so, instead of failing at once. apt's own progress (downloads, unpacking) is shown.
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
  # Knot DNS as a second kind of TSIG secondary (secondary_tsig.sh)
  knot
  # everyday tools of the scripts and tests
  sqlite3 curl jq python3 procps iproute2 openssl
  # setpriv: the access tests connect to the sockets as another user
  util-linux
  # the fault tests: a clock stepped under a running scaidns-api (fault_clock.sh)
  libfaketime
  # memcheck over the integration suite (scripts/valgrind.sh)
  valgrind
  # the status page's browser test (test/integration/ui_status_page.sh): headless Chromium
  # driven over WebDriver
  chromium chromium-driver
  # the Debian package (scripts/package.sh) and its checks (test/integration/package_deb.sh)
  dpkg-dev fakeroot lintian adduser
)

# One dpkg-query for all (one per package takes seconds on a busy machine).
# (dpkg-query fails when any package is unknown to dpkg: its output still lists the others)
installed=" $({ dpkg-query -W -f='${Package}=${Status}\n' "${PACKAGES[@]}" 2>/dev/null || true; } |
  sed -n 's/=install ok installed$//p' | tr '\n' ' ') "
missing=()
for p in "${PACKAGES[@]}"; do
  [[ "$installed" == *" $p "* ]] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "scaidns: installing ${#missing[@]} Debian packages: ${missing[*]}" >&2
SUDO=()
[ "$(id -u)" -eq 0 ] || SUDO=(sudo)
export DEBIAN_FRONTEND=noninteractive
wait_s=${SCAIDNS_APT_LOCK_WAIT:-600}
# DPkg::Lock::Timeout makes apt-get install wait for the dpkg lock (apt prints "Waiting for
# cache lock ... held by process N"); apt-get update does not honour it for its lists lock, so
# update is retried while another apt holds that lock, up to the same bound.
APT=("${SUDO[@]}" apt-get -o DPkg::Lock::Timeout="$wait_s" -o Dpkg::Use-Pty=0)
echo "scaidns: apt-get update (if another apt or dpkg is running: waiting up to ${wait_s} s for its lock)" >&2
deadline=$((SECONDS + wait_s))
while :; do
  if out=$("${APT[@]}" update -q 2>&1); then break; fi
  if ! grep -q 'Could not get lock' <<<"$out" || [ "$SECONDS" -ge "$deadline" ]; then
    echo "$out" >&2
    echo "scaidns: apt-get update failed" >&2
    exit 1
  fi
  echo "scaidns: $(grep -m1 -o 'It is held by process.*' <<<"$out" || echo 'the apt lists lock is held'); waiting ($((deadline - SECONDS)) s left)" >&2
  sleep 5
done
echo "scaidns: apt-get install (download, then unpack and set up each package)" >&2
if ! "${APT[@]}" install -y -q --no-install-recommends "${missing[@]}" 2>&1 |
  grep --line-buffered -E '^(Need to get|Get:[0-9]+|Setting up|Waiting for|E:|W:)' |
  sed -u -E 's/^Get:([0-9]+) [^ ]+ [^ ]+ [^ ]+ ([^ ]+) .*/  downloading #\1 \2/; s/^/  /' >&2; then
  echo "scaidns: apt-get install failed" >&2
  exit 1
fi
for p in "${missing[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
    { echo "scaidns: package $p is still not installed (see apt-get's messages above)" >&2; exit 1; }
done
# Debian enables the services of pdns-server and unbound where it can; scaidns runs its own
# private instances on loopback, so stop any system instance that may have started.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  "${SUDO[@]}" systemctl disable --now pdns unbound >/dev/null 2>&1 || true
fi
