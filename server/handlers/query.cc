#include "server/handlers/query.h"

#include <string>

#include "query/engine/constant_eval.h"
#include "query/engine/log_query.h"
#include "query/engine/metric_query.h"
#include "query/engine/plan.h"
#include "query/engine/response_json.h"
#include "server/handlers/query_params.h"
#include "server/handlers/tenant.h"
#include "server/http_status.h"

namespace sawmill::server {
namespace {

namespace engine = query::engine;

// Loki answers query errors with the bare message as the body.
HttpResponse PlainError(const Status& s) {
  return MakeResponse(HttpStatusFor(s.code()), s.message());
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

// Holds one of the -querier.max-concurrent slots.
class Slot {
 public:
  Slot(std::atomic<size_t>* running, size_t max) : running_(running) {
    ok_ = running_->fetch_add(1) < max;
  }
  ~Slot() { running_->fetch_sub(1); }
  bool ok() const { return ok_; }

 private:
  std::atomic<size_t>* running_;
  bool ok_ = false;
};

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

Result<HttpResponse> HandleMetric(const QueryContext& ctx, engine::Querier* querier,
                                  const std::string& tenant, const query::logql::Expr& expr,
                                  const RangeParams& params, Api api) {
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
  const size_t max_running =
      ctx.limits.max_concurrent > 0 ? ctx.limits.max_concurrent : 2 * ctx.pool->size();
  Slot slot(ctx.running.get(), max_running);
  if (!slot.ok()) {
    return MakeResponse(http::status::too_many_requests, "too many outstanding requests");
  }
  engine::MetricQueryParams m;
  m.tenant = tenant;
  m.start_ns = instant ? params.end_ns : params.start_ns;
  m.end_ns = params.end_ns;
  m.step_ns = instant ? 1 : params.step_ns;
  m.max_series = ctx.limits.max_query_series;
  if (ctx.limits.query_timeout.count() > 0) {
    m.deadline = std::chrono::steady_clock::now() + ctx.limits.query_timeout;
  }
  Result<engine::MetricQueryResult> result = engine::ExecuteMetricQuery(querier, ctx.pool, expr, m);
  if (!result.ok()) {
    const Status& s = result.status();
    if (s.code() == StatusCode::kNotFound) {
      return PlainError(Status::InvalidArgument(engine::kMetricQueriesUnsupported));
    }
    if (s.code() == StatusCode::kInvalidArgument || s.code() == StatusCode::kDeadlineExceeded) {
      return PlainError(s);
    }
    return s;
  }
  return MakeResponse(http::status::ok, engine::MetricResponseJson(*result, instant),
                      kApplicationJson);
}

Result<HttpResponse> HandleQuery(const QueryContext& ctx, const Request& req, Api api) {
  engine::Querier* querier = ctx.querier();
  if (querier == nullptr)
    return Status::Unavailable("Querier not ready: the store is still opening");
  SAW_ASSIGN_OR_RETURN(std::string tenant, TenantOf(req.http));
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
  if (plan->is_metric) return HandleMetric(ctx, querier, tenant, *plan->metric, *params, api);
  if (api == Api::kInstant) {
    return PlainError(Status::InvalidArgument(
        "log queries are not supported as an instant query type, please change your query to "
        "a range query type"));
  }

  const size_t max_running =
      ctx.limits.max_concurrent > 0 ? ctx.limits.max_concurrent : 2 * ctx.pool->size();
  Slot slot(ctx.running.get(), max_running);
  if (!slot.ok()) {
    return MakeResponse(http::status::too_many_requests, "too many outstanding requests");
  }

  engine::LogQueryParams q;
  q.tenant = std::move(tenant);
  q.matchers = std::move(plan->log.matchers);
  q.pipeline = plan->log.pipeline.get();
  q.start_ns = params->start_ns;
  q.end_ns = params->end_ns;
  q.direction = params->direction;
  q.limit = params->limit;
  q.categorize_labels = api == Api::kRange && WantsCategorizedLabels(req.http);
  if (ctx.limits.query_timeout.count() > 0) {
    q.deadline = std::chrono::steady_clock::now() + ctx.limits.query_timeout;
  }
  Result<engine::LogQueryResult> result = engine::ExecuteLogQuery(querier, ctx.pool, q);
  if (!result.ok()) {
    const Status& s = result.status();
    if (s.code() == StatusCode::kInvalidArgument || s.code() == StatusCode::kDeadlineExceeded) {
      return PlainError(s);
    }
    return s;
  }
  std::string body = api == Api::kLegacy
                         ? engine::LegacyStreamsResponseJson(*result)
                         : engine::StreamsResponseJson(*result, q.categorize_labels);
  return MakeResponse(http::status::ok, std::move(body), kApplicationJson);
}

}  // namespace

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

}  // namespace sawmill::server
