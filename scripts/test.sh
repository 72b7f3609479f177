#!/usr/bin/env bash
# Runs every test: installs what is missing, builds (release and ASan+UBSan),
# and runs the whole suite under ctest in both builds; then the fuzz
# targets' smoke runs in a clang build (scripts/fuzz-smoke.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh build -DCMAKE_BUILD_TYPE=Release
ctest --test-dir build --output-on-failure --timeout 600 -j2

scripts/build.sh build-asan -DCMAKE_BUILD_TYPE=Debug -DKS_SANITIZE=ON
ctest --test-dir build-asan --output-on-failure --timeout 900 -j2

scripts/fuzz-smoke.sh build-fuzz
