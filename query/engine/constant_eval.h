// Metric expressions made only of numbers, vector() and binary operations, which need no data:
// Grafana's data-source health check `vector(1)+vector(1)`, `2 ^ 10`, `3 > bool 2`,
// `vector(2) * 4`. Answered as Loki 2.8 does: an instant query gives a `vector` (one sample
// with no labels; empty when a comparison filtered it out) or a `scalar`; a range query gives
// a one-series `matrix` with a point at every step from start to end, both included.
// Everything that reads logs is metric-query work (issue 5) and is not handled here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "query/logql/ast.h"

namespace sawmill::query::engine {

// The number operators of LogQL on two samples, shared by constant folding and series
// evaluation: + - * / % ^ (nullopt for any other operator), and the comparisons.
std::optional<double> BinOpArith(logql::BinOp op, double a, double b);
bool BinOpCompare(logql::BinOp op, double a, double b);

struct ConstantValue {
  bool is_scalar = false;
  bool present = true;  // a vector that a comparison emptied has no sample
  double value = 0;
};

// The value of `expr`, or nullopt when it reads logs (or uses an operation not covered).
std::optional<ConstantValue> EvalConstant(const logql::Expr& expr);

// Loki's sample value text: Go's strconv.FormatFloat(v, 'f', -1, 64), "+Inf", "-Inf", "NaN".
std::string FormatSampleValue(double v);

// A sample's time as Loki writes it: milliseconds as float seconds (4, 1795111200.5).
void AppendSampleTime(std::string* out, int64_t ts_ns);
// [<time>,"<value>"]
void AppendSamplePoint(std::string* out, int64_t ts_ns, double v);

// The whole answer of an instant query at `ts_ns`, or of a range query.
std::string ConstantInstantJson(const ConstantValue& v, int64_t ts_ns);
std::string ConstantRangeJson(const ConstantValue& v, int64_t start_ns, int64_t end_ns,
                              int64_t step_ns);

}  // namespace sawmill::query::engine
