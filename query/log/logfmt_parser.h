// The `logfmt` parser stage (Loki's LogfmtParser and LogfmtExpressionParser).
//
// Without flags it behaves as Loki 2.8 (the conformance reference): pairs are taken until the
// first syntax error, which sets __error__="LogfmtParserErr" and __error_details__; bare words
// become labels with an empty value. With Loki 3's flags: `--strict` stops at the first error
// (and sets it) and skips empty values unless `--keep-empty`; `--keep-empty` alone skips over
// malformed pairs without an error and keeps empty values.
//
// `| logfmt a, b="c"`: only the listed keys (b="c" renames key c to label b); each listed
// label exists afterwards (empty when absent from the line).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "query/log/stage.h"
#include "storage/result.h"

namespace sawmill::query::log {

inline constexpr std::string_view kLogfmtParserErr = "LogfmtParserErr";

struct LogfmtOptions {
  bool strict = false;
  bool keep_empty = false;
};

StagePtr LogfmtParserStage(LogfmtOptions options = {});
// `extractions`: (label name, key). InvalidArgument for an invalid label name.
Result<StagePtr> LogfmtExpressionParserStage(
    const std::vector<std::pair<std::string, std::string>>& extractions,
    LogfmtOptions options = {});

}  // namespace sawmill::query::log
