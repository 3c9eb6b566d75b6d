#include "tools/sawcli/line_timestamp.h"

#include <cstdint>

#include "tools/sawcli/time_text.h"

namespace sawmill::sawcli {

namespace {

Result<int64_t> ParseInteger(std::string_view text) {
  if (text.empty() || text.size() > 19) return Status::InvalidArgument("not an integer");
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return Status::InvalidArgument("not an integer");
    // 19 digits can pass INT64_MAX ("9999999999999999999"): refuse instead of overflowing.
    if (v > (INT64_MAX - (c - '0')) / 10) return Status::InvalidArgument("integer out of range");
    v = v * 10 + (c - '0');
  }
  return v;
}

}  // namespace

Result<TimestampFormat> ParseTimestampFormat(const std::string& text) {
  if (text.empty()) return TimestampFormat::kNone;
  if (text == "rfc3339" || text == "rfc3339nano" || text == "RFC3339" || text == "RFC3339Nano") {
    return TimestampFormat::kRfc3339;
  }
  if (text == "unix") return TimestampFormat::kUnix;
  if (text == "unix_ms" || text == "unixms") return TimestampFormat::kUnixMs;
  if (text == "unix_us" || text == "unixus") return TimestampFormat::kUnixUs;
  if (text == "unix_ns" || text == "unixns") return TimestampFormat::kUnixNs;
  return Status::InvalidArgument(
      "--timestamp-format must be one of rfc3339, unix, unix_ms, "
      "unix_us, unix_ns; got '" +
      text + "'");
}

Result<int64_t> ParseLineTimestamp(std::string_view line, TimestampFormat format) {
  const size_t end = line.find_first_of(" \t");
  const std::string_view field = line.substr(0, end);
  switch (format) {
    case TimestampFormat::kNone:
      return Status::InvalidArgument("no timestamp format");
    case TimestampFormat::kRfc3339:
      return ParseRfc3339(field);
    case TimestampFormat::kUnix: {
      // Seconds with an optional fraction: "1700000000" or "1700000000.123".
      const size_t dot = field.find('.');
      SAW_ASSIGN_OR_RETURN(int64_t secs, ParseInteger(field.substr(0, dot)));
      if (secs > 9'000'000'000) return Status::InvalidArgument("seconds out of range");
      int64_t frac = 0;
      if (dot != std::string_view::npos) {
        std::string_view f = field.substr(dot + 1);
        if (f.size() > 9) f = f.substr(0, 9);
        SAW_ASSIGN_OR_RETURN(frac, ParseInteger(f));
        for (size_t i = f.size(); i < 9; ++i) frac *= 10;
      }
      return secs * 1'000'000'000 + frac;
    }
    case TimestampFormat::kUnixMs: {
      SAW_ASSIGN_OR_RETURN(int64_t v, ParseInteger(field));
      if (v > 9'000'000'000'000) return Status::InvalidArgument("out of range");
      return v * 1'000'000;
    }
    case TimestampFormat::kUnixUs: {
      SAW_ASSIGN_OR_RETURN(int64_t v, ParseInteger(field));
      if (v > 9'000'000'000'000'000) return Status::InvalidArgument("out of range");
      return v * 1'000;
    }
    case TimestampFormat::kUnixNs:
      return ParseInteger(field);
  }
  return Status::InvalidArgument("unknown format");
}

}  // namespace sawmill::sawcli
