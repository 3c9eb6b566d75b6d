// Metric expressions: range aggregations over log ranges (with unwrap and offset), vector
// aggregations, label_replace and vector(). Loki's checks on them, with its messages, are
// made as each node is built.
#include <charconv>

#include "query/logql/go_regexp.h"
#include "query/logql/go_text.h"
#include "query/logql/parser_internal.h"

namespace sawmill::query::logql::internal {
namespace {

RangeOp RangeOpOf(Tok t) {
  switch (t) {
    case Tok::kRate:
      return RangeOp::kRate;
    case Tok::kRateCounter:
      return RangeOp::kRateCounter;
    case Tok::kBytesOverTime:
      return RangeOp::kBytesOverTime;
    case Tok::kBytesRate:
      return RangeOp::kBytesRate;
    case Tok::kAvgOverTime:
      return RangeOp::kAvgOverTime;
    case Tok::kSumOverTime:
      return RangeOp::kSumOverTime;
    case Tok::kMinOverTime:
      return RangeOp::kMinOverTime;
    case Tok::kMaxOverTime:
      return RangeOp::kMaxOverTime;
    case Tok::kStdvarOverTime:
      return RangeOp::kStdvarOverTime;
    case Tok::kStddevOverTime:
      return RangeOp::kStddevOverTime;
    case Tok::kQuantileOverTime:
      return RangeOp::kQuantileOverTime;
    case Tok::kFirstOverTime:
      return RangeOp::kFirstOverTime;
    case Tok::kLastOverTime:
      return RangeOp::kLastOverTime;
    case Tok::kAbsentOverTime:
      return RangeOp::kAbsentOverTime;
    default:
      return RangeOp::kCountOverTime;
  }
}

VectorOp VectorOpOf(Tok t) {
  switch (t) {
    case Tok::kAvg:
      return VectorOp::kAvg;
    case Tok::kCount:
      return VectorOp::kCount;
    case Tok::kMax:
      return VectorOp::kMax;
    case Tok::kMin:
      return VectorOp::kMin;
    case Tok::kStddev:
      return VectorOp::kStddev;
    case Tok::kStdvar:
      return VectorOp::kStdvar;
    case Tok::kBottomK:
      return VectorOp::kBottomK;
    case Tok::kTopK:
      return VectorOp::kTopK;
    case Tok::kSort:
      return VectorOp::kSort;
    case Tok::kSortDesc:
      return VectorOp::kSortDesc;
    default:
      return VectorOp::kSum;
  }
}

// Loki's RangeAggregationExpr.validate().
Status ValidateRange(const RangeAggregationExpr& e) {
  std::string name(RangeOpName(e.op));
  if (e.grouping) {
    switch (e.op) {
      case RangeOp::kAvgOverTime:
      case RangeOp::kStddevOverTime:
      case RangeOp::kStdvarOverTime:
      case RangeOp::kQuantileOverTime:
      case RangeOp::kMaxOverTime:
      case RangeOp::kMinOverTime:
      case RangeOp::kFirstOverTime:
      case RangeOp::kLastOverTime:
        break;
      default:
        return SemanticError("grouping not allowed for " + name + " aggregation");
    }
  }
  if (e.range.unwrap) {
    switch (e.op) {
      case RangeOp::kAvgOverTime:
      case RangeOp::kSumOverTime:
      case RangeOp::kMaxOverTime:
      case RangeOp::kMinOverTime:
      case RangeOp::kStddevOverTime:
      case RangeOp::kStdvarOverTime:
      case RangeOp::kQuantileOverTime:
      case RangeOp::kRate:
      case RangeOp::kRateCounter:
      case RangeOp::kAbsentOverTime:
      case RangeOp::kFirstOverTime:
      case RangeOp::kLastOverTime:
        return Status::OK();
      default:
        return SemanticError("invalid aggregation " + name + " with unwrap");
    }
  }
  switch (e.op) {
    case RangeOp::kBytesOverTime:
    case RangeOp::kBytesRate:
    case RangeOp::kCountOverTime:
    case RangeOp::kRate:
    case RangeOp::kAbsentOverTime:
      return Status::OK();
    default:
      return SemanticError("invalid aggregation " + name + " without unwrap");
  }
}

}  // namespace

Result<std::unique_ptr<Expr>> Parser::ParseRangeAggregation() {
  auto e = std::make_unique<RangeAggregationExpr>();
  e->op = RangeOpOf(Take().kind);
  SAW_RETURN_IF_ERROR(Expect(Tok::kLParen, {Tok::kLParen}));
  std::optional<std::string> param;
  if (Is(Tok::kNumber)) {
    param = Take().text;
    SAW_RETURN_IF_ERROR(Expect(Tok::kComma, {Tok::kComma}));
    if (!Is(Tok::kLBrace) && !Is(Tok::kLParen)) return Unexpected({Tok::kLBrace, Tok::kLParen});
  } else if (!Is(Tok::kLBrace) && !Is(Tok::kLParen)) {
    return Unexpected({Tok::kNumber, Tok::kLBrace, Tok::kLParen});
  }
  SAW_RETURN_IF_ERROR(ParseLogRange(&e->range));
  SAW_RETURN_IF_ERROR(Expect(Tok::kRParen, {Tok::kRParen}));
  if (Is(Tok::kBy) || Is(Tok::kWithout)) {
    SAW_ASSIGN_OR_RETURN(e->grouping, ParseGrouping());
  }
  std::string name(RangeOpName(e->op));
  Status check;
  if (param) {
    double v = 0;
    if (e->op != RangeOp::kQuantileOverTime) {
      check = SemanticError("parameter " + *param + " not supported for operation " + name);
    } else if (!GoParseFloat(*param, &v)) {
      check = SemanticError("invalid parameter for operation " + name + ": " +
                            GoParseFloatError(*param));
    }
    e->param = v;
  } else if (e->op == RangeOp::kQuantileOverTime) {
    check = SemanticError("parameter required for operation " + name);
  }
  if (check.ok()) check = ValidateRange(*e);
  if (!check.ok()) Defer(std::move(check));
  return std::unique_ptr<Expr>(std::move(e));
}

Status Parser::ParseLogRange(LogRange* range) {
  SAW_RETURN_IF_ERROR(Enter());
  struct Guard {
    Parser* p;
    ~Guard() { p->Leave(); }
  } guard{this};
  auto unwrap_next = [this] { return Is(Tok::kPipe) && PeekTok().kind == Tok::kUnwrap; };
  auto offset = [&]() -> Status {
    if (!Is(Tok::kOffset)) return Status::OK();
    Take();
    if (!Is(Tok::kDuration)) return Unexpected({Tok::kDuration});
    range->offset_ns = Take().duration;
    return Status::OK();
  };
  bool parens = Is(Tok::kLParen);
  if (parens) {
    Take();
    if (Is(Tok::kLParen)) {  // ( logRangeExpr ) whose inside starts with a parenthesis
      SAW_RETURN_IF_ERROR(ParseLogRange(range));
      return Expect(Tok::kRParen, {Tok::kRParen});
    }
    if (!Is(Tok::kLBrace)) return Unexpected({Tok::kLBrace, Tok::kLParen});
  }
  range->selector = std::make_unique<LogSelectorExpr>();
  SAW_ASSIGN_OR_RETURN(range->selector->matchers, ParseSelector());
  SAW_RETURN_IF_ERROR(ParseStages(&range->selector->stages, /*in_range=*/true));
  if (unwrap_next()) {
    range->unwrap.emplace();
    SAW_RETURN_IF_ERROR(ParseUnwrap(&*range->unwrap));
  }
  if (parens && Is(Tok::kRParen)) {
    // ( selector [pipeline] [unwrap] ) RANGE [offset]
    Take();
    if (!Is(Tok::kRange)) return Unexpected({Tok::kRange});
    range->range_ns = Take().duration;
    return offset();
  }
  if (!Is(Tok::kRange)) {
    if (range->unwrap) return Unexpected({Tok::kRange, Tok::kPipe});
    return Unexpected();
  }
  range->range_ns = Take().duration;
  bool bare = range->selector->stages.empty() && !range->unwrap;
  SAW_RETURN_IF_ERROR(offset());
  if (bare) {
    // selector RANGE [offset] [pipeline] [unwrap]
    SAW_RETURN_IF_ERROR(ParseStages(&range->selector->stages, /*in_range=*/true));
    if (unwrap_next()) {
      range->unwrap.emplace();
      SAW_RETURN_IF_ERROR(ParseUnwrap(&*range->unwrap));
    }
  }
  if (parens) return Expect(Tok::kRParen, {Tok::kRParen});
  return Status::OK();
}

Status Parser::ParseUnwrap(Unwrap* unwrap) {
  Take();  // |
  Take();  // unwrap
  if (IsName()) {
    unwrap->label = Take().text;
  } else if (Is(Tok::kBytesConv) || Is(Tok::kDurationConv) || Is(Tok::kDurationSecondsConv)) {
    Tok conv = Take().kind;
    unwrap->conv = conv == Tok::kBytesConv      ? UnwrapConv::kBytes
                   : conv == Tok::kDurationConv ? UnwrapConv::kDuration
                                                : UnwrapConv::kDurationSeconds;
    SAW_RETURN_IF_ERROR(Expect(Tok::kLParen, {Tok::kLParen}));
    if (!IsName()) return Unexpected({Tok::kIdentifier});
    unwrap->label = Take().text;
    SAW_RETURN_IF_ERROR(Expect(Tok::kRParen, {Tok::kRParen}));
  } else {
    return Unexpected(
        {Tok::kIdentifier, Tok::kBytesConv, Tok::kDurationConv, Tok::kDurationSecondsConv});
  }
  while (Is(Tok::kPipe)) {
    Take();
    if (!StartsLabelFilter()) return Unexpected({Tok::kIdentifier, Tok::kLParen});
    SAW_ASSIGN_OR_RETURN(auto f, ParseLabelFilter());
    unwrap->post_filters.push_back(std::move(f));
  }
  return Status::OK();
}

Result<std::vector<std::string>> Parser::ParseLabelList() {
  Take();  // (
  std::vector<std::string> labels;
  if (Is(Tok::kRParen)) {
    Take();
    return labels;
  }
  if (!IsName()) return Unexpected({Tok::kIdentifier, Tok::kRParen});
  while (true) {
    labels.push_back(Take().text);
    if (Is(Tok::kComma)) {
      Take();
      if (!IsName()) return Unexpected({Tok::kIdentifier});
      continue;
    }
    if (Is(Tok::kRParen)) {
      Take();
      return labels;
    }
    return Unexpected({Tok::kComma, Tok::kRParen});
  }
}

Result<Grouping> Parser::ParseGrouping() {
  Grouping g;
  g.without = Take().kind == Tok::kWithout;
  if (!Is(Tok::kLParen)) return Unexpected({Tok::kLParen});
  SAW_ASSIGN_OR_RETURN(g.labels, ParseLabelList());
  return g;
}

Result<std::unique_ptr<Expr>> Parser::ParseVectorAggregation() {
  SAW_RETURN_IF_ERROR(Enter());
  struct Guard {
    Parser* p;
    ~Guard() { p->Leave(); }
  } guard{this};
  auto e = std::make_unique<VectorAggregationExpr>();
  e->op = VectorOpOf(Take().kind);
  if (Is(Tok::kBy) || Is(Tok::kWithout)) {
    SAW_ASSIGN_OR_RETURN(e->grouping, ParseGrouping());
    SAW_RETURN_IF_ERROR(Expect(Tok::kLParen, {Tok::kLParen}));
  } else {
    SAW_RETURN_IF_ERROR(Expect(Tok::kLParen, {Tok::kLParen, Tok::kBy, Tok::kWithout}));
  }
  std::optional<std::string> param;
  if (Is(Tok::kNumber) && PeekTok().kind == Tok::kComma) {
    param = Take().text;
    Take();
  }
  SAW_ASSIGN_OR_RETURN(e->inner, ParseMetricExpr());
  SAW_RETURN_IF_ERROR(Expect(Tok::kRParen, {}));
  if (!e->grouping && (Is(Tok::kBy) || Is(Tok::kWithout))) {
    SAW_ASSIGN_OR_RETURN(e->grouping, ParseGrouping());
  }
  std::string name(VectorOpName(e->op));
  if (e->op == VectorOp::kTopK || e->op == VectorOp::kBottomK) {
    int k = 0;
    if (!param) {
      Defer(SemanticError("parameter required for operation " + name));
    } else if (auto res = std::from_chars(param->data(), param->data() + param->size(), k);
               res.ec != std::errc() || res.ptr != param->data() + param->size()) {
      Defer(SemanticError("invalid parameter " + name + "(" + *param + ","));
    } else if (k <= 0) {
      Defer(SemanticError("invalid parameter (must be greater than 0) " + name + "(" + *param));
    }
    e->param = k;
  } else if (param) {
    Defer(SemanticError("unsupported parameter for operation " + name + "(" + *param + ","));
  }
  return std::unique_ptr<Expr>(std::move(e));
}

Result<std::unique_ptr<Expr>> Parser::ParseLabelReplace() {
  SAW_RETURN_IF_ERROR(Enter());
  struct Guard {
    Parser* p;
    ~Guard() { p->Leave(); }
  } guard{this};
  Take();
  SAW_RETURN_IF_ERROR(Expect(Tok::kLParen, {Tok::kLParen}));
  auto e = std::make_unique<LabelReplaceExpr>();
  SAW_ASSIGN_OR_RETURN(e->inner, ParseMetricExpr());
  std::string* fields[] = {&e->dst, &e->replacement, &e->src, &e->regex};
  bool first = true;
  for (std::string* field : fields) {
    if (first) {
      SAW_RETURN_IF_ERROR(Expect(Tok::kComma, {}));
    } else {
      SAW_RETURN_IF_ERROR(Expect(Tok::kComma, {Tok::kComma}));
    }
    first = false;
    if (!Is(Tok::kString)) return Unexpected({Tok::kString});
    *field = Take().text;
  }
  SAW_RETURN_IF_ERROR(Expect(Tok::kRParen, {Tok::kRParen}));
  std::string err = GoRegexpError("^(?:" + e->regex + ")$");
  if (!err.empty()) Defer(SemanticError("invalid regex in label_replace: " + err));
  return std::unique_ptr<Expr>(std::move(e));
}

Result<std::unique_ptr<Expr>> Parser::ParseVector() {
  Take();
  SAW_RETURN_IF_ERROR(Expect(Tok::kLParen, {Tok::kLParen}));
  if (!Is(Tok::kNumber)) return Unexpected({Tok::kNumber});
  std::string text = Take().text;
  SAW_RETURN_IF_ERROR(Expect(Tok::kRParen, {Tok::kRParen}));
  auto e = std::make_unique<VectorExpr>();
  if (!GoParseFloat(text, &e->value)) {
    Defer(SemanticError("unable to parse vectorExpr as a float: " + GoParseFloatError(text)));
  }
  return std::unique_ptr<Expr>(std::move(e));
}

}  // namespace sawmill::query::logql::internal
