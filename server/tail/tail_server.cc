#include "server/tail/tail_server.h"

#include <algorithm>
#include <charconv>
#include <vector>

#include "query/engine/log_query.h"
#include "query/engine/multi_tenant_querier.h"
#include "query/engine/plan.h"
#include "query/engine/query_guard.h"
#include "server/handlers/query.h"
#include "server/handlers/query_params.h"
#include "server/handlers/read_scope.h"
#include "server/log.h"
#include "server/tail/tail_session.h"

namespace sawmill::server {
namespace {

namespace engine = query::engine;

constexpr int64_t kMaxDelayForSeconds = 5;  // Loki's maxDelayForInTailing

constexpr std::string_view kTailPath = "/loki/api/v1/tail";
constexpr std::string_view kLegacyTailPath = "/api/prom/tail";

// gorilla/websocket's answer to a tail request that is not an upgrade.
constexpr char kNotWebSocket[] =
    "websocket: the client is not using the websocket protocol: 'upgrade' token not found in "
    "'Connection' header\n";

Result<int64_t> ParseDelayFor(std::string_view text) {
  if (text.empty()) return int64_t{0};
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 0) {
    return Status::InvalidArgument("strconv.ParseInt: parsing \"" + std::string(text) +
                                   "\": invalid syntax");
  }
  if (v > kMaxDelayForSeconds) {
    return Status::InvalidArgument("delay_for can't be greater than " +
                                   std::to_string(kMaxDelayForSeconds));
  }
  return v * 1'000'000'000;
}

// The regexp parameter of the legacy API, as a line filter (as /api/prom/query).
std::string WithRegexp(std::string query, std::string_view re) {
  if (re.empty()) return query;
  std::string quoted = "\"";
  for (char c : re) {
    if (c == '"' || c == '\\') quoted.push_back('\\');
    quoted.push_back(c);
  }
  return query + " |~ " + quoted + "\"";
}

// The labels an entry has without the categorize-labels encoding: the stream labels, its
// structured metadata and parsed labels together (Loki's result labels).
std::shared_ptr<const index::LabelSet> JoinedLabels(const index::LabelSet& stream,
                                                    const engine::ResultEntry& e) {
  if (e.structured_metadata.empty() && e.parsed.empty()) {
    return std::make_shared<const index::LabelSet>(stream);
  }
  std::vector<index::Label> all(stream.labels().begin(), stream.labels().end());
  all.insert(all.end(), e.structured_metadata.begin(), e.structured_metadata.end());
  all.insert(all.end(), e.parsed.begin(), e.parsed.end());
  std::sort(all.begin(), all.end());
  // A name twice: the later category wins, as the labels builder decides.
  std::vector<index::Label> unique;
  for (index::Label& l : all) {
    if (!unique.empty() && unique.back().name == l.name) {
      unique.back() = std::move(l);
    } else {
      unique.push_back(std::move(l));
    }
  }
  return std::make_shared<const index::LabelSet>(
      index::LabelSet::FromSortedUnchecked(std::move(unique)));
}

// The newest `limit` entries of [start, end), oldest first, as Loki's querier sends a tail's
// history (a backward query, reversed). Runs once admitted by the query scheduler, bounded
// by `guard` (the query time-out and memory budget, as any query).
Result<std::vector<TailEntry>> History(const TailContext& ctx, engine::Querier* querier,
                                       const TailParams& p, const TailOptions& tail, int64_t end_ns,
                                       engine::QueryGuard* guard) {
  std::vector<TailEntry> out;
  std::unique_ptr<engine::MultiTenantQuerier> multi;
  if (p.tenants.size() > 1) {
    multi = std::make_unique<engine::MultiTenantQuerier>(querier, p.tenants);
    querier = multi.get();
  }
  engine::LogQueryParams q;
  q.tenant = p.tenant;
  q.matchers = tail.matchers;
  q.pipeline = tail.pipeline.get();
  q.start_ns = p.start_ns;
  q.end_ns = end_ns;
  q.direction = storage::Direction::kBackward;
  q.limit = p.limit;
  q.loki_split_interval_ns = 0;
  // Always categorized: the labels of each entry are put together below when the client
  // did not ask for the encoding (so structured metadata is in them, as Loki answers).
  q.categorize_labels = true;
  q.guard = guard;
  SAW_ASSIGN_OR_RETURN(engine::LogQueryResult result,
                       engine::ExecuteLogQuery(querier, ctx.pool, q));
  for (engine::ResultStream& s : result.streams) {
    auto labels = std::make_shared<const index::LabelSet>(std::move(s.labels));
    for (engine::ResultEntry& e : s.entries) {
      if (p.categorize_labels) {
        out.push_back({e.ts_ns, labels, std::move(e.line), std::move(e.structured_metadata),
                       std::move(e.parsed)});
      } else {
        out.push_back({e.ts_ns, JoinedLabels(*labels, e), std::move(e.line), {}, {}});
      }
    }
  }
  // Oldest first; equal timestamps by labels, as Loki's merge orders them.
  std::stable_sort(out.begin(), out.end(), [](const TailEntry& a, const TailEntry& b) {
    if (a.ts_ns != b.ts_ns) return a.ts_ns < b.ts_ns;
    return a.labels->ToString() < b.labels->ToString();
  });
  return out;
}

}  // namespace

Result<TailParams> ParseTailRequest(const TailContext& context, const Request& request,
                                    query::engine::QueryPlan* plan_out) {
  if (context.querier() == nullptr) {
    return Status::Unavailable("Querier not ready: the store is still opening");
  }
  TailParams p;
  p.legacy = request.path == kLegacyTailPath;
  SAW_ASSIGN_OR_RETURN(p.tenants, ReadTenants(request.http, context.multi_tenant_queries));
  p.tenant = p.tenants[0];
  for (size_t i = 1; i < p.tenants.size(); ++i) p.tenant += "|" + p.tenants[i];
  p.categorize_labels = !p.legacy && WantsCategorizedLabels(request.http);
  SAW_ASSIGN_OR_RETURN(Form form, Form::FromRequest(request));
  const int64_t now = NowNs();
  SAW_ASSIGN_OR_RETURN(RangeParams range, ParseRangeParams(form, now));
  p.limit = range.limit;
  p.start_ns = range.start_ns;
  SAW_ASSIGN_OR_RETURN(p.delay_ns, ParseDelayFor(form.Get("delay_for")));
  const size_t max_entries = context.limits.max_entries_per_query;
  if (max_entries > 0 && p.limit > max_entries) {
    return Status::InvalidArgument(
        "max entries limit per query exceeded, limit > max_entries_limit (" +
        std::to_string(p.limit) + " > " + std::to_string(max_entries) + ")");
  }
  p.query = std::string(form.Get("query"));
  if (p.legacy) p.query = WithRegexp(std::move(p.query), form.Get("regexp"));
  SAW_ASSIGN_OR_RETURN(engine::QueryPlan plan, engine::PlanQuery(p.query));
  if (plan.is_metric) {
    return Status::InvalidArgument("tail is only supported for log queries, not metric queries");
  }
  if (plan_out != nullptr) *plan_out = std::move(plan);
  return p;
}

void TailServer::AddRoutes(Router* router) {
  for (std::string_view path : {kTailPath, kLegacyTailPath}) {
    router->Add(http::verb::get, path, [this](const Request& req) -> Result<HttpResponse> {
      Result<TailParams> p = ParseTailRequest(context_, req, nullptr);
      if (!p.ok()) {
        if (p.status().code() != StatusCode::kInvalidArgument) return p.status();
        return MakeResponse(http::status::bad_request, p.status().message());
      }
      return MakeResponse(http::status::bad_request, kNotWebSocket);
    });
  }
}

bool TailServer::Upgrade(HttpRequest& http_request, UpgradeConnection connection) {
  try {
    const std::string_view target = http_request.target();
    const size_t question = target.find('?');
    Request request{
        http_request,
        target.substr(0, question),
        question == std::string_view::npos ? std::string_view() : target.substr(question + 1),
        {}};
    if (http_request.method() != http::verb::get ||
        (request.path != kTailPath && request.path != kLegacyTailPath)) {
      return false;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return false;
    }
    engine::QueryPlan plan;
    Result<TailParams> params = ParseTailRequest(context_, request, &plan);
    if (!params.ok()) return false;  // the route answers the same error
    engine::Querier* querier = context_.querier();
    if (querier == nullptr) return false;

    TailOptions options;
    options.tenant = params->tenant;
    options.tenants = params->tenants;
    options.categorize_labels = params->categorize_labels;
    options.matchers = std::move(plan.log.matchers);
    options.pipeline = std::shared_ptr<const query::log::Pipeline>(std::move(plan.log.pipeline));
    auto tail = std::make_shared<Tail>(std::move(options));
    auto session =
        std::make_shared<TailSession>(connection, std::move(http_request), this, context_.hub, tail,
                                      params->delay_ns, params->legacy, params->categorize_labels);
    tail->set_wakeup(session->MakeWakeup());
    if (Status opened = context_.hub->Open(tail, context_.max_tails_per_tenant); !opened.ok()) {
      session->Refuse(opened.message());
    } else {
      // Subscribed first, so nothing pushed from now on is missed; the history ends now (what
      // is pushed while it is read is in both: the session sends it once).
      const int64_t end_ns = NowNs();
      session->ExpectHistory(end_ns);
      StartHistory(session, querier, std::move(params).value(), tail, end_ns);
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      sessions_.emplace(session.get(), session);
      if (stopping_) session->Shutdown();
    }
    session->Start();
    return true;
  } catch (const std::exception& e) {
    LogError("tail upgrade failed", {{"err", e.what()}});
  }
  return true;  // the socket may be gone; the connection ends
}

void TailServer::StartHistory(const std::shared_ptr<TailSession>& session, engine::Querier* querier,
                              TailParams params, std::shared_ptr<Tail> tail, int64_t end_ns) {
  if (params.start_ns >= end_ns) return session->OnHistory(std::vector<TailEntry>());
  const auto deadline = context_.limits.query_timeout.count() > 0
                            ? std::chrono::steady_clock::now() + context_.limits.query_timeout
                            : std::chrono::steady_clock::time_point::max();
  auto guard = std::make_shared<engine::QueryGuard>(deadline, context_.limits.max_query_memory,
                                                    session->ended());
  auto work = [ctx = &context_, session, querier, params = std::move(params),
               tail = std::move(tail), end_ns, guard](const Status& admitted) {
    if (!admitted.ok()) return session->OnHistory(admitted);
    session->OnHistory(History(*ctx, querier, params, tail->options(), end_ns, guard.get()));
  };
  if (context_.scheduler == nullptr) return work(guard->Check());
  context_.scheduler->Submit(guard.get(), std::move(work));
}

void TailServer::Shutdown(std::chrono::milliseconds wait) {
  std::vector<std::shared_ptr<TailSession>> live;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    closes_started_ = 0;
    for (auto& [ptr, weak] : sessions_) {
      if (auto s = weak.lock()) live.push_back(std::move(s));
    }
  }
  const size_t n = live.size();
  for (auto& s : live) {
    s->Shutdown([this] {
      std::lock_guard<std::mutex> lock(mu_);
      ++closes_started_;
      drained_.notify_all();
    });
  }
  live.clear();  // outside the lock: the last reference may run ~TailSession, which locks
  std::unique_lock<std::mutex> lock(mu_);
  // Every tail gets its close frame (the I/O threads may be slow to get to it on a busy
  // machine; this does not depend on the clients)...
  drained_.wait_for(lock, std::chrono::seconds(5),
                    [this, n] { return closes_started_ >= n || sessions_.empty(); });
  // ...then a short wait for the clients' answers, which a stalled client never sends.
  if (!drained_.wait_for(lock, wait, [this] { return sessions_.empty(); })) {
    LogWarn("closing tails that did not finish their close handshake",
            {{"tails", sessions_.size()}});
  }
}

size_t TailServer::open_sessions() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sessions_.size();
}

void TailServer::Unregister(TailSession* session) {
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.erase(session);
  if (sessions_.empty()) drained_.notify_all();
}

}  // namespace sawmill::server
