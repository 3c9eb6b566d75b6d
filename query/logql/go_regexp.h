// Go's regexp error messages for RE2 compile errors. LogQL regexes are Go regexps in Loki
// and RE2 here; their syntax is the same, and this makes the errors read the same:
//   error parsing regexp: missing closing ): `(unclosed`
#pragma once

#include <string>
#include <string_view>

namespace sawmill::query::logql {

// Empty when `pattern` compiles (RE2, UTF-8, Perl classes, as Go's regexp.Compile); else
// Go's message "error parsing regexp: <what>: `<where>`".
std::string GoRegexpError(std::string_view pattern);

}  // namespace sawmill::query::logql

namespace re2 {
class RE2;
}

namespace sawmill::query::logql {

// The same message for a regex already compiled (empty when re.ok()).
std::string GoRegexpError(const re2::RE2& re);

}  // namespace sawmill::query::logql
