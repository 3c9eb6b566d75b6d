// Stream selectors `{a="b", c=~"d"}`, matchers and line filters `|= "x" or ip("y")`.
#include "index/labels.h"
#include "query/logql/go_regexp.h"
#include "query/logql/parser_internal.h"

namespace sawmill::query::logql::internal {

Result<std::vector<index::Matcher>> Parser::ParseSelector() {
  Take();  // {
  std::vector<index::Matcher> matchers;
  if (Is(Tok::kRBrace)) {
    Take();
    return matchers;
  }
  if (!IsName()) return Unexpected({Tok::kIdentifier, Tok::kRBrace});
  while (true) {
    SAW_ASSIGN_OR_RETURN(auto m, ParseMatcher());
    matchers.push_back(std::move(m));
    if (Is(Tok::kComma)) {
      Take();
      if (!IsName()) return Unexpected({Tok::kIdentifier});
      continue;
    }
    if (Is(Tok::kRBrace)) {
      Take();
      return matchers;
    }
    return Unexpected({Tok::kRBrace, Tok::kComma});
  }
}

Result<index::Matcher> Parser::ParseMatcher() {
  std::string name = Take().text;  // IDENTIFIER
  index::MatchType type;
  switch (Kind()) {
    case Tok::kEq:
      type = index::MatchType::kEqual;
      break;
    case Tok::kNeq:
      type = index::MatchType::kNotEqual;
      break;
    case Tok::kRe:
      type = index::MatchType::kRegexMatch;
      break;
    case Tok::kNre:
      type = index::MatchType::kRegexNoMatch;
      break;
    default:
      return Unexpected({Tok::kEq, Tok::kRe, Tok::kNre, Tok::kNeq});
  }
  Take();
  if (!Is(Tok::kString)) return Unexpected({Tok::kString});
  std::string value = Take().text;
  auto m = index::Matcher::Make(type, std::move(name), value);
  if (!m.ok()) {
    // Only a regex fails; say it as Go's regexp package does.
    std::string err = GoRegexpError(value);
    return SemanticError(err.empty() ? m.status().message() : err);
  }
  return m;
}

Result<LineFilter> Parser::ParseLineFilter() {
  LineFilter f;
  switch (Take().kind) {
    case Tok::kPipeExact:
      f.op = LineFilterOp::kContains;
      break;
    case Tok::kNeq:
      f.op = LineFilterOp::kNotContains;
      break;
    case Tok::kPipeMatch:
      f.op = LineFilterOp::kRegex;
      break;
    case Tok::kNre:
      f.op = LineFilterOp::kNotRegex;
      break;
    case Tok::kPipePattern:
      f.op = LineFilterOp::kPattern;
      break;
    default:
      f.op = LineFilterOp::kNotPattern;
      break;
  }
  // STRING or ip("...").
  auto term = [this](LineFilterTerm* t) -> Status {
    if (Is(Tok::kString)) {
      t->value = Take().text;
      return Status::OK();
    }
    if (!Is(Tok::kIp)) return Unexpected({Tok::kString, Tok::kIp});
    Take();
    SAW_RETURN_IF_ERROR(Expect(Tok::kLParen, {Tok::kLParen}));
    if (!Is(Tok::kString)) return Unexpected({Tok::kString});
    t->value = Take().text;
    t->ip = true;
    return Expect(Tok::kRParen, {Tok::kRParen});
  };
  SAW_RETURN_IF_ERROR(term(&f.term));
  // `or` alternatives; Loki's grammar ends the chain after an ip(...) alternative.
  while (Is(Tok::kOr)) {
    Take();
    LineFilterTerm alt;
    SAW_RETURN_IF_ERROR(term(&alt));
    bool ip = alt.ip;
    f.alternatives.push_back(std::move(alt));
    if (ip) break;
  }
  return f;
}

}  // namespace sawmill::query::logql::internal
