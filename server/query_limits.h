// Loki's query limits (limits_config), with Loki's defaults and flag names:
//   -validation.max-entries-limit   max_entries_limit_per_query  5000
//   -store.max-query-length         max_query_length             721h
//   -querier.max-query-series       max_query_series             500 (metric queries)
//   -querier.query-timeout          query_timeout                1m
//   -querier.max-concurrent         max_concurrent               queries run at once
//   -query-scheduler.max-outstanding-requests-per-tenant  max_outstanding_requests_per_tenant
//                                   queries waiting for a slot (one queue for all tenants)
//   -querier.max-query-memory       (Sawmill's) bytes a query may hold while it runs
//   -querier.max-concurrent-tail-requests  max_concurrent_tail_requests  10 (per tenant)
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace sawmill::server {

struct QueryLimits {
  size_t max_entries_per_query = 5000;                                  // 0: no limit
  std::chrono::nanoseconds max_query_length = std::chrono::hours(721);  // 0: no limit
  size_t max_query_series = 500;
  std::chrono::nanoseconds query_timeout = std::chrono::minutes(1);
  size_t max_concurrent = 0;  // 0: twice the hardware threads
  // Queries that may wait for a running slot; more answer 429. A waiting query holds its
  // request and connection (no thread, query_scheduler.h); kMaxOutstandingLimit bounds them.
  size_t max_outstanding = 100;
  uint64_t max_query_memory = uint64_t{1} << 30;  // 0: no limit
  size_t max_concurrent_tail_requests = 10;       // open tails per tenant; 0: no limit
};

inline constexpr size_t kMaxOutstandingLimit = 4096;

}  // namespace sawmill::server
