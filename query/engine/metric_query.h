// Execution of LogQL metric queries: range aggregations (count_over_time, rate,
// bytes_over_time, bytes_rate, absent_over_time, and over unwrapped values sum/avg/min/max/
// stdvar/stddev/quantile/first/last_over_time and rate; metric_unwrap.h), `offset`, under any
// expression of vector aggregations (sum, avg, count, min, max, stddev, stdvar, topk, bottomk,
// sort, sort_desc; by/without), binary operations (scalars, on/ignoring, group_left/right,
// and/or/unless, bool) and label_replace (metric_ops.h). Not implemented, answered NotFound so
// the caller can say "not supported": rate_counter.
//
// Semantics are Loki's: steps at start, start + step, ..., up to end (both included); at step t
// a range aggregation covers the entries with t - range - offset < ts <= t - offset; a step
// whose window holds no entry has no point. Series are the label sets the log pipeline gives
// each entry; a series that carries __error__ fails the query with Loki's "pipeline error"
// unless the outermost aggregation is a sum/avg/... without grouping (which drops all labels).
//
// Streams are scanned in parallel on the ThreadPool; each stream's counts go into per-series
// step arrays, so memory is series x steps (series capped by max_series), never the data.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "index/labels.h"
#include "query/engine/querier.h"
#include "query/engine/query_guard.h"
#include "query/engine/stats.h"
#include "query/engine/thread_pool.h"
#include "query/logql/ast.h"
#include "storage/result.h"

namespace sawmill::query::engine {

struct MetricQueryParams {
  std::string tenant;
  int64_t start_ns = 0;     // first step
  int64_t end_ns = 0;       // last step (included)
  int64_t step_ns = 0;      // > 0; for an instant query start == end and any step > 0
  size_t max_series = 500;  // 0: no limit
  // Used when `guard` is null.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  // The query's deadline, cancellation and memory budget (query_guard.h): the per-series step
  // arrays and unwrapped samples are charged to it. May be null; must outlive the call.
  QueryGuard* guard = nullptr;
};

struct MetricSeries {
  index::LabelSet labels;
  std::vector<std::pair<int64_t, double>> points;  // (step ts ns, value), in time order
};

struct MetricQueryResult {
  std::vector<MetricSeries> series;  // sorted by label string
  QueryStats stats;
};

// NotFound when `expr` uses something not implemented; InvalidArgument for Loki's refusals
// (pipeline error, too many series, a bad regex in the pipeline); the guard's (time-out,
// cancellation, memory budget).
Result<MetricQueryResult> ExecuteMetricQuery(Querier* querier, ThreadPool* pool,
                                             const logql::Expr& expr,
                                             const MetricQueryParams& params);

// {"status":"success","data":{"resultType":"matrix","result":[{"metric":{..},"values":
// [[t,"v"],..]}],"stats":{..}}}, or for an instant query "vector" with one "value" each.
std::string MetricResponseJson(const MetricQueryResult& result, bool instant);

}  // namespace sawmill::query::engine
