// Printing the AST back to LogQL the way Loki's String() methods do (pkg/logql/syntax/ast.go),
// so that /format_query and error messages show the same text. Strings are Go-quoted; ranges
// print as Prometheus durations, offsets and duration filters as Go durations, bytes as
// go-humanize does ("10kB"). One deliberate difference: `without ()` prints as such (Loki
// prints "sum without (x)", which does not parse back).
#include <cstdio>

#include "query/logql/ast.h"
#include "query/logql/go_text.h"

namespace sawmill::query::logql {
namespace {

std::string_view CompareOpString(CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
      return "==";
    case CompareOp::kNe:
      return "!=";
    case CompareOp::kGt:
      return ">";
    case CompareOp::kGe:
      return ">=";
    case CompareOp::kLt:
      return "<";
    case CompareOp::kLe:
      return "<=";
  }
  return "==";
}

void AppendMatcher(std::string* out, const index::Matcher& m) {
  out->append(m.name());
  out->append(index::MatchTypeString(m.type()));
  AppendGoQuote(out, m.value());
}

void AppendJoined(std::string* out, const std::vector<std::string>& v) {
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->append(v[i]);
  }
}

void AppendLineFilterTerm(std::string* out, const LineFilterTerm& t) {
  if (t.ip) out->append("ip(");
  AppendGoQuote(out, t.value);
  if (t.ip) out->push_back(')');
}

void AppendExtractions(std::string* out, const std::vector<LabelExtraction>& xs) {
  for (size_t i = 0; i < xs.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->append(xs[i].label);
    out->push_back('=');
    AppendGoQuote(out, xs[i].expression);
  }
}

void AppendSelections(std::string* out, const std::vector<LabelSelection>& labels) {
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out->push_back(',');
    if (labels[i].matcher) {
      AppendMatcher(out, *labels[i].matcher);
    } else {
      out->append(labels[i].name);
    }
  }
}

struct StagePrinter {
  std::string* out;
  void operator()(const LineFilter& f) const {
    static const char* kOps[] = {"|=", "!=", "|~", "!~", "|>", "!>"};
    out->append(kOps[static_cast<int>(f.op)]);
    out->push_back(' ');
    AppendLineFilterTerm(out, f.term);
    for (const LineFilterTerm& t : f.alternatives) {
      out->append(" or ");
      AppendLineFilterTerm(out, t);
    }
  }
  void operator()(const ParserStage& p) const {
    static const char* kNames[] = {"json", "logfmt", "regexp", "pattern", "unpack"};
    out->append("| ");
    out->append(kNames[static_cast<int>(p.kind)]);
    if (p.kind == ParserKind::kLogfmt) {
      if (p.strict()) out->append(" --strict");
      if (p.keep_empty()) out->append(" --keep-empty");
    }
    if (p.kind == ParserKind::kRegexp || p.kind == ParserKind::kPattern) {
      out->push_back(' ');
      AppendGoQuote(out, p.param);
    }
    if (!p.extractions.empty()) {
      out->push_back(' ');
      AppendExtractions(out, p.extractions);
    }
  }
  void operator()(const LabelFilterStage& s) const {
    out->append("| ");
    out->append(s.filter->String());
  }
  void operator()(const LineFormatStage& s) const {
    out->append("| line_format ");
    AppendGoQuote(out, s.tmpl);
  }
  void operator()(const LabelFormatStage& s) const {
    out->append("| label_format ");
    for (size_t i = 0; i < s.formats.size(); ++i) {
      if (i > 0) out->push_back(',');
      out->append(s.formats[i].name);
      out->push_back('=');
      if (s.formats[i].rename) {
        out->append(s.formats[i].value);
      } else {
        AppendGoQuote(out, s.formats[i].value);
      }
    }
  }
  void operator()(const DropStage& s) const {
    out->append("| drop ");
    AppendSelections(out, s.labels);
  }
  void operator()(const KeepStage& s) const {
    out->append("| keep ");
    AppendSelections(out, s.labels);
  }
  void operator()(const DecolorizeStage&) const { out->append("| decolorize"); }
};

void AppendGrouping(std::string* out, const Grouping& g) {
  if (g.without) {
    out->append(" without (");
    AppendJoined(out, g.labels);
    out->push_back(')');
  } else if (!g.labels.empty()) {
    out->append(" by (");
    AppendJoined(out, g.labels);
    out->push_back(')');
  }
}

void AppendSelector(std::string* out, const LogSelectorExpr& e) {
  out->push_back('{');
  for (size_t i = 0; i < e.matchers.size(); ++i) {
    if (i > 0) out->append(", ");
    AppendMatcher(out, e.matchers[i]);
  }
  out->push_back('}');
  for (const Stage& s : e.stages) {
    out->push_back(' ');
    std::visit(StagePrinter{out}, s);
  }
}

void AppendExpr(std::string* out, const Expr& e);

void AppendRange(std::string* out, const LogRange& r) {
  AppendSelector(out, *r.selector);
  if (r.unwrap) {
    static const char* kConv[] = {"", "bytes", "duration", "duration_seconds"};
    out->append(" | unwrap ");
    if (r.unwrap->conv == UnwrapConv::kNone) {
      out->append(r.unwrap->label);
    } else {
      out->append(kConv[static_cast<int>(r.unwrap->conv)]);
      out->push_back('(');
      out->append(r.unwrap->label);
      out->push_back(')');
    }
    for (const auto& f : r.unwrap->post_filters) {
      out->append(" | ");
      out->append(f->String());
    }
  }
  out->push_back('[');
  out->append(FormatPromDuration(r.range_ns));
  out->push_back(']');
  if (r.offset_ns != 0) {
    out->append(" offset ");
    out->append(FormatGoDuration(r.offset_ns));
  }
}

void AppendExpr(std::string* out, const Expr& e) {
  switch (e.kind) {
    case ExprKind::kLogSelector:
      AppendSelector(out, As<LogSelectorExpr>(e));
      return;
    case ExprKind::kRangeAggregation: {
      const auto& r = As<RangeAggregationExpr>(e);
      out->append(RangeOpName(r.op));
      out->push_back('(');
      if (r.param) {
        out->append(GoFormatFloatF(*r.param));
        out->push_back(',');
      }
      AppendRange(out, r.range);
      out->push_back(')');
      if (r.grouping) AppendGrouping(out, *r.grouping);
      return;
    }
    case ExprKind::kVectorAggregation: {
      const auto& v = As<VectorAggregationExpr>(e);
      out->append(VectorOpName(v.op));
      if (v.grouping) AppendGrouping(out, *v.grouping);
      out->push_back('(');
      if (v.op == VectorOp::kTopK || v.op == VectorOp::kBottomK || v.param != 0) {
        out->append(std::to_string(v.param));
        out->push_back(',');
      }
      AppendExpr(out, *v.inner);
      out->push_back(')');
      return;
    }
    case ExprKind::kBinOp: {
      const auto& b = As<BinOpExpr>(e);
      out->push_back('(');
      AppendExpr(out, *b.lhs);
      out->push_back(' ');
      out->append(BinOpName(b.op));
      if (b.return_bool) out->append(" bool");
      const VectorMatching& m = b.matching;
      if (m.on || !m.matching_labels.empty()) {
        out->append(m.on ? " on (" : " ignoring (");
        AppendJoined(out, m.matching_labels);
        out->append(") ");
        if (m.card == Cardinality::kManyToOne) out->append("group_left");
        if (m.card == Cardinality::kOneToMany) out->append("group_right");
        if (!m.include.empty()) {
          out->append(" (");
          AppendJoined(out, m.include);
          out->push_back(')');
        }
      }
      out->push_back(' ');
      AppendExpr(out, *b.rhs);
      out->push_back(')');
      return;
    }
    case ExprKind::kLiteral:
      // -0 would print as "-0", which the lexer reads as a duration (as Loki's does).
      out->append(GoFormatFloatV(As<LiteralExpr>(e).value + 0.0));
      return;
    case ExprKind::kVector: {
      char buf[64];
      std::snprintf(buf, sizeof(buf), "vector(%f)", As<VectorExpr>(e).value);
      out->append(buf);
      return;
    }
    case ExprKind::kLabelReplace: {
      const auto& l = As<LabelReplaceExpr>(e);
      out->append("label_replace(");
      AppendExpr(out, *l.inner);
      for (const std::string* s : {&l.dst, &l.replacement, &l.src, &l.regex}) {
        out->push_back(',');
        AppendGoQuote(out, *s);
      }
      out->push_back(')');
      return;
    }
  }
}

}  // namespace

bool ParserStage::strict() const {
  for (const std::string& f : flags) {
    if (f == "--strict") return true;
  }
  return false;
}

bool ParserStage::keep_empty() const {
  for (const std::string& f : flags) {
    if (f == "--keep-empty") return true;
  }
  return false;
}

std::string LabelFilter::String() const {
  std::string out;
  switch (kind) {
    case Kind::kString:
      AppendMatcher(&out, *matcher);
      break;
    case Kind::kNumber:
      out = name + std::string(CompareOpString(op)) + GoFormatFloatF(number + 0.0);  // no "-0"
      break;
    case Kind::kDuration:
      out = name + std::string(CompareOpString(op)) + FormatGoDuration(duration_ns);
      break;
    case Kind::kBytes:
      out = name + std::string(CompareOpString(op)) + FormatHumanBytes(bytes);
      break;
    case Kind::kIp:
      out = name + (op == CompareOp::kNe ? "!=" : "=") + "ip(" + GoQuote(ip_pattern) + ")";
      break;
    case Kind::kAnd:
    case Kind::kOr:
      out = "( " + left->String() + (kind == Kind::kAnd ? " , " : " or ") + right->String() + " )";
      break;
  }
  return out;
}

std::string StageString(const Stage& stage) {
  std::string out;
  std::visit(StagePrinter{&out}, stage);
  return out;
}

bool LogSelectorExpr::HasFilter() const {
  for (const Stage& s : stages) {
    if (std::holds_alternative<LineFilter>(s) || std::holds_alternative<LabelFilterStage>(s)) {
      return true;
    }
  }
  return false;
}

std::string Expr::String() const {
  std::string out;
  AppendExpr(&out, *this);
  return out;
}

std::string_view RangeOpName(RangeOp op) {
  static const char* kNames[] = {"count_over_time",  "rate",
                                 "rate_counter",     "bytes_over_time",
                                 "bytes_rate",       "avg_over_time",
                                 "sum_over_time",    "min_over_time",
                                 "max_over_time",    "stdvar_over_time",
                                 "stddev_over_time", "quantile_over_time",
                                 "first_over_time",  "last_over_time",
                                 "absent_over_time"};
  return kNames[static_cast<int>(op)];
}

std::string_view VectorOpName(VectorOp op) {
  static const char* kNames[] = {"sum",    "avg",     "count", "max",  "min",      "stddev",
                                 "stdvar", "bottomk", "topk",  "sort", "sort_desc"};
  return kNames[static_cast<int>(op)];
}

std::string_view BinOpName(BinOp op) {
  static const char* kNames[] = {"or", "and", "unless", "+", "-",  "*", "/", "%",
                                 "^",  "==",  "!=",     ">", ">=", "<", "<="};
  return kNames[static_cast<int>(op)];
}

bool IsComparison(BinOp op) { return op >= BinOp::kEq; }
bool IsSetOp(BinOp op) { return op == BinOp::kOr || op == BinOp::kAnd || op == BinOp::kUnless; }

}  // namespace sawmill::query::logql
