// Instrumentation: the server's own metrics, in Loki's names where Loki has one, and its
// access and query log lines.
//
//   loki_request_duration_seconds{method,route,status_code,ws}    every HTTP request
//   loki_distributor_lines_received_total{tenant}                 lines that passed validation
//   loki_distributor_bytes_received_total{tenant}                 their line bytes
//   loki_discarded_samples_total{reason,tenant}                   refused lines, Loki's reasons
//   loki_discarded_bytes_total{reason,tenant}
//   loki_logql_querystats_latency_seconds{status_code,type,range} LogQL queries
//   loki_logql_querystats_bytes_processed_per_seconds{status_code,type,range,latency_type}
//   loki_ingester_memory_streams{tenant}                          active streams, for each
//                                                                 tenant that pushed since start
//   loki_ingester_chunks_flushed_total, sawmill_store_* and sawmill_rocksdb_*  (the store)
//
// Access log: one line per request (debug level, or info with log_requests_at_info; 5xx
// answers always at warn) with method, path, route, status, duration and tenant. Query log:
// one info line per LogQL query, modelled on Loki's pkg/logql/metrics.go (latency, query,
// query_type, range_type, length, step, duration, status, limit, returned_lines, throughput,
// total_bytes, ...).
//
// With Options::metrics false (-server.register-instrumentation=false) nothing is recorded
// and /metrics is not served; logging follows the log level alone.
//
// Thread-safety: every method may be called from any thread at once.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "ingest/pusher.h"
#include "query/engine/stats.h"
#include "server/http_message.h"
#include "server/metrics.h"
#include "storage/store.h"

namespace sawmill::server {

class Instrumentation {
 public:
  struct Options {
    bool metrics = true;
    bool requests_at_info = false;
  };
  // `registry` outlives this object.
  Instrumentation(Options options, Registry* registry);
  Instrumentation(const Instrumentation&) = delete;
  Instrumentation& operator=(const Instrumentation&) = delete;

  bool metrics_enabled() const { return options_.metrics; }

  // Scrapes copy the store's figures from the store `store()` returns (null: not open).
  void WatchStore(std::function<storage::Store*()> store);
  // Adds a gauge read at scrape time.
  void AddScrapeGauge(std::string name, std::string help, std::function<double()> read);

  void RequestStarted();
  // The request's metrics and access log line; `route` as Router::Routed::route.
  void RequestDone(const HttpRequest& request, std::string_view route, int status, double seconds,
                   size_t response_bytes);

  void PushDone(std::string_view tenant, const ingest::PushOutcome& outcome);

  struct QueryRecord {
    std::string_view tenant;
    std::string_view query;
    std::string_view query_type;  // "metric", "filter" or "limited" (Loki's QueryType)
    std::string_view range_type;  // "range" or "instant"
    int64_t start_ns = 0;
    int64_t end_ns = 0;
    int64_t step_ns = 0;
    size_t limit = 0;
    int status = 200;
    double seconds = 0;         // from arrival to the answer, queue time included
    double queue_seconds = 0;   // waiting for a slot
    uint64_t memory_bytes = 0;  // what the query's guard was charged
    uint64_t returned_lines = 0;
    const query::engine::QueryStats* stats = nullptr;  // null when the query did not run
  };
  void QueryDone(const QueryRecord& record);

 private:
  const Options options_;
  Registry* registry_;
  Family<Histogram>* request_duration_ = nullptr;
  Gauge* inflight_ = nullptr;
  Family<Counter>* lines_received_ = nullptr;
  Family<Counter>* bytes_received_ = nullptr;
  Family<Counter>* discarded_samples_ = nullptr;
  Family<Counter>* discarded_bytes_ = nullptr;
  Family<Histogram>* query_latency_ = nullptr;
  Family<Histogram>* query_throughput_ = nullptr;
  Counter* query_duplicates_ = nullptr;
  std::mutex tenants_mu_;
  std::set<std::string, std::less<>> tenants_;  // that pushed since start; guarded by tenants_mu_
};

// Go's humanize.Bytes without the space, as Loki's query log prints sizes: "467kB", "1.2MB".
std::string HumanBytes(double bytes);

}  // namespace sawmill::server
