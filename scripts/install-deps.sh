#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build and test kafka-sidecar.
# Idempotent: runs apt-get only when a package is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libboost1.74-dev libyaml-cpp-dev prometheus-cpp-dev libfmt-dev nlohmann-json3-dev
  libsnappy-dev liblz4-dev libzstd-dev zlib1g-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev clang-format
  # test upstreams and real clients
  librdkafka-dev kcat python3 python3-kafka python3-confluent-kafka
  python3-snappy python3-lz4 python3-zstandard  # kafka-python codecs
  prometheus  # promtool and a server scraping /metrics in the tests
  # the Helm chart's tests: Helm's rendering rebuilt from Go and sprig,
  # yamllint, and the Kubernetes API types of the official Python client
  golang-go golang-github-masterminds-sprig-dev golang-github-ghodss-yaml-dev
  python3-yaml python3-kubernetes yamllint
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# Node.js may come from elsewhere than Debian (it does on our CI image);
# Debian's npm conflicts with such an install, so only add it when absent.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
