#!/usr/bin/env bash
# Push throughput with 0 and 1 tail open (bench/RESULTS.md, "Live tail").
set -u
cd "$(dirname "$0")/../.."
B=build
D=$(mktemp -d /tmp/tailbench.XXXX)
PORT=${PORT:-3187}
$B/server/sawmill -server.http-listen-port=$PORT -storage.path=$D/data > $D/server.log 2>&1 &
PID=$!
for i in $(seq 1 100); do curl -sf 127.0.0.1:$PORT/ready >/dev/null && break; sleep 0.2; done
run() {  # $1 label, $2 query ('' = no tail)
  local TP=""
  if [ -n "$2" ]; then
    python3 bench/load/tail_client.py --url 127.0.0.1:$PORT --tenant load --query "$2" --seconds 13 > $D/tail.out 2>&1 &
    TP=$!
    sleep 1
  fi
  echo "== $1 $(uptime | sed 's/.*load/load/')"
  $B/bench/load/push_load --url 127.0.0.1:$PORT --streams 100 --connections 4 --seconds 10 --pid $PID
  if [ -n "$TP" ]; then wait $TP; cat $D/tail.out; fi
}
for round in 1; do  # more rounds: 1 2 ...
  run "0 tails" ""
  run "1 tail, selector matching nothing" '{job="nomatch"}'
  run "1 tail, {job=\"load\"} (every line)" '{job="load"}'
done
kill $PID; wait $PID
rm -rf $D
