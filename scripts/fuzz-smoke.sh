#!/usr/bin/env bash
# scripts/fuzz-smoke.sh [DIR]: the fuzz targets' smoke runs (docs/FUZZING.md).
# Configures DIR (default build-fuzz) with clang and KS_FUZZ=ON, builds only
# the fuzz targets and the libraries they link, and runs each over its
# corpus for KS_FUZZ_SECONDS (default 20) under ctest (label `fuzz`); any
# crash, sanitizer report, leak, timeout or memory limit fails its test.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build-fuzz}
cmake -S . -B "$dir" -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=Debug -DKS_FUZZ=ON -DKS_BUILD_TESTS=OFF \
  -DKS_FUZZ_SECONDS="${KS_FUZZ_SECONDS:-20}" >/dev/null
cmake --build "$dir" -j"$(nproc)" --target fuzz
ctest --test-dir "$dir" -L fuzz --output-on-failure --timeout 300 -j"$(nproc)"
