// The running Sawmill: owns the store, the metrics registry, the router and the HTTP
// server, and starts and stops them in order. Start() listens first, so /ready can answer
// 503 while the store replays its WAL, then opens the store. Stop() drains HTTP before it
// closes the store, so no handler ever sees a closed store.
//
// Shutdown (main.cc): BeginShutdown() turns /ready to 503 while everything else is still
// served (Loki's -shutdown-delay); Stop() then stops accepting, gives requests in flight half
// of -server.graceful-shutdown-timeout (then cancels the queries still running), flushes the
// heads and closes the store. main.cc bounds the whole by the grace period.
//
// Thread-safety: Start() and Stop() from one controlling thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "index/label_index.h"
#include "ingest/overrides.h"
#include "ingest/pusher.h"
#include "query/engine/thread_pool.h"
#include "server/auth.h"
#include "server/delete_service.h"
#include "server/flags.h"
#include "server/http_server.h"
#include "server/instrumentation.h"
#include "server/metrics.h"
#include "server/query_scheduler.h"
#include "server/router.h"
#include "server/runtime_config.h"
#include "server/store_querier.h"
#include "server/tail/tail_hub.h"
#include "server/tail/tail_server.h"
#include "storage/store.h"

namespace sawmill::server {

class App {
 public:
  explicit App(Config config);
  ~App();  // Stop()s if needed
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // Listens, opens the store and logs "Sawmill started". On error, whatever was started is
  // stopped again. REQUIRES: called at most once.
  Status Start();

  // /ready answers 503 from now on; nothing else changes. Idempotent; any thread.
  void BeginShutdown();

  // BeginShutdown(), stops accepting, finishes requests in flight, closes the store (which
  // flushes its heads). Returns the store's Close() status. Idempotent.
  Status Stop();

  // The port the HTTP server is bound to. REQUIRES: Start() succeeded.
  uint16_t port() const { return http_->port(); }

 private:
  void RegisterMetrics();
  // The HTTP server's handler: routes, records request metrics and the access log line
  // once the request is answered.
  void Serve(const HttpRequest& request, const RequestInfo& info, const Responder& respond);

  const Config config_;
  Registry metrics_;
  Instrumentation instrumentation_;
  std::atomic<bool> stopping_{false};
  Router router_;
  std::unique_ptr<Auth> auth_;  // set by Start() before the server listens
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<index::LabelIndex> index_;  // in the store's database; closed before it
  TailHub tail_hub_;                          // before the pusher, which tells it about pushes
  std::unique_ptr<TailServer> tail_server_;   // its sessions run on http_'s threads
  ingest::Overrides overrides_;  // per-tenant limits: the flags' defaults + runtime config
  std::unique_ptr<RuntimeConfig> runtime_config_;  // null without -runtime-config.file
  std::unique_ptr<ingest::Pusher> pusher_;
  std::atomic<storage::Store*> open_store_{nullptr};  // what handlers see; null until open
  std::atomic<ingest::Pusher*> open_pusher_{nullptr};
  query::engine::ThreadPool query_pool_;    // query execution, beside the HTTP threads
  std::unique_ptr<DeleteService> deletes_;  // delete requests; stopped before the index goes
  std::atomic<DeleteService*> open_deletes_{nullptr};
  std::unique_ptr<QueryScheduler> scheduler_;  // query admission and the threads queries run on
  std::unique_ptr<StoreQuerier> querier_;
  std::atomic<StoreQuerier*> open_querier_{nullptr};
  std::unique_ptr<HttpServer> http_;
  bool stopped_ = false;
};

}  // namespace sawmill::server
