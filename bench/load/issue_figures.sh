#!/usr/bin/env bash
# The end-to-end figures of issues 3 (push), 4 (log queries) and 5 (metric queries) in one run:
# push_load at 100 and 10,000 streams (two rounds, fresh data dir each), then log_gen builds a
# <mb> dataset over 24 h and query_load times the issues' queries against it. Appends to <out>.
# Run it on a quiet machine from a built tree. Usage: bench/load/issue_figures.sh <repo> <mb> <out>
set -u
repo=$1; mb=$2; out=$3
cd "$repo"
B=build/server/sawmill
port=$((30000 + RANDOM % 20000))
start_server() {  # $1 data dir, rest flags
  local d=$1; shift
  $B -server.http-listen-port=$port -storage.path=$d -log.level=warn "$@" 2>$d.log &
  pid=$!
  for i in $(seq 1 200); do curl -sf 127.0.0.1:$port/ready >/dev/null 2>&1 && break; sleep 0.1; done
}
stop_server() { kill -TERM $pid; wait $pid; }
log() { echo "$*" | tee -a "$out"; }
log "# quiet.sh $(date -u +%FT%TZ) commit $(git rev-parse --short HEAD) load $(cut -d' ' -f1-3 /proc/loadavg)"
# --- issue 3: push
for round in 1 2; do
  for streams in 100 10000; do
    d=$(mktemp -d /tmp/quiet-push.XXXX); start_server $d
    r=$(build/bench/load/push_load --url 127.0.0.1:$port --streams $streams --connections 4 --seconds 10 --pid $pid | tail -1)
    thr=$(ls /proc/$pid/task | wc -l)
    cpu=$(awk '{print ($14+$15)/100}' /proc/$pid/stat)
    stop_server; rm -rf $d $d.log
    log "push round=$round streams=$streams load=$(cut -d' ' -f1 /proc/loadavg) threads=$thr server_cpu_s=$cpu $r"
  done
done
# --- issues 4 and 5: queries over one dataset
d=/tmp/quiet-data; rm -rf $d $d.log; mkdir -p $d; start_server $d
t0=$(date +%s.%N)
build/bench/load/log_gen --url 127.0.0.1:$port --mb $mb --window 24h --connections 4 2>&1 | tail -3 | tee -a "$out"
log "log_gen seconds=$(echo "$(date +%s.%N) - $t0" | bc) load=$(cut -d' ' -f1 /proc/loadavg)"
curl -s 127.0.0.1:$port/metrics | grep -E "^sawmill_store_flushed_bytes_total|^loki_ingester_chunks_flushed_total" | tee -a "$out"
Q=build/bench/load/query_load
ql() { log "## load=$(cut -d' ' -f1 /proc/loadavg) $*"; $Q --url 127.0.0.1:$port "$@" 2>&1 | tee -a "$out"; }
ql --since 25h --limit 100 --repeat 21 --direction backward --query '{job=~".+"}'
ql --since 25h --limit 5000 --repeat 7 --direction backward --query '{job=~".+"} |= "error"'
ql --since 25h --limit 5000 --repeat 3 --direction backward --query '{job=~".+"} |= "ZZneverZZ"'
ql --since 25h --limit 100 --repeat 5 --direction backward --query '{job="hdfs"} |~ "blk_[0-9]+ terminating"'
ql --since 25h --limit 1000 --repeat 3 --direction backward --query '{fmt="json"} | json | level="error"'
ql --since 25h --limit 1000 --repeat 3 --direction backward --query '{fmt="logfmt"} | logfmt | duration > 1s'
ql --since 24h --step 60s --repeat 3 --query 'sum by (job) (count_over_time({job=~".+"}[1m]))'
ql --since 24h --step 60s --repeat 3 --query 'sum by (job) (count_over_time({job=~".+"}[5m]))'
ql --since 24h --step 60s --repeat 3 --query 'sum(count_over_time({job=~".+"} |= "error" [1m]))'
ql --since 24h --step 60s --repeat 3 --query 'sum by (level) (rate({job=~".+"} |= "error" [5m]))'
ql --since 24h --step 60s --repeat 3 --query 'quantile_over_time(0.99, {job="hdfs", fmt="logfmt"} | logfmt | unwrap duration(duration) [1m]) by (host)'
ql --since 24h --step 60s --repeat 3 --query 'quantile_over_time(0.99, {fmt="logfmt"} | logfmt | unwrap duration(duration) [1m]) by (job)'
log "server peak RSS: $(grep VmHWM /proc/$pid/status)"
stop_server
log "# done $(date -u +%FT%TZ)"
