// Range aggregations over unwrapped label values (`sum_over_time({..} | unwrap bytes(size)
// [5m]) by (host)` and avg, min, max, stdvar, stddev, quantile, first, last, rate, rate_counter):
// Loki's SampleExtractor semantics. A line without the label is skipped; a value that does not
// convert gets __error__="SampleExtractionErr" (and __error_details__), which the label
// filters after unwrap may drop; the unwrapped label leaves the series' labels; a grouping on
// the range aggregation keeps only those labels before the window is evaluated. Internal to
// query/engine (metric_query.cc).
#pragma once

#include <cstdint>
#include <vector>

#include "query/engine/metric_ops.h"
#include "query/engine/querier.h"
#include "query/engine/stats.h"
#include "query/engine/thread_pool.h"
#include "query/logql/ast.h"
#include "storage/result.h"

namespace sawmill::query::engine {

struct UnwrapContext {
  Querier* querier;
  ThreadPool* pool;
  std::string_view tenant;
  int64_t start_ns;
  int64_t step_ns;
  size_t steps;
  std::chrono::steady_clock::time_point deadline;
  bool allow_errors;  // an enclosing aggregation drops all labels
  QueryStats* stats;
};

// NotFound for an expression it cannot evaluate (no unwrap, no selector).
Result<std::vector<Dense>> EvalUnwrap(const UnwrapContext& ctx,
                                      const logql::RangeAggregationExpr& agg);

// The pipeline error Loki answers for a series that carries __error__.
std::string PipelineErrorMessage(const index::LabelSet& labels);

}  // namespace sawmill::query::engine
