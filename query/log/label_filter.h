// Label filters (Loki's pkg/logql/log/label_filter.go): `| level="error"`, `| status >= 500`,
// `| latency > 250ms`, `| size < 1MiB`, `| addr = ip("10.0.0.0/8")`, combined with `and`/`or`.
//
// Semantics as Loki's:
//   - string matchers read the label's value ("" when absent; __error__ included);
//   - numeric, duration and bytes filters drop lines without the label; when the value does
//     not convert they keep the line and set __error__="LabelFilterErr" with Go's conversion
//     error as __error_details__; when the line already has an error they keep it untouched;
//   - `a and b` runs both (so both may set errors), `a or b` stops at the first that keeps.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "index/matcher.h"
#include "query/log/stage.h"
#include "storage/result.h"

namespace sawmill::query::log {

inline constexpr std::string_view kLabelFilterErr = "LabelFilterErr";

enum class CompareOp { kEq, kNe, kGt, kGe, kLt, kLe };

StagePtr StringLabelFilter(index::Matcher matcher);
StagePtr NumericLabelFilter(std::string name, CompareOp op, double value);
StagePtr DurationLabelFilter(std::string name, CompareOp op, int64_t nanos);
StagePtr BytesLabelFilter(std::string name, CompareOp op, uint64_t bytes);
// `name = ip("...")` (equal) or `name != ip("...")`. InvalidArgument for a bad pattern.
Result<StagePtr> IpLabelFilter(std::string name, bool equal, std::string_view pattern);
StagePtr AndLabelFilter(StagePtr left, StagePtr right);
StagePtr OrLabelFilter(StagePtr left, StagePtr right);

}  // namespace sawmill::query::log
