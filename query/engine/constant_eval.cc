#include "query/engine/constant_eval.h"

#include <charconv>
#include <cmath>

#include "query/engine/response_json.h"

namespace sawmill::query::engine {

std::optional<double> BinOpArith(logql::BinOp op, double a, double b) {
  switch (op) {
    case logql::BinOp::kAdd:
      return a + b;
    case logql::BinOp::kSub:
      return a - b;
    case logql::BinOp::kMul:
      return a * b;
    case logql::BinOp::kDiv:
      return a / b;
    case logql::BinOp::kMod:
      return std::fmod(a, b);
    case logql::BinOp::kPow:
      return std::pow(a, b);
    default:
      return std::nullopt;
  }
}

bool BinOpCompare(logql::BinOp op, double a, double b) {
  switch (op) {
    case logql::BinOp::kEq:
      return a == b;
    case logql::BinOp::kNe:
      return a != b;
    case logql::BinOp::kGt:
      return a > b;
    case logql::BinOp::kGe:
      return a >= b;
    case logql::BinOp::kLt:
      return a < b;
    default:
      return a <= b;
  }
}

namespace {

std::optional<ConstantValue> EvalBinOp(const logql::BinOpExpr& e) {
  if (e.lhs == nullptr || e.rhs == nullptr) return std::nullopt;
  std::optional<ConstantValue> l = EvalConstant(*e.lhs);
  std::optional<ConstantValue> r = EvalConstant(*e.rhs);
  if (!l || !r) return std::nullopt;
  ConstantValue out;
  out.is_scalar = l->is_scalar && r->is_scalar;
  if (logql::IsSetOp(e.op)) {  // vector(a) and/or/unless vector(b); same (empty) label sets
    switch (e.op) {
      case logql::BinOp::kAnd:
        return r->present ? *l : ConstantValue{false, false, 0};
      case logql::BinOp::kOr:
        return l->present ? *l : *r;
      default:  // unless
        return r->present ? ConstantValue{false, false, 0} : *l;
    }
  }
  if (!l->present || !r->present) return ConstantValue{false, false, 0};
  if (logql::IsComparison(e.op)) {
    const bool holds = BinOpCompare(e.op, l->value, r->value);
    if (e.return_bool || out.is_scalar) {
      out.value = holds ? 1 : 0;
      return out;
    }
    // A filter keeps the vector side's sample (the left one when both are vectors).
    out.value = l->is_scalar ? r->value : l->value;
    out.present = holds;
    return out;
  }
  std::optional<double> v = BinOpArith(e.op, l->value, r->value);
  if (!v) return std::nullopt;
  out.value = *v;
  return out;
}

void AppendStats(std::string* out) {
  *out += ",\"stats\":";
  AppendStatsJson(out, QueryStats{});
  *out += "}}";
}

}  // namespace

std::optional<ConstantValue> EvalConstant(const logql::Expr& expr) {
  switch (expr.kind) {
    case logql::ExprKind::kLiteral:
      return ConstantValue{true, true, static_cast<const logql::LiteralExpr&>(expr).value};
    case logql::ExprKind::kVector:
      return ConstantValue{false, true, static_cast<const logql::VectorExpr&>(expr).value};
    case logql::ExprKind::kBinOp:
      return EvalBinOp(static_cast<const logql::BinOpExpr&>(expr));
    default:
      return std::nullopt;
  }
}

void AppendSampleTime(std::string* out, int64_t ts_ns) {
  // Loki's sample times are milliseconds written as float seconds: 4, 1795111200.5.
  const int64_t ms = ts_ns / 1000000;
  *out += std::to_string(ms / 1000);
  if (int64_t frac = ms % 1000; frac != 0) {
    std::string digits = std::to_string(frac < 0 ? -frac : frac);
    digits.insert(0, 3 - digits.size(), '0');
    while (digits.back() == '0') digits.pop_back();
    *out += "." + digits;
  }
}

void AppendSamplePoint(std::string* out, int64_t ts_ns, double v) {
  out->push_back('[');
  AppendSampleTime(out, ts_ns);
  *out += ",\"" + FormatSampleValue(v) + "\"]";
}

std::string FormatSampleValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[512];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed);
  if (ec != std::errc()) return "NaN";
  return std::string(buf, end);
}

std::string ConstantInstantJson(const ConstantValue& v, int64_t ts_ns) {
  std::string out = "{\"status\":\"success\",\"data\":{\"resultType\":";
  if (v.is_scalar) {
    out += "\"scalar\",\"result\":";
    AppendSamplePoint(&out, ts_ns, v.value);
  } else {
    out += "\"vector\",\"result\":[";
    if (v.present) {
      out += "{\"metric\":{},\"value\":";
      AppendSamplePoint(&out, ts_ns, v.value);
      out += "}";
    }
    out += "]";
  }
  AppendStats(&out);
  return out;
}

std::string ConstantRangeJson(const ConstantValue& v, int64_t start_ns, int64_t end_ns,
                              int64_t step_ns) {
  std::string out = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[";
  if (v.present && step_ns > 0) {
    out += "{\"metric\":{},\"values\":[";
    for (int64_t t = start_ns; t <= end_ns; t += step_ns) {
      if (t != start_ns) out.push_back(',');
      AppendSamplePoint(&out, t, v.value);
      if (t > INT64_MAX - step_ns) break;
    }
    out += "]}";
  }
  out += "]";
  AppendStats(&out);
  return out;
}

}  // namespace sawmill::query::engine
