// What a line regex (`|~ "..."`) needs in terms of plain literals, so that most lines are
// decided without RE2. Loki does the same simplification (pkg/logql/log/filter.go): `foo` and
// `.*foo.*` are a substring search, `foo|bar` a search for either, `(?i)foo` a
// case-insensitive search; anything else keeps RE2 but first checks, with a substring search,
// a literal every match must contain (`connection from \d+` needs "connection from ").
//
// The analysis reads Go RE2 syntax conservatively: whatever it does not understand makes it
// give up (kRegex with no required literal), never guess.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sawmill::query::log {

struct RegexPlan {
  enum class Kind {
    kRegex,     // run the regex; a line without every `required` literal cannot match
    kLiterals,  // the regex matches exactly the lines containing one of `literals`
  };
  Kind kind = Kind::kRegex;
  bool fold = false;  // literals are ASCII case-insensitive ((?i) in front)
  std::vector<std::string> literals;
  std::vector<std::string> required;
};

RegexPlan AnalyzeRegex(std::string_view re);

}  // namespace sawmill::query::log
