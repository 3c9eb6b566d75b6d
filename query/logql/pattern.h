// The syntax of Loki's pattern parser (`| pattern "<ip> - <_> [<ts>] <_>"`) and pattern line
// filters (`|> "<_> error <_>"`): literal text and `<name>` captures, `<_>` matching
// anything without extracting it. A capture name is [a-zA-Z_][a-zA-Z0-9_]*; any other `<...>`
// is literal text.
//
// Validation is Loki's (pkg/logql/log/pattern), with its messages:
//   "at least one capture is required"                  (no named capture)
//   "found consecutive capture '<a><b>': invalid expression"
//   "duplicate capture name (a): invalid expression"
//   "parse error at line 1, col 1: syntax error: unexpected $end, expecting IDENTIFIER or
//    LITERAL"                                            (empty pattern)
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "storage/result.h"

namespace sawmill::query::logql {

struct PatternNode {
  bool capture = false;
  std::string text;  // the literal, or the capture name ("_" for <_>)
};

// Splits a pattern into nodes (adjacent literal text is one node). Never fails.
std::vector<PatternNode> SplitPattern(std::string_view pattern);

// SplitPattern plus Loki's validation of the pattern *parser*; errors are InvalidArgument with
// the messages above.
Result<std::vector<PatternNode>> ParsePattern(std::string_view pattern);

}  // namespace sawmill::query::logql
