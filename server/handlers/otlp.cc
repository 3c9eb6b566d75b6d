#include "server/handlers/otlp.h"

#include <chrono>
#include <string>

#include "ingest/otlp_body.h"
#include "ingest/proto_wire.h"
#include "server/handlers/tenant.h"
#include "server/http_status.h"
#include "server/log.h"

namespace sawmill::server {
namespace {

constexpr std::string_view kOtlpLogsPath = "/otlp/v1/logs";

std::string_view Header(const HttpRequest& r, std::string_view name) {
  auto it = r.find(name);
  return it == r.end() ? std::string_view() : std::string_view(it->value());
}

HttpResponse ErrorFor(const Status& status) {
  http::status code = HttpStatusFor(status.code());
  if (status.code() == StatusCode::kResourceExhausted) code = http::status::payload_too_large;
  if (code == http::status::internal_server_error) {
    LogError("OTLP push failed", {{"err", status.ToString()}});
    code = http::status::service_unavailable;
  }
  return OtlpErrorResponse(code, status.message());
}

HttpResponse HandleOtlp(const OtlpContext& context, const Request& req) {
  ingest::Pusher* pusher = context.pusher();
  if (pusher == nullptr) {
    return ErrorFor(Status::Unavailable("Ingester not ready: the store is still opening"));
  }
  Result<std::string> tenant = TenantOf(req.http);
  if (!tenant.ok()) return ErrorFor(tenant.status());

  const auto now = std::chrono::system_clock::now();
  const int64_t now_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  ingest::PushRequest request;
  ingest::OtlpMappingOptions mapping;
  if (context.overrides != nullptr) mapping.config = context.overrides->For(*tenant).otlp_config;
  Status decoded =
      ingest::DecodeOtlpBody(Header(req.http, "Content-Type"), Header(req.http, "Content-Encoding"),
                             req.http.body(), ingest::PushBodyLimits(), mapping, now_ns, &request);
  if (!decoded.ok()) return ErrorFor(decoded);

  ingest::PushOutcome outcome;
  if (Status st = pusher->Push(*tenant, request, now, &outcome); !st.ok()) return ErrorFor(st);
  if (context.instrumentation != nullptr) context.instrumentation->PushDone(*tenant, outcome);
  if (outcome.errors.empty()) return EmptyResponse(http::status::no_content);
  std::string message;
  for (const std::string& e : outcome.errors) {
    message += e;
    message += '\n';
  }
  if (!outcome.rate_limited) {
    message += "user '" + *tenant + "', total ignored: " + std::to_string(outcome.refused_entries) +
               " out of " + std::to_string(outcome.refused_entries + outcome.accepted_entries) +
               "\n";
  }
  return OtlpErrorResponse(
      outcome.too_many_requests ? http::status::too_many_requests : http::status::bad_request,
      message);
}

}  // namespace

HttpResponse OtlpErrorResponse(http::status status, std::string_view message) {
  std::string body;
  ingest::PutProtoBytesField(&body, 2, message);  // google.rpc.Status.message; code omitted
  return MakeResponse(status, std::move(body), "application/octet-stream");
}

bool IsOtlpRequest(const HttpRequest& request) {
  if (request.method() != http::verb::post) return false;
  std::string_view path = request.target();
  return path.substr(0, path.find('?')) == kOtlpLogsPath;
}

void AddOtlpRoutes(const OtlpContext& context, Router* router) {
  router->Add(
      http::verb::post, kOtlpLogsPath,
      [context](const Request& req) -> Result<HttpResponse> { return HandleOtlp(context, req); });
}

}  // namespace sawmill::server
