#include "server/handlers/query.h"

#include <chrono>
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

// One query's admission, execution and record (the query log line and metrics).
struct Run {
  const QueryContext& ctx;
  std::chrono::steady_clock::time_point arrived;
  Instrumentation::QueryRecord record;
  std::optional<engine::QueryGuard> guard;
  QueryScheduler::Ticket ticket;

  // Waits for a slot (the queue), then the guard governs the query.
  Status Admit(const Request& req) {
    const auto deadline = ctx.limits.query_timeout.count() > 0
                              ? arrived + ctx.limits.query_timeout
                              : std::chrono::steady_clock::time_point::max();
    guard.emplace(deadline, ctx.limits.max_query_memory, req.client_gone);
    Status s = ctx.scheduler->Acquire(&*guard, &ticket);
    record.queue_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - arrived).count();
    return s;
  }

  Result<HttpResponse> Finish(Result<HttpResponse> response,
                              const engine::QueryStats* stats = nullptr) {
    ticket.Release();
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

Result<HttpResponse> HandleMetric(Run& run, engine::Querier* querier, const std::string& tenant,
                                  const query::logql::Expr& expr, const RangeParams& params,
                                  Api api, const Request& req) {
  const QueryContext& ctx = run.ctx;
  if (api == Api::kLegacy) {
    return PlainError(Status::InvalidArgument(engine::kMetricQueriesUnsupported));
  }
  const bool instant = api == Api::kInstant;
  if (std::optional<engine::ConstantValue> constant = engine::EvalConstant(expr)) {
    std::string body = instant ? engine::ConstantInstantJson(*constant, params.end_ns)
                               : engine::ConstantRangeJson(*constant, params.start_ns,
                                                           params.end_ns, params.step_ns);
    return MakeResponse(http::status::ok, std::move(body), kApplicationJson);
  }
  if (Status s = run.Admit(req); !s.ok()) return run.Finish(QueryError(s, *run.guard));
  engine::MetricQueryParams m;
  m.tenant = tenant;
  m.start_ns = instant ? params.end_ns : params.start_ns;
  m.end_ns = params.end_ns;
  m.step_ns = instant ? 1 : params.step_ns;
  m.max_series = ctx.limits.max_query_series;
  m.guard = &*run.guard;
  Result<engine::MetricQueryResult> result = engine::ExecuteMetricQuery(querier, ctx.pool, expr, m);
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

Result<HttpResponse> HandleQuery(const QueryContext& ctx, const Request& req, Api api) {
  Run run{ctx, std::chrono::steady_clock::now(), {}, std::nullopt, {}};
  SAW_ASSIGN_OR_RETURN(ReadScope scope, ScopeOf(ctx, req.http));
  engine::Querier* querier = scope.querier;
  std::string tenant = std::move(scope.tenant);
  Result<Form> form = Form::FromRequest(req);
  if (!form.ok()) return PlainError(form.status());
  const int64_t now = NowNs();
  Result<RangeParams> params =
      api == Api::kInstant ? ParseInstantParams(*form, now) : ParseRangeParams(*form, now);
  if (!params.ok()) return PlainError(params.status());
  std::string query(form->Get("query"));
  if (api == Api::kLegacy) {
    // The legacy API's `regexp` parameter is a regex line filter on the selector.
    if (std::string_view re = form->Get("regexp"); !re.empty()) {
      std::string quoted = "\"";
      for (char c : re) {
        if (c == '"' || c == '\\') quoted.push_back('\\');
        quoted.push_back(c);
      }
      query += " |~ " + quoted + "\"";
    }
  }
  Result<engine::QueryPlan> plan = engine::PlanQuery(query);
  if (!plan.ok()) return PlainError(plan.status());
  if (Status s = CheckLimits(ctx.limits, *params); !s.ok()) return PlainError(s);
  run.record.tenant = tenant;
  run.record.query = query;
  run.record.range_type = api == Api::kInstant ? "instant" : "range";
  run.record.start_ns = params->start_ns;
  run.record.end_ns = params->end_ns;
  run.record.step_ns = params->step_ns;
  run.record.limit = params->limit;
  if (plan->is_metric) {
    run.record.query_type = "metric";
    return HandleMetric(run, querier, tenant, *plan->metric, *params, api, req);
  }
  if (api == Api::kInstant) {
    return PlainError(Status::InvalidArgument(
        "log queries are not supported as an instant query type, please change your query to "
        "a range query type"));
  }
  run.record.query_type = plan->log.has_stages ? "filter" : "limited";
  if (Status s = run.Admit(req); !s.ok()) return run.Finish(QueryError(s, *run.guard));

  engine::LogQueryParams q;
  q.tenant = tenant;  // run.record keeps a view of `tenant`
  q.matchers = std::move(plan->log.matchers);
  q.pipeline = plan->log.pipeline.get();
  q.start_ns = params->start_ns;
  q.end_ns = params->end_ns;
  q.direction = params->direction;
  q.limit = params->limit;
  q.categorize_labels = api == Api::kRange && WantsCategorizedLabels(req.http);
  q.guard = &*run.guard;
  Result<engine::LogQueryResult> result = engine::ExecuteLogQuery(querier, ctx.pool, q);
  if (!result.ok()) return run.Finish(QueryError(result.status(), *run.guard));
  run.record.returned_lines = result->stats.entries_returned;
  std::string body = api == Api::kLegacy
                         ? engine::LegacyStreamsResponseJson(*result)
                         : engine::StreamsResponseJson(*result, q.categorize_labels);
  return run.Finish(MakeResponse(http::status::ok, std::move(body), kApplicationJson),
                    &result->stats);
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
    router->Add(verb, "/loki/api/v1/query_range",
                [context](const Request& req) { return HandleQuery(context, req, Api::kRange); });
    router->Add(verb, "/loki/api/v1/query",
                [context](const Request& req) { return HandleQuery(context, req, Api::kInstant); });
    router->Add(verb, "/api/prom/query",
                [context](const Request& req) { return HandleQuery(context, req, Api::kLegacy); });
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
