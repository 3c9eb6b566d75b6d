#!/usr/bin/env bash
# The "run the whole test suite" command (what .ci/run calls): installs what is missing,
# builds, runs every test except the slow "soak" ones, then builds the unit tests and the
# libFuzzer targets once more with clang under AddressSanitizer + UndefinedBehaviorSanitizer
# (tools/sanitize-build.sh, build-san/), runs the unit tests there, and runs each fuzz target
# briefly (tools/fuzz.sh; SAW_FUZZ_SECONDS, default 15).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${SAW_JOBS:-$(nproc)}
start=$SECONDS
stage() { echo "== $1 (at $((SECONDS - start)) s)"; }
tools/install-deps.sh

stage "build (RelWithDebInfo)"
tools/build.sh build -DCMAKE_BUILD_TYPE=RelWithDebInfo
stage "tests"
(cd build && ctest --output-on-failure --no-tests=error -LE soak -j "$jobs" --timeout 600)

stage "build (clang, ASan + UBSan + libFuzzer coverage: unit tests and fuzz targets)"
tools/sanitize-build.sh unit-tests fuzz
stage "unit tests under ASan + UBSan"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build-san && ctest --output-on-failure --no-tests=error -L unit -j "$jobs" --timeout 900)
stage "fuzz (${SAW_FUZZ_SECONDS:-15} s per target)"
tools/fuzz.sh
stage "all tests passed"
