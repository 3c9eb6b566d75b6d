#include "server/handlers/index_stats.h"

#include <memory>
#include <string>
#include <vector>

#include "query/engine/index_stats.h"
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

// The selector of `query`; `{}` (every stream) when `allow_all` and the query is `{}`.
Result<std::vector<index::Matcher>> Selector(const Form& form, bool allow_all) {
  std::string_view query = form.Get("query");
  if (allow_all) {
    std::string_view trimmed = query;
    while (!trimmed.empty() && trimmed.front() == ' ') trimmed.remove_prefix(1);
    while (!trimmed.empty() && trimmed.back() == ' ') trimmed.remove_suffix(1);
    if (trimmed == "{}") return std::vector<index::Matcher>{};
  }
  return engine::ParseSelector(query);
}

void HandleStats(const QueryContext& ctx, const Request& req, Reply reply) {
  Result<ReadScope> scope = ScopeOf(ctx, req.http);
  if (!scope.ok()) return reply(PlainError(scope.status()));
  Result<Form> form = Form::FromRequest(req);
  if (!form.ok()) return reply(PlainError(form.status()));
  Result<RangeParams> bounds = ParseBounds(*form, NowNs());
  if (!bounds.ok()) return reply(PlainError(bounds.status()));
  Result<std::vector<index::Matcher>> matchers = Selector(*form, false);
  if (!matchers.ok()) return reply(PlainError(matchers.status()));
  auto shared_scope = std::make_shared<ReadScope>(std::move(scope).value());
  RunAdmitted(ctx, req, std::move(reply),
              [scope = std::move(shared_scope), matchers = std::move(matchers).value(),
               range = *bounds](ReadAdmission& admission) -> Result<HttpResponse> {
                SAW_ASSIGN_OR_RETURN(
                    engine::IndexStatsResult stats,
                    engine::IndexStats(scope->querier, scope->tenant, matchers, range.start_ns,
                                       range.end_ns + 1, admission.guard()));
                SAW_RETURN_IF_ERROR(admission.Check());
                return MakeResponse(http::status::ok, engine::IndexStatsJson(stats),
                                    kApplicationJson);
              });
}

void HandleVolume(const QueryContext& ctx, const Request& req, bool range, Reply reply) {
  Result<ReadScope> scope = ScopeOf(ctx, req.http);
  if (!scope.ok()) return reply(PlainError(scope.status()));
  Result<Form> form = Form::FromRequest(req);
  if (!form.ok()) return reply(PlainError(form.status()));
  Result<RangeParams> params = ParseRangeParams(*form, NowNs());
  if (!params.ok()) return reply(PlainError(params.status()));
  Result<std::vector<index::Matcher>> matchers = Selector(*form, true);
  if (!matchers.ok()) return reply(PlainError(matchers.status()));

  engine::VolumeParams v;
  v.tenant = scope->tenant;
  v.matchers = std::move(matchers).value();
  v.start_ns = params->start_ns;
  v.end_ns = params->end_ns;
  v.step_ns = range ? params->step_ns : 0;
  v.limit = params->limit;
  std::string_view targets = form->Get("targetLabels");
  while (!targets.empty()) {
    size_t comma = targets.find(',');
    std::string_view t = targets.substr(0, comma);
    if (!t.empty()) v.target_labels.emplace_back(t);
    targets = comma == std::string_view::npos ? std::string_view() : targets.substr(comma + 1);
  }
  std::string_view by = form->Get("aggregateBy");
  if (by == "labels") {
    v.aggregate_by_labels = true;
  } else if (!by.empty() && by != "series") {
    return reply(PlainError(Status::InvalidArgument("invalid aggregation option")));
  }
  auto shared_scope = std::make_shared<ReadScope>(std::move(scope).value());
  RunAdmitted(ctx, req, std::move(reply),
              [scope = std::move(shared_scope),
               v = std::move(v)](ReadAdmission& admission) mutable -> Result<HttpResponse> {
                v.guard = admission.guard();
                SAW_ASSIGN_OR_RETURN(engine::VolumeResult result,
                                     engine::Volume(scope->querier, v));
                SAW_RETURN_IF_ERROR(admission.Check());
                return MakeResponse(http::status::ok, engine::VolumeJson(result), kApplicationJson);
              });
}

}  // namespace

void AddIndexStatsRoutes(const QueryContext& context, Router* router) {
  for (http::verb verb : {http::verb::get, http::verb::post}) {
    router->AddAsync(verb, "/loki/api/v1/index/stats", [context](const Request& req, Reply reply) {
      HandleStats(context, req, std::move(reply));
    });
    router->AddAsync(verb, "/loki/api/v1/index/volume", [context](const Request& req, Reply reply) {
      HandleVolume(context, req, false, std::move(reply));
    });
    router->AddAsync(verb, "/loki/api/v1/index/volume_range",
                     [context](const Request& req, Reply reply) {
                       HandleVolume(context, req, true, std::move(reply));
                     });
  }
}

}  // namespace sawmill::server
