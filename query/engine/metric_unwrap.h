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
#include "query/engine/query_guard.h"
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
  QueryGuard* guard;  // non-null: time-out, cancellation, and the samples held are charged
  bool allow_errors;  // an enclosing aggregation drops all labels
  QueryStats* stats;
  size_t max_series;  // for the series limit message; see EvalUnwrap
};

// NotFound for an expression it cannot evaluate (no unwrap, no selector). Memory is bounded:
// more distinct series than max(max_series, min(100,000, 8 Mi / (steps + 1))) while scanning
// (a parser giving every line its own labels) is the series limit error.
Result<std::vector<Dense>> EvalUnwrap(const UnwrapContext& ctx,
                                      const logql::RangeAggregationExpr& agg);

// The pipeline error Loki answers for a series that carries __error__.
std::string PipelineErrorMessage(const index::LabelSet& labels);

}  // namespace sawmill::query::engine
