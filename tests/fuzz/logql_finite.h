// Shared by the LogQL fuzz targets: whether a parsed query holds a number that prints as Go
// does ("NaN", "+Inf"), which LogQL cannot read back (such a query does not round-trip).
#pragma once

#include <cmath>

#include "query/logql/ast.h"

namespace sawmill::query::logql::fuzz {

inline bool HasNonFiniteNumber(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kLiteral:
      return !std::isfinite(As<LiteralExpr>(e).value);
    case ExprKind::kVector:
      return !std::isfinite(As<VectorExpr>(e).value);
    case ExprKind::kBinOp:
      return HasNonFiniteNumber(*As<BinOpExpr>(e).lhs) || HasNonFiniteNumber(*As<BinOpExpr>(e).rhs);
    case ExprKind::kVectorAggregation:
      return HasNonFiniteNumber(*As<VectorAggregationExpr>(e).inner);
    case ExprKind::kLabelReplace:
      return HasNonFiniteNumber(*As<LabelReplaceExpr>(e).inner);
    case ExprKind::kRangeAggregation: {
      const auto& r = As<RangeAggregationExpr>(e);
      return r.param && !std::isfinite(*r.param);
    }
    default:
      return false;
  }
}

}  // namespace sawmill::query::logql::fuzz
