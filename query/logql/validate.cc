#include "query/logql/validate.h"

#include <arpa/inet.h>

#include <cstring>

#include "query/logql/go_regexp.h"
#include "query/logql/go_text.h"
#include "query/logql/parser.h"
#include "query/logql/parser_internal.h"

namespace sawmill::query::logql {
namespace {

constexpr char kNeedMatcher[] =
    "queries require at least one regexp or equality matcher that does not have an "
    "empty-compatible value. For instance, app=~\".*\" does not meet this requirement, but "
    "app=~\".+\" will";

// Parses an IPv4 or IPv6 address into 16 bytes (IPv4 mapped); false when invalid.
bool ParseAddr(const std::string& s, unsigned char out[16], bool* v4) {
  unsigned char buf[16];
  if (inet_pton(AF_INET, s.c_str(), buf) == 1) {
    std::memset(out, 0, 10);
    out[10] = out[11] = 0xff;
    std::memcpy(out + 12, buf, 4);
    *v4 = true;
    return true;
  }
  if (inet_pton(AF_INET6, s.c_str(), buf) == 1) {
    std::memcpy(out, buf, 16);
    *v4 = false;
    return true;
  }
  return false;
}

Status CheckMatchers(const LogSelectorExpr& sel) {
  for (const index::Matcher& m : sel.matchers) {
    if (!m.MatchesEmpty()) return Status::OK();
  }
  return internal::SemanticError(kNeedMatcher);
}

// Pass 1: selectors and sort groupings, in Loki's (pre-order) order.
Status ValidateTree(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kLogSelector:
      return CheckMatchers(As<LogSelectorExpr>(e));
    case ExprKind::kRangeAggregation:
      return CheckMatchers(*As<RangeAggregationExpr>(e).range.selector);
    case ExprKind::kVectorAggregation: {
      const auto& v = As<VectorAggregationExpr>(e);
      if ((v.op == VectorOp::kSort || v.op == VectorOp::kSortDesc) && v.grouping &&
          !v.grouping->labels.empty()) {
        return internal::SemanticError("sort and sort_desc doesn't allow grouping by ");
      }
      return ValidateTree(*v.inner);
    }
    case ExprKind::kBinOp: {
      const auto& b = As<BinOpExpr>(e);
      SAW_RETURN_IF_ERROR(ValidateTree(*b.lhs));
      return ValidateTree(*b.rhs);
    }
    case ExprKind::kLabelReplace:
      return ValidateTree(*As<LabelReplaceExpr>(e).inner);
    default:
      return Status::OK();
  }
}

// The error of building one line filter, or "".
std::string LineFilterError(const LineFilter& f) {
  auto term_error = [&](const LineFilterTerm& t) -> std::string {
    if (t.ip) return IpPatternError(t.value);
    if (f.op == LineFilterOp::kRegex || f.op == LineFilterOp::kNotRegex) {
      return GoRegexpError(t.value);
    }
    return "";
  };
  // Loki builds `a or b` from the right.
  for (size_t i = f.alternatives.size(); i > 0; --i) {
    std::string err = term_error(f.alternatives[i - 1]);
    if (!err.empty()) return err;
  }
  return term_error(f.term);
}

// A group of line filters that Loki combines into one stage.
Status CheckFilterGroup(const std::vector<const LineFilter*>& group) {
  for (size_t i = group.size(); i > 0; --i) {  // Loki walks the chain from its end
    std::string err = LineFilterError(*group[i - 1]);
    if (err.empty()) continue;
    std::string text;
    for (const LineFilter* f : group) {
      if (!text.empty()) text.push_back(' ');
      text += StageString(Stage(*f));
    }
    return Status::InvalidArgument(StageErrorMessage(text, err));
  }
  return Status::OK();
}

Status CheckLabelFilter(const LabelFilter& f, const std::string& stage_text) {
  if (f.kind != LabelFilter::Kind::kIp) return Status::OK();
  std::string err = IpPatternError(f.ip_pattern);
  if (err.empty()) return Status::OK();
  return Status::InvalidArgument(StageErrorMessage(stage_text, err));
}

// Pass 2: the stages of one selector, in the order Loki builds them (line filters before
// the first line_format are moved to the front and combined).
Status CheckStages(const std::vector<Stage>& stages) {
  std::vector<const LineFilter*> filters;
  std::vector<const Stage*> rest;
  auto flush_rest = [&]() -> Status {
    SAW_RETURN_IF_ERROR(CheckFilterGroup(filters));
    filters.clear();
    for (const Stage* s : rest) {
      if (const auto* lf = std::get_if<LabelFilterStage>(s)) {
        SAW_RETURN_IF_ERROR(CheckLabelFilter(*lf->filter, StageString(*s)));
      }
    }
    rest.clear();
    return Status::OK();
  };
  for (const Stage& s : stages) {
    if (const auto* f = std::get_if<LineFilter>(&s)) {
      filters.push_back(f);
    } else {
      rest.push_back(&s);
      if (std::holds_alternative<LineFormatStage>(s)) SAW_RETURN_IF_ERROR(flush_rest());
    }
  }
  return flush_rest();
}

Status ValidateStages(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kLogSelector:
      return CheckStages(As<LogSelectorExpr>(e).stages);
    case ExprKind::kRangeAggregation: {
      const LogRange& r = As<RangeAggregationExpr>(e).range;
      SAW_RETURN_IF_ERROR(CheckStages(r.selector->stages));
      if (r.unwrap) {
        for (const auto& f : r.unwrap->post_filters) {
          SAW_RETURN_IF_ERROR(CheckLabelFilter(*f, "| " + f->String()));
        }
      }
      return Status::OK();
    }
    case ExprKind::kVectorAggregation:
      return ValidateStages(*As<VectorAggregationExpr>(e).inner);
    case ExprKind::kBinOp: {
      const auto& b = As<BinOpExpr>(e);
      SAW_RETURN_IF_ERROR(ValidateStages(*b.lhs));
      return ValidateStages(*b.rhs);
    }
    case ExprKind::kLabelReplace:
      return ValidateStages(*As<LabelReplaceExpr>(e).inner);
    default:
      return Status::OK();
  }
}

}  // namespace

std::string IpPatternError(std::string_view pattern) {
  std::string p(pattern);
  std::string error = "ip: invalid pattern: " + GoQuote(pattern);
  unsigned char a[16], b[16];
  bool v4a, v4b;
  if (size_t dash = p.find('-'); dash != std::string::npos) {
    if (!ParseAddr(p.substr(0, dash), a, &v4a) || !ParseAddr(p.substr(dash + 1), b, &v4b) ||
        v4a != v4b || std::memcmp(a, b, 16) > 0) {
      return error;
    }
    return "";
  }
  if (size_t slash = p.find('/'); slash != std::string::npos) {
    std::string bits = p.substr(slash + 1);
    if (!ParseAddr(p.substr(0, slash), a, &v4a) || bits.empty() || bits.size() > 3) return error;
    for (char c : bits) {
      if (c < '0' || c > '9') return error;
    }
    if (bits.size() > 1 && bits[0] == '0') return error;
    if (std::stoi(bits) > (v4a ? 32 : 128)) return error;
    return "";
  }
  if (!ParseAddr(p, a, &v4a)) return error;
  return "";
}

Status ValidateExpr(const Expr& expr) {
  SAW_RETURN_IF_ERROR(ValidateTree(expr));
  return ValidateStages(expr);
}

}  // namespace sawmill::query::logql
