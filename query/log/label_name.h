// Label names made from parsed keys, as Loki makes them (pkg/logql/log/util.go
// sanitizeLabelKey): surrounding spaces trimmed, a leading digit prefixed with '_', and every
// character (UTF-8 rune, or invalid byte) outside [a-zA-Z0-9_] replaced by one '_'.
#pragma once

#include <string>
#include <string_view>

namespace sawmill::query::log {

inline constexpr std::string_view kDuplicateSuffix = "_extracted";

// Appends the sanitised `key` to `out`. `prefix_digit`: prefix '_' when the result would start
// with a digit (Loki passes isPrefix=true for top-level keys).
void AppendSanitizedLabelName(std::string* out, std::string_view key, bool prefix_digit);
std::string SanitizeLabelName(std::string_view key);

// True when `s` holds U+FFFD or an invalid UTF-8 sequence (Go's bytes.ContainsRune(s,
// utf8.RuneError)).
bool ContainsRuneError(std::string_view s);

// The length of the UTF-8 sequence starting at s[0], or 0 when it is invalid.
size_t Utf8SequenceLength(std::string_view s);

}  // namespace sawmill::query::log
