#!/usr/bin/env bash
# Builds the Debian package of scaidns with CPack's DEB generator: the three programs (the
# status page is inside scaidns-api), the systemd units of dist/, /etc/scaidns/scaidns.conf
# (a conffile), the schema and samples under /usr/share/scaidns, and the maintainer scripts
# of dist/deb/ (user and group scaidns, /var/lib/scaidns, `scaidnsctl init` once; removal
# and purge keep the keystore). Then runs lintian on it (overrides: dist/deb/lintian-overrides).
#   scripts/package.sh            -> build-deb/scaidns_VERSION-1_ARCH.deb (path printed last)
#   SCAIDNS_PKG_BUILD=DIR scripts/package.sh   build in DIR instead
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
BUILD=${SCAIDNS_PKG_BUILD:-build-deb}
echo "package: configuring $BUILD (prefix /usr, tests left out, Debian's hardening flags)" >&2
# Debian's build flags with every hardening feature (fortify, stack protector, relro, bindnow).
export DEB_BUILD_MAINT_OPTIONS=hardening=+all
CFLAGS="$(dpkg-buildflags --get CFLAGS) $(dpkg-buildflags --get CPPFLAGS)"
LDFLAGS=$(dpkg-buildflags --get LDFLAGS)
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr \
  -DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_EXE_LINKER_FLAGS="$LDFLAGS" \
  -DSCAIDNS_BUILD_TESTS=OFF -DSCAIDNS_DEB=ON >"$BUILD.configure.log" 2>&1 ||
  { cat "$BUILD.configure.log" >&2; exit 1; }
rm -f "$BUILD.configure.log"
echo "package: building" >&2
cmake --build "$BUILD" -j"$(nproc 2>/dev/null || echo 2)" 2>&1 | grep --line-buffered -E '^\[ *[0-9]+%\]|error|warning' >&2 || true
[ -x "$BUILD/bin/scaidns-api" ] || { echo "package: the build failed" >&2; exit 1; }
rm -f "$BUILD"/scaidns_*.deb
echo "package: cpack -G DEB" >&2
(cd "$BUILD" && cpack -G DEB >cpack.log 2>&1) || { cat "$BUILD/cpack.log" >&2; exit 1; }
deb=$(ls "$BUILD"/scaidns_*.deb)
echo "package: lintian $deb" >&2
# Any error or warning tag fails: each remaining one is overridden with its reason in
# dist/deb/lintian-overrides (shipped in the package, as Debian does) and listed in README.md.
lintian --fail-on error,warning --info --display-info "$deb" >&2 || { echo "package: lintian found errors" >&2; exit 1; }
echo "$deb"
