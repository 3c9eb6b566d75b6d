// Substring search for literal line filters (`|= "error"`), on raw bytes. The needle is
// prepared once; Find() compares the first and last needle bytes against 16 positions of the
// haystack at a time (SSE2) and verifies candidates with memcmp, which is several times faster
// than std::string_view::find on log lines (bench/query/line_filter_bench.cc).
//
// CaseInsensitiveSearcher does the same for an ASCII needle under ASCII case folding, the
// way `|~ "(?i)error"` is run without RE2.
//
// Both are immutable after construction and thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sawmill::query::log {

class SubstringSearcher {
 public:
  explicit SubstringSearcher(std::string_view needle);
  // Offset of the first occurrence of the needle in `haystack`, or npos. An empty needle is
  // found at 0.
  size_t Find(std::string_view haystack) const;
  bool Contains(std::string_view haystack) const { return Find(haystack) != npos; }
  const std::string& needle() const { return needle_; }

  static constexpr size_t npos = std::string_view::npos;

 private:
  std::string needle_;
};

class CaseInsensitiveSearcher {
 public:
  // REQUIRES: IsAsciiNeedle(needle).
  explicit CaseInsensitiveSearcher(std::string_view needle);
  size_t Find(std::string_view haystack) const;
  bool Contains(std::string_view haystack) const { return Find(haystack) != npos; }
  // The needle, lowercased.
  const std::string& needle() const { return lower_; }

  // True when every byte of `needle` is ASCII (< 0x80).
  static bool IsAsciiNeedle(std::string_view needle);

  static constexpr size_t npos = std::string_view::npos;

 private:
  std::string lower_;
};

}  // namespace sawmill::query::log
