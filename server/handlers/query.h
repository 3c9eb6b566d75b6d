// The LogQL query endpoints:
//
//   GET|POST /loki/api/v1/query_range   log queries -> resultType "streams"
//   GET|POST /loki/api/v1/query         instant queries (log queries answer 400, as Loki 3)
//   GET|POST /api/prom/query            the legacy log query ({"streams":[{"labels",...}]})
//
// Parameters as query_params.h; answers as query/engine/response_json.h; the tenant as the
// push endpoints. Errors are Loki's plain-text bodies: 400 for a bad parameter, a parse error,
// a refused limit or a query over -querier.max-query-memory; 504 past -querier.query-timeout
// (queue time included); 429 "too many outstanding requests" when -querier.max-concurrent
// queries run and the queue (-query-scheduler.max-outstanding-requests-per-tenant) is full;
// 499 when the client closed its connection (the query is cancelled); 503 while the store is
// still opening or once shutdown began.
//
// A query is checked on the HTTP thread that received it (a bad one is answered at once,
// even with the queue full), then queued with the query scheduler: it runs on a scheduler
// thread plus the query pool, and a queued query holds no thread (query_scheduler.h).
// Every query that reaches admission gets a query log line (instrumentation.h).
#pragma once

#include <atomic>
#include <functional>
#include <memory>

#include "query/engine/querier.h"
#include "query/engine/thread_pool.h"
#include "server/instrumentation.h"
#include "server/query_limits.h"
#include "server/query_scheduler.h"
#include "server/router.h"

namespace sawmill::server {

struct QueryContext {
  // The querier, or null while the store is still opening.
  std::function<query::engine::Querier*()> querier;
  query::engine::ThreadPool* pool = nullptr;  // must outlive the routes
  QueryLimits limits;
  // Admission (-querier.max-concurrent, the bounded queue); must outlive the routes.
  QueryScheduler* scheduler = nullptr;
  Instrumentation* instrumentation = nullptr;  // the query log line and metrics; may be null
  // -querier.multi-tenant-queries-enabled: X-Scope-OrgID "a|b" reads both (read_scope.h).
  bool multi_tenant_queries = false;
};

// True for the query endpoints and the other reads admitted like them (read_admission.h):
// their sessions watch for the client going away.
bool IsQueryRequest(const HttpRequest& request);

void AddQueryRoutes(const QueryContext& context, Router* router);

// The request asks for the categorize-labels response encoding
// (X-Loki-Response-Encoding-Flags: categorize-labels; also honoured by the live tail).
bool WantsCategorizedLabels(const HttpRequest& request);

}  // namespace sawmill::server
