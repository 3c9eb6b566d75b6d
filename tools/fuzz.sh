#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/*_fuzzer.cc) with clang in build-fuzz and runs each
# for SAW_FUZZ_SECONDS seconds (default 20), starting from tests/fuzz/seeds/<fuzzer>/ and the
# corpus kept in build-fuzz/fuzz-corpus/. Fails on the first crash, sanitizer report, leak,
# timeout (10 s per input) or input over 2 GiB RSS; the input is saved in build-fuzz/fuzz-artifacts/.
# Usage: tools/fuzz.sh [fuzzer-name...]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${SAW_FUZZ_SECONDS:-20}
jobs=${SAW_JOBS:-$(nproc)}
dir=build-fuzz
if [ ! -f "$dir/build.ninja" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$dir" -G Ninja -DSAW_FUZZ=ON -DSAW_BUILD_BENCH=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
cmake --build "$dir" -j "$jobs" --target fuzz

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in tests/fuzz/*_fuzzer.cc; do names+=("$(basename "$f" .cc)"); done
fi
mkdir -p "$dir/fuzz-artifacts"
for name in "${names[@]}"; do
  corpus="$dir/fuzz-corpus/$name"
  mkdir -p "$corpus"
  seeds=()
  [ -d "tests/fuzz/seeds/$name" ] && seeds+=("tests/fuzz/seeds/$name")
  log="$dir/fuzz-artifacts/$name.log"
  echo "== fuzz $name for ${secs}s (log: $log)"
  if ! "$dir/tests/fuzz/$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$dir/fuzz-artifacts/$name-" "$corpus" \
      "${seeds[@]}" >"$log" 2>&1; then
    tail -n 40 "$log"
    echo "fuzz: $name failed; the input is in $dir/fuzz-artifacts/"
    exit 1
  fi
  grep -E 'stat::(number_of_executed_units|peak_rss_mb)' "$log" || true
done
echo "== fuzz: no crash"
