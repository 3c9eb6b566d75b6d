// Loki's query limits (limits_config), with Loki's defaults and flag names:
//   -validation.max-entries-limit   max_entries_limit_per_query  5000
//   -store.max-query-length         max_query_length             721h
//   -querier.max-query-series       max_query_series             500 (metric queries)
//   -querier.query-timeout          query_timeout                1m
//   -querier.max-concurrent         max_concurrent               queries run at once
#pragma once

#include <chrono>
#include <cstddef>

namespace sawmill::server {

struct QueryLimits {
  size_t max_entries_per_query = 5000;                                  // 0: no limit
  std::chrono::nanoseconds max_query_length = std::chrono::hours(721);  // 0: no limit
  size_t max_query_series = 500;
  std::chrono::nanoseconds query_timeout = std::chrono::minutes(1);
  size_t max_concurrent = 0;  // 0: twice the hardware threads
};

}  // namespace sawmill::server
