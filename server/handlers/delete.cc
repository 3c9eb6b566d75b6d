#include "server/handlers/delete.h"

#include <chrono>
#include <string>

#include "query/engine/response_json.h"
#include "server/handlers/delete_params.h"
#include "server/handlers/query_params.h"
#include "server/handlers/tenant.h"
#include "storage/units.h"

namespace sawmill::server {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status NotReady() { return Status::Unavailable("Ingester not ready: the store is still opening"); }

Result<DeleteService*> ServiceFor(const DeleteContext& context) {
  DeleteService* service = context.service();
  if (service == nullptr) return NotReady();
  return service;
}

HttpResponse NotAvailable() {
  return MakeResponse(http::status::forbidden, "deletion is not available for this tenant\n");
}

Result<HttpResponse> HandleCreate(const DeleteContext& context, const Request& req) {
  SAW_ASSIGN_OR_RETURN(DeleteService * service, ServiceFor(context));
  SAW_ASSIGN_OR_RETURN(std::string tenant, TenantOf(req.http));
  if (service->ModeFor(tenant) == DeletionMode::kDisabled) return NotAvailable();
  SAW_ASSIGN_OR_RETURN(Form form, Form::FromRequest(req));
  const std::string query(form.Get("query"));
  if (query.empty()) return Status::InvalidArgument("query not set");
  SAW_ASSIGN_OR_RETURN(auto compiled, query::engine::DeleteQuery::Compile(query));
  const int64_t now_ms = NowMs();
  if (form.Get("start").empty()) return Status::InvalidArgument("start time not set");
  Result<int64_t> start = ParseDeleteTime(form.Get("start"), now_ms);
  if (!start.ok()) {
    return Status::InvalidArgument("invalid start time: require unix seconds or RFC3339 format");
  }
  Result<int64_t> end = ParseDeleteTime(form.Get("end"), now_ms);
  if (!end.ok()) {
    return Status::InvalidArgument("invalid end time: require unix seconds or RFC3339 format");
  }
  if (*end > now_ms) return Status::InvalidArgument("deletes in the future are not allowed");
  if (*start > *end) return Status::InvalidArgument("start time can't be greater than end time");
  // Loki splits a request with line filters into max_interval shards; its checks are kept
  // (the request is processed whole here: one pass per request).
  if (compiled->has_filter()) {
    const int64_t span_ns = (*end - *start) * 1000000;
    std::string_view max_interval = form.Get("max_interval");
    if (max_interval.empty()) {
      if (*end - *start < 1000) {
        return Status::InvalidArgument(
            "difference between start time and end time must be at least one second");
      }
    } else {
      Result<std::chrono::nanoseconds> d = ParseDuration(max_interval);
      if (!d.ok() || d->count() < 1000000000) {
        return Status::InvalidArgument("invalid max_interval: valid time units are 's', 'm', 'h'");
      }
      if (d->count() > span_ns) {
        return Status::InvalidArgument(
            "max_interval can't be greater than the interval to be deleted (" +
            GoDurationString(span_ns) + ")");
      }
    }
  }
  SAW_ASSIGN_OR_RETURN(storage::DeleteRequest r,
                       service->Create(tenant, query, *start, *end, now_ms));
  (void)r;
  return EmptyResponse(http::status::no_content);
}

Result<HttpResponse> HandleList(const DeleteContext& context, const Request& req) {
  SAW_ASSIGN_OR_RETURN(DeleteService * service, ServiceFor(context));
  SAW_ASSIGN_OR_RETURN(std::string tenant, TenantOf(req.http));
  if (service->ModeFor(tenant) == DeletionMode::kDisabled) return NotAvailable();
  SAW_ASSIGN_OR_RETURN(std::vector<storage::DeleteRequest> requests, service->List(tenant));
  std::string body = "[";
  for (size_t i = 0; i < requests.size(); ++i) {
    const storage::DeleteRequest& r = requests[i];
    if (i > 0) body.push_back(',');
    body += "{\"request_id\":";
    query::engine::AppendJsonString(&body, r.request_id);
    body += ",\"start_time\":" + ModelTimeJson(r.start_ms);
    body += ",\"end_time\":" + ModelTimeJson(r.end_ms);
    body += ",\"query\":";
    query::engine::AppendJsonString(&body, r.query);
    body += ",\"status\":";
    query::engine::AppendJsonString(&body, storage::DeleteStatusName(r.status));
    body += ",\"created_at\":" + ModelTimeJson(r.created_at_ms) + "}";
  }
  body += "]\n";  // Go's json.Encoder ends with a newline
  return MakeResponse(http::status::ok, std::move(body), "application/json");
}

Result<HttpResponse> HandleCancel(const DeleteContext& context, const Request& req) {
  SAW_ASSIGN_OR_RETURN(DeleteService * service, ServiceFor(context));
  SAW_ASSIGN_OR_RETURN(std::string tenant, TenantOf(req.http));
  if (service->ModeFor(tenant) == DeletionMode::kDisabled) return NotAvailable();
  SAW_ASSIGN_OR_RETURN(Form form, Form::FromRequest(req));
  SAW_RETURN_IF_ERROR(
      service->Cancel(tenant, std::string(form.Get("request_id")), form.Get("force") == "true"));
  return EmptyResponse(http::status::no_content);
}

}  // namespace

void AddDeleteRoutes(const DeleteContext& context, Router* router) {
  router->Add(http::verb::post, "/loki/api/v1/delete",
              [context](const Request& req) { return HandleCreate(context, req); });
  router->Add(http::verb::put, "/loki/api/v1/delete",
              [context](const Request& req) { return HandleCreate(context, req); });
  router->Add(http::verb::get, "/loki/api/v1/delete",
              [context](const Request& req) { return HandleList(context, req); });
  router->Add(http::verb::delete_, "/loki/api/v1/delete",
              [context](const Request& req) { return HandleCancel(context, req); });
}

}  // namespace sawmill::server
