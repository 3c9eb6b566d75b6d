#include "server/handlers/push.h"

#include <chrono>

#include "ingest/push_body.h"
#include "server/handlers/tenant.h"

namespace sawmill::server {
namespace {

std::string_view Header(const HttpRequest& r, std::string_view name) {
  auto it = r.find(name);
  return it == r.end() ? std::string_view() : std::string_view(it->value());
}

Result<HttpResponse> HandlePush(const PushContext& context, const Request& req,
                                ingest::PushApi api) {
  ingest::Pusher* pusher = context.pusher();
  if (pusher == nullptr) {
    return Status::Unavailable("Ingester not ready: the store is still opening");
  }
  SAW_ASSIGN_OR_RETURN(std::string tenant, TenantOf(req.http));

  ingest::PushRequest request;
  Status decoded =
      ingest::DecodePushBody(Header(req.http, "Content-Type"), Header(req.http, "Content-Encoding"),
                             req.http.body(), api, ingest::PushBodyLimits(), &request);
  if (decoded.code() == StatusCode::kResourceExhausted) {
    return MakeResponse(http::status::payload_too_large, decoded.message() + "\n");
  }
  SAW_RETURN_IF_ERROR(decoded);

  ingest::PushOutcome outcome;
  SAW_RETURN_IF_ERROR(pusher->Push(tenant, request, std::chrono::system_clock::now(), &outcome));
  if (context.instrumentation != nullptr) context.instrumentation->PushDone(tenant, outcome);
  if (outcome.errors.empty()) return EmptyResponse(http::status::no_content);
  std::string body;
  for (const std::string& e : outcome.errors) {
    body += e;
    body += '\n';
  }
  // Like Loki: the valid entries are stored, the answer lists the refusals; 400 for bad
  // data, 429 when a limit refused the push or some of its streams (clients retry those).
  // A rate-limited push is refused whole and its one message says so.
  if (!outcome.rate_limited) {
    body += "user '" + tenant + "', total ignored: " + std::to_string(outcome.refused_entries) +
            " out of " + std::to_string(outcome.refused_entries + outcome.accepted_entries) + "\n";
  }
  return MakeResponse(
      outcome.too_many_requests ? http::status::too_many_requests : http::status::bad_request,
      std::move(body));
}

}  // namespace

bool IsPushRequest(const HttpRequest& request) {
  if (request.method() != http::verb::post) return false;
  std::string_view path = request.target();
  path = path.substr(0, path.find('?'));
  return path == "/loki/api/v1/push" || path == "/api/prom/push";
}

void AddPushRoutes(const PushContext& context, Router* router) {
  router->Add(http::verb::post, "/loki/api/v1/push", [context](const Request& req) {
    return HandlePush(context, req, ingest::PushApi::kV1);
  });
  router->Add(http::verb::post, "/api/prom/push", [context](const Request& req) {
    return HandlePush(context, req, ingest::PushApi::kLegacy);
  });
}

}  // namespace sawmill::server
