// How log_gen turns a loghub line into its `{fmt="json"}` and `{fmt="logfmt"}` forms; shared
// with the in-process benchmarks that build the same lines (bench/query/metric_unwrap_bench).
#pragma once

#include <cctype>
#include <string>

namespace sawmill::bench {

// The first level word found in the line's first 200 bytes, else "info".
inline std::string LevelOf(const std::string& line) {
  static const char* kLevels[] = {"error", "warn", "info", "debug", "fatal", "notice"};
  std::string lower = line.substr(0, 200);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* l : kLevels) {
    if (lower.find(l) != std::string::npos) return l;
  }
  return "info";
}

// For JSON and logfmt double-quoted strings: " and \ escaped, control bytes dropped.
inline std::string Escaped(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out.push_back(c);
  }
  return out;
}

// The duration field of the i-th line: 0-2999 ms, spread by a multiplicative hash.
inline std::string DurationOf(size_t i) {
  return std::to_string(static_cast<unsigned>(i * 2654435761u % 3000)) + "ms";
}

inline std::string RenderLogfmt(const std::string& line, size_t i) {
  return "level=" + LevelOf(line) + " duration=" + DurationOf(i) + " msg=\"" + Escaped(line) + "\"";
}

inline std::string RenderJson(const std::string& line, size_t i) {
  return "{\"level\":\"" + LevelOf(line) + "\",\"duration\":\"" + DurationOf(i) + "\",\"msg\":\"" +
         Escaped(line) + "\"}";
}

}  // namespace sawmill::bench
