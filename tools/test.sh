#!/usr/bin/env bash
# The "run the whole test suite" command (what .ci/run calls): installs what is missing,
# builds, runs every test except the slow "soak" ones, then builds and runs the unit tests
# again under AddressSanitizer + UndefinedBehaviorSanitizer, then runs each libFuzzer target
# briefly (tools/fuzz.sh; SAW_FUZZ_SECONDS, default 20).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${SAW_JOBS:-$(nproc)}
tools/install-deps.sh

echo "== build (RelWithDebInfo)"
tools/build.sh build -DCMAKE_BUILD_TYPE=RelWithDebInfo
echo "== tests"
(cd build && ctest --output-on-failure --no-tests=error -LE soak -j "$jobs" --timeout 600)

echo "== build (ASan + UBSan)"
tools/build.sh build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSAW_SANITIZE=ON -DSAW_BUILD_BENCH=OFF
echo "== unit tests under ASan + UBSan"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build-asan && ctest --output-on-failure --no-tests=error -L unit -j "$jobs" --timeout 900)
echo "== fuzz (clang + libFuzzer, ${SAW_FUZZ_SECONDS:-20} s per target)"
tools/fuzz.sh
echo "== all tests passed"
