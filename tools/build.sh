#!/usr/bin/env bash
# Configures and builds one build directory with Ninja (and ccache when present).
# Usage: tools/build.sh <build-dir> [extra cmake args...]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$1
shift
jobs=${SAW_JOBS:-$(nproc)}
if [ ! -f "$dir/build.ninja" ]; then
  cmake -S . -B "$dir" -G Ninja "$@"
fi
cmake --build "$dir" -j "$jobs"
