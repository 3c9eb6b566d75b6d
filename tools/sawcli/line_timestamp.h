// The timestamps `sawcli push --timestamp-format` reads from the first field of each line:
// RFC3339 (with or without a fraction), Unix seconds (optionally fractional), milliseconds,
// microseconds or nanoseconds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/result.h"

namespace sawmill::sawcli {

enum class TimestampFormat { kNone, kRfc3339, kUnix, kUnixMs, kUnixUs, kUnixNs };

Result<TimestampFormat> ParseTimestampFormat(const std::string& text);

// The timestamp (Unix ns) in the first space- or tab-separated field of `line`, or
// InvalidArgument. Values that would not fit int64 nanoseconds are refused.
Result<int64_t> ParseLineTimestamp(std::string_view line, TimestampFormat format);

}  // namespace sawmill::sawcli
