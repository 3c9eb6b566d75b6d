#!/usr/bin/env bash
# Alternates sawmill runs with instrumentation off / default / full, push_load against each.
# Usage: bench/load/instrumentation_overhead.sh <rounds> <batch-kb> <seconds>
set -u
cd "$(dirname "$0")/../.."

rounds=$1; batch=$2; secs=$3
port=$((20000 + RANDOM % 20000))
for r in $(seq 1 "$rounds"); do
  for mode in off default full; do
    case $mode in
      off) flags="-server.register-instrumentation=false -log.level=warn" ;;
      default) flags="" ;;
      full) flags="-server.log-request-at-info-level-enabled=true" ;;
    esac
    d=$(mktemp -d /tmp/sawmill-overhead.XXXX)
    build/server/sawmill -server.http-listen-port=$port -storage.path=$d $flags 2> $d.log &
    pid=$!
    for i in $(seq 1 100); do grep -q "Sawmill started" $d.log && break; sleep 0.1; done
    out=$(build/bench/load/push_load --url 127.0.0.1:$port --streams 100 --connections 4 \
          --seconds "$secs" --batch-kb "$batch" --pid $pid | tail -1)
    cpu=$(awk '{print ($14+$15)/100}' /proc/$pid/stat)
    kill -TERM $pid; wait $pid
    echo "round=$r mode=$mode load=$(cut -d' ' -f1 /proc/loadavg) server_cpu_s=$cpu $out" | tee -a /tmp/instrumentation_overhead.txt
    rm -rf $d $d.log
  done
done
