#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs the sidecar demo
# (examples/order-processing/README.md): an order pipeline with a sidecar
# per service, through a cluster outage, a kill -9 of the order service's
# sidecar, a consumer restart and a replay; nothing lost, nothing twice.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh build -DCMAKE_BUILD_TYPE=Release

echo "== $(build/kafka-sidecar --version): the order demo"
exec /usr/bin/python3 examples/order-processing/order_processing.py "$@"
