// libFuzzer target for the LogQL parser: any input parses or returns an InvalidArgument
// Status (never a crash, hang or unbounded allocation); a parsed query prints to text that
// parses again and prints the same.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "query/logql/ast.h"
#include "query/logql/parser.h"

namespace {

using namespace sawmill::query::logql;

// NaN and infinities print as Go does ("NaN", "+Inf"), which LogQL cannot read back.
bool HasNonFiniteNumber(const Expr& e) {
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto parsed = ParseExpr(in);
  if (!parsed.ok()) {
    if (!parsed.status().IsInvalidArgument()) __builtin_trap();
    return 0;
  }
  if (HasNonFiniteNumber(**parsed)) return 0;
  std::string printed = (*parsed)->String();
  auto again = ParseExpr(printed);
  if (!again.ok()) __builtin_trap();
  if ((*again)->String() != printed) __builtin_trap();
  return 0;
}
