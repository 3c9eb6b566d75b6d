#include "server/handlers/admin.h"

#include <nlohmann/json.hpp>

#include "server/build_info.h"

namespace sawmill::server {
namespace {

Status NotReady() { return Status::Unavailable("Ingester not ready: the store is still opening"); }

}  // namespace

void AddAdminRoutes(const AdminContext& context, Router* router) {
  router->Add(http::verb::get, "/ready", [context](const Request&) -> Result<HttpResponse> {
    if (context.stopping && context.stopping()) {
      return Status::Unavailable("Sawmill is shutting down");
    }
    if (context.store() == nullptr) return NotReady();
    return MakeResponse(http::status::ok, "ready\n");
  });

  if (context.metrics != nullptr) {
    router->Add(http::verb::get, "/metrics", [context](const Request&) -> Result<HttpResponse> {
      return MakeResponse(http::status::ok, context.metrics->Expose(),
                          "text/plain; version=0.0.4; charset=utf-8");
    });
  }

  router->Add(http::verb::get, "/loki/api/v1/status/buildinfo",
              [](const Request&) -> Result<HttpResponse> {
                const BuildInfo& b = GetBuildInfo();
                // Loki's field order; goVersion stays for clients that expect it.
                const nlohmann::ordered_json body = {
                    {"version", b.version},      {"revision", b.revision},    {"branch", b.branch},
                    {"buildUser", b.build_user}, {"buildDate", b.build_date}, {"goVersion", ""},
                };
                return MakeResponse(http::status::ok, body.dump(), kApplicationJson);
              });

  router->Add(http::verb::get, "/config", [context](const Request&) -> Result<HttpResponse> {
    return MakeResponse(http::status::ok, context.config_yaml);
  });

  router->Add(http::verb::post, "/flush", [context](const Request&) -> Result<HttpResponse> {
    storage::Store* store = context.store();
    if (store == nullptr) return NotReady();
    SAW_RETURN_IF_ERROR(store->FlushAll());
    return EmptyResponse(http::status::no_content);
  });
}

}  // namespace sawmill::server
