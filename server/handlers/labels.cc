#include "server/handlers/labels.h"

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "query/engine/plan.h"
#include "query/engine/response_json.h"
#include "server/handlers/query_params.h"
#include "server/handlers/read_admission.h"
#include "server/handlers/read_scope.h"
#include "server/handlers/tenant.h"
#include "server/http_status.h"

namespace sawmill::server {
namespace {

namespace engine = query::engine;

HttpResponse PlainError(const Status& s) {
  return MakeResponse(HttpStatusFor(s.code()), s.message());
}

HttpResponse Json(std::string body) {
  return MakeResponse(http::status::ok, std::move(body), kApplicationJson);
}

// What every endpoint here starts with.
struct Common {
  ReadScope scope;
  engine::Querier* querier = nullptr;
  std::string tenant;
  Form form;
  RangeParams bounds;
};

Result<Common> Begin(const QueryContext& ctx, const Request& req) {
  Common c;
  SAW_ASSIGN_OR_RETURN(c.scope, ScopeOf(ctx, req.http));
  c.querier = c.scope.querier;
  c.tenant = c.scope.tenant;
  SAW_ASSIGN_OR_RETURN(c.form, Form::FromRequest(req));
  SAW_ASSIGN_OR_RETURN(c.bounds, ParseBounds(c.form, NowNs()));
  return c;
}

void HandleLabels(const QueryContext& ctx, const Request& req, bool legacy, Reply reply) {
  Result<Common> c = Begin(ctx, req);
  if (!c.ok()) return reply(PlainError(c.status()));
  std::string_view query = c->form.Get("query");
  std::vector<std::vector<index::Matcher>> selectors;
  if (!query.empty()) {
    Result<std::vector<index::Matcher>> m = engine::ParseSelector(query);
    if (!m.ok()) return reply(PlainError(m.status()));
    selectors.push_back(std::move(m).value());
  }
  auto common = std::make_shared<Common>(std::move(c).value());
  RunAdmitted(ctx, req, std::move(reply),
              [common, selectors = std::move(selectors),
               legacy](ReadAdmission& admission) -> Result<HttpResponse> {
                const Common& c = *common;
                std::vector<std::string> names;
                if (selectors.empty()) {
                  SAW_ASSIGN_OR_RETURN(
                      names, c.querier->LabelNames(c.tenant, c.bounds.start_ns, c.bounds.end_ns));
                } else {
                  SAW_ASSIGN_OR_RETURN(
                      std::vector<engine::SelectedStream> series,
                      c.querier->Series(c.tenant, selectors, c.bounds.start_ns, c.bounds.end_ns));
                  std::set<std::string> set;
                  for (const engine::SelectedStream& s : series) {
                    for (const index::Label& l : s.labels->labels()) set.insert(l.name);
                  }
                  names.assign(set.begin(), set.end());
                }
                SAW_RETURN_IF_ERROR(admission.Check());
                return Json(legacy ? engine::LegacyValuesResponseJson(names)
                                   : engine::StringListResponseJson(names));
              });
}

void HandleLabelValues(const QueryContext& ctx, const Request& req, bool legacy, Reply reply) {
  Result<Common> c = Begin(ctx, req);
  if (!c.ok()) return reply(PlainError(c.status()));
  std::vector<index::Matcher> matchers;
  if (std::string_view query = c->form.Get("query"); !query.empty()) {
    Result<std::vector<index::Matcher>> m = engine::ParseSelector(query);
    if (!m.ok()) return reply(PlainError(m.status()));
    matchers = std::move(m).value();
  }
  auto common = std::make_shared<Common>(std::move(c).value());
  RunAdmitted(ctx, req, std::move(reply),
              [common, matchers = std::move(matchers), name = std::string(req.PathParam("name")),
               legacy](ReadAdmission& admission) -> Result<HttpResponse> {
                const Common& c = *common;
                SAW_ASSIGN_OR_RETURN(std::vector<std::string> values,
                                     c.querier->LabelValues(c.tenant, name, c.bounds.start_ns,
                                                            c.bounds.end_ns, matchers));
                SAW_RETURN_IF_ERROR(admission.Check());
                return Json(legacy ? engine::LegacyValuesResponseJson(values)
                                   : engine::StringListResponseJson(values));
              });
}

void HandleSeries(const QueryContext& ctx, const Request& req, Reply reply) {
  Result<Common> c = Begin(ctx, req);
  if (!c.ok()) return reply(PlainError(c.status()));
  std::vector<std::string_view> groups = c->form.GetAll("match[]");
  for (std::string_view g : c->form.GetAll("match")) groups.push_back(g);
  std::vector<std::vector<index::Matcher>> selectors;
  for (std::string_view g : groups) {
    Result<std::vector<index::Matcher>> m = engine::ParseSelector(g);
    if (!m.ok()) return reply(PlainError(m.status()));
    selectors.push_back(std::move(m).value());
  }
  if (selectors.empty()) {
    return reply(PlainError(Status::InvalidArgument("0 matcher groups supplied")));
  }
  auto common = std::make_shared<Common>(std::move(c).value());
  RunAdmitted(
      ctx, req, std::move(reply),
      [common, selectors = std::move(selectors)](ReadAdmission& admission) -> Result<HttpResponse> {
        const Common& c = *common;
        SAW_ASSIGN_OR_RETURN(
            std::vector<engine::SelectedStream> series,
            c.querier->Series(c.tenant, selectors, c.bounds.start_ns, c.bounds.end_ns));
        SAW_RETURN_IF_ERROR(admission.Check());
        return Json(engine::SeriesResponseJson(series));
      });
}

}  // namespace

void AddLabelRoutes(const QueryContext& context, Router* router) {
  for (http::verb verb : {http::verb::get, http::verb::post}) {
    router->AddAsync(verb, "/loki/api/v1/labels", [context](const Request& req, Reply reply) {
      HandleLabels(context, req, false, std::move(reply));
    });
    router->AddAsync(verb, "/loki/api/v1/label/{name}/values",
                     [context](const Request& req, Reply reply) {
                       HandleLabelValues(context, req, false, std::move(reply));
                     });
    router->AddAsync(verb, "/loki/api/v1/series", [context](const Request& req, Reply reply) {
      HandleSeries(context, req, std::move(reply));
    });
    router->AddAsync(verb, "/api/prom/series", [context](const Request& req, Reply reply) {
      HandleSeries(context, req, std::move(reply));
    });
  }
  router->AddAsync(http::verb::get, "/api/prom/label", [context](const Request& req, Reply reply) {
    HandleLabels(context, req, true, std::move(reply));
  });
  router->AddAsync(http::verb::get, "/api/prom/label/{name}/values",
                   [context](const Request& req, Reply reply) {
                     HandleLabelValues(context, req, true, std::move(reply));
                   });
}

}  // namespace sawmill::server
