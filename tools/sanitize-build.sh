#!/usr/bin/env bash
# Configures build-san/ (clang; ASan + UBSan, libFuzzer coverage; -O1 with line tables, which
# compiles about twice as fast as -O2 -g and is what the sanitizers need) and builds the given
# targets. One tree serves both the sanitized unit tests and the fuzz targets.
# Usage: tools/sanitize-build.sh <target...>     (e.g. unit-tests fuzz)
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${SAW_JOBS:-$(nproc)}
dir=build-san
if [ ! -f "$dir/build.ninja" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
    -DSAW_SANITIZE=ON -DSAW_FUZZ=ON -DSAW_BUILD_BENCH=OFF
fi
cmake --build "$dir" -j "$jobs" --target "$@"
