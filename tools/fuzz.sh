#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/*_fuzzer.cc) in build-san (tools/sanitize-build.sh:
# clang, ASan + UBSan) and runs each for SAW_FUZZ_SECONDS seconds (default 15), SAW_JOBS at a
# time, starting from tests/fuzz/seeds/<fuzzer>/ and the corpus kept in build-san/fuzz-corpus/.
# Fails on a crash, sanitizer report, leak, timeout (10 s per input) or input over 2 GiB RSS;
# the input is saved in build-san/fuzz-artifacts/.
# Usage: tools/fuzz.sh [fuzzer-name...]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${SAW_FUZZ_SECONDS:-15}
jobs=${SAW_JOBS:-$(nproc)}
dir=build-san
tools/sanitize-build.sh fuzz

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in tests/fuzz/*_fuzzer.cc; do names+=("$(basename "$f" .cc)"); done
fi
mkdir -p "$dir/fuzz-artifacts"

# Runs one target; its output goes to build-san/fuzz-artifacts/<name>.log.
run_one() {
  local name=$1 corpus="$dir/fuzz-corpus/$1" log="$dir/fuzz-artifacts/$1.log"
  local seeds=()
  mkdir -p "$corpus"
  [ -d "tests/fuzz/seeds/$name" ] && seeds+=("tests/fuzz/seeds/$name")
  if "$dir/tests/fuzz/$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$dir/fuzz-artifacts/$name-" "$corpus" \
      "${seeds[@]}" >"$log" 2>&1; then
    echo "== fuzz $name: $(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" |
      grep -oE '[0-9]+$') inputs in ${secs}s, no crash"
  else
    tail -n 40 "$log"
    echo "fuzz: $name failed; the input is in $dir/fuzz-artifacts/ (log: $log)"
    return 1
  fi
}

failed=0
running=0
for name in "${names[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n || failed=1
    running=$((running - 1))
  fi
  run_one "$name" &
  running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
  wait -n || failed=1
  running=$((running - 1))
done
[ "$failed" -eq 0 ] || { echo "fuzz: a target failed"; exit 1; }
echo "== fuzz: no crash"
