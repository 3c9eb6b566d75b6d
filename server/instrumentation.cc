#include "server/instrumentation.h"

#include <cmath>
#include <cstdio>
#include <vector>

#include "server/handlers/query_params.h"
#include "server/log.h"
#include "storage/kv_stats.h"

namespace sawmill::server {
namespace {

std::string_view Header(const HttpRequest& r, std::string_view name) {
  auto it = r.find(name);
  return it == r.end() ? std::string_view() : std::string_view(it->value());
}

// Loki's tenant when auth is disabled.
std::string_view OrgId(const HttpRequest& r) {
  std::string_view id = Header(r, "X-Scope-OrgID");
  return id.empty() ? std::string_view("fake") : id;
}

std::string Duration(double seconds) {
  return GoDurationString(static_cast<int64_t>(seconds * 1e9));
}

std::vector<double> ExponentialBuckets(double start, double factor, int count) {
  std::vector<double> b;
  for (int i = 0; i < count; ++i) b.push_back(start * std::pow(factor, i));
  return b;
}

constexpr double kSlowQuerySeconds = 10;  // Loki's slowQueryThresholdSecond

}  // namespace

std::string HumanBytes(double bytes) {
  static const char* const kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  if (bytes < 10) return std::to_string(static_cast<int>(bytes)) + "B";
  const int e = std::min(6, static_cast<int>(std::floor(std::log10(bytes) / 3)));
  const double v = bytes / std::pow(1000, e);
  char buf[32];
  std::snprintf(buf, sizeof(buf), v < 10 ? "%.1f%s" : "%.0f%s", v, kUnits[e]);
  return buf;
}

Instrumentation::Instrumentation(Options options, Registry* registry)
    : options_(options), registry_(registry) {
  if (!options_.metrics) return;
  Registry& r = *registry_;
  request_duration_ = &r.AddHistogram("loki_request_duration_seconds",
                                      "Time (in seconds) spent serving HTTP requests.",
                                      {"method", "route", "status_code", "ws"});
  inflight_ = &r.AddGauge("loki_inflight_requests", "Current number of inflight requests.").Get();
  lines_received_ = &r.AddCounter("loki_distributor_lines_received_total",
                                  "The total number of lines received.", {"tenant"});
  bytes_received_ =
      &r.AddCounter("loki_distributor_bytes_received_total",
                    "The total number of uncompressed bytes received per tenant.", {"tenant"});
  discarded_samples_ =
      &r.AddCounter("loki_discarded_samples_total",
                    "The total number of samples that were discarded.", {"reason", "tenant"});
  discarded_bytes_ =
      &r.AddCounter("loki_discarded_bytes_total", "The total number of bytes that were discarded.",
                    {"reason", "tenant"});
  query_latency_ = &r.AddHistogram(
      "loki_logql_querystats_latency_seconds", "Distribution of latency for LogQL queries.",
      {"status_code", "type", "range"}, ExponentialBuckets(0.25, 2, 10));
  query_throughput_ =
      &r.AddHistogram("loki_logql_querystats_bytes_processed_per_seconds",
                      "Distribution of bytes processed per second for LogQL queries.",
                      {"status_code", "type", "range", "latency_type"},
                      {50e6, 100e6, 400e6, 600e6, 800e6, 1e9,  2e9,  3e9,  4e9,  5e9, 6e9,
                       7e9,  8e9,   9e9,   10e9,  15e9,  20e9, 30e9, 40e9, 50e9, 60e9});
  query_duplicates_ = &r.AddCounter("loki_logql_querystats_duplicates_total",
                                    "Total count of duplicates found while executing LogQL "
                                    "queries.")
                           .Get();
}

void Instrumentation::AddScrapeGauge(std::string name, std::string help,
                                     std::function<double()> read) {
  if (!options_.metrics) return;
  Gauge* g = &registry_->AddGauge(std::move(name), std::move(help)).Get();
  registry_->AddScrapeHook([g, read = std::move(read)] { g->Set(read()); });
}

void Instrumentation::WatchStore(std::function<storage::Store*()> store) {
  if (!options_.metrics) return;
  Registry& r = *registry_;
  using S = storage::StoreStats;
  using K = storage::KvStats;  // storage/kv_stats.h
  struct Field {
    Gauge* gauge = nullptr;      // one of gauge and counter is set
    Counter* counter = nullptr;  // mirrored from a figure that already counts
    uint64_t S::*store = nullptr;
    uint64_t K::*kv = nullptr;
  };
  std::vector<Field> fields;
  auto gauge = [&](const char* name, const char* help, uint64_t S::*f) {
    fields.push_back({&r.AddGauge(name, help).Get(), nullptr, f, nullptr});
  };
  auto counter = [&](const char* name, const char* help, uint64_t S::*f) {
    fields.push_back({nullptr, &r.AddCounter(name, help).Get(), f, nullptr});
  };
  auto kv_gauge = [&](const char* name, const char* help, uint64_t K::*f) {
    fields.push_back({&r.AddGauge(name, help).Get(), nullptr, nullptr, f});
  };
  auto kv_counter = [&](const char* name, const char* help, uint64_t K::*f) {
    fields.push_back({nullptr, &r.AddCounter(name, help).Get(), nullptr, f});
  };
  gauge("sawmill_store_head_entries", "Entries held in in-memory heads.", &S::head_entries);
  gauge("sawmill_store_head_bytes", "Line and metadata bytes held in heads.", &S::head_bytes);
  gauge("sawmill_store_head_memory_bytes", "Resident bytes of the heads.", &S::head_memory);
  gauge("sawmill_store_head_log_bytes",
        "Bytes of head records on disk (head log segments, deleted once all their streams are "
        "flushed).",
        &S::head_log_bytes);
  counter("sawmill_store_head_records_written_total",
          "Head records appended to the head log since start (one per acknowledged write).",
          &S::head_records_written);
  counter("sawmill_store_head_body_records_written_total",
          "Head records that are a protobuf push body as received, not a copy of its entries.",
          &S::head_body_records_written);
  counter("sawmill_store_head_record_bytes_written_total",
          "Bytes of head records appended to the head log since start.",
          &S::head_record_bytes_written);
  counter("loki_ingester_chunks_flushed_total", "Total flushed chunks.", &S::chunks_flushed);
  counter("sawmill_store_flushed_bytes_total", "Compressed chunk bytes written since start.",
          &S::bytes_flushed);
  counter("sawmill_store_entries_written_total", "Entries stored since start.",
          &S::entries_written);
  counter("sawmill_store_wal_syncs_total", "WAL fsyncs since start.", &S::syncs);
  counter("sawmill_store_chunk_blocks_read_total",
          "Chunk blocks queries opened from flushed chunks since start.", &S::chunk_blocks_read);
  counter("sawmill_store_chunk_text_sections_read_total",
          "Chunk block text sections queries fetched since start.", &S::chunk_text_sections_read);
  counter("sawmill_store_chunk_bytes_read_total",
          "Compressed chunk bytes queries fetched since start.", &S::chunk_bytes_read);
  kv_gauge("sawmill_rocksdb_memtable_bytes", "Bytes of RocksDB's memtables.", &K::memtable_bytes);
  kv_gauge("sawmill_rocksdb_live_sst_bytes", "Bytes of RocksDB's live SST files.",
           &K::live_sst_bytes);
  kv_gauge("sawmill_rocksdb_live_blob_bytes", "Bytes of RocksDB's live blob files.",
           &K::live_blob_bytes);
  kv_gauge("sawmill_rocksdb_pending_compaction_bytes",
           "Bytes RocksDB estimates compaction still has to rewrite.",
           &K::pending_compaction_bytes);
  kv_counter("sawmill_rocksdb_compaction_read_bytes_total",
             "Bytes RocksDB compactions read since start.", &K::compaction_read_bytes);
  kv_counter("sawmill_rocksdb_compaction_write_bytes_total",
             "Bytes RocksDB compactions wrote since start.", &K::compaction_write_bytes);
  kv_gauge("sawmill_rocksdb_block_cache_usage_bytes", "Bytes in RocksDB's block cache.",
           &K::block_cache_usage_bytes);
  kv_gauge("sawmill_rocksdb_block_cache_capacity_bytes", "Capacity of RocksDB's block cache.",
           &K::block_cache_capacity_bytes);
  kv_gauge("sawmill_rocksdb_block_cache_pinned_bytes", "Bytes pinned in RocksDB's block cache.",
           &K::block_cache_pinned_bytes);
  Gauge* disk = &r.AddGauge("sawmill_store_disk_bytes",
                            "Bytes the store's files take on disk (SST, blob and WAL).")
                     .Get();
  Family<Gauge>* streams =
      &r.AddGauge("loki_ingester_memory_streams",
                  "The total number of streams in memory per tenant.", {"tenant"});
  registry_->AddScrapeHook([this, store = std::move(store), fields, disk, streams] {
    storage::Store* s = store();
    if (s == nullptr) return;  // until the store is open, the figures stay at zero
    const storage::StoreStats stats = s->Stats();
    const storage::KvStats kv = storage::GetKvStats(s->kv());
    for (const Field& f : fields) {
      const uint64_t v = f.store != nullptr ? stats.*(f.store) : kv.*(f.kv);
      if (f.gauge != nullptr) f.gauge->Set(static_cast<double>(v));
      if (f.counter != nullptr) f.counter->Set(static_cast<double>(v));
    }
    disk->Set(static_cast<double>(s->DiskBytes()));
    std::vector<std::string> tenants;
    {
      std::lock_guard<std::mutex> lock(tenants_mu_);
      tenants.assign(tenants_.begin(), tenants_.end());
    }
    std::vector<bool> unused;
    for (const std::string& t : tenants) {
      streams->WithLabels({t}).Set(static_cast<double>(s->ActiveStreams(t, {}, &unused)));
    }
  });
}

void Instrumentation::RequestStarted() {
  if (inflight_ != nullptr) inflight_->Inc();
}

void Instrumentation::RequestDone(const HttpRequest& request, std::string_view route, int status,
                                  double seconds, size_t response_bytes) {
  const std::string_view method = http::to_string(request.method());
  if (options_.metrics) {
    inflight_->Dec();
    request_duration_
        ->WithLabels({std::string(method), std::string(route), std::to_string(status), "false"})
        .Observe(seconds);
  }
  const LogLevel level = status >= 500               ? LogLevel::kWarn
                         : options_.requests_at_info ? LogLevel::kInfo
                                                     : LogLevel::kDebug;
  if (!LogEnabled(level)) return;
  std::string_view path = request.target();
  path = path.substr(0, path.find('?'));
  Log(level, "request",
      {{"method", method},
       {"path", path},
       {"route", route},
       {"status", status},
       {"duration", Duration(seconds)},
       {"org_id", OrgId(request)},
       {"request_bytes", request.body().size()},
       {"response_bytes", response_bytes}});
}

void Instrumentation::PushDone(std::string_view tenant, const ingest::PushOutcome& outcome) {
  if (!options_.metrics) return;
  const std::string t(tenant);
  {
    std::lock_guard<std::mutex> lock(tenants_mu_);
    if (!tenants_.contains(t)) tenants_.insert(t);
  }
  if (outcome.received_entries > 0) {
    lines_received_->WithLabels({t}).Inc(static_cast<double>(outcome.received_entries));
    bytes_received_->WithLabels({t}).Inc(static_cast<double>(outcome.received_bytes));
  }
  for (const ingest::Discarded& d : outcome.discarded) {
    discarded_samples_->WithLabels({std::string(d.reason), t}).Inc(static_cast<double>(d.entries));
    discarded_bytes_->WithLabels({std::string(d.reason), t}).Inc(static_cast<double>(d.bytes));
  }
}

void Instrumentation::QueryDone(const QueryRecord& q) {
  const uint64_t total_bytes = q.stats != nullptr ? q.stats->bytes_scanned : 0;
  const double exec =
      q.stats != nullptr && q.stats->exec_seconds > 0 ? q.stats->exec_seconds : q.seconds;
  const double throughput = exec > 0 ? static_cast<double>(total_bytes) / exec : 0;
  const std::string_view latency = q.seconds > kSlowQuerySeconds ? "slow" : "fast";
  if (options_.metrics) {
    const std::string status = std::to_string(q.status);
    query_latency_->WithLabels({status, std::string(q.query_type), std::string(q.range_type)})
        .Observe(q.seconds);
    if (q.stats != nullptr) {
      query_throughput_
          ->WithLabels(
              {status, std::string(q.query_type), std::string(q.range_type), std::string(latency)})
          .Observe(throughput);
      query_duplicates_->Inc(static_cast<double>(q.stats->duplicates));
    }
  }
  if (!LogEnabled(LogLevel::kInfo)) return;
  const query::engine::QueryStats none;
  const query::engine::QueryStats& st = q.stats != nullptr ? *q.stats : none;
  LogInfo("query stats", {{"org_id", q.tenant},
                          {"latency", latency},
                          {"query", q.query},
                          {"query_type", q.query_type},
                          {"range_type", q.range_type},
                          {"length", GoDurationString(q.end_ns - q.start_ns)},
                          {"step", GoDurationString(q.step_ns)},
                          {"duration", Duration(q.seconds)},
                          {"queue_time", Duration(q.queue_seconds)},
                          {"status", q.status},
                          {"limit", q.limit},
                          {"returned_lines", q.returned_lines},
                          {"throughput", HumanBytes(throughput)},
                          {"total_bytes", HumanBytes(static_cast<double>(total_bytes))},
                          {"total_lines", st.lines_scanned},
                          {"post_filter_lines", st.post_filter_lines},
                          {"streams", st.streams},
                          {"duplicates", st.duplicates},
                          {"memory", HumanBytes(static_cast<double>(q.memory_bytes))}});
}

}  // namespace sawmill::server
