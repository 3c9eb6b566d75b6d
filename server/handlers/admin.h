// Operational endpoints, the ones Loki serves for operators and load balancers:
//
//   GET  /ready                          200 "ready\n" once the store is open (heads recovered),
//                                        503 before and once shutdown has begun
//   GET  /metrics                        Prometheus text format
//   GET  /loki/api/v1/status/buildinfo   {"version":..,"revision":..,"branch":..,...}
//   POST /flush                          flushes every head into chunks, 204
//   GET  /config                         the configuration in force, as YAML (Loki's /config)
#pragma once

#include <functional>
#include <string>

#include "server/metrics.h"
#include "server/router.h"
#include "storage/store.h"

namespace sawmill::server {

struct AdminContext {
  // The open store, or null while it is still opening (or already closed). The store a
  // handler gets stays valid until the HTTP server has stopped.
  std::function<storage::Store*()> store;
  Registry* metrics = nullptr;  // outlives the router; null: /metrics is not served
  std::string config_yaml;      // what GET /config answers
  // Whether the server is shutting down (/ready answers 503 from then on); may be empty.
  std::function<bool()> stopping;
};

void AddAdminRoutes(const AdminContext& context, Router* router);

}  // namespace sawmill::server
