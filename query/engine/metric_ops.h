// The step-wise operations of metric queries, over dense series (a value or none at every
// step): vector aggregations, binary operations (scalar or vector sides, on/ignoring,
// group_left/group_right, and/or/unless, bool comparisons) and label_replace, with
// Prometheus' semantics as Loki uses them. Internal to query/engine (metric_query.cc).
#pragma once

#include <string>
#include <vector>

#include "index/labels.h"
#include "query/logql/ast.h"
#include "storage/result.h"

namespace sawmill::query::engine {

struct Dense {
  index::LabelSet labels;
  std::vector<double> v;
  std::vector<char> has;  // 1 where the series has a point
};

// A metric value: a constant scalar, or series.
struct MetricValue {
  bool is_scalar = false;
  double scalar = 0;
  std::vector<Dense> series;
};

// The labels `g` keeps (`by`) or removes (`without`); none at all without a grouping.
index::LabelSet GroupLabels(const index::LabelSet& in, const std::optional<logql::Grouping>& g);

// sum, avg, count, min, max, stddev, stdvar, topk, bottomk, sort, sort_desc.
Result<std::vector<Dense>> Aggregate(const logql::VectorAggregationExpr& agg, std::vector<Dense> in,
                                     size_t steps);

Result<MetricValue> BinaryOp(const logql::BinOpExpr& e, MetricValue lhs, MetricValue rhs,
                             size_t steps);

Result<std::vector<Dense>> LabelReplace(const logql::LabelReplaceExpr& e, std::vector<Dense> in);

}  // namespace sawmill::query::engine
