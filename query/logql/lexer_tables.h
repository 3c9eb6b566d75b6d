// Internal to the lexer (lexer.cc): the keyword and function-name tables and identifier
// characters, kept apart so lexer.cc holds only the scanning.
#pragma once

#include <cstddef>
#include <string_view>

#include "query/logql/lexer.h"

namespace sawmill::query::logql::internal {

// Loki's `tokens`: punctuation and keywords by their exact (lower-case) text.
bool LookupToken(std::string_view text, Tok* tok);
// Loki's `functionTokens` (keywords only when a call follows), by lower-case text.
bool LookupFunction(std::string_view lower, Tok* tok);
// The byte length of the identifier letter (ASCII letter, `_`, or a Unicode letter of the
// common scripts) starting at s[i], or 0.
size_t LetterAt(std::string_view s, size_t i);

}  // namespace sawmill::query::logql::internal
