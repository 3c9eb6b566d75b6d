// Times and durations written the way logcli (Go) reads and prints them: RFC3339 and
// RFC3339Nano timestamps, Go duration strings ("1h30m", "500ms"), in UTC or the local zone.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/result.h"

namespace sawmill::sawcli {

enum class TimeZone { kLocal, kUtc };

// Go's time.Format(time.RFC3339): "2006-01-02T15:04:05Z" or "...+02:00"; seconds precision.
std::string FormatRfc3339(int64_t unix_ns, TimeZone zone);
// Go's time.Format(time.RFC3339Nano): fraction with trailing zeros removed (none when zero).
std::string FormatRfc3339Nano(int64_t unix_ns, TimeZone zone);

// Parses RFC3339 with an optional fraction ("2024-01-02T03:04:05.123Z",
// "2024-01-02T03:04:05+01:00") into Unix nanoseconds.
Result<int64_t> ParseRfc3339(std::string_view text);

// Parses a Go duration ("1h", "1h30m", "1.5s", "250ms", "0"); also "Nd" and "Nw" as Loki's
// model.Duration accepts them. Nanoseconds; negative durations are refused.
Result<int64_t> ParseGoDuration(std::string_view text);

// A duration in seconds as Go's strconv.FormatFloat(d.Seconds(), 'f', -1, 64) writes it.
std::string FormatSeconds(int64_t ns);

int64_t NowUnixNs();

}  // namespace sawmill::sawcli
