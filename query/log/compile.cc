#include "query/log/compile.h"

#include <type_traits>
#include <utility>

#include "query/log/drop_keep.h"
#include "query/log/json_parser.h"
#include "query/log/label_filter.h"
#include "query/log/line_filter.h"
#include "query/log/line_format.h"
#include "query/log/logfmt_parser.h"
#include "query/log/regexp_parser.h"
#include "query/log/stage_pipeline.h"
#include "query/logql/go_text.h"

namespace sawmill::query::log {
namespace {

Result<LineMatcherPtr> TermMatcher(logql::LineFilterOp op, const logql::LineFilterTerm& term) {
  if (term.ip) return IpLineMatcher(term.value);
  switch (op) {
    case logql::LineFilterOp::kContains:
    case logql::LineFilterOp::kNotContains:
      return ContainsMatcher(term.value);
    case logql::LineFilterOp::kRegex:
    case logql::LineFilterOp::kNotRegex:
      return RegexMatcher(term.value);
    case logql::LineFilterOp::kPattern:
    case logql::LineFilterOp::kNotPattern:
      return PatternLineMatcher(term.value);
  }
  return Status::InvalidArgument("unknown line filter");
}

Result<StagePtr> CompileLineFilter(const logql::LineFilter& f) {
  std::vector<LineMatcherPtr> terms;
  SAW_ASSIGN_OR_RETURN(LineMatcherPtr first, TermMatcher(f.op, f.term));
  terms.push_back(std::move(first));
  for (const logql::LineFilterTerm& t : f.alternatives) {
    SAW_ASSIGN_OR_RETURN(LineMatcherPtr m, TermMatcher(f.op, t));
    terms.push_back(std::move(m));
  }
  LineMatcherPtr m = OrMatcher(std::move(terms));
  bool negative = f.op == logql::LineFilterOp::kNotContains ||
                  f.op == logql::LineFilterOp::kNotRegex ||
                  f.op == logql::LineFilterOp::kNotPattern;
  if (negative) m = NotMatcher(std::move(m));
  return LineFilterStage(std::move(m));
}

std::vector<std::pair<std::string, std::string>> Extractions(const logql::ParserStage& p) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const logql::LabelExtraction& e : p.extractions) out.emplace_back(e.label, e.expression);
  return out;
}

Result<StagePtr> CompileParser(const logql::ParserStage& p) {
  switch (p.kind) {
    case logql::ParserKind::kJson:
      if (p.extractions.empty()) return JsonParserStage();
      return JsonExpressionParserStage(Extractions(p));
    case logql::ParserKind::kLogfmt: {
      LogfmtOptions o{p.strict(), p.keep_empty()};
      if (p.extractions.empty()) return LogfmtParserStage(o);
      return LogfmtExpressionParserStage(Extractions(p), o);
    }
    case logql::ParserKind::kRegexp:
      return RegexpParserStage(p.param);
    case logql::ParserKind::kPattern:
      return PatternParserStage(p.param);
    case logql::ParserKind::kUnpack:
      return UnpackParserStage();
  }
  return Status::InvalidArgument("unknown parser");
}

CompareOp Op(logql::CompareOp op) {
  switch (op) {
    case logql::CompareOp::kEq:
      return CompareOp::kEq;
    case logql::CompareOp::kNe:
      return CompareOp::kNe;
    case logql::CompareOp::kGt:
      return CompareOp::kGt;
    case logql::CompareOp::kGe:
      return CompareOp::kGe;
    case logql::CompareOp::kLt:
      return CompareOp::kLt;
    case logql::CompareOp::kLe:
      return CompareOp::kLe;
  }
  return CompareOp::kEq;
}

Result<StagePtr> CompileLabelFilter(const logql::LabelFilter& f, int depth) {
  if (depth > 1000) return Status::InvalidArgument("label filter nested too deeply");
  using Kind = logql::LabelFilter::Kind;
  switch (f.kind) {
    case Kind::kString:
      if (!f.matcher.has_value()) return Status::InvalidArgument("label filter without matcher");
      return StringLabelFilter(*f.matcher);
    case Kind::kNumber:
      return NumericLabelFilter(f.name, Op(f.op), f.number);
    case Kind::kDuration:
      return DurationLabelFilter(f.name, Op(f.op), f.duration_ns);
    case Kind::kBytes:
      // Loki's frontend rounds the literal when it re-prints the query (go_text.h).
      return BytesLabelFilter(f.name, Op(f.op), logql::LokiFrontendBytes(f.bytes));
    case Kind::kIp:
      return IpLabelFilter(f.name, f.op != logql::CompareOp::kNe, f.ip_pattern);
    case Kind::kAnd:
    case Kind::kOr: {
      if (f.left == nullptr || f.right == nullptr) {
        return Status::InvalidArgument("label filter without operands");
      }
      SAW_ASSIGN_OR_RETURN(StagePtr l, CompileLabelFilter(*f.left, depth + 1));
      SAW_ASSIGN_OR_RETURN(StagePtr r, CompileLabelFilter(*f.right, depth + 1));
      return f.kind == Kind::kAnd ? AndLabelFilter(std::move(l), std::move(r))
                                  : OrLabelFilter(std::move(l), std::move(r));
    }
  }
  return Status::InvalidArgument("unknown label filter");
}

std::vector<LabelRef> Refs(const std::vector<logql::LabelSelection>& sel) {
  std::vector<LabelRef> out;
  for (const logql::LabelSelection& s : sel) {
    out.push_back(LabelRef{s.matcher.has_value() ? s.matcher->name() : s.name, s.matcher});
  }
  return out;
}

Result<StagePtr> CompileStage(const logql::Stage& stage) {
  return std::visit(
      [](const auto& s) -> Result<StagePtr> {
        using T = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<T, logql::LineFilter>) {
          return CompileLineFilter(s);
        } else if constexpr (std::is_same_v<T, logql::ParserStage>) {
          return CompileParser(s);
        } else if constexpr (std::is_same_v<T, logql::LabelFilterStage>) {
          if (s.filter == nullptr) return Status::InvalidArgument("empty label filter");
          return CompileLabelFilter(*s.filter, 0);
        } else if constexpr (std::is_same_v<T, logql::LineFormatStage>) {
          return LineFormatStage(s.tmpl);
        } else if constexpr (std::is_same_v<T, logql::LabelFormatStage>) {
          std::vector<LabelFormatSpec> specs;
          for (const logql::LabelFormat& f : s.formats) {
            specs.push_back(LabelFormatSpec{f.name, f.value, f.rename});
          }
          return LabelFormatStage(specs);
        } else if constexpr (std::is_same_v<T, logql::DropStage>) {
          return DropLabelsStage(Refs(s.labels));
        } else if constexpr (std::is_same_v<T, logql::KeepStage>) {
          return KeepLabelsStage(Refs(s.labels));
        } else {
          static_assert(std::is_same_v<T, logql::DecolorizeStage>);
          return DecolorizeStage();
        }
      },
      stage);
}

}  // namespace

Result<std::unique_ptr<Pipeline>> CompilePipeline(const std::vector<logql::Stage>& stages) {
  std::vector<StagePtr> out;
  out.reserve(stages.size());
  for (const logql::Stage& s : stages) {
    SAW_ASSIGN_OR_RETURN(StagePtr stage, CompileStage(s));
    out.push_back(std::move(stage));
  }
  if (out.empty()) return NoopPipeline();
  return NewStagePipeline(std::move(out));
}

}  // namespace sawmill::query::log
