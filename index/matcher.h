// Label matchers, the parts of a stream selector: `name = "v"`, `!=`, `=~` and `!~`.
// Regular expressions are RE2 and fully anchored, as in Prometheus: `app=~"a"` matches "a"
// but not "ab"; `.` matches a newline too. Matching an absent label is matching "".
//
// For the index planner a matcher knows whether it matches the empty string (Loki refuses
// selectors in which every matcher does) and, for a regex that is a plain alternation of
// literals (`a|b|c`, `(a|b)`, a single literal, escaped metacharacters allowed), the literal
// values, so the index answers it with direct lookups instead of running the regex over every
// value of the label.
//
// Parsing selectors is the LogQL parser's job; Make() builds one matcher from its parts.
//
// Thread-safety: immutable; copies share the compiled regex. Safe to use from any thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage/result.h"

namespace re2 {
class RE2;
}

namespace sawmill::index {

enum class MatchType { kEqual, kNotEqual, kRegexMatch, kRegexNoMatch };

// "=", "!=", "=~", "!~".
std::string_view MatchTypeString(MatchType type);

class Matcher {
 public:
  // A regex that RE2 cannot compile is InvalidArgument. `name` is not validated here (the
  // LogQL parser does), so matchers on names no stream has simply select nothing.
  static Result<Matcher> Make(MatchType type, std::string name, std::string value);

  MatchType type() const { return type_; }
  const std::string& name() const { return name_; }
  const std::string& value() const { return value_; }

  bool Matches(std::string_view v) const;
  bool MatchesEmpty() const { return matches_empty_; }
  // True for = and != (the set is the value) and for regexes that are alternations of
  // literals; then set() holds the exact values that the regex matches (=~) or refuses (!~).
  bool IsSet() const { return is_set_; }
  const std::vector<std::string>& set() const { return set_; }
  // True for = and =~ (a value matches when it is in the set / the regex matches).
  bool IsPositive() const { return type_ == MatchType::kEqual || type_ == MatchType::kRegexMatch; }

  // `name="value"` with the value quoted as label values are (labels.h).
  std::string ToString() const;

 private:
  Matcher() = default;

  MatchType type_ = MatchType::kEqual;
  std::string name_;
  std::string value_;
  std::shared_ptr<const re2::RE2> re_;  // set for regex matchers
  bool is_set_ = false;
  std::vector<std::string> set_;
  bool matches_empty_ = false;
};

// The literals of `regex` when it is a plain alternation of literals, else false.
// Exposed for tests.
bool LiteralAlternation(std::string_view regex, std::vector<std::string>* literals);

}  // namespace sawmill::index
