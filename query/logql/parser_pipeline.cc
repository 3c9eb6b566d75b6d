// Pipeline stages after the selector: parsers, label filters, formatters, drop/keep.
//
// Label filter precedence follows Loki's yacc grammar, in which `and` binds tighter than `or`
// (both left-associative) while `,` and juxtaposition (`a="x" b="y"`) have no precedence,
// so yacc shifts: they take everything to their right (`a, b or c` is `a and (b or c)`).
#include <re2/re2.h>

#include <set>

#include "index/labels.h"
#include "query/logql/go_regexp.h"
#include "query/logql/parser_internal.h"
#include "query/logql/pattern.h"

namespace sawmill::query::logql::internal {
namespace {

bool IsLineFilterOp(Tok t) {
  return t == Tok::kPipeExact || t == Tok::kNeq || t == Tok::kPipeMatch || t == Tok::kNre ||
         t == Tok::kPipePattern || t == Tok::kNpa;
}

std::unique_ptr<LabelFilter> Binary(LabelFilter::Kind kind, std::unique_ptr<LabelFilter> l,
                                    std::unique_ptr<LabelFilter> r) {
  auto f = std::make_unique<LabelFilter>();
  f->kind = kind;
  f->left = std::move(l);
  f->right = std::move(r);
  return f;
}

// Loki's log.NewRegexpParser checks, with its messages.
Status CheckRegexpParser(const std::string& re) {
  RE2::Options options;
  options.set_log_errors(false);
  RE2 compiled(re, options);
  std::string err = GoRegexpError(compiled);
  if (!err.empty()) return SemanticError("invalid regexp parser: " + err);
  // Unnamed groups are allowed; at least one named one is required.
  std::set<std::string> seen;
  for (const auto& [index, name] : compiled.CapturingGroupNames()) {
    if (!index::IsValidLabelName(name)) {
      return SemanticError("invalid regexp parser: invalid extracted label name '" + name + "'");
    }
    if (!seen.insert(name).second) {
      return SemanticError("invalid regexp parser: duplicate extracted label name '" + name + "'");
    }
  }
  if (seen.empty()) {
    return SemanticError("invalid regexp parser: at least one named capture must be supplied");
  }
  return Status::OK();
}

}  // namespace

bool Parser::StartsLabelFilter() const { return IsName() || Is(Tok::kLParen); }

Status Parser::ParseStages(std::vector<Stage>* stages, bool in_range) {
  while (true) {
    if (IsLineFilterOp(Kind())) {
      SAW_ASSIGN_OR_RETURN(auto f, ParseLineFilter());
      stages->push_back(std::move(f));
    } else if (Is(Tok::kPipe)) {
      if (in_range && PeekTok().kind == Tok::kUnwrap) return Status::OK();
      Take();
      SAW_ASSIGN_OR_RETURN(auto s, ParsePipeStage(in_range));
      stages->push_back(std::move(s));
    } else {
      return Status::OK();
    }
  }
}

Result<Stage> Parser::ParsePipeStage(bool /*in_range*/) {
  // `a="b", c` after json/logfmt.
  auto extractions = [this](std::vector<LabelExtraction>* out) -> Status {
    while (true) {
      LabelExtraction e;
      e.label = Take().text;  // IDENTIFIER
      e.expression = e.label;
      if (Is(Tok::kEq)) {
        Take();
        if (!Is(Tok::kString)) return Unexpected({Tok::kString});
        e.expression = Take().text;
      }
      out->push_back(std::move(e));
      if (!Is(Tok::kComma)) return Status::OK();
      Take();
      if (!IsName()) return Unexpected({Tok::kIdentifier});
    }
  };
  switch (Kind()) {
    case Tok::kJson: {
      Take();
      ParserStage p;
      p.kind = ParserKind::kJson;
      if (IsName()) SAW_RETURN_IF_ERROR(extractions(&p.extractions));
      return Stage(std::move(p));
    }
    case Tok::kLogfmt: {
      Take();
      ParserStage p;
      p.kind = ParserKind::kLogfmt;
      while (Is(Tok::kParserFlag)) p.flags.push_back(Take().text);
      if (IsName()) SAW_RETURN_IF_ERROR(extractions(&p.extractions));
      return Stage(std::move(p));
    }
    case Tok::kRegexp:
    case Tok::kPattern: {
      bool regexp = Take().kind == Tok::kRegexp;
      if (!Is(Tok::kString)) return Unexpected({Tok::kString});
      ParserStage p;
      p.kind = regexp ? ParserKind::kRegexp : ParserKind::kPattern;
      p.param = Take().text;
      if (regexp) {
        SAW_RETURN_IF_ERROR(CheckRegexpParser(p.param));
      } else {
        auto nodes = ParsePattern(p.param);
        if (!nodes.ok())
          return SemanticError("invalid pattern parser: " + nodes.status().message());
      }
      return Stage(std::move(p));
    }
    case Tok::kUnpack: {
      Take();
      ParserStage p;
      p.kind = ParserKind::kUnpack;
      return Stage(std::move(p));
    }
    case Tok::kLineFmt: {
      Take();
      if (!Is(Tok::kString)) return Unexpected({Tok::kString});
      return Stage(LineFormatStage{Take().text});
    }
    case Tok::kLabelFmt: {
      Take();
      LabelFormatStage s;
      while (true) {
        if (!IsName()) return Unexpected({Tok::kIdentifier});
        LabelFormat f;
        f.name = Take().text;
        SAW_RETURN_IF_ERROR(Expect(Tok::kEq, {Tok::kEq}));
        if (IsName()) {
          f.rename = true;
        } else if (!Is(Tok::kString)) {
          return Unexpected({Tok::kIdentifier, Tok::kString});
        }
        f.value = Take().text;
        s.formats.push_back(std::move(f));
        if (!Is(Tok::kComma)) break;
        Take();
      }
      return Stage(std::move(s));
    }
    case Tok::kDecolorize:
      Take();
      return Stage(DecolorizeStage{});
    case Tok::kDrop:
    case Tok::kKeep: {
      bool drop = Take().kind == Tok::kDrop;
      std::vector<LabelSelection> labels;
      while (true) {
        if (!IsName()) return Unexpected({Tok::kIdentifier});
        Tok next = PeekTok().kind;
        LabelSelection sel;
        if (next == Tok::kEq || next == Tok::kNeq || next == Tok::kRe || next == Tok::kNre) {
          SAW_ASSIGN_OR_RETURN(auto m, ParseMatcher());
          sel.name = m.name();
          sel.matcher = std::move(m);
        } else {
          sel.name = Take().text;
        }
        labels.push_back(std::move(sel));
        if (!Is(Tok::kComma)) break;
        Take();
      }
      if (drop) return Stage(DropStage{std::move(labels)});
      return Stage(KeepStage{std::move(labels)});
    }
    case Tok::kIdentifier:
    case Tok::kLParen: {
      if (!StartsLabelFilter()) return Unexpected();
      SAW_ASSIGN_OR_RETURN(auto f, ParseLabelFilter());
      return Stage(LabelFilterStage{std::move(f)});
    }
    default:
      return Unexpected();
  }
}

Result<std::unique_ptr<LabelFilter>> Parser::ParseLabelFilter() {
  SAW_RETURN_IF_ERROR(Enter());
  struct Guard {
    Parser* p;
    ~Guard() { p->Leave(); }
  } guard{this};
  SAW_ASSIGN_OR_RETURN(auto x, ParseLabelFilterPrimary());
  ChainDepth chain(this);
  while (true) {
    if (Is(Tok::kAnd)) {
      SAW_RETURN_IF_ERROR(chain.Add());
      Take();
      SAW_ASSIGN_OR_RETURN(auto y, ParseLabelFilterAndOperand());
      x = Binary(LabelFilter::Kind::kAnd, std::move(x), std::move(y));
    } else if (Is(Tok::kOr)) {
      SAW_RETURN_IF_ERROR(chain.Add());
      Take();
      SAW_ASSIGN_OR_RETURN(auto y, ParseLabelFilterOrOperand());
      x = Binary(LabelFilter::Kind::kOr, std::move(x), std::move(y));
    } else if (Is(Tok::kComma) || StartsLabelFilter()) {
      if (Is(Tok::kComma)) Take();
      SAW_ASSIGN_OR_RETURN(auto y, ParseLabelFilter());
      return Binary(LabelFilter::Kind::kAnd, std::move(x), std::move(y));
    } else {
      return x;
    }
  }
}

Result<std::unique_ptr<LabelFilter>> Parser::ParseLabelFilterAndOperand() {
  SAW_ASSIGN_OR_RETURN(auto x, ParseLabelFilterPrimary());
  if (Is(Tok::kComma) || StartsLabelFilter()) {
    if (Is(Tok::kComma)) Take();
    SAW_ASSIGN_OR_RETURN(auto y, ParseLabelFilter());
    return Binary(LabelFilter::Kind::kAnd, std::move(x), std::move(y));
  }
  return x;
}

Result<std::unique_ptr<LabelFilter>> Parser::ParseLabelFilterOrOperand() {
  SAW_ASSIGN_OR_RETURN(auto x, ParseLabelFilterPrimary());
  ChainDepth chain(this);
  while (true) {
    if (Is(Tok::kAnd)) {
      SAW_RETURN_IF_ERROR(chain.Add());
      Take();
      SAW_ASSIGN_OR_RETURN(auto y, ParseLabelFilterAndOperand());
      x = Binary(LabelFilter::Kind::kAnd, std::move(x), std::move(y));
    } else if (Is(Tok::kComma) || StartsLabelFilter()) {
      if (Is(Tok::kComma)) Take();
      SAW_ASSIGN_OR_RETURN(auto y, ParseLabelFilter());
      return Binary(LabelFilter::Kind::kAnd, std::move(x), std::move(y));
    } else {
      return x;
    }
  }
}

Result<std::unique_ptr<LabelFilter>> Parser::ParseLabelFilterPrimary() {
  if (Is(Tok::kLParen)) {
    Take();
    SAW_ASSIGN_OR_RETURN(auto inner, ParseLabelFilter());
    SAW_RETURN_IF_ERROR(Expect(Tok::kRParen, {}));
    return inner;
  }
  if (!IsName()) return Unexpected({Tok::kIdentifier, Tok::kLParen});
  auto f = std::make_unique<LabelFilter>();
  f->name = Cur().text;
  Tok op = PeekTok().kind;
  // A number, duration or bytes value after a comparison.
  auto unit_value = [&](std::initializer_list<Tok> expecting) -> Status {
    if (Is(Tok::kDuration)) {
      f->kind = LabelFilter::Kind::kDuration;
      f->duration_ns = Take().duration;
    } else if (Is(Tok::kBytes)) {
      f->kind = LabelFilter::Kind::kBytes;
      f->bytes = Take().bytes;
    } else if (Is(Tok::kNumber) || Is(Tok::kAdd) || Is(Tok::kSub)) {
      SAW_ASSIGN_OR_RETURN(auto lit, ParseLiteral());
      f->kind = LabelFilter::Kind::kNumber;
      f->number = As<LiteralExpr>(*lit).value;
    } else {
      return Unexpected(expecting);
    }
    return Status::OK();
  };
  switch (op) {
    case Tok::kEq:
    case Tok::kNeq: {
      Tok after = PeekTok(2).kind;
      if (after == Tok::kString) {
        SAW_ASSIGN_OR_RETURN(auto m, ParseMatcher());
        f->kind = LabelFilter::Kind::kString;
        f->op = op == Tok::kEq ? CompareOp::kEq : CompareOp::kNe;
        f->matcher = std::move(m);
        return f;
      }
      Take();
      Take();
      f->op = op == Tok::kEq ? CompareOp::kEq : CompareOp::kNe;
      if (Is(Tok::kIp)) {
        Take();
        SAW_RETURN_IF_ERROR(Expect(Tok::kLParen, {Tok::kLParen}));
        if (!Is(Tok::kString)) return Unexpected({Tok::kString});
        f->kind = LabelFilter::Kind::kIp;
        f->ip_pattern = Take().text;
        SAW_RETURN_IF_ERROR(Expect(Tok::kRParen, {Tok::kRParen}));
        return f;
      }
      SAW_RETURN_IF_ERROR(unit_value({}));
      return f;
    }
    case Tok::kRe:
    case Tok::kNre: {
      if (PeekTok(2).kind != Tok::kString) {
        Take();
        Take();
        return Unexpected({Tok::kString});
      }
      SAW_ASSIGN_OR_RETURN(auto m, ParseMatcher());
      f->kind = LabelFilter::Kind::kString;
      f->op = op == Tok::kRe ? CompareOp::kEq : CompareOp::kNe;
      f->matcher = std::move(m);
      return f;
    }
    case Tok::kCmpEq:
    case Tok::kGt:
    case Tok::kGte:
    case Tok::kLt:
    case Tok::kLte: {
      Take();
      Take();
      f->op = op == Tok::kCmpEq ? CompareOp::kEq
              : op == Tok::kGt  ? CompareOp::kGt
              : op == Tok::kGte ? CompareOp::kGe
              : op == Tok::kLt  ? CompareOp::kLt
                                : CompareOp::kLe;
      SAW_RETURN_IF_ERROR(unit_value({Tok::kBytes, Tok::kNumber, Tok::kDuration}));
      return f;
    }
    default:
      Take();
      return Unexpected();
  }
}

}  // namespace sawmill::query::logql::internal
