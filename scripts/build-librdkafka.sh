#!/usr/bin/env bash
# scripts/build-librdkafka.sh OUTDIR
#
# Builds librdkafka 2.15.1 (the "new" generation of test upstream and client,
# see DESIGN.md "Tests and the upstream used in them") into OUTDIR:
#   OUTDIR/include/librdkafka/{rdkafka.h,rdkafka_mock.h}
#   OUTDIR/lib/librdkafka.a
#
# Debian only ships librdkafka 2.0.2. The npm package
# @confluentinc/kafka-javascript carries the full 2.15.1 source in
# deps/librdkafka, and npm is a registry we can reach, so that is the source.
#
# Idempotent: does nothing when OUTDIR already holds the result. A finished
# build is also kept in a per-user cache (KS_CACHE_DIR, default
# ~/.cache/kafka-sidecar) so a second build directory (the ASan one in CI)
# copies it instead of compiling it again. KS_NO_CACHE=1 skips the cache.
set -euo pipefail

NPM_PACKAGE=@confluentinc/kafka-javascript
NPM_VERSION=1.10.1
RDKAFKA_VERSION=2.15.1
# sha256 of the npm tarball: a changed tarball behind the same version stops
# the build instead of silently testing against other code.
TARBALL_SHA256=ada7d703bb1d3237e2292bfabf438d663b6160c9f1ac2a2406b5dc4257c81b66

if [ $# -ne 1 ]; then
  echo "usage: $0 OUTDIR" >&2
  exit 2
fi
mkdir -p "$1"
out=$(cd "$1" && pwd)
stamp="$out/.built-$RDKAFKA_VERSION"

have_result() {
  [ -f "$1/.built-$RDKAFKA_VERSION" ] && [ -f "$1/lib/librdkafka.a" ] &&
    [ -f "$1/include/librdkafka/rdkafka_mock.h" ]
}

if have_result "$out"; then
  exit 0
fi

cache="${KS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kafka-sidecar}/librdkafka-$RDKAFKA_VERSION"
if [ "${KS_NO_CACHE:-0}" != 1 ] && have_result "$cache"; then
  echo "build-librdkafka: copying $RDKAFKA_VERSION from $cache"
  rm -rf "$out/include" "$out/lib"
  cp -a "$cache/include" "$cache/lib" "$out/"
  touch "$stamp"
  exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/ks-librdkafka.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "build-librdkafka: fetching $NPM_PACKAGE@$NPM_VERSION (librdkafka $RDKAFKA_VERSION source)"
(cd "$work" && npm pack --silent "$NPM_PACKAGE@$NPM_VERSION" >/dev/null)
tarball=$(ls "$work"/*.tgz)
echo "$TARBALL_SHA256  $tarball" | sha256sum -c --quiet -
tar -xzf "$tarball" -C "$work" package/deps/librdkafka
src="$work/package/deps/librdkafka"
grep -q "RD_KAFKA_VERSION  *0x020f01ff" "$src/src/rdkafka.h" ||
  { echo "build-librdkafka: unexpected librdkafka version in tarball" >&2; exit 1; }

echo "build-librdkafka: configuring"
# Every optional feature is named explicitly, so the library's link
# dependencies are fixed (tests/upstream/CMakeLists.txt lists them):
#   zlib, zstd, lz4 (Debian's), OpenSSL: wanted, all from Debian -dev packages.
#   curl (OIDC) and Cyrus SASL (GSSAPI): not needed, and not installed.
#   --no-download: mklove must not fetch modules from the network.
(cd "$src" && ./configure --no-download --prefix="$out" \
  --enable-zlib --enable-zstd --enable-lz4-ext --enable-ssl \
  --disable-curl --disable-gssapi --disable-syslog \
  >"$work/configure.log" 2>&1) ||
  { cat "$work/configure.log" >&2; echo "build-librdkafka: configure failed" >&2; exit 1; }

echo "build-librdkafka: compiling (make -C src, -j2)"
# Only the C library (src/); the C++ wrapper and examples are not used.
make -C "$src/src" -j2 librdkafka.a >"$work/make.log" 2>&1 ||
  { tail -50 "$work/make.log" >&2; echo "build-librdkafka: make failed" >&2; exit 1; }

rm -rf "$out/include" "$out/lib"
mkdir -p "$out/include/librdkafka" "$out/lib"
cp "$src/src/rdkafka.h" "$src/src/rdkafka_mock.h" "$out/include/librdkafka/"
cp "$src/src/librdkafka.a" "$out/lib/"
cp "$src/LICENSE" "$out/LICENSE.librdkafka"
touch "$stamp"

if [ "${KS_NO_CACHE:-0}" != 1 ]; then
  # Best effort: a read-only home only costs the next build directory time.
  (mkdir -p "$cache.tmp$$" && cp -a "$out/include" "$out/lib" "$cache.tmp$$/" &&
    touch "$cache.tmp$$/.built-$RDKAFKA_VERSION" && rm -rf "$cache" &&
    mv "$cache.tmp$$" "$cache") 2>/dev/null || rm -rf "$cache.tmp$$"
fi
echo "build-librdkafka: librdkafka $RDKAFKA_VERSION in $out"
