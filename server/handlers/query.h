// The LogQL query endpoints:
//
//   GET|POST /loki/api/v1/query_range   log queries -> resultType "streams"
//   GET|POST /loki/api/v1/query         instant queries (log queries answer 400, as Loki 3)
//   GET|POST /api/prom/query            the legacy log query ({"streams":[{"labels",...}]})
//
// Parameters as query_params.h; answers as query/engine/response_json.h; the tenant as the
// push endpoints. Errors are Loki's plain-text bodies: 400 for a bad parameter, a parse error
// or a refused limit, 504 past -querier.query-timeout, 429 when -querier.max-concurrent
// queries already run, 503 while the store is still opening.
//
// Queries run on the HTTP thread that received them plus the query pool; the concurrency cap
// is below the number of HTTP threads, so pushes always find a free thread.
#pragma once

#include <atomic>
#include <functional>
#include <memory>

#include "query/engine/querier.h"
#include "query/engine/thread_pool.h"
#include "server/query_limits.h"
#include "server/router.h"

namespace sawmill::server {

struct QueryContext {
  // The querier, or null while the store is still opening.
  std::function<query::engine::Querier*()> querier;
  query::engine::ThreadPool* pool = nullptr;  // must outlive the routes
  QueryLimits limits;
  // Queries running now (shared by the routes' copies of the context).
  std::shared_ptr<std::atomic<size_t>> running = std::make_shared<std::atomic<size_t>>(0);
};

void AddQueryRoutes(const QueryContext& context, Router* router);

}  // namespace sawmill::server
