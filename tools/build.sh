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
elif [ $# -gt 0 ]; then
  cmake -S . -B "$dir" "$@" >/dev/null  # apply changed options to an existing tree
fi
cmake --build "$dir" -j "$jobs"
