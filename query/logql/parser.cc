// Entry points, expressions and binary operators. Operator precedence is Loki's (and
// Prometheus'), lowest first: `or`; `and` `unless`; `==` `!=` `>` `>=` `<` `<=`; `+` `-`;
// `*` `/` `%`; `^` (right-associative, the others left-associative).
#include <cmath>
#include <cstdio>

#include "query/logql/go_text.h"
#include "query/logql/parser.h"
#include "query/logql/parser_internal.h"
#include "query/logql/validate.h"

namespace sawmill::query::logql {
namespace internal {
namespace {

constexpr int kMaxDepth = 200;

struct BinOpInfo {
  BinOp op;
  int prec;
};

bool BinOpOf(Tok t, BinOpInfo* info) {
  switch (t) {
    case Tok::kOr:
      *info = {BinOp::kOr, 1};
      return true;
    case Tok::kAnd:
      *info = {BinOp::kAnd, 2};
      return true;
    case Tok::kUnless:
      *info = {BinOp::kUnless, 2};
      return true;
    case Tok::kCmpEq:
      *info = {BinOp::kEq, 3};
      return true;
    case Tok::kNeq:
      *info = {BinOp::kNe, 3};
      return true;
    case Tok::kGt:
      *info = {BinOp::kGt, 3};
      return true;
    case Tok::kGte:
      *info = {BinOp::kGe, 3};
      return true;
    case Tok::kLt:
      *info = {BinOp::kLt, 3};
      return true;
    case Tok::kLte:
      *info = {BinOp::kLe, 3};
      return true;
    case Tok::kAdd:
      *info = {BinOp::kAdd, 4};
      return true;
    case Tok::kSub:
      *info = {BinOp::kSub, 4};
      return true;
    case Tok::kMul:
      *info = {BinOp::kMul, 5};
      return true;
    case Tok::kDiv:
      *info = {BinOp::kDiv, 5};
      return true;
    case Tok::kMod:
      *info = {BinOp::kMod, 5};
      return true;
    case Tok::kPow:
      *info = {BinOp::kPow, 6};
      return true;
    default:
      return false;
  }
}

bool IsRangeOp(Tok t) {
  switch (t) {
    case Tok::kCountOverTime:
    case Tok::kRate:
    case Tok::kRateCounter:
    case Tok::kBytesOverTime:
    case Tok::kBytesRate:
    case Tok::kAvgOverTime:
    case Tok::kSumOverTime:
    case Tok::kMinOverTime:
    case Tok::kMaxOverTime:
    case Tok::kStdvarOverTime:
    case Tok::kStddevOverTime:
    case Tok::kQuantileOverTime:
    case Tok::kFirstOverTime:
    case Tok::kLastOverTime:
    case Tok::kAbsentOverTime:
      return true;
    default:
      return false;
  }
}

bool IsVectorOp(Tok t) {
  switch (t) {
    case Tok::kSum:
    case Tok::kAvg:
    case Tok::kCount:
    case Tok::kMax:
    case Tok::kMin:
    case Tok::kStddev:
    case Tok::kStdvar:
    case Tok::kBottomK:
    case Tok::kTopK:
    case Tok::kSort:
    case Tok::kSortDesc:
      return true;
    default:
      return false;
  }
}

// Go's %T of a log expression, as Loki names it in binary operation errors.
const char* GoTypeName(const Expr& e) {
  return As<LogSelectorExpr>(e).stages.empty() ? "*syntax.MatchersExpr" : "*syntax.PipelineExpr";
}

double Fold(BinOp op, double l, double r) {
  switch (op) {
    case BinOp::kAdd:
      return l + r;
    case BinOp::kSub:
      return l - r;
    case BinOp::kMul:
      return l * r;
    case BinOp::kDiv:
      return r == 0 ? std::nan("") : l / r;
    case BinOp::kMod:
      return r == 0 ? std::nan("") : std::fmod(l, r);
    case BinOp::kPow:
      return std::pow(l, r);
    case BinOp::kEq:
      return l == r ? 1 : 0;
    case BinOp::kNe:
      return l != r ? 1 : 0;
    case BinOp::kGt:
      return l > r ? 1 : 0;
    case BinOp::kGe:
      return l >= r ? 1 : 0;
    case BinOp::kLt:
      return l < r ? 1 : 0;
    case BinOp::kLe:
      return l <= r ? 1 : 0;
    default:
      return 0;
  }
}

}  // namespace

Status ParseError(int line, int col, std::string_view msg) {
  std::string out;
  if (line == 0 && col == 0) {
    out = "parse error : ";
  } else {
    out = "parse error at line " + std::to_string(line) + ", col " + std::to_string(col) + ": ";
  }
  out.append(msg);
  return Status::InvalidArgument(std::move(out));
}

Status Parser::Unexpected(std::initializer_list<Tok> expecting) const {
  const Token& t = Cur();
  if (t.kind == Tok::kError) return ParseError(t.line, t.col, t.text);
  std::string msg = "syntax error: unexpected ";
  msg.append(TokName(t.kind));
  bool first = true;
  for (Tok e : expecting) {
    msg.append(first ? ", expecting " : " or ");
    msg.append(TokName(e));
    first = false;
  }
  return ParseError(t.line, t.col, msg);
}

Status Parser::Expect(Tok t, std::initializer_list<Tok> expecting) {
  if (!Is(t)) return Unexpected(expecting);
  Take();
  return Status::OK();
}

Status Parser::Enter() {
  if (++depth_ > kMaxDepth) {
    --depth_;
    return SemanticError("expression nested too deeply");
  }
  return Status::OK();
}

Result<std::unique_ptr<Expr>> Parser::ParseRoot() {
  SAW_ASSIGN_OR_RETURN(auto e, ParseExpr(0));
  if (!Is(Tok::kEnd)) return Unexpected();
  if (!deferred_.ok()) return deferred_;
  return e;
}

Result<std::unique_ptr<Expr>> Parser::ParseExpr(int min_prec) {
  SAW_RETURN_IF_ERROR(Enter());
  auto lhs_or = ParsePrimary();
  if (!lhs_or.ok()) {
    Leave();
    return lhs_or.status();
  }
  std::unique_ptr<Expr> lhs = std::move(lhs_or).value();
  BinOpInfo info;
  ChainDepth chain(this);
  while (BinOpOf(Kind(), &info) && info.prec >= min_prec) {
    if (Status st = chain.Add(); !st.ok()) {
      Leave();
      return st;
    }
    Take();
    bool return_bool = false;
    VectorMatching matching;
    if (Is(Tok::kBool)) {
      Take();
      return_bool = true;
    }
    if (Is(Tok::kOn) || Is(Tok::kIgnoring)) {
      matching.on = Take().kind == Tok::kOn;
      if (!Is(Tok::kLParen)) return Unexpected({Tok::kLParen});
      SAW_ASSIGN_OR_RETURN(matching.matching_labels, ParseLabelList());
      if (Is(Tok::kGroupLeft) || Is(Tok::kGroupRight)) {
        matching.card =
            Take().kind == Tok::kGroupLeft ? Cardinality::kManyToOne : Cardinality::kOneToMany;
        if (Is(Tok::kLParen)) {
          SAW_ASSIGN_OR_RETURN(matching.include, ParseLabelList());
        }
      }
    }
    int next_min = info.op == BinOp::kPow ? info.prec : info.prec + 1;
    auto rhs = ParseExpr(next_min);
    if (!rhs.ok()) {
      Leave();
      return rhs.status();
    }
    auto folded = MakeBinOp(info.op, return_bool, std::move(matching), std::move(lhs),
                            std::move(rhs).value());
    if (!folded.ok()) {
      Leave();
      return folded.status();
    }
    lhs = std::move(folded).value();
  }
  Leave();
  return lhs;
}

Result<std::unique_ptr<Expr>> Parser::ParsePrimary() {
  Tok k = Kind();
  if (k == Tok::kLBrace) {
    auto sel = std::make_unique<LogSelectorExpr>();
    SAW_ASSIGN_OR_RETURN(sel->matchers, ParseSelector());
    SAW_RETURN_IF_ERROR(ParseStages(&sel->stages, /*in_range=*/false));
    return std::unique_ptr<Expr>(std::move(sel));
  }
  if (k == Tok::kLParen) {
    Take();
    SAW_ASSIGN_OR_RETURN(auto inner, ParseExpr(0));
    SAW_RETURN_IF_ERROR(Expect(Tok::kRParen, {}));
    return inner;
  }
  if (k == Tok::kNumber || k == Tok::kAdd || k == Tok::kSub) return ParseLiteral();
  if (IsRangeOp(k)) return ParseRangeAggregation();
  if (IsVectorOp(k)) return ParseVectorAggregation();
  if (k == Tok::kLabelReplace) return ParseLabelReplace();
  if (k == Tok::kVector) return ParseVector();
  return Unexpected();
}

Result<std::unique_ptr<Expr>> Parser::ParseMetricExpr() {
  SAW_ASSIGN_OR_RETURN(auto e, ParseExpr(0));
  if (!e->IsSample()) return Unexpected();
  return e;
}

Result<std::unique_ptr<Expr>> Parser::ParseLiteral() {
  bool negate = false;
  if (Is(Tok::kAdd) || Is(Tok::kSub)) {
    negate = Take().kind == Tok::kSub;
    if (!Is(Tok::kNumber)) return Unexpected({Tok::kNumber});
  }
  const Token& t = Take();
  double v;
  if (!GoParseFloat(t.text, &v)) {
    Defer(SemanticError("unable to parse literal as a float: " + GoParseFloatError(t.text)));
    v = 0;
  }
  auto lit = std::make_unique<LiteralExpr>();
  lit->value = negate ? -v : v;
  return std::unique_ptr<Expr>(std::move(lit));
}

Result<std::unique_ptr<Expr>> Parser::MakeBinOp(BinOp op, bool return_bool, VectorMatching matching,
                                                std::unique_ptr<Expr> lhs,
                                                std::unique_ptr<Expr> rhs) {
  std::string name(BinOpName(op));
  if (!lhs->IsSample()) {
    Defer(SemanticError("unexpected type for left leg of binary operation (" + name +
                        "): " + GoTypeName(*lhs)));
  } else if (!rhs->IsSample()) {
    Defer(SemanticError("unexpected type for right leg of binary operation (" + name +
                        "): " + GoTypeName(*rhs)));
  }
  bool lit_l = lhs->kind == ExprKind::kLiteral;
  bool lit_r = rhs->kind == ExprKind::kLiteral;
  auto fmt_f = [](double v) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%f", v);
    return std::string(buf);
  };
  bool set_error = false;
  if (IsSetOp(op) && (lit_l || lit_r)) {
    set_error = true;
    double v = As<LiteralExpr>(lit_l ? *lhs : *rhs).value;
    Defer(SemanticError(std::string("unexpected literal for ") + (lit_l ? "left" : "right") +
                        " leg of logical/set binary operation (" + name + "): " + fmt_f(v)));
  }
  if (lit_l && lit_r && !set_error) {
    // Loki folds comparisons too, to 0 or 1, with or without `bool`.
    auto lit = std::make_unique<LiteralExpr>();
    lit->value = Fold(op, As<LiteralExpr>(*lhs).value, As<LiteralExpr>(*rhs).value);
    return std::unique_ptr<Expr>(std::move(lit));
  }
  auto bin = std::make_unique<BinOpExpr>();
  bin->op = op;
  bin->return_bool = return_bool;
  bin->matching = std::move(matching);
  bin->lhs = std::move(lhs);
  bin->rhs = std::move(rhs);
  return std::unique_ptr<Expr>(std::move(bin));
}

}  // namespace internal

namespace {

Result<std::unique_ptr<Expr>> ParseUnvalidated(std::string_view query) {
  if (query.size() >= kMaxQueryBytes) {
    return internal::SemanticError("input size too long (" + std::to_string(query.size()) + " > " +
                                   std::to_string(kMaxQueryBytes) + ")");
  }
  internal::Parser parser(query);
  return parser.ParseRoot();
}

}  // namespace

Result<std::unique_ptr<Expr>> ParseExpr(std::string_view query) {
  SAW_ASSIGN_OR_RETURN(auto e, ParseUnvalidated(query));
  SAW_RETURN_IF_ERROR(ValidateExpr(*e));
  return e;
}

Result<std::unique_ptr<LogSelectorExpr>> ParseLogSelector(std::string_view query) {
  SAW_ASSIGN_OR_RETURN(auto e, ParseUnvalidated(query));
  if (e->IsSample()) return Status::InvalidArgument("only log selector is supported");
  SAW_RETURN_IF_ERROR(ValidateExpr(*e));
  return std::unique_ptr<LogSelectorExpr>(static_cast<LogSelectorExpr*>(e.release()));
}

Result<std::unique_ptr<Expr>> ParseSampleExpr(std::string_view query) {
  SAW_ASSIGN_OR_RETURN(auto e, ParseExpr(query));
  if (!e->IsSample()) return Status::InvalidArgument("only sample expression supported");
  return e;
}

Result<std::vector<index::Matcher>> ParseMatchers(std::string_view query) {
  SAW_ASSIGN_OR_RETURN(auto e, ParseExpr(query));
  if (e->IsSample() || !As<LogSelectorExpr>(*e).stages.empty()) {
    return Status::InvalidArgument("only label matchers is supported");
  }
  return std::move(static_cast<LogSelectorExpr&>(*e).matchers);
}

std::string StageErrorMessage(std::string_view stage_text, std::string_view error) {
  std::string out = "parse error : stage '";
  out.append(stage_text);
  out.append("' : ");
  out.append(error);
  out.push_back('\n');
  return out;
}

}  // namespace sawmill::query::logql
