// Loki's pattern expressions (pkg/logql/log/pattern): literal text with captures `<name>`
// and wildcards `<_>`, as used by the `pattern` parser and the `|>` / `!>` line filters.
//
// Matching is Loki's: a leading literal must match at the start of the line; each capture
// then extends to the first occurrence of the literal after it (so `<level> [` on
// "WARN  [x" captures "WARN "); a missing literal ends the match early, and the captures
// found so far are kept. Test() (the line filter) needs the whole line to match.
//
// Immutable after Parse(); thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "storage/result.h"

namespace sawmill::query::log {

class PatternMatcher {
 public:
  // Errors (InvalidArgument) are Loki's: "at least one capture is required",
  // "found consecutive capture: invalid expression",
  // "duplicate capture name (x): invalid expression".
  // `require_named`: the pattern parser needs a named capture; the line filter accepts `<_>`.
  static Result<PatternMatcher> Parse(std::string_view pattern, bool require_named = true);

  // The named captures, in order.
  const std::vector<std::string>& names() const { return names_; }

  // Fills `out` with the values of the first names()[0..out->size()) captures.
  void Matches(std::string_view line, std::vector<std::string_view>* out) const;
  // True when the whole line matches the pattern, each capture matching at least one byte.
  bool Test(std::string_view line) const;

 private:
  struct Node {
    bool capture;
    bool named;
    std::string text;  // literal bytes, or the capture name
  };
  std::vector<Node> nodes_;
  std::vector<std::string> names_;
};

}  // namespace sawmill::query::log
