#include "server/app.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>
#include <system_error>
#include <thread>

#include "ingest/head_source.h"
#include "server/build_info.h"
#include "server/handlers/admin.h"
#include "server/handlers/delete.h"
#include "server/handlers/detected.h"
#include "server/handlers/format_query.h"
#include "server/handlers/index_stats.h"
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

App::App(Config config)
    : config_(std::move(config)),
      instrumentation_({config_.register_instrumentation, config_.log_requests_at_info}, &metrics_),
      overrides_(config_.limits) {
  const size_t max_running = config_.query_limits.max_concurrent > 0
                                 ? config_.query_limits.max_concurrent
                                 : 2 * query_pool_.size();
  scheduler_ = std::make_unique<QueryScheduler>(max_running, config_.query_limits.max_outstanding);
  RegisterMetrics();
  AdminContext admin;
  admin.store = [this] { return open_store_.load(); };
  admin.stopping = [this] { return stopping_.load(); };
  admin.metrics = config_.register_instrumentation ? &metrics_ : nullptr;
  admin.config_yaml = config_.effective_yaml;
  AddAdminRoutes(admin, &router_);
  AddPushRoutes({[this] { return open_pusher_.load(); }, &instrumentation_}, &router_);
  AddOtlpRoutes({[this] { return open_pusher_.load(); }, &instrumentation_, &overrides_}, &router_);
  QueryContext query;
  query.querier = [this]() -> query::engine::Querier* { return open_querier_.load(); };
  query.pool = &query_pool_;
  query.limits = config_.query_limits;
  query.multi_tenant_queries = config_.multi_tenant_queries;
  query.scheduler = scheduler_.get();
  query.instrumentation = &instrumentation_;
  AddQueryRoutes(query, &router_);
  AddLabelRoutes(query, &router_);
  AddDeleteRoutes({[this] { return open_deletes_.load(); }}, &router_);
  AddIndexStatsRoutes(query, &router_);
  AddDetectedRoutes(query, &router_);
  AddFormatQueryRoutes(&router_);
  TailContext tail;
  tail.querier = query.querier;
  tail.pool = &query_pool_;
  tail.limits = config_.query_limits;
  tail.max_tails_per_tenant = config_.query_limits.max_concurrent_tail_requests;
  tail.scheduler = scheduler_.get();
  tail.multi_tenant_queries = config_.multi_tenant_queries;
  tail.hub = &tail_hub_;
  tail_server_ = std::make_unique<TailServer>(tail);
  tail_server_->AddRoutes(&router_);
}

App::~App() { (void)Stop(); }

void App::RegisterMetrics() {
  if (!config_.register_instrumentation) return;
  const BuildInfo& b = GetBuildInfo();
  metrics_
      .AddGauge("sawmill_build_info",
                "A metric with a constant '1' value labeled by version, revision and branch.",
                {"version", "revision", "branch"})
      .WithLabels({std::string(b.version), std::string(b.revision), std::string(b.branch)})
      .Set(1);
  instrumentation_.WatchStore([this] { return open_store_.load(); });
  instrumentation_.AddScrapeGauge("sawmill_querier_tail_active", "Live tails open.",
                                  [this] { return static_cast<double>(tail_hub_.size()); });
  QueryScheduler* scheduler = scheduler_.get();
  instrumentation_.AddScrapeGauge("loki_query_scheduler_queue_length",
                                  "Queries waiting for a -querier.max-concurrent slot.",
                                  [scheduler] { return static_cast<double>(scheduler->queued()); });
  instrumentation_.AddScrapeGauge("sawmill_queries_running", "Queries running now.", [scheduler] {
    return static_cast<double>(scheduler->running());
  });
}

void App::Serve(const HttpRequest& request, const RequestInfo& info, const Responder& respond) {
  const auto start = std::chrono::steady_clock::now();
  instrumentation_.RequestStarted();
  // Records the request once it is answered (a query: once the scheduler ran it).
  auto done = [this, start, &request, respond](Router::Routed routed) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    instrumentation_.RequestDone(request, routed.route, routed.response.result_int(), seconds,
                                 routed.response.body().size());
    respond(std::move(routed.response));
  };
  if (std::optional<HttpResponse> refused = auth_->Check(request)) {
    return done({"unauthorized", std::move(*refused)});
  }
  router_.Dispatch(request, info.client_gone, std::move(done));
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
  http_options.tls_cert_file = config_.tls_cert_file;
  http_options.tls_key_file = config_.tls_key_file;
  // Handlers never wait on the I/O threads: queries (running or queued) are the query
  // scheduler's, pushes the offload pool's. A few threads past the cores cover the cheap
  // handlers that run on them (/ready, /metrics, parsing a query before it is queued).
  http_options.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()) + 2);
  http_options.watch_client = [](const HttpRequest& r) { return IsQueryRequest(r); };
  // Half the grace period for requests in flight, the rest for flushing the heads; queries
  // still running then are cancelled, so that their threads return.
  http_options.shutdown_timeout = config_.graceful_shutdown_timeout / 2;
  http_options.on_shutdown_timeout = [this] { scheduler_->CancelAll(); };
  // Pushes wait for the WAL's group commit: they run on their own threads, so they never
  // take the ones queries are served on (http_server.h). Several at once fill one fsync.
  http_options.offload = [](const HttpRequest& r) { return IsPushRequest(r) || IsOtlpRequest(r); };
  http_options.offload_threads =
      static_cast<int>(std::max(8u, 4 * std::thread::hardware_concurrency()));
  // A refused request (auth) is not taken: Serve() answers it with its 401.
  http_options.upgrade = [this](HttpRequest& r, UpgradeConnection c) {
    return !auth_->Check(r).has_value() && tail_server_->Upgrade(r, c);
  };
  http_ = std::make_unique<HttpServer>(
      http_options, [this](const HttpRequest& request, const RequestInfo& info,
                           const Responder& respond) { Serve(request, info, respond); });
  SAW_RETURN_IF_ERROR(http_->Start());
  LogInfo("server listening on addresses", {{"http", http_->endpoint()}});

  storage::StoreOptions options = config_.store;
  options.data_dir = data_dir;
  options.source_decoder = ingest::DecodeHeadSource;  // protobuf pushes' head records
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
  pusher_->set_listener(&tail_hub_);
  LogInfo("label index loaded", {{"streams", std::to_string(index_->Stats().streams)}});
  open_store_.store(store_.get());
  open_pusher_.store(pusher_.get());
  DeleteOptions delete_options = config_.deletes;
  delete_options.mode = config_.limits.deletion_mode;
  if (runtime_config_ != nullptr) {  // deletion_mode may differ per tenant
    delete_options.mode_for = [this](std::string_view tenant) {
      return overrides_.For(tenant).deletion_mode;
    };
  }
  deletes_ = std::make_unique<DeleteService>(store_.get(), index_.get(), delete_options);
  if (Status st = deletes_->Start(); !st.ok()) {
    http_->Stop();
    deletes_.reset();
    index_.reset();
    (void)store_->Close();
    return Status(st.code(), "loading the delete requests: " + st.message());
  }
  open_deletes_.store(deletes_.get());
  querier_ = std::make_unique<StoreQuerier>(store_.get(), index_.get(), deletes_.get(),
                                            config_.store.retention);
  open_querier_.store(querier_.get());
  LogInfo("Sawmill started", {{"version", std::string(GetBuildInfo().version)}});
  return Status::OK();
}

void App::BeginShutdown() {
  if (!stopping_.exchange(true)) LogInfo("shutting down: /ready answers 503 from now on");
}

Status App::Stop() {
  if (stopped_) return Status::OK();
  stopped_ = true;
  BeginShutdown();
  // Open tails are closed first (briefly: a stop never waits on a tail's client).
  if (http_ != nullptr) tail_server_->Shutdown(std::chrono::milliseconds(500));
  if (http_ != nullptr) {
    LogInfo("stopping the HTTP server, finishing requests in flight");
    http_->Stop();
  }
  // Queries still running past the grace period are cancelled; their threads are joined
  // before the store closes under them.
  scheduler_->Shutdown();
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
