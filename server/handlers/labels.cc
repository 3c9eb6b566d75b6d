#include "server/handlers/labels.h"

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

Result<HttpResponse> HandleLabels(const QueryContext& ctx, const Request& req, bool legacy) {
  Result<Common> c = Begin(ctx, req);
  if (!c.ok()) return PlainError(c.status());
  std::vector<std::string> names;
  std::string_view query = c->form.Get("query");
  std::vector<std::vector<index::Matcher>> selectors;
  if (!query.empty()) {
    Result<std::vector<index::Matcher>> m = engine::ParseSelector(query);
    if (!m.ok()) return PlainError(m.status());
    selectors.push_back(std::move(m).value());
  }
  ReadAdmission admission(ctx, req);
  if (Status s = admission.Admit(); !s.ok()) return admission.Error(s);
  if (selectors.empty()) {
    Result<std::vector<std::string>> r =
        c->querier->LabelNames(c->tenant, c->bounds.start_ns, c->bounds.end_ns);
    if (!r.ok()) return admission.Error(r.status());
    names = std::move(r).value();
  } else {
    Result<std::vector<engine::SelectedStream>> series =
        c->querier->Series(c->tenant, selectors, c->bounds.start_ns, c->bounds.end_ns);
    if (!series.ok()) return admission.Error(series.status());
    std::set<std::string> set;
    for (const engine::SelectedStream& s : *series) {
      for (const index::Label& l : s.labels->labels()) set.insert(l.name);
    }
    names.assign(set.begin(), set.end());
  }
  if (Status s = admission.Check(); !s.ok()) return admission.Error(s);
  return Json(legacy ? engine::LegacyValuesResponseJson(names)
                     : engine::StringListResponseJson(names));
}

Result<HttpResponse> HandleLabelValues(const QueryContext& ctx, const Request& req, bool legacy) {
  Result<Common> c = Begin(ctx, req);
  if (!c.ok()) return PlainError(c.status());
  std::vector<index::Matcher> matchers;
  if (std::string_view query = c->form.Get("query"); !query.empty()) {
    Result<std::vector<index::Matcher>> m = engine::ParseSelector(query);
    if (!m.ok()) return PlainError(m.status());
    matchers = std::move(m).value();
  }
  ReadAdmission admission(ctx, req);
  if (Status s = admission.Admit(); !s.ok()) return admission.Error(s);
  Result<std::vector<std::string>> values = c->querier->LabelValues(
      c->tenant, req.PathParam("name"), c->bounds.start_ns, c->bounds.end_ns, matchers);
  if (!values.ok()) return admission.Error(values.status());
  if (Status s = admission.Check(); !s.ok()) return admission.Error(s);
  return Json(legacy ? engine::LegacyValuesResponseJson(*values)
                     : engine::StringListResponseJson(*values));
}

Result<HttpResponse> HandleSeries(const QueryContext& ctx, const Request& req) {
  Result<Common> c = Begin(ctx, req);
  if (!c.ok()) return PlainError(c.status());
  std::vector<std::string_view> groups = c->form.GetAll("match[]");
  for (std::string_view g : c->form.GetAll("match")) groups.push_back(g);
  std::vector<std::vector<index::Matcher>> selectors;
  for (std::string_view g : groups) {
    Result<std::vector<index::Matcher>> m = engine::ParseSelector(g);
    if (!m.ok()) return PlainError(m.status());
    selectors.push_back(std::move(m).value());
  }
  if (selectors.empty()) {
    return PlainError(Status::InvalidArgument("0 matcher groups supplied"));
  }
  ReadAdmission admission(ctx, req);
  if (Status s = admission.Admit(); !s.ok()) return admission.Error(s);
  Result<std::vector<engine::SelectedStream>> series =
      c->querier->Series(c->tenant, selectors, c->bounds.start_ns, c->bounds.end_ns);
  if (!series.ok()) return admission.Error(series.status());
  if (Status s = admission.Check(); !s.ok()) return admission.Error(s);
  return Json(engine::SeriesResponseJson(*series));
}

}  // namespace

void AddLabelRoutes(const QueryContext& context, Router* router) {
  for (http::verb verb : {http::verb::get, http::verb::post}) {
    router->Add(verb, "/loki/api/v1/labels",
                [context](const Request& req) { return HandleLabels(context, req, false); });
    router->Add(verb, "/loki/api/v1/label/{name}/values",
                [context](const Request& req) { return HandleLabelValues(context, req, false); });
    router->Add(verb, "/loki/api/v1/series",
                [context](const Request& req) { return HandleSeries(context, req); });
    router->Add(verb, "/api/prom/series",
                [context](const Request& req) { return HandleSeries(context, req); });
  }
  router->Add(http::verb::get, "/api/prom/label",
              [context](const Request& req) { return HandleLabels(context, req, true); });
  router->Add(http::verb::get, "/api/prom/label/{name}/values",
              [context](const Request& req) { return HandleLabelValues(context, req, true); });
}

}  // namespace sawmill::server
