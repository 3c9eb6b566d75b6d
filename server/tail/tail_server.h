// GET /loki/api/v1/tail and GET /api/prom/tail: live tailing over a WebSocket, as Loki's
// querier serves it.
//
//   query      a LogQL log query (selector and pipeline); `regexp` adds |~ on the legacy path
//   limit      entries of history sent first (default 100; at most -validation.max-entries-limit)
//   start      where history starts (default now - 1h; Loki's time forms, query_params.h)
//   delay_for  seconds (0-5) entries are held back so late ones are sent in timestamp order
//
// A request with a bad parameter or query is answered 400 with Loki's message before any
// upgrade (so is a request that is not a WebSocket upgrade, with gorilla/websocket's message).
// Otherwise the connection is upgraded and gets: the newest `limit` entries in
// [start, now) oldest first, then every pushed entry the query keeps, in messages of at most
// 100 entries (tail_json.h). Errors after the upgrade close the WebSocket with 1011 and the
// message, as Loki does: the per-tenant cap on open tails
// (-querier.max-concurrent-tail-requests, Loki's limits_config.max_concurrent_tail_requests,
// default 10) and a failed history query.
//
// The history is a query like any other: it waits for a query scheduler slot
// (query_scheduler.h; a full queue closes the tail with Loki's "too many outstanding
// requests"), and runs under -querier.query-timeout and the per-query memory budget
// (-querier.max-query-memory), whose error closes the tail. It runs on a scheduler thread,
// never on the HTTP thread that took the upgrade; the WebSocket handshake goes on meanwhile,
// and live entries wait until the history is sent. The tail subscribes to pushes before the
// history is read, so nothing is missed; an entry pushed while it is read, in both, is sent
// once (tail_session.h). A client that leaves cancels its history query.
//
// Tenants: X-Scope-OrgID as for queries (handlers/read_scope.h): with
// -querier.multi-tenant-queries-enabled, "a|b" tails both tenants, each entry labelled
// __tenant_id__ (the history through query::engine::MultiTenantQuerier, live entries by the
// hub); without it such a tail is refused 400 "multiple org IDs present". The cap counts
// "a|b" as one tenant of its own. Over TLS, the WebSocket runs over the TLS connection.
// With X-Loki-Response-Encoding-Flags: categorize-labels, messages use that encoding. A ping is
// sent every second while idle; a client that answers nothing for two minutes is dropped. A slow
// client never slows pushes: what it cannot take is counted in `dropped_entries` (tail_hub.h).
//
// Thread-safety: Upgrade() runs on the HTTP server's I/O threads, concurrently; sessions run
// on their connection's strand.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "query/engine/plan.h"
#include "query/engine/querier.h"
#include "query/engine/thread_pool.h"
#include "server/http_server.h"
#include "server/query_limits.h"
#include "server/query_scheduler.h"
#include "server/router.h"
#include "server/tail/tail_hub.h"

namespace sawmill::server {

class TailSession;

struct TailContext {
  // The querier, or null while the store is still opening.
  std::function<query::engine::Querier*()> querier;
  query::engine::ThreadPool* pool = nullptr;
  QueryLimits limits;
  // Admission of the history query; null: it runs at once (tests).
  QueryScheduler* scheduler = nullptr;
  bool multi_tenant_queries = false;  // -querier.multi-tenant-queries-enabled
  size_t max_tails_per_tenant = 10;   // 0: no limit
  TailHub* hub = nullptr;             // must outlive the server and its sessions
};

// A tail request's parameters, checked.
struct TailParams {
  std::string tenant;                // the tenant, or the ids joined by '|'
  std::vector<std::string> tenants;  // one, or several with multi-tenant queries
  bool categorize_labels = false;
  std::string query;
  size_t limit = 100;
  int64_t start_ns = 0;
  int64_t delay_ns = 0;
  bool legacy = false;  // /api/prom/tail
};

// Parses a tail request (InvalidArgument with Loki's message; Unavailable while the store is
// opening). Also plans the query, which must be a log query; the plan goes to *plan_out
// when it is not null.
Result<TailParams> ParseTailRequest(const TailContext& context, const Request& request,
                                    query::engine::QueryPlan* plan_out);

class TailServer {
 public:
  explicit TailServer(TailContext context) : context_(std::move(context)) {}
  ~TailServer() = default;  // REQUIRES: no session is left (the io_context is gone)
  TailServer(const TailServer&) = delete;
  TailServer& operator=(const TailServer&) = delete;

  // The routes for tail requests that are not upgrades (they answer errors).
  void AddRoutes(Router* router);

  // The HTTP server's upgrade hook (http_server.h): takes the connection of a valid tail
  // request; returns false for anything else (another path, a bad parameter, shutting down),
  // which the routes then answer.
  bool Upgrade(HttpRequest& request, UpgradeConnection connection);

  // Refuses new tails and closes the open ones (1001 going away): waits (at most 5 s) until
  // every close frame has been handed to its socket, then at most `wait` for the clients'
  // answers. REQUIRES: the HTTP server's threads still run.
  void Shutdown(std::chrono::milliseconds wait);

  size_t open_sessions() const;

 private:
  friend class TailSession;
  void Unregister(TailSession* session);
  // Reads the tail's history [params.start_ns, end_ns) on the query scheduler and hands it
  // to session->OnHistory().
  void StartHistory(const std::shared_ptr<TailSession>& session, query::engine::Querier* querier,
                    TailParams params, std::shared_ptr<Tail> tail, int64_t end_ns);

  const TailContext context_;
  mutable std::mutex mu_;
  std::condition_variable drained_;
  bool stopping_ = false;
  size_t closes_started_ = 0;  // by Shutdown(): sessions whose close frame went out
  std::unordered_map<TailSession*, std::weak_ptr<TailSession>> sessions_;
};

}  // namespace sawmill::server
