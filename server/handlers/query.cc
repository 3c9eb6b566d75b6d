#include "server/handlers/query.h"

#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <string>

#include "query/engine/constant_eval.h"
#include "query/engine/log_query.h"
#include "query/engine/metric_query.h"
#include "query/engine/plan.h"
#include "query/engine/response_json.h"
#include "server/handlers/query_params.h"
#include "server/handlers/read_admission.h"
#include "server/handlers/read_scope.h"
#include "server/handlers/tenant.h"
#include "server/http_status.h"
#include "server/instrumentation.h"
#include "server/log.h"
#include "server/query_scheduler.h"

namespace sawmill::server {
namespace {

namespace engine = query::engine;

// Loki answers query errors with the bare message as the body.
HttpResponse PlainError(const Status& s) {
  return MakeResponse(HttpStatusFor(s.code()), s.message());
}

Status CheckLimits(const QueryLimits& limits, const RangeParams& p) {
  if (limits.max_entries_per_query > 0 && p.limit > limits.max_entries_per_query) {
    return Status::InvalidArgument(
        "max entries limit per query exceeded, limit > max_entries_limit (" +
        std::to_string(p.limit) + " > " + std::to_string(limits.max_entries_per_query) + ")");
  }
  const int64_t max_len = limits.max_query_length.count();
  if (max_len > 0 && p.end_ns - p.start_ns > max_len) {
    return Status::InvalidArgument("the query time range exceeds the limit (query length: " +
                                   GoDurationString(p.end_ns - p.start_ns) +
                                   ", limit: " + GoDurationString(max_len) + ")");
  }
  return Status::OK();
}

enum class Api { kRange, kInstant, kLegacy };

// How a failed query is answered: Loki's plain-text bodies; 499 when the client went away.
Result<HttpResponse> QueryError(const Status& s, const engine::QueryGuard& guard) {
  if (guard.cancelled() && s.code() == StatusCode::kDeadlineExceeded) return ClientClosedResponse();
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kDeadlineExceeded:
    case StatusCode::kResourceExhausted:  // the queue is full: 429
    case StatusCode::kUnavailable:        // shutting down: 503
      return PlainError(s);
    default:
      return s;
  }
}

// One query's admission, execution and record (the query log line and metrics). Shared by
// the handler, which fills it, and the work the query scheduler runs once it is admitted.
struct Run {
  Run(const QueryContext& c, Reply r) : ctx(c), reply(std::move(r)) {}

  const QueryContext& ctx;  // the route's, which outlives every request
  Reply reply;
  std::chrono::steady_clock::time_point arrived = std::chrono::steady_clock::now();
  Instrumentation::QueryRecord record;
  std::optional<engine::QueryGuard> guard;

  // What the work needs of the request once admitted.
  ReadScope scope;
  std::string tenant;
  std::string query;  // record.query views it
  engine::QueryPlan plan;
  RangeParams params;
  Api api = Api::kRange;
  bool categorize_labels = false;

  // Queues the query for a slot, then `execute` runs on a scheduler thread and its answer
  // goes to `reply`; a refusal (429, 504/499 while queued, 503) is answered without it.
  // `run` is the Run itself; the guard governs the query from here on.
  static void Admit(const std::shared_ptr<Run>& run, const Request& req,
                    Result<HttpResponse> (*execute)(Run&)) {
    const QueryContext& ctx = run->ctx;
    const auto deadline = ctx.limits.query_timeout.count() > 0
                              ? run->arrived + ctx.limits.query_timeout
                              : std::chrono::steady_clock::time_point::max();
    run->guard.emplace(deadline, ctx.limits.max_query_memory, req.client_gone);
    auto work = [run, execute](const Status& admitted) {
      run->record.queue_seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - run->arrived).count();
      if (!admitted.ok()) return run->reply(run->Finish(QueryError(admitted, *run->guard)));
      try {
        run->reply(execute(*run));
      } catch (const std::exception& e) {  // a bug: answered 500 as the HTTP session would
        LogError("uncaught exception while serving a query", {{"err", e.what()}});
        run->reply(run->Finish(
            MakeResponse(http::status::internal_server_error, "internal server error\n")));
      }
    };
    if (ctx.scheduler == nullptr) return work(run->guard->Check());
    ctx.scheduler->Submit(&*run->guard, std::move(work));
  }

  Result<HttpResponse> Finish(Result<HttpResponse> response,
                              const engine::QueryStats* stats = nullptr) {
    record.status = response.ok() ? static_cast<int>(response->result_int())
                                  : static_cast<int>(HttpStatusFor(response.status().code()));
    record.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - arrived).count();
    record.stats = stats;
    if (guard.has_value()) record.memory_bytes = guard->charged();
    if (ctx.instrumentation != nullptr) ctx.instrumentation->QueryDone(record);
    return response;
  }
};

// Runs an admitted metric query (on a scheduler thread).
Result<HttpResponse> ExecuteMetric(Run& run) {
  const bool instant = run.api == Api::kInstant;
  engine::MetricQueryParams m;
  m.tenant = run.tenant;
  m.start_ns = instant ? run.params.end_ns : run.params.start_ns;
  m.end_ns = run.params.end_ns;
  m.step_ns = instant ? 1 : run.params.step_ns;
  m.max_series = run.ctx.limits.max_query_series;
  m.guard = &*run.guard;
  Result<engine::MetricQueryResult> result =
      engine::ExecuteMetricQuery(run.scope.querier, run.ctx.pool, *run.plan.metric, m);
  if (!result.ok()) {
    const Status& s = result.status();
    if (s.code() == StatusCode::kNotFound) {
      return run.Finish(PlainError(Status::InvalidArgument(engine::kMetricQueriesUnsupported)));
    }
    return run.Finish(QueryError(s, *run.guard));
  }
  return run.Finish(MakeResponse(http::status::ok, engine::MetricResponseJson(*result, instant),
                                 kApplicationJson),
                    &result->stats);
}

// Runs an admitted log query (on a scheduler thread).
Result<HttpResponse> ExecuteLog(Run& run) {
  engine::LogQueryParams q;
  q.tenant = run.tenant;  // run.record keeps a view of `tenant`
  q.matchers = std::move(run.plan.log.matchers);
  q.pipeline = run.plan.log.pipeline.get();
  q.start_ns = run.params.start_ns;
  q.end_ns = run.params.end_ns;
  q.direction = run.params.direction;
  q.limit = run.params.limit;
  q.categorize_labels = run.categorize_labels;
  q.guard = &*run.guard;
  Result<engine::LogQueryResult> result =
      engine::ExecuteLogQuery(run.scope.querier, run.ctx.pool, q);
  if (!result.ok()) return run.Finish(QueryError(result.status(), *run.guard));
  run.record.returned_lines = result->stats.entries_returned;
  std::string body = run.api == Api::kLegacy
                         ? engine::LegacyStreamsResponseJson(*result)
                         : engine::StreamsResponseJson(*result, q.categorize_labels);
  return run.Finish(MakeResponse(http::status::ok, std::move(body), kApplicationJson),
                    &result->stats);
}

// Checks the request on the calling (HTTP) thread and answers what it can at once: bad
// parameters, parse errors, refused limits, constant metric queries. Everything else is
// queued for a scheduler slot (Run::Admit).
void HandleQuery(const QueryContext& ctx, const Request& req, Api api, Reply reply) {
  auto run = std::make_shared<Run>(ctx, std::move(reply));
  Result<ReadScope> scope = ScopeOf(ctx, req.http);
  if (!scope.ok()) return run->reply(scope.status());
  run->scope = std::move(scope).value();
  run->tenant = run->scope.tenant;
  run->api = api;
  Result<Form> form = Form::FromRequest(req);
  if (!form.ok()) return run->reply(PlainError(form.status()));
  const int64_t now = NowNs();
  Result<RangeParams> params =
      api == Api::kInstant ? ParseInstantParams(*form, now) : ParseRangeParams(*form, now);
  if (!params.ok()) return run->reply(PlainError(params.status()));
  run->params = *params;
  run->query = std::string(form->Get("query"));
  if (api == Api::kLegacy) {
    // The legacy API's `regexp` parameter is a regex line filter on the selector.
    if (std::string_view re = form->Get("regexp"); !re.empty()) {
      std::string quoted = "\"";
      for (char c : re) {
        if (c == '"' || c == '\\') quoted.push_back('\\');
        quoted.push_back(c);
      }
      run->query += " |~ " + quoted + "\"";
    }
  }
  Result<engine::QueryPlan> plan = engine::PlanQuery(run->query);
  if (!plan.ok()) return run->reply(PlainError(plan.status()));
  run->plan = std::move(plan).value();
  if (Status s = CheckLimits(ctx.limits, run->params); !s.ok()) return run->reply(PlainError(s));
  Instrumentation::QueryRecord& record = run->record;
  record.tenant = run->tenant;
  record.query = run->query;
  record.range_type = api == Api::kInstant ? "instant" : "range";
  record.start_ns = run->params.start_ns;
  record.end_ns = run->params.end_ns;
  record.step_ns = run->params.step_ns;
  record.limit = run->params.limit;
  if (run->plan.is_metric) {
    record.query_type = "metric";
    if (api == Api::kLegacy) {
      return run->reply(PlainError(Status::InvalidArgument(engine::kMetricQueriesUnsupported)));
    }
    const bool instant = api == Api::kInstant;
    if (std::optional<engine::ConstantValue> constant = engine::EvalConstant(*run->plan.metric)) {
      const RangeParams& p = run->params;
      std::string body =
          instant ? engine::ConstantInstantJson(*constant, p.end_ns)
                  : engine::ConstantRangeJson(*constant, p.start_ns, p.end_ns, p.step_ns);
      return run->reply(MakeResponse(http::status::ok, std::move(body), kApplicationJson));
    }
    return Run::Admit(run, req, &ExecuteMetric);
  }
  if (api == Api::kInstant) {
    return run->reply(PlainError(Status::InvalidArgument(
        "log queries are not supported as an instant query type, please change your query to "
        "a range query type")));
  }
  record.query_type = run->plan.log.has_stages ? "filter" : "limited";
  run->categorize_labels = api == Api::kRange && WantsCategorizedLabels(req.http);
  Run::Admit(run, req, &ExecuteLog);
}

}  // namespace

bool IsQueryRequest(const HttpRequest& request) {
  std::string_view path = request.target();
  path = path.substr(0, path.find('?'));
  if (path == "/loki/api/v1/query_range" || path == "/loki/api/v1/query" ||
      path == "/api/prom/query") {
    return true;
  }
  // The other reads admitted like queries (read_admission.h).
  for (std::string_view read :
       {"/loki/api/v1/labels", "/loki/api/v1/series", "/api/prom/series", "/api/prom/label",
        "/loki/api/v1/index/stats", "/loki/api/v1/index/volume", "/loki/api/v1/index/volume_range",
        "/loki/api/v1/detected_labels", "/loki/api/v1/detected_fields"}) {
    if (path == read) return true;
  }
  return path.starts_with("/loki/api/v1/label/") || path.starts_with("/api/prom/label/") ||
         path.starts_with("/loki/api/v1/detected_field/");
}

void AddQueryRoutes(const QueryContext& context, Router* router) {
  for (http::verb verb : {http::verb::get, http::verb::post}) {
    router->AddAsync(verb, "/loki/api/v1/query_range", [context](const Request& req, Reply reply) {
      HandleQuery(context, req, Api::kRange, std::move(reply));
    });
    router->AddAsync(verb, "/loki/api/v1/query", [context](const Request& req, Reply reply) {
      HandleQuery(context, req, Api::kInstant, std::move(reply));
    });
    router->AddAsync(verb, "/api/prom/query", [context](const Request& req, Reply reply) {
      HandleQuery(context, req, Api::kLegacy, std::move(reply));
    });
  }
}

bool WantsCategorizedLabels(const HttpRequest& r) {
  for (auto it = r.find("X-Loki-Response-Encoding-Flags"); it != r.end(); ++it) {
    if (!boost::beast::iequals(it->name_string(), "X-Loki-Response-Encoding-Flags")) break;
    if (std::string_view(it->value()).find("categorize-labels") != std::string_view::npos) {
      return true;
    }
  }
  return false;
}

}  // namespace sawmill::server
