#include "server/handlers/detected.h"

#include <charconv>
#include <memory>
#include <string>
#include <vector>

#include "query/engine/detected_fields.h"
#include "query/engine/detected_labels.h"
#include "query/engine/plan.h"
#include "server/handlers/query_params.h"
#include "server/handlers/read_admission.h"
#include "server/handlers/read_scope.h"
#include "server/http_status.h"

namespace sawmill::server {
namespace {

namespace engine = query::engine;

HttpResponse PlainError(const Status& s) {
  return MakeResponse(HttpStatusFor(s.code()), s.message());
}

// A positive integer parameter, `def` when absent.
Result<size_t> PositiveParam(const Form& form, std::string_view name, size_t def) {
  std::string_view v = form.Get(name);
  if (v.empty()) return def;
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size() || n == 0) {
    return Status::InvalidArgument(std::string(name) + " must be a positive value");
  }
  return static_cast<size_t>(n);
}

void HandleDetectedLabels(const QueryContext& ctx, const Request& req, Reply reply) {
  Result<ReadScope> scope = ScopeOf(ctx, req.http);
  if (!scope.ok()) return reply(PlainError(scope.status()));
  Result<Form> form = Form::FromRequest(req);
  if (!form.ok()) return reply(PlainError(form.status()));
  Result<RangeParams> bounds = ParseBounds(*form, NowNs());
  if (!bounds.ok()) return reply(PlainError(bounds.status()));
  std::vector<index::Matcher> matchers;
  if (std::string_view q = form->Get("query"); !q.empty() && q != "{}") {
    Result<std::vector<index::Matcher>> m = engine::ParseSelector(q);
    if (!m.ok()) return reply(PlainError(m.status()));
    matchers = std::move(m).value();
  }
  auto shared_scope = std::make_shared<ReadScope>(std::move(scope).value());
  RunAdmitted(ctx, req, std::move(reply),
              [scope = std::move(shared_scope), matchers = std::move(matchers),
               range = *bounds](ReadAdmission& admission) -> Result<HttpResponse> {
                SAW_ASSIGN_OR_RETURN(std::vector<engine::DetectedLabel> labels,
                                     engine::DetectLabels(scope->querier, scope->tenant, matchers,
                                                          range.start_ns, range.end_ns + 1));
                SAW_RETURN_IF_ERROR(admission.Check());
                return MakeResponse(http::status::ok, engine::DetectedLabelsJson(labels),
                                    kApplicationJson);
              });
}

// Both detected field endpoints: `values` for one field's values (the path's name).
void HandleDetectedFields(const QueryContext& ctx, const Request& req, bool values, Reply reply) {
  Result<ReadScope> scope = ScopeOf(ctx, req.http);
  if (!scope.ok()) return reply(PlainError(scope.status()));
  Result<Form> form = Form::FromRequest(req);
  if (!form.ok()) return reply(PlainError(form.status()));
  Result<RangeParams> bounds = ParseBounds(*form, NowNs());
  if (!bounds.ok()) return reply(PlainError(bounds.status()));
  Result<size_t> line_limit = PositiveParam(*form, "line_limit", 1000);
  if (!line_limit.ok()) return reply(PlainError(line_limit.status()));
  Result<size_t> limit = PositiveParam(*form, "limit", 1000);
  if (!limit.ok()) return reply(PlainError(limit.status()));
  const size_t max_entries = ctx.limits.max_entries_per_query;
  if (max_entries > 0 && *line_limit > max_entries) {
    return reply(PlainError(Status::InvalidArgument(
        "max entries limit per query exceeded, limit > max_entries_limit (" +
        std::to_string(*line_limit) + " > " + std::to_string(max_entries) + ")")));
  }
  engine::DetectedFieldsParams p;
  p.tenant = scope->tenant;
  p.query = std::string(form->Get("query"));
  if (p.query.empty()) {
    return reply(PlainError(Status::InvalidArgument("query parameter is required")));
  }
  p.start_ns = bounds->start_ns;
  p.end_ns = bounds->end_ns;
  p.line_limit = *line_limit;
  p.field_limit = values ? SIZE_MAX : *limit;
  auto shared_scope = std::make_shared<ReadScope>(std::move(scope).value());
  RunAdmitted(ctx, req, std::move(reply),
              [&ctx, scope = std::move(shared_scope), p, values, limit = *limit,
               name = std::string(req.PathParam("name"))](
                  ReadAdmission& admission) mutable -> Result<HttpResponse> {
                p.guard = admission.guard();
                SAW_ASSIGN_OR_RETURN(std::vector<engine::DetectedField> fields,
                                     engine::DetectFields(scope->querier, ctx.pool, p));
                SAW_RETURN_IF_ERROR(admission.Check());
                std::string body = values ? engine::DetectedFieldValuesJson(fields, name, limit)
                                          : engine::DetectedFieldsJson(fields, limit);
                return MakeResponse(http::status::ok, std::move(body), kApplicationJson);
              });
}

Result<HttpResponse> HandlePatterns(const QueryContext& ctx, const Request& req) {
  Result<ReadScope> scope = ScopeOf(ctx, req.http);
  if (!scope.ok()) return PlainError(scope.status());
  Result<Form> form = Form::FromRequest(req);
  if (!form.ok()) return PlainError(form.status());
  Result<RangeParams> params = ParseRangeParams(*form, NowNs());
  if (!params.ok()) return PlainError(params.status());
  Result<engine::QueryPlan> plan = engine::PlanQuery(form->Get("query"));
  if (!plan.ok()) return PlainError(plan.status());
  return MakeResponse(http::status::ok, "{\"status\":\"success\",\"data\":[]}", kApplicationJson);
}

}  // namespace

void AddDetectedRoutes(const QueryContext& context, Router* router) {
  for (http::verb verb : {http::verb::get, http::verb::post}) {
    router->AddAsync(verb, "/loki/api/v1/detected_labels",
                     [context](const Request& req, Reply reply) {
                       HandleDetectedLabels(context, req, std::move(reply));
                     });
    router->AddAsync(verb, "/loki/api/v1/detected_fields",
                     [context](const Request& req, Reply reply) {
                       HandleDetectedFields(context, req, false, std::move(reply));
                     });
    router->AddAsync(verb, "/loki/api/v1/detected_field/{name}/values",
                     [context](const Request& req, Reply reply) {
                       HandleDetectedFields(context, req, true, std::move(reply));
                     });
    router->Add(verb, "/loki/api/v1/patterns",
                [context](const Request& req) { return HandlePatterns(context, req); });
  }
}

}  // namespace sawmill::server
