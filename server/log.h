// Structured logging in logfmt, the way Loki logs:
//
//   level=info ts=2026-11-23T12:00:00.123456Z caller=main.cc:42 msg="Sawmill started" port=3100
//
// One line per call, written to stderr in a single write, so lines of concurrent callers never
// interleave. Lines below the level set with SetLogLevel() are dropped before they are built.
//
// Usage:
//   LogInfo("server listening on addresses", {{"http", "127.0.0.1:3100"}});
//   LogError("error closing the store", {{"err", status.ToString()}});
//
// Thread-safety: every function may be called from any thread.
#pragma once

#include <chrono>
#include <concepts>
#include <initializer_list>
#include <string>
#include <string_view>

#include "storage/result.h"

namespace sawmill::server {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// "debug", "info", "warn", "error".
std::string_view LogLevelName(LogLevel level);
Result<LogLevel> ParseLogLevel(std::string_view name);

void SetLogLevel(LogLevel level);  // the default is kInfo
bool LogEnabled(LogLevel level);

// Where a log call was made. std::source_location would do, but clang 14 (the fuzz and
// sanitizer build) has no __builtin_source_location; __builtin_FILE/__builtin_LINE work as
// default arguments in both compilers and give the caller's position.
struct LogSite {
  static constexpr LogSite current(const char* file = __builtin_FILE(),
                                   unsigned line = __builtin_LINE()) {
    return LogSite{file, line};
  }
  const char* file_name() const { return file; }
  unsigned line_number() const { return line; }

  const char* file;
  unsigned line;
};

// One key=value pair of a log line; numbers and booleans are formatted for the caller.
struct LogField {
  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const char* v) : key(k), value(v) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(v) {}
  LogField(std::string_view k, bool v) : key(k), value(v ? "true" : "false") {}
  template <std::integral T>
  LogField(std::string_view k, T v) : key(k), value(std::to_string(v)) {}
  LogField(std::string_view k, double v);

  std::string_view key;
  std::string value;
};

// The logfmt line (with its trailing newline) for one event. Values are quoted only when
// they must be (space, '=', '"', control characters, or empty), as go-kit/log does.
std::string FormatLogLine(LogLevel level, std::chrono::system_clock::time_point ts,
                          std::string_view caller, std::string_view msg,
                          std::initializer_list<LogField> fields);

void Log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields = {},
         LogSite where = LogSite::current());

inline void LogDebug(std::string_view msg, std::initializer_list<LogField> fields = {},
                     LogSite where = LogSite::current()) {
  Log(LogLevel::kDebug, msg, fields, where);
}
inline void LogInfo(std::string_view msg, std::initializer_list<LogField> fields = {},
                    LogSite where = LogSite::current()) {
  Log(LogLevel::kInfo, msg, fields, where);
}
inline void LogWarn(std::string_view msg, std::initializer_list<LogField> fields = {},
                    LogSite where = LogSite::current()) {
  Log(LogLevel::kWarn, msg, fields, where);
}
inline void LogError(std::string_view msg, std::initializer_list<LogField> fields = {},
                     LogSite where = LogSite::current()) {
  Log(LogLevel::kError, msg, fields, where);
}

}  // namespace sawmill::server
