// The LogQL abstract syntax tree: what ParseExpr (parser.h) returns and what the log pipeline
// (query/log/) and the engine (query/engine/) walk. Plain data, modelled on Loki 3's
// pkg/logql/syntax, so a reader of Loki's code finds the same shapes:
//
//   Expr
//   ├── LogSelectorExpr      {app="a"} |= "x" | json | level="error"      (a log query)
//   └── sample expressions   (metric queries)
//       ├── RangeAggregationExpr   rate({..} |= "x" [5m]), quantile_over_time(0.99, ..) by (a)
//       ├── VectorAggregationExpr  sum by (a) (..), topk(5, ..)
//       ├── BinOpExpr              a / on (x) group_left (y) b, a > bool 3
//       ├── LiteralExpr            3.5 (number-only binary operations are folded into one)
//       ├── VectorExpr             vector(1)
//       └── LabelReplaceExpr       label_replace(.., "dst", "$1", "src", "(.*)")
//
// A LogSelectorExpr is the stream matchers plus the pipeline stages in query order. Line
// filters keep Loki's chaining (`|= "a" != "b"` is two LineFilter stages); `or` alternatives
// hang off the filter they extend. Expressions print back to LogQL with String() (printer.cc)
// exactly as Loki's String() does; ParseExpr(e.String()) gives an equal tree.
//
// Ownership: every node owns its children (unique_ptr); trees are move-only. A parsed tree is
// immutable by convention and may be read from several threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "index/matcher.h"

namespace sawmill::query::logql {

// ---------------------------------------------------------------------------------------------
// Pipeline stages
// ---------------------------------------------------------------------------------------------

// `|=` `!=` `|~` `!~` `|>` `!>`.
enum class LineFilterOp { kContains, kNotContains, kRegex, kNotRegex, kPattern, kNotPattern };

// One operand of a line filter: a string, or `ip("pattern")` when `ip` is set.
struct LineFilterTerm {
  std::string value;  // unquoted
  bool ip = false;
  bool operator==(const LineFilterTerm&) const = default;
};

// `|= "a" or "b" or ip("10.0.0.0/8")`: `term` and then `alternatives` (possibly none). Loki's
// semantics for alternatives (the pipeline implements them): for the positive ops a line passes
// when any term matches; for the negative ops (`!=`, `!~`, `!>`) a line passes when none does.
struct LineFilter {
  LineFilterOp op = LineFilterOp::kContains;
  LineFilterTerm term;
  std::vector<LineFilterTerm> alternatives;
  bool operator==(const LineFilter&) const = default;
};

enum class ParserKind { kJson, kLogfmt, kRegexp, kPattern, kUnpack };

// `a="b.c"` in `| json a="b.c"` (or `| logfmt a="b"`); a bare `a` means `a="a"`.
struct LabelExtraction {
  std::string label;
  std::string expression;
  bool operator==(const LabelExtraction&) const = default;
};

// `| json`, `| json a="b", c="d[0]"`, `| logfmt --strict --keep-empty a, b="c"`,
// `| regexp "(?P<a>.+)"`, `| pattern "<a> <_>"`, `| unpack`.
struct ParserStage {
  ParserKind kind = ParserKind::kJson;
  std::string param;  // the regexp or pattern (unquoted); empty for the others
  std::vector<LabelExtraction> extractions;  // json and logfmt only
  // logfmt flags, in the order written (Loki prints them back in that order).
  std::vector<std::string> flags;  // "--strict", "--keep-empty"
  bool strict() const;
  bool keep_empty() const;
  bool operator==(const ParserStage&) const = default;
};

// Comparison of a label filter leaf. kEq is written `=` or `==` (printed `==` for numbers,
// durations and bytes, `=` for ip()).
enum class CompareOp { kEq, kNe, kGt, kGe, kLt, kLe };

// A label filter: a tree of and/or nodes over leaves.
//   kString:   `level="error"`, `__error__!=""`, `a=~"x.*"` (an index::Matcher)
//   kNumber:   `status >= 400`, `x == 1.5`       (the label parsed as float64)
//   kDuration: `took > 1h30m`                      (the label parsed as a Go duration)
//   kBytes:    `size <= 10KB`                      (the label parsed as humanized bytes)
//   kIp:       `addr = ip("10.0.0.0/8")`           (op kEq or kNe only)
//   kAnd/kOr:  `a, b` `a and b` `a b` / `a or b`  (left and right set)
// Precedence as in Loki's grammar: `and` binds tighter than `or`; `,` and juxtaposition
// bind their whole right-hand side (`a, b or c` is `a and (b or c)`).
struct LabelFilter {
  enum class Kind { kString, kNumber, kDuration, kBytes, kIp, kAnd, kOr };
  Kind kind = Kind::kString;

  // Leaves.
  std::string name;
  CompareOp op = CompareOp::kEq;
  std::optional<index::Matcher> matcher;  // kString
  double number = 0;                      // kNumber
  int64_t duration_ns = 0;                // kDuration
  uint64_t bytes = 0;                     // kBytes
  std::string ip_pattern;                 // kIp

  // kAnd / kOr.
  std::unique_ptr<LabelFilter> left;
  std::unique_ptr<LabelFilter> right;

  std::string String() const;  // Loki's form: `( a="b" , c>1 )`
};

// `| <label filter>`.
struct LabelFilterStage {
  std::unique_ptr<LabelFilter> filter;
};

// `| line_format "{{.a}}"`.
struct LineFormatStage {
  std::string tmpl;
  bool operator==(const LineFormatStage&) const = default;
};

// One entry of `| label_format dst=src, dst2="{{.x}}"`: a rename (`rename` set, `value` is
// the source label) or a template.
struct LabelFormat {
  std::string name;
  std::string value;
  bool rename = false;
  bool operator==(const LabelFormat&) const = default;
};

struct LabelFormatStage {
  std::vector<LabelFormat> formats;
  bool operator==(const LabelFormatStage&) const = default;
};

// One entry of `| drop a, b="c"` / `| keep a, b=~"c"`: a name, or a matcher (the label goes
// or stays only when its value matches).
struct LabelSelection {
  std::string name;                       // set when !matcher
  std::optional<index::Matcher> matcher;  // `b="c"`
};

struct DropStage {
  std::vector<LabelSelection> labels;
};

struct KeepStage {
  std::vector<LabelSelection> labels;
};

// `| decolorize`.
struct DecolorizeStage {
  bool operator==(const DecolorizeStage&) const = default;
};

using Stage = std::variant<LineFilter, ParserStage, LabelFilterStage, LineFormatStage,
                           LabelFormatStage, DropStage, KeepStage, DecolorizeStage>;

// Loki's String() of one stage: `|= "a"`, `| json`, `| level="x"`, `| drop a,b`...
std::string StageString(const Stage& stage);

// ---------------------------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------------------------

enum class ExprKind {
  kLogSelector,
  kRangeAggregation,
  kVectorAggregation,
  kBinOp,
  kLiteral,
  kVector,
  kLabelReplace,
};

struct Expr {
  explicit Expr(ExprKind k) : kind(k) {}
  virtual ~Expr() = default;
  Expr(const Expr&) = delete;
  Expr& operator=(const Expr&) = delete;

  const ExprKind kind;

  // A metric (sample) expression: everything but kLogSelector.
  bool IsSample() const { return kind != ExprKind::kLogSelector; }
  // LogQL text as Loki prints it (printer.cc).
  std::string String() const;
};

// `{a="b", c=~"d"} <stages>`.
struct LogSelectorExpr : Expr {
  LogSelectorExpr() : Expr(ExprKind::kLogSelector) {}
  std::vector<index::Matcher> matchers;
  std::vector<Stage> stages;
  // True when some stage is a line filter or a label filter (Loki's HasFilter()).
  bool HasFilter() const;
};

// `| unwrap x`, `| unwrap bytes(x)`, `| unwrap duration(x)` / `duration_seconds(x)`,
// followed by label filters applied after the conversion (`| unwrap x | __error__=""`).
enum class UnwrapConv { kNone, kBytes, kDuration, kDurationSeconds };

struct Unwrap {
  std::string label;
  UnwrapConv conv = UnwrapConv::kNone;
  std::vector<std::unique_ptr<LabelFilter>> post_filters;
};

// The `{..} <stages> | unwrap x [5m] offset 1h` inside a range aggregation.
struct LogRange {
  std::unique_ptr<LogSelectorExpr> selector;
  int64_t range_ns = 0;
  int64_t offset_ns = 0;  // 0 when absent
  std::optional<Unwrap> unwrap;
};

enum class RangeOp {
  kCountOverTime,
  kRate,
  kRateCounter,
  kBytesOverTime,
  kBytesRate,
  kAvgOverTime,
  kSumOverTime,
  kMinOverTime,
  kMaxOverTime,
  kStdvarOverTime,
  kStddevOverTime,
  kQuantileOverTime,
  kFirstOverTime,
  kLastOverTime,
  kAbsentOverTime,
};
std::string_view RangeOpName(RangeOp op);  // "count_over_time", ...

// `by (a, b)` / `without (a)`; `by ()` is a grouping with no labels.
struct Grouping {
  bool without = false;
  std::vector<std::string> labels;
  bool operator==(const Grouping&) const = default;
};

// `rate({..}[5m])`, `quantile_over_time(0.99, {..} | unwrap x [5m]) by (a)`.
// Validated as Loki does: unwrap required by the *_over_time ops that need a value, refused by
// count/bytes ones; grouping only for avg/stddev/stdvar/quantile/min/max/first/last.
struct RangeAggregationExpr : Expr {
  RangeAggregationExpr() : Expr(ExprKind::kRangeAggregation) {}
  RangeOp op = RangeOp::kCountOverTime;
  LogRange range;
  std::optional<double> param;  // quantile_over_time only (required there)
  std::optional<Grouping> grouping;
};

enum class VectorOp {
  kSum,
  kAvg,
  kCount,
  kMax,
  kMin,
  kStddev,
  kStdvar,
  kBottomK,
  kTopK,
  kSort,
  kSortDesc
};
std::string_view VectorOpName(VectorOp op);  // "sum", ...

// `sum by (a) (inner)`, `topk(5, inner)`. `param` is k for topk/bottomk (> 0), else 0.
struct VectorAggregationExpr : Expr {
  VectorAggregationExpr() : Expr(ExprKind::kVectorAggregation) {}
  VectorOp op = VectorOp::kSum;
  std::unique_ptr<Expr> inner;  // a sample expression
  std::optional<Grouping> grouping;
  int param = 0;
};

enum class BinOp {
  kOr,
  kAnd,
  kUnless,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
  kEq,
  kNe,
  kGt,
  kGe,
  kLt,
  kLe
};
std::string_view BinOpName(BinOp op);  // "or", "+", "==", ...
bool IsComparison(BinOp op);           // == != > >= < <=
bool IsSetOp(BinOp op);                // or and unless

enum class Cardinality { kOneToOne, kManyToOne /* group_left */, kOneToMany /* group_right */ };

// `on (a, b)` / `ignoring (a)` and `group_left (c)` / `group_right`. As in Loki, `ignoring ()`
// is the same as no clause, and `group_left ()` the same as `group_left`.
struct VectorMatching {
  Cardinality card = Cardinality::kOneToOne;
  bool on = false;  // on (...) rather than ignoring (...)
  std::vector<std::string> matching_labels;
  std::vector<std::string> include;  // group_left/group_right labels
};

// `lhs op [bool] [on|ignoring (..)] [group_left|group_right (..)] rhs`. Both sides are sample
// expressions; two literal sides are folded into a LiteralExpr at parse time, as Loki does.
struct BinOpExpr : Expr {
  BinOpExpr() : Expr(ExprKind::kBinOp) {}
  BinOp op = BinOp::kAdd;
  bool return_bool = false;
  VectorMatching matching;
  std::unique_ptr<Expr> lhs;
  std::unique_ptr<Expr> rhs;
};

// A number: `3`, `-1.5`, `0x10`, `1e3`.
struct LiteralExpr : Expr {
  LiteralExpr() : Expr(ExprKind::kLiteral) {}
  double value = 0;
};

// `vector(1)`.
struct VectorExpr : Expr {
  VectorExpr() : Expr(ExprKind::kVector) {}
  double value = 0;
};

// `label_replace(inner, "dst", "replacement", "src", "regex")`; the regex is RE2-compiled
// fully anchored at parse time to validate it.
struct LabelReplaceExpr : Expr {
  LabelReplaceExpr() : Expr(ExprKind::kLabelReplace) {}
  std::unique_ptr<Expr> inner;
  std::string dst;
  std::string replacement;
  std::string src;
  std::string regex;
};

// Down-casts, REQUIRES: e.kind is the matching kind.
template <typename T>
const T& As(const Expr& e) {
  return static_cast<const T&>(e);
}

}  // namespace sawmill::query::logql
