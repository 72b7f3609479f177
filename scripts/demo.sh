#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs the sidecar demo
# (examples/order-processing/README.md): an order service produces through
# the sidecar while the Kafka cluster goes down and the sidecar is killed
# with kill -9; every acknowledged order still reaches the cluster exactly
# once, in order.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh build -DCMAKE_BUILD_TYPE=Release

echo "== $(build/kafka-sidecar --version): the order demo"
exec /usr/bin/python3 examples/order-processing/order_processing.py "$@"
