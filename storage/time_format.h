// Timestamps (int64 ns since the Unix epoch, UTC) as text, in the two forms Loki's messages
// use. Negative timestamps (before 1970) are formatted correctly too.
#pragma once

#include <cstdint>
#include <string>

namespace sawmill {

// RFC 3339 with nanoseconds, as Go's time.RFC3339Nano without trailing-zero trimming:
// "2026-11-20T00:00:00.000000000Z".
std::string FormatRfc3339Nano(int64_t ts_ns);

// Go's time.Time.String() in UTC, fraction without trailing zeros:
// "2026-11-20 00:00:00.5 +0000 UTC".
std::string FormatGoTime(int64_t ts_ns);

}  // namespace sawmill
