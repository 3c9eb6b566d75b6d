#include "query/logql/prettier.h"

#include <vector>

#include "query/logql/go_text.h"

namespace sawmill::query::logql {
namespace {

std::string Indent(int level) { return std::string(2 * static_cast<size_t>(level), ' '); }

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out.append(sep);
    out.append(parts[i]);
  }
  return out;
}

// ` by (a, b)` / ` without (a)`; nothing for `by ()`, which means no grouping.
std::string GroupingText(const Grouping& g) {
  if (g.without) return " without (" + Join(g.labels, ", ") + ")";
  if (g.labels.empty()) return "";
  return " by (" + Join(g.labels, ", ") + ")";
}

// Loki's formatBinaryOp: `+`, `> bool`, `* on (a, b) group_left (c)`.
std::string BinOpText(const BinOpExpr& b) {
  std::string op(BinOpName(b.op));
  if (b.return_bool) op += " bool";
  const VectorMatching& m = b.matching;
  if (m.on || !m.matching_labels.empty()) {
    op += m.on ? " on (" : " ignoring (";
    op += Join(m.matching_labels, ", ") + ")";
    if (m.card == Cardinality::kManyToOne) op += " group_left";
    if (m.card == Cardinality::kOneToMany) op += " group_right";
    if (!m.include.empty()) op += " (" + Join(m.include, ", ") + ")";
  }
  return op;
}

class Prettier {
 public:
  explicit Prettier(size_t max_width) : max_width_(max_width) {}

  // `level` is the depth: the text starts with 2*level spaces. `operand` is set for the two
  // sides of a split binary operation.
  std::string Print(const Expr& e, int level, bool operand = false) const {
    std::string one_line = e.String();
    if (one_line.size() <= max_width_) return Indent(level) + one_line;
    switch (e.kind) {
      case ExprKind::kLogSelector:
        return Selector(As<LogSelectorExpr>(e), level);
      case ExprKind::kRangeAggregation:
        return RangeAggregation(As<RangeAggregationExpr>(e), level);
      case ExprKind::kVectorAggregation:
        return VectorAggregation(As<VectorAggregationExpr>(e), level);
      case ExprKind::kBinOp:
        if (!operand) return BinOpLines(As<BinOpExpr>(e), level);
        return Indent(level) + "(\n" + BinOpLines(As<BinOpExpr>(e), level + 1) + "\n" +
               Indent(level) + ")";
      case ExprKind::kLabelReplace:
        return LabelReplace(As<LabelReplaceExpr>(e), level);
      case ExprKind::kLiteral:
      case ExprKind::kVector:
        break;
    }
    return Indent(level) + one_line;
  }

 private:
  bool Fits(const std::string& s) const { return s.size() <= max_width_; }

  std::string Selector(const LogSelectorExpr& e, int level) const {
    std::string s = e.String();
    if (Fits(s) || e.stages.empty()) return Indent(level) + s;
    std::vector<std::string> matchers;
    for (const index::Matcher& m : e.matchers) {
      matchers.push_back(m.name() + std::string(index::MatchTypeString(m.type())) +
                         GoQuote(m.value()));
    }
    s = Indent(level) + "{" + Join(matchers, ", ") + "}";
    // Consecutive line filters are one stage (Loki chains them).
    std::vector<std::string> chain;
    for (const Stage& stage : e.stages) {
      if (std::holds_alternative<LineFilter>(stage)) {
        chain.push_back(StageString(stage));
        continue;
      }
      if (!chain.empty()) s += "\n" + FilterChain(chain, chain.size(), level + 1);
      chain.clear();
      s += "\n" + Indent(level + 1) + StageString(stage);
    }
    if (!chain.empty()) s += "\n" + FilterChain(chain, chain.size(), level + 1);
    return s;
  }

  // The first n filters of a chain: on one line when they fit, else the first n-1 (split
  // the same way) and the n-th on its own line.
  std::string FilterChain(const std::vector<std::string>& chain, size_t n, int level) const {
    std::vector<std::string> first(chain.begin(), chain.begin() + n);
    std::string s = Join(first, " ");
    if (Fits(s)) return Indent(level) + s;
    s.clear();
    if (n > 1) s = FilterChain(chain, n - 1, level) + "\n";
    return s + Indent(level) + chain[n - 1];
  }

  std::string Range(const LogRange& r, int level) const {
    std::string s = Selector(*r.selector, level);
    if (r.unwrap) {
      static const char* kConv[] = {"", "bytes", "duration", "duration_seconds"};
      s += "\n" + Indent(level + 1) + "| unwrap ";
      if (r.unwrap->conv == UnwrapConv::kNone) {
        s += r.unwrap->label;
      } else {
        s += std::string(kConv[static_cast<int>(r.unwrap->conv)]) + "(" + r.unwrap->label + ")";
      }
      for (const auto& f : r.unwrap->post_filters) {
        s += "\n" + Indent(level + 1) + "| " + f->String();
      }
    }
    s += " [" + FormatPromDuration(r.range_ns) + "]";
    if (r.offset_ns != 0) {
      // Loki prints model.Duration ("2h"), which has no negative form.
      s += " offset " +
           (r.offset_ns > 0 ? FormatPromDuration(r.offset_ns) : FormatGoDuration(r.offset_ns));
    }
    return s;
  }

  std::string RangeAggregation(const RangeAggregationExpr& e, int level) const {
    std::string s = Indent(level) + std::string(RangeOpName(e.op)) + "(\n";
    if (e.param) s += Indent(level + 1) + GoFormatFloatV(*e.param) + ",\n";
    s += Range(e.range, level + 1) + "\n" + Indent(level) + ")";
    if (e.grouping) s += GroupingText(*e.grouping);
    return s;
  }

  std::string VectorAggregation(const VectorAggregationExpr& e, int level) const {
    std::vector<std::string> params;
    if (e.op == VectorOp::kTopK || e.op == VectorOp::kBottomK || e.param != 0) {
      params.push_back(Indent(level + 1) + std::to_string(e.param));
    }
    params.push_back(Print(*e.inner, level + 1));
    std::string s = Indent(level) + std::string(VectorOpName(e.op));
    if (e.grouping) s += GroupingText(*e.grouping);
    return s + "(\n" + Join(params, ",\n") + "\n" + Indent(level) + ")";
  }

  std::string BinOpLines(const BinOpExpr& e, int level) const {
    return Print(*e.lhs, level + 1, true) + "\n" + Indent(level) + BinOpText(e) + "\n" +
           Print(*e.rhs, level + 1, true);
  }

  std::string LabelReplace(const LabelReplaceExpr& e, int level) const {
    std::vector<std::string> params = {Print(*e.inner, level + 1)};
    for (const std::string* arg : {&e.dst, &e.replacement, &e.src, &e.regex}) {
      params.push_back(Indent(level + 1) + GoQuote(*arg));
    }
    return Indent(level) + "label_replace(\n" + Join(params, ",\n") + "\n" + Indent(level) + ")";
  }

  const size_t max_width_;
};

}  // namespace

std::string Prettify(const Expr& e, size_t max_width) { return Prettier(max_width).Print(e, 0); }

}  // namespace sawmill::query::logql
