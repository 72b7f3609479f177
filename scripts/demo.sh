#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs the sidecar demo.
# Today it builds the sidecar and validates the example configuration; the
# order-processing run (mock upstream, outage, kill -9, replay) lands with
# the wiring of buffer, forwarder and upstream client (see README, Status).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh build -DCMAKE_BUILD_TYPE=Release

echo "== kafka-sidecar $(build/kafka-sidecar --version)"
echo "== check-config examples/configs/single-cluster.yaml"
build/kafka-sidecar check-config examples/configs/single-cluster.yaml
