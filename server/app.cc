#include "server/app.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>
#include <system_error>
#include <thread>

#include "server/build_info.h"
#include "server/handlers/admin.h"
#include "server/handlers/delete.h"
#include "server/handlers/labels.h"
#include "server/handlers/otlp.h"
#include "server/handlers/push.h"
#include "server/handlers/query.h"
#include "server/log.h"

namespace sawmill::server {
namespace {

std::string AbsolutePath(const std::string& path) {
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(path, ec);
  if (ec) return path;
  return abs.lexically_normal().string();
}

}  // namespace

App::App(Config config) : config_(std::move(config)), overrides_(config_.limits) {
  RegisterMetrics();
  AddAdminRoutes({[this] { return open_store_.load(); }, &metrics_, config_.effective_yaml},
                 &router_);
  AddPushRoutes({[this] { return open_pusher_.load(); }}, &router_);
  AddOtlpRoutes({[this] { return open_pusher_.load(); }}, &router_);
  QueryContext query;
  query.querier = [this]() -> query::engine::Querier* { return open_querier_.load(); };
  query.pool = &query_pool_;
  query.limits = config_.query_limits;
  AddQueryRoutes(query, &router_);
  AddLabelRoutes(query, &router_);
  AddDeleteRoutes({[this] { return open_deletes_.load(); }}, &router_);
}

App::~App() { (void)Stop(); }

void App::RegisterMetrics() {
  const BuildInfo& b = GetBuildInfo();
  metrics_
      .AddGauge("sawmill_build_info",
                "A metric with a constant '1' value labeled by version, revision and branch.",
                {"version", "revision", "branch"})
      .WithLabels({std::string(b.version), std::string(b.revision), std::string(b.branch)})
      .Set(1);
  requests_total_ = &metrics_.AddCounter("sawmill_http_requests_total",
                                         "HTTP requests by method, route and status code.",
                                         {"method", "route", "status_code"});
  request_duration_ = &metrics_.AddHistogram("sawmill_request_duration_seconds",
                                             "Time (in seconds) spent serving HTTP requests.",
                                             {"method", "route", "status_code"});
  inflight_ = &metrics_.AddGauge("sawmill_inflight_requests", "HTTP requests being served.").Get();

  // Store figures are read when scraped. Until the store is open they stay at zero.
  struct StoreGauge {
    Gauge* gauge;
    uint64_t storage::StoreStats::*field;
  };
  struct StoreCounter {
    Counter* counter;
    uint64_t storage::StoreStats::*field;
  };
  using S = storage::StoreStats;
  const std::vector<StoreGauge> gauges = {
      {&metrics_.AddGauge("sawmill_store_active_streams", "Streams with an in-memory head.").Get(),
       &S::active_streams},
      {&metrics_.AddGauge("sawmill_store_head_entries", "Entries held in in-memory heads.").Get(),
       &S::head_entries},
      {&metrics_.AddGauge("sawmill_store_head_bytes", "Line and metadata bytes held in heads.")
            .Get(),
       &S::head_bytes},
      {&metrics_.AddGauge("sawmill_store_head_memory_bytes", "Resident bytes of the heads.").Get(),
       &S::head_memory},
  };
  const std::vector<StoreCounter> counters = {
      {&metrics_.AddCounter("sawmill_store_chunks_flushed_total", "Chunks flushed since start.")
            .Get(),
       &S::chunks_flushed},
      {&metrics_
            .AddCounter("sawmill_store_flushed_bytes_total",
                        "Compressed chunk bytes written since start.")
            .Get(),
       &S::bytes_flushed},
      {&metrics_.AddCounter("sawmill_store_entries_written_total", "Entries stored since start.")
            .Get(),
       &S::entries_written},
      {&metrics_.AddCounter("sawmill_store_wal_syncs_total", "WAL fsyncs since start.").Get(),
       &S::syncs},
  };
  Gauge* disk = &metrics_
                     .AddGauge("sawmill_store_disk_bytes",
                               "Bytes the store's files take on disk (SST, blob and WAL).")
                     .Get();
  metrics_.AddScrapeHook([this, gauges, counters, disk] {
    storage::Store* store = open_store_.load();
    if (store == nullptr) return;
    const storage::StoreStats stats = store->Stats();
    for (const StoreGauge& g : gauges) g.gauge->Set(static_cast<double>(stats.*(g.field)));
    for (const StoreCounter& c : counters) c.counter->Set(static_cast<double>(stats.*(c.field)));
    disk->Set(static_cast<double>(store->DiskBytes()));
  });
}

HttpResponse App::Serve(const HttpRequest& request) {
  const auto start = std::chrono::steady_clock::now();
  struct InflightGuard {  // also when a handler throws (the session answers 500)
    explicit InflightGuard(Gauge* g) : gauge(g) { gauge->Inc(); }
    ~InflightGuard() { gauge->Dec(); }
    Gauge* gauge;
  };
  std::optional<InflightGuard> inflight(inflight_);
  Router::Routed routed;
  if (std::optional<HttpResponse> refused = auth_->Check(request)) {
    routed.route = "unauthorized";
    routed.response = std::move(*refused);
  } else {
    routed = router_.Handle(request);
  }
  inflight.reset();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<std::string> labels = {std::string(http::to_string(request.method())), routed.route,
                                     std::to_string(routed.response.result_int())};
  request_duration_->WithLabels(labels).Observe(seconds);
  requests_total_->WithLabels(std::move(labels)).Inc();
  return std::move(routed.response);
}

Status App::Start() {
  const std::string data_dir = AbsolutePath(config_.store.data_dir);
  LogInfo("using data directory",
          {{"path", data_dir},
           {"sync_policy", std::string(storage::SyncPolicyName(config_.store.sync))},
           {"encoding", std::string(storage::EncodingName(config_.store.chunk.encoding))}});

  Result<std::unique_ptr<Auth>> auth = Auth::Open(config_.auth);
  if (!auth.ok()) return auth.status();
  auth_ = std::move(auth).value();

  if (!config_.runtime_config_file.empty()) {
    runtime_config_ = std::make_unique<RuntimeConfig>(
        config_.runtime_config_file, config_.runtime_config_reload_period, &overrides_);
    SAW_RETURN_IF_ERROR(runtime_config_->Start());
  }

  HttpServerOptions http_options;
  http_options.address = config_.listen_address;
  http_options.port = config_.listen_port;
  // A query holds its HTTP thread until it is answered; queries are capped below this count
  // (-querier.max-concurrent), so pushes always find a free thread.
  const size_t max_queries = config_.query_limits.max_concurrent > 0
                                 ? config_.query_limits.max_concurrent
                                 : 2 * query_pool_.size();
  http_options.threads = static_cast<int>(max_queries + query_pool_.size() + 2);
  // Pushes wait for the WAL's group commit: they run on their own threads, so they never
  // take the ones queries are served on (http_server.h). Several at once fill one fsync.
  http_options.offload = [](const HttpRequest& r) { return IsPushRequest(r) || IsOtlpRequest(r); };
  http_options.offload_threads =
      static_cast<int>(std::max(8u, 4 * std::thread::hardware_concurrency()));
  http_ = std::make_unique<HttpServer>(
      http_options, [this](const HttpRequest& request) { return Serve(request); });
  SAW_RETURN_IF_ERROR(http_->Start());
  LogInfo("server listening on addresses", {{"http", http_->endpoint()}});

  storage::StoreOptions options = config_.store;
  options.data_dir = data_dir;
  Result<std::unique_ptr<storage::Store>> store = storage::Store::Open(options);
  if (!store.ok()) {
    http_->Stop();
    return Status(store.status().code(),
                  "opening the store in " + data_dir + ": " + store.status().message());
  }
  store_ = std::move(store).value();
  index::IndexOptions index_options;
  index_options.bucket_width_ns = options.bucket.count();
  Result<std::unique_ptr<index::LabelIndex>> label_index =
      index::LabelIndex::Open(store_->kv(), index_options);
  if (!label_index.ok()) {
    http_->Stop();
    (void)store_->Close();
    return Status(label_index.status().code(),
                  "loading the label index: " + label_index.status().message());
  }
  index_ = std::move(label_index).value();
  pusher_ = std::make_unique<ingest::Pusher>(store_.get(), index_.get(), &overrides_);
  LogInfo("label index loaded", {{"streams", std::to_string(index_->Stats().streams)}});
  open_store_.store(store_.get());
  open_pusher_.store(pusher_.get());
  deletes_ = std::make_unique<DeleteService>(store_.get(), index_.get(), config_.deletes);
  if (Status st = deletes_->Start(); !st.ok()) {
    http_->Stop();
    deletes_.reset();
    index_.reset();
    (void)store_->Close();
    return Status(st.code(), "loading the delete requests: " + st.message());
  }
  open_deletes_.store(deletes_.get());
  querier_ = std::make_unique<StoreQuerier>(store_.get(), index_.get(), deletes_.get());
  open_querier_.store(querier_.get());
  LogInfo("Sawmill started", {{"version", std::string(GetBuildInfo().version)}});
  return Status::OK();
}

Status App::Stop() {
  if (stopped_) return Status::OK();
  stopped_ = true;
  if (http_ != nullptr) http_->Stop();
  if (runtime_config_ != nullptr) runtime_config_->Stop();
  open_store_.store(nullptr);
  open_pusher_.store(nullptr);
  open_querier_.store(nullptr);
  open_deletes_.store(nullptr);
  if (store_ == nullptr) return Status::OK();
  querier_.reset();
  if (deletes_ != nullptr) deletes_->Stop();
  deletes_.reset();
  pusher_.reset();
  index_.reset();
  LogInfo("closing the store (flushing heads)");
  Status s = store_->Close();
  store_.reset();
  return s;
}

}  // namespace sawmill::server
