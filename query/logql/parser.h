// Parsing LogQL text into the AST of ast.h, with Loki's validations and error messages.
//
// Every error is an InvalidArgument Status whose message is the exact text Loki answers
// (HTTP 400), e.g.
//   parse error at line 1, col 14: syntax error: unexpected $end, expecting } or ,
//   parse error : queries require at least one regexp or equality matcher that does not ...
//   parse error : stage '|~ "(unclosed"' : error parsing regexp: missing closing ): `(unclosed`\n
// (the last form, for a stage that cannot be built, ends with a newline as Loki's body does).
//
// Not checked here, because they need the pipeline's implementations: Go templates of
// line_format/label_format and the json expressions of `| json a="b.c"`. query/log reports
// those with StageErrorMessage().
//
// Thread-safety: the functions are reentrant.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "query/logql/ast.h"
#include "storage/result.h"

namespace sawmill::query::logql {

// Queries longer than this are refused (Loki 3's limit): `parse error : input size too long
// (N > 131072)`.
inline constexpr size_t kMaxQueryBytes = 131072;

// Parses and validates a whole query, log or metric (Loki's ParseExpr).
Result<std::unique_ptr<Expr>> ParseExpr(std::string_view query);

// Parses a log query (`{...} | ...`); a metric query is refused with
// "only log selector is supported" (Loki's ParseLogSelector with validation).
Result<std::unique_ptr<LogSelectorExpr>> ParseLogSelector(std::string_view query);

// Parses a metric query; a log query is refused with "only sample expression supported".
Result<std::unique_ptr<Expr>> ParseSampleExpr(std::string_view query);

// Parses a bare stream selector `{a="b", c=~"d"}` (the /series `match[]` and /labels `query`
// parameters); anything after the selector is refused with "only label matchers is supported".
Result<std::vector<index::Matcher>> ParseMatchers(std::string_view query);

// Loki's error for a stage that cannot be built: `parse error : stage '<stage>' : <error>\n`.
// For line filters Loki names the whole chain of consecutive filters, so `stage_text` is the
// text to show (StageString of the stage, or the filters joined by spaces).
std::string StageErrorMessage(std::string_view stage_text, std::string_view error);

}  // namespace sawmill::query::logql
